/**
 * Compares analytical gradients with central finite differences, in float64 (torch.autograd.gradcheck).
 * Returns the largest error found; throws with the input and element index when beyond tolerance.
 */
import { Tensor } from '../tensor.js';
import { grad } from './backward.js';
import { noGrad } from './grad_mode.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): number {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const xs = inputs.map((x) => (x.requiresGrad ? x : x.detach().requiresGrad_()));
  for (const x of xs) if (x.dtype !== 'float64') throw new TypeError(`gradcheck: inputs must be float64 for finite differences to be meaningful, got ${x.dtype}`);
  const out = fn(...xs);
  // A random projection of the output turns a vector function into a scalar one; check that.
  const proj = noGrad(() => out.detach().mul(0).add(out.detach().mul(0).add(1)).mul(
    new Tensor(out.storage, out.shape, undefined, 0).mul(0).add(1)));
  const w = noGrad(() => proj.clone());
  const wd = w.dataSync();
  for (let i = 0; i < wd.length; i++) wd[i] = Math.sin(i * 1.7 + 0.3) + 1.1;
  const weights = Tensor.fromData(wd, out.shape.slice(), 'float64', 'cpu');
  const analytic = grad([out.mul(weights).sum()], xs, { allowUnused: true });
  let worst = 0;
  xs.forEach((x, k) => {
    const data = x.storage.data;
    const a = analytic[k]?.dataSync();
    const n = x.numel();
    if (!x.isContiguous()) throw new Error('gradcheck: inputs must be contiguous');
    for (let i = 0; i < n; i++) {
      const at = x.offset + i;
      const orig = data[at];
      data[at] = orig + eps;
      const fp = noGrad(() => fn(...xs).mul(weights).sum().item());
      data[at] = orig - eps;
      const fm = noGrad(() => fn(...xs).mul(weights).sum().item());
      data[at] = orig;
      const numeric = (fp - fm) / (2 * eps);
      const analyticV = a ? a[i] : 0;
      const err = Math.abs(numeric - analyticV);
      worst = Math.max(worst, err);
      // NOTE: written so a NaN gradient fails (NaN > tol would be false).
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradcheck: input ${k}, element ${i}: analytical gradient ${analyticV} vs numerical ${numeric} (|Δ| = ${err.toExponential(3)})`);
      }
    }
  });
  return worst;
}
