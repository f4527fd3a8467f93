/** Arbitrates a failed gradient comparison with finite differences of tfjs's own forward. */
import * as tf from '@tensorflow/tfjs';
import type { RtTensor } from './sample.js';

/**
 * When a gradient comparison fails, tfjs's analytical gradient is checked against central finite differences of
 * tfjs's own forward, (L(x + h·e_i) − L(x − h·e_i)) / 2h with h = 1e-2 (float32: rounding error ~1e-5, truncation
 * ~h²), within 1e-2 + 1e-2·|fd|. Returns the explanation when tfjs disagrees with its own forward and the runtime
 * agrees, null otherwise (then the runtime is blamed as usual).
 */
export function finiteDifferenceArbiter(loss: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[], j: number, tfGrad: tf.Tensor, rtGrad: RtTensor): string | null {
  const h = 1e-2;
  const base = xs[j].dataSync().slice();
  const at = (i: number, d: number) => {
    const v = base.slice();
    v[i] += d;
    const args = xs.slice();
    args[j] = tf.tensor(v, xs[j].shape, 'float32');
    return loss(...args).dataSync()[0];
  };
  const fd = Array.from(base, (_, i) => (at(i, h) - at(i, -h)) / (2 * h));
  const close = (g: ArrayLike<number>) => fd.every((f, i) => Math.abs(Number(g[i]) - f) <= 1e-2 + 1e-2 * Math.abs(f));
  if (close(rtGrad.dataSync() as ArrayLike<number>) && !close(tfGrad.dataSync() as ArrayLike<number>)) {
    return `tfjs's gradient disagrees with finite differences of tfjs's own forward (${fd.map((f) => f.toPrecision(4)).join(', ')}); the runtime's agrees: a tfjs gradient bug, not a mapping or runtime bug`;
  }
  return null;
}
