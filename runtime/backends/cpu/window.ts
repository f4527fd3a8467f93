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

/** interior() for every kj, computed once per call rather than once per output row. */
function interiors(g: Conv2dGeometry): Int32Array {
  const r = new Int32Array(g.kw * 3);
  for (let kj = 0; kj < g.kw; kj++) r.set(interior(kj, g), kj * 3);
  return r;
}

/** Rows shorter than this are copied element by element: subarray + set costs an allocation per row. */
const SET_MIN = 64;

/** x: contiguous [N, C, H, W] at offset → cols [N, C*kh*kw, outH*outW]. */
export function unfoldKernel(x: TypedArray, off: number, g: Conv2dGeometry, padValue: number, out: TypedArray): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padTop, dilationH, outH, outW } = g;
  const ints = interiors(g);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = off + (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const lo = ints[kj * 3], hi = ints[kj * 3 + 1], start = ints[kj * 3 + 2];
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih < 0 || ih >= h) {
              for (let ow = 0; ow < outW; ow++) out[o + ow] = padValue;
              o += outW;
              continue;
            }
            const row = plane + ih * w + start;
            for (let ow = 0; ow < lo; ow++) out[o + ow] = padValue;
            if (strideW === 1) {
              if (hi - lo >= SET_MIN) out.set(x.subarray(row + lo, row + hi), o + lo);
              else for (let ow = lo; ow < hi; ow++) out[o + ow] = x[row + ow];
            } else for (let ow = lo; ow < hi; ow++) out[o + ow] = x[row + ow * strideW];
            for (let ow = hi; ow < outW; ow++) out[o + ow] = padValue;
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
  const ints = interiors(g);
  let o = off;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const lo = ints[kj * 3], hi = ints[kj * 3 + 1], start = ints[kj * 3 + 2];
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

/**
 * Max pooling of contiguous [N, C, H, W] at offset: values and plane indices (ih*w + iw), both [N, C, outH, outW].
 * Only in-bounds elements are visited, so padding never wins; a strict `>` keeps the first maximum and the first
 * NaN wins, as the Reduce kernel's max/argmax do.
 */
export function maxPoolKernel(x: TypedArray, off: number, g: Conv2dGeometry, values: TypedArray, indices: Int32Array): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = g;
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const plane = off + p * h * w;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padTop;
      // first/last ki whose row is inside [0, h)
      const kiLo = h0 >= 0 ? 0 : Math.ceil(-h0 / dilationH), kiHi = Math.min(kh, Math.ceil((h - h0) / dilationH));
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padLeft;
        const kjLo = w0 >= 0 ? 0 : Math.ceil(-w0 / dilationW), kjHi = Math.min(kw, Math.ceil((w - w0) / dilationW));
        let best = -1, m = 0;
        for (let ki = kiLo; ki < kiHi; ki++) {
          const row = (h0 + ki * dilationH) * w + w0;
          for (let kj = kjLo; kj < kjHi; kj++) {
            const i = row + kj * dilationW, v = x[plane + i];
            if (best < 0 || v > m || (v !== v && m === m)) { best = i; m = v; }
          }
        }
        values[o] = m;
        indices[o] = best;
      }
    }
  }
}
