/**
 * One converter per Keras layer class: the layer's config and weights → runtime modules that compute the same
 * function, and the activation layout they need.
 *
 * Layouts: tfjs keeps images channels-last (NHWC, 'tf'); the runtime's Conv2d, pooling and BatchNorm2d are
 * channels-first (NCHW, 'cf'). A converter says which layout its input must be in ('any' for element-wise layers);
 * the model builder inserts the permutes between them, so a Flatten (which needs 'tf') flattens in tfjs's (h, w, c)
 * order and the Dense after it reads its kernel's rows unchanged.
 */
import { Tensor } from '../../tensor.js';
import { noGrad } from '../../autograd/grad_mode.js';
import type { Module } from '../../nn/module.js';
import { Linear } from '../../nn/linear.js';
import { Conv2d } from '../../nn/conv.js';
import { Flatten } from '../../nn/flatten.js';
import { Dropout } from '../../nn/dropout.js';
import { BatchNorm1d, BatchNorm2d } from '../../nn/normalization.js';
import { AdaptiveAvgPool2d } from '../../nn/pooling.js';
import { ELU, LeakyReLU, ReLU, ReLU6, Softmax } from '../../nn/activation.js';
import { activationModule } from './activations.js';
import { Reshape, TfPool2d, ZeroPad2d } from './modules.js';
import type { DecodedWeight } from './artifacts.js';

export type Layout = 'tf' | 'cf';

/** What a converter sees: the layer, its weights, and the input's rank and layout (after any permute). */
export interface LayerContext {
  className: string;
  name: string;
  config: Record<string, any>;
  /** The input's rank including the batch dim, when known. */
  rank: number | null;
  layout: Layout;
  /** The layer's weight `<name>/<suffix>`; throws naming the layer when it is not in the manifest. */
  weight(suffix: string): DecodedWeight;
}

export interface ConvertedLayer {
  modules: Module[];
  /** The input's rank after the layer (null: unknown). */
  rank: number | null;
}

export interface LayerConverter {
  /** The layout the input must be in; 'any' for layers that work in both. */
  requires: 'tf' | 'cf' | 'any';
  convert(ctx: LayerContext): ConvertedLayer;
}

function tensorOf(w: DecodedWeight): Tensor {
  return Tensor.fromData(w.data, w.shape, 'float32');
}

/** Copies `value` into `module[name]`, refusing a shape the module does not expect. */
function setWeight(module: Module, name: string, value: Tensor, ctx: LayerContext, what: string): void {
  const dst = (module as unknown as Record<string, Tensor>)[name];
  if (dst.shape.join(',') !== value.shape.join(',')) {
    throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}): ${what} converts to shape [${value.shape.join(', ')}] but the module expects [${dst.shape.join(', ')}]; the weights do not match the layer config`);
  }
  noGrad(() => dst.copy_(value));
}

function pairOf(v: unknown, ctx: LayerContext, key: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : null;
  if (!p || p.length !== 2 || p.some((x) => !Number.isInteger(x))) {
    throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has ${key} ${JSON.stringify(v)}; expected an integer or two`);
  }
  return [p[0], p[1]];
}

function channelsLast(ctx: LayerContext): void {
  const f = ctx.config.data_format ?? 'channels_last';
  if (f !== 'channels_last') {
    throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has data_format '${f}'; only channels_last models can be loaded (rebuild the model channels-last)`);
  }
}

function padding(ctx: LayerContext): 'same' | 'valid' {
  const p = ctx.config.padding ?? 'valid';
  if (p !== 'same' && p !== 'valid') throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has padding '${p}'; only 'same' and 'valid' are supported`);
  return p;
}

/** The layer's own activation (Dense, Conv2D), applied on the channel dim of the layout the layer ran in. */
function withActivation(main: Module, ctx: LayerContext, channelDim: number): Module[] {
  const act = activationModule(ctx.config.activation, channelDim, () => `layer '${ctx.name}' (${ctx.className})`);
  return act ? [main, act] : [main];
}

const dense: LayerConverter = {
  requires: 'tf',
  convert(ctx) {
    const kernel = ctx.weight('kernel');
    const [nIn, nOut] = kernel.shape;
    const useBias = ctx.config.use_bias ?? true;
    const linear = new Linear(nIn, nOut, { bias: useBias });
    // Dense computes x·kernel with kernel [in, out]; Linear computes x·weightᵀ with weight [out, in].
    setWeight(linear, 'weight', tensorOf(kernel).t().contiguous(), ctx, 'kernel [in, out] transposed');
    if (useBias) setWeight(linear, 'bias', tensorOf(ctx.weight('bias')), ctx, 'bias');
    return { modules: withActivation(linear, ctx, -1), rank: ctx.rank };
  },
};

