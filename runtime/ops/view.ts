/**
 * Movement ops. Those PyTorch defines as views (reshape when possible, view, permute, transpose, squeeze,
 * unsqueeze, expand, narrow, select, slice, flatten) share storage with their input and need no kernel; the
 * rest copy through the Copy primitive. Each gradient sits beside its forward.
 */
import { Tensor } from '../tensor.js';
import { contiguousStrides, fmtShape, inferShape, isContiguous, normDim, numel, shapeArgs, shapesEqual } from '../shape.js';
import { backendOf, checkTensor, record } from './util.js';
import { activeTracer, traceOp } from './trace.js';

function viewOf(x: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset, x.base ?? x);
}

/** Strides for viewing (shape, strides) as newShape without copying, or null (PyTorch's computeStride). */
function viewStrides(shape: number[], strides: number[], newShape: number[]): number[] | null {
  if (isContiguous(shape, strides)) return contiguousStrides(newShape);
  // General case: match chunks of dims that are contiguous among themselves.
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) { chunkBase = strides[d - 1]; tensorNumel = 1; viewNumel = 1; }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

export function view(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  checkTensor(x, 'view');
  const s = inferShape(shapeArgs(shape), x.numel(), 'view');
  const st = viewStrides(x.shape, x.strides, s);
  if (!st) {
    throw new Error(`view: shape ${fmtShape(s)} is not compatible with input of shape ${fmtShape(x.shape)} and strides ${fmtShape(x.strides)} (at least one dimension spans across two contiguous subspaces); use .reshape(...) instead`);
  }
  const out = viewOf(x, s, st, x.offset);
  if (activeTracer !== null) traceOp(out, 'Reshape', [x], { shape: s });
  const inShape = x.shape;
  return record(out, 'View', [x], (g) => [reshape(g, inShape)]);
}

/** A view when the strides allow it, otherwise a contiguous copy. */
export function reshape(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  checkTensor(x, 'reshape');
  const s = inferShape(shapeArgs(shape), x.numel(), 'reshape');
  if (shapesEqual(s, x.shape)) return alias(x);
  const st = viewStrides(x.shape, x.strides, s);
  const src = st ? x : contiguous(x);
  const out = viewOf(src, s, st ?? contiguousStrides(s), src.offset);
  if (activeTracer !== null) traceOp(out, 'Reshape', [src], { shape: s });
  const inShape = x.shape;
  return record(out, 'Reshape', [src], (g) => [reshape(g, inShape)]);
}

/** A new tensor object sharing x's storage and autograd history. */
function alias(x: Tensor): Tensor {
  const out = viewOf(x, x.shape.slice(), x.strides.slice(), x.offset);
  if (activeTracer !== null) traceOp(out, 'Identity', [x]);
  return record(out, 'Alias', [x], (g) => [g]);
}

export function contiguous(x: Tensor): Tensor {
  checkTensor(x, 'contiguous');
  if (x.isContiguous()) return x;
  return clone(x);
}

export function clone(x: Tensor): Tensor {
  checkTensor(x, 'clone');
  const out = backendOf(x).full(x.shape.slice(), 0, x.dtype);
  backendOf(x).copy(x, out);
  if (activeTracer !== null) traceOp(out, 'Identity', [x]);
  return record(out, 'Clone', [x], (g) => [g]);
}

/** A tensor sharing storage but cut from the graph (requiresGrad false). */
export function detach(x: Tensor): Tensor {
  checkTensor(x, 'detach');
  return new Tensor(x.storage, x.shape.slice(), x.strides.slice(), x.offset, x.base ?? x);
}

