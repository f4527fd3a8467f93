/** `nn.Embedding`: a lookup table of learnable vectors. */
import type { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { empty } from '../ops/creation.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import * as init from './init.js';
import { embedding } from './functional/sparse.js';
import { paddingIndex } from './functional/util.js';
import type { FactoryOptions } from './linear.js';
import { pyFloat } from './repr.js';

export interface EmbeddingOptions extends FactoryOptions {
  /** This row is initialised to zeros and never receives a gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up with a norm above maxNorm are rescaled in place to maxNorm. */
  maxNorm?: number | null;
  /** The p of maxNorm. Default 2. */
  normType?: number;
  /** Use this tensor [numEmbeddings, embeddingDim] as the initial weight instead of N(0, 1). */
  weight?: Tensor;
}

/**
 * out[..., :] = weight[input[...], :].
 *
 * The weight is initialised from N(0, 1) (tfjs's embedding layer uses U(−0.05, 0.05)), with the padding
 * row zeroed.
 *
 * @param numEmbeddings size of the table; embeddingDim size of each vector
 *
 * Shapes: input int32 [*] with values in [0, numEmbeddings) → output [*, embeddingDim].
 */
export class Embedding extends Module {
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  declare weight: Tensor;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Embedding: ${name} must be a non-negative integer, got ${v}`);
    }
    this.paddingIdx = paddingIndex(opts.paddingIdx, numEmbeddings, 'Embedding');
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    if (opts.weight) {
      if (opts.weight.ndim !== 2 || opts.weight.shape[0] !== numEmbeddings || opts.weight.shape[1] !== embeddingDim) {
        throw new RangeError(`Embedding: weight must have shape [${numEmbeddings}, ${embeddingDim}], got ${fmtShape(opts.weight.shape)}`);
      }
      this.registerParameter('weight', Parameter(opts.weight));
    } else {
      this.registerParameter('weight', Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype, device: opts.device })));
      this.resetParameters();
    }
  }

  /**
   * A frozen (by default) embedding from a pretrained table.
   * @param opts.freeze default true: the weight does not require grad
   */
  static fromPretrained(embeddings: Tensor, opts: Omit<EmbeddingOptions, 'weight'> & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new RangeError(`Embedding.fromPretrained: embeddings must be 2-D, got ${fmtShape(embeddings.shape)}`);
    const e = new Embedding(embeddings.shape[0], embeddings.shape[1], { ...opts, weight: embeddings });
    e.weight.requiresGrad = !(opts.freeze ?? true);
    return e;
  }

  /** weight ← N(0, 1), padding row ← 0. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.select(0, row).fill_(0));
    }
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}
