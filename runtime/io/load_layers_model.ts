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
 * predict) are supported. Layers: Dense, Conv2D, Conv2DTranspose, DepthwiseConv2D, ZeroPadding2D, MaxPooling2D, AveragePooling2D,
 * GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Reshape, Dropout (and the other inference-time identities),
 * Activation, ReLU, LeakyReLU, ELU, Softmax, BatchNormalization. Weights may be float32 or uint8/uint16/float16-quantized.
 */
import type { Module } from '../nn/module.js';
import type { DecodedWeight } from './tfjs_layers/artifacts.js';
import { rememberOrigin, type WeightReader } from './tfjs_layers/origin.js';
import { readLayersModelArtifacts } from './tfjs_layers/artifacts.js';
import { weightLookup } from './tfjs_layers/lookup.js';
import { buildFunctionalModel } from './tfjs_layers/functional.js';
import { buildSequentialModel, type KerasLayer } from './tfjs_layers/sequential.js';

/** The Keras JSON of the model: tfjs writes it bare; the Python converter wraps it in `model_config`. */
function modelConfig(topology: unknown, source: string): KerasLayer {
  const t = topology as Record<string, any>;
  const m = (t && typeof t === 'object' && 'model_config' in t ? t.model_config : t) as KerasLayer;
  if (!m || typeof m.class_name !== 'string') throw new Error(`loadLayersModel: the modelTopology of ${source} has no class_name; it is not Keras JSON`);
  return m;
}

export async function loadLayersModel(pathOrUrl: string): Promise<Module> {
  if (typeof pathOrUrl !== 'string') throw new TypeError(`loadLayersModel: expected the path or URL of a model.json, got ${typeof pathOrUrl}`);
  const { source, topology, weights } = await readLayersModelArtifacts(pathOrUrl);
  const model = modelConfig(topology, source);
  const lookup = weightLookup(weights, source);
  // Each converted weight leaves a reader behind, so io.saveLayersModel can write the module back.
  const readers = new Map<DecodedWeight, WeightReader>();
  const bind = (w: DecodedWeight, reader: WeightReader) => readers.set(w, reader);
  const module = model.class_name === 'Model' || model.class_name === 'Functional'
    ? buildFunctionalModel(model.config, lookup, source, bind).eval()
    : buildSequentialModel(model, lookup, source, bind);
  rememberOrigin(module, { topology, weights, readers });
  return module;
}
