/**
 * The corpus (fixtures/corpus/*): programs written in the styles real TensorFlow.js code has — tfjs-examples'
 * shapes, browser and Node, JS/TS, CommonJS/ESM, split across modules — migrated as `torchbridge migrate` does
 * (a folder at a time, so cross-module facts apply). Golden outputs and reports, including the TODOs that remain
 * (they are the measure: `npx tsx bench/corpus.ts`, BENCHMARKS.md), and idempotency.
 * Regenerate after a deliberate change: `npx vitest run test/transpiler/corpus.test.ts -u` (twice).
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { migrateProject } from '../../transpiler/project/migrate_project.js';
import type { ProjectOptions } from '../../transpiler/project/types.js';
import { typeErrorsOutsideTodos } from '../support/typecheck_outputs.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'fixtures', 'corpus');
const programs = readdirSync(CORPUS).sort().map((name) => {
  const dir = join(CORPUS, name);
  const input = readdirSync(dir).find((f) => /^input\.(ts|js|cjs|mjs)$/.test(f));
  return { name, dir, input, src: input ? join(dir, input) : join(dir, 'src') };
});
const opts = (paths: string[], outDir: string): ProjectOptions => ({
  paths, outDir, inPlace: false, force: false, dryRun: false, keepLayout: false, typeChecker: true, maxSize: 5_000_000, jobs: 1,
});

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tb-corpus-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Output files (relative name → text) of migrating `src` into a fresh folder, and the per-file report. */
async function migrate(src: string, label: string) {
  const out = join(tmp, label);
  const r = await migrateProject(opts([src], out));
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else files[relative(out, join(d, e.name))] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  if (existsSync(out)) walk(out);
  const report = r.report.files.map((f) => ({ file: basename(f.file), status: f.status, sites: f.sites, diagnostics: f.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`) }));
  return { files, report, out };
}

describe.each(programs)('corpus program $name', (p) => {
  it('migrates to the golden output and report', async () => {
    const { files, report } = await migrate(p.src, p.name);
    for (const [rel, text] of Object.entries(files)) {
      const golden = p.input ? join(p.dir, `output${rel.slice(rel.lastIndexOf('.'))}`) : join(p.dir, 'expected', rel);
      await expect(text).toMatchFileSnapshot(golden);
    }
    await expect(`${JSON.stringify(report, null, 2)}\n`).toMatchFileSnapshot(join(p.dir, 'report.json'));
  }, 60_000);

  it('is idempotent: migrating the output changes nothing', async () => {
    const first = await migrate(p.src, `${p.name}-1`);
    const second = await migrate(first.out, `${p.name}-2`);
    expect(second.files).toEqual(first.files);
  }, 60_000);
});

describe('corpus outputs type-check against the runtime', () => {
  it('has no type errors outside lines marked TODO (the golden TypeScript outputs)', () => {
    const outputs = programs.flatMap((p) => (p.input ? [join(p.dir, 'output.ts')] : [])).filter(existsSync);
    expect(typeErrorsOutsideTodos(outputs, join(CORPUS, '..', '..'))).toEqual([]);
  }, 60_000);
});
