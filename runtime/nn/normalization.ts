/** Normalization layers: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm. */
import type { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { full } from '../ops/creation.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { batchNorm, groupNorm, layerNorm } from './functional/normalization.js';
import type { FactoryOptions } from './linear.js';
import { pyBool, pyFloat, pyTuple } from './repr.js';

export interface BatchNormOptions extends FactoryOptions {
  /** Added to the variance. Default 1e-5 (tfjs's batchNormalization uses 1e-3). */
  eps?: number;
  /**
   * Running-stat update: running = (1 − momentum)·running + momentum·batch. Default 0.1. null = cumulative
   * moving average (factor 1/numBatchesTracked). NOTE: tfjs's momentum 0.99 means this momentum 0.01.
   */
  momentum?: number | null;
  /** Learnable γ (ones) and β (zeros). Default true. */
  affine?: boolean;
  /** Keep running mean/variance for eval mode. Default true; false uses batch statistics in eval too. */
  trackRunningStats?: boolean;
  /**
   * Update the running variance with the unbiased batch variance, as PyTorch. Default true; false uses the
   * biased batch variance, as tfjs's batchNormalization (the migration passes false).
   */
  unbiasedRunningVar?: boolean;
}

/**
 * Batch normalization (shared by BatchNorm1d/2d):
 *
 *   y = (x − E[x]) / √(Var[x] + eps) · γ + β
 *
 * In training mode the statistics are the batch's over every dim but the channel dim 1 (biased variance),
 * and the running estimates are updated with the batch mean and the UNBIASED batch variance (the biased one
 * with `unbiasedRunningVar: false`, tfjs's update); in eval mode
 * the running estimates are used.
 *
 * State dict keys follow PyTorch: weight, bias, running_mean, running_var, num_batches_tracked (the buffers
 * are also readable as runningMean, runningVar, numBatchesTracked).
 */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly unbiasedRunningVar: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(op: string, numFeatures: number, opts: BatchNormOptions) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new RangeError(`${op}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.unbiasedRunningVar = opts.unbiasedRunningVar ?? true;
    const f = { dtype: opts.dtype ?? 'float32', device: opts.device };
    this.registerParameter('weight', this.affine ? Parameter(full([numFeatures], 1, f)) : null);
    this.registerParameter('bias', this.affine ? Parameter(full([numFeatures], 0, f)) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', full([numFeatures], 0, f));
      this.registerBuffer('running_var', full([numFeatures], 1, f));
      this.registerBuffer('num_batches_tracked', full([], 0, { dtype: 'int32', device: opts.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** running_mean ← 0, running_var ← 1, num_batches_tracked ← 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.fill_(0);
      this.running_var?.fill_(1);
      this.num_batches_tracked?.fill_(0);
    });
  }

  /** Running stats reset, γ ← 1, β ← 0. */
  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.fill_(0);
    });
  }

  protected abstract checkInputDim(input: Tensor): void;

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      const nbt = this.num_batches_tracked;
      noGrad(() => nbt.add_(1));
      if (this.momentum === null) factor = 1 / nbt.item();
    }
    // Batch statistics in training, and in eval too when there are no running ones.
    const useBatch = this.training || (this.running_mean === null && this.running_var === null);
    const track = !this.training || this.trackRunningStats;
    return batchNorm(input, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight, bias: this.bias, training: useBatch, momentum: factor, eps: this.eps,
      unbiasedRunningVar: this.unbiasedRunningVar,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}${this.unbiasedRunningVar ? '' : ', unbiased_running_var=False'}`;
  }
}

/** Batch normalization over [N, C] or [N, C, L] (statistics per channel C). See BatchNormBase for the formula. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, opts);
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new RangeError(`BatchNorm1d: expected 2D or 3D input [N, C] or [N, C, L], got ${input.ndim}D input ${fmtShape(input.shape)}`);
  }
}

/** Batch normalization over [N, C, H, W] (statistics per channel C). See BatchNormBase for the formula. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, opts);
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new RangeError(`BatchNorm2d: expected 4D input [N, C, H, W], got ${input.ndim}D input ${fmtShape(input.shape)}`);
  }
}

export interface LayerNormOptions extends FactoryOptions {
  /** Default 1e-5 (tfjs's layerNormalization uses 1e-3). */
  eps?: number;
  /** Learnable per-element γ (ones) and β (zeros) of shape normalizedShape. Default true. */
  elementwiseAffine?: boolean;
  /** Learn β too (when elementwiseAffine). Default true. */
  bias?: boolean;
}

/**
 * Layer normalization over the trailing dims `normalizedShape`:
 *
 *   y = (x − E[x]) / √(Var[x] + eps) · γ + β     (biased variance, statistics per sample)
 *
 * Shapes: input [*, ...normalizedShape] → same shape.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.some((s) => !Number.isInteger(s) || s < 0)) throw new RangeError(`LayerNorm: normalizedShape must be non-negative integers, got ${JSON.stringify(normalizedShape)}`);
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = { dtype: opts.dtype ?? 'float32', device: opts.device };
    this.registerParameter('weight', this.elementwiseAffine ? Parameter(full(this.normalizedShape, 1, f)) : null);
    this.registerParameter('bias', this.elementwiseAffine && (opts.bias ?? true) ? Parameter(full(this.normalizedShape, 0, f)) : null);
  }

  override forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Group normalization: C channels in numGroups groups, each normalized per sample; per-channel affine. */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  declare weight: Tensor | null;
  declare bias: Tensor | null;

  constructor(readonly numGroups: number, readonly numChannels: number, opts: { eps?: number; affine?: boolean } & FactoryOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups <= 0 || numChannels % numGroups !== 0) {
      throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const f = { dtype: opts.dtype ?? 'float32', device: opts.device };
    this.registerParameter('weight', this.affine ? Parameter(full([numChannels], 1, f)) : null);
    this.registerParameter('bias', this.affine ? Parameter(full([numChannels], 0, f)) : null);
  }

  override forward(input: Tensor): Tensor {
    if (input.ndim < 2 || input.shape[1] !== this.numChannels) {
      throw new RangeError(`GroupNorm: expected input [N, ${this.numChannels}, *], got ${fmtShape(input.shape)}`);
    }
    return groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
