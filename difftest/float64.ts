/**
 * The float64 tie-breaker: the emitted code run again in float64, used as the truth where float32 rounding alone
 * separates tfjs and the runtime (compare.ts's `float64Reference`).
 */
import { compareTensors, type HostTensorData } from './compare.js';
import { toleranceFor, type OpClass } from './tolerance.js';
import { flattenOutputs, isRt, runRuntime, type GradientSpec, type PreparedSample } from './sample.js';

/**
 * The float64 result here is the candidate's own code run in float64, not an independent implementation: a mistake
 * in the emitted code (softmax on the wrong axis) is reproduced in it exactly and would "confirm" the candidate.
 * So it arbitrates only where tfjs agrees with it to within 10× the op class's tolerance — all three compute the same
 * math and differ in rounding alone, which is the dispute the tie-breaker exists for.
 */
export function plausibleTruth(reference: HostTensorData, f64: ArrayLike<number>, opClass: OpClass, k: number): boolean {
  if (f64.length !== reference.data.length) return false;
  const t = toleranceFor(reference.dtype, opClass, k);
  const truth: HostTensorData = { data: f64, shape: reference.shape, dtype: reference.dtype };
  return compareTensors(truth, reference, { opClass, rtol: 10 * t.rtol, atol: 10 * t.atol }).pass;
}

/** The same emitted code in float64 (float leaves and weights), for the tie-breaker; null when it cannot run so. */
export function float64Run(prep: PreparedSample, code: string, spec: GradientSpec | null) {
  try {
    const { out, grads } = runRuntime(prep, code, 'float64', spec);
    const forward = new Map<string, ArrayLike<number>>();
    for (const p of flattenOutputs(out)) if (isRt(p.value) && p.value.dtype === 'float64') forward.set(p.path, p.value.dataSync() as ArrayLike<number>);
    return { forward, grads: (grads ?? []).map((g) => (g.dtype === 'float64' ? (g.dataSync() as ArrayLike<number>) : undefined)) };
  } catch {
    return null;
  }
}
