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
 * A second rule, for elements whose gradient is small but not zero (updateNoise): under replay both sides start the
 * step from the same parameters p₀, so each side's update is u = p − p₀. For SGD u is proportional to g, and for
 * Adam's step u = lr·m̂/(√v̂ + eps), whose relative change with the current gradient is at most the gradient's own
 * (at the first step exactly (δg/g)·eps/(|g| + eps)). So an element whose update differs by no more than
 *
 *     |u_cand − u_ref| ≤ ρ·|u_ref|,   ρ = |g_ref − g_cand| / |g_ref|   (capped at 2: a sign flip)
 *
 * differs only as far as its gradients already do, and the gradients are judged by their own probe. This is what
 * happens where |g| is near Adam's eps and a few-percent rounding difference of a cancelling sum (a dense bias
 * before batch norm, a kernel row fed by mostly-zero pixels) becomes a 1e-5 parameter difference. Where Adam's
 * later moments make the real sensitivity larger than ρ, the element is not set aside and the probe fails (too
 * strict, never too lenient). A bug in the update itself (lr, eps, betas, a parameter left out of the optimizer)
 * changes u at elements whose gradients agree (ρ ≈ 0), so it is not set aside. Momentum and Adam's moments carry
 * earlier gradients into later updates, so ρ is the largest relative disagreement of the element's gradient over the
 * steps compared so far; from ρ = 1 on (a gradient whose sign was noise) any two updates are accepted there.
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

/**
 * Per element: true where the parameter's update after the step differs between the sides by no more than the
 * relative difference of its gradients allows (the header's second rule). `before` is the parameter both sides
 * started the step from (the reference's, under replay).
 */
export function updateNoise(pRef: ArrayLike<number>, pCand: ArrayLike<number>, before: ArrayLike<number>, gRef: ArrayLike<number>, gCand: ArrayLike<number>, carried?: Float64Array): Uint8Array {
  const n = pRef.length;
  if (pCand.length !== n || before.length !== n || gRef.length !== n || gCand.length !== n || (carried && carried.length !== n)) {
    throw new RangeError(`updateNoise: parameters, starting point and gradients differ in size (${[pRef.length, pCand.length, before.length, gRef.length, gCand.length].join(', ')})`);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const uRef = pRef[i] - before[i];
    const uCand = pCand[i] - before[i];
    const g = Math.abs(gRef[i]);
    let rho = g > 0 ? Math.min(2, Math.abs(gRef[i] - gCand[i]) / g) : 2;
    // A momentum optimizer's update carries every earlier gradient: the worst relative disagreement so far counts.
    if (carried) rho = carried[i] = Math.max(carried[i], rho);
    // From ρ = 1 on the gradient's sign is not determined, and neither is either side's update: any two updates.
    const scale = rho >= 1 ? Math.max(Math.abs(uRef), Math.abs(uCand)) : Math.abs(uRef);
    // NaN anywhere fails the comparison, so nothing NaN is set aside.
    out[i] = Math.abs(uCand - uRef) <= rho * scale ? 1 : 0;
  }
  return out;
}
