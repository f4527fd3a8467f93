/**
 * Functions whose composite form would have the wrong gradient at a kink or a NaN from an infinite masked
 * branch, written as one recorded node each: the value under noGrad, the closed-form gradient beside it.
 * (Not part of F; F's softplus, logSigmoid and the BCE losses use them.)
 */
import type { Tensor } from '../../tensor.js';
import { record } from '../../ops/util.js';
import { where } from '../../ops/elementwise.js';
import { noGrad } from '../../autograd/grad_mode.js';

/**
 * softplus(x) = log(1 + exp(βx))/β, or x where βx > threshold (PyTorch's definition); d/dx = sigmoid(βx).
 * NOTE: log1p(exp(−|z|)) + relu(z) has the right value but its parts' gradients cancel to 0 at z = 0.
 */
export function softplusFused(x: Tensor, beta: number, threshold: number): Tensor {
  const out = noGrad(() => {
    const bx = x.mul(beta);
    return where(bx.gt(threshold), x, bx.clamp(null, threshold).exp().log1p().div(beta));
  });
  return record(out, 'Softplus', [x], (g) => {
    const bx = x.mul(beta);
    return [where(bx.gt(threshold), g, g.mul(bx.sigmoid()))];
  }, [x]);
}

/** log(sigmoid(x)) = min(x, 0) − log1p(exp(−|x|)); d/dx = sigmoid(−x). */
export function logSigmoidFused(x: Tensor): Tensor {
  const out = noGrad(() => x.clamp(null, 0).sub(x.abs().neg().exp().log1p()));
  return record(out, 'LogSigmoid', [x], (g) => [g.mul(x.neg().sigmoid())], [x]);
}

/**
 * Elementwise binary cross-entropy on probabilities, logs clamped to ≥ −100 as PyTorch:
 *   ℓ = −(t·max(log x, −100) + (1 − t)·max(log(1 − x), −100))
 * Gradients are PyTorch's: ∂ℓ/∂x = (x − t)/max(x(1 − x), 1e-12), ∂ℓ/∂t = max(log(1 − x), −100) − max(log x, −100).
 */
export function bceFused(x: Tensor, t: Tensor): Tensor {
  const logs = () => [x.log().clamp(-100), x.neg().add(1).log().clamp(-100)];
  const out = noGrad(() => {
    const [lx, l1x] = logs();
    return t.mul(lx).add(t.neg().add(1).mul(l1x)).neg();
  });
  return record(out, 'BinaryCrossEntropy', [x, t], (g) => {
    const [lx, l1x] = logs();
    return [
      x.requiresGrad ? g.mul(x.sub(t)).div(x.mul(x.neg().add(1)).clamp(1e-12)) : null,
      t.requiresGrad ? g.mul(l1x.sub(lx)) : null,
    ];
  }, [x, t]);
}

/**
 * Elementwise binary cross-entropy on logits, stable form (PyTorch's):
 *   ℓ = (1 − t)·x + w·softplus(−x),   w = 1 + (posWeight − 1)·t   (w = 1 without posWeight)
 * ∂ℓ/∂x = (1 − t) − w·sigmoid(−x) (= sigmoid(x) − t when w = 1), ∂ℓ/∂t = −x, ∂ℓ/∂w = softplus(−x).
 */
export function bceWithLogitsFused(x: Tensor, t: Tensor, w: Tensor | null): Tensor {
  // softplus(−x) = max(−x, 0) + log1p(exp(−|x|)), finite for every x.
  const spNeg = () => x.neg().clamp(0).add(x.abs().neg().exp().log1p());
  const out = noGrad(() => {
    const sp = spNeg();
    return t.neg().add(1).mul(x).add(w ? w.mul(sp) : sp);
  });
  return record(out, 'BinaryCrossEntropyWithLogits', [x, t, w], (g) => {
    const sNeg = x.neg().sigmoid();
    return [
      x.requiresGrad ? g.mul(t.neg().add(1).sub(w ? w.mul(sNeg) : sNeg)) : null,
      t.requiresGrad ? g.mul(x).neg() : null,
      w && w.requiresGrad ? g.mul(spNeg()) : null,
    ];
  }, w ? [x, t, w] : [x, t]);
}
