/** `nn.ZeroPad2d`: constant-zero padding of the last two dims. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { pad } from './functional/conv.js';
import { pyTuple } from './repr.js';

/**
 * Pads the last two dims ([.., H, W]) with zeros. `padding` is one number for every side or
 * [left, right, top, bottom] — PyTorch's order, last dim first (tfjs's zeroPadding2d says [[top, bottom],
 * [left, right]]). Negative values crop, as in PyTorch.
 */
export class ZeroPad2d extends Module {
  readonly padding: [number, number, number, number];

  constructor(padding: number | readonly [number, number, number, number]) {
    super();
    const p = typeof padding === 'number' ? [padding, padding, padding, padding] : Array.isArray(padding) ? [...padding] : [];
    if (p.length !== 4 || p.some((v) => !Number.isInteger(v))) throw new RangeError(`ZeroPad2d: padding must be an integer or [left, right, top, bottom] integers, got ${JSON.stringify(padding)}`);
    this.padding = p as [number, number, number, number];
  }

  override forward(input: Tensor): Tensor {
    if (input.ndim < 2) throw new RangeError(`ZeroPad2d: expected an input of at least 2 dims ([.., H, W]), got [${input.shape.join(', ')}]`);
    return pad(input, this.padding);
  }

  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
