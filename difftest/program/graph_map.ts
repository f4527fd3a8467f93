/**
 * Maps a tfjs functional model (`tf.model`: branches, merges, a layer applied twice) onto the migrated module by the
 * graph, where mapping by order (layer_map.ts) cannot work: tfjs lists layers in topological order, the migrated
 * forward calls its members in the order the program applied them, and a layer applied twice is one module called
 * twice.
 *
 * - A tfjs layer pairs with a module of the class it migrates to (layer_map.ts's tables) whose weights have as many
 *   values as the layer's, preferring the module the transpiler named after it (`dense_Dense2` → `dense2`: the
 *   transpiler counts each layer kind in the order the layers are applied, as tfjs counts them in the order they are
 *   made, which is the same for `tf.layers.dense(...).apply(x)`), then the order the modules were made (field order
 *   = the order their parameters were created) against tfjs's creation order (its layer ids).
 * - A fused activation (`activation: 'relu'`) is either a module the layer's module feeds (seen by tensor identity in
 *   the shape-probing forward), or an op in the forward (`torch.relu(this.dense1.forward(x))`), which the transpiler
 *   writes for graph models. Then the layer's output is read where the migrated model shows it: as the input of the
 *   module that consumes it, or as the model's output; where neither shows it (the consumer is an op too, e.g.
 *   `torch.cat`), the probe applies the activation itself and the layers after it check it.
 * - Layers migrated to ops (Concatenate, Add, ...: no weights, no module) are read the same way.
 * A shared layer's module is called once per tfjs inbound node; its first call is compared.
 *
 * Between layers a graph model keeps tfjs's layout (the transpiler wraps channels-first modules in permutes), so an
 * output is NCHW only where it is read from a channels-first module (its own output or its input); the shapes then
 * check that.
 */
import { ACTIVATION_MODULES, candidateWeight, CHANNELS_FIRST_MODULES, LayerMapError, moduleTypesOf, outputAfterOp, RUNTIME_ACTIVATION } from './layer_map.js';
import type { ActivationLayout } from './layout.js';
import type { LayerMapping, OutputSource, ReferenceLayer } from './trace_meta.js';

/** One call of a candidate leaf module in the shape-probing forward (batch 1). */
export interface LeafCall {
  outputShape: number[];
  /** The call whose output this call was given, when it was another leaf's output as is (tensor identity). */
  inputFrom: { module: string; call: number } | null;
}

/** A candidate leaf module in registration (field) order, with its parameters and its calls in execution order. */
export interface GraphLeaf {
  name: string;
  type: string;
  params: { name: string; shape: number[] }[];
  calls: LeafCall[];
}

