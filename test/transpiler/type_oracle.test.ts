/**
 * The type oracle (transpiler/oracle.ts) answers for receivers data flow cannot settle. A project migration
 * primes it with every file, so one program and one checker serve them all: each file added on its own made a
 * new checker, merging tfjs's declarations again (half a corpus migration's CPU time). The answers stay the same:
 * the primed run migrates every file exactly as a file-by-file run does.
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
