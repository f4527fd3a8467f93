/**
 * `compareTensors(reference, candidate, opts)`: every error metric between two tensors held on the host, and a
 * verdict with the rule that decided it. The op-level test compares one op's output and gradients with it; the
 * program-level diff compares each probe (layer output, loss, gradient, parameter) the same way.
 *
 * Verdict, in order (the first rule that fails decides):
 * 1. `shape` — shapes must be equal (no metrics are computed otherwise);
 * 2. `dtype` — dtypes must be equal;
 * 3. `nan-mask` — NaN in the same positions; `inf-mask` — ±inf in the same positions with the same sign;
 * 4. `tolerance` — every other element close: |candidate − reference| ≤ atol + rtol·|reference| (tolerance.ts);
 * 5. `float64-tiebreak` — for reduction/matmul/conv only, when 4 failed and a float64 result is given: pass when
 *    RMSE(candidate, float64) ≤ 2 · RMSE(reference, float64).
 * As in assert_close, the reference is `expected`: relative errors are relative to it.
 */
import { accumulates, toleranceFor, type CompareDType, type OpClass, type Tolerance } from './tolerance.js';
import { fmtShape, pyFloat, pyIndex, unravel } from './format.js';

export type { OpClass, CompareDType } from './tolerance.js';

/** A tensor's values on the host: row-major data, shape and dtype. */
export interface HostTensorData {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype: CompareDType;
}

export interface CompareOptions {
  opClass: OpClass;
  /** The dtype whose tolerances apply (default: the reference's). */
  dtype?: CompareDType;
  /** The tensors are logits / class scores: also report argmax agreement along the last dimension. */
  logits?: boolean;
  /** The same computation in float64 (same shape, row-major), for the tie-breaker of reduction/matmul/conv. */
  float64Reference?: ArrayLike<number>;
  /** K, the number of terms summed into one output element (reduction/matmul/conv tolerances; default 1). */
  reductionLength?: number;
  /** Explicit tolerances instead of the dtype/op-class ones (both or neither, as in assert_close). */
  rtol?: number;
  atol?: number;
}

/** Errors over the elements that are finite on both sides (non-finite ones are judged by the masks). */
export interface ErrorMetrics {
  numel: number;
  /** Elements that fail the tolerance, NaN/Inf mask mismatches included. */
  mismatchCount: number;
  mismatchPercent: number;
  maxAbsError: number;
  maxAbsIndex: number[];
  /** |Δ| / |reference|: Infinity where the reference is 0 and the candidate is not. */
  maxRelError: number;
  maxRelIndex: number[];
  meanAbsError: number;
  rmse: number;
  /** ‖candidate − reference‖₂ / ‖reference‖₂ (0 when both are zero, Infinity when only the reference is). */
  relativeL2: number;
  /** candidate·reference / (‖candidate‖‖reference‖); 1 when both are zero, 0 when only one is. */
  cosineSimilarity: number;
  /** Fraction of rows (last dimension) whose argmax agrees; only with `logits`. */
  argmaxAgreement?: number;
}

export interface MaskCheck {
  match: boolean;
  /** The first position where one side is NaN (or ±inf) and the other is not, as a multi-dim index. */
  firstMismatch: number[] | null;
}

export type VerdictRule = 'shape' | 'dtype' | 'nan-mask' | 'inf-mask' | 'tolerance' | 'float64-tiebreak';

export interface TieBreak {
  candidateRmse: number;
  referenceRmse: number;
  passed: boolean;
}

export interface TensorComparison {
  pass: boolean;
  /** The rule that decided the verdict (the failing one, or the last one applied when it passed). */
  rule: VerdictRule;
  shapeMatch: boolean;
  dtypeMatch: boolean;
  referenceShape: number[];
  candidateShape: number[];
  referenceDtype: CompareDType;
  candidateDtype: CompareDType;
  nanMask: MaskCheck;
  infMask: MaskCheck;
  tolerance: Tolerance;
  /** Null when the shapes differ. */
  metrics: ErrorMetrics | null;
  tieBreak?: TieBreak;
  /** assert_close's failure message; null when it passed. */
  message: string | null;
}

const torchDtype = (d: CompareDType) => `torch.${d}`;