const conv2d: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    const kernel = ctx.weight('kernel');
    const [kh, kw, cin, cout] = kernel.shape;
    const groups = ctx.config.groups ?? 1;
    const useBias = ctx.config.use_bias ?? true;
    const conv = new Conv2d(cin * groups, cout, [kh, kw], {
      stride: pairOf(ctx.config.strides ?? 1, ctx, 'strides'),
      dilation: pairOf(ctx.config.dilation_rate ?? 1, ctx, 'dilation_rate'),
      // The functional conv's 'same' is TensorFlow's (the odd pixel at the bottom/right), for any stride.
      padding: padding(ctx),
      groups,
      bias: useBias,
    });
    // HWIO [kh, kw, in, out] → OIHW [out, in, kh, kw].
    setWeight(conv, 'weight', tensorOf(kernel).permute([3, 2, 0, 1]).contiguous(), ctx, 'kernel [kh, kw, in, out] as [out, in, kh, kw]');
    if (useBias) setWeight(conv, 'bias', tensorOf(ctx.weight('bias')), ctx, 'bias');
    return { modules: withActivation(conv, ctx, 1), rank: 4 };
  },
};

/**
 * DepthwiseConv2D: kernel [kh, kw, in, multiplier] → a grouped Conv2d (groups = in) with weight
 * [in·multiplier, 1, kh, kw]; output channel c·multiplier + m is input channel c's m-th filter, as in tfjs.
 */
const depthwiseConv2d: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    const kernel = ctx.weight('depthwise_kernel');
    const [kh, kw, cin, mult] = kernel.shape;
    const useBias = ctx.config.use_bias ?? true;
    const conv = new Conv2d(cin, cin * mult, [kh, kw], {
      stride: pairOf(ctx.config.strides ?? 1, ctx, 'strides'),
      dilation: pairOf(ctx.config.dilation_rate ?? 1, ctx, 'dilation_rate'),
      padding: padding(ctx),
      groups: cin,
      bias: useBias,
    });
    const weight = tensorOf(kernel).permute([2, 3, 0, 1]).contiguous().reshape([cin * mult, 1, kh, kw]);
    setWeight(conv, 'weight', weight, ctx, 'depthwise_kernel [kh, kw, in, multiplier] as [in·multiplier, 1, kh, kw]');
    if (useBias) setWeight(conv, 'bias', tensorOf(ctx.weight('bias')), ctx, 'bias');
    return { modules: withActivation(conv, ctx, 1), rank: 4 };
  },
};

/** ZeroPadding2D: padding [[top, bottom], [left, right]] (or one number, or [h, w]) of zeros around the map. */
const zeroPadding2d: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    const p = ctx.config.padding ?? 1;
    const hw: number[][] = typeof p === 'number' ? [[p, p], [p, p]] : p.map((d: number | number[]) => (typeof d === 'number' ? [d, d] : d));
    return { modules: [new ZeroPad2d([hw[1][0], hw[1][1], hw[0][0], hw[0][1]])], rank: 4 };
  },
};

function pooling(kind: 'max' | 'avg'): LayerConverter {
  return {
    requires: 'cf',
    convert(ctx) {
      channelsLast(ctx);
      const size = pairOf(ctx.config.pool_size ?? 2, ctx, 'pool_size');
      const strides = ctx.config.strides == null ? size : pairOf(ctx.config.strides, ctx, 'strides');
      return { modules: [new TfPool2d(kind, size, strides, padding(ctx))], rank: 4 };
    },
  };
}

const globalAveragePooling2d: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    if (ctx.config.keepdims) throw new Error(`loadLayersModel: layer '${ctx.name}' (GlobalAveragePooling2D) has keepdims true, which is not supported`);
    return { modules: [new AdaptiveAvgPool2d(1), new Flatten()], rank: 2 };
  },
};

const flatten: LayerConverter = {
  // tfjs flattens NHWC in (h, w, c) order; flattening in that layout keeps the next Dense's kernel rows valid.
  requires: 'tf',
  convert(ctx) {
    channelsLast(ctx);
    return { modules: [new Flatten()], rank: 2 };
  },
};

