/**
 * `io.getLayer` and `io.modelUpTo`: tfjs's `model.getLayer(name)` and the model cut from it,
 * `tf.model({ inputs: model.inputs, outputs: layer.output })` — transfer learning's truncated MobileNet — on a model
 * `io.loadLayersModel` returned. Layer names are the model.json's. A functional model (Keras class 'Model', as
 * MobileNet is) is cut at any layer called once; a loaded Sequential at any of its layers.
 *
 *   const mobilenet = await io.loadLayersModel('mobilenet/model.json');
 *   const layer = io.getLayer(mobilenet, 'conv_pw_13_relu');
 *   const truncated = io.modelUpTo(mobilenet, layer);   // shares the layers' modules with mobilenet
 */
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/containers.js';
import { FunctionalModel } from './tfjs_layers/functional.js';
import { childName } from './tfjs_layers/lookup.js';
import { Permute } from './tfjs_layers/modules.js';

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
  if (model instanceof Sequential) return sequentialUpTo(model, outputs);
  if (!(model instanceof FunctionalModel)) {
    const what = model instanceof Module ? model.constructor.name : typeof model;
    throw new TypeError(`io.modelUpTo: model must be a model io.loadLayersModel returned (a functional 'Model' or a Sequential), got ${what}`);
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

const NCHW = [0, 3, 1, 2].join();
const NHWC = [0, 2, 3, 1].join();

/**
 * A loaded Sequential up to one layer's output: its children up to that layer's (with the activation child the
 * loader splits off a fused activation, `<name>_activation`, as tfjs's layer output includes it), sharing the
 * modules, and a permute back to NHWC when the cut falls where the loader runs channels-first (between its
 * `to_nchw` and `to_nhwc` permutes), so the output is in tfjs's layout as tfjs's truncated model's is.
 */
function sequentialUpTo(model: Sequential, outputs: Module | string | readonly (Module | string)[]): Module {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  if (list.length !== 1) throw new RangeError(`io.modelUpTo: a Sequential has one output; cut it at one layer, got ${list.length}`);
  const children = model.namedChildren();
  const o = list[0];
  const name = typeof o === 'string' ? childName(o, new Set()) : children.find(([, m]) => m === o)?.[0];
  const at = children.findIndex(([n]) => n === name);
  if (at < 0) {
    throw new RangeError(`io.modelUpTo: ${typeof o === 'string' ? `the model has no layer '${o}'` : 'outputs[0] is not a layer of this model (pass what io.getLayer(model, name) returned, or the layer\'s name)'}; its children: ${children.map(([n]) => n).join(', ')}`);
  }
  const end = children[at + 1]?.[0] === `${name}_activation` ? at + 1 : at;
  const kept: Record<string, Module> = {};
  let channelsFirst = false;
  for (const [n, m] of children.slice(0, end + 1)) {
    kept[n] = m;
    if (m instanceof Permute) channelsFirst = m.dims.join() === NCHW ? true : m.dims.join() === NHWC ? false : channelsFirst;
  }
  if (channelsFirst) kept[childName('to_nhwc', new Set(Object.keys(kept)))] = new Permute([0, 2, 3, 1]);
  const cut = new Sequential(kept);
  cut.train(model.training);
  return cut;
}