export function compareTensors(reference: HostTensorData, candidate: HostTensorData, opts: CompareOptions): TensorComparison {
  if ((opts.rtol === undefined) !== (opts.atol === undefined)) {
    throw new TypeError(`compareTensors: both 'rtol' and 'atol' must be either specified or omitted, but got no ${opts.rtol === undefined ? 'rtol' : 'atol'}`);
  }
  const dtype = opts.dtype ?? reference.dtype;
  const tolerance: Tolerance = opts.rtol !== undefined
    ? { rtol: opts.rtol, atol: opts.atol as number, rule: 'explicit rtol/atol' }
    : toleranceFor(dtype, opts.opClass, opts.reductionLength);
  const shapeMatch = reference.shape.length === candidate.shape.length && reference.shape.every((s, i) => s === candidate.shape[i]);
  const base = {
    shapeMatch,
    dtypeMatch: reference.dtype === candidate.dtype,
    referenceShape: [...reference.shape],
    candidateShape: [...candidate.shape],
    referenceDtype: reference.dtype,
    candidateDtype: candidate.dtype,
    tolerance,
  };
  if (!shapeMatch) {
    const noMask = { match: false, firstMismatch: null };
    return {
      ...base, pass: false, rule: 'shape', nanMask: noMask, infMask: noMask, metrics: null,
      message: `The values for attribute 'shape' do not match: torch.Size(${fmtShape(candidate.shape)}) != torch.Size(${fmtShape(reference.shape)}).`,
    };
  }
  if (reference.data.length !== candidate.data.length) {
    throw new RangeError(`compareTensors: shape ${fmtShape(reference.shape)} but ${reference.data.length} reference and ${candidate.data.length} candidate values`);
  }
  const { metrics, nanMask, infMask, tolFailures } = measure(reference, candidate, tolerance, opts.logits ?? false);
  const result = (pass: boolean, rule: VerdictRule, message: string | null, tieBreak?: TieBreak): TensorComparison =>
    ({ ...base, pass, rule, nanMask, infMask, metrics, tieBreak, message });

  if (!base.dtypeMatch) {
    return result(false, 'dtype', `The values for attribute 'dtype' do not match: ${torchDtype(candidate.dtype)} != ${torchDtype(reference.dtype)}.`);
  }
  const body = () => mismatchMessage(metrics, tolerance, dtype);
  if (!nanMask.match) return result(false, 'nan-mask', `${body()}\nNaN positions differ, first at index ${pyIndex(nanMask.firstMismatch ?? [])}`);
  if (!infMask.match) return result(false, 'inf-mask', `${body()}\nInf positions differ, first at index ${pyIndex(infMask.firstMismatch ?? [])}`);
  if (tolFailures === 0) return result(true, 'tolerance', null);
  if (opts.float64Reference && accumulates(opts.opClass) && dtype !== 'int32' && dtype !== 'bool') {
    const tieBreak = tieBreaker(reference.data, candidate.data, opts.float64Reference);
    if (tieBreak.passed) return result(true, 'float64-tiebreak', null, tieBreak);
    return result(false, 'float64-tiebreak', `${body()}\nfloat64 tie-breaker: candidate RMSE ${pyFloat(tieBreak.candidateRmse)} > 2 × reference RMSE ${pyFloat(tieBreak.referenceRmse)} to the float64 result`, tieBreak);
  }
  return result(false, 'tolerance', body());
}

