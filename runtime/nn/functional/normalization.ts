/** Normalization: F.batchNorm, F.layerNorm, F.groupNorm, F.normalize, F.cosineSimilarity. */
import type { Tensor } from '../../tensor.js';
import { checkTensor, requireFloat } from '../../ops/util.js';
import { activeTracer, traceOp } from '../../ops/trace.js';
import { fmtShape, normDim, shapesEqual } from '../../shape.js';
import { noGrad } from '../../autograd/grad_mode.js';

export interface BatchNormOptions {
  /** γ, shape [C]. */
  weight?: Tensor | null;
  /** β, shape [C]. */
  bias?: Tensor | null;
  /** Normalize with the batch statistics (and update the running ones) instead of the running ones. Default false. */
  training?: boolean;
  /** Running-stat update factor: running = (1 − momentum)·running + momentum·batch. Default 0.1. */
  momentum?: number;
  /** Added to the variance. Default 1e-5. */
  eps?: number;
  /**
   * Update the running variance with the unbiased batch variance (× n/(n−1)), as PyTorch. Default true; false
   * uses the biased one, as tfjs/Keras's BatchNormalization does.
   */
  unbiasedRunningVar?: boolean;
}

/**
 * Batch normalization over the channel dim 1 of [N, C, *]:
 *
 *   y = (x − E[x]) / √(Var[x] + eps) · γ + β
 *
 * In training the statistics are the batch's (biased variance), and `runningMean`/`runningVar` (if given) are
 * updated in place with the batch mean and the UNBIASED batch variance, as PyTorch (the biased one with
 * `unbiasedRunningVar: false`, as tfjs). In evaluation the
 * running statistics are used.
 *
 * @param runningMean [C] or null
 * @param runningVar [C] or null
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  checkTensor(input, 'batchNorm');
  requireFloat(input, 'batchNorm');
  if (input.ndim < 2) throw new RangeError(`batchNorm: expected an input of at least 2 dims [N, C, *], got ${fmtShape(input.shape)}`);
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  const C = input.shape[1];
  const stat = [1, C, ...input.shape.slice(2).map(() => 1)];
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', opts.weight], ['bias', opts.bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) throw new RangeError(`batchNorm: ${name} must have shape [${C}] for input ${fmtShape(input.shape)}, got ${fmtShape(t.shape)}`);
  }
  let y: Tensor;
  if (training) {
    const n = input.numel() / C;
    if (n <= 1) throw new RangeError(`batchNorm: expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`);
    const dims = [0, ...input.shape.slice(2).map((_, i) => i + 2)];
    const mean = input.mean(dims, true);
    const xc = input.sub(mean);
    const variance = xc.square().mean(dims, true);
    y = xc.mul(variance.add(eps).rsqrt());
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - momentum).add_(mean.reshape(C).mul(momentum));
      const correction = (opts.unbiasedRunningVar ?? true) ? n / (n - 1) : 1;
      if (runningVar) runningVar.mul_(1 - momentum).add_(variance.reshape(C).mul(momentum * correction));
    });
  } else {
    if (!runningMean || !runningVar) throw new Error('batchNorm: runningMean and runningVar must be given when training is false');
    y = input.sub(runningMean.reshape(stat)).mul(runningVar.reshape(stat).add(eps).rsqrt());
  }
  if (opts.weight) y = y.mul(opts.weight.reshape(stat));
  if (opts.bias) y = y.add(opts.bias.reshape(stat));
  return y;
}

export interface LayerNormOptions {
  /** γ, shape normalizedShape. */
  weight?: Tensor | null;
  /** β, shape normalizedShape. */
  bias?: Tensor | null;
  /** Default 1e-5. */
  eps?: number;
}

