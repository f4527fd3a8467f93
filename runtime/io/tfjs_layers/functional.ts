/**
 * Functional tfjs models (Keras class 'Model': layers wired by `inbound_nodes`) as a module that runs the graph.
 *
 * Every tensor between layers stays in tfjs's layout (NHWC); a layer that computes channels-first inside (Conv2D,
 * pooling, 4-d BatchNormalization) permutes in and out itself. That costs two permutes per such layer, which the
 * Sequential builder avoids, but keeps every edge of an arbitrary graph (Add, Concatenate on tfjs's axis) right.
 */
import type { Tensor } from '../../tensor.js';
import { Module } from '../../nn/module.js';
import { Sequential } from '../../nn/containers.js';
import type { DecodedWeight } from './artifacts.js';
import type { WeightReader } from './origin.js';
import { LAYER_CONVERTERS, requiredLayout } from './layers.js';
import { childName } from './lookup.js';
import { MERGE_KINDS, Merge, type MergeKind } from './merge.js';
import { Permute } from './modules.js';

interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, any>;
  inbound_nodes?: unknown[];
}

interface Step {
  /** The tfjs layer this step calls (a shared layer has a step per call). */
  layer: string;
  module: Module;
  inputs: string[];
  output: string;
}

/** Runs the layers in dependency order; `forward(x)` or `forward([x1, x2])` as tfjs's predict takes them. */
export class FunctionalModel extends Module {
  /**
   * @param layers the child modules by child name; `layerNames` maps each tfjs layer name to its child name
   * (they differ where the tfjs name holds characters a module name cannot).
   */
  constructor(layers: Record<string, Module>, private readonly steps: Step[], private readonly inputKeys: string[], private readonly outputKeys: string[], private readonly layerNames: ReadonlyMap<string, string> = new Map()) {
    super();
    for (const [name, m] of Object.entries(layers)) this.registerModule(name, m);
  }

  override forward(...args: (Tensor | Tensor[])[]): Tensor | Tensor[] {
    const xs = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
    if (xs.length !== this.inputKeys.length) {
      throw new RangeError(`loadLayersModel: the model takes ${this.inputKeys.length} input(s) (${this.inputKeys.map((k) => k.split(':')[0]).join(', ')}), got ${xs.length}; pass them as an array, as to tfjs's predict`);
    }
    const values = new Map<string, Tensor>();
    this.inputKeys.forEach((k, i) => values.set(k, xs[i]));
    for (const s of this.steps) values.set(s.output, s.module.call(...s.inputs.map((k) => values.get(k)!)));
    const out = this.outputKeys.map((k) => values.get(k)!);
    return out.length === 1 ? out[0] : out;
  }

  /** The tfjs layer names, in the order the model runs them. */
  layerNamesInOrder(): string[] {
    return [...new Set(this.steps.map((s) => s.layer))];
  }

  /** tfjs's `model.getLayer(name)`: the module of the layer of that name (as in model.json). */
  getLayer(name: string): Module {
    const child = this.layerNames.get(name);
    const m = child === undefined ? undefined : this.getSubmodule(child);
    if (!m) throw new RangeError(`getLayer: the model has no layer '${name}'; its layers: ${this.layerNamesInOrder().join(', ')}`);
    return m;
  }

  /** The tfjs name of a layer module of this model (the inverse of getLayer). */
  layerNameOf(module: Module): string | undefined {
    const step = this.steps.find((s) => s.module === module);
    return step?.layer;
  }

  /**
   * tfjs's `tf.model({ inputs: model.inputs, outputs: [layer.output, ...] })` for layers of this model: a model
   * from this one's inputs to those layers' outputs, running only the steps they need. It shares the layers'
   * modules (training one trains the other, as tfjs shares layers) and holds only those it runs. As tfjs's
   * `layer.output`, a layer called more than once (a shared layer) has no single output: an error.
   */
  upTo(layers: readonly string[]): FunctionalModel {
    if (!layers.length) throw new RangeError('upTo: name at least one layer whose output the model gives');
    const byOutput = new Map(this.steps.map((s) => [s.output, s]));
    const outputKeys = layers.map((name) => {
      const calls = this.steps.filter((s) => s.layer === name);
      if (!calls.length) throw new RangeError(`upTo: the model has no layer '${name}'; its layers: ${this.layerNamesInOrder().join(', ')}`);
      if (calls.length > 1) throw new RangeError(`upTo: layer '${name}' is called ${calls.length} times in the model, so it has no single output (tfjs's layer.output is an error there too); cut at a layer called once`);
      return calls[0].output;
    });
    const needed = new Set<Step>();
    const visit = (key: string) => {
      const s = byOutput.get(key);
      if (!s || needed.has(s)) return;
      needed.add(s);
      s.inputs.forEach(visit);
    };
    outputKeys.forEach(visit);
    const steps = this.steps.filter((s) => needed.has(s));
    const children: Record<string, Module> = {};
    const names = new Map<string, string>();
    for (const s of steps) {
      const child = this.layerNames.get(s.layer)!;
      children[child] = s.module;
      names.set(s.layer, child);
    }
    const cut = new FunctionalModel(children, steps, this.inputKeys, outputKeys, names);
    // Not cut.train(): that would set the mode of the shared modules too.
    cut.training = this.training;
    return cut;
  }
}

