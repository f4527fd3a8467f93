// Metrics on a two-output model.fit and model.evaluate in the program-level diff: tfjs's per-output metrics
// (`<output>_<metric>`, collectMetrics) on the reference side, utils.fit's on the candidate side, each compared per
// step beside the output's loss; tfjs's evaluate list compared value by value. Planted bugs that change only one
// output's metric (in the fit, or only in the evaluate) are reported naming it. Real child processes, tfjs wasm.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';

const MIO = resolve('test/difftest/fixtures/multi_io_fit.ts');
const MIO_MIGRATED = resolve('test/difftest/fixtures/multi_io_fit.migrated.ts');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
/** A copy of `file` with each `[find, replace]` (each found exactly once) applied, in a temporary folder. */
function planted(file: string, ...edits: [string, string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-fit-metrics-test-'));
  dirs.push(dir);
  let src = readFileSync(file, 'utf8');
  for (const [find, replace] of edits) {
    expect(src.split(find)).toHaveLength(2);
    src = src.replace(find, replace);
  }
  const out = join(dir, 'planted.ts');
  writeFileSync(out, src);
  return out;
}

// The original with metrics on both outputs and an evaluate after the fit.
const ORIGINAL = () => planted(MIO,
  ["loss: ['meanSquaredError', 'categoricalCrossentropy'] }", "loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: ['accuracy', 'mse'] }"],
  ["console.log('loss',", "console.log('eval', (model.evaluate([x1, x2], [y1, y2]) as tf.Scalar[]).map((t) => t.dataSync()[0]).join(' '));\nconsole.log('loss',"]);
// The hand migration with the same metrics: tfjs's 'accuracy' is categorical on both (2 and 3 units, mse and cce).
const ACC = 'const catAcc = (p: torch.Tensor, t: torch.Tensor) => torch.eq(torch.argmax(t, -1), torch.argmax(p, -1)).float().mean();\nconst mseM = (p: torch.Tensor, t: torch.Tensor) => torch.sub(p, t).square().mean();\n';
const BIN_ACC = 'const binAcc = (p: torch.Tensor, t: torch.Tensor) => torch.eq(t.float(), torch.gt(p, 0.5).float()).float().mean();\n';
const migrated = (metrics: string, evaluateMetrics = metrics) => planted(MIO_MIGRATED,
  ['const optimizer =', `${ACC}${BIN_ACC}const optimizer =`],
  ["loss: [mse, cce], optimizer, outputNames: ['reg', 'cls'],", `loss: [mse, cce], optimizer, metrics: ${metrics}, outputNames: ['reg', 'cls'],`],
  ["console.log('loss',", `console.log('eval', (utils.evaluate(model, [x1, x2], [y1, y2], { loss: [mse, cce], metrics: ${evaluateMetrics} }) as torch.Tensor[]).map((t) => t.item()).join(' '));\nconsole.log('loss',`]);

describe('runDiff: metrics on a two-output fit and evaluate', () => {
  test("migrated on the fly (--fit helper): each output's metrics agree at every step, and tfjs's evaluate list value by value", async () => {
    const r = await runDiff({ original: ORIGINAL(), steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.failures).toEqual([]);
    const metricProbes = r.probes.filter((p) => p.kind === 'metric' && p.layer !== '');
    expect(metricProbes.map((p) => `${p.step} ${p.layer}_${p.tensor}`)).toEqual([0, 1, 2].flatMap((s) => [`${s} reg_acc`, `${s} reg_mse`, `${s} cls_acc`, `${s} cls_mse`]));
    expect(metricProbes.every((p) => p.pass)).toBe(true);
    expect(r.final.map((f) => f.name)).toEqual(['evaluate loss_through_reg', 'evaluate loss', 'evaluate reg_loss', 'evaluate cls_loss', 'evaluate reg_acc (points)', 'evaluate reg_mse', 'evaluate cls_acc (points)', 'evaluate cls_mse']);
    expect(r.final.every((f) => f.pass)).toBe(true);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('a hand migration with the same metrics agrees; one planted in only the cls output\'s accuracy (binary for categorical) is named', async () => {
    const good = await runDiff({ original: ORIGINAL(), migrated: migrated('{ acc: catAcc, mse: mseM }'), steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(good.failures).toEqual([]);
    expect(good.pass).toBe(true);

    const r = await runDiff({ original: ORIGINAL(), migrated: migrated('[{ acc: catAcc, mse: mseM }, { acc: binAcc, mse: mseM }]', '{ acc: catAcc, mse: mseM }'), steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    // The losses, gradients and weights hold: only the cls accuracy differs.
    expect(r.stepRows.every((s) => s.pass)).toBe(true);
    expect(r.probes.filter((p) => p.kind === 'parameter' || p.kind === 'gradient' || p.kind === 'loss').every((p) => p.pass)).toBe(true);
    expect(r.probes.filter((p) => p.kind === 'metric' && p.layer === 'reg').every((p) => p.pass)).toBe(true);
    expect(r.probes.filter((p) => p.kind === 'metric' && p.layer === 'cls' && p.tensor === 'mse').every((p) => p.pass)).toBe(true);
    expect(r.firstDivergence).toMatchObject({ kind: 'metric', layer: 'cls', tensor: 'acc' });
    expect(r.failures.join('\n')).toMatch(/output metrics: cls_acc beyond 0.3 points at \d of 3 steps/);
    expect(r.failures.join('\n')).toMatch(/first divergence: step \d, the metric acc of output cls \(cls_acc\)/);
    expect(r.final.every((f) => f.pass)).toBe(true);
  }, 180_000);

  test("planted only in the evaluate (cls's accuracy binary): the fit holds, the final evaluate cls_acc fails", async () => {
    const r = await runDiff({ original: ORIGINAL(), migrated: migrated('{ acc: catAcc, mse: mseM }', '[{ acc: catAcc, mse: mseM }, { acc: binAcc, mse: mseM }]'), steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.probes.filter((p) => p.kind === 'metric' && p.layer !== '').every((p) => p.pass)).toBe(true);
    expect(r.final.filter((f) => !f.pass).map((f) => f.name)).toEqual(['evaluate cls_acc (points)']);
    expect(r.failures.join('\n')).toMatch(/final evaluate cls_acc \(points\)/);
  }, 120_000);
});

describe("runDiff: 'accuracy' on one output under mse", () => {
  test('migrated on the fly: the accuracy tfjs picks by the output\'s shape (categorical for 3 units), per step and in evaluate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-fit-metrics-test-'));
    dirs.push(dir);
    const original = join(dir, 'mse_acc.ts');
    writeFileSync(original, [
      "import * as tf from '@tensorflow/tfjs';",
      'const N = 24;',
      'const x = tf.tensor2d(Float32Array.from({ length: N * 4 }, (_, i) => Math.sin(i * 0.37)), [N, 4]);',
      "const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (i * 7) % 3), 'int32'), 3).toFloat();",
      'const model = tf.sequential();',
      "model.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' }));",
      "model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError', metrics: ['accuracy'] });",
      'await model.fit(x, y, { epochs: 2, batchSize: 8 });',
      "console.log('eval', (model.evaluate(x, y) as tf.Scalar[]).map((t) => t.dataSync()[0]).join(' '));",
      '',
    ].join('\n'));
    const r = await runDiff({ original, replay: 'step', reference: 'wasm', progress: false });
    expect(r.failures).toEqual([]);
    expect(r.final.map((f) => f.name)).toEqual(['evaluate loss', 'evaluate acc (points)']);
    expect(r.epochRows[0].candidate.acc).toBeCloseTo(r.epochRows[0].reference.acc, 6);
    expect(r.pass).toBe(true);
  }, 120_000);
});