export interface CandidateGraph {
  leaves: GraphLeaf[];
  /** The model's output shape (batch 1), when it returns one tensor. */
  outputShape: number[] | null;
  /** Each output's shape (batch 1), when it returns several (a multi-output model). */
  outputShapes?: number[][];
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const eq = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Whether the reference is a plain chain (each layer fed by the one before it, each applied once): mapping by order
 * applies. Without graph facts in the trace (an older reference), it is taken as a chain.
 */
export function isChain(reference: readonly ReferenceLayer[]): boolean {
  return reference.every((l, i) => {
    if (!l.inbound) return true;
    if (l.inbound.length > 1) return false;
    const from = l.inbound[0] ?? [];
    if (i === 0 || l.className === 'InputLayer') return from.length <= 1;
    return from.length === 1 && (from[0] === reference[i - 1].name || reference[i - 1].className === 'InputLayer' && i === 1);
  });
}

/** `dense_Dense2` → `dense2`; a user-given name (`wide`) as written, lower-cased. */
function transpilerName(layer: ReferenceLayer): string {
  const m = /^[a-z0-9_]+?_([A-Za-z0-9]+?)(\d+)$/.exec(layer.name);
  return (m ? `${m[1]}${m[2]}` : layer.name).toLowerCase();
}

/** A layer whose module may be missing (the transpiler writes it as an op in a graph model's forward). */
const OPTIONAL = (l: ReferenceLayer) => l.weights.length === 0;

export function mapLayersByGraph(reference: readonly ReferenceLayer[], candidate: CandidateGraph, modelOutputs: readonly string[]): LayerMapping[] {
  const leaves = candidate.leaves;
  const byName = new Map(leaves.map((l) => [l.name, l]));
  const assigned = new Map<string, string>(); // leaf name → reference layer
  const main = new Map<string, GraphLeaf>(); // reference layer → its module
  const activationOf = new Map<string, GraphLeaf>(); // reference layer → its fused activation's module
  const describe = () =>
    `reference layers: ${reference.map((l) => `${l.name} (${l.className}${l.activation && l.activation !== 'linear' ? `+${l.activation}` : ''}${l.inbound ? ` ← ${l.inbound.map((n) => n.join('+') || '-').join(' | ')}` : ''})`).join(', ')}; ` +
    `candidate modules: ${leaves.map((l) => `${l.name} (${l.type}${l.calls.length !== 1 ? ` ×${l.calls.length}` : ''})`).join(', ')}`;

  const expectedTypes = (l: ReferenceLayer): readonly string[] | null => {
    if (l.className === 'InputLayer') return null;
    if (l.className === 'Activation') {
      const act = ACTIVATION_MODULES[l.activation ?? 'linear'];
      if (act === undefined) throw new LayerMapError(`cannot map tfjs layer ${l.name}: its activation '${l.activation}' has no known runtime module (${describe()})`);
      return act === null ? null : [act, RUNTIME_ACTIVATION];
    }
    const t = moduleTypesOf(l.className, leaves.map((c) => c.type));
    if (!t && l.weights.length) throw new LayerMapError(`cannot map tfjs layer ${l.name}: its class ${l.className} has no known runtime module (${describe()})`);
    return t ?? null;
  };

  // Main modules, in tfjs's creation order.
  const byCreation = reference.map((l, i) => ({ l, i })).sort((a, b) => (a.l.id ?? a.i) - (b.l.id ?? b.i));
  for (const { l } of byCreation) {
    const types = expectedTypes(l);
    if (!types) continue;
    const weightValues = l.weights.map((w) => numel(w.shape)).sort((a, b) => a - b);
    const fits = leaves.filter((c) => !assigned.has(c.name) && types.includes(c.type) && c.calls.length > 0 && (!weightValues.length || weightValues[weightValues.length - 1] === Math.max(...c.params.map((p) => numel(p.shape)))));
    const want = transpilerName(l);
    const pick = fits.find((c) => c.name.split('.').pop()!.toLowerCase() === want) ?? fits[0];
    if (!pick) {
      if (OPTIONAL(l)) continue;
      throw new LayerMapError(`cannot map tfjs layer ${l.name} (${l.className}, weights ${l.weights.map((w) => `${w.tensor} [${w.shape.join(', ')}]`).join(', ')}): no ${types.join(' or ')} module of the migrated model with as many weights is left (${describe()})`);
    }
    // A shared layer is one module called once per inbound node.
    const nodes = l.inbound?.length ?? 1;
    if (pick.calls.length !== nodes) {
      throw new LayerMapError(`tfjs layer ${l.name} is applied ${nodes} time(s), but the module it pairs with, ${pick.name} (${pick.type}), is called ${pick.calls.length} time(s) in the migrated forward (${describe()})`);
    }
    assigned.set(pick.name, l.name);
    main.set(l.name, pick);
  }

  // Fused activations written as modules: a module of the activation's class given the layer's module's output.
  for (const l of reference) {
    const m = main.get(l.name);
    const act = l.className === 'Activation' ? null : l.activation;
    if (!m || !act || act === 'linear') continue;
    const type = ACTIVATION_MODULES[act];
    if (type === undefined) throw new LayerMapError(`cannot map the activation '${act}' of tfjs layer ${l.name}: no known runtime module`);
    const a = leaves.find((c) => !assigned.has(c.name) && (c.type === type || c.type === RUNTIME_ACTIVATION) && c.calls.some((k) => k.inputFrom?.module === m.name && k.inputFrom.call === 0));
    if (a) {
      assigned.set(a.name, l.name);
      activationOf.set(l.name, a);
    }
  }

  const rest = leaves.filter((c) => !assigned.has(c.name) && c.type !== 'Identity');
  if (rest.length) throw new LayerMapError(`the migrated model has modules no tfjs layer maps to: ${rest.map((l) => `${l.name} (${l.type})`).join(', ')} (${describe()})`);

  const consumerOf = (name: string): { module: GraphLeaf; call: number; layer: string } | null => {
    for (const c of reference) {
      const m = main.get(c.name);
      if (!m) continue;
      const k = (c.inbound ?? []).findIndex((from) => from.length === 1 && from[0] === name);
      if (k >= 0 && m.calls.length > k) return { module: m, call: k, layer: c.name };
    }
    return null;
  };

  // A layer whose activated value only a Concatenate sees: its slice of the Concatenate's value, when that is
  // read (its consumer's input or the model's output) and the concatenation is along the last axis.
  const sliceOf = (l: ReferenceLayer, sources: Map<string, OutputSource>): OutputSource | null => {
    for (const c of reference) {
      if (c.className !== 'Concatenate' || !c.inbound?.length) continue;
      const from = c.inbound[0];
      const at = from.indexOf(l.name);
      const cs = sources.get(c.name);
      const rank = c.outputShape.length;
      if (at < 0 || !cs || (cs.kind !== 'input-of' && cs.kind !== 'model-output') || !(c.axis === undefined || c.axis === -1 || c.axis === rank)) continue;
      const widths = from.map((n) => reference.find((r) => r.name === n)?.outputShape.at(-1));
      if (widths.some((w) => w === undefined || w < 0)) continue;
      const start = widths.slice(0, at).reduce((a: number, b) => a + b!, 0);
      return { kind: 'slice-of', layer: c.name, start, length: widths[at]! };
    }
    return null;
  };

  const sources = new Map<string, OutputSource>();
  const mapped = reference.map((l): LayerMapping & { source: OutputSource } => {
    const m = main.get(l.name);
    const a = activationOf.get(l.name);
    const fused = l.className === 'Activation' ? undefined : l.activation;
    const needsActivation = fused !== undefined && fused !== 'linear';
    let source: OutputSource;
    let channelsFirst = false;
    if (a) {
      source = { kind: 'module', module: a.name, call: a.calls.findIndex((k) => k.inputFrom?.module === m!.name && k.inputFrom.call === 0) };
      channelsFirst = CHANNELS_FIRST_MODULES.has(m!.type);
    } else if (m && !needsActivation && !outputAfterOp(l.className)) {
      source = { kind: 'module', module: m.name, call: 0 };
      channelsFirst = CHANNELS_FIRST_MODULES.has(m.type);
    } else if (l.className === 'InputLayer') {
      source = { kind: 'none', why: 'the model input' };
    } else {
      const consumer = consumerOf(l.name);
      if (consumer) {
        source = { kind: 'input-of', module: consumer.module.name, call: consumer.call, consumer: consumer.layer };
        channelsFirst = CHANNELS_FIRST_MODULES.has(consumer.module.type);
      } else if (modelOutputs.length === 1 && modelOutputs[0] === l.name && candidate.outputShape) {
        source = { kind: 'model-output' };
      } else if (modelOutputs.length > 1 && modelOutputs.includes(l.name) && candidate.outputShapes?.length === modelOutputs.length) {
        // A multi-output model returns its outputs in tfjs's order (the migrated forward's `return [c, d]`).
        source = { kind: 'model-output', index: modelOutputs.indexOf(l.name) };
      } else if (m && needsActivation) {
        // Replaced by a Concatenate's slice in the second pass below where one shows the activated value.
        source = { kind: 'activation-applied', module: m.name, call: 0, activation: fused! };
        channelsFirst = CHANNELS_FIRST_MODULES.has(m.type);
      } else {
        source = { kind: 'none', why: 'migrated to an op whose result no module is given' };
      }
    }
    const shape = (() => {
      switch (source.kind) {
        case 'module':
        case 'activation-applied':
          return byName.get(source.module)!.calls[source.call].outputShape;
        case 'input-of': {
          // The consumer's input: the output of whatever fed it; the probe forward saw only its output shapes, so
          // the reference's shape (laid out as the consumer reads it) stands in and the trace shapes check it.
          return null;
        }
        case 'model-output':
          return source.index === undefined ? candidate.outputShape : candidate.outputShapes![source.index];
        default:
          return null;
      }
    })();
    const refOut = l.outputShape;
    let output: ActivationLayout = { kind: 'same' };
    if (refOut.length === 3 && channelsFirst && l.dataFormat !== 'channelsFirst') output = { kind: 'nhwc-to-nchw' };
    const stated = output.kind === 'nhwc-to-nchw' ? [refOut[2], refOut[0], refOut[1]] : refOut;
    if (shape && !eq(stated, shape.slice(1))) {
      throw new LayerMapError(`tfjs layer ${l.name} (${l.className}) outputs [${refOut.join(', ')}]; its counterpart in the migrated model (${describeSource(source)}) outputs [${shape.slice(1).join(', ')}], expected [${stated.join(', ')}] (${describe()})`);
    }
    const weights: LayerMapping['weights'] = [];
    for (const w of l.weights) {
      const { name, layout } = candidateWeight(l, w.tensor);
      weights.push({ tensor: w.tensor, candidateName: `${m!.name}.${name}`, layout });
    }
    const modules = [m, a].filter((x): x is GraphLeaf => x !== undefined);
    sources.set(l.name, source);
    return {
      layer: l.name,
      referenceType: l.className,
      modules: modules.map((x) => x.name),
      candidateType: modules.length ? modules.map((x) => x.type).join('+') + (needsActivation && !a ? `+${fused} (op)` : '') : '(op)',
      output,
      candidateOutputShape: shape ?? [1, ...stated],
      weights,
      source,
      inbound: l.inbound?.[0] ?? [],
    };
  });
  // Second pass, once every Concatenate's own source is known.
  for (const m of mapped) {
    if (m.source.kind !== 'activation-applied') continue;
    const s = sliceOf(reference.find((l) => l.name === m.layer)!, sources);
    if (s && m.output.kind === 'same') m.source = s;
  }
  return mapped;
}

export function describeSource(s: OutputSource): string {
  switch (s.kind) {
    case 'module':
      return `${s.module}${s.call ? ` (call ${s.call + 1})` : ''}`;
    case 'input-of':
      return `the input of ${s.module}${s.call ? ` (call ${s.call + 1})` : ''}`;
    case 'model-output':
      return s.index === undefined ? "the model's output" : `the model's output ${s.index + 1}`;
    case 'slice-of':
      return `its part [${s.start}, ${s.start + s.length}) of ${s.layer}'s value`;
    case 'activation-applied':
      return `${s.module} with ${s.activation} applied by the probe`;
    default:
      return `not observable: ${s.why}`;
  }
}
