/**
 * Input specifications for op cases: a shape and dtype plus either explicit values or a seeded distribution
 * with range restrictions. A spec materialises to host data once; every backend and every reference (tfjs,
 * float64 JS) then sees exactly the same numbers.
 */
import * as torch from '../../runtime/torch.js';
import type { DType } from '../../runtime/dtype.js';
import type { Tensor } from '../../runtime/tensor.js';
import type { HostTensor, Nested } from './assert_close.js';

export interface TensorSpec {
  shape: number[];
  /** Default float32. */
  dtype?: DType;
  /** Explicit values: flat (row-major) or nested; NaN/±Infinity allowed. */
  values?: Nested;
  /** Seed for torch.Generator; default derived from the case name and input position. */
  seed?: number;
  /** 'uniform' (default) over `range`, or 'normal' (mean 0, std 1, scaled by `scale`). */
  dist?: 'uniform' | 'normal';
  /** Uniform range [lo, hi); default [-2, 2] for floats and [0, 5) for int32. */
  range?: [number, number];
  scale?: number;
  /** Keep values at least `margin` away from these points (non-differentiable points: 0 for abs/relu). */
  awayFrom?: number[];
  /** Keep all values pairwise at least `margin` apart (no ties for max/min/sort gradients). */
  distinct?: boolean;
  /** Default 0.05. */
  margin?: number;
  /** Exclude this floating input from gradcheck (held constant). */
  noGrad?: boolean;
}

/** A materialised input: host data (already rounded to the dtype) plus its spec. */
export interface HostInput extends HostTensor {
  data: Float64Array;
  shape: number[];
  dtype: DType;
  spec: TensorSpec;
}

const numelOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function flatten(v: Nested, out: number[] = []): number[] {
  if (Array.isArray(v)) for (const e of v) flatten(e as Nested, out);
  else out.push(Number(v));
  return out;
}

/** A stable small integer from a string (FNV-1a), for per-case default seeds. */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function round(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float32': return Math.fround(v);
    case 'float64': return v;
    case 'int32': return Math.trunc(v) | 0;
    case 'bool': return v ? 1 : 0;
  }
}

export function materialize(spec: TensorSpec, defaultSeed: number): HostInput {
  const dtype = spec.dtype ?? 'float32';
  const n = numelOf(spec.shape);
  const data = new Float64Array(n);
  if (spec.values !== undefined) {
    const flat = flatten(spec.values);
    if (flat.length !== n) throw new RangeError(`spec: ${flat.length} values given for shape [${spec.shape.join(', ')}]`);
    for (let i = 0; i < n; i++) data[i] = round(flat[i], dtype);
    return { data, shape: spec.shape.slice(), dtype, spec };
  }
  const gen = new torch.Generator(spec.seed ?? defaultSeed);
  const margin = spec.margin ?? 0.05;
  const [lo, hi] = spec.range ?? (dtype === 'int32' ? [0, 5] : dtype === 'bool' ? [0, 2] : [-2, 2]);
  const draw = (): number => {
    if (dtype === 'int32' || dtype === 'bool') return gen.randint(lo, hi);
    if (spec.dist === 'normal') return gen.normal() * (spec.scale ?? 1);
    return lo + (hi - lo) * gen.uniform();
  };
  for (let i = 0; i < n; i++) {
    let v = round(draw(), dtype);
    for (let tries = 0; tries < 1000; tries++) {
      const nearPoint = spec.awayFrom?.some((p) => Math.abs(v - p) < margin) ?? false;
      let nearOther = false;
      if (spec.distinct) for (let j = 0; j < i && !nearOther; j++) nearOther = Math.abs(v - data[j]) < margin;
      if (!nearPoint && !nearOther) break;
      v = round(draw(), dtype);
    }
    data[i] = v;
  }
  return { data, shape: spec.shape.slice(), dtype, spec };
}

/** Our tensor (on the CPU) holding the host data. */
export function hostToTorch(h: HostTensor & { dtype: DType }): Tensor {
  const Ctor = h.dtype === 'float64' ? Float64Array : h.dtype === 'float32' ? Float32Array : h.dtype === 'int32' ? Int32Array : Uint8Array;
  const arr = Ctor.from(h.data as ArrayLike<number>);
  return torch.tensor(arr, { shape: h.shape.slice(), dtype: h.dtype });
}

// ---- Spec shorthands used by the case tables ----

type SpecOpts = Omit<TensorSpec, 'shape' | 'dtype'>;

/** float32 input, uniform in [-2, 2) unless `range`/`dist`/`values` say otherwise. */
export const f32 = (shape: number[], opts: SpecOpts = {}): TensorSpec => ({ shape, dtype: 'float32', ...opts });
export const f64 = (shape: number[], opts: SpecOpts = {}): TensorSpec => ({ shape, dtype: 'float64', ...opts });
/** int32 input: explicit values, or uniform integers in `range` (default [0, 5)). */
export const i32 = (shape: number[], opts: SpecOpts = {}): TensorSpec => ({ shape, dtype: 'int32', ...opts });
export const boolean = (shape: number[], opts: SpecOpts = {}): TensorSpec => ({ shape, dtype: 'bool', ...opts });
/** Explicit values with the shape inferred from the nesting (flat arrays are 1-D). */
export function vals(values: Nested, dtype: DType = 'float32', opts: SpecOpts = {}): TensorSpec {
  const shape: number[] = [];
  let p: Nested = values;
  while (Array.isArray(p)) { shape.push(p.length); p = p[0] as Nested; if (p === undefined) break; }
  return { shape, dtype, values, ...opts };
}
