/** Converters for tfjs's core layers: Dense, Flatten, Reshape, Dropout, activations, BatchNormalization, LayerNormalization, Embedding. */
import { Linear } from '../../nn/linear.js';
import { Flatten } from '../../nn/flatten.js';
import { Dropout } from '../../nn/dropout.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from '../../nn/normalization.js';
import { Embedding } from '../../nn/embedding.js';
import { ELU, LeakyReLU, ReLU, ReLU6, Softmax } from '../../nn/activation.js';
import { activationModule } from './activations.js';
import { Reshape, ToIndices } from './modules.js';
import { channelsLast, setWeight, tensorOf, withActivation, type LayerConverter } from './converter.js';

export const dense: LayerConverter = {
  requires: 'tf',
  convert(ctx) {
    const kernel = ctx.weight('kernel');
    const [nIn, nOut] = kernel.shape;
    const useBias = ctx.config.use_bias ?? true;
    const linear = new Linear(nIn, nOut, { bias: useBias });
    // Dense computes x·kernel with kernel [in, out]; Linear computes x·weightᵀ with weight [out, in].
    setWeight(linear, 'weight', tensorOf(kernel).t().contiguous(), ctx, 'kernel [in, out] transposed', { suffix: 'kernel', toTfjs: (w) => w.t() });
    if (useBias) setWeight(linear, 'bias', tensorOf(ctx.weight('bias')), ctx, 'bias', { suffix: 'bias' });
    return { modules: withActivation(linear, ctx, -1), rank: ctx.rank };
  },
};

export const flatten: LayerConverter = {
  // tfjs flattens NHWC in (h, w, c) order; flattening in that layout keeps the next Dense's kernel rows valid.
  requires: 'tf',
  convert(ctx) {
    channelsLast(ctx);
    return { modules: [new Flatten()], rank: 2 };
  },
};

export const reshape: LayerConverter = {
  requires: 'tf',
  convert(ctx) {
    const target = ctx.config.target_shape;
    if (!Array.isArray(target)) throw new Error(`loadLayersModel: layer '${ctx.name}' (Reshape) has no target_shape array`);
    return { modules: [new Reshape(target.map((d: number | null) => d ?? -1))], rank: target.length + 1 };
  },
};

/** Dropout, SpatialDropout, GaussianNoise...: identity at inference (the loaded model is in eval mode). */
export const inferenceIdentity: LayerConverter = {
  requires: 'any',
  convert(ctx) {
    return { modules: [new Dropout(Math.min(Math.max(ctx.config.rate ?? 0, 0), 1))], rank: ctx.rank };
  },
};

export const activation: LayerConverter = {
  requires: 'any',
  convert(ctx) {
    const channelDim = ctx.layout === 'cf' && ctx.rank === 4 ? 1 : -1;
    const act = activationModule(ctx.config.activation, channelDim, () => `layer '${ctx.name}' (Activation)`);
    return { modules: act ? [act] : [], rank: ctx.rank };
  },
};

/** The advanced-activation layer classes (tf.layers.reLU, leakyReLU, elu, softmax), element-wise but softmax. */
export const reluLayer: LayerConverter = {
  requires: 'any',
  convert(ctx) {
    const max = ctx.config.max_value;
    if (max != null && max !== 6) throw new Error(`loadLayersModel: layer '${ctx.name}' (ReLU) has max_value ${max}; only none and 6 are supported`);
    return { modules: [max === 6 ? new ReLU6() : new ReLU()], rank: ctx.rank };
  },
};

export const leakyReluLayer: LayerConverter = {
  requires: 'any',
  // tfjs's default alpha is 0.3 (PyTorch's negative slope 0.01).
  convert: (ctx) => ({ modules: [new LeakyReLU(ctx.config.alpha ?? 0.3)], rank: ctx.rank }),
};

export const eluLayer: LayerConverter = {
  requires: 'any',
  convert: (ctx) => ({ modules: [new ELU(ctx.config.alpha ?? 1)], rank: ctx.rank }),
};

export const softmaxLayer: LayerConverter = {
  // The axis is tfjs's: run it in tfjs's layout.
  requires: 'tf',
  convert: (ctx) => ({ modules: [new Softmax(ctx.config.axis ?? -1)], rank: ctx.rank }),
};

