/** `nn.utils`: gradient clipping and flat parameter vectors. */
import type { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../memory.js';
import { full } from '../ops/creation.js';
import { cat, stack } from '../ops/join.js';

type Params = Tensor | Iterable<Tensor>;

const asList = (p: Params): Tensor[] => ((p as Tensor).__isTensor ? [p as Tensor] : [...(p as Iterable<Tensor>)]);

/**
 * Rescales gradients in place so that their combined norm is at most maxNorm:
 *
 *   total = ‖(‖g_1‖_p, ..., ‖g_k‖_p)‖_p,   g_i ← g_i · min(1, maxNorm / (total + 1e-6))
 *
 * @param parameters tensors (or one tensor) whose `.grad` to clip; those without a gradient are skipped
 * @param maxNorm the largest allowed norm
 * @param normType p: a number or Infinity. Default 2
 * @param opts.errorIfNonfinite throw if the total norm is NaN or ±∞ instead of scaling by it. Default false
 * @returns the total norm of the gradients before clipping, a 0-d tensor
 */
export function clipGradNorm_(parameters: Params, maxNorm: number, normType = 2, opts: { errorIfNonfinite?: boolean } = {}): Tensor {
  const grads = asList(parameters).map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return full([], 0);
  return tidy(() => noGrad(() => {
    const norms = grads.map((g) => (normType === Infinity ? g.abs().amax() : g.norm(normType)).to(grads[0].dtype));
    const total = normType === Infinity ? stack(norms).amax() : stack(norms).norm(normType);
    if (opts.errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new Error(`clipGradNorm_: the total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set { errorIfNonfinite: false }`);
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(coef.to(g.dtype));
    return total;
  }));
}

/** Clamps every gradient in place to [−clipValue, clipValue]. */
export function clipGradValue_(parameters: Params, clipValue: number): void {
  if (!(clipValue >= 0)) throw new RangeError(`clipGradValue_: clipValue must be non-negative, got ${clipValue}`);
  noGrad(() => {
    for (const p of asList(parameters)) if (p.grad) p.grad.clamp_(-clipValue, clipValue);
  });
}

/** All parameters flattened and concatenated into one 1-D tensor (a copy). */
export function parametersToVector(parameters: Params): Tensor {
  const ps = asList(parameters);
  if (ps.length === 0) throw new RangeError('parametersToVector: got no parameters');
  return cat(ps.map((p) => p.reshape([-1])));
}

/** Copies consecutive slices of a 1-D vector into the parameters (in place, under noGrad). */
export function vectorToParameters(vec: Tensor, parameters: Params): void {
  const ps = asList(parameters);
  const total = ps.reduce((n, p) => n + p.numel(), 0);
  if (vec.ndim !== 1 || vec.shape[0] !== total) {
    throw new RangeError(`vectorToParameters: expected a 1-D vector of ${total} elements (the parameters' total), got ${fmtShape(vec.shape)}`);
  }
  noGrad(() => {
    let at = 0;
    for (const p of ps) {
      const n = p.numel();
      p.copy_(vec.slice(0, at, at + n).reshape(p.shape));
      at += n;
    }
  });
}
