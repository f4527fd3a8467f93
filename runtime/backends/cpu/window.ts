/** CPU Unfold (im2col) and Fold (col2im) kernels; convolution and pooling are built on these. */
import { allocArray, type TypedArray } from '../../dtype.js';
import type { Conv2dGeometry } from '../backend.js';

/** x: contiguous [N, C, H, W] at offset → cols [N, C*kh*kw, outH*outW]. */
export function unfoldKernel(x: TypedArray, off: number, g: Conv2dGeometry, padValue: number, out: TypedArray): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = g;
  const L = outH * outW;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = off + (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih < 0 || ih >= h) {
              for (let ow = 0; ow < outW; ow++) out[o++] = padValue;
              continue;
            }
            const row = plane + ih * w;
            let iw = kj * dilationW - padLeft;
            for (let ow = 0; ow < outW; ow++, iw += strideW) out[o++] = iw >= 0 && iw < w ? x[row + iw] : padValue;
          }
        }
      }
    }
  }
  void L;
}

/** cols contiguous [N, C*kh*kw, outH*outW] → [N, C, H, W], summing overlapping windows. */
export function foldKernel(cols: TypedArray, off: number, g: Conv2dGeometry): TypedArray {
  const { n, c, h, w, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = g;
  const out = allocArray(cols instanceof Float64Array ? 'float64' : 'float32', n * c * h * w, true);
  let o = off;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih < 0 || ih >= h) { o += outW; continue; }
            const row = plane + ih * w;
            let iw = kj * dilationW - padLeft;
            for (let ow = 0; ow < outW; ow++, iw += strideW, o++) if (iw >= 0 && iw < w) out[row + iw] += cols[o];
          }
        }
      }
    }
  }
  return out;
}
