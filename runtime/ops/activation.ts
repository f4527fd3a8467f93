/** Softmax family and activations that are composites of primitives (gradients come from the parts). */
import { Tensor } from '../tensor.js';
import { normDim } from '../shape.js';
import { checkTensor, record, requireFloat } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { amax, logsumexp } from './reduce.js';
import { noGrad } from '../autograd/grad_mode.js';
import { where } from './elementwise.js';

/** softmax(x)_i = exp(x_i - max) / Σ_j exp(x_j - max) along dim; one fused node with the closed-form gradient. */
export function softmax(x: Tensor, dim: number): Tensor {
  checkTensor(x, 'softmax');
  requireFloat(x, 'softmax');
  const d = normDim(dim, x.ndim, 'softmax');
  const y = noGrad(() => {
    const e = x.sub(amax(x, d, true)).exp();
    return e.div(e.sum(d, true));
  });
  if (activeTracer !== null) traceOp(y, 'Softmax', [x], { dim: d });
  // dL/dx = y * (g - Σ g·y)
  return record(y, 'Softmax', [x], (g) => [y.mul(g.sub(g.mul(y).sum(d, true)))], [y]);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkTensor(x, 'logSoftmax');
  requireFloat(x, 'logSoftmax');
  const d = normDim(dim, x.ndim, 'logSoftmax');
  const y = noGrad(() => x.sub(logsumexp(x, d, true)));
  if (activeTracer !== null) traceOp(y, 'LogSoftmax', [x], { dim: d });
  // dL/dx = g - softmax(x) * Σ g
  return record(y, 'LogSoftmax', [x], (g) => [g.sub(y.exp().mul(g.sum(d, true)))], [y]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const y = where(x.gt(0), x, x.mul(negativeSlope));
  if (activeTracer !== null) traceOp(y, 'LeakyRelu', [x], { negativeSlope });
  return y;
}

export function elu(x: Tensor, alpha = 1): Tensor {
  return where(x.gt(0), x, x.expm1().mul(alpha));
}

export function selu(x: Tensor): Tensor {
  return elu(x, 1.6732632423543772).mul(1.0507009873554805);
}

/** GELU, exact (erf) by default; approximate: 'tanh' gives the tanh approximation (tfjs's gelu uses erf too). */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(inner.tanh().add(1));
  }
  return x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1));
}

/** softplus(x) = log(1 + exp(βx))/β, linear above `threshold` as PyTorch. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkTensor(x, 'softplus');
  requireFloat(x, 'softplus');
  // log1p(exp(-|z|)) + max(z, 0) is the stable form; one node with the closed-form gradient sigmoid(βx),
  // because differentiating the stable form piecewise gives 0 instead of 0.5 at x = 0.
  const y = noGrad(() => {
    const bx = x.mul(beta);
    return where(bx.gt(threshold), x, bx.abs().neg().exp().log1p().add(bx.relu()).div(beta));
  });
  return record(y, 'Softplus', [x], (g) => {
    const bx = x.mul(beta);
    return [g.mul(where(bx.gt(threshold), 1, bx.sigmoid()))];
  }, [x]);
}

export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/** clamp to [min, max] with PyTorch's hardtanh gradient: 0 at the boundaries too (clamp's is 1 there). */
export function hardtanh(x: Tensor, min = -1, max = 1): Tensor {
  return where(x.le(min), min, where(x.ge(max), max, x));
}

export function logSigmoid(x: Tensor): Tensor {
  return softplus(x.neg()).neg();
}
