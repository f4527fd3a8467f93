/**
 * model.compile's loss strings (mappings/compile.ts COMPILE_LOSSES): each one's per-sample code, evaluated on the
 * runtime, against tfjs's own per-sample loss (tf.metrics.*, the function tfjs-layers' compile resolves the name
 * to, or for names tf.metrics lacks a model compiled with the string and evaluated per sample) and against the
 * row's batch code (its mean). classWeight and multi-output fits use the per-sample form.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { torch, F } from 'torchbridge';
import { COMPILE_LOSSES } from '../../mappings/compile.js';
import { fillSnippet } from '../../mappings/template.js';

const PRED = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]];
const ONE_HOT = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]];
const SPARSE = [[1], [0], [2], [1]];

/** The code as a function of (yPred, yTrue) on the runtime. */
const compiled = (code: string) => new Function('torch', 'F', 'yPred', 'yTrue', `return ${fillSnippet(code, { yPred: 'yPred', yTrue: 'yTrue' })};`) as (t: typeof torch, f: typeof F, p: torch.Tensor, y: torch.Tensor) => torch.Tensor;

const TFJS: Record<string, (y: tf.Tensor, p: tf.Tensor) => tf.Tensor> = {
  categoricalCrossentropy: tf.metrics.categoricalCrossentropy,
  binaryCrossentropy: tf.metrics.binaryCrossentropy,
  meanSquaredError: tf.metrics.meanSquaredError,
  meanAbsoluteError: tf.metrics.meanAbsoluteError,
};

/**
 * tfjs's per-sample loss for a name tf.metrics does not export (sparseCategoricalCrossentropy, hinge, squaredHinge):
 * a linear model compiled with that loss string, evaluated one sample at a time — tfjs-layers' own loss function.
 */
function compiledPerSample(name: string, y: number[][]): number[] {
  const model = tf.sequential({ layers: [tf.layers.activation({ activation: 'linear', inputShape: [PRED[0].length] })] });
  model.compile({ optimizer: 'sgd', loss: name });
  return PRED.map((row, i) => (model.evaluate(tf.tensor2d([row]), tf.tensor2d([y[i]])) as tf.Scalar).dataSync()[0]);
}

describe.each(Object.entries(COMPILE_LOSSES))('%s', (name, spec) => {
  const y = spec.sparse ? SPARSE : ONE_HOT;
  const run = (code: string) => compiled(code)(torch, F, torch.tensor(PRED), torch.tensor(y, spec.sparse ? { dtype: 'int32' } : {}));

  test('per sample: one value per row, whose mean is the batch code', () => {
    const rows = run(spec.perSample);
    expect(rows.shape).toEqual([PRED.length]);
    expect(rows.mean().item()).toBeCloseTo(run(spec.code).item(), 6);
  });

  const ref = TFJS[name] ?? TFJS[{ mse: 'meanSquaredError', MSE: 'meanSquaredError', mae: 'meanAbsoluteError', MAE: 'meanAbsoluteError' }[name] ?? ''];
  test('per sample equals tfjs\'s', () => {
    const want = ref ? ref(tf.tensor2d(y), tf.tensor2d(PRED)).arraySync() as number[] : compiledPerSample(name, y);
    const got = run(spec.perSample).toArray() as number[];
    expect(want).toHaveLength(PRED.length);
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));
  });
});