export function permute(x: Tensor, ...dims: (number | readonly number[])[]): Tensor {
  checkTensor(x, 'permute');
  const d = shapeArgs(dims).map((v) => normDim(v, x.ndim, 'permute', 'dims'));
  if (d.length !== x.ndim || new Set(d).size !== d.length) {
    throw new RangeError(`permute: dims ${fmtShape(shapeArgs(dims))} must be a permutation of 0..${x.ndim - 1} for a tensor of shape ${fmtShape(x.shape)}`);
  }
  const out = viewOf(x, d.map((i) => x.shape[i]), d.map((i) => x.strides[i]), x.offset);
  const inv = new Array<number>(d.length);
  d.forEach((p, i) => (inv[p] = i));
  if (activeTracer !== null) traceOp(out, 'Permute', [x], { perm: d });
  return record(out, 'Permute', [x], (g) => [permute(g, inv)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(x, 'transpose');
  const a = normDim(dim0, x.ndim, 'transpose', 'dim0');
  const b = normDim(dim1, x.ndim, 'transpose', 'dim1');
  const perm = [...Array(x.ndim).keys()];
  perm[a] = b;
  perm[b] = a;
  return x.ndim === 0 ? x : permute(x, perm);
}

/** `t()`: 2-D transpose (0-D and 1-D returned as is), as torch.t. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RangeError(`t: expects a tensor with <= 2 dimensions, got shape ${fmtShape(x.shape)}; use transpose(dim0, dim1) or mT`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  checkTensor(x, 'squeeze');
  const dims = dim === undefined ? x.shape.map((s, i) => (s === 1 ? i : -1)).filter((i) => i >= 0) : (Array.isArray(dim) ? dim : [dim]).map((v) => normDim(v, x.ndim, 'squeeze'));
  const keep = x.shape.map((s, i) => !(dims.includes(i) && s === 1));
  const out = viewOf(x, x.shape.filter((_, i) => keep[i]), x.strides.filter((_, i) => keep[i]), x.offset);
  if (activeTracer !== null) traceOp(out, 'Squeeze', [x], { dims: keep.flatMap((k, i) => (k ? [] : [i])) });
  const inShape = x.shape;
  return record(out, 'Squeeze', [x], (g) => [reshape(g, inShape)]);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor(x, 'unsqueeze');
  if (!Number.isInteger(dim) || dim < -(x.ndim + 1) || dim > x.ndim) {
    throw new RangeError(`unsqueeze: dim=${dim} is out of range for a tensor with ${x.ndim} dimension(s) (expected ${-(x.ndim + 1)}..${x.ndim})`);
  }
  const d = dim < 0 ? dim + x.ndim + 1 : dim;
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d] * x.shape[d] : 1);
  const out = viewOf(x, shape, strides, x.offset);
  if (activeTracer !== null) traceOp(out, 'Unsqueeze', [x], { dim: d });
  const inShape = x.shape;
  return record(out, 'Unsqueeze', [x], (g) => [reshape(g, inShape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor(x, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.ndim, 'flatten', 'startDim');
  const e = normDim(endDim, x.ndim, 'flatten', 'endDim');
  if (s > e) throw new RangeError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: number[]): Tensor {
  const d = normDim(dim, x.ndim, 'unflatten');
  const inner = inferShape(sizes, x.shape[d], 'unflatten');
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** Broadcasts size-1 dims to `shape` (-1 keeps a dim) without copying. */
export function expand(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  checkTensor(x, 'expand');
  const target = shapeArgs(shape);
  if (target.length < x.ndim) throw new RangeError(`expand: the number of sizes (${target.length}) must be >= the number of dims of ${fmtShape(x.shape)}`);
  const off = target.length - x.ndim;
  const outShape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < target.length; i++) {
    const src = i - off;
    const size = target[i] === -1 && src >= 0 ? x.shape[src] : target[i];
    if (src >= 0 && x.shape[src] !== size && x.shape[src] !== 1) {
      throw new RangeError(`expand: the expanded size ${size} must match the existing size ${x.shape[src]} at dim ${i} (input ${fmtShape(x.shape)} → ${fmtShape(target)})`);
    }
    outShape.push(size);
    strides.push(src < 0 || x.shape[src] === 1 ? 0 : x.strides[src]);
  }
  const out = viewOf(x, outShape, strides, x.offset);
  if (activeTracer !== null) traceOp(out, 'Expand', [x], { shape: outShape });
  const inShape = x.shape;
  return record(out, 'Expand', [x], (g) => [sumTo(g, inShape)]);
}

export function expandAs(x: Tensor, other: Tensor): Tensor {
  return expand(x, other.shape);
}

/** Sums a broadcast gradient back to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  let r = dims.length ? (g as unknown as { sum(d: number[], k: boolean): Tensor }).sum(dims, true) : g;
  if (lead > 0 || !shapesEqual(r.shape, shape)) r = reshape(r, shape as number[]);
  return r;
}

/** `slice(dim, start, end, step)`: PyTorch's x[..., start:end:step, ...] as a view. Negative indices count from the end. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  checkTensor(x, 'slice');
  const d = normDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const n = x.shape[d];
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end ?? n), s);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  const out = viewOf(x, shape, strides, x.offset + s * x.strides[d]);
  if (activeTracer !== null) traceOp(out, 'Slice', [x], { dim: d, start: s, end: e, step });
  const inShape = x.shape;
  return record(out, 'Slice', [x], (g) => [sliceBackward(g, inShape, d, s, step)]);
}

/** The adjoint of slice: zeros of the input's shape with g written into the slice. */
function sliceBackward(g: Tensor, inShape: number[], dim: number, start: number, step: number): Tensor {
  const out = backendOf(g).full(inShape.slice(), 0, g.dtype);
  const strides = out.strides.slice();
  strides[dim] *= step;
  const target = new Tensor(out.storage, g.shape.slice(), strides, start * out.strides[dim], out);
  backendOf(g).copy(g, target);
  target.dispose();
  return record(out, 'SliceBackward', [g], (gg) => [slice(gg, dim, start, start + g.shape[dim] * step, step)]);
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.ndim, 'narrow');
  const s = start < 0 ? start + x.shape[d] : start;
  if (s < 0 || length < 0 || s + length > x.shape[d]) {
    throw new RangeError(`narrow: start (${start}) + length (${length}) exceeds dimension size (${x.shape[d]}) of dim ${dim}`);
  }
  return slice(x, d, s, s + length);
}

