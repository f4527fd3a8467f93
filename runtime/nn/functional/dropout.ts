/** Dropout: F.dropout, F.dropout1d and F.dropout2d, using the seeded global generator (torch.manualSeed) or opts.generator. */
import type { Tensor } from '../../tensor.js';
import type { Generator } from '../../random.js';
import { checkTensor, requireFloat } from '../../ops/util.js';
import { rand } from '../../ops/creation.js';
import { fmtShape } from '../../shape.js';

export interface DropoutOptions {
  /** Probability of zeroing an element. Default 0.5. */
  p?: number;
  /** Apply dropout (true, the default) or return the input unchanged. */
  training?: boolean;
  /** Where the mask's random numbers come from (default: the global generator, torch.manualSeed). */
  generator?: Generator;
}

export interface FDropoutOptions extends DropoutOptions {
  /**
   * tfjs's `noiseShape`: the mask is drawn at this shape (broadcastable to the input's) and broadcast, so e.g.
   * [N, 1, 1, C] drops whole channels of an NHWC input. Default: the input's shape.
   */
  noiseShape?: readonly number[] | null;
}

function checkP(p: number, op: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
}

/** Keeps each element of `shape` with probability 1 − p, scaled by 1/(1 − p): a {0, 1/(1−p)} mask. */
function keepMask(x: Tensor, shape: readonly number[], p: number, generator?: Generator): Tensor {
  const u = rand(shape, { dtype: x.dtype, device: x.storage.device, generator });
  return u.ge(p).to(x.dtype).div(1 - p);
}

/**
 * Inverted dropout: during training each element is zeroed with probability p and the rest are scaled by
 * 1/(1 − p), so the expected value is unchanged; identity when `training` is false.
 */
export function dropout(input: Tensor, opts: FDropoutOptions = {}): Tensor {
  checkTensor(input, 'dropout');
  const p = opts.p ?? 0.5;
  checkP(p, 'dropout');
  const shape = opts.noiseShape ?? input.shape;
  if (shape.length !== input.ndim || shape.some((d, i) => d !== input.shape[i] && d !== 1)) {
    throw new RangeError(`dropout: noiseShape ${fmtShape([...shape])} must have the input's rank and each dim equal to the input's or 1 (input ${fmtShape(input.shape)})`);
  }
  if (opts.training === false || p === 0) return input;
  requireFloat(input, 'dropout');
  if (p === 1) return input.mul(0);
  return input.mul(keepMask(input, shape, p, opts.generator));
}

/**
 * Channel dropout for sequences: zeroes whole channels (input[n, c, :]) with probability p, scaling the rest by
 * 1/(1 − p). Input [N, C, L] or unbatched [C, L] (PyTorch's dropout1d; tfjs's spatialDropout1d on [N, L, C]).
 */
export function dropout1d(input: Tensor, opts: DropoutOptions = {}): Tensor {
  checkTensor(input, 'dropout1d');
  const p = opts.p ?? 0.5;
  checkP(p, 'dropout1d');
  if (input.ndim !== 2 && input.ndim !== 3) throw new RangeError(`dropout1d: expected a 2-D [C, L] or 3-D [N, C, L] input, got ${fmtShape(input.shape)}`);
  if (opts.training === false || p === 0) return input;
  requireFloat(input, 'dropout1d');
  if (p === 1) return input.mul(0);
  const shape = input.shape.map((s, i) => (i < input.ndim - 1 ? s : 1));
  return input.mul(keepMask(input, shape, p, opts.generator));
}

/**
 * Channel dropout: zeroes whole channels (input[n, c, :, :]) with probability p, scaling the rest by
 * 1/(1 − p). Input [N, C, H, W] or unbatched [C, H, W].
 */
export function dropout2d(input: Tensor, opts: DropoutOptions = {}): Tensor {
  checkTensor(input, 'dropout2d');
  const p = opts.p ?? 0.5;
  checkP(p, 'dropout2d');
  if (input.ndim !== 3 && input.ndim !== 4) throw new RangeError(`dropout2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got ${fmtShape(input.shape)}`);
  if (opts.training === false || p === 0) return input;
  requireFloat(input, 'dropout2d');
  if (p === 1) return input.mul(0);
  const shape = input.shape.map((s, i) => (i < input.ndim - 2 ? s : 1));
  return input.mul(keepMask(input, shape, p, opts.generator));
}
