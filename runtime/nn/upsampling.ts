/** `nn.Upsample`: resizing the spatial dims of a channels-first input. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { interpolate } from './functional/sampling.js';
import { pyFloat, pyTuple } from './repr.js';

export interface UpsampleOptions {
  /** The output's spatial size (one of size and scaleFactor). */
  size?: number | readonly number[];
  /** A multiplier per spatial dim, or one for all (one of size and scaleFactor). */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (PyTorch's default; the only mode so far). */
  mode?: 'nearest';
}

/**
 * Upsamples [N, C, L] or [N, C, H, W] by nearest-neighbour sampling (F.interpolate). tfjs's
 * upSampling2d({ size: [sh, sw] }) is Upsample({ scaleFactor: [sh, sw] }) on channels-first input.
 */
export class Upsample extends Module {
  readonly size: number | readonly number[] | undefined;
  readonly scaleFactor: number | readonly number[] | undefined;
  readonly mode: 'nearest';

  constructor(opts: UpsampleOptions = {}) {
    super();
    if ((opts.size === undefined) === (opts.scaleFactor === undefined)) throw new RangeError('Upsample: give exactly one of size and scaleFactor');
    if (opts.mode !== undefined && opts.mode !== 'nearest') throw new RangeError(`Upsample: mode '${String(opts.mode)}' is not supported (only 'nearest'); for tfjs's bilinear resize use compat.image.resizeBilinear`);
    this.size = opts.size;
    this.scaleFactor = opts.scaleFactor;
    this.mode = 'nearest';
  }

  override forward(input: Tensor): Tensor {
    return interpolate(input, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode });
  }

  override extraRepr(): string {
    const fmt = (v: number | readonly number[]) => (typeof v === 'number' ? pyFloat(v) : `(${v.map((x) => pyFloat(x)).join(', ')})`);
    return this.size !== undefined ? `size=${typeof this.size === 'number' ? this.size : pyTuple([...this.size])}, mode='nearest'` : `scale_factor=${fmt(this.scaleFactor!)}, mode='nearest'`;
  }
}
