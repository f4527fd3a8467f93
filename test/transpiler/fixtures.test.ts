/**
 * The fixtures as one table: every fixtures/<case>/input.* migrates to the committed output.* and report.json
 * (golden files; regenerate with `npx vitest run test/transpiler -u` and review the diff), migrating the output
 * again changes nothing, every TypeScript output type-checks against the runtime (only lines a TODO marker
 * points at may fail), and the runnable outputs run on the runtime to the end.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { transpileSource } from '../../transpiler/index.js';
import { summarize } from '../../transpiler/report.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';
import type { TranspileOptions } from '../../transpiler/types.js';
import { typeErrorsOutsideTodos } from '../support/typecheck_outputs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'fixtures');
/** Fixtures whose output cannot run: the TODO path keeps a tfjs call. */
const NOT_RUNNABLE = new Set(['unmapped-op']);

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const input = readdirSync(join(FIXTURES, d.name)).find((f) => /^input\.(ts|js|cjs|mjs)$/.test(f));
    return input ? { name: d.name, dir: join(FIXTURES, d.name), input, ext: extname(input) } : null;
  })
  .filter((c): c is NonNullable<typeof c> => c !== null);

let api: RuntimeApi;
/** A fixture may set transpiler options (fixtures/<case>/options.json, e.g. { "layout": "keep" }). */
const options = (dir: string): TranspileOptions => {
  const file = join(dir, 'options.json');
  const extra = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<TranspileOptions>) : {};
  return { layout: 'nchw', api, ...extra };
};
beforeAll(async () => {
  api = await loadRuntimeApi();
});

const migrate = (c: (typeof cases)[number], text: string) => transpileSource(join(c.dir, c.input), text, options(c.dir));

describe.each(cases)('fixture $name', (c) => {
  it('migrates to the golden output and report', async () => {
    const r = migrate(c, readFileSync(join(c.dir, c.input), 'utf8'));
    await expect(r.output).toMatchFileSnapshot(join(c.dir, `output${c.ext}`));
    await expect(`${JSON.stringify(summarize(r, c.input), null, 2)}\n`).toMatchFileSnapshot(join(c.dir, 'report.json'));
  });

  it('is idempotent: migrating the output changes nothing', () => {
    const out = readFileSync(join(c.dir, `output${c.ext}`), 'utf8');
    expect(migrate(c, out).output).toBe(out);
  });
});

describe('migrated fixtures type-check against the runtime', () => {
  const outputs = cases.filter((c) => c.ext === '.ts').map((c) => join(c.dir, `output${c.ext}`)).filter(existsSync);
  it('has no type errors outside lines marked TODO', () => {
    expect(typeErrorsOutsideTodos(outputs, ROOT)).toEqual([]);
  }, 60_000);
});

describe('fixture inputs are valid TensorFlow.js programs', () => {
  it('type-check against @tensorflow/tfjs', () => {
    const inputs = cases.filter((c) => c.ext === '.ts').map((c) => join(c.dir, c.input));
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    const program = ts.createProgram(inputs, { ...parsed.options, noEmit: true });
    const problems = inputs.flatMap((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) =>
      `${f.slice(ROOT.length + 1)}:${d.start === undefined ? 0 : program.getSourceFile(f)!.getLineAndCharacterOfPosition(d.start).line + 1} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
    expect(problems).toEqual([]);
  }, 60_000);
});

describe('migrated fixtures run on the runtime to the end', () => {
  const runnable = cases.filter((c) => !NOT_RUNNABLE.has(c.name));
  const outcome = new Map<string, { ok: boolean; printed: number; error: string }>();
  beforeAll(() => {
    // One process runs them all (one runtime start-up); each prints through console.log, counted there.
    const files = runnable.map((c) => join(c.dir, `output${c.ext}`));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run_fixtures.ts'), ...files], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    for (const line of r.stdout.split('\n')) {
      if (!line.startsWith('{"file"')) continue;
      const o = JSON.parse(line) as { file: string; ok: boolean; printed: number; error: string };
      outcome.set(o.file, o);
    }
    if (!outcome.size) throw new Error(`the fixture runner failed: ${r.stderr}`);
  }, 240_000);
  it.each(runnable.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const o = outcome.get(join(c.dir, `output${c.ext}`));
    expect(o, `${c.name} did not run`).toBeDefined();
    expect(o!.ok, `${c.name} threw:\n${o!.error}`).toBe(true);
    expect(o!.printed).toBeGreaterThan(0);
  });
});
