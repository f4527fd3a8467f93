/**
 * Sequential tfjs models as an nn.Sequential. The activations are permuted only where the layout changes: into
 * NCHW before the first layer that computes channels-first (Conv2D, pooling, 4-d BatchNormalization), back to NHWC
 * before the first that needs tfjs's layout (Flatten, Dense, Reshape) and at the end, so a CNN costs two permutes.
 */
import { Sequential } from '../../nn/containers.js';
import type { Module } from '../../nn/module.js';
import type { DecodedWeight } from './artifacts.js';
import type { WeightReader } from './origin.js';
import { LAYER_CONVERTERS, requiredLayout, type Layout } from './layers.js';
import { childName } from './lookup.js';
import { Permute } from './modules.js';

export interface KerasLayer {
  class_name: string;
  config: Record<string, any>;
}

type Lookup = (layer: string, className: string, suffix: string) => DecodedWeight;
/** Records a weight's reader (module tensor → tfjs layout), for io.saveLayersModel. */
export type Binder = (weight: DecodedWeight, reader: WeightReader) => void;

function sequentialLayers(model: KerasLayer, source: string): KerasLayer[] {
  if (model.class_name !== 'Sequential') {
    throw new Error(`loadLayersModel: ${source} holds a '${model.class_name}' model; only Sequential and functional ('Model') models can be loaded`);
  }
  // Old Keras wrote a Sequential's config as the bare list of layers.
  const layers = Array.isArray(model.config) ? model.config : model.config?.layers;
  if (!Array.isArray(layers)) throw new Error(`loadLayersModel: the Sequential model in ${source} has no config.layers list`);
  return layers as KerasLayer[];
}

export function buildSequentialModel(model: KerasLayer, lookup: Lookup, source: string, bind?: Binder): Sequential {
  const layers = sequentialLayers(model, source);
  const children: Record<string, Module> = {};
  const taken = new Set<string>();
  let layout: Layout = 'tf';
  let rank: number | null = null;
  const toLayout = (want: Layout) => {
    if (want === layout || rank !== 4) return;
    children[childName(want === 'cf' ? 'to_nchw' : 'to_nhwc', taken)] = new Permute(want === 'cf' ? [0, 3, 1, 2] : [0, 2, 3, 1]);
    layout = want;
  };
  for (const layer of layers) {
    const { class_name: className, config = {} } = layer;
    const name: string = config.name ?? className;
    const inputShape = config.batch_input_shape ?? (config.input_shape ? [null, ...config.input_shape] : undefined);
    if (Array.isArray(inputShape)) rank = inputShape.length;
    if (className === 'InputLayer') continue;
    const converter = LAYER_CONVERTERS[className];
    if (!converter) {
      throw new Error(`loadLayersModel: layer '${name}' of ${source} is a '${className}', which the loader does not support; supported: InputLayer, ${Object.keys(LAYER_CONVERTERS).join(', ')}`);
    }
    const required = requiredLayout(converter, className, rank);
    if (required === 'cf' && rank !== 4) {
      throw new Error(`loadLayersModel: layer '${name}' (${className}) of ${source} needs a 4-d NHWC input but gets a ${rank ?? 'unknown'}-d one; give the first layer an inputShape [h, w, c]`);
    }
    if (required !== 'any') toLayout(required);
    const out = converter.convert({ className, name, config, rank, layout, weight: (suffix) => lookup(name, className, suffix), bind: (suffix, reader) => bind?.(lookup(name, className, suffix), reader) });
    out.modules.forEach((m, i) => {
      children[childName(i === 0 ? name : `${name}_activation`, taken)] = m;
    });
    rank = out.rank;
    // A conv or pool output is 4-d whatever came in; anything else of another rank has no layout to track.
    if (required === 'cf') layout = 'cf';
    if (rank !== 4) layout = 'tf';
  }
  toLayout('tf');
  return new Sequential(children).eval();
}
