/**
 * Convolutions as im2col (Unfold) + Matmul; gradients follow from those two primitives. A backend with the
 * optional implicit-GEMM hook (Backend.conv2d, e.g. WebGPU) runs conv2d and its gradients without the im2col
 * matrix; the composite stays the definition, and the gradient under createGraph.
 */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import type { Conv2dGeometry } from '../backends/backend.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { backendOf, checkTensor, record, requireFloat } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { fold, geometry, pair, unfold, type Pair, type Padding } from './window.js';
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
  let y: Tensor;
  if (backendOf(x).conv2d) {
    y = implicitConv2d(x, weight, g, groups); // [N, O, outH, outW]
    if (bias) y = y.add(reshape(bias, [O, 1, 1]));
    if (activeTracer !== null) traceOp(y, 'Conv2d', [x, weight, bias ?? null], { g, groups });
    return y;
  }
  const cols = unfold(x, g); // [N, C*kh*kw, L]
  if (groups === 1) {
    y = matmul(reshape(weight, [O, C * kh * kw]), cols); // [N, O, L]
  } else {
    const cg = reshape(cols, [N, groups, Cg * kh * kw, L]);
    const wg = reshape(weight, [groups, O / groups, Cg * kh * kw]);
    y = reshape(matmul(wg, cg), [N, O, L]);
  }
  if (bias) y = y.add(reshape(bias, [O, 1]));
  const out = reshape(y, [N, O, g.outH, g.outW]);
  if (activeTracer !== null) traceOp(out, 'Conv2d', [x, weight, bias ?? null], { g, groups });
  return out;
}

/** conv2d on the backend's implicit-GEMM kernels (Backend.conv2d and its two gradient kernels). */
function implicitConv2d(x: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Tensor {
  const be = backendOf(x);
  const y = be.conv2d!(x, weight, g, groups);
  return record(y, 'Conv2d', [x, weight], (gy) => {
    // With createGraph the gradient must itself be differentiable: the Unfold + Matmul composites.
    if (isGradEnabled()) return [conv2dInputGradComposite(gy, weight, g, groups), conv2dWeightGradComposite(x, gy, g, groups, weight.shape)];
    return [
      x.requiresGrad ? (be.conv2dInputGrad!(gy, weight, g, groups) ?? conv2dInputGradComposite(gy, weight, g, groups)) : null,
      weight.requiresGrad ? be.conv2dWeightGrad!(x, gy, g, groups, weight.shape) : null,
    ];
  }, [x, weight]);
}

/** ∂L/∂x = Fold(Wᵀ · gy), per group (also the transposed convolution, conv_transpose.ts). */
export function conv2dInputGradComposite(gy: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Tensor {
  const O = weight.shape[0], Og = O / groups, CKg = (g.c / groups) * g.kh * g.kw, L = g.outH * g.outW;
  const wT = reshape(weight, [groups, Og, CKg]).transpose(1, 2); // [G, CKg, Og]
  const cols = matmul(wT, reshape(gy, [g.n, groups, Og, L])); // [N, G, CKg, L]
  return fold(reshape(cols, [g.n, groups * CKg, L]), g);
}

/** ∂L/∂W = Σ_n gy · Unfold(x)ᵀ, per group. */
function conv2dWeightGradComposite(x: Tensor, gy: Tensor, g: Conv2dGeometry, groups: number, weightShape: number[]): Tensor {
  const Og = weightShape[0] / groups, CKg = (g.c / groups) * g.kh * g.kw, L = g.outH * g.outW;
  const cols = reshape(unfold(x, g), [g.n, groups, CKg, L]);
  const gw = matmul(reshape(gy, [g.n, groups, Og, L]), cols.transpose(2, 3)).sum(0); // [G, Og, CKg]
  return reshape(gw, weightShape);
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
