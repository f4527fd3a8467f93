/**
 * CPU Unfold (im2col) and Fold (col2im) kernels; convolution and pooling are built on these.
 * Each output row segment is split into [left padding | interior | right padding]; with stride 1 the interior
 * is one contiguous run, copied with TypedArray.set (im2col of a conv layer moves millions of elements a step).
 */
import { allocArray, type TypedArray } from '../../dtype.js';
import type { Conv2dGeometry } from '../backend.js';

/** The ow range [lo, hi) whose input column iw = ow*stride - padLeft + kj*dilation falls inside [0, w). */
function interior(kj: number, g: Conv2dGeometry): [number, number, number] {
  const start = kj * g.dilationW - g.padLeft; // iw at ow = 0
  const lo = Math.min(g.outW, Math.max(0, Math.ceil(-start / g.strideW)));
  const hi = Math.max(lo, Math.min(g.outW, Math.ceil((g.w - start) / g.strideW)));
  return [lo, hi, start];
}

/** x: contiguous [N, C, H, W] at offset → cols [N, C*kh*kw, outH*outW]. */
export function unfoldKernel(x: TypedArray, off: number, g: Conv2dGeometry, padValue: number, out: TypedArray): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padTop, dilationH, outH, outW } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = off + (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const [lo, hi, start] = interior(kj, g);
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih < 0 || ih >= h) {
              out.fill(padValue, o, o + outW);
              o += outW;
              continue;
            }
            const row = plane + ih * w + start;
            if (lo > 0) out.fill(padValue, o, o + lo);
            if (strideW === 1) out.set(x.subarray(row + lo, row + hi), o + lo);
            else for (let ow = lo; ow < hi; ow++) out[o + ow] = x[row + ow * strideW];
            if (hi < outW) out.fill(padValue, o + hi, o + outW);
            o += outW;
          }
        }
      }
    }
  }
}

/** cols contiguous [N, C*kh*kw, outH*outW] → [N, C, H, W], summing overlapping windows. */
export function foldKernel(cols: TypedArray, off: number, g: Conv2dGeometry): TypedArray {
  const { n, c, h, w, kh, kw, strideH, strideW, padTop, dilationH, outH, outW } = g;
  const out = allocArray(cols instanceof Float64Array ? 'float64' : 'float32', n * c * h * w, true);
  let o = off;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const [lo, hi, start] = interior(kj, g);
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih >= 0 && ih < h) {
              const row = plane + ih * w + start;
              for (let ow = lo; ow < hi; ow++) out[row + ow * strideW] += cols[o + ow];
            }
            o += outW;
          }
        }
      }
    }
  }
  return out;
}
