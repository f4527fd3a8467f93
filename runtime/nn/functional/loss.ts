/**
 * Loss functions (F.crossEntropy, F.mseLoss, ...) with PyTorch's formulas and defaults. Every one takes
 * `reduction: 'mean' | 'sum' | 'none'` (default 'mean').
 */
import { hostValues } from '../../compile/hooks.js';
import type { Tensor } from '../../tensor.js';
import { isFloating } from '../../dtype.js';
import { broadcastShapes, fmtShape, shapesEqual } from '../../shape.js';
import { checkTensor, requireFloat } from '../../ops/util.js';
import { where } from '../../ops/elementwise.js';
import { logSoftmax } from '../../ops/activation.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { checkReduction, reduce, type Reduction } from './util.js';
import { bceFused, bceWithLogitsFused } from './fused.js';
import { softmaxCrossEntropy } from '../../ops/cross_entropy.js';

export interface ClassificationLossOptions {
  /** Per-class rescaling weight, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this value are skipped (no loss, no gradient, not counted by 'mean'). Default −100. */
  ignoreIndex?: number;
  /** Default 'mean'. */
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends ClassificationLossOptions {
  /** In [0, 1]: mixes the target with the uniform distribution over the C classes. Default 0. */
  labelSmoothing?: number;
}

/** [1, C, 1, ...] for broadcasting a per-class vector against [N, C, d1, ...]. */
const classShape = (x: Tensor) => x.shape.map((s, i) => (i === 1 ? s : 1));

function checkWeight(weight: Tensor | null | undefined, C: number, op: string): Tensor | null {
  if (!weight) return null;
  checkTensor(weight, op, 'weight');
  if (weight.ndim !== 1 || weight.shape[0] !== C) throw new RangeError(`${op}: weight must be a 1-D tensor of size ${C} (one per class), got ${fmtShape(weight.shape)}`);
  return weight;
}

/** Brings an unbatched input [C] (target [] or [C]) to [1, C]; returns whether to squeeze a 'none' result. */
function batched(input: Tensor, target: Tensor, op: string): [Tensor, Tensor, boolean] {
  if (input.ndim === 0) throw new RangeError(`${op}: input must have a class dimension ([C], [N, C] or [N, C, d1, ...]), got a 0-D tensor`);
  if (input.ndim === 1) {
    if (target.ndim !== 0 && !(isFloating(target.dtype) && target.ndim === 1)) {
      throw new RangeError(`${op}: for an unbatched input ${fmtShape(input.shape)} the target must be a 0-D class index or class probabilities of shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
    }
    return [input.unsqueeze(0), target.unsqueeze(0), true];
  }
  return [input, target, false];
}

/** Checks int32 class-index targets: shape [N, d1, ...] and values in [0, C) or ignoreIndex. */
function checkIndexTarget(input: Tensor, target: Tensor, ignoreIndex: number, op: string, shownInput: Tensor, shownTarget: Tensor): void {
  if (target.dtype !== 'int32') {
    throw new TypeError(`${op}: target must be int32 class indices${op === 'crossEntropy' ? ' or floating-point class probabilities' : ''}, got ${target.dtype} (shape ${fmtShape(shownTarget.shape)})`);
  }
  const expected = input.shape.filter((_, i) => i !== 1);
  if (!shapesEqual(target.shape, expected)) {
    throw new RangeError(`${op}: expected target of shape ${fmtShape(shownInput.ndim === 1 ? [] : expected)} (input ${fmtShape(shownInput.shape)} without the class dim), got ${fmtShape(shownTarget.shape)}`);
  }
  if (target.storage.device !== 'cpu') return;
  const C = input.shape[1];
  // A check of the values (under torch.compile: re-run on every call's targets).
  hostValues(target, `${op} target check`, (values) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if ((v < 0 || v >= C) && v !== ignoreIndex) {
        throw new RangeError(`${op}: target value ${v} is out of range for ${C} classes (valid: 0..${C - 1}, or ignoreIndex ${ignoreIndex}; input ${fmtShape(shownInput.shape)}, target ${fmtShape(shownTarget.shape)})`);
      }
    }
  });
}

/** Number of targets that are not ignoreIndex, as a 0-d tensor of x's dtype (a constant for autograd). */
function validCount(target: Tensor, ignoreIndex: number, x: Tensor): Tensor | number {
  if (target.storage.device === 'cpu') {
    // A host-side count is cheaper than two tensor ops; 0 valid targets gives 0/0 = NaN, as PyTorch.
    // Under torch.compile the count is a guard: a batch with another count of ignored targets retraces.
    return hostValues(target, 'count of non-ignored targets', (t) => {
      let n = 0;
      for (let i = 0; i < t.length; i++) if (t[i] !== ignoreIndex) n++;
      return n;
    });
  }
  return noGrad(() => target.ne(ignoreIndex).sum().to(x.dtype));
}

/**
 * Negative log-likelihood core on log-probabilities [N, C, *] and checked targets [N, *].
 * Returns the reduced loss and, for 'mean', the denominator Σ w[y] over non-ignored targets.
 */
function nllCore(logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: Reduction): { loss: Tensor; valid: Tensor; totalWeight: () => Tensor } {
  const valid = target.ne(ignoreIndex);
  const safe = where(valid, target, 0);
  const picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  const wy = weight ? weight.indexSelect(0, safe.reshape([-1])).reshape(target.shape) : null;
  const perElement = where(valid, wy ? picked.mul(wy).neg() : picked.neg(), 0);
  const totalWeight = () => (wy ? where(valid, wy, 0).sum() : valid.sum().to(logp.dtype));
  const loss = reduction === 'mean' ? perElement.sum().div(totalWeight()) : reduction === 'sum' ? perElement.sum() : perElement;
  return { loss, valid, totalWeight };
}

/**
 * Negative log-likelihood loss on log-probabilities:
 *
 *   ℓ_n = −w[y_n]·input[n, y_n]   ('mean' divides Σ ℓ_n by Σ w[y_n] over non-ignored n)
 *
 * @param input log-probabilities [N, C], [N, C, d1, ...] or [C]
 * @param target int32 class indices [N], [N, d1, ...] or []
 */
export function nllLoss(input: Tensor, target: Tensor, opts: ClassificationLossOptions = {}): Tensor {
  const op = 'nllLoss';
  checkTensor(input, op, 'input');
  checkTensor(target, op, 'target');
  requireFloat(input, op);
  const reduction = checkReduction(opts.reduction ?? 'mean', op);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const [x, t, unbatched] = batched(input, target, op);
  checkIndexTarget(x, t, ignoreIndex, op, input, target);
  const weight = checkWeight(opts.weight, x.shape[1], op);
  const { loss } = nllCore(x, t, weight, ignoreIndex, reduction);
  return unbatched && reduction === 'none' ? loss.squeeze(0) : loss;
}

/**
 * Cross-entropy between logits and class indices or class probabilities (log-softmax + NLL, fused stably).
 *
 * Class indices y (int32):   ℓ_n = −w[y_n]·log softmax(x_n)[y_n]; 'mean' = Σ ℓ_n / Σ w[y_n] (non-ignored n).
 * With label smoothing ε:     (1 − ε)·ℓ^nll + (ε/C)·ℓ^smooth, ℓ^smooth_n = −Σ_c w[c]·log softmax(x_n)[c], whose
 *                             'mean' is divided by the same Σ w[y_n] (PyTorch's formula).
 * Class probabilities p (float, input's shape): ℓ_n = −Σ_c w[c]·p'[n, c]·log softmax(x_n)[c] with
 *                             p' = (1 − ε)p + ε/C; 'mean' divides by the number of samples N·d1·..., not by weights.
 *
 * @param input logits [N, C], [N, C, d1, ...] or unbatched [C]
 * @param target int32 [N] / [N, d1, ...] / [] class indices, or float probabilities shaped like input
 * @param opts weight [C] (default none), ignoreIndex (−100), reduction ('mean'), labelSmoothing (0)
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  checkTensor(input, op, 'input');
  checkTensor(target, op, 'target');
  requireFloat(input, op);
  const reduction = checkReduction(opts.reduction ?? 'mean', op);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) throw new RangeError(`${op}: labelSmoothing must be between 0.0 and 1.0, got ${ls}`);
  const [x, t, unbatched] = batched(input, target, op);
  const C = x.shape[1];
  const weight = checkWeight(opts.weight, C, op);
  if (!isFloating(t.dtype) && x.ndim === 2 && !weight && ls === 0) {
    // The common case (logits [N, C], class indices): one fused kernel instead of ~12 ops.
    checkIndexTarget(x, t, ignoreIndex, op, input, target);
    const perSample = softmaxCrossEntropy(x, t, ignoreIndex);
    const loss = reduction === 'mean' ? perSample.sum().div(validCount(t, ignoreIndex, x)) : reduction === 'sum' ? perSample.sum() : perSample;
    return unbatched && reduction === 'none' ? loss.squeeze(0) : loss;
  }
  const logp = logSoftmax(x, 1);
  let loss: Tensor;
  if (isFloating(t.dtype)) {
    if (!shapesEqual(t.shape, x.shape)) {
      throw new RangeError(`${op}: target ${fmtShape(target.shape)} is ${target.dtype}, so it is read as class probabilities, which must have the input's shape ${fmtShape(input.shape)}; for class indices pass an int32 tensor (target.int())`);
    }
    if (ignoreIndex >= 0) throw new RangeError(`${op}: ignoreIndex (${ignoreIndex}) is not supported for class-probability (floating-point) targets`);
    const p = ls > 0 ? t.mul(1 - ls).add(ls / C) : t;
    let prod = logp.mul(p);
    if (weight) prod = prod.mul(weight.reshape(classShape(x)));
    const perSample = prod.sum(1).neg();
    loss = reduction === 'mean' ? perSample.sum().div(perSample.numel()) : reduce(perSample, reduction);
  } else {
    checkIndexTarget(x, t, ignoreIndex, op, input, target);
    const nll = nllCore(logp, t, weight, ignoreIndex, reduction);
    loss = nll.loss;
    if (ls > 0) {
      const smoothEl = weight ? logp.mul(weight.reshape(classShape(x))).sum(1).neg() : logp.sum(1).neg();
      const smooth = where(nll.valid, smoothEl, 0);
      const s = reduction === 'mean' ? smooth.sum().div(nll.totalWeight()) : reduction === 'sum' ? smooth.sum() : smooth;
      loss = loss.mul(1 - ls).add(s.mul(ls / C));
    }
  }
  return unbatched && reduction === 'none' ? loss.squeeze(0) : loss;
}

const warnedShapes = new Set<string>();

/**
 * Elementwise losses compare input and target of the same shape. Like PyTorch, different but broadcastable
 * shapes are allowed with a warning (usually a bug: [N, 1] vs [N] broadcasts to [N, N]); incompatible ones
 * are an error naming both shapes.
 */
function checkPair(input: Tensor, target: Tensor, op: string, strict = false): void {
  checkTensor(input, op, 'input');
  checkTensor(target, op, 'target');
  if (shapesEqual(input.shape, target.shape)) return;
  if (strict) {
    throw new RangeError(`${op}: target ${fmtShape(target.shape)} must have the same shape as input ${fmtShape(input.shape)}`);
  }
  broadcastShapes(input.shape, target.shape, op, ['input', 'target']);
  const key = `${op}:${fmtShape(input.shape)}:${fmtShape(target.shape)}`;
  if (!warnedShapes.has(key)) {
    warnedShapes.add(key);
    console.warn(`${op}: using a target size ${fmtShape(target.shape)} that is different to the input size ${fmtShape(input.shape)}; they will be broadcast, which is likely not what you want (reshape one of them)`);
  }
}

function floatTarget(input: Tensor, target: Tensor): Tensor {
  return target.dtype === input.dtype ? target : target.to(input.dtype);
}

/** Mean squared error: ℓ = (x − y)². */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkPair(input, target, 'mseLoss');
  return reduce(input.sub(target).square(), checkReduction(opts.reduction ?? 'mean', 'mseLoss'));
}

/** Mean absolute error: ℓ = |x − y|. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkPair(input, target, 'l1Loss');
  return reduce(input.sub(target).abs(), checkReduction(opts.reduction ?? 'mean', 'l1Loss'));
}

/** Huber loss: ℓ = ½d² if |d| < delta, else delta·(|d| − ½delta), d = x − y. @param opts.delta default 1 */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  checkPair(input, target, 'huberLoss');
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const a = d.abs();
  const loss = where(a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta));
  return reduce(loss, checkReduction(opts.reduction ?? 'mean', 'huberLoss'));
}