function measure(reference: HostTensorData, candidate: HostTensorData, tol: Tolerance, logits: boolean) {
  const n = reference.data.length;
  let nanFirst = -1, infFirst = -1, tolFailures = 0, maskFailures = 0;
  let maxAbs = 0, maxAbsAt = 0, maxRel = 0, maxRelAt = 0;
  let sumAbs = 0, sumSq = 0, refSq = 0, candSq = 0, dot = 0, finite = 0;
  for (let i = 0; i < n; i++) {
    const r = Number(reference.data[i]), c = Number(candidate.data[i]);
    if (Number.isNaN(r) || Number.isNaN(c)) {
      if (Number.isNaN(r) !== Number.isNaN(c)) { maskFailures++; if (nanFirst < 0) nanFirst = i; }
      continue;
    }
    if (!Number.isFinite(r) || !Number.isFinite(c)) {
      if (r !== c) { maskFailures++; if (infFirst < 0) infFirst = i; }
      continue;
    }
    finite++;
    const d = Math.abs(c - r);
    const rel = d === 0 ? 0 : d / Math.abs(r);
    if (d > tol.atol + tol.rtol * Math.abs(r)) tolFailures++;
    if (d > maxAbs) { maxAbs = d; maxAbsAt = i; }
    if (rel > maxRel) { maxRel = rel; maxRelAt = i; }
    sumAbs += d;
    sumSq += d * d;
    refSq += r * r;
    candSq += c * c;
    dot += r * c;
  }
  const mismatchCount = tolFailures + maskFailures;
  const metrics: ErrorMetrics = {
    numel: n,
    mismatchCount,
    mismatchPercent: n ? (100 * mismatchCount) / n : 0,
    maxAbsError: maxAbs,
    maxAbsIndex: unravel(maxAbsAt, reference.shape),
    maxRelError: maxRel,
    maxRelIndex: unravel(maxRelAt, reference.shape),
    meanAbsError: finite ? sumAbs / finite : 0,
    rmse: finite ? Math.sqrt(sumSq / finite) : 0,
    relativeL2: refSq > 0 ? Math.sqrt(sumSq / refSq) : sumSq > 0 ? Infinity : 0,
    cosineSimilarity: refSq > 0 && candSq > 0 ? dot / Math.sqrt(refSq * candSq) : refSq === candSq ? 1 : 0,
  };
  if (logits) metrics.argmaxAgreement = argmaxAgreement(reference, candidate);
  const mask = (first: number): MaskCheck => ({ match: first < 0, firstMismatch: first < 0 ? null : unravel(first, reference.shape) });
  return { metrics, nanMask: mask(nanFirst), infMask: mask(infFirst), tolFailures };
}

/** Fraction of last-dimension rows whose (first) argmax is the same on both sides. */
function argmaxAgreement(reference: HostTensorData, candidate: HostTensorData): number {
  const last = reference.shape.length ? reference.shape[reference.shape.length - 1] : 1;
  const rows = last ? reference.data.length / last : 0;
  if (!rows) return 1;
  const argmax = (data: ArrayLike<number>, row: number) => {
    let best = row * last;
    for (let j = row * last + 1; j < (row + 1) * last; j++) if (Number(data[j]) > Number(data[best])) best = j;
    return best;
  };
  let agree = 0;
  for (let r = 0; r < rows; r++) if (argmax(reference.data, r) === argmax(candidate.data, r)) agree++;
  return agree / rows;
}

function rmseTo(x: ArrayLike<number>, truth: ArrayLike<number>): number {
  let s = 0, m = 0;
  for (let i = 0; i < truth.length; i++) {
    const d = Number(x[i]) - Number(truth[i]);
    if (!Number.isFinite(d)) continue;
    s += d * d;
    m++;
  }
  return m ? Math.sqrt(s / m) : 0;
}

function tieBreaker(reference: ArrayLike<number>, candidate: ArrayLike<number>, float64: ArrayLike<number>): TieBreak {
  if (float64.length !== reference.length) {
    throw new RangeError(`compareTensors: float64Reference has ${float64.length} values, the tensors ${reference.length}`);
  }
  const candidateRmse = rmseTo(candidate, float64);
  const referenceRmse = rmseTo(reference, float64);
  return { candidateRmse, referenceRmse, passed: candidateRmse <= 2 * referenceRmse };
}

/** assert_close's message: mismatch count, greatest absolute and relative difference with their index. */
function mismatchMessage(m: ErrorMetrics, tol: Tolerance, dtype: CompareDType): string {
  const equality = tol.rtol === 0 && tol.atol === 0;
  const isInt = dtype === 'int32' || dtype === 'bool';
  const line = (kind: 'absolute' | 'relative', diff: number, at: number[], allowed: number) =>
    `Greatest ${kind} difference: ${kind === 'absolute' && isInt ? String(diff) : pyFloat(diff)} at index ${pyIndex(at)}` +
    (equality ? '' : ` (up to ${pyFloat(allowed)} allowed)`);
  return (
    `Tensor-likes are not ${equality ? 'equal' : 'close'}!\n\n` +
    `Mismatched elements: ${m.mismatchCount} / ${m.numel} (${m.mismatchPercent.toFixed(1)}%)\n` +
    `${line('absolute', m.maxAbsError, m.maxAbsIndex, tol.atol)}\n` +
    line('relative', m.maxRelError, m.maxRelIndex, tol.rtol)
  );
}