/**
 * Layer normalization over the trailing dims given by `normalizedShape`:
 *
 *   y = (x − E[x]) / √(Var[x] + eps) · γ + β     (biased variance)
 *
 * @param input [*, ...normalizedShape]
 */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  checkTensor(input, 'layerNorm');
  requireFloat(input, 'layerNorm');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || k > input.ndim || !shapesEqual(input.shape.slice(input.ndim - k), ns)) {
    throw new RangeError(`layerNorm: given normalizedShape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size ${fmtShape(input.shape)}`);
  }
  for (const [name, t] of [['weight', opts.weight], ['bias', opts.bias]] as const) {
    if (t && !shapesEqual(t.shape, ns)) throw new RangeError(`layerNorm: ${name} must have shape ${fmtShape(ns)}, got ${fmtShape(t.shape)}`);
  }
  const dims = ns.map((_, i) => input.ndim - k + i);
  const eps = opts.eps ?? 1e-5;
  const xc = input.sub(input.mean(dims, true));
  let y = xc.mul(xc.square().mean(dims, true).add(eps).rsqrt());
  if (opts.weight) y = y.mul(opts.weight);
  if (opts.bias) y = y.add(opts.bias);
  if (activeTracer !== null) traceOp(y, 'LayerNorm', [input, opts.weight ?? null, opts.bias ?? null], { axis: input.ndim - k, eps });
  return y;
}

/**
 * Group normalization: channels of [N, C, *] split into `numGroups` groups, each normalized over its
 * channels and spatial positions, then a per-channel affine.
 */
export function groupNorm(input: Tensor, numGroups: number, opts: LayerNormOptions = {}): Tensor {
  checkTensor(input, 'groupNorm');
  requireFloat(input, 'groupNorm');
  if (input.ndim < 2) throw new RangeError(`groupNorm: expected an input of at least 2 dims [N, C, *], got ${fmtShape(input.shape)}`);
  const [N, C] = input.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new RangeError(`groupNorm: expected number of channels in input (${C}) to be divisible by numGroups (${numGroups})`);
  }
  const g = input.reshape([N, numGroups, -1]);
  const xc = g.sub(g.mean(2, true));
  let y = xc.mul(xc.square().mean(2, true).add(opts.eps ?? 1e-5).rsqrt()).reshape(input.shape);
  const stat = [1, C, ...input.shape.slice(2).map(() => 1)];
  if (opts.weight) y = y.mul(opts.weight.reshape(stat));
  if (opts.bias) y = y.add(opts.bias.reshape(stat));
  return y;
}

/**
 * Lp normalization along dim: x / max(‖x‖_p, eps).
 * @param opts.p default 2; opts.dim default 1; opts.eps default 1e-12
 */
export function normalize(input: Tensor, opts: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  checkTensor(input, 'normalize');
  const p = opts.p ?? 2;
  const dim = normDim(opts.dim ?? 1, input.ndim, 'normalize');
  const eps = opts.eps ?? 1e-12;
  return input.div(clampedNorm(input, p, dim, eps));
}

/**
 * max(‖x‖_p, eps) along dim (keepdim). For p = 2 it is computed as √max(Σx², eps²) — the same value — so
 * that a zero vector gets gradient 0 as in PyTorch rather than the 0/0 of √ at 0.
 */
function clampedNorm(x: Tensor, p: number, dim: number, eps: number): Tensor {
  if (p === 2) return x.square().sum(dim, true).clamp(eps * eps).sqrt();
  return x.norm(p, dim, true).clamp(eps);
}

/**
 * Cosine similarity along dim: Σ x̂1·x̂2 with x̂ = x / max(‖x‖, eps) (inputs broadcast).
 * @param opts.dim default 1; opts.eps default 1e-8
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, opts: { dim?: number; eps?: number } = {}): Tensor {
  checkTensor(x1, 'cosineSimilarity', 'x1');
  checkTensor(x2, 'cosineSimilarity', 'x2');
  const eps = opts.eps ?? 1e-8;
  const nd = Math.max(x1.ndim, x2.ndim);
  const dim = normDim(opts.dim ?? 1, nd, 'cosineSimilarity') - nd;
  const a = x1.div(clampedNorm(x1, 2, dim + x1.ndim, eps));
  const b = x2.div(clampedNorm(x2, 2, dim + x2.ndim, eps));
  return a.mul(b).sum(dim);
}
