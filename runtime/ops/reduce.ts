/** Reductions on the Reduce primitive; mean/var/std/logsumexp/norm are composites. */
import { isFloating } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { fmtShape, normDim } from '../shape.js';
import type { ReduceOp } from './primitives.js';
import { backendOf, castTo, checkTensor, record } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { expand, reshape } from './view.js';
import { noGrad } from '../autograd/grad_mode.js';
import { where } from './elementwise.js';

export type Dims = number | readonly number[] | null | undefined;

export function normDims(dim: Dims, ndim: number, op: string): number[] {
  if (dim === undefined || dim === null) return [...Array(ndim).keys()];
  const ds = (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normDim(d, ndim, op));
  if (new Set(ds).size !== ds.length) throw new RangeError(`${op}: dim ${JSON.stringify(dim)} appears multiple times in the list of dims`);
  return ds.sort((a, b) => a - b);
}

function keptShape(shape: number[], dims: number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}

/** Runs the Reduce primitive and applies keepdim (a reshape). */
function rawReduce(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean): Tensor {
  const be = backendOf(x);
  let r: Tensor;
  const runs = consecutiveRuns(dims);
  if (runs.length > 1 && op !== 'argmax' && op !== 'argmin') {
    // Non-adjacent dims (e.g. a conv bias gradient: sum over N and L of [N, O, L]) reduce one adjacent run at a
    // time, last run first so earlier dim numbers stay valid: no permuted copy of the whole input.
    r = x;
    for (let k = runs.length - 1; k >= 0; k--) {
      const next = be.reduce(op, r, runs[k]);
      if (r !== x) r.dispose();
      r = next;
    }
  } else r = be.reduce(op, x, dims);
  const out = keepdim ? reshape(r, keptShape(x.shape, dims)) : r;
  if (activeTracer !== null) traceOp(out, 'Reduce', [x], { op, dims, keepdim });
  return out;
}

function consecutiveRuns(dims: number[]): number[][] {
  const runs: number[][] = [];
  for (const d of dims) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === d - 1) last.push(d);
    else runs.push([d]);
  }
  return runs;
}

export function sum(x: Tensor, dim?: Dims, keepdim = false, opts?: { dtype?: 'float32' | 'float64' | 'int32' }): Tensor {
  checkTensor(x, 'sum');
  // PyTorch sums bool and integer tensors into int64 (int32 here).
  if (x.dtype === 'bool') x = castTo(x, 'int32');
  if (opts?.dtype) x = castTo(x, opts.dtype);
  const dims = normDims(dim, x.ndim, 'sum');
  const out = rawReduce('sum', x, dims, keepdim);
  const xShape = x.shape;
  return record(out, 'Sum', [x], (g) => [expand(reshape(g, keptShape(xShape, dims)), xShape)]);
}

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor(x, 'mean');
  if (!isFloating(x.dtype)) {
    throw new TypeError(`mean: could not infer output dtype; input dtype must be floating point, got ${x.dtype} (shape ${fmtShape(x.shape)}); use x.float().mean()`);
  }
  const dims = normDims(dim, x.ndim, 'mean');
  let n = 1;
  for (const d of dims) n *= x.shape[d];
  return sum(x, dims, keepdim).div(n);
}

export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor(x, 'prod');
  if (x.dtype === 'bool') x = castTo(x, 'int32');
  const dims = normDims(dim, x.ndim, 'prod');
  const out = rawReduce('prod', x, dims, keepdim);
  const xShape = x.shape;
  // d/dx_i = product of the other elements. y / x_i gives it only when x has no zero; with one zero the
  // zero's gradient is the product of the rest, and with two or more every gradient is 0 (PyTorch's rule).
  return record(out, 'Prod', [x], (g) => {
    const kept = keptShape(xShape, dims);
    const isZero = x.eq(0);
    const zeros = expand(isZero.sum(dims, true), xShape);
    const ones = where(isZero, 1, x);
    const restProd = expand(reshape(dims.length === xShape.length ? prod(ones) : prod(ones, dims[0], true), kept), xShape);
    const y = expand(reshape(out, kept), xShape);
    const oneZero = where(isZero.logicalAnd(zeros.eq(1)), restProd, 0);
    const local = where(zeros.eq(0), y.div(ones), oneZero);
    return [expand(reshape(g, kept), xShape).mul(local)];
  }, [x, out]);
}

/** amax/amin: gradient split evenly among tied maxima (PyTorch's amax rule). */
function extremum(op: 'max' | 'min', x: Tensor, dims: number[], keepdim: boolean, name: string): Tensor {
  checkTensor(x, name);
  if (x.numel() === 0) throw new RangeError(`${name}: expected a non-empty tensor, got shape ${fmtShape(x.shape)}`);
  const out = rawReduce(op, x, dims, keepdim);
  const xShape = x.shape;
  return record(out, capital(name), [x], (g) => {
    const y = expand(reshape(out, keptShape(xShape, dims)), xShape);
    const mask = x.eq(y).to(g.dtype);
    const count = mask.sum(dims, true);
    return [expand(reshape(g, keptShape(xShape, dims)), xShape).mul(mask).div(count)];
  }, [x, out]);
}

