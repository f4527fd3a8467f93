/**
 * A program split across modules (fixtures/project-split/src): the model is built (sizes from parameters, layers
 * added in a loop) and compiled in model.ts, trained in train.ts, evaluated in main.ts. Migrated as a folder, every
 * file comes out without a TODO — the compile records itself (utils.compile), the fit and evaluate in the other
 * files use that record (utils.fit / utils.evaluate) — type-checks against the runtime and trains when run.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { migrateProject } from '../../transpiler/project/migrate_project.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'fixtures', 'project-split', 'src');
// Inside the repository (ignored by git) so that 'torchbridge' resolves to the sources, as in the fixtures' run.
const OUT = join(ROOT, '.test-out', `project-split-${process.pid}`);

let result: Awaited<ReturnType<typeof migrateProject>>;
const out = (f: string) => readFileSync(join(OUT, f), 'utf8');

beforeAll(async () => {
  mkdirSync(join(ROOT, '.test-out'), { recursive: true });
  result = await migrateProject({
    paths: [SRC], outDir: OUT, inPlace: false, force: false, dryRun: false, keepLayout: false, typeChecker: true,
    maxSize: 5_000_000, jobs: 1,
  });
}, 120_000);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('a program split across modules', () => {
  it('migrates every file without a TODO', () => {
    expect(result.code).toBe(0);
    expect(result.report.files.map((f) => [f.file.split('/').pop(), f.status]).sort()).toEqual([['main.ts', 'migrated'], ['model.ts', 'migrated'], ['train.ts', 'migrated']]);
  });

  it('records the compile where it is and uses the record where fit and evaluate are', () => {
    const model = out('model.ts');
    expect(model).toContain('model.append(new nn.Linear(numFeatures, hidden[0])).append(new nn.ReLU());');
    expect(model).toContain('for (const units of hidden.slice(1)) model.append(new nn.LazyLinear(units)).append(new nn.ReLU());');
    expect(model).toContain('nn.whenMaterialized(model, (m) => {');
    expect(model).toContain('utils.compile(model, { optimizer: modelOptimizer, loss: lossFn, metrics: { mae: maeFn } });');
    expect(out('train.ts')).toContain('const history = await utils.fit(model, xs, ys, { epochs, batchSize: 16, shuffle: false });');
    expect(out('main.ts')).toContain('const [mse, mae] = utils.evaluate(model, xs, ys) as torch.Tensor[];');
    const notes = result.report.files.flatMap((f) => f.diagnostics.map((d) => d.code));
    expect(notes).toContain('compile-elsewhere');
  });

  it('type-checks against the runtime', () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    const files = ['model.ts', 'train.ts', 'main.ts'].map((f) => join(OUT, f));
    const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
    const problems = files.flatMap((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => `${f}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
    expect(problems).toEqual([]);
  }, 60_000);

  it('runs and trains: the loss falls and evaluate reports the compiled metric', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(OUT, 'main.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const m = /first loss ([\d.]+) last loss ([\d.]+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(Number(m![1]) * 0.1);
    const e = /evaluate mse ([\d.]+) mae ([\d.]+)/.exec(r.stdout);
    expect(e, r.stdout).not.toBeNull();
    // mae is a different number from mse: the metric came through the compile record, not the loss twice.
    expect(Number(e![2])).not.toBe(Number(e![1]));
    expect(Number(e![1])).toBeLessThan(Number(m![1]) * 0.1);
  }, 120_000);
});
