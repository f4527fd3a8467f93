/** `nn.Dropout`, `nn.Dropout1d` and `nn.Dropout2d`: active in training mode, identity after `eval()`. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { dropout, dropout1d, dropout2d } from './functional/dropout.js';
import { pyFloat } from './repr.js';

function checkP(p: number, op: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
  return p;
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1 − p);
 * identity in eval mode. Draws from the seeded global generator.
 * @param p default 0.5 (tfjs's dropout takes a rate too, same meaning)
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = checkP(p, 'Dropout');
  }

  override forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Channel dropout for [N, C, L]: zeroes whole channels with probability p (scaled by 1/(1 − p)). */
export class Dropout1d extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = checkP(p, 'Dropout1d');
  }

  override forward(input: Tensor): Tensor {
    return dropout1d(input, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Channel dropout for [N, C, H, W]: zeroes whole feature maps with probability p (scaled by 1/(1 − p)). */
export class Dropout2d extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = checkP(p, 'Dropout2d');
  }

  override forward(input: Tensor): Tensor {
    return dropout2d(input, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
