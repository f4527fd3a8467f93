/** Activation modules: stateless wrappers over the F functions of the same name. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import * as F from './functional/activation.js';
import { pyFloat } from './repr.js';
import { implicitSoftmaxDim } from './functional/util.js';
import { full } from '../ops/creation.js';
import { Parameter } from './parameter.js';
import type { FactoryOptions } from './linear.js';

/** ReLU(x) = max(0, x). */
export class ReLU extends Module {
  override forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/** ReLU6(x) = min(max(0, x), 6). */
export class ReLU6 extends Module {
  override forward(input: Tensor): Tensor {
    return F.relu6(input);
  }
}

/** LeakyReLU(x) = x if x > 0 else negativeSlope·x. @param negativeSlope default 0.01 (tfjs's leakyReLU: alpha 0.3) */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/** ELU(x) = x if x > 0 else alpha·(exp(x) − 1). @param alpha default 1 */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** SELU(x) = 1.0507·ELU(x, 1.6733). */
export class SELU extends Module {
  override forward(input: Tensor): Tensor {
    return F.selu(input);
  }
}

/** GELU(x) = x·Φ(x); `{ approximate: 'tanh' }` for the tanh approximation. Default 'none'. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = opts.approximate ?? 'none';
  }

  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Sigmoid(x) = 1/(1 + exp(−x)). */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** Tanh(x). */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** SiLU(x) = x·sigmoid(x) (swish). */
export class SiLU extends Module {
  override forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

/** Mish(x) = x·tanh(softplus(x)). */
export class Mish extends Module {
  override forward(input: Tensor): Tensor {
    return F.mish(input);
  }
}

/** Softplus(x) = log(1 + exp(beta·x))/beta, linear where beta·x > threshold. Defaults beta 1, threshold 20. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = opts.beta ?? 1;
    this.threshold = opts.threshold ?? 20;
  }

  override forward(input: Tensor): Tensor {
    return F.softplus(input, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}

/** Hardtanh(x) = clamp(x, minVal, maxVal). Defaults −1, 1. */
export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/** LogSigmoid(x) = log(sigmoid(x)). */
export class LogSigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.logSigmoid(input);
  }
}

/** Softsign(x) = x/(1 + |x|). */
export class Softsign extends Module {
  override forward(input: Tensor): Tensor {
    return F.softsign(input);
  }
}

/**
 * Softmax along dim. If dim is omitted, PyTorch's legacy implicit choice applies (0 for 0-, 1- and 3-D
 * input, else 1); pass it explicitly (tfjs's softmax is over the last dim, −1).
 */
export class Softmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim ?? implicitSoftmaxDim(input.ndim));
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/** LogSoftmax along dim (implicit dim as Softmax when omitted). */
export class LogSoftmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim ?? implicitSoftmaxDim(input.ndim));
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/** Softmin along dim = Softmax(−x). */
export class Softmin extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return F.softmin(input, this.dim ?? implicitSoftmaxDim(input.ndim));
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/**
 * Threshold(x) = x if x > threshold else value. tfjs's thresholdedReLU({ theta }) is Threshold(theta, 0).
 * @param threshold the value x must exceed; @param value what replaces x at or below it
 */
export class Threshold extends Module {
  constructor(readonly threshold: number, readonly value: number) {
    super();
    if (typeof threshold !== 'number' || typeof value !== 'number') throw new TypeError(`Threshold: threshold and value must be numbers, got ${String(threshold)} and ${String(value)}`);
  }

  override forward(input: Tensor): Tensor {
    return F.threshold(input, this.threshold, this.value);
  }

  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}`;
  }
}

/**
 * PReLU(x) = x if x > 0 else a·x, with a learned: one a for all elements (numParameters 1) or one per channel
 * (numParameters = C, channels on dim 1: [N, C], [N, C, L], [N, C, H, W]).
 * (PyTorch calls it num_parameters; here numChannels, as Module.numParameters() counts the parameters.)
 * @param numParameters default 1; @param opts.init a's initial value, default 0.25 (tfjs's prelu starts at 0)
 */
export class PReLU extends Module {
  declare weight: Tensor;
  readonly numChannels: number;

  constructor(numParameters = 1, opts: { init?: number } & FactoryOptions = {}) {
    super();
    if (!Number.isInteger(numParameters) || numParameters <= 0) throw new RangeError(`PReLU: numParameters must be a positive integer, got ${numParameters}`);
    this.numChannels = numParameters;
    this.registerParameter('weight', Parameter(full([numParameters], opts.init ?? 0.25, { dtype: opts.dtype ?? 'float32', device: opts.device })));
  }

  override forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }

  override extraRepr(): string {
    return `num_parameters=${this.numChannels}`;
  }
}
