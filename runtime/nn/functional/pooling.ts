/** Pooling: F.maxPool1d/2d, F.avgPool1d/2d, F.adaptiveAvgPool1d/2d (wrappers over runtime/ops/pool.ts). */
import type { Tensor } from '../../tensor.js';
import * as P from '../../ops/pool.js';
import type { Pair } from '../../ops/window.js';
import { checkTensor } from '../../ops/util.js';
import { fmtShape } from '../../shape.js';

export interface MaxPool2dOptions {
  /** Default: kernelSize. */
  stride?: Pair | null;
  /** Implicit −∞ padding on both sides; at most half the kernel. Default 0. */
  padding?: Pair;
  /** Default 1. */
  dilation?: Pair;
  /** Use ceil instead of floor for the output size. Default false. */
  ceilMode?: boolean;
  /** Not supported (the max indices are not exposed); must be false. */
  returnIndices?: boolean;
}

function noIndices(opts: { returnIndices?: boolean }, op: string): void {
  if (opts.returnIndices) throw new Error(`${op}: returnIndices is not supported; use argmax over an unfolded input if you need the positions`);
}

/**
 * 2-D max pooling over [N, C, H, W] (or [C, H, W]).
 * @returns [N, C, H_out, W_out], H_out = ⌊(H + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1
 */
export function maxPool2d(input: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor {
  noIndices(opts, 'maxPool2d');
  return P.maxPool2d(input, kernelSize, opts);
}

/** 1-D max pooling over [N, C, L] (or [C, L]). */
export function maxPool1d(input: Tensor, kernelSize: number, opts: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean; returnIndices?: boolean } = {}): Tensor {
  noIndices(opts, 'maxPool1d');
  checkRank(input, [2, 3], 'maxPool1d', '[N, C, L] or [C, L]');
  return P.maxPool1d(input, kernelSize, opts);
}

export interface AvgPool2dOptions {
  /** Default: kernelSize. */
  stride?: Pair | null;
  /** Implicit zero padding on both sides. Default 0. */
  padding?: Pair;
  /** Default false. */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor. Default true (tfjs 'same' pooling excludes it). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number;
}

/** 2-D average pooling over [N, C, H, W] (or [C, H, W]). */
export function avgPool2d(input: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  return P.avgPool2d(input, kernelSize, opts);
}

/** 1-D average pooling over [N, C, L] (or [C, L]). */
export function avgPool1d(input: Tensor, kernelSize: number, opts: { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {}): Tensor {
  checkRank(input, [2, 3], 'avgPool1d', '[N, C, L] or [C, L]');
  return P.avgPool1d(input, kernelSize, opts);
}

/**
 * Adaptive 2-D average pooling: output cell (i, j) averages input rows ⌊iH/oh⌋..⌈(i+1)H/oh⌉ and the same for
 * columns. `outputSize` is an int or [oh, ow].
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: Pair): Tensor {
  return P.adaptiveAvgPool2d(input, outputSize);
}

/** Adaptive 1-D average pooling over [N, C, L] (or [C, L]) to `outputSize` positions. */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number): Tensor {
  checkRank(input, [2, 3], 'adaptiveAvgPool1d', '[N, C, L] or [C, L]');
  return P.adaptiveAvgPool2d(input.unsqueeze(-2), [1, outputSize]).squeeze(-2);
}

function checkRank(x: Tensor, ranks: number[], op: string, what: string): void {
  checkTensor(x, op);
  if (!ranks.includes(x.ndim)) throw new RangeError(`${op}: expected a ${what} input, got ${fmtShape(x.shape)}`);
}