/** `[layer, nodeIndex, tensorIndex]` → the key of that tensor. */
const keyOf = (ref: unknown[]): string => `${ref[0]}:${ref[1] ?? 0}:${ref[2] ?? 0}`;

type Lookup = (layer: string, className: string, suffix: string) => DecodedWeight;
/** Records a weight's reader (module tensor → tfjs layout), for io.saveLayersModel. */
export type Binder = (weight: DecodedWeight, reader: WeightReader) => void;

/** One layer as a module taking and returning tfjs's layout, and the rank of its output. */
function convertInTfLayout(layer: KerasLayer, name: string, rank: number | null, lookup: Lookup, source: string, bind?: Binder): { module: Module; rank: number | null } {
  const className = layer.class_name;
  const config = layer.config ?? {};
  if ((MERGE_KINDS as readonly string[]).includes(className)) {
    return { module: new Merge(className as MergeKind, config.axis ?? -1), rank };
  }
  const converter = LAYER_CONVERTERS[className];
  if (!converter) {
    throw new Error(`loadLayersModel: layer '${name}' of ${source} is a '${className}', which the loader does not support; supported: InputLayer, ${[...Object.keys(LAYER_CONVERTERS), ...MERGE_KINDS].join(', ')}`);
  }
  const required = requiredLayout(converter, className, rank);
  if (required === 'cf' && rank !== 4) {
    throw new Error(`loadLayersModel: layer '${name}' (${className}) of ${source} needs a 4-d NHWC input but gets a ${rank ?? 'unknown'}-d one; check the model's input shapes`);
  }
  const layout = required === 'cf' ? 'cf' : 'tf';
  const out = converter.convert({ className, name, config, rank, layout, weight: (suffix) => lookup(name, className, suffix), bind: (suffix, reader) => bind?.(lookup(name, className, suffix), reader) });
  const modules = layout === 'cf'
    ? [new Permute([0, 3, 1, 2]), ...out.modules, ...(out.rank === 4 ? [new Permute([0, 2, 3, 1])] : [])]
    : out.modules;
  return { module: modules.length === 1 ? modules[0] : new Sequential(...modules), rank: out.rank };
}

export function buildFunctionalModel(config: Record<string, any>, lookup: Lookup, source: string, bind?: Binder): FunctionalModel {
  const layers = config?.layers as KerasLayer[] | undefined;
  if (!Array.isArray(layers) || !Array.isArray(config.input_layers) || !Array.isArray(config.output_layers)) {
    throw new Error(`loadLayersModel: the functional model in ${source} lacks config.layers, input_layers or output_layers`);
  }
  const ranks = new Map<string, number | null>();
  const children: Record<string, Module> = {};
  const taken = new Set<string>();
  const pending: { layer: KerasLayer; name: string; node: number; inputs: string[] }[] = [];
  for (const layer of layers) {
    const name = layer.name ?? layer.config?.name;
    if (layer.class_name === 'InputLayer') {
      const shape = layer.config?.batch_input_shape ?? layer.config?.batch_shape;
      ranks.set(`${name}:0:0`, Array.isArray(shape) ? shape.length : null);
      continue;
    }
    (layer.inbound_nodes ?? []).forEach((node, n) => {
      if (!Array.isArray(node)) throw new Error(`loadLayersModel: layer '${name}' of ${source} has an inbound node that is not a list (a Keras 3 model?); re-save it with tfjs or Keras 2`);
      pending.push({ layer, name, node: n, inputs: node.map((ref) => keyOf(ref as unknown[])) });
    });
  }
  const steps: Step[] = [];
  const layerNames = new Map<string, string>();
  const modules = new Map<string, { module: Module; rank: number | null }>();
  // Dependency order: Keras lists layers in order, but a shared layer's later nodes can wait on later layers.
  while (pending.length) {
    const i = pending.findIndex((p) => p.inputs.every((k) => ranks.has(k)));
    if (i < 0) throw new Error(`loadLayersModel: the graph of ${source} cannot be ordered: layer '${pending[0].name}' waits on ${pending[0].inputs.filter((k) => !ranks.has(k)).join(', ')}, which no layer produces`);
    const [p] = pending.splice(i, 1);
    let built = modules.get(p.name);
    if (!built) {
      // A shared layer is one module, converted for the rank of its first call.
      built = convertInTfLayout(p.layer, p.name, ranks.get(p.inputs[0]) ?? null, lookup, source, bind);
      const child = childName(p.name, taken);
      children[child] = built.module;
      layerNames.set(p.name, child);
      modules.set(p.name, built);
    }
    const output = `${p.name}:${p.node}:0`;
    ranks.set(output, built.rank);
    steps.push({ layer: p.name, module: built.module, inputs: p.inputs, output });
  }
  const inputKeys = (config.input_layers as unknown[][]).map(keyOf);
  const outputKeys = (config.output_layers as unknown[][]).map(keyOf);
  for (const k of outputKeys) if (!ranks.has(k)) throw new Error(`loadLayersModel: the output ${k} of ${source} is produced by no layer`);
  return new FunctionalModel(children, steps, inputKeys, outputKeys, layerNames);
}
