/** Softmax cross-entropy with class indices, fused: one kernel forward, the closed-form gradient backward. */
import { hostValues } from '../compile/hooks.js';
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { backendOf, checkTensor, record, requireFloat } from './util.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { softmax } from './activation.js';
import { where } from './elementwise.js';
import { full } from './creation.js';

/**
 * Per-row −log softmax(x)[n, t_n] for logits [N, C] and int32 targets [N] (0 where t_n = ignoreIndex).
 * ∂ℓ_n/∂x_n = softmax(x_n) − onehot(t_n). Targets must already be validated (0 ≤ t < C or ignoreIndex).
 */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor, ignoreIndex = -100): Tensor {
  checkTensor(logits, 'softmaxCrossEntropy', 'input');
  checkTensor(target, 'softmaxCrossEntropy', 'target');
  requireFloat(logits, 'softmaxCrossEntropy');
  if (logits.ndim !== 2 || target.ndim !== 1 || target.shape[0] !== logits.shape[0] || target.dtype !== 'int32') {
    throw new RangeError(`softmaxCrossEntropy: expected logits [N, C] and int32 target [N], got ${fmtShape(logits.shape)} and ${fmtShape(target.shape)} ${target.dtype}`);
  }
  const { loss, softmax: probs } = backendOf(logits).softmaxCrossEntropy(logits, target, ignoreIndex);
  return record(loss, 'SoftmaxCrossEntropy', [logits], (g) => {
    // With createGraph the softmax must be differentiable; otherwise reuse the forward's.
    const p = isGradEnabled() ? softmax(logits, 1) : probs;
    if (noneIgnored(target, ignoreIndex)) {
      // The common case, in 3 kernels instead of 8: (p − onehot(t)) · g[:, None].
      const minusOne = noGrad(() => full([target.shape[0], 1], -1, { dtype: logits.dtype, device: logits.device }));
      return [p.scatterAdd(1, target.unsqueeze(1), minusOne).mul(g.unsqueeze(1))];
    }
    const [safe, validF] = noGrad(() => {
      const valid = target.ne(ignoreIndex);
      return [where(valid, target, 0), valid.to(logits.dtype)];
    });
    const minusOne = validF.neg().unsqueeze(1);
    return [p.scatterAdd(1, safe.unsqueeze(1), minusOne).mul(g.mul(validF).unsqueeze(1))];
  }, [target, probs]);
}

/** True when no target is ignoreIndex, known without a kernel (host-side targets only; GPU ones answer false). */
function noneIgnored(target: Tensor, ignoreIndex: number): boolean {
  if (target.storage.device !== 'cpu') return false;
  return hostValues(target, 'softmaxCrossEntropy backward: any target ignored', (t) => {
    for (let i = 0; i < t.length; i++) if (t[i] === ignoreIndex) return false;
    return true;
  });
}
