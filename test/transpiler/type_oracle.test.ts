/**
 * The type oracle (transpiler/oracle.ts) answers for receivers data flow cannot settle. A project migration
 * primes it with every file, so one program and one checker serve them all: each file added on its own made a
 * new checker, merging tfjs's declarations again (half a corpus migration's CPU time). The answers stay the same:
 * the primed run migrates every file exactly as a file-by-file run does. Worker threads load no checker at all:
 * a file that needs it is handed back to the main thread (TypesElsewhere), so `--jobs 2` migrates exactly as
 * `--jobs 1`.
 */
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

// Each run in a fresh process: the oracle's project lives as long as the thread.
const script = (prime: boolean) => `
  const { readdirSync, readFileSync } = await import('node:fs');
  const { transpileSource } = await import('./transpiler/index.ts');
  const { primeTypeOracle, typeCheckersMade } = await import('./transpiler/oracle.ts');
  const { loadRuntimeApi } = await import('./mappings/runtime_api.ts');
  const api = await loadRuntimeApi();
  const files = [];
  for (const d of readdirSync('fixtures')) {
    for (const f of (() => { try { return readdirSync('fixtures/' + d); } catch { return []; } })()) {
      if (/^input\\.(ts|js|cjs)$/.test(f)) files.push({ path: process.cwd() + '/fixtures/' + d + '/' + f, text: readFileSync('fixtures/' + d + '/' + f, 'utf8') });
    }
  }
  if (${prime}) primeTypeOracle(files);
  const out = files.map((f) => { const r = transpileSource(f.path, f.text, { layout: 'nchw', api }); return [f.path, r.output, r.sites.map((s) => s.via ?? '').join(',')]; });
  console.log(JSON.stringify({ checkers: typeCheckersMade(), out }));`;

const run = (prime: boolean) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(prime)], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { checkers: number; out: [string, string, string][] };
};

it('a primed project shares one checker and migrates every file as file by file', () => {
  const single = run(false);
  const primed = run(true);
  expect(single.checkers, 'the fixtures ask the type checker in several files').toBeGreaterThan(2);
  expect(primed.checkers).toBe(1);
  expect(primed.out).toEqual(single.out);
}, 300_000);

it('worker threads hand the files that need the checker back: --jobs 2 migrates exactly as --jobs 1', () => {
  const code = `
    const { readdirSync, readFileSync } = await import('node:fs');
    const { runTasks } = await import('./transpiler/project/pool.ts');
    const { loadRuntimeApi } = await import('./mappings/runtime_api.ts');
    const api = await loadRuntimeApi();
    const tasks = [];
    for (const d of readdirSync('fixtures')) {
      for (const f of (() => { try { return readdirSync('fixtures/' + d); } catch { return []; } })()) {
        if (/^input\\.(ts|js|cjs)$/.test(f)) tasks.push({ path: process.cwd() + '/fixtures/' + d + '/' + f, text: readFileSync('fixtures/' + d + '/' + f, 'utf8') });
      }
    }
    // Four copies (each under its own name), so the worker gets some of the files that ask the checker.
    tasks.push(...[1, 2, 3].flatMap((k) => tasks.map((t) => ({ path: t.path.replace('/input.', '/input' + k + '.'), text: t.text }))));
    const jobs = Number(process.argv.at(-1));
    const rs = await runTasks(tasks, { layout: 'nchw', api }, jobs, () => {});
    console.log(JSON.stringify(rs.map((r) => [r.file, r.status, r.output, r.sites.map((s) => s.via ?? '').join(',')])));`;
  const run = (jobs: number) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, String(jobs)], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as [string, string, string, string][];
  };
  const one = run(1);
  const two = run(2);
  expect(one.length).toBeGreaterThan(8);
  expect(one.some((r) => r[3].includes('types')), 'some fixture resolves a receiver through the checker').toBe(true);
  expect(two).toEqual(one);
}, 300_000);

it("a file that needs the checker stops with TypesElsewhere under typeChecker 'elsewhere'; one that does not migrates the same", async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { transpileSource } = await import('../../transpiler/index.js');
  const { TypesElsewhere } = await import('../../transpiler/oracle.js');
  const { loadRuntimeApi } = await import('../../mappings/runtime_api.js');
  const api = await loadRuntimeApi();
  let stopped = 0;
  let same = 0;
  for (const d of readdirSync(join(ROOT, 'fixtures'))) {
    const dir = join(ROOT, 'fixtures', d);
    let names: string[] = [];
    try { names = readdirSync(dir); } catch { continue; }
    for (const f of names.filter((n) => /^input\.(ts|js|cjs)$/.test(n))) {
      const file = join(dir, f);
      const text = readFileSync(file, 'utf8');
      const full = transpileSource(file, text, { layout: 'nchw', api });
      const asksTypes = full.sites.some((s) => s.via === 'types');
      let elsewhere: ReturnType<typeof transpileSource> | undefined;
      try {
        elsewhere = transpileSource(file, text, { layout: 'nchw', api, typeChecker: 'elsewhere' });
      } catch (e) {
        expect(e, d).toBeInstanceOf(TypesElsewhere);
        stopped++;
        continue;
      }
      expect(asksTypes, `${d}: resolved through the checker, yet migrated without it`).toBe(false);
      expect(elsewhere.output, d).toBe(full.output);
      same++;
    }
  }
  expect(stopped).toBeGreaterThanOrEqual(3);
  expect(same).toBeGreaterThan(10);
}, 300_000);
