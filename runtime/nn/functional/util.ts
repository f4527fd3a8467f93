/** Helpers shared by the functional files (not part of F). */
import type { Tensor } from '../../tensor.js';
import { tensor } from '../../ops/creation.js';

export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(reduction: unknown, op: string): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new RangeError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
  return reduction;
}

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? loss.mean() : reduction === 'sum' ? loss.sum() : loss;
}

/** An int32 tensor of `values` on `like`'s device. */
export function intTensor(values: ArrayLike<number>, like: Tensor, shape: number[] = [values.length]): Tensor {
  return tensor(Int32Array.from(values), { dtype: 'int32', device: like.storage.device, shape });
}

/** A float tensor of `values` in `like`'s dtype and device. */
export function floatTensor(values: ArrayLike<number>, like: Tensor, shape: number[] = [values.length]): Tensor {
  return tensor(Float64Array.from(values), { dtype: like.dtype, device: like.storage.device, shape });
}

/** Normalizes paddingIdx like PyTorch (negative counts from the end) and checks its range. */
export function paddingIndex(paddingIdx: number | null | undefined, num: number, op: string): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= num || paddingIdx < -num) {
    throw new RangeError(`${op}: paddingIdx must be within [-${num}, ${num}) for ${num} embeddings, got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/**
 * PyTorch's implicit softmax dim (legacy, when dim is omitted): 0 for 0-, 1- and 3-D inputs, else 1.
 * Passing dim explicitly is better; tfjs's softmax uses the last dim.
 */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}