export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremum('max', x, normDims(dim, x.ndim, 'amax'), keepdim, 'amax');
}

export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremum('min', x, normDims(dim, x.ndim, 'amin'), keepdim, 'amin');
}

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** `max()` → the largest value; `max(dim, keepdim)` → { values, indices } (gradient goes to the index); `max(other)` → maximum. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return x.maximum(dim);
  if (dim === undefined) return extremum('max', x, normDims(null, x.ndim, 'max'), false, 'max');
  return withIndices('max', x, dim, keepdim);
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return x.minimum(dim);
  if (dim === undefined) return extremum('min', x, normDims(null, x.ndim, 'min'), false, 'min');
  return withIndices('min', x, dim, keepdim);
}

function withIndices(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  checkTensor(x, op);
  const d = normDim(dim, x.ndim, op);
  if (x.shape[d] === 0) throw new RangeError(`${op}: cannot reduce over dim ${dim} of size 0 (shape ${fmtShape(x.shape)})`);
  const indices = rawReduce(op === 'max' ? 'argmax' : 'argmin', x, [d], keepdim);
  const idxK = keepdim ? indices : reshape(indices, keptShape(x.shape, [d]));
  // The values come from the Reduce kernel too (same element as the index: both keep the first maximum).
  const out = rawReduce(op, x, [d], keepdim);
  const xShape = x.shape;
  record(out, capital(op), [x], (g) => {
    const gk = reshape(g, keptShape(xShape, [d]));
    return [x.zerosLike().scatter(d, idxK, gk)];
  }, [idxK]);
  return { values: out, indices };
}

export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor(x, 'argmax');
  if (dim === undefined || dim === null) {
    const flat = reshape(x, [-1]);
    const out = backendOf(x).reduce('argmax', flat, [0]);
    if (activeTracer !== null) traceOp(out, 'Reduce', [flat], { op: 'argmax', dims: [0], keepdim: false });
    return out;
  }
  return rawReduce('argmax', x, [normDim(dim, x.ndim, 'argmax')], keepdim);
}

export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor(x, 'argmin');
  if (dim === undefined || dim === null) return backendOf(x).reduce('argmin', reshape(x, [-1]), [0]);
  return rawReduce('argmin', x, [normDim(dim, x.ndim, 'argmin')], keepdim);
}

export interface VarOptions {
  /** Bessel's correction: 1 (default, unbiased) or 0. */
  correction?: number;
  /** Deprecated PyTorch spelling of correction: unbiased=false means correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  checkTensor(x, 'var');
  const dims = normDims(dim, x.ndim, 'var');
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  let n = 1;
  for (const d of dims) n *= x.shape[d];
  const mu = mean(x, dims, true);
  const ss = x.sub(mu).square().sum(dims, opts.keepdim ?? false);
  return ss.div(Math.max(n - correction, 0));
}

export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return variance(x, dim, opts).sqrt();
}

/** log(sum(exp(x))) computed stably by subtracting the (detached) max first. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  checkTensor(x, 'logsumexp');
  const dims = normDims(dim, x.ndim, 'logsumexp');
  const m = noGrad(() => {
    const a = amax(x, dims, true);
    // An all -inf slice would give inf - inf = NaN; shift by 0 there instead.
    return where(a.isinf(), 0, a);
  });
  const r = x.sub(m).exp().sum(dims, true).log().add(m);
  return keepdim ? r : reshape(r, r.shape.filter((_, i) => !dims.includes(i)));
}

export function all(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor(x, 'all');
  const b = castTo(x, 'bool');
  return castTo(rawReduce('min', b, normDims(dim, x.ndim, 'all'), keepdim), 'bool');
}

export function any(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor(x, 'any');
  const b = castTo(x, 'bool');
  return castTo(rawReduce('max', b, normDims(dim, x.ndim, 'any'), keepdim), 'bool');
}

/** p-norm over dims (default: all, p=2). */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: Dims, keepdim = false): Tensor {
  const q = p === 'fro' ? 2 : p;
  if (q === 0) return x.ne(0).to(isFloating(x.dtype) ? x.dtype : 'float32').sum(dim, keepdim);
  if (q === Infinity) return x.abs().amax(dim, keepdim);
  if (q === -Infinity) return x.abs().amin(dim, keepdim);
  if (q === 1) return x.abs().sum(dim, keepdim);
  if (q === 2) {
    // One node so the gradient at the zero vector is 0 (PyTorch's subgradient), not 0/0.
    const dims = normDims(dim, x.ndim, 'norm');
    const out = noGrad(() => x.square().sum(dims, keepdim).sqrt());
    const xShape = x.shape;
    return record(out, 'Norm', [x], (g) => {
      const kept = keptShape(xShape, dims);
      const n = expand(reshape(out, kept), xShape);
      return [expand(reshape(g, kept), xShape).mul(where(n.eq(0), 0, x.div(n)))];
    }, [x, out]);
  }
  return x.abs().pow(q).sum(dim, keepdim).pow(1 / q);
}

function capital(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
