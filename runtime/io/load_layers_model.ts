/**
 * `io.loadLayersModel(pathOrUrl)`: a TensorFlow.js LayersModel (model.json + weight shards, as `model.save` writes
 * them) as an `nn.Module`.
 *
 * The module's `forward` takes what the tfjs model's `predict` takes, in the same layout (images NHWC), and returns
 * the same output: the convolutions run NCHW inside, with permutes at the boundaries, and a Flatten flattens in
 * tfjs's (h, w, c) order. The module is in eval mode (Dropout is the identity, BatchNorm uses the moving
 * statistics), as `predict` is.
 *
 *   const model = await io.loadLayersModel('model/model.json');      // or 'file://…', 'https://…'
 *   const y = model.call(torch.tensor(x));                            // same as tfModel.predict(x)
 *
 * Sequential models (Keras class 'Sequential') and functional ones ('Model': a graph of layers, with the merge
 * layers Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate; several inputs go in as an array, as to
 * predict) are supported. Layers: Dense, Conv2D, DepthwiseConv2D, ZeroPadding2D, MaxPooling2D, AveragePooling2D,
 * GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Reshape, Dropout (and the other inference-time identities),
 * Activation, ReLU, LeakyReLU, ELU, Softmax, BatchNormalization. Weights may be float32 or uint8/uint16/float16-quantized.
 */
import { Sequential } from '../nn/containers.js';
import type { Module } from '../nn/module.js';
import { readLayersModelArtifacts } from './tfjs_layers/artifacts.js';
import { childName, weightLookup } from './tfjs_layers/lookup.js';
import { LAYER_CONVERTERS, requiredLayout, type Layout } from './tfjs_layers/layers.js';
import { Permute } from './tfjs_layers/modules.js';
import { buildFunctionalModel } from './tfjs_layers/functional.js';

interface KerasLayer {
  class_name: string;
  config: Record<string, any>;
}

/** The Keras JSON of the model: tfjs writes it bare; the Python converter wraps it in `model_config`. */
function modelConfig(topology: unknown, source: string): KerasLayer {
  const t = topology as Record<string, any>;
  const m = (t && typeof t === 'object' && 'model_config' in t ? t.model_config : t) as KerasLayer;
  if (!m || typeof m.class_name !== 'string') throw new Error(`loadLayersModel: the modelTopology of ${source} has no class_name; it is not Keras JSON`);
  return m;
}

function sequentialLayers(model: KerasLayer, source: string): KerasLayer[] {
  if (model.class_name !== 'Sequential') {
    throw new Error(`loadLayersModel: ${source} holds a '${model.class_name}' model; only Sequential and functional ('Model') models can be loaded`);
  }
  // Old Keras wrote a Sequential's config as the bare list of layers.
  const layers = Array.isArray(model.config) ? model.config : model.config?.layers;
  if (!Array.isArray(layers)) throw new Error(`loadLayersModel: the Sequential model in ${source} has no config.layers list`);
  return layers as KerasLayer[];
}

export async function loadLayersModel(pathOrUrl: string): Promise<Module> {
  if (typeof pathOrUrl !== 'string') throw new TypeError(`loadLayersModel: expected the path or URL of a model.json, got ${typeof pathOrUrl}`);
  const { source, topology, weights } = await readLayersModelArtifacts(pathOrUrl);
  const model = modelConfig(topology, source);
  const lookup = weightLookup(weights, source);
  if (model.class_name === 'Model' || model.class_name === 'Functional') return buildFunctionalModel(model.config, lookup, source).eval();
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
    const out = converter.convert({ className, name, config, rank, layout, weight: (suffix) => lookup(name, className, suffix) });
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
