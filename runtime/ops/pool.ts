/**
 * Pooling: max on the MaxPool2d primitive (first index wins, as PyTorch/tfjs; its gradient is a Scatter(add)),
 * average on Unfold (windows become a dim, then a mean).
 */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { backendOf, checkTensor, record, requireFloat } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { geometry, pair, unfold, type Pair } from './window.js';
import { scatterAdd } from './indexing.js';
import { reshape, squeeze, unsqueeze, slice } from './view.js';
import { stack } from './join.js';

export interface Pool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

function as4d(x: Tensor, op: string): [Tensor, boolean] {
  checkTensor(x, op);
  requireFloat(x, op);
  if (x.ndim === 3) return [unsqueeze(x, 0), true];
  if (x.ndim !== 4) throw new RangeError(`${op}: expected a 3-D or 4-D input [N, C, H, W], got ${fmtShape(x.shape)}`);
  return [x, false];
}

function checkPad(k: [number, number], p: [number, number], op: string): void {
  if (p[0] * 2 > k[0] || p[1] * 2 > k[1]) throw new RangeError(`${op}: padding [${p.join(', ')}] should be at most half of kernel size [${k.join(', ')}]`);
}

export function maxPool2d(xIn: Tensor, kernelSize: Pair, opts: Pool2dOptions = {}): Tensor {
  const [x, batched] = as4d(xIn, 'maxPool2d');
  const k = pair(kernelSize, 'maxPool2d', 'kernelSize');
  const p = pair(opts.padding ?? 0, 'maxPool2d', 'padding');
  checkPad(k, p, 'maxPool2d');
  const g = geometry(x, k, pair(opts.stride ?? k, 'maxPool2d', 'stride'), p, pair(opts.dilation ?? 1, 'maxPool2d', 'dilation'), 'maxPool2d', opts.ceilMode);
  const [N, C, H, W] = x.shape;
  const { values: y, indices } = backendOf(x).maxPool2d(x, g);
  if (activeTracer !== null) traceOp(y, 'MaxPool2d', [x], { g, ceilMode: opts.ceilMode ?? false });
  if (!(isGradEnabled() && x.requiresGrad)) indices.dispose();
  else {
    record(y, 'MaxPool2d', [x], (gr) => {
      const L = g.outH * g.outW;
      // Overlapping windows may pick the same element: their gradients add up.
      const gx = scatterAdd(reshape(x.zerosLike(), [N, C, H * W]), 2, reshape(indices, [N, C, L]), reshape(gr, [N, C, L]));
      return [reshape(gx, [N, C, H, W])];
    }, [indices]);
  }
  return batched ? squeeze(y, 0) : y;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** PyTorch default true: padded zeros count in the divisor. (tfjs 'same' pooling excludes them.) */
  countIncludePad?: boolean;
  divisorOverride?: number;
}

export function avgPool2d(xIn: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  const [x, batched] = as4d(xIn, 'avgPool2d');
  const k = pair(kernelSize, 'avgPool2d', 'kernelSize');
  const p = pair(opts.padding ?? 0, 'avgPool2d', 'padding');
  checkPad(k, p, 'avgPool2d');
  const g = geometry(x, k, pair(opts.stride ?? k, 'avgPool2d', 'stride'), p, [1, 1], 'avgPool2d', opts.ceilMode);
  const [N, C] = x.shape;
  const cols = reshape(unfold(x, g, 0), [N, C, k[0] * k[1], g.outH * g.outW]);
  const s = cols.sum(2);
  let y: Tensor;
  if (opts.divisorOverride) y = s.div(opts.divisorOverride);
  else if (opts.countIncludePad ?? true) {
    if (!opts.ceilMode) y = s.div(k[0] * k[1]);
    else y = s.div(windowCounts(x, g, true));
  } else y = s.div(windowCounts(x, g, false));
  y = reshape(y, [N, C, g.outH, g.outW]);
  if (activeTracer !== null) traceOp(y, 'AvgPool2d', [x], { g, countIncludePad: opts.countIncludePad ?? true, ceilMode: opts.ceilMode ?? false, divisorOverride: opts.divisorOverride ?? null });
  return batched ? squeeze(y, 0) : y;
}

/** Elements per window: inside the input only, or inside input + explicit padding (ceil-mode overhang excluded). */
function windowCounts(x: Tensor, g: ReturnType<typeof geometry>, includePad: boolean): Tensor {
  const counts = new Float32Array(g.outH * g.outW);
  const h0 = includePad ? -g.padTop : 0, w0 = includePad ? -g.padLeft : 0;
  const explicitBottom = g.h + (includePad ? Math.min(g.padTop, g.padBottom) : 0);
  const explicitRight = g.w + (includePad ? Math.min(g.padLeft, g.padRight) : 0);
  for (let oh = 0; oh < g.outH; oh++) {
    for (let ow = 0; ow < g.outW; ow++) {
      const hs = Math.max(oh * g.strideH - g.padTop, h0), he = Math.min(oh * g.strideH - g.padTop + g.kh, explicitBottom);
      const ws = Math.max(ow * g.strideW - g.padLeft, w0), we = Math.min(ow * g.strideW - g.padLeft + g.kw, explicitRight);
      counts[oh * g.outW + ow] = Math.max(he - hs, 0) * Math.max(we - ws, 0);
    }
  }
  return Tensor.fromData(counts, [g.outH * g.outW], 'float32', x.storage.device).to(x.dtype);
}

export function maxPool1d(x: Tensor, kernelSize: number, opts: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean } = {}): Tensor {
  checkTensor(x, 'maxPool1d');
  return squeeze(maxPool2d(unsqueeze(x, -2), [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], dilation: [1, opts.dilation ?? 1], ceilMode: opts.ceilMode }), -2);
}

export function avgPool1d(x: Tensor, kernelSize: number, opts: { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {}): Tensor {
  checkTensor(x, 'avgPool1d');
  return squeeze(avgPool2d(unsqueeze(x, -2), [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], ceilMode: opts.ceilMode, countIncludePad: opts.countIncludePad }), -2);
}

/** Adaptive average pooling: output cell i averages input rows floor(i·H/oh) .. ceil((i+1)·H/oh). */
export function adaptiveAvgPool2d(xIn: Tensor, outputSize: Pair): Tensor {
  const [x, batched] = as4d(xIn, 'adaptiveAvgPool2d');
  const [oh, ow] = pair(outputSize, 'adaptiveAvgPool2d', 'outputSize');
  const [, , H, W] = x.shape;
  let y: Tensor;
  if (H % oh === 0 && W % ow === 0) y = avgPool2d(x, [H / oh, W / ow]);
  else {
    const rows: Tensor[] = [];
    for (let i = 0; i < oh; i++) {
      const hs = Math.floor((i * H) / oh), he = Math.ceil(((i + 1) * H) / oh);
      const cols: Tensor[] = [];
      for (let j = 0; j < ow; j++) {
        const ws = Math.floor((j * W) / ow), we = Math.ceil(((j + 1) * W) / ow);
        cols.push(slice(slice(x, 2, hs, he), 3, ws, we).mean([2, 3]));
      }
      rows.push(stack(cols, -1));
    }
    y = stack(rows, -2);
  }
  return batched ? squeeze(y, 0) : y;
}
