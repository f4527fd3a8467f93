/** CPU Gather and Scatter kernels (PyTorch semantics along one dim). */
import { allocArray, type TypedArray } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { contiguousStrides, fmtShape } from '../../shape.js';
import { contiguousData } from './reduce.js';

function strided(t: Tensor) {
  return { data: t.storage.data, offset: t.offset, shape: t.shape, strides: t.strides, dtype: t.dtype };
}

/** Visits every element of `shape` in row-major order, giving its coordinates' linear offsets under two stride sets. */
function forEachIndex(shape: number[], sa: number[], sb: number[], fn: (i: number, pa: number, pb: number, coordDim: (d: number) => number) => void): void {
  const nd = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  const idx = new Array(nd).fill(0);
  let pa = 0, pb = 0;
  const coord = (d: number) => idx[d];
  for (let i = 0; i < total; i++) {
    fn(i, pa, pb, coord);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++; pa += sa[d]; pb += sb[d];
      if (idx[d] < shape[d]) break;
      idx[d] = 0; pa -= sa[d] * shape[d]; pb -= sb[d] * shape[d];
    }
  }
}

function checkIndex(op: string, v: number, size: number, dim: number): number {
  // NOTE: negative indices are an error, as in PyTorch's gather/scatter (they do not wrap).
  if (!(v >= 0 && v < size)) throw new RangeError(`${op}: index ${v} is out of bounds for dim ${dim} with size ${size}`);
  return v;
}

/** True when index is a 1-D row index broadcast over full rows of x (what indexSelect(0, ...) builds). */
function isRowIndex(index: Tensor, x: Tensor): boolean {
  for (let d = 1; d < index.ndim; d++) if (index.strides[d] !== 0 || index.shape[d] !== x.shape[d]) return false;
  return true;
}

/** out[i][j][k] = x[index[i][j][k]][j][k] (dim 0), etc. index.shape ≤ x.shape except along dim. */
export function gatherKernel(x: Tensor, dim: number, index: Tensor): TypedArray {
  const out = allocArray(x.dtype, index.numel());
  const xd = x.storage.data, id = index.storage.data;
  const size = x.shape[dim];
  if (dim === 0 && x.isContiguous() && isRowIndex(index, x)) {
    // indexSelect(0, rows) on a contiguous tensor (DataLoader batches, embeddings): whole-row copies.
    const row = x.numel() / size;
    for (let i = 0; i < index.shape[0]; i++) {
      const k = checkIndex('gather', id[index.offset + i * index.strides[0]], size, dim);
      out.set(xd.subarray(x.offset + k * row, x.offset + (k + 1) * row), i * row);
    }
    return out;
  }
  // The position along `dim` comes from the index value, not from the iteration coordinate.
  const xStrides = x.strides.map((s, d) => (d === dim ? 0 : s));
  forEachIndex(index.shape, index.strides, xStrides, (i, pIdx, pX) => {
    const k = checkIndex('gather', id[index.offset + pIdx], size, dim);
    out[i] = xd[x.offset + pX + k * x.strides[dim]];
  });
  return out;
}

/** A contiguous copy of x with src scattered at index along dim (assign: last write wins; add: accumulates). */
export function scatterKernel(x: Tensor, dim: number, index: Tensor, src: Tensor, mode: 'assign' | 'add'): TypedArray {
  const c = contiguousData(strided(x));
  const n = x.numel();
  const out = allocArray(x.dtype, n);
  out.set(c.data.subarray(c.offset, c.offset + n));
  const os = contiguousStrides(x.shape);
  const id = index.storage.data, sd = src.storage.data;
  const size = x.shape[dim];
  for (let d = 0; d < index.ndim; d++) {
    if (d !== dim && index.shape[d] > x.shape[d]) {
      throw new RangeError(`scatter: index ${fmtShape(index.shape)} is larger than self ${fmtShape(x.shape)} at dim ${d}`);
    }
  }
  // Position of each index element in src (src may be larger than index, as in PyTorch).
  const srcStrides = index.shape.map((_, d) => src.strides[d]);
  forEachIndex(index.shape, index.strides, srcStrides, (_i, pIdx, pSrc, coord) => {
    const k = checkIndex('scatter', id[index.offset + pIdx], size, dim);
    let p = 0;
    for (let d = 0; d < index.ndim; d++) p += (d === dim ? k : coord(d)) * os[d];
    if (mode === 'add') out[p] += sd[src.offset + pSrc];
    else out[p] = sd[src.offset + pSrc];
  });
  return out;
}
