/**
 * `compat.layers.GaussianNoise` and `GaussianDropout`: tfjs's regularising noise layers, which PyTorch has no
 * module for. In training mode GaussianNoise adds N(0, stddev²) noise and GaussianDropout multiplies by
 * N(1, rate/(1 − rate)) noise (tfjs-layers' formulas, noise.ts); after `eval()` both are the identity, as tfjs's
 * layers are outside training. The noise comes from the runtime's seeded generator, so its values differ from
 * tfjs's; its distribution is the same. The gradient flows through the noise as a constant.
 */
import type { Tensor } from '../tensor.js';
import { randnLike } from '../ops/creation.js';
import { Module } from '../nn/module.js';
import { pyFloat } from '../nn/repr.js';

export class GaussianNoise extends Module {
  constructor(readonly stddev: number) {
    super();
    if (typeof stddev !== 'number' || !(stddev >= 0)) throw new RangeError(`compat.layers.GaussianNoise: stddev must be a non-negative number, got ${String(stddev)}`);
  }

  override forward(input: Tensor): Tensor {
    if (!this.training || this.stddev === 0) return input;
    return input.add(randnLike(input).mul(this.stddev));
  }

  override extraRepr(): string {
    return `stddev=${pyFloat(this.stddev)}`;
  }
}

export class GaussianDropout extends Module {
  constructor(readonly rate: number) {
    super();
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new RangeError(`compat.layers.GaussianDropout: rate must be in [0, 1), got ${String(rate)}`);
  }

  override forward(input: Tensor): Tensor {
    // tfjs applies the noise only for 0 < rate < 1.
    if (!this.training || this.rate === 0) return input;
    const std = Math.sqrt(this.rate / (1 - this.rate));
    return input.mul(randnLike(input).mul(std).add(1));
  }

  override extraRepr(): string {
    return `rate=${pyFloat(this.rate)}`;
  }
}
