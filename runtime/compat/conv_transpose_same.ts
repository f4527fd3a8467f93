/**
 * `compat.layers.ConvTranspose2dSame`: tfjs's `tf.layers.conv2dTranspose({ padding: 'same' })` as an
 * nn.ConvTranspose2d (PyTorch's weight layout [in, out, kh, kw], NCHW) for every kernel and stride.
 *
 * tfjs's 'same' output is input·stride, the transpose of a conv2d whose 'same' padding k − s is split with the odd
 * row/column at the bottom/right. PyTorch's `padding` crops the same amount from both sides and `outputPadding`
 * only adds rows, so where k − s is odd no nn.ConvTranspose2d gives that geometry: this module pads ⌊(k − s)/2⌋
 * (the top/left crop tfjs makes) and crops the one extra bottom row / right column after. Where k − s is even or
 * negative it is nn.ConvTranspose2d with `padding` (k − s)/2 or `outputPadding` s − k, and crops nothing.
 */
import type { Tensor } from '../tensor.js';
import { ConvTranspose2d } from '../nn/conv.js';
import { fromState, materialize, placeholders, sizeFrom } from '../nn/lazy.js';
import { isUninitialized, MATERIALIZE_FROM_STATE } from '../nn/uninitialized.js';
import type { FactoryOptions } from '../nn/linear.js';

export interface ConvTranspose2dSameOptions extends FactoryOptions {
  /** Default 1. */
  stride?: number | readonly [number, number];
  /** Default true. */
  bias?: boolean;
}

const pairOf = (v: number | readonly number[], arg: string): [number, number] => {
  const p = typeof v === 'number' ? [v, v] : [...v];
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x <= 0)) throw new RangeError(`ConvTranspose2dSame: ${arg} must be a positive integer or two of them, got ${JSON.stringify(v)}`);
  return [p[0], p[1]];
};

/**
 * Transposed 2-D convolution over [N, C_in, H, W] (or [C_in, H, W]) with tfjs's 'same' geometry: output
 * [N, outChannels, H·stride, W·stride]. Weight [inChannels, outChannels, kh, kw]; init as nn.ConvTranspose2d.
 */
export class ConvTranspose2dSame extends ConvTranspose2d {
  /** Rows / columns cropped from the bottom / right of nn.ConvTranspose2d's output (1 where k − s is odd and positive). */
  readonly cropEnd: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], opts: ConvTranspose2dSameOptions = {}) {
    const k = pairOf(kernelSize, 'kernelSize');
    const s = pairOf(opts.stride ?? 1, 'stride');
    const total = [k[0] - s[0], k[1] - s[1]];
    super(inChannels, outChannels, k, {
      stride: s, bias: opts.bias, dtype: opts.dtype, device: opts.device,
      padding: [Math.max(Math.floor(total[0] / 2), 0), Math.max(Math.floor(total[1] / 2), 0)],
      outputPadding: [Math.max(-total[0], 0), Math.max(-total[1], 0)],
    });
    this.cropEnd = [total[0] > 0 ? total[0] % 2 : 0, total[1] > 0 ? total[1] % 2 : 0];
  }

  override forward(input: Tensor): Tensor {
    let y = super.forward(input);
    const h = y.ndim - 2;
    if (this.cropEnd[0]) y = y.narrow(h, 0, y.shape[h] - this.cropEnd[0]);
    if (this.cropEnd[1]) y = y.narrow(h + 1, 0, y.shape[h + 1] - this.cropEnd[1]);
    return y;
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, padding=same (tfjs)`;
  }
}

/**
 * `ConvTranspose2dSame` whose input channels are those of its first input ([N, C, H, W] or [C, H, W]), as
 * nn.LazyConvTranspose2d is for nn.ConvTranspose2d (nn/lazy.ts): until then its weight and bias are placeholders;
 * the first call (or loading a state dict) sizes them, initialises them as ConvTranspose2d does, runs the
 * `nn.whenMaterialized` callbacks (tfjs's glorot init, in migrated code) and makes the module a ConvTranspose2dSame.
 */
export class LazyConvTranspose2dSame extends ConvTranspose2dSame {
  constructor(outChannels: number, kernelSize: number | readonly [number, number], opts: ConvTranspose2dSameOptions = {}) {
    super(0, outChannels, kernelSize, opts);
    placeholders(this, 'LazyConvTranspose2dSame', ['weight', 'bias']);
  }

  override resetParameters(): void {
    if (this.inChannels > 0) super.resetParameters();
  }

  private become(inChannels: number): void {
    materialize(this, ConvTranspose2dSame, { inChannels }, { weight: [inChannels, this.outChannels, ...this.kernelSize], bias: [this.outChannels] });
  }

  override forward(input: Tensor): Tensor {
    if (isUninitialized(this.weight)) this.become(sizeFrom(input, 'LazyConvTranspose2dSame', -3, 3, 'inChannels'));
    return super.forward(input);
  }

  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void {
    const n = fromState(shapeOf, 'LazyConvTranspose2dSame', 'weight', 0);
    if (n !== undefined) this.become(n);
  }
}
