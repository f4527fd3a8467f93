/** Compares one output or one gradient: tfjs's value against the runtime's (compare.ts for tensors). */
import * as tf from '@tensorflow/tfjs';
import { compareTensors, type CompareDType, type HostTensorData, type TensorComparison } from './compare.js';
import type { OpClass } from './tolerance.js';
import { plausibleTruth } from './float64.js';
import { isRt, type OutputPair, type RtTensor } from './sample.js';

const hostDtype = (d: string): CompareDType => (d === 'bool' || d === 'int32' || d === 'float64' ? d : 'float32');
const tfHost = (t: tf.Tensor): HostTensorData => ({ data: t.dataSync() as ArrayLike<number>, shape: t.shape, dtype: hostDtype(t.dtype) });
const rtHost = (t: RtTensor): HostTensorData => ({ data: t.dataSync() as ArrayLike<number>, shape: t.shape, dtype: hostDtype(t.dtype) });
const norm = (x: unknown): unknown => (Array.isArray(x) ? x.map(norm) : typeof x === 'boolean' ? Number(x) : x);

/** The outcome of comparing one output or one gradient. */
export interface ValueCheck {
  /** `out`, `out[1]`, `out.mean`, `grad v0`. */
  what: string;
  pass: boolean;
  /** Max abs error (NaN when not computable: shapes differ, not a tensor). */
  maxAbsError: number;
  comparison?: TensorComparison;
  message: string | null;
  /**
   * A gradient that failed where tfjs's own gradient disagrees with central finite differences of tfjs's forward
   * and the runtime's agrees: the reference, not the candidate, is wrong (see finiteDifferenceArbiter).
   */
  referenceSuspect?: boolean;
}

/** `f64`: the float64 run's values for this output, the tie-breaker compare.ts may use (see plausibleTruth). */
export function checkPair(p: OutputPair, opClass: OpClass, k: number, f64?: ArrayLike<number>): ValueCheck {
  if (p.reference instanceof tf.Tensor) {
    if (!isRt(p.candidate)) {
      return { what: p.path, pass: false, maxAbsError: NaN, message: `${p.path}: expected a runtime tensor, got ${describe(p.candidate)}` };
    }
    const reference = tfHost(p.reference);
    const float64Reference = f64 && plausibleTruth(reference, f64, opClass, k) ? f64 : undefined;
    const c = compareTensors(reference, rtHost(p.candidate), { opClass, reductionLength: k, float64Reference });
    return { what: p.path, pass: c.pass, maxAbsError: c.metrics?.maxAbsError ?? NaN, comparison: c, message: c.message && `${p.path}: ${c.message}` };
  }
  const same = JSON.stringify(norm(p.reference)) === JSON.stringify(norm(isRt(p.candidate) ? Array.from(p.candidate.dataSync() as ArrayLike<number>) : p.candidate));
  return { what: p.path, pass: same, maxAbsError: same ? 0 : NaN, message: same ? null : `${p.path}: ${describe(p.candidate)} != ${describe(p.reference)}` };
}

function describe(x: unknown): string {
  if (isRt(x)) return `Tensor(shape [${x.shape.join(', ')}], ${x.dtype})`;
  if (x instanceof tf.Tensor) return `tf.Tensor(shape [${x.shape.join(', ')}], ${x.dtype})`;
  try { return JSON.stringify(x) ?? String(x); } catch { return String(x); }
}
