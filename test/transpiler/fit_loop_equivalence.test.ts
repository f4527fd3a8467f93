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

function run(source: string, fit: 'loop' | 'helper', name: string): { result: Result; output: string } {
  const r = transpileSource(join(OUT, `${name}.ts`), source, { layout: 'nchw', api, fit });
  expect(r.status, JSON.stringify(r.diagnostics)).toBe('migrated');
  // A fixed seed for both runs: the same initial weights and the same shuffles.
  const output = r.output!.replace(/(import \{[^}]*\} from 'torchbridge';\n)/, '$1torch.manualSeed(7);\n');
  const file = join(OUT, `${name}.${fit}.ts`);
  writeFileSync(file, output);
  const p = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(p.status, p.stderr).toBe(0);
  const line = p.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, p.stdout).toBeDefined();
  return { result: JSON.parse(line!.slice('RESULT '.length)) as Result, output };
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
