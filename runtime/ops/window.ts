/** The Unfold/Fold primitives as differentiable ops, and the window geometry shared by conv and pooling. */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import type { Conv2dGeometry } from '../backends/backend.js';
import { backendOf, checkTensor, record } from './util.js';
import { activeTracer, traceOp } from './trace.js';

export type Pair = number | [number, number];
export type Padding = Pair | 'same' | 'valid' | [number, number, number, number];

export function pair(v: Pair, op: string, arg: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0)) throw new RangeError(`${op}: ${arg} must be non-negative integers, got ${JSON.stringify(v)}`);
  return p;
}

/**
 * Window geometry for an [N, C, H, W] input. `padding` may be symmetric ([ph, pw]), explicit
 * [top, bottom, left, right], 'valid', or 'same' (total padding split with the extra on the bottom/right,
 * which is both TensorFlow's and PyTorch's rule).
 */
export function geometry(
  x: Tensor | readonly number[], kernel: [number, number], stride: [number, number], padding: Padding, dilation: [number, number], op: string, ceilMode = false,
): Conv2dGeometry {
  // A shape is enough: the transposed convolution asks for the geometry of the conv2d whose input it produces.
  const shape = Array.isArray(x) ? x : (x as Tensor).shape;
  if (shape.length !== 4) throw new RangeError(`${op}: expected a 4-D input [N, C, H, W], got ${fmtShape(shape)}`);
  const [n, c, h, w] = shape;
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  if (sh <= 0 || sw <= 0) throw new RangeError(`${op}: stride must be positive, got [${sh}, ${sw}]`);
  if (dilation[0] <= 0 || dilation[1] <= 0) throw new RangeError(`${op}: dilation must be positive, got [${dilation.join(', ')}]`);
  let pt: number, pb: number, pl: number, pr: number;
  if (padding === 'valid') pt = pb = pl = pr = 0;
  else if (padding === 'same') {
    const total = (size: number, k: number, s: number, d: number) => Math.max((Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0);
    const th = total(h, kh, sh, dilation[0]), tw = total(w, kw, sw, dilation[1]);
    pt = Math.floor(th / 2); pb = th - pt; pl = Math.floor(tw / 2); pr = tw - pl;
  } else if (Array.isArray(padding) && padding.length === 4) [pt, pb, pl, pr] = padding;
  else { const p = pair(padding as Pair, op, 'padding'); pt = pb = p[0]; pl = pr = p[1]; }
  const span = (size: number, k: number, s: number, d: number, p0: number, p1: number) => {
    const eff = size + p0 + p1 - d * (k - 1) - 1;
    if (eff < 0) return -1;
    let o = (ceilMode ? Math.ceil(eff / s) : Math.floor(eff / s)) + 1;
    // PyTorch: with ceil_mode the last window must start inside the input or the left padding.
    if (ceilMode && (o - 1) * s >= size + p0) o--;
    return o;
  };
  const outH = span(h, kh, sh, dilation[0], pt, pb);
  const outW = span(w, kw, sw, dilation[1], pl, pr);
  if (outH <= 0 || outW <= 0) {
    throw new RangeError(`${op}: input ${fmtShape(shape)} is too small for kernel [${kh}, ${kw}] (dilation [${dilation.join(', ')}], padding [${pt}, ${pb}, ${pl}, ${pr}]): the output would be empty`);
  }
  // ceil mode may read past the bottom/right edge: account for it as extra padding.
  pb = Math.max(pb, (outH - 1) * sh + dilation[0] * (kh - 1) + 1 - h - pt);
  pr = Math.max(pr, (outW - 1) * sw + dilation[1] * (kw - 1) + 1 - w - pl);
  return { n, c, h, w, kh, kw, strideH: sh, strideW: sw, padTop: pt, padBottom: pb, padLeft: pl, padRight: pr, dilationH: dilation[0], dilationW: dilation[1], outH, outW };
}

/** im2col: [N, C, H, W] → [N, C*kh*kw, outH*outW]. */
export function unfold(x: Tensor, g: Conv2dGeometry, padValue = 0): Tensor {
  checkTensor(x, 'unfold');
  const out = backendOf(x).unfold(x, g, padValue);
  if (activeTracer !== null) traceOp(out, 'Unfold', [x], { g, padValue });
  return record(out, 'Unfold', [x], (gr) => [fold(gr, g)]);
}

/** col2im, the adjoint of unfold. */
export function fold(cols: Tensor, g: Conv2dGeometry): Tensor {
  checkTensor(cols, 'fold');
  const out = backendOf(cols).fold(cols, g);
  return record(out, 'Fold', [cols], (gr) => [unfold(gr, g)]);
}