/**
 * BatchNormalization over the last axis. On a 4-d (NHWC) input that is BatchNorm2d over NCHW; on a 2-d one,
 * BatchNorm1d. tfjs's `center: false` / `scale: false` leave β = 0 / γ = 1.
 */
export const batchNormalization: LayerConverter = {
  requires: 'any',
  convert(ctx) {
    const { rank } = ctx;
    const axis = ctx.config.axis ?? -1;
    const lastAxis = axis === -1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === (rank ?? 0) - 1)) || axis === (rank ?? 0) - 1;
    if (!lastAxis || (rank !== 2 && rank !== 4)) {
      throw new Error(`loadLayersModel: layer '${ctx.name}' (BatchNormalization) has axis ${JSON.stringify(axis)} on a ${rank ?? 'unknown'}-d input; only the last axis of a 2-d or 4-d input is supported`);
    }
    const mean = ctx.weight('moving_mean');
    const c = mean.shape[0];
    // tfjs's momentum weighs the old running value (0.99); PyTorch's weighs the batch's (0.01), for fine-tuning.
    const opts = { eps: ctx.config.epsilon ?? 1e-3, momentum: 1 - (ctx.config.momentum ?? 0.99) };
    const bn = rank === 4 ? new BatchNorm2d(c, opts) : new BatchNorm1d(c, opts);
    if (ctx.config.scale ?? true) setWeight(bn, 'weight', tensorOf(ctx.weight('gamma')), ctx, 'gamma', { suffix: 'gamma' });
    if (ctx.config.center ?? true) setWeight(bn, 'bias', tensorOf(ctx.weight('beta')), ctx, 'beta', { suffix: 'beta' });
    setWeight(bn, 'running_mean', tensorOf(mean), ctx, 'moving_mean', { suffix: 'moving_mean' });
    setWeight(bn, 'running_var', tensorOf(ctx.weight('moving_variance')), ctx, 'moving_variance', { suffix: 'moving_variance' });
    return { modules: [bn], rank };
  },
};

export const layerNormalization: LayerConverter = {
  // Normalises the last axis of tfjs's layout (the runtime's LayerNorm normalises trailing dims too).
  requires: 'tf',
  convert(ctx) {
    const axis = ctx.config.axis ?? -1;
    const rank = ctx.rank ?? 0;
    const last = axis === -1 || axis === rank - 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === rank - 1));
    if (!last) throw new Error(`loadLayersModel: layer '${ctx.name}' (LayerNormalization) has axis ${JSON.stringify(axis)}; only the last axis is supported`);
    const scale = ctx.config.scale ?? true;
    const center = ctx.config.center ?? true;
    if (!scale || !center) throw new Error(`loadLayersModel: layer '${ctx.name}' (LayerNormalization) has scale ${scale} and center ${center}; only both true is supported`);
    const w = ctx.weight('gamma');
    const c = w.shape[0];
    // tfjs's default epsilon is 1e-3 (PyTorch's 1e-5).
    const ln = new LayerNorm(c, { eps: ctx.config.epsilon ?? 1e-3 });
    setWeight(ln, 'weight', tensorOf(w), ctx, 'gamma', { suffix: 'gamma' });
    setWeight(ln, 'bias', tensorOf(ctx.weight('beta')), ctx, 'beta', { suffix: 'beta' });
    return { modules: [ln], rank: ctx.rank };
  },
};

export const embedding: LayerConverter = {
  requires: 'tf',
  convert(ctx) {
    if (ctx.config.mask_zero) throw new Error(`loadLayersModel: layer '${ctx.name}' (Embedding) has mask_zero; masks are not supported (the runtime has no masking)`);
    const table = ctx.weight('embeddings');
    const [n, d] = table.shape;
    const emb = new Embedding(n, d);
    // Same layout on both sides: [inputDim, outputDim].
    setWeight(emb, 'weight', tensorOf(table), ctx, 'embeddings', { suffix: 'embeddings' });
    return { modules: [new ToIndices(), emb], rank: ctx.rank === null ? null : ctx.rank + 1 };
  },
};
