/**
 * The transposed 2-D convolution (PyTorch's conv_transpose2d, tfjs's conv2dTranspose): the gradient of conv2d with
 * respect to its input, run forward. It is that gradient's composite — Wᵀ · x (Matmul) scattered back by Fold — so
 * its own gradients follow from those two primitives on every backend.
 */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { checkTensor, requireFloat } from './util.js';
import { conv2dInputGradComposite } from './conv.js';
import { geometry, pair, type Pair } from './window.js';
import { reshape, squeeze, unsqueeze } from './view.js';

export interface ConvTranspose2dOptions {
  stride?: Pair;
  /** Removed from both sides of the output (PyTorch's `padding`): dilation·(k−1) − padding zeros around the input. */
  padding?: Pair;
  /** Added to one side (bottom/right) of the output, to pick among the sizes a strided conv2d maps to one input size. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/**
 * input [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw] (PyTorch's layout; tfjs's filter is [kh, kw, Cout, Cin]),
 * bias [Cout]. Output [N, Cout, H', W'] with H' = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkTensor(x, op, 'input');
  checkTensor(weight, op, 'weight');
  requireFloat(x, op);
  if (x.ndim === 3) return squeeze(convTranspose2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 4) throw new RangeError(`${op}: expected a 3-D or 4-D input [N, C, H, W], got ${fmtShape(x.shape)}`);
  if (weight.ndim !== 4) throw new RangeError(`${op}: weight must be 4-D [in, out/groups, kh, kw], got ${fmtShape(weight.shape)}`);
  const groups = opts.groups ?? 1;
  const [N, C, H, W] = x.shape;
  const [Cin, Coutg, kh, kw] = weight.shape;
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0) throw new RangeError(`${op}: groups=${groups} must divide in_channels (${C})`);
  if (Cin !== C) throw new RangeError(`${op}: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(weight.shape)} expects ${Cin}; is the input NHWC? permute it to NCHW`);
  const Cout = Coutg * groups;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== Cout)) throw new RangeError(`${op}: bias must be [${Cout}], got ${fmtShape(bias.shape)}`);
  const [sh, sw] = pair(opts.stride ?? 1, op, 'stride');
  const [ph, pw] = pair(opts.padding ?? 0, op, 'padding');
  const [oph, opw] = pair(opts.outputPadding ?? 0, op, 'outputPadding');
  const [dh, dw] = pair(opts.dilation ?? 1, op, 'dilation');
  // PyTorch also allows outputPadding < dilation when stride is smaller; that output is not one conv2d's input here.
  if (oph < 0 || opw < 0 || oph >= sh || opw >= sw) {
    throw new RangeError(`${op}: outputPadding [${oph}, ${opw}] must be non-negative and smaller than stride [${sh}, ${sw}]`);
  }
  const outH = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const outW = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (outH <= 0 || outW <= 0) throw new RangeError(`${op}: padding [${ph}, ${pw}] leaves an empty output for input ${fmtShape(x.shape)} and kernel [${kh}, ${kw}]`);
  // The conv2d this one transposes: from [N, Cout, outH, outW] to [N, Cin, H, W]. outputPadding rows are beyond its
  // last window, so they only receive what a window reaches through the padding.
  const g = geometry([N, Cout, outH, outW], [kh, kw], [sh, sw], [ph, ph, pw, pw], [dh, dw], op);
  if (g.outH !== H || g.outW !== W) throw new Error(`${op}: internal: geometry [${g.outH}, ${g.outW}] does not map back to the input [${H}, ${W}]`);
  const y = conv2dInputGradComposite(x, weight, g, groups);
  return bias ? y.add(reshape(bias, [Cout, 1, 1])) : y;
}
