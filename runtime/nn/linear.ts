/** `nn.Identity` and `nn.Linear`. */
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import type { DeviceLike } from '../device.js';
import { empty } from '../ops/creation.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import * as init from './init.js';
import { linear } from './functional/conv.js';
import { pyBool } from './repr.js';

/** Where new parameters are created (PyTorch's factory kwargs). */
export interface FactoryOptions {
  /** Default 'float32'. */
  dtype?: DType;
  /** Default 'cpu'. */
  device?: DeviceLike;
}

/** A placeholder that returns its input unchanged (arguments are accepted and ignored, as PyTorch). */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(input: any): any {
    return input;
  }
}

export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias. Default true. */
  bias?: boolean;
}

/**
 * Applies an affine map to the last dim: y = x Wᵀ + b.
 *
 * Weight and bias are initialised from U(−1/√in, 1/√in) (PyTorch's kaiming_uniform with a = √5; tfjs's
 * dense layer uses glorotUniform and zero bias instead).
 *
 * @param inFeatures size of each input sample
 * @param outFeatures size of each output sample
 * @param opts.bias default true
 *
 * Shapes: input [*, inFeatures] → output [*, outFeatures]; weight [outFeatures, inFeatures], bias [outFeatures].
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Linear: ${name} must be a non-negative integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const f = { dtype: opts.dtype, device: opts.device };
    this.registerParameter('weight', Parameter(empty([outFeatures, inFeatures], f)));
    this.registerParameter('bias', opts.bias ?? true ? Parameter(empty([outFeatures], f)) : null);
    this.resetParameters();
  }

  /** Re-draws weight and bias from U(−1/√in, 1/√in) (weight first, then bias). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
