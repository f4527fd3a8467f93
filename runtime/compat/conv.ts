/**
 * tf.conv2dTranspose with tfjs's exact semantics: NHWC input and output, filter [kh, kw, outDepth, inDepth], and the
 * padding of the conv2d it transposes computed from `outputShape` as TensorFlow does ('same' puts an odd row or
 * column at the bottom/right of that conv2d's input). PyTorch's `padding` + `outputPadding` cannot say every one of
 * those (k 3, stride 2 to an even size is one row off), so the helper builds the geometry itself and runs the
 * runtime's transposed-convolution composite (ops/conv_transpose.ts), whose gradients follow.
 */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { conv2dInputGradComposite } from '../ops/conv.js';
import { geometry, pair, type Padding } from '../ops/window.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/**
 * x [batch, h, w, inDepth] (or 3-D), filter [kh, kw, outDepth, inDepth], outputShape [batch, h', w', outDepth] (or
 * 3-D): the tensor of shape outputShape that tf.conv2d(·, filter, strides, pad) maps onto x's shape, transposed.
 * `dimRoundingMode` only decides which output sizes tfjs accepts; the check below does that.
 */
export function conv2dTranspose(
  x: Tensor, filter: Tensor, outputShape: readonly number[], strides: number | [number, number], pad: Pad, dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor {
  const op = 'compat.conv2dTranspose';
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: x must be a tensor`);
  if (!(filter instanceof Tensor)) throw new TypeError(`${op}: filter must be a tensor`);
  void dimRoundingMode;
  const unbatched = x.ndim === 3;
  const x4 = unbatched ? x.unsqueeze(0) : x;
  const out = unbatched && outputShape.length === 3 ? [1, ...outputShape] : [...outputShape];
  if (x4.ndim !== 4) throw new RangeError(`${op}: x must be [batch, h, w, inDepth] or [h, w, inDepth] (NHWC), got ${fmtShape(x.shape)}`);
  if (filter.ndim !== 4) throw new RangeError(`${op}: filter must be [kh, kw, outDepth, inDepth], got ${fmtShape(filter.shape)}`);
  if (out.length !== 4 || !out.every((d) => Number.isInteger(d) && d > 0)) throw new RangeError(`${op}: outputShape must be [batch, h, w, outDepth] of positive integers, got ${JSON.stringify(outputShape)}`);
  const [n, h, w, inDepth] = x4.shape;
  const [kh, kw, outDepth, fIn] = filter.shape;
  if (fIn !== inDepth) throw new RangeError(`${op}: x has ${inDepth} channels (last axis) but filter ${fmtShape(filter.shape)} expects ${fIn} (its fourth axis)`);
  if (out[3] !== outDepth) throw new RangeError(`${op}: outputShape's depth ${out[3]} is not the filter's outDepth ${outDepth} (its third axis)`);
  if (out[0] !== n) throw new RangeError(`${op}: outputShape's batch ${out[0]} is not x's ${n}`);
  let padding: Padding;
  if (pad === 'same' || pad === 'valid') padding = pad;
  else if (typeof pad === 'number') padding = [pad, pad];
  else if (Array.isArray(pad) && pad.length === 4) padding = [pad[1][0], pad[1][1], pad[2][0], pad[2][1]];
  else throw new RangeError(`${op}: pad must be 'same', 'valid', a number or [[0, 0], [top, bottom], [left, right], [0, 0]], got ${JSON.stringify(pad)}`);
  const g = geometry([n, outDepth, out[1], out[2]], [kh, kw], pair(strides, op, 'strides'), padding, [1, 1], op);
  if (g.outH !== h || g.outW !== w) {
    throw new RangeError(`${op}: a conv2d of outputShape ${JSON.stringify(outputShape)} with strides ${JSON.stringify(strides)} and pad ${JSON.stringify(pad)} gives [${g.outH}, ${g.outW}], not x's [${h}, ${w}]: pick the outputShape that tf.conv2d maps onto x`);
  }
  // NHWC → NCHW, [kh, kw, out, in] → [in, out, kh, kw] (conv2d's OIHW with the roles of in and out swapped).
  const y = conv2dInputGradComposite(x4.permute([0, 3, 1, 2]), filter.permute([3, 2, 0, 1]), g, 1).permute([0, 2, 3, 1]);
  return unbatched ? y.squeeze(0) : y;
}
