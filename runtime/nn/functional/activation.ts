/** Activation functions (F.relu, F.gelu, F.softmax, ...): thin wrappers over runtime/ops with PyTorch's defaults. */
import type { Tensor } from '../../tensor.js';
import * as A from '../../ops/activation.js';
import { checkTensor, requireFloat } from '../../ops/util.js';
import { logSigmoidFused, softplusFused } from './fused.js';
import { fmtShape, normDim } from '../../shape.js';
import { where } from '../../ops/elementwise.js';

/** relu(x) = max(x, 0). */
export function relu(x: Tensor): Tensor {
  checkTensor(x, 'relu');
  return x.relu();
}

/** relu6(x) = min(max(x, 0), 6). */
export function relu6(x: Tensor): Tensor {
  checkTensor(x, 'relu6');
  return A.relu6(x);
}

/** leakyRelu(x) = x if x > 0 else negativeSlope·x. @param negativeSlope default 0.01 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor(x, 'leakyRelu');
  return A.leakyRelu(x, negativeSlope);
}

/** elu(x) = x if x > 0 else alpha·(exp(x) − 1). @param alpha default 1 */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensor(x, 'elu');
  return A.elu(x, alpha);
}

/** selu(x) = scale·elu(x, alpha) with alpha ≈ 1.6733, scale ≈ 1.0507. */
export function selu(x: Tensor): Tensor {
  checkTensor(x, 'selu');
  return A.selu(x);
}

/**
 * gelu(x) = x·Φ(x) (exact, with erf); `approximate: 'tanh'` uses 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * @param opts.approximate 'none' (default) or 'tanh'
 */
export function gelu(x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  checkTensor(x, 'gelu');
  const approximate = opts.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  return A.gelu(x, approximate);
}

export function sigmoid(x: Tensor): Tensor {
  checkTensor(x, 'sigmoid');
  return x.sigmoid();
}

export function tanh(x: Tensor): Tensor {
  checkTensor(x, 'tanh');
  return x.tanh();
}

/** silu(x) = x·sigmoid(x) (swish). */
export function silu(x: Tensor): Tensor {
  checkTensor(x, 'silu');
  return A.silu(x);
}

/** mish(x) = x·tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  checkTensor(x, 'mish');
  return x.mul(softplusFused(x, 1, 20).tanh());
}

/** softplus(x) = log(1 + exp(beta·x))/beta, and x where beta·x > threshold. Defaults beta 1, threshold 20. */
export function softplus(x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor {
  checkTensor(x, 'softplus');
  requireFloat(x, 'softplus');
  return softplusFused(x, opts.beta ?? 1, opts.threshold ?? 20);
}

/** hardtanh(x) = clamp(x, minVal, maxVal). Defaults -1, 1. */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  checkTensor(x, 'hardtanh');
  if (minVal > maxVal) throw new RangeError(`hardtanh: minVal (${minVal}) cannot be greater than maxVal (${maxVal})`);
  return A.hardtanh(x, minVal, maxVal);
}

/** hardsigmoid(x) = clamp(x/6 + 1/2, 0, 1). */
export function hardsigmoid(x: Tensor): Tensor {
  checkTensor(x, 'hardsigmoid');
  return x.div(6).add(0.5).clamp(0, 1);
}

/** hardswish(x) = x·hardsigmoid(x). */
export function hardswish(x: Tensor): Tensor {
  return x.mul(hardsigmoid(x));
}

/** logSigmoid(x) = log(1/(1 + exp(−x))), computed stably. */
export function logSigmoid(x: Tensor): Tensor {
  checkTensor(x, 'logSigmoid');
  requireFloat(x, 'logSigmoid');
  return logSigmoidFused(x);
}

/** softsign(x) = x/(1 + |x|). */
export function softsign(x: Tensor): Tensor {
  checkTensor(x, 'softsign');
  return x.div(x.abs().add(1));
}

/** threshold(x) = x if x > threshold else value (PyTorch's F.threshold; tfjs's thresholdedReLU is value 0). */
export function threshold(x: Tensor, threshold: number, value: number): Tensor {
  checkTensor(x, 'threshold');
  requireFloat(x, 'threshold');
  return where(x.gt(threshold), x, value);
}

/**
 * prelu(x) = x if x > 0 else weight·x, weight one value ([1]) or one per channel ([C], channels on dim 1 as in
 * PyTorch: [N, C], [N, C, L], [N, C, H, W]).
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkTensor(x, 'prelu');
  checkTensor(weight, 'prelu', 'weight');
  if (weight.ndim !== 1) throw new RangeError(`prelu: weight must be 1-D ([1] or [channels]), got ${fmtShape(weight.shape)}`);
  const n = weight.shape[0];
  let w = weight;
  if (n !== 1) {
    if (x.ndim < 2 || x.shape[1] !== n) throw new RangeError(`prelu: weight ${fmtShape(weight.shape)} needs the input's dim 1 to be ${n} (channels first), got input ${fmtShape(x.shape)}`);
    w = weight.reshape([n, ...new Array<number>(x.ndim - 2).fill(1)]);
  }
  return where(x.gt(0), x, x.mul(w));
}

/** softmax(x)_i = exp(x_i)/Σ_j exp(x_j) along dim (computed stably). */
export function softmax(x: Tensor, dim: number): Tensor {
  checkTensor(x, 'softmax');
  if (dim === undefined) throw new TypeError('softmax: dim is required (PyTorch deprecated the implicit choice); tfjs code uses dim -1');
  return A.softmax(x, normDim(dim, x.ndim, 'softmax'));
}

/** logSoftmax(x)_i = x_i − log Σ_j exp(x_j) along dim. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkTensor(x, 'logSoftmax');
  if (dim === undefined) throw new TypeError('logSoftmax: dim is required (PyTorch deprecated the implicit choice); tfjs code uses dim -1');
  return A.logSoftmax(x, normDim(dim, x.ndim, 'logSoftmax'));
}

/** softmin(x) = softmax(−x) along dim. */
export function softmin(x: Tensor, dim: number): Tensor {
  return softmax(x.neg(), dim);
}
