/**
 * `io.getLayer` and `io.modelUpTo`: tfjs's `model.getLayer(name)` and the model cut from it,
 * `tf.model({ inputs: model.inputs, outputs: layer.output })` — transfer learning's truncated MobileNet — on a model
 * `io.loadLayersModel` returned. Layer names are the model.json's. A functional model (Keras class 'Model', as
 * MobileNet is) is cut at any layer called once; a loaded Sequential answers getLayer but is not cut yet.
 *
 *   const mobilenet = await io.loadLayersModel('mobilenet/model.json');
 *   const layer = io.getLayer(mobilenet, 'conv_pw_13_relu');
 *   const truncated = io.modelUpTo(mobilenet, layer);   // shares the layers' modules with mobilenet
 */
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/containers.js';
import { FunctionalModel } from './tfjs_layers/functional.js';
import { childName } from './tfjs_layers/lookup.js';

/** tfjs's `model.getLayer(name)` on a loaded model: the module of the layer of that name. */
export function getLayer(model: Module, name: string): Module {
  if (!(model instanceof Module)) throw new TypeError(`io.getLayer: model must be a module io.loadLayersModel returned, got ${typeof model}`);
  if (typeof name !== 'string') throw new TypeError(`io.getLayer: name must be a layer name (a string), got ${typeof name}; tfjs's getLayer by index has no counterpart here`);
  if (model instanceof FunctionalModel) return model.getLayer(name);
  if (model instanceof Sequential) {
    // The loader names a Sequential's children after the tfjs layers (childName), so the name finds the child.
    const child = childName(name, new Set());
    const m = model.namedChildren().find(([n]) => n === child)?.[1];
    if (m) return m;
    throw new RangeError(`io.getLayer: the model has no layer '${name}'; its children: ${model.namedChildren().map(([n]) => n).join(', ')}`);
  }
  throw new TypeError(`io.getLayer: ${model.constructor.name} is not a model io.loadLayersModel returned; for a module of your own, read the field (or model.getSubmodule(path))`);
}

/**
 * tfjs's `tf.model({ inputs: model.inputs, outputs })` where `outputs` are `layer.output`s of `model`'s own layers
 * (the modules getLayer gave, or their names): a module from `model`'s inputs to those outputs, in tfjs's layout
 * (NHWC), sharing `model`'s modules.
 */
export function modelUpTo(model: Module, outputs: Module | string | readonly (Module | string)[]): Module {
  if (!(model instanceof FunctionalModel)) {
    const what = model instanceof Module ? model.constructor.name : typeof model;
    throw new TypeError(`io.modelUpTo: model must be a functional model io.loadLayersModel returned (Keras class 'Model'), got ${what}; a loaded Sequential is not cut yet: slice its children (new nn.Sequential(...)) by hand`);
  }
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const names = list.map((o, i) => {
    if (typeof o === 'string') return o;
    const name = o instanceof Module ? model.layerNameOf(o) : undefined;
    if (name === undefined) throw new RangeError(`io.modelUpTo: outputs[${i}] is not a layer of this model (pass what io.getLayer(model, name) returned, or the layer's name)`);
    return name;
  });
  return model.upTo(names);
}
