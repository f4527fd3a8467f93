/** F.interpolate: resizing the spatial dims of a channels-first tensor. */
import type { Tensor } from '../../tensor.js';
import { fmtShape } from '../../shape.js';
import { checkTensor } from '../../ops/util.js';
import { intTensor } from './util.js';

export interface InterpolateOptions {
  /** The output's spatial size: a number (every spatial dim) or one per spatial dim. */
  size?: number | readonly number[];
  /** A multiplier per spatial dim (or one for all); the output size is ⌊in · scale⌋. */
  scaleFactor?: number | readonly number[];
  /** Only 'nearest' so far (see below). */
  mode?: 'nearest';
}

/**
 * Resizes the spatial dims of an [N, C, L], [N, C, H, W] input (channels first, as PyTorch) by nearest-neighbour
 * sampling: output index i reads input index ⌊i · in / out⌋ (PyTorch's 'nearest'; with an integer scale each
 * input pixel is repeated scale times, which is also tfjs's resizeNearestNeighbor without alignCorners).
 * Built from indexSelect, so the gradient sums over the copies.
 *
 * NOTE: 'bilinear' is not here: PyTorch's samples at half-pixel centres, tfjs's resizeBilinear at i · in / out;
 * migrated tfjs code calls compat.image.resizeBilinear, which is tfjs's.
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  checkTensor(input, 'interpolate');
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest') throw new RangeError(`interpolate: mode '${String(mode)}' is not supported (only 'nearest'); for tfjs's bilinear resize use compat.image.resizeBilinear`);
  if (input.ndim !== 3 && input.ndim !== 4) throw new RangeError(`interpolate: expected a 3-D [N, C, L] or 4-D [N, C, H, W] input, got ${fmtShape(input.shape)}`);
  const spatial = input.ndim - 2;
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) throw new RangeError('interpolate: give exactly one of size and scaleFactor');
  const per = (v: number | readonly number[], arg: string): number[] => {
    const a = typeof v === 'number' ? new Array<number>(spatial).fill(v) : [...v];
    if (a.length !== spatial || a.some((x) => !(typeof x === 'number' && x > 0 && Number.isFinite(x)))) {
      throw new RangeError(`interpolate: ${arg} must be a positive number or ${spatial} of them for input ${fmtShape(input.shape)}, got ${JSON.stringify(v)}`);
    }
    return a;
  };
  const inSizes = input.shape.slice(2);
  const outSizes = opts.size !== undefined ? per(opts.size, 'size') : per(opts.scaleFactor!, 'scaleFactor').map((s, i) => Math.floor(inSizes[i] * s));
  if (opts.size !== undefined && outSizes.some((n) => !Number.isInteger(n))) throw new RangeError(`interpolate: size must be integers, got ${JSON.stringify(opts.size)}`);
  // PyTorch: with scaleFactor the source index is ⌊i / scale⌋, with size ⌊i · in / out⌋ (equal for integer scales).
  const scales = opts.scaleFactor !== undefined ? per(opts.scaleFactor, 'scaleFactor') : null;
  let x = input;
  for (let d = 0; d < spatial; d++) {
    const n = inSizes[d], out = outSizes[d];
    if (out === 0) throw new RangeError(`interpolate: the output size of dim ${d + 2} would be 0 (input ${fmtShape(input.shape)})`);
    if (out === n) continue;
    const idx = Array.from({ length: out }, (_, i) => Math.min(n - 1, Math.floor(scales ? i / scales[d] : (i * n) / out)));
    x = x.indexSelect(d + 2, intTensor(idx, input));
  }
  return x;
}
