/** `nn.Flatten` and `nn.Unflatten`. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { pyTuple } from './repr.js';

/**
 * Flattens dims startDim..endDim into one: [N, C, H, W] → [N, C·H·W] with the defaults.
 * @param startDim default 1 (keeps the batch dim); endDim default −1
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Expands dim `dim` into `unflattenedSize`: Unflatten(1, [C, H, W]) turns [N, C·H·W] into [N, C, H, W]. */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];

  constructor(readonly dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Array.isArray(unflattenedSize) || unflattenedSize.some((s) => !Number.isInteger(s))) {
      throw new TypeError(`Unflatten: unflattenedSize must be an array of integers, got ${JSON.stringify(unflattenedSize)}`);
    }
    this.unflattenedSize = [...unflattenedSize];
  }

  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
