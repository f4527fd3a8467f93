/**
 * tf.image.resizeBilinear / resizeNearestNeighbor with tfjs's exact sampling: its source coordinate is
 * `scale * dst` (no half-pixel offset) unless `halfPixelCenters`, and `alignCorners` maps the corner pixels onto
 * each other — PyTorch's `interpolate(align_corners=False)` samples at half-pixel centres instead, so it would give
 * different pixels for tfjs's defaults. Built from indexSelect and arithmetic, so gradients flow as in tfjs.
 * Images are NHWC (`[h, w, c]` or `[batch, h, w, c]`), as in tfjs; the result is float32 (nearest keeps the dtype).
 */
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';

type Size = [number, number] | readonly number[];

function checkArgs(op: string, images: Tensor, size: Size): { x: Tensor; squeeze: boolean; newH: number; newW: number } {
  if (!(images instanceof Tensor)) throw new TypeError(`${op}: images must be a tensor`);
  if (images.ndim !== 3 && images.ndim !== 4) throw new RangeError(`${op}: images must be [h, w, c] or [batch, h, w, c] (NHWC), got shape [${images.shape.join(', ')}]`);
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(`${op}: size must be [newHeight, newWidth] of positive integers, got ${JSON.stringify(size)}`);
  }
  return { x: images.ndim === 3 ? images.unsqueeze(0) : images, squeeze: images.ndim === 3, newH: size[0], newW: size[1] };
}

function ratio(oldN: number, newN: number, alignCorners: boolean): number {
  const aligned = alignCorners && newN > 1;
  return (aligned ? oldN - 1 : oldN) / (aligned ? newN - 1 : newN);
}

const ints = (v: number[]) => tensor(Int32Array.from(v), { dtype: 'int32' });

/** Per output row/column: the two source indices and the fraction between them (tfjs's kernel, line for line). */
function bilinearAxis(oldN: number, newN: number, alignCorners: boolean, halfPixelCenters: boolean) {
  const r = ratio(oldN, newN, alignCorners);
  const lo: number[] = [], hi: number[] = [], frac: number[] = [];
  for (let i = 0; i < newN; i++) {
    const src = halfPixelCenters ? r * (i + 0.5) - 0.5 : r * i;
    const floor = Math.max(0, Math.floor(src));
    lo.push(floor);
    hi.push(Math.min(oldN - 1, Math.ceil(src)));
    frac.push(src - floor);
  }
  return { lo: ints(lo), hi: ints(hi), frac };
}

export function resizeBilinear(images: Tensor, size: Size, alignCorners = false, halfPixelCenters = false): Tensor {
  const op = 'compat.image.resizeBilinear';
  if (alignCorners && halfPixelCenters) throw new RangeError(`${op}: alignCorners and halfPixelCenters cannot both be true (tfjs refuses it too)`);
  const { x, squeeze, newH, newW } = checkArgs(op, images, size);
  // tfjs returns float32 for integer images; a float64 image stays float64 (the runtime's own dtype, for gradient checks).
  const f = x.dtype === 'float32' || x.dtype === 'float64' ? x : x.to('float32');
  const [, oldH, oldW] = f.shape;
  const rows = bilinearAxis(oldH, newH, alignCorners, halfPixelCenters);
  const cols = bilinearAxis(oldW, newW, alignCorners, halfPixelCenters);
  const colFrac = tensor(cols.frac, { dtype: 'float32' }).reshape([1, 1, newW, 1]);
  const rowFrac = tensor(rows.frac, { dtype: 'float32' }).reshape([1, newH, 1, 1]);
  const top = f.indexSelect(1, rows.lo);
  const bottom = f.indexSelect(1, rows.hi);
  const lerpCols = (t: Tensor) => {
    const left = t.indexSelect(2, cols.lo);
    return left.add(t.indexSelect(2, cols.hi).sub(left).mul(colFrac));
  };
  const t = lerpCols(top);
  const out = t.add(lerpCols(bottom).sub(t).mul(rowFrac));
  return squeeze ? out.squeeze(0) : out;
}

function nearestAxis(oldN: number, newN: number, alignCorners: boolean, halfPixelCenters: boolean): Tensor {
  const r = ratio(oldN, newN, alignCorners);
  const idx: number[] = [];
  for (let i = 0; i < newN; i++) {
    const src = halfPixelCenters ? r * (i + 0.5) : r * i;
    let n = Math.min(oldN - 1, alignCorners ? Math.round(src) : Math.floor(src));
    if (halfPixelCenters) n = Math.max(0, n);
    idx.push(n);
  }
  return ints(idx);
}

export function resizeNearestNeighbor(images: Tensor, size: Size, alignCorners = false, halfPixelCenters = false): Tensor {
  const op = 'compat.image.resizeNearestNeighbor';
  if (alignCorners && halfPixelCenters) throw new RangeError(`${op}: alignCorners and halfPixelCenters cannot both be true (tfjs refuses it too)`);
  const { x, squeeze, newH, newW } = checkArgs(op, images, size);
  const [, oldH, oldW] = x.shape;
  const out = x.indexSelect(1, nearestAxis(oldH, newH, alignCorners, halfPixelCenters)).indexSelect(2, nearestAxis(oldW, newW, alignCorners, halfPixelCenters));
  return squeeze ? out.squeeze(0) : out;
}
