/** Converters for tfjs's spatial layers: Conv2D, Conv2DTranspose, DepthwiseConv2D, ZeroPadding2D and pooling (NCHW inside). */
import { Conv2d, ConvTranspose2d } from '../../nn/conv.js';
import { ConvTranspose2dSame } from '../../compat/conv_transpose_same.js';
import { Flatten } from '../../nn/flatten.js';
import { AdaptiveAvgPool2d } from '../../nn/pooling.js';
import { GlobalMaxPool2d, GlobalPool1d, TfPool2d, ZeroPad2d } from './modules.js';
import { channelsLast, pairOf, padding, setWeight, tensorOf, withActivation, type LayerConverter } from './converter.js';

export const conv2d: LayerConverter = {
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
    setWeight(conv, 'weight', tensorOf(kernel).permute([3, 2, 0, 1]).contiguous(), ctx, 'kernel [kh, kw, in, out] as [out, in, kh, kw]', {
      suffix: 'kernel',
      toTfjs: (w) => w.permute([2, 3, 1, 0]),
    });
    if (useBias) setWeight(conv, 'bias', tensorOf(ctx.weight('bias')), ctx, 'bias', { suffix: 'bias' });
    return { modules: withActivation(conv, ctx, 1), rank: 4 };
  },
};

/**
 * Conv2DTranspose: kernel [kh, kw, out, in] → ConvTranspose2d weight [in, out, kh, kw]. tfjs's output is
 * input·stride ('same': compat.layers.ConvTranspose2dSame, exact for every kernel and stride) or
 * input·stride + max(k − s, 0) ('valid': no padding, outputPadding s − k where the kernel is below the stride).
 * tfjs passes no dilation to the op, so none is read.
 */
export const conv2dTranspose: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    const kernel = ctx.weight('kernel');
    const [kh, kw, cout, cin] = kernel.shape;
    const useBias = ctx.config.use_bias ?? true;
    const stride = pairOf(ctx.config.strides ?? 1, ctx, 'strides');
    const conv = padding(ctx) === 'same'
      ? new ConvTranspose2dSame(cin, cout, [kh, kw], { stride, bias: useBias })
      : new ConvTranspose2d(cin, cout, [kh, kw], { stride, outputPadding: [Math.max(stride[0] - kh, 0), Math.max(stride[1] - kw, 0)], bias: useBias });
    setWeight(conv, 'weight', tensorOf(kernel).permute([3, 2, 0, 1]).contiguous(), ctx, 'kernel [kh, kw, out, in] as [in, out, kh, kw]', {
      suffix: 'kernel',
      toTfjs: (w) => w.permute([2, 3, 1, 0]),
    });
    if (useBias) setWeight(conv, 'bias', tensorOf(ctx.weight('bias')), ctx, 'bias', { suffix: 'bias' });
    return { modules: withActivation(conv, ctx, 1), rank: 4 };
  },
};

/**
 * DepthwiseConv2D: kernel [kh, kw, in, multiplier] → a grouped Conv2d (groups = in) with weight
 * [in·multiplier, 1, kh, kw]; output channel c·multiplier + m is input channel c's m-th filter, as in tfjs.
 */
export const depthwiseConv2d: LayerConverter = {
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
    setWeight(conv, 'weight', weight, ctx, 'depthwise_kernel [kh, kw, in, multiplier] as [in·multiplier, 1, kh, kw]', {
      suffix: 'depthwise_kernel',
      toTfjs: (w) => w.reshape([cin, mult, kh, kw]).permute([2, 3, 0, 1]),
    });
    if (useBias) setWeight(conv, 'bias', tensorOf(ctx.weight('bias')), ctx, 'bias', { suffix: 'bias' });
    return { modules: withActivation(conv, ctx, 1), rank: 4 };
  },
};

/** ZeroPadding2D: padding [[top, bottom], [left, right]] (or one number, or [h, w]) of zeros around the map. */
export const zeroPadding2d: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    const p = ctx.config.padding ?? 1;
    const hw: number[][] = typeof p === 'number' ? [[p, p], [p, p]] : p.map((d: number | number[]) => (typeof d === 'number' ? [d, d] : d));
    return { modules: [new ZeroPad2d([hw[1][0], hw[1][1], hw[0][0], hw[0][1]])], rank: 4 };
  },
};

export function pooling(kind: 'max' | 'avg'): LayerConverter {
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

export const globalAveragePooling2d: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    if (ctx.config.keepdims) throw new Error(`loadLayersModel: layer '${ctx.name}' (GlobalAveragePooling2D) has keepdims true, which is not supported`);
    return { modules: [new AdaptiveAvgPool2d(1), new Flatten()], rank: 2 };
  },
};

export const globalMaxPooling2d: LayerConverter = {
  requires: 'cf',
  convert(ctx) {
    channelsLast(ctx);
    if (ctx.config.keepdims) throw new Error(`loadLayersModel: layer '${ctx.name}' (GlobalMaxPooling2D) has keepdims true, which is not supported`);
    return { modules: [new GlobalMaxPool2d()], rank: 2 };
  },
};

/** GlobalAveragePooling1D / GlobalMaxPooling1D over [N, steps, channels], in tfjs's layout (no permute needed). */
export function globalPooling1d(kind: 'avg' | 'max'): LayerConverter {
  return {
    requires: 'tf',
    convert(ctx) {
      if (ctx.config.keepdims) throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has keepdims true, which is not supported`);
      if (ctx.config.data_format === 'channels_first') throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has data_format channels_first, which is not supported`);
      if (ctx.rank !== null && ctx.rank !== 3) throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) needs a 3-d input [batch, steps, channels], got rank ${ctx.rank}`);
      return { modules: [new GlobalPool1d(kind)], rank: 2 };
    },
  };
}
