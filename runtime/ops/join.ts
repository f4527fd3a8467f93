/** Joining and splitting: cat/stack copy through the Copy primitive; split/chunk/unbind are views. */
import { Tensor } from '../tensor.js';
import { fmtShape, normDim } from '../shape.js';
import { promoteTypes } from '../dtype.js';
import { backendOf, castTo, checkTensor, record } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { narrow, select, slice, unsqueeze } from './view.js';

export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError('cat: expected a non-empty array of tensors');
  tensors.forEach((t, i) => checkTensor(t, 'cat', `tensors[${i}]`));
  // PyTorch skips legacy empty 1-D tensors.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return tensors[0];
  const ref = parts[0];
  const d = normDim(dim, ref.ndim, 'cat');
  const dtype = parts.reduce((dt, t) => promoteTypes(dt, t.dtype), parts[0].dtype);
  let total = 0;
  parts.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, k) => k !== d && s !== ref.shape[k])) {
      throw new RangeError(`cat: sizes of tensors must match except in dimension ${dim}: tensors[0] is ${fmtShape(ref.shape)} but tensors[${i}] is ${fmtShape(t.shape)}`);
    }
    total += t.shape[d];
  });
  const shape = ref.shape.slice();
  shape[d] = total;
  const be = backendOf(ref);
  const out = be.full(shape, 0, dtype);
  let at = 0;
  const cast = parts.map((t) => castTo(t, dtype));
  for (const t of cast) {
    const strides = out.strides;
    const view = new Tensor(out.storage, t.shape.slice(), strides.slice(), at * strides[d], out);
    be.copy(t, view);
    view.dispose();
    at += t.shape[d];
  }
  const sizes = cast.map((t) => t.shape[d]);
  if (activeTracer !== null) traceOp(out, 'Cat', cast, { dim: d });
  return record(out, 'Cat', cast, (g) => {
    let s = 0;
    return sizes.map((n) => { const r = narrow(g, d, s, n); s += n; return r; });
  });
}

export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError('stack: expected a non-empty array of tensors');
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    checkTensor(t, 'stack', `tensors[${i}]`);
    if (t.shape.length !== ref.shape.length || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new RangeError(`stack: expects each tensor to be equal size, but got ${fmtShape(ref.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normDim(dim, ref.ndim + 1, 'stack');
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** split(size) → chunks of `size` (last smaller); split([a, b, ...]) → chunks of those sizes. Views. */
export function split(x: Tensor, sizeOrSections: number | number[], dim = 0): Tensor[] {
  checkTensor(x, 'split');
  const d = normDim(dim, x.ndim, 'split');
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!(sizeOrSections > 0)) throw new RangeError(`split: split_size must be positive, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
  } else {
    sizes = sizeOrSections;
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== n) throw new RangeError(`split: split sizes [${sizes.join(', ')}] sum to ${sum} but dim ${dim} has size ${n}`);
  }
  let at = 0;
  return sizes.map((s) => { const r = slice(x, d, at, at + s); at += s; return r; });
}

/** chunk(n): n pieces of size ceil(len/n) (the last may be smaller or there may be fewer), as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normDim(dim, x.ndim, 'chunk');
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normDim(dim, x.ndim, 'unbind');
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}
