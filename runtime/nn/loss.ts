/**
 * Loss modules: hold the options (and the weight tensors, as buffers) and call F. `forward(input, target)`.
 *
 *   const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 *   const loss = criterion.forward(logits, labels);
 */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import * as F from './functional/loss.js';
import { checkReduction, type Reduction } from './functional/util.js';

abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(reduction: Reduction | undefined, op: string) {
    super();
    this.reduction = checkReduction(reduction ?? 'mean', op);
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/** A loss with an optional per-class `weight`, registered as a buffer (it moves with `to()`). */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;

  constructor(weight: Tensor | null | undefined, reduction: Reduction | undefined, op: string) {
    super(reduction, op);
    this.registerBuffer('weight', weight ?? null);
  }
}

/** Mean squared error, ℓ = (x − y)². See F.mseLoss. */
export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction, 'MSELoss');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error, ℓ = |x − y|. See F.l1Loss. */
export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction, 'L1Loss');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Huber loss with threshold delta (default 1). See F.huberLoss. */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts.reduction, 'HuberLoss');
    this.delta = opts.delta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Smooth L1 loss with threshold beta (default 1). See F.smoothL1Loss. */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts.reduction, 'SmoothL1Loss');
    this.beta = opts.beta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/**
 * Cross-entropy on logits [N, C] (or [N, C, d1, ...], or [C]) against int32 class indices or float class
 * probabilities. See F.crossEntropy for the exact formulas.
 * @param opts weight [C], ignoreIndex (−100), reduction ('mean'), labelSmoothing (0)
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(opts: F.CrossEntropyOptions = {}) {
    super(opts.weight, opts.reduction, 'CrossEntropyLoss');
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/** Negative log-likelihood on log-probabilities against int32 class indices. See F.nllLoss. */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(opts: F.ClassificationLossOptions = {}) {
    super(opts.weight, opts.reduction, 'NLLLoss');
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross-entropy on probabilities (logs clamped to ≥ −100). See F.binaryCrossEntropy. */
export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts.weight, opts.reduction, 'BCELoss');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross-entropy on logits, stable; `posWeight` weighs positives (per class). See F.binaryCrossEntropyWithLogits. */
export class BCEWithLogitsLoss extends WeightedLoss {
  declare pos_weight: Tensor | null;

  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts.weight, opts.reduction, 'BCEWithLogitsLoss');
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }

  get posWeight(): Tensor | null {
    return this.pos_weight;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

/** KL divergence, input = log q, target = p (or log p with logTarget). See F.klDiv. */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | 'batchmean';
  readonly logTarget: boolean;

  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    if (this.reduction !== 'batchmean') checkReduction(this.reduction, 'KLDivLoss');
    this.logTarget = opts.logTarget ?? false;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

