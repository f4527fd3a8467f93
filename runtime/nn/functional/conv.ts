/** F.linear, F.conv1d, F.conv2d, F.convTranspose2d and F.pad. */
import type { Tensor } from '../../tensor.js';
import { fmtShape } from '../../shape.js';
import { checkTensor } from '../../ops/util.js';
import { activeTracer, traceOp } from '../../ops/trace.js';
import { linear as linearOp } from '../../ops/matmul.js';
import { conv1d as conv1dOp, conv2d as conv2dOp } from '../../ops/conv.js';
import { convTranspose2d as convTranspose2dOp, type ConvTranspose2dOptions } from '../../ops/conv_transpose.js';
import type { Pair, Padding } from '../../ops/window.js';
import { cat } from '../../ops/join.js';
import { full } from '../../ops/creation.js';
import { intTensor } from './util.js';

/**
 * Applies an affine map: y = x Wᵀ + b.
 *
 * @param input [*, in]
 * @param weight [out, in] (PyTorch's layout; a tfjs Dense kernel is [in, out])
 * @param bias [out], optional
 * @returns [*, out]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp(input, weight, bias);
}

export interface Conv2dOptions {
  /** Default 1. */
  stride?: Pair;
  /**
   * Default 0: an int or [ph, pw] on both sides, explicit [top, bottom, left, right], 'valid' (none) or
   * 'same' (output size = ceil(input/stride), extra padding at the bottom/right). PyTorch refuses 'same' with
   * stride > 1; here it gives TensorFlow's 'same', which is what migrated tfjs code means.
   */
  padding?: Padding;
  /** Default 1. */
  dilation?: Pair;
  /** Default 1. */
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation) over [N, C, H, W] (or unbatched [C, H, W]) input.
 *
 *   out[n, o] = bias[o] + Σ_c weight[o, c] ⋆ input[n, c]
 *
 * @param weight [out, in/groups, kh, kw]
 * @param bias [out], optional
 * @returns [N, out, H_out, W_out] with H_out = ⌊(H + padTop + padBottom − dilation·(kh − 1) − 1)/stride⌋ + 1
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  return conv2dOp(input, weight, bias, opts);
}

/**
 * Transposed 2-D convolution (PyTorch's conv_transpose2d; the gradient of conv2d with respect to its input).
 *
 * @param input [N, in, H, W] (or [in, H, W])
 * @param weight [in, out/groups, kh, kw] (PyTorch's layout; a tfjs conv2dTranspose kernel is [kh, kw, out, in])
 * @param opts stride (1), padding (0: cropped from both sides of the output), outputPadding (0, < stride: added to
 *   the bottom/right), dilation (1), groups (1)
 * @returns [N, out, H', W'], H' = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  return convTranspose2dOp(input, weight, bias, opts);
}

export interface Conv1dOptions {
  stride?: number | [number];
  padding?: number | [number] | 'same' | 'valid';
  dilation?: number | [number];
  groups?: number;
}

const one = (v: number | [number] | undefined): number | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]) input.
 *
 * @param weight [out, in/groups, k]
 * @param bias [out], optional
 * @returns [N, out, L_out] with L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  const p = opts.padding;
  return conv1dOp(input, weight, bias, {
    stride: one(opts.stride),
    padding: typeof p === 'string' ? p : one(p),
    dilation: one(opts.dilation),
    groups: opts.groups,
  });
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * Pads a tensor. `pad` lists (before, after) pairs starting from the LAST dimension, as PyTorch:
 * `[left, right]` pads the last dim, `[left, right, top, bottom]` the last two. Negative values crop.
 *
 * @param opts.mode 'constant' (default), 'reflect' (mirror without the edge), 'replicate' (repeat the edge),
 *   'circular' (wrap around)
 * @param opts.value the fill value for 'constant'; default 0
 */
export function pad(input: Tensor, pad: readonly number[], opts: { mode?: PadMode; value?: number } = {}): Tensor {
  checkTensor(input, 'pad');
  const mode = opts.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new RangeError(`pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '${mode}'`);
  }
  if (!Array.isArray(pad) || pad.length % 2 !== 0 || pad.some((p) => !Number.isInteger(p))) {
    throw new RangeError(`pad: pad must be an even-length array of integers, got ${JSON.stringify(pad)}`);
  }
  if (pad.length / 2 > input.ndim) {
    throw new RangeError(`pad: padding length ${pad.length} is too large for a ${input.ndim}-D input ${fmtShape(input.shape)} (at most ${2 * input.ndim})`);
  }
  if (mode !== 'constant' && opts.value !== undefined && opts.value !== 0) {
    throw new RangeError(`pad: padding mode '${mode}' doesn't take in value argument`);
  }
  let x = input;
  for (let k = 0; k < pad.length / 2; k++) {
    const d = input.ndim - 1 - k;
    const before = pad[2 * k], after = pad[2 * k + 1];
    if (before === 0 && after === 0) continue;
    x = mode === 'constant' ? padConstant(x, d, before, after, opts.value ?? 0) : padIndexed(x, d, before, after, mode);
  }
  // One Pad node in an exported graph rather than its concatenated constant blocks (shaped by the sample batch).
  if (x !== input && activeTracer !== null) traceOp(x, 'Pad', [input], { pad: pad.slice(), mode, value: opts.value ?? 0 });
  return x;
}

function padConstant(x: Tensor, d: number, before: number, after: number, value: number): Tensor {
  // Crop first (negative padding), then concatenate constant blocks.
  const n = x.shape[d];
  const start = Math.max(-before, 0), end = n - Math.max(-after, 0);
  if (end < start) throw new RangeError(`pad: negative padding (${before}, ${after}) removes more than the ${n} elements of dim ${d}`);
  let y = start > 0 || end < n ? x.slice(d, start, end) : x;
  const parts: Tensor[] = [];
  const block = (len: number) => {
    const shape = y.shape.slice();
    shape[d] = len;
    return full(shape, value, { dtype: y.dtype, device: y.storage.device });
  };
  if (before > 0) parts.push(block(before));
  parts.push(y);
  if (after > 0) parts.push(block(after));
  if (parts.length > 1) y = cat(parts, d);
  return y;
}

function padIndexed(x: Tensor, d: number, before: number, after: number, mode: Exclude<PadMode, 'constant'>): Tensor {
  const n = x.shape[d];
  if (mode === 'reflect' && (before >= n || after >= n)) {
    throw new RangeError(`pad: padding size (${before}, ${after}) should be less than the corresponding input dimension (${n}) for reflect padding of dim ${d} of ${fmtShape(x.shape)}`);
  }
  if (mode === 'circular' && (before > n || after > n)) {
    throw new RangeError(`pad: padding size (${before}, ${after}) should be at most the corresponding input dimension (${n}) for circular padding of dim ${d} of ${fmtShape(x.shape)}`);
  }
  if (n === 0) throw new RangeError(`pad: cannot ${mode}-pad an empty dim ${d} of ${fmtShape(x.shape)}`);
  const idx: number[] = [];
  for (let i = -before; i < n + after; i++) {
    if (mode === 'reflect') idx.push(i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    else if (mode === 'replicate') idx.push(Math.min(Math.max(i, 0), n - 1));
    else idx.push(((i % n) + n) % n);
  }
  return x.indexSelect(d, intTensor(idx, x));
}
