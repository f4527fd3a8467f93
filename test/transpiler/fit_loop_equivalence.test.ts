/**
 * The loop `migrate` writes for `model.fit` (the default, `--fit loop`) and `utils.fit` (`--fit helper`, and the
 * loop the diff's probe drives) are one training loop, both made from runtime/utils/fit_steps.ts: the same
 * program migrated both ways and run with the same
 * seed ends with bit-identical parameters, the same per-epoch losses and metrics, and validation losses equal to
 * float rounding (the written loop validates in one forward, utils.fit in batches of batchSize). If either loop's
 * order of operations, shuffling, split or logs drifts, this fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';

const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, '.test-out', `fit-equivalence-${process.pid}`);

const program = (fitOptions: string, compile: string) => `import * as tf from '@tensorflow/tfjs';
const xs: number[][] = [];
const labels: number[] = [];
for (let i = 0; i < 40; i++) {
  const a = Math.sin(i * 1.7), b = Math.cos(i * 0.9);
  xs.push([a, b, a * b]);
  labels.push(a + b > 0 ? 1 : 0);
}
const x = tf.tensor2d(xs);
const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
const model = tf.sequential({ layers: [
  tf.layers.dense({ units: 8, activation: 'relu', inputShape: [3] }),
  tf.layers.dense({ units: 2, activation: 'softmax' }),
] });
${compile}
async function main() {
  const history = await model.fit(x, y, ${fitOptions});
  const weights: number[][] = [];
  for (const w of model.getWeights()) weights.push(Array.from(w.dataSync()));
  console.log('RESULT ' + JSON.stringify({ history: history.history, weights }));
}
main();
`;

const CASES = [
  {
    name: 'adam, accuracy, validationSplit, shuffled, batch 8 (not dividing the 30 training samples)',
    compile: "model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
    fit: '{ batchSize: 8, epochs: 3, validationSplit: 0.25 }',
  },
  {
    name: 'sgd, no shuffle, validationData',
    compile: "model.compile({ optimizer: tf.train.sgd(0.3), loss: 'meanSquaredError' });",
    fit: '{ batchSize: 16, epochs: 2, shuffle: false, validationData: [x, y] }',
  },
];

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
  mkdirSync(OUT, { recursive: true });
});
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

interface Result { history: Record<string, number[]>; weights: number[][] }

function run(source: string, fit: 'loop' | 'helper', name: string, tail = ''): { result: Result; output: string; stdout: string } {
  const r = transpileSource(join(OUT, `${name}.ts`), source, { layout: 'nchw', api, fit });
  expect(r.status, JSON.stringify(r.diagnostics)).toBe('migrated');
  // A fixed seed for both runs: the same initial weights and the same shuffles.
  const output = r.output!.replace(/(import \{[^}]*\} from 'torchbridge';\n)/, '$1torch.manualSeed(7);\n') + tail;
  const file = join(OUT, `${name}.${fit}.ts`);
  writeFileSync(file, output);
  const p = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(p.status, p.stderr).toBe(0);
  const line = p.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, p.stdout).toBeDefined();
  return { result: JSON.parse(line!.slice('RESULT '.length)) as Result, output, stdout: p.stdout };
}

describe('the written fit loop and utils.fit train identically', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const src = program(c.fit, c.compile);
    const loop = run(src, 'loop', `case${i}`);
    const helper = run(src, 'helper', `case${i}`);
    // Each run really took the path it names.
    expect(loop.output).toContain('for (let epoch = 0;');
    expect(loop.output).not.toContain('utils.fit(');
    expect(helper.output).toContain('utils.fit(');

    expect(loop.result.weights).toEqual(helper.result.weights);
    expect(Object.keys(loop.result.history).sort()).toEqual(Object.keys(helper.result.history).sort());
    for (const [key, values] of Object.entries(helper.result.history)) {
      const mine = loop.result.history[key];
      expect(mine, key).toHaveLength(values.length);
      // Training logs are the same numbers; validation differs only by the order of the float sums.
      const tol = key.startsWith('val_') ? 1e-6 : 0;
      values.forEach((v, e) => expect(Math.abs(mine[e] - v), `${key}[${e}]: loop ${mine[e]} vs utils.fit ${v}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v))));
    }
    // Training happened: the loss moved.
    const loss = helper.result.history.loss;
    expect(loss[loss.length - 1]).not.toBe(loss[0]);
  }, 240_000);
});

// Two inputs, two outputs (a functional model, one loss per output): the written loop's `several` form.
const MULTI = `import * as tf from '@tensorflow/tfjs';
const N = 30;
const x1 = tf.tensor2d(Array.from({ length: N }, (_, i) => [Math.sin(i * 0.37), Math.cos(i * 0.21), Math.sin(i * 0.05)]));
const x2 = tf.tensor2d(Array.from({ length: N }, (_, i) => [Math.cos(i * 0.53), Math.sin(i * 0.9)]));
const y1 = tf.tensor2d(Array.from({ length: N }, (_, i) => [Math.sin(i * 0.11), Math.cos(i * 0.3)]));
const y2 = tf.oneHot(tf.tensor1d(Array.from({ length: N }, (_, i) => (i * 7) % 3), 'int32'), 3);
const a = tf.input({ shape: [3] });
const b = tf.input({ shape: [2] });
const ha = tf.layers.dense({ units: 6, activation: 'relu' }).apply(a) as tf.SymbolicTensor;
const hb = tf.layers.dense({ units: 4, activation: 'tanh' }).apply(b) as tf.SymbolicTensor;
const merged = tf.layers.concatenate().apply([ha, hb]) as tf.SymbolicTensor;
const reg = tf.layers.dense({ units: 2 }).apply(merged) as tf.SymbolicTensor;
const cls = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(merged) as tf.SymbolicTensor;
const model = tf.model({ inputs: [a, b], outputs: [reg, cls] });
model.compile({ optimizer: tf.train.adam(0.02), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
const history = await model.fit([x1, x2], [y1, y2], { batchSize: 8, epochs: 3, validationSplit: 0.2 });
console.log('RESULT ' + JSON.stringify({ history: history.history, weights: [] }));
`;

describe('with two inputs and two outputs', () => {
  it('the written loop and utils.fit: bit-identical parameters, the same History under tfjs\'s keys', () => {
    // The migrated module's parameters (the tfjs program's getWeights has no equivalent on a functional model).
    const tail = "console.log('PARAMS ' + JSON.stringify(model.parameters().map((p) => Array.from(p.dataSync() as Float32Array))));\n";
    const params = (o: { stdout: string }) => JSON.parse(o.stdout.split('\n').find((l) => l.startsWith('PARAMS '))!.slice('PARAMS '.length)) as number[][];
    const loop = run(MULTI, 'loop', 'multi', tail);
    const helper = run(MULTI, 'helper', 'multi', tail);
    expect(loop.output).toContain('const preds = model.forward(batchXs[0], batchXs[1]) as torch.Tensor[];');
    expect(loop.output).not.toContain('utils.fit(');
    expect(helper.output).toContain("outputNames: ['dense_Dense3', 'dense_Dense4']");
    expect(Object.keys(loop.result.history).sort()).toEqual(['dense_Dense3_loss', 'dense_Dense4_loss', 'loss', 'val_dense_Dense3_loss', 'val_dense_Dense4_loss', 'val_loss']);
    expect(Object.keys(helper.result.history).sort()).toEqual(Object.keys(loop.result.history).sort());
    for (const [key, values] of Object.entries(helper.result.history)) {
      const tol = key.startsWith('val_') ? 1e-6 : 0;
      values.forEach((v, e) => expect(Math.abs(loop.result.history[key][e] - v), `${key}[${e}]`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v))));
    }
    expect(params(loop).flat().length).toBeGreaterThan(0);
    expect(params(loop)).toEqual(params(helper));
  }, 240_000);

  it("with metrics on every output: the loop logs each output's metric under tfjs's key, as utils.fit does", () => {
    const src = MULTI.replace("loss: ['meanSquaredError', 'categoricalCrossentropy'] }", "loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: ['accuracy'] }");
    expect(src).not.toBe(MULTI);
    const loop = run(src, 'loop', 'multi-metrics');
    const helper = run(src, 'helper', 'multi-metrics');
    expect(loop.output).not.toContain('TODO');
    expect(loop.output).toContain('const batchMetrics = [');
    const keys = ['dense_Dense3_acc', 'dense_Dense3_loss', 'dense_Dense4_acc', 'dense_Dense4_loss', 'loss'];
    expect(Object.keys(loop.result.history).sort()).toEqual([...keys, ...keys.map((k) => `val_${k}`)].sort());
    expect(Object.keys(helper.result.history).sort()).toEqual(Object.keys(loop.result.history).sort());
    for (const [key, values] of Object.entries(helper.result.history)) {
      const tol = key.startsWith('val_') ? 1e-6 : 0;
      values.forEach((v, e) => expect(Math.abs(loop.result.history[key][e] - v), `${key}[${e}]`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v))));
    }
    // The two outputs' accuracies are different numbers (each on its own output), not one output's twice.
    expect(loop.result.history.dense_Dense3_acc).not.toEqual(loop.result.history.dense_Dense4_acc);
  }, 240_000);
});