/** `select(dim, index)`: x[..., index, ...], dropping the dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.ndim, 'select');
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) throw new RangeError(`select: index ${index} is out of range for dim ${dim} with size ${n}`);
  const i = index < 0 ? index + n : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

/** Repeats along each dim (torch.repeat / tf.tile). */
export function repeat(x: Tensor, ...reps: (number | readonly number[])[]): Tensor {
  const r = shapeArgs(reps);
  if (r.length < x.ndim) throw new RangeError(`repeat: number of repeat dims (${r.length}) can not be smaller than number of tensor dims (${x.ndim})`);
  const lead = r.length - x.ndim;
  const xs = [...Array(lead).fill(1), ...x.shape];
  // [a, b] repeated [m, n] = expand to [m, a, n, b] then reshape [m*a, n*b].
  const inter: number[] = [];
  const expanded: number[] = [];
  xs.forEach((s, i) => { inter.push(1, s); expanded.push(r[i], s); });
  const y = expand(reshape(x, inter), expanded);
  return reshape(contiguous(y), xs.map((s, i) => s * r[i]));
}

export function flip(x: Tensor, dims: number[]): Tensor {
  checkTensor(x, 'flip');
  const ds = dims.map((d) => normDim(d, x.ndim, 'flip'));
  const strides = x.strides.slice();
  let offset = x.offset;
  for (const d of ds) { offset += (x.shape[d] - 1) * strides[d]; strides[d] = -strides[d]; }
  const v = new Tensor(x.storage, x.shape.slice(), strides, offset, x);
  const out = backendOf(x).full(x.shape.slice(), 0, x.dtype);
  backendOf(x).copy(v, out);
  v.dispose();
  if (activeTracer !== null) traceOp(out, 'Flip', [x], { dims: ds });
  return record(out, 'Flip', [x], (g) => [flip(g, ds)]);
}
