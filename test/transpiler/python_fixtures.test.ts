/**
 * The TensorFlow 2 Python fixtures (fixtures/python-<case>/input.py): each migrates to the committed output.ts and
 * report.json (golden files; regenerate with `npx vitest run test/transpiler/python_fixtures.test.ts -u` and review
 * the diff), the outputs type-check against the runtime, and the two walkthroughs train: the MNIST GradientTape
 * program to ≥ 90% test accuracy on the real MNIST test set, the subclassed model with SGD momentum to a falling loss,
 * the compile/fit classifier to > 90% accuracy.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { transpileSource } from '../../transpiler/index.js';
import { summarize } from '../../transpiler/report.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'fixtures');
const cases = readdirSync(FIXTURES).filter((d) => d.startsWith('python-')).map((name) => ({ name, dir: join(FIXTURES, name) }));

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});

describe.each(cases)('python fixture $name', (c) => {
  it('migrates to the golden output and report', async () => {
    const r = transpileSource(join(c.dir, 'input.py'), readFileSync(join(c.dir, 'input.py'), 'utf8'), { layout: 'nchw', api });
    expect(r.status).toBe('migrated');
    expect(r.output).not.toContain('torchbridge: TODO');
    await expect(r.output).toMatchFileSnapshot(join(c.dir, 'output.ts'));
    await expect(`${JSON.stringify(summarize(r, 'input.py'), null, 2)}\n`).toMatchFileSnapshot(join(c.dir, 'report.json'));
  });
});

describe('migrated Python type-checks against the runtime', () => {
  it('has no type errors (tsc --noEmit with the project options)', () => {
    const outputs = cases.map((c) => join(c.dir, 'output.ts'));
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    const program = ts.createProgram(outputs, { ...parsed.options, noEmit: true });
    const problems = outputs.flatMap((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) =>
      `${f.slice(ROOT.length + 1)}:${d.start === undefined ? 0 : program.getSourceFile(f)!.getLineAndCharacterOfPosition(d.start).line + 1} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
    expect(problems).toEqual([]);
  }, 60_000);
});

const run = (file: string) => spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });

describe('the migrated walkthroughs train', () => {
  it('MNIST, GradientTape under @tf.function, Sequential 784-50-10, Adam 1e-4, batch 64, 3 epochs: ≥ 90% test accuracy', () => {
    const r = run(join(FIXTURES, 'python-mnist-gradient-tape', 'output.ts'));
    expect(r.status, r.stderr).toBe(0);
    const epochs = [...r.stdout.matchAll(/epoch (\d)\/3: loss ([\d.]+), train accuracy ([\d.]+)%/g)];
    expect(epochs.map((m) => Number(m[1]))).toEqual([1, 2, 3]);
    const losses = epochs.map((m) => Number(m[2]));
    expect(losses[2]).toBeLessThan(losses[0]);
    const test = /test accuracy: ([\d.]+)%/.exec(r.stdout);
    expect(test, r.stdout).not.toBeNull();
    expect(Number(test![1])).toBeGreaterThanOrEqual(90);
  }, 300_000);

  it('subclassed keras.Model with SGD momentum: the loss falls', () => {
    const r = run(join(FIXTURES, 'python-subclassed-momentum', 'output.ts'));
    expect(r.status, r.stderr).toBe(0);
    const m = /first loss ([\d.]+), last loss ([\d.]+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [first, last] = [Number(m![1]), Number(m![2])];
    expect(last).toBeLessThan(first / 5);
  }, 120_000);

  it('Sequential with compile / fit / evaluate / predict (utils.fit): the classifier learns, weights round-trip', () => {
    const r = run(join(FIXTURES, 'python-keras-fit', 'output.ts'));
    expect(r.status, r.stderr).toBe(0);
    const m = /evaluate: loss ([\d.]+), accuracy ([\d.]+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0.9);
    expect(r.stdout).toMatch(/predicted classes tensor\(\[[01], [01], [01], [01]\]/);
  }, 120_000);
});
