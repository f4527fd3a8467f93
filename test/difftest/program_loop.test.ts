// The program-level diff on custom training loops: real child processes, tfjs wasm reference, the loop's own steps.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InstrumentError } from '../../difftest/program/instrument.js';
import { runDiff } from '../../difftest/program/run.js';
import { formatTerminal } from '../../difftest/report/index.js';

const CUBIC = resolve('fixtures/cubic-tidy-fit/input.ts');
const CUBIC_MIGRATED = resolve('fixtures/cubic-tidy-fit/output.ts');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tb-loop-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('runDiff on custom loops', () => {
  test('the migrated cubic fit (minimize, momentum) agrees with tfjs at every one of its 300 steps, free run', async () => {
    const r = await runDiff({ original: CUBIC, migrated: CUBIC_MIGRATED, replay: 'none', reference: 'wasm', progress: false });
    expect(r.steps).toBe(300);
    expect(r.stepRows).toHaveLength(300);
    expect(r.stepRows.filter((s) => !s.pass)).toEqual([]);
    // Same initial values: step 0's loss agrees to float32 rounding, not just to the tolerance.
    expect(r.stepRows[0].relDiff).toBeLessThan(1e-5);
    const params = r.probes.filter((p) => p.kind === 'parameter');
    expect(params).toHaveLength(4 * 300);
    expect(params.filter((p) => !p.pass)).toEqual([]);
    expect(params.slice(0, 4).map((p) => [p.layer, p.tensor, p.candidateName])).toEqual([['a', '#0', 'params[0]'], ['b', '#1', 'params[1]'], ['c', '#2', 'params[2]'], ['d', '#3', 'params[3]']]);
    expect(r.firstDivergence).toBeNull();
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
  }, 180_000);

  test('a wrong learning rate is pinned to step 0, the first variable', async () => {
    const dir = tmp();
    const wrong = join(dir, 'wrong-lr.ts');
    const src = readFileSync(CUBIC_MIGRATED, 'utf8');
    expect(src).toContain('lr: 0.1,');
    writeFileSync(wrong, src.replace('lr: 0.1,', 'lr: 0.12,'));
    const r = await runDiff({ original: CUBIC, migrated: wrong, steps: 5, replay: 'none', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.steps).toBe(5);
    // Same initial values: the loss before the first update agrees; the update does not.
    expect(r.stepRows[0].pass).toBe(true);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'a', variable: { index: 0, name: '0', label: 'a' } });
    expect(r.failures.join('\n')).toMatch(/first divergence: step 0, variable 'a' \(#0, tfjs variable '0', shape \[\]\)/);
  }, 120_000);

  test('the candidate starts from the reference\'s initial values: a migrated program initialised differently still agrees', async () => {
    const dir = tmp();
    const other = join(dir, 'other-init.ts');
    writeFileSync(other, readFileSync(CUBIC_MIGRATED, 'utf8').replace('torch.tensor(0.1,', 'torch.tensor(0.7,').replace('torch.tensor(0.4,', 'torch.tensor(-2,'));
    const r = await runDiff({ original: CUBIC, migrated: other, steps: 5, replay: 'none', reference: 'wasm', progress: false });
    expect(r.probes.filter((p) => !p.pass)).toEqual([]);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('an optimizer that leaves out a variable is pinned to that variable at step 0', async () => {
    const r = await runDiff({ original: CUBIC, migrated: resolve('test/difftest/fixtures/cubic_missing_param.ts'), steps: 5, replay: 'none', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    // a, b and c are updated alike at step 0; d is the one the migrated program never trains.
    const step0 = r.probes.filter((p) => p.step === 0 && p.kind === 'parameter');
    expect(step0.map((p) => [p.layer, p.pass])).toEqual([['a', true], ['b', true], ['c', true], ['d', false]]);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'd', variable: { index: 3, label: 'd' } });
    expect(r.failures.join('\n')).toMatch(/variable 'd' .* is not in the migrated optimizer's params, so it never trains/);
    expect(r.nameMap).toContainEqual({ reference: 'd (3)', candidate: 'leaf #3' });
    const text = formatTerminal(r, { color: false });
    expect(text).toMatch(/steps {6}5 optimizer steps \(custom loop\)/);
    expect(text).toContain("variable 'd' (#3, tfjs variable '3', shape []) after step 0 (not in the migrated optimizer's params)");
  }, 120_000);

  test('replay step re-synchronises a loop: with the left-out variable reset to the reference\'s each step, every loss agrees and only d fails', async () => {
    const r = await runDiff({ original: CUBIC, migrated: resolve('test/difftest/fixtures/cubic_missing_param.ts'), steps: 5, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    // In the free run above the loss fails from step 1 on; here each step starts from the reference's values.
    expect(r.stepRows.map((s) => s.pass)).toEqual([true, true, true, true, true]);
    const failing = r.probes.filter((p) => !p.pass);
    expect([...new Set(failing.map((p) => p.layer))]).toEqual(['d']);
    expect(failing.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
  }, 120_000);

  test('a variable whose shape does not pair is a reported mismatch, not a crash', async () => {
    const dir = tmp();
    const wrong = join(dir, 'wrong-shape.ts');
    const src = readFileSync('fixtures/gradient-tape/output.ts', 'utf8');
    expect(src).toContain('const w = torch.zeros([1, 1])');
    writeFileSync(wrong, src.replace('const w = torch.zeros([1, 1])', 'const w = torch.zeros([1])'));
    const r = await runDiff({ original: 'fixtures/gradient-tape/input.ts', migrated: wrong, steps: 3, replay: 'none', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.failures.join('\n')).toMatch(/variable 'w' \(#0, tfjs variable '\d+', shape \[1, 1\]\) pairs with the migrated optimizer's params\[0\], of shape \[1\]: the shapes differ/);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'w', variable: { index: 0 } });
    expect(r.nameMap).toEqual([{ reference: expect.stringMatching(/^w /), candidate: '(none)' }, { reference: expect.stringMatching(/^b /), candidate: 'params[1]' }]);
  }, 120_000);

  test('tf.variableGrads + optimizer.applyGradients (the gradient-tape fixture) agrees step by step', async () => {
    const r = await runDiff({ original: 'fixtures/gradient-tape/input.ts', migrated: 'fixtures/gradient-tape/output.ts', replay: 'none', reference: 'wasm', progress: false });
    expect(r.steps).toBe(200);
    expect(r.stepRows.filter((s) => !s.pass)).toEqual([]);
    expect(r.probes.filter((p) => !p.pass)).toEqual([]);
    expect(r.nameMap).toEqual([{ reference: 'w (0)', candidate: 'params[0]' }, { reference: 'b (1)', candidate: 'params[1]' }]);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('minimize with returnCost and a varList, Adam, migrated on the fly: agrees under replay step too', async () => {
    const original = 'test/difftest/fixtures/minimize_varlist.ts';
    for (const replay of ['none', 'step'] as const) {
      const r = await runDiff({ original, steps: 20, replay, reference: 'wasm', progress: false });
      expect(r.steps).toBe(20);
      expect(r.probes.filter((p) => !p.pass)).toEqual([]);
      // A named variable keeps tfjs's name beside the program's.
      expect(r.nameMap).toEqual([{ reference: 'w (weights)', candidate: 'params[0]' }, { reference: 'bias (0)', candidate: 'params[1]' }]);
      expect(r.pass).toBe(true);
    }
  }, 180_000);

  test('a program with neither model.fit nor a custom loop gets a clear error', async () => {
    const dir = tmp();
    const original = join(dir, 'no-training.ts');
    writeFileSync(original, "import * as tf from '@tensorflow/tfjs';\nconsole.log(tf.add(tf.scalar(1), tf.scalar(2)).dataSync());\n");
    const run = runDiff({ original, migrated: original, replay: 'none', progress: false, workDir: join(dir, 'w') });
    await expect(run).rejects.toThrow(InstrumentError);
    await expect(runDiff({ original, migrated: original, replay: 'none', progress: false, workDir: join(dir, 'w') })).rejects.toThrow(/no-training\.ts: found nothing to probe: no model\.fit\(x, y, \.\.\.\) call and no custom training loop/);
    expect(dirname(original)).toBe(dir);
  }, 60_000);
});
