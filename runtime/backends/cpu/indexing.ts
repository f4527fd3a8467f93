/**
 * CPU Gather and Scatter kernels (PyTorch semantics along one dim). The index tensor is walked in row-major
 * order with explicit counters (no per-element callback), reading x/src/out through their strides.
 */
import { allocArray, type TypedArray } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { contiguousStrides, fmtShape } from '../../shape.js';
import { contiguousOf } from './reduce.js';

function outOfRange(op: string, v: number, size: number, dim: number): RangeError {
  // NOTE: negative indices are an error, as in PyTorch's gather/scatter (they do not wrap).
  return new RangeError(`${op}: index ${v} is out of bounds for dim ${dim} with size ${size}`);
}

/** True when index is a 1-D row index broadcast over full rows of x (what indexSelect(0, ...) builds). */
function isRowIndex(index: Tensor, x: Tensor): boolean {
  for (let d = 1; d < index.ndim; d++) if (index.strides[d] !== 0 || index.shape[d] !== x.shape[d]) return false;
  return true;
}

/** out[i][j][k] = x[index[i][j][k]][j][k] (dim 0), etc. index.shape ≤ x.shape except along dim. */
export function gatherKernel(x: Tensor, dim: number, index: Tensor, op = 'gather'): TypedArray {
  const out = allocArray(x.dtype, index.numel());
  const xd = x.storage.data, id = index.storage.data;
  const size = x.shape[dim];
  if (dim === 0 && x.isContiguous() && isRowIndex(index, x)) {
    // indexSelect(0, rows) on a contiguous tensor (DataLoader batches, embeddings): whole-row copies.
    const row = x.numel() / Math.max(size, 1);
    for (let i = 0; i < index.shape[0]; i++) {
      const k = id[index.offset + i * index.strides[0]];
      if (!(k >= 0 && k < size)) throw outOfRange(op, k, size, dim);
      out.set(xd.subarray(x.offset + k * row, x.offset + (k + 1) * row), i * row);
    }
    return out;
  }
  const nd = index.ndim, shape = index.shape, total = out.length;
  const is = index.strides, xs = x.strides, xDim = x.strides[dim];
  const ctr = new Array<number>(nd).fill(0);
  let pi = index.offset, px = x.offset;
  for (let i = 0; i < total; i++) {
    const k = id[pi];
    if (!(k >= 0 && k < size)) throw outOfRange(op, k, size, dim);
    out[i] = xd[px + k * xDim];
    for (let d = nd - 1; d >= 0; d--) {
      ctr[d]++;
      pi += is[d];
      // The position along `dim` comes from the index value, not from the iteration coordinate.
      if (d !== dim) px += xs[d];
      if (ctr[d] < shape[d]) break;
      ctr[d] = 0;
      pi -= is[d] * shape[d];
      if (d !== dim) px -= xs[d] * shape[d];
    }
  }
  return out;
}

/** A contiguous copy of x with src scattered at index along dim (assign: last write wins; add: accumulates). */
export function scatterKernel(x: Tensor, dim: number, index: Tensor, src: Tensor, mode: 'assign' | 'add', op = 'scatter'): TypedArray {
  const c = contiguousOf(x);
  const n = x.numel();
  const out = allocArray(x.dtype, n);
  out.set(c.data.subarray(c.offset, c.offset + n));
  for (let d = 0; d < index.ndim; d++) {
    if (d !== dim && index.shape[d] > x.shape[d]) {
      throw new RangeError(`${op}: index ${fmtShape(index.shape)} is larger than self ${fmtShape(x.shape)} at dim ${d}`);
    }
  }
  const os = contiguousStrides(x.shape);
  const id = index.storage.data, sd = src.storage.data;
  const size = x.shape[dim], oDim = os[dim];
  const nd = index.ndim, shape = index.shape, total = index.numel();
  const is = index.strides, ss = src.strides;
  const ctr = new Array<number>(nd).fill(0);
  let pi = index.offset, ps = src.offset, po = 0;
  const add = mode === 'add';
  for (let i = 0; i < total; i++) {
    const k = id[pi];
    if (!(k >= 0 && k < size)) throw outOfRange(op, k, size, dim);
    if (add) out[po + k * oDim] += sd[ps];
    else out[po + k * oDim] = sd[ps];
    for (let d = nd - 1; d >= 0; d--) {
      ctr[d]++;
      pi += is[d];
      ps += ss[d];
      if (d !== dim) po += os[d];
      if (ctr[d] < shape[d]) break;
      ctr[d] = 0;
      pi -= is[d] * shape[d];
      ps -= ss[d] * shape[d];
      if (d !== dim) po -= os[d] * shape[d];
    }
  }
  return out;
}