/** Smooth L1: ℓ = ½d²/beta if |d| < beta, else |d| − ½beta (L1 when beta = 0). @param opts.beta default 1 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  checkPair(input, target, 'smoothL1Loss');
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const d = input.sub(target);
  const a = d.abs();
  const loss = beta === 0 ? a : where(a.lt(beta), d.square().mul(0.5 / beta), a.sub(0.5 * beta));
  return reduce(loss, checkReduction(opts.reduction ?? 'mean', 'smoothL1Loss'));
}

/**
 * Binary cross-entropy on probabilities: ℓ = −w·(y·log x + (1 − y)·log(1 − x)), each log clamped to ≥ −100.
 *
 * @param input probabilities in [0, 1], any shape
 * @param target same shape, values in [0, 1]
 * @param opts weight (broadcast to input), reduction
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const op = 'binaryCrossEntropy';
  checkPair(input, target, op, true);
  requireFloat(input, op);
  const reduction = checkReduction(opts.reduction ?? 'mean', op);
  if (input.storage.device === 'cpu') {
    const bad = noGrad(() => input.lt(0).logicalOr(input.gt(1)).logicalOr(input.isnan()).any().item());
    if (bad) throw new RangeError(`${op}: all elements of input should be between 0 and 1 (input ${fmtShape(input.shape)}); apply sigmoid first, or use binaryCrossEntropyWithLogits on the logits`);
  }
  let loss = bceFused(input, floatTarget(input, target));
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, reduction);
}

/**
 * Binary cross-entropy on logits, numerically stable (sigmoid folded into the loss):
 *
 *   ℓ = −w·(p·y·log σ(x) + (1 − y)·log(1 − σ(x)))
 *
 * @param opts.posWeight weight of positive examples, broadcast over the last (class) dim, e.g. shape [C]
 * @param opts.weight per-element rescaling, broadcast to input
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkPair(input, target, op, true);
  requireFloat(input, op);
  const reduction = checkReduction(opts.reduction ?? 'mean', op);
  const t = floatTarget(input, target);
  let w: Tensor | null = null;
  if (opts.posWeight) {
    checkTensor(opts.posWeight, op, 'posWeight');
    broadcastShapes(opts.posWeight.shape, t.shape, op, ['posWeight', 'target']);
    // 1 + (posWeight − 1)·y, broadcast to the target's shape.
    w = opts.posWeight.sub(1).mul(t).add(1);
    if (!shapesEqual(w.shape, t.shape)) throw new RangeError(`${op}: posWeight ${fmtShape(opts.posWeight.shape)} must broadcast to the target ${fmtShape(t.shape)}`);
  }
  let loss = bceWithLogitsFused(input, t, w);
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, reduction);
}

/**
 * Kullback-Leibler divergence with `input` = log q and `target` = p (or log p with `logTarget`):
 *
 *   ℓ = p·(log p − input)   (0 where p = 0)
 *
 * @param opts.reduction 'mean' (default, PyTorch's: the mean over ALL elements), 'batchmean' (sum / N, the
 *   actual KL divergence), 'sum' or 'none'
 * @param opts.logTarget target holds log p. Default false
 */
export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}): Tensor {
  const op = 'klDiv';
  checkPair(input, target, op);
  const reduction = opts.reduction ?? 'mean';
  const t = floatTarget(input, target);
  let loss: Tensor;
  if (opts.logTarget) loss = t.exp().mul(t.sub(input));
  else {
    // xlogy(p, p) − p·input, with log evaluated at 1 where p = 0 so no −∞ (or NaN gradient) appears.
    loss = t.mul(where(t.gt(0), t, 1).log()).sub(t.mul(input));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  return reduce(loss, checkReduction(reduction, op));
}
