/** CPU Reduce kernel: views the input as [outer, R, inner] and reduces the middle axis. */
import { allocArray, type DType, type TypedArray } from '../../dtype.js';
import type { ReduceOp } from '../../ops/primitives.js';
import { contiguousStrides } from '../../shape.js';
import { runElementwise } from './elementwise.js';
import { colSumF32 } from './wasm/linear.js';

export interface Strided {
  data: TypedArray;
  offset: number;
  shape: number[];
  strides: number[];
  dtype: DType;
}

/** Returns contiguous data for a strided view, copying only when needed. */
export function contiguousData(x: Strided): { data: TypedArray; offset: number } {
  let s = 1;
  let contiguous = true;
  for (let i = x.shape.length - 1; i >= 0; i--) {
    if (x.shape[i] !== 1 && x.strides[i] !== s) { contiguous = false; break; }
    s *= x.shape[i];
  }
  if (contiguous) return { data: x.data, offset: x.offset };
  let n = 1;
  for (const d of x.shape) n *= d;
  const out = allocArray(x.dtype, n);
  runElementwise('copy', 'x0', 1, out, 0, contiguousStrides(x.shape), [x], x.shape);
  return { data: out, offset: 0 };
}

/** contiguousData of a tensor's view. */
export function contiguousOf(t: { storage: { data: TypedArray }; offset: number; shape: number[]; strides: number[]; dtype: DType }): { data: TypedArray; offset: number } {
  return contiguousData({ data: t.storage.data, offset: t.offset, shape: t.shape, strides: t.strides, dtype: t.dtype });
}

export function reduceKernel(op: ReduceOp, x: Strided, dims: number[]): { data: TypedArray; shape: number[] } {
  const nd = x.shape.length;
  const outShape = x.shape.filter((_, i) => !dims.includes(i));
  let outer = 1, R = 1, inner = 1;
  let src: { data: TypedArray; offset: number };
  const consecutive = dims.every((d, i) => d === dims[0] + i);
  if (consecutive) {
    src = contiguousData(x);
    for (let i = 0; i < nd; i++) {
      if (dims.length && i < dims[0]) outer *= x.shape[i];
      else if (dims.includes(i)) R *= x.shape[i];
      else inner *= x.shape[i];
    }
    if (!dims.length) { outer = 1; inner = 1; for (const d of x.shape) outer *= d; }
  } else {
    // Move the reduced dims last, then reduce contiguous runs.
    const kept = [...Array(nd).keys()].filter((i) => !dims.includes(i));
    const perm = [...kept, ...dims];
    const pv: Strided = { ...x, shape: perm.map((p) => x.shape[p]), strides: perm.map((p) => x.strides[p]) };
    src = contiguousData(pv);
    for (const k of kept) outer *= x.shape[k];
    for (const d of dims) R *= x.shape[d];
  }
  const isArg = op === 'argmax' || op === 'argmin';
  const outDtype: DType = isArg ? 'int32' : x.dtype;
  const out = allocArray(outDtype, outer * inner);
  const a = src.data, off = src.offset;
  if (R === 0 && (op !== 'sum' && op !== 'prod')) {
    throw new RangeError(`${op}: cannot reduce over a zero-size dimension (input shape [${x.shape.join(', ')}]); there is no identity for ${op}`);
  }
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = off + o * R;
      out[o] = reduceRow(op, a, base, R);
    }
  } else if (op === 'sum' && a instanceof Float32Array && out instanceof Float32Array &&
      colSums(a, off, outer, R, inner, out)) {
    // Done on SIMD (a bias gradient: the sum over a batch's rows), the same f64 row-order sums as below.
  } else {
    const acc = new Float64Array(inner);
    const arg = new Int32Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = off + o * R * inner;
      switch (op) {
        case 'sum':
          acc.fill(0);
          for (let r = 0; r < R; r++) { const b = base + r * inner; for (let i = 0; i < inner; i++) acc[i] += a[b + i]; }
          break;
        case 'prod':
          acc.fill(1);
          for (let r = 0; r < R; r++) { const b = base + r * inner; for (let i = 0; i < inner; i++) acc[i] *= a[b + i]; }
          break;
        case 'max': case 'argmax':
          for (let i = 0; i < inner; i++) { acc[i] = a[base + i]; arg[i] = 0; }
          for (let r = 1; r < R; r++) {
            const b = base + r * inner;
            // NOTE: `!(v <= m)` keeps the first NaN, which then wins, as in PyTorch.
            for (let i = 0; i < inner; i++) { const v = a[b + i], m = acc[i]; if (v > m || (v !== v && m === m)) { acc[i] = v; arg[i] = r; } }
          }
          break;
        case 'min': case 'argmin':
          for (let i = 0; i < inner; i++) { acc[i] = a[base + i]; arg[i] = 0; }
          for (let r = 1; r < R; r++) {
            const b = base + r * inner;
            for (let i = 0; i < inner; i++) { const v = a[b + i], m = acc[i]; if (v < m || (v !== v && m === m)) { acc[i] = v; arg[i] = r; } }
          }
          break;
      }
      const ob = o * inner;
      if (isArg) for (let i = 0; i < inner; i++) out[ob + i] = arg[i];
      else for (let i = 0; i < inner; i++) out[ob + i] = acc[i];
    }
  }
  return { data: out, shape: outShape };
}

function reduceRow(op: ReduceOp, a: TypedArray, base: number, R: number): number {
  switch (op) {
    case 'sum': {
      // Float64 accumulation: more accurate than float32 pairwise sums, and as fast in JS.
      let s = 0;
      for (let r = 0; r < R; r++) s += a[base + r];
      return s;
    }
    case 'prod': {
      let s = 1;
      for (let r = 0; r < R; r++) s *= a[base + r];
      return s;
    }
    case 'max': case 'argmax': {
      let m = a[base], k = 0;
      for (let r = 1; r < R; r++) { const v = a[base + r]; if (v > m || (v !== v && m === m)) { m = v; k = r; } }
      return op === 'max' ? m : k;
    }
    case 'min': case 'argmin': {
      let m = a[base], k = 0;
      for (let r = 1; r < R; r++) { const v = a[base + r]; if (v < m || (v !== v && m === m)) { m = v; k = r; } }
      return op === 'min' ? m : k;
    }
  }
}

function colSums(a: Float32Array, off: number, outer: number, R: number, inner: number, out: Float32Array): boolean {
  for (let o = 0; o < outer; o++) {
    const base = off + o * R * inner;
    if (!colSumF32(a.subarray(base, base + R * inner), R, inner, out.subarray(o * inner, (o + 1) * inner))) return false;
  }
  return true;
}
