/**
 * The contract of a layer converter, and the helpers converters share. A converter turns one Keras layer (config and
 * weights) into runtime modules that compute the same function, and says which activation layout it needs.
 *
 * Layouts: tfjs keeps images channels-last (NHWC, 'tf'); the runtime's Conv2d, pooling and BatchNorm2d are
 * channels-first (NCHW, 'cf'). A converter says which layout its input must be in ('any' for element-wise layers);
 * the model builder inserts the permutes between them, so a Flatten (which needs 'tf') flattens in tfjs's (h, w, c)
 * order and the Dense after it reads its kernel's rows unchanged.
 */
import { Tensor } from '../../tensor.js';
import { noGrad } from '../../autograd/grad_mode.js';
import type { Module } from '../../nn/module.js';
import { activationModule } from './activations.js';
import type { DecodedWeight } from './artifacts.js';
import type { WeightReader } from './origin.js';

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
  /** Records how to read weight `<name>/<suffix>` back in tfjs's layout, for io.saveLayersModel. */
  bind?(suffix: string, reader: WeightReader): void;
}

/** Where a module weight came from: the layer's weight suffix, and the inverse of the conversion applied. */
export interface WeightSource {
  suffix: string;
  /** Module layout → tfjs layout; the identity when absent. */
  toTfjs?: (t: Tensor) => Tensor;
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

export function tensorOf(w: DecodedWeight): Tensor {
  return Tensor.fromData(w.data, w.shape, 'float32');
}

/**
 * Copies `value` into `module[name]`, refusing a shape the module does not expect. With `from`, the context learns
 * how to turn the module's (possibly trained) weight back into the tfjs weight it came from, so it can be saved.
 */
export function setWeight(module: Module, name: string, value: Tensor, ctx: LayerContext, what: string, from?: WeightSource): void {
  const dst = (module as unknown as Record<string, Tensor>)[name];
  if (dst.shape.join(',') !== value.shape.join(',')) {
    throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}): ${what} converts to shape [${value.shape.join(', ')}] but the module expects [${dst.shape.join(', ')}]; the weights do not match the layer config`);
  }
  noGrad(() => dst.copy_(value));
  if (from && ctx.bind) {
    const toTfjs = from.toTfjs ?? ((t: Tensor) => t);
    // Read the attribute at save time: the module may have been trained or had its tensor replaced since.
    ctx.bind(from.suffix, { owner: module, read: () => toTfjs((module as unknown as Record<string, Tensor>)[name]) });
  }
}

export function pairOf(v: unknown, ctx: LayerContext, key: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : null;
  if (!p || p.length !== 2 || p.some((x) => !Number.isInteger(x))) {
    throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has ${key} ${JSON.stringify(v)}; expected an integer or two`);
  }
  return [p[0], p[1]];
}

export function channelsLast(ctx: LayerContext): void {
  const f = ctx.config.data_format ?? 'channels_last';
  if (f !== 'channels_last') {
    throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has data_format '${f}'; only channels_last models can be loaded (rebuild the model channels-last)`);
  }
}

export function padding(ctx: LayerContext): 'same' | 'valid' {
  const p = ctx.config.padding ?? 'valid';
  if (p !== 'same' && p !== 'valid') throw new Error(`loadLayersModel: layer '${ctx.name}' (${ctx.className}) has padding '${p}'; only 'same' and 'valid' are supported`);
  return p;
}

/** The layer's own activation (Dense, Conv2D), applied on the channel dim of the layout the layer ran in. */
export function withActivation(main: Module, ctx: LayerContext, channelDim: number): Module[] {
  const act = activationModule(ctx.config.activation, channelDim, () => `layer '${ctx.name}' (${ctx.className})`);
  return act ? [main, act] : [main];
}
