/** Convolutions as im2col (Unfold) + Matmul; gradients follow from those two primitives. */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { checkTensor, requireFloat } from './util.js';
import { geometry, pair, unfold, type Pair, type Padding } from './window.js';
import { matmul } from './matmul.js';
import { reshape, squeeze, unsqueeze } from './view.js';

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation, as every framework): input [N, C, H, W], weight [O, C/groups, kh, kw]
 * (PyTorch's OIHW; tfjs filters are HWIO), bias [O].
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkTensor(x, 'conv2d', 'input');
  checkTensor(weight, 'conv2d', 'weight');
  requireFloat(x, 'conv2d');
  const groups = opts.groups ?? 1;
  if (x.ndim === 3) return squeeze(conv2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (weight.ndim !== 4) throw new RangeError(`conv2d: weight must be 4-D [out, in/groups, kh, kw], got ${fmtShape(weight.shape)}`);
  const [O, Cg, kh, kw] = weight.shape;
  if (x.ndim !== 4) throw new RangeError(`conv2d: expected a 3-D or 4-D input [N, C, H, W], got ${fmtShape(x.shape)}`);
  const C = x.shape[1];
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0 || O % groups !== 0) {
    throw new RangeError(`conv2d: groups=${groups} must divide both in_channels (${C}) and out_channels (${O})`);
  }
  if (Cg * groups !== C) {
    throw new RangeError(`conv2d: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(weight.shape)} expects ${Cg * groups} (= ${Cg} × groups ${groups}); is the input NHWC? permute it to NCHW`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new RangeError(`conv2d: bias must be [${O}], got ${fmtShape(bias.shape)}`);
  const g = geometry(x, [kh, kw], pair(opts.stride ?? 1, 'conv2d', 'stride'), opts.padding ?? 0, pair(opts.dilation ?? 1, 'conv2d', 'dilation'), 'conv2d');
  const N = x.shape[0], L = g.outH * g.outW;
  const cols = unfold(x, g); // [N, C*kh*kw, L]
  let y: Tensor;
  if (groups === 1) {
    y = matmul(reshape(weight, [O, C * kh * kw]), cols); // [N, O, L]
  } else {
    const cg = reshape(cols, [N, groups, Cg * kh * kw, L]);
    const wg = reshape(weight, [groups, O / groups, Cg * kh * kw]);
    y = reshape(matmul(wg, cg), [N, O, L]);
  }
  if (bias) y = y.add(reshape(bias, [O, 1]));
  return reshape(y, [N, O, g.outH, g.outW]);
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
}

/** 1-D convolution: input [N, C, L], weight [O, C/groups, k]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  checkTensor(x, 'conv1d', 'input');
  checkTensor(weight, 'conv1d', 'weight');
  if (x.ndim === 2) return squeeze(conv1d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 3 || weight.ndim !== 3) throw new RangeError(`conv1d: expected input [N, C, L] and weight [O, C/groups, k], got ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`);
  const p = opts.padding ?? 0;
  const padding: Padding = typeof p === 'number' ? [0, p] : p === 'same' ? 'same' : 'valid';
  let y = conv2d(unsqueeze(x, 2), unsqueeze(weight, 2), bias, { stride: [1, opts.stride ?? 1], padding: padding === 'same' ? 'same' : padding, dilation: [1, opts.dilation ?? 1], groups: opts.groups });
  y = squeeze(y, 2);
  return y;
}
