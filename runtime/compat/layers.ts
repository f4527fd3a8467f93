/**
 * tfjs layers whose computation is an op with tfjs-only semantics, for migrated code that applies them (in a
 * functional graph through nn.Lambda, or eagerly).
 */
import type { Tensor } from '../tensor.js';
import * as torch from '../torch.js';

export { Layer, LayerVariable, build } from './layer.js';
export type { LayerArgs } from './layer.js';
export { ConvTranspose2dSame, LazyConvTranspose2dSame } from './conv_transpose_same.js';
export type { ConvTranspose2dSameOptions } from './conv_transpose_same.js';
export { bidirectionalMerge } from './bidirectional.js';
export { Activation } from './activation.js';
export { GaussianNoise, GaussianDropout } from './noise.js';
export type { MergeMode } from './bidirectional.js';

/** tfjs-layers' epsilon (`K.epsilon()`), the floor of l2Normalize's squared norm. */
const EPSILON = 1e-7;

function l2Normalize(x: Tensor, axis: number): Tensor {
  return x.div(torch.clamp(x.square().sum(axis, true), EPSILON, Number.MAX_VALUE).sqrt());
}

/**
 * `tf.layers.dot({ axes, normalize })` applied to `[a, b]`: tfjs's batchDot. `axes` count the batch axis as 0
 * (negative ones from the end); rank-2 inputs give `[batch, 1]`; rank-3 inputs contract one axis of each and
 * keep the other axes of `a` then `b`. With `normalize`, each input is L2-normalised along its axis first
 * (cosine proximity), with tfjs's epsilon.
 */
export function dot(inputs: readonly Tensor[], axes: number | readonly [number, number], normalize = false): Tensor {
  if (!Array.isArray(inputs) || inputs.length !== 2) throw new TypeError(`compat.dot: expected two input tensors, got ${Array.isArray(inputs) ? inputs.length : typeof inputs}`);
  let [a, b] = inputs;
  if (a.ndim !== b.ndim || a.ndim < 2 || a.ndim > 3) {
    throw new RangeError(`compat.dot: inputs of rank 2 or 3 (the same rank, batch first) are supported, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const pair = typeof axes === 'number' ? [axes, axes] : [...axes];
  const [ax, bx] = pair.map((v, i) => {
    const r = (i === 0 ? a : b).ndim;
    const n = v < 0 ? v + r : v;
    if (!Number.isInteger(v) || n < 1 || n >= r) throw new RangeError(`compat.dot: axes[${i}] = ${v} must name a non-batch axis of a rank-${r} input`);
    return n;
  });
  if (a.shape[ax] !== b.shape[bx]) throw new RangeError(`compat.dot: the contracted axes differ in size: [${a.shape.join(', ')}] axis ${ax} vs [${b.shape.join(', ')}] axis ${bx}`);
  if (normalize) {
    a = l2Normalize(a, ax);
    b = l2Normalize(b, bx);
  }
  if (a.ndim === 2) return a.mul(b).sum(1, true);
  const left = ax === 2 ? a : a.transpose(1, 2);
  const right = bx === 1 ? b : b.transpose(1, 2);
  return torch.matmul(left, right);
}
