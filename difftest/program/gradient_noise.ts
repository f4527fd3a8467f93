/**
 * Which parameter elements' mismatch is float noise in the gradient, not a migration bug.
 *
 * A normalising optimizer's first steps turn a gradient element into an update of about `lr · g / (|g| + eps)`
 * (Adam's first step is exactly that), so the update's size hardly depends on |g| but its SIGN is g's sign, and
 * near |g| ≈ eps its sensitivity is `lr / (4·eps)` per unit of g. Where the true gradient is ~0 and its computed
 * value is what is left of a sum whose terms cancel, tfjs and the runtime can round it to different tiny values,
 * even opposite signs: that parameter element then differs by up to 2·lr although both programs are right. This
 * happened to an unmutated control of the planted-bug suite (one run in several; it passed on rerun).
 *
 * The rule: at a step where both sides recorded the weight's gradient (at the same parameters, under replay), a
 * parameter element is set aside when its gradient is indistinguishable from zero on BOTH sides:
 *
 *     max(|g_ref[i]|, |g_cand[i]|) ≤ τ,   τ = max(ε₃₂ · √K · max_j |g_ref[j]|,  max_j |g_ref[j] − g_cand[j]|)
 *
 * i.e. within the float32 rounding a K-term sum at that tensor's gradient scale can carry (K = the batch size, one
 * term per sample), or within the disagreement the two gradients actually show at that step, whichever is larger.
 * Such an element's update direction is not determined by the data, so no tolerance on the parameter can judge it.
 * Everything else is compared as before. The gradients themselves are still compared (and come first in the
 * localisation order), so a gradient far enough off to inflate τ fails its own probe.
 *
 * Why Adam's epsilon (1e-8 vs 1e-7) is still caught: it changes updates only where |g| is within an order of
 * magnitude or so of eps (~1e-6 and below), and those gradients are computed to a few ulps on both sides
 * (τ is ~1e-8 there): they are small but well determined, so they are not set aside.
 */
import { toleranceFor } from '../tolerance.js';

/** float32 machine epsilon (2⁻²³). */
const EPS32 = 2 ** -23;

export interface GradientNoise {
  /** The noise floor τ for this tensor at this step. */
  threshold: number;
  /** Per element: true where both gradients are within τ of zero. */
  undetermined: Uint8Array;
}

/** τ and the elements whose gradient is within it of zero on both sides (see the header). */
export function gradientNoise(gRef: ArrayLike<number>, gCand: ArrayLike<number>, batchSize: number): GradientNoise {
  if (gRef.length !== gCand.length) throw new RangeError(`gradientNoise: the reference gradient has ${gRef.length} elements, the candidate's ${gCand.length}`);
  let scale = 0;
  let disagreement = 0;
  for (let i = 0; i < gRef.length; i++) {
    scale = Math.max(scale, Math.abs(gRef[i]));
    disagreement = Math.max(disagreement, Math.abs(gRef[i] - gCand[i]));
  }
  // NaN gradients make τ NaN, so nothing is set aside (every comparison with NaN is false).
  const threshold = Math.max(EPS32 * Math.sqrt(Math.max(1, batchSize)) * scale, disagreement);
  const undetermined = new Uint8Array(gRef.length);
  for (let i = 0; i < gRef.length; i++) undetermined[i] = Math.abs(gRef[i]) <= threshold && Math.abs(gCand[i]) <= threshold ? 1 : 0;
  return { threshold, undetermined };
}

/**
 * The candidate parameter with its noise-undetermined elements replaced by the reference's (so the comparison
 * judges the rest), and how many of those elements actually mismatched under the parameter tolerance.
 */
export function setAsideNoise(pRef: Float32Array, pCand: Float32Array, noise: GradientNoise): { candidate: Float32Array; setAside: number } {
  const { rtol, atol } = toleranceFor('float32', 'elementwise');
  const candidate = Float32Array.from(pCand);
  let setAside = 0;
  for (let i = 0; i < pRef.length; i++) {
    if (!noise.undetermined[i]) continue;
    if (Math.abs(pCand[i] - pRef[i]) > atol + rtol * Math.abs(pRef[i])) setAside++;
    candidate[i] = pRef[i];
  }
  return { candidate, setAside };
}