const reshape: LayerConverter = {
  requires: 'tf',
  convert(ctx) {
    const target = ctx.config.target_shape;
    if (!Array.isArray(target)) throw new Error(`loadLayersModel: layer '${ctx.name}' (Reshape) has no target_shape array`);
    return { modules: [new Reshape(target.map((d: number | null) => d ?? -1))], rank: target.length + 1 };
  },
};

/** Dropout, SpatialDropout, GaussianNoise...: identity at inference (the loaded model is in eval mode). */
const inferenceIdentity: LayerConverter = {
  requires: 'any',
  convert(ctx) {
    return { modules: [new Dropout(Math.min(Math.max(ctx.config.rate ?? 0, 0), 1))], rank: ctx.rank };
  },
};

const activation: LayerConverter = {
  requires: 'any',
  convert(ctx) {
    const channelDim = ctx.layout === 'cf' && ctx.rank === 4 ? 1 : -1;
    const act = activationModule(ctx.config.activation, channelDim, () => `layer '${ctx.name}' (Activation)`);
    return { modules: act ? [act] : [], rank: ctx.rank };
  },
};

/** The advanced-activation layer classes (tf.layers.reLU, leakyReLU, elu, softmax), element-wise but softmax. */
const reluLayer: LayerConverter = {
  requires: 'any',
  convert(ctx) {
    const max = ctx.config.max_value;
    if (max != null && max !== 6) throw new Error(`loadLayersModel: layer '${ctx.name}' (ReLU) has max_value ${max}; only none and 6 are supported`);
    return { modules: [max === 6 ? new ReLU6() : new ReLU()], rank: ctx.rank };
  },
};

const leakyReluLayer: LayerConverter = {
  requires: 'any',
  // tfjs's default alpha is 0.3 (PyTorch's negative slope 0.01).
  convert: (ctx) => ({ modules: [new LeakyReLU(ctx.config.alpha ?? 0.3)], rank: ctx.rank }),
};

const eluLayer: LayerConverter = {
  requires: 'any',
  convert: (ctx) => ({ modules: [new ELU(ctx.config.alpha ?? 1)], rank: ctx.rank }),
};

const softmaxLayer: LayerConverter = {
  // The axis is tfjs's: run it in tfjs's layout.
  requires: 'tf',
  convert: (ctx) => ({ modules: [new Softmax(ctx.config.axis ?? -1)], rank: ctx.rank }),
};

/**
 * BatchNormalization over the last axis. On a 4-d (NHWC) input that is BatchNorm2d over NCHW; on a 2-d one,
 * BatchNorm1d. tfjs's `center: false` / `scale: false` leave β = 0 / γ = 1.
 */
const batchNormalization: LayerConverter = {
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
    if (ctx.config.scale ?? true) setWeight(bn, 'weight', tensorOf(ctx.weight('gamma')), ctx, 'gamma');
    if (ctx.config.center ?? true) setWeight(bn, 'bias', tensorOf(ctx.weight('beta')), ctx, 'beta');
    setWeight(bn, 'running_mean', tensorOf(mean), ctx, 'moving_mean');
    setWeight(bn, 'running_var', tensorOf(ctx.weight('moving_variance')), ctx, 'moving_variance');
    return { modules: [bn], rank };
  },
};

/** BatchNormalization needs NCHW only on 4-d inputs; the builder asks this before converting. */
export function requiredLayout(converter: LayerConverter, className: string, rank: number | null): 'tf' | 'cf' | 'any' {
  if (className === 'BatchNormalization') return rank === 4 ? 'cf' : 'any';
  return converter.requires;
}

/** Keras class name → converter. InputLayer is handled by the model builder (it has no module). */
export const LAYER_CONVERTERS: Record<string, LayerConverter> = {
  Dense: dense,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  ZeroPadding2D: zeroPadding2d,
  MaxPooling2D: pooling('max'),
  AveragePooling2D: pooling('avg'),
  GlobalAveragePooling2D: globalAveragePooling2d,
  Flatten: flatten,
  Reshape: reshape,
  Dropout: inferenceIdentity,
  SpatialDropout1D: inferenceIdentity,
  SpatialDropout2D: inferenceIdentity,
  GaussianNoise: inferenceIdentity,
  GaussianDropout: inferenceIdentity,
  AlphaDropout: inferenceIdentity,
  Activation: activation,
  ReLU: reluLayer,
  LeakyReLU: leakyReluLayer,
  ELU: eluLayer,
  Softmax: softmaxLayer,
  BatchNormalization: batchNormalization,
};
