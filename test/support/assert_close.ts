/**
 * `assertClose(actual, expected)`: torch.testing.assert_close for our tensors, host tensors, nested arrays and
 * typed arrays.
 *
 * - Shapes must match, and dtypes too (unless `checkDtype: false`, or one side is a plain array with no dtype).
 * - Default tolerances by dtype, as PyTorch: float32 rtol 1.3e-6 / atol 1e-5, float64 rtol 1e-7 / atol 1e-7,
 *   int32 and bool exact. `rtol` and `atol` are given together or not at all.
 * - close ⇔ actual == expected, or both NaN (equalNan, on by default here: NaN positions must match), or
 *   |actual − expected| ≤ atol + rtol·|expected| with a finite difference (so ±inf must match exactly).
 * - The failure message is assert_close's: mismatch count, greatest absolute and relative difference with the
 *   index where it occurs, and the allowed tolerance.
 */
import { Tensor } from '../../runtime/tensor.js';
import type { DType, TypedArray } from '../../runtime/dtype.js';
import { fmtShape, pyFloat, pyIndex, unravel } from '../../difftest/format.js';

/** A tensor's values on the host: row-major data, shape and (optionally) dtype. */
export interface HostTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype?: DType;
}

export type Nested = number | boolean | readonly Nested[];
export type TensorLikeValue = Tensor | HostTensor | TypedArray | Nested;

export interface AssertCloseOptions {
  rtol?: number;
  atol?: number;
  /** NaN in the same position counts as equal (default true). */
  equalNan?: boolean;
  /** Require equal dtypes (default true; skipped when a side carries no dtype, e.g. a nested array). */
  checkDtype?: boolean;
  /** Prefix for the failure message (which value is being compared). */
  msg?: string;
}

export class AssertCloseError extends Error {
  override name = 'AssertCloseError';
}

export const DEFAULT_TOLERANCES: Record<DType, { rtol: number; atol: number }> = {
  float32: { rtol: 1.3e-6, atol: 1e-5 },
  float64: { rtol: 1e-7, atol: 1e-7 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/** Reads any supported value into a HostTensor (a Tensor is read synchronously: CPU tensors only). */
export function toHost(x: TensorLikeValue): HostTensor {
  if (x instanceof Tensor) return { data: x.dataSync(), shape: x.shape.slice(), dtype: x.dtype };
  if (ArrayBuffer.isView(x)) {
    const a = x as TypedArray;
    return { data: a, shape: [a.length], dtype: dtypeOfTypedArray(a) };
  }
  if (isHostTensor(x)) return x;
  return fromNested(x as Nested);
}

function isHostTensor(x: unknown): x is HostTensor {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'shape' in x;
}

function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

function fromNested(x: Nested): HostTensor {
  const shape: number[] = [];
  let probe: Nested = x;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0] as Nested;
  }
  const data: number[] = [];
  let allBool = true;
  const walk = (v: Nested, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new TypeError('assertClose: ragged nested array');
      if (typeof v !== 'boolean') allBool = false;
      data.push(Number(v));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) throw new TypeError('assertClose: ragged nested array');
    for (const e of v) walk(e, d + 1);
  };
  walk(x, 0);
  // Booleans say "bool"; plain numbers carry no dtype (PyTorch would need an explicit tensor here).
  return { data, shape, dtype: allBool && data.length > 0 ? 'bool' : undefined };
}

// Python-style formatting is shared with the differential tester, so both print assert_close's messages.
export { pyFloat, pyIndex };

/** The comparison without throwing: null when close, else assert_close's message. */
export function closeMismatch(actualIn: TensorLikeValue, expectedIn: TensorLikeValue, opts: AssertCloseOptions = {}): string | null {
  const actual = toHost(actualIn);
  const expected = toHost(expectedIn);
  if ((opts.rtol === undefined) !== (opts.atol === undefined)) {
    throw new TypeError(`assertClose: both 'rtol' and 'atol' must be either specified or omitted, but got no ${opts.rtol === undefined ? 'rtol' : 'atol'}`);
  }
  const prefix = opts.msg ? `${opts.msg}: ` : '';
  if (actual.shape.length !== expected.shape.length || actual.shape.some((s, i) => s !== expected.shape[i])) {
    return `${prefix}The values for attribute 'shape' do not match: ${fmtShape(actual.shape)} != ${fmtShape(expected.shape)}.`;
  }
  if ((opts.checkDtype ?? true) && actual.dtype && expected.dtype && actual.dtype !== expected.dtype) {
    return `${prefix}The values for attribute 'dtype' do not match: ${actual.dtype} != ${expected.dtype}.`;
  }
  // Plain JS numbers on both sides compare as float64 (as Python floats do in torch.testing).
  const known = [actual.dtype, expected.dtype].filter((d): d is DType => d !== undefined);
  const dtypes: DType[] = known.length ? known : ['float64'];
  const rtol = opts.rtol ?? Math.max(0, ...dtypes.map((d) => DEFAULT_TOLERANCES[d].rtol));
  const atol = opts.atol ?? Math.max(0, ...dtypes.map((d) => DEFAULT_TOLERANCES[d].atol));
  const equalNan = opts.equalNan ?? true;
  const n = actual.data.length;
  if (n !== expected.data.length) {
    return `${prefix}internal: ${n} values for shape ${fmtShape(actual.shape)} but ${expected.data.length} expected`;
  }
  let mismatches = 0;
  let maxAbs = 0, maxAbsAt = 0, maxRel = 0, maxRelAt = 0;
  for (let i = 0; i < n; i++) {
    const a = Number(actual.data[i]), e = Number(expected.data[i]);
    const diff = Math.abs(a - e);
    const close = a === e || (equalNan && Number.isNaN(a) && Number.isNaN(e)) || (Number.isFinite(diff) && diff <= atol + rtol * Math.abs(e));
    if (close) continue;
    mismatches++;
    const rel = diff / Math.abs(e);
    // torch.max propagates NaN: a NaN difference is the greatest, at its first position.
    if (!Number.isNaN(maxAbs) && (Number.isNaN(diff) || diff > maxAbs)) { maxAbs = diff; maxAbsAt = i; }
    if (!Number.isNaN(maxRel) && (Number.isNaN(rel) || rel > maxRel)) { maxRel = rel; maxRelAt = i; }
  }
  if (mismatches === 0) return null;
  const equality = rtol === 0 && atol === 0;
  const isInt = (actual.dtype === 'int32' || actual.dtype === 'bool') && (expected.dtype === undefined || expected.dtype === 'int32' || expected.dtype === 'bool');
  const line = (kind: string, diff: number, at: number, tol: number) =>
    `Greatest ${kind} difference: ${kind === 'absolute' && isInt ? String(diff) : pyFloat(diff)} at index ${pyIndex(unravel(at, actual.shape))}` +
    (equality ? '' : ` (up to ${pyFloat(tol)} allowed)`);
  return (
    `${prefix}Tensor-likes are not ${equality ? 'equal' : 'close'}!\n\n` +
    `Mismatched elements: ${mismatches} / ${n} (${((100 * mismatches) / n).toFixed(1)}%)\n` +
    `${line('absolute', maxAbs, maxAbsAt, atol)}\n` +
    line('relative', maxRel, maxRelAt, rtol)
  );
}

/** Throws AssertCloseError with assert_close's message unless `actual` and `expected` are close. */
export function assertClose(actual: TensorLikeValue, expected: TensorLikeValue, opts: AssertCloseOptions = {}): void {
  const msg = closeMismatch(actual, expected, opts);
  if (msg !== null) throw new AssertCloseError(msg);
}
