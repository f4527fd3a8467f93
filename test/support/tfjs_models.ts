/** What the tfjs-model interop tests (io_tfjs_layers, io_save_layers) share: seeded data and weights, a diff. */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';

/** Deterministic inputs in [-1, 1). */
export function randomInput(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** Random weights everywhere (biases too, BatchNorm variances positive) so no conversion error can hide. */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => {
    const v = randomInput(w.shape, seed + 17 * i);
    const isVariance = model.weights[i].name.endsWith('moving_variance');
    return tf.tensor(isVariance ? v.map((x) => 0.5 + Math.abs(x)) : v, w.shape);
  }));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
