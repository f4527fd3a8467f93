/**
 * Maps the reference's tfjs layers onto the candidate's modules, by order and type, and derives the layout of every
 * tensor that crosses between them.
 *
 * The migrated model has the tfjs model's layer order, but a tfjs layer with a fused activation
 * (`dense({ activation: 'relu' })`) is two modules on the runtime (`Linear`, `ReLU`): such a layer maps to a GROUP
 * of consecutive leaf modules, and its output is the group's last module's output. The candidate's leaves are
 * taken in EXECUTION order (from a shape-probing forward), not registration order, so a model class whose forward
 * calls its members in another order still maps right. A layer may also be several modules (a global average pool
 * and its Flatten: the row's `then`), or none: a layer migrated to an op in the forward (RepeatVector, Permute,
 * GlobalMaxPooling → amax) has no module, and its output is read as the next module's input (readOpOutputs).
 *
 * Layouts (see layout.ts) come from what the two programs state, not from shapes (a 4×4×4 activation looks the
 * same either way): a tfjs spatial layer is channels-last unless its `dataFormat` says channelsFirst; the runtime's
 * spatial modules (Conv2d, MaxPool2d, BatchNorm2d, Conv1d, ...) are always channels-first; shape-preserving modules (ReLU,
 * Dropout) keep the layout of their input. The migrated model is NCHW after one permute at the model input, or,
 * migrated with --keep-layout, permuted back to NHWC after every channels-first layer (`candidateLayout: 'keep'`).
 * A Flatten whose candidate input is NCHW starts a "flattened NHWC" feature order, carried through shape-preserving
 * layers up to the next Dense, whose kernel rows are permuted to match. The shapes then only CHECK the stated
 * layout: a mismatch is a mapping error that says what was expected.
 */
import { ACTIVATIONS } from '../../mappings/compile.js';
import { TABLE } from '../../mappings/index.js';
import type { LayerPairing } from '../../mappings/schema.js';
import { weightLayoutOf, type ActivationLayout, type WeightLayout } from './layout.js';
import type { LayerMapping, ReferenceLayer } from './trace_meta.js';

/** A candidate leaf module as the shape probe saw it: name in `namedModules`, class, output shape (batch 1). */
export interface CandidateLeaf {
  name: string;
  type: string;
  outputShape: number[];
}

/** The layer rows' pairings (mappings/table/layers.ts `diff`) by tfjs class; alias rows (maxPool2d) repeat one. */
const PAIRINGS = new Map<string, LayerPairing>(TABLE.flatMap((r) => (r.diff ? [[r.diff.className, r.diff] as const] : [])));

/** tfjs layer class → the runtime module classes it migrates to. */
export const MODULE_TYPES: Record<string, readonly string[]> = Object.fromEntries([...PAIRINGS].map(([cls, p]) => [cls, p.modules]));

/** The module class of an activation named at run time (compat.layers.Activation): it pairs with any fused activation. */
export const RUNTIME_ACTIVATION = 'Activation';

/** A layer whose output is its module's output through an op (schema.ts `outputAfterOp`): read downstream. */
export const outputAfterOp = (className: string): boolean => PAIRINGS.get(className)?.outputAfterOp === true;

/** tfjs recurrent layer classes: their `activation` is internal to the cell, not a module after it. */
const RECURRENT = new Set([...PAIRINGS].filter(([, p]) => p.cellActivation).map(([cls]) => cls));

/**
 * A fused activation → the module that follows the main one on the runtime (null: no module). Derived from the
 * table the layer transformers emit from (mappings/compile.ts ACTIVATIONS), so the diff expects what the
 * migration writes.
 */
export const ACTIVATION_MODULES: Record<string, string | null> = Object.fromEntries(
  Object.entries(ACTIVATIONS).map(([name, spec]) => [name, spec?.module ? /new nn\.(\w+)\(/.exec(spec.module)![1] : null]),
);

/** tfjs weight short names → the runtime's, per layer class (kernel → weight and bias → bias otherwise). */
export const WEIGHT_NAMES: Record<string, Readonly<Record<string, string>>> = Object.fromEntries(
  [...PAIRINGS].flatMap(([cls, p]) => (p.weights ? [[cls, p.weights]] : [])),
);

/** Runtime modules that compute channels-first (PyTorch's convention), whatever layout the program uses elsewhere. */
export const CHANNELS_FIRST_MODULES = new Set(['Conv2d', 'ConvTranspose2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'BatchNorm2d', 'Conv1d', 'MaxPool1d', 'AvgPool1d', 'AdaptiveAvgPool1d']);

/**
 * Runtime modules that read the last axis as features: a sequence [N, T, C] reaches them in tfjs's layout (the
 * migrated forward permutes a channels-first one back first), so their output is never channels-first.
 */
const LAST_AXIS_MODULES = new Set(['Linear', 'LSTM', 'RNN', 'GRU', 'Embedding', 'LayerNorm', 'Unflatten']);

/** How the migrated model lays out activations between layers (the transpiler's `--keep-layout` or not). */
export type CandidateLayout = 'nchw' | 'keep';

export class LayerMapError extends Error {}

/**
 * The module classes a tfjs layer class pairs with: its row's, or — for a class no row knows met by a module of
 * the same class name — the program's own custom layer (`class Gated extends tf.layers.Layer`, migrated to a
 * compat.layers.Layer subclass of that name). Undefined: nothing to pair with.
 */
export function moduleTypesOf(className: string, candidateTypes: readonly string[]): readonly string[] | undefined {
  return MODULE_TYPES[className] ?? (candidateTypes.includes(className) ? [className] : undefined);
}

/**
 * A reference weight's parameter on the candidate module and its layout. A custom layer's weights keep their tfjs
 * names (under its `vars` child, compat/layer.ts addWeight) and the layout its own `call` reads them in.
 */
export function candidateWeight(layer: Pick<ReferenceLayer, 'className' | 'wrapped'>, tensor: string, flattenedFrom?: { h: number; w: number; c: number }): { name: string; layout: WeightLayout } {
  const { className } = layer;
  if (!MODULE_TYPES[className]) return { name: `vars.${tensor.replace(/[^\w$]/g, '_')}`, layout: { kind: 'same' } };
  return { name: WEIGHT_NAMES[className]?.[tensor] ?? (tensor === 'kernel' ? 'weight' : tensor), layout: weightLayoutOf(className, tensor, flattenedFrom, layer.wrapped) };
}

const eq = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function mapLayers(reference: readonly ReferenceLayer[], leaves: readonly CandidateLeaf[], candidateLayout: CandidateLayout = 'nchw'): LayerMapping[] {
  const out: LayerMapping[] = [];
  let j = 0;
  let flat: { h: number; w: number; c: number } | null = null;
  let prevRefShape: number[] | null = null;
  // Whether the activation leaving the previous group is channels-first on the candidate where the reference's is
  // channels-last (the model's input is the reference's layout; the migrated forward permutes it inside).
  let transposed = false;
  const describe = () =>
    `reference layers: ${reference.map((l) => `${l.name} (${l.className}${l.activation && l.activation !== 'linear' ? `+${l.activation}` : ''})`).join(', ')}; ` +
    `candidate modules in forward order: ${leaves.map((l) => `${l.name} (${l.type})`).join(', ')}`;
  for (const layer of reference) {
    const modules: CandidateLeaf[] = [];
    const isActivation = layer.className === 'Activation';
    const fused = isActivation || RECURRENT.has(layer.className) ? null : layer.activation;
    let expected: readonly string[] | null;
    const pairing = PAIRINGS.get(layer.className);
    // A layer that migrated to an op in the forward (no module of its own): its output is read further on.
    let asOp = false;
    if (isActivation) {
      const act = ACTIVATION_MODULES[layer.activation ?? 'linear'];
      if (act === undefined) throw new LayerMapError(`cannot map tfjs layer ${layer.name}: its activation '${layer.activation}' has no known runtime module (${describe()})`);
      // (An Activation layer whose name is known only at run time migrates to compat.layers.Activation.)
      expected = act === null ? null : [act, RUNTIME_ACTIVATION];
    } else if (layer.className === 'InputLayer') {
      expected = null;
    } else {
      expected = moduleTypesOf(layer.className, leaves[j] ? [leaves[j].type] : []) ?? null;
      if (!expected) throw new LayerMapError(`cannot map tfjs layer ${layer.name}: its class ${layer.className} has no known runtime module, and the next module is not a custom layer of that name (${describe()})`);
      if (pairing?.op && !(leaves[j] && expected.includes(leaves[j].type))) {
        asOp = true;
        expected = null;
      }
      if (pairing?.outputAfterOp) asOp = true;
    }
    if (expected) {
      const leaf = leaves[j];
      if (!leaf || !expected.includes(leaf.type)) {
        throw new LayerMapError(`cannot map tfjs layer ${layer.name} (${layer.className}) to the migrated model: expected ${expected.join(' or ')} next, found ${leaf ? `${leaf.name} (${leaf.type})` : 'no more modules'} (${describe()})`);
      }
      modules.push(leaf);
      j++;
      for (const next of pairing?.then ?? []) {
        const leaf = leaves[j];
        if (!leaf || leaf.type !== next) {
          throw new LayerMapError(`tfjs layer ${layer.name} (${layer.className}) migrates to ${[...expected, ...(pairing?.then ?? [])].join(' + ')}, so ${next} should follow ${modules[modules.length - 1].name}; found ${leaf ? `${leaf.name} (${leaf.type})` : 'no more modules'} (${describe()})`);
        }
        modules.push(leaf);
        j++;
      }
    } else if (!asOp && leaves[j]?.type === 'Identity') {
      // An Activation('linear') migrates to nothing, but a hand migration may keep its place with nn.Identity.
      modules.push(leaves[j]);
      j++;
    }
    if (fused && fused !== 'linear') {
      const act = ACTIVATION_MODULES[fused];
      const leaf = leaves[j];
      if (act === undefined) throw new LayerMapError(`cannot map the activation '${fused}' of tfjs layer ${layer.name}: no known runtime module`);
      // compat.layers.Activation is an activation named at run time (a builder's parameter): any activation's.
      if (!leaf || (leaf.type !== act && leaf.type !== RUNTIME_ACTIVATION)) {
        throw new LayerMapError(`tfjs layer ${layer.name} has activation '${fused}', so ${act} should follow ${modules[0]?.name ?? 'it'} in the migrated model; found ${leaf ? `${leaf.name} (${leaf.type})` : 'no more modules'} (${describe()})`);
      }
      modules.push(leaf);
      j++;
    }
    const last = modules[modules.length - 1];
    const refOut = layer.outputShape;
    // A layer that migrated to no module passes its input through: its output is the previous group's. One that
    // migrated to an op is read as the next group's input (below); its shape stands in until the trace checks it.
    let candOutputShape = asOp ? [1, ...refOut] : last ? last.outputShape : out.length ? out[out.length - 1].candidateOutputShape : [1, ...refOut];
    // returnSequences false: the module's [1, T, H] sequence, of which tfjs's output [H] is the last step.
    const lastStep = !asOp && RECURRENT.has(layer.className) && refOut.length === 1 && candOutputShape.length === 3 && candOutputShape[2] === refOut[0];
    if (lastStep) candOutputShape = [candOutputShape[0], candOutputShape[2]];
    const candOut = candOutputShape.slice(1);

    // The kernel of a Dense reading flattened NHWC features needs its rows permuted (layout.ts).
    const weights: LayerMapping['weights'] = [];
    const main = modules[0];
    for (const w of layer.weights) {
      const { name, layout } = candidateWeight(layer, w.tensor, flat ?? undefined);
      weights.push({ tensor: w.tensor, candidateName: `${main.name}.${name}`, layout });
    }

    let output: ActivationLayout = { kind: 'same' };
    const channelsFirstModule = main !== undefined && CHANNELS_FIRST_MODULES.has(main.type);
    let nextTransposed = false;
    if (asOp || !MODULE_TYPES[layer.className]) {
      // The migrated ops compute in tfjs's layout (a permute or reshape restores it first) or leave rank ≤ 2; a
      // custom layer's own call reads tfjs's layout.
      nextTransposed = false;
    } else if (layer.className === 'Flatten' && prevRefShape && (prevRefShape.length === 3 || prevRefShape.length === 2) && transposed) {
      // A sequence [T, C] flattens as a 1 × T map.
      const [h, w, c] = prevRefShape.length === 3 ? prevRefShape : [1, ...prevRefShape];
      flat = { h, w, c };
      output = { kind: 'flat-nhwc-to-nchw', ...flat };
    } else if (refOut.length === 3 || (refOut.length === 2 && (channelsFirstModule || (transposed && !LAST_AXIS_MODULES.has(main?.type ?? ''))))) {
      // A runtime spatial module outputs NCHW (NCW for the 1-D ones); tfjs's layer NHWC (NWC) unless it says
      // channelsFirst. Shape-preserving modules (and a layer with none) pass their input's layout on.
      const cf: boolean = channelsFirstModule ? layer.dataFormat !== 'channelsFirst' : transposed;
      if (cf) output = { kind: 'nhwc-to-nchw' };
      // --keep-layout permutes back to NHWC right after each channels-first layer.
      nextTransposed = cf && !(channelsFirstModule && candidateLayout === 'keep');
    } else if (layer.className === 'Dense') {
      flat = null;
    } else if (flat && refOut.length === 1 && refOut[0] === numel([flat.h, flat.w, flat.c])) {
      output = { kind: 'flat-nhwc-to-nchw', ...flat };
    }
    const stated = output.kind !== 'nhwc-to-nchw' ? refOut : refOut.length === 3 ? [refOut[2], refOut[0], refOut[1]] : [refOut[1], refOut[0]];
    if (!asOp && (refOut.length === 3 || output.kind !== 'same') && !eq(stated, candOut)) {
      throw new LayerMapError(`tfjs layer ${layer.name} (${layer.className}) outputs [${refOut.join(', ')}]${output.kind === 'same' ? '' : ` (${output.kind === 'nhwc-to-nchw' ? 'NHWC' : 'flattened NHWC'})`}; the migrated model, laid out ${candidateLayout === 'keep' ? 'NHWC between layers (--keep-layout)' : 'NCHW after the input permute'}, should output [${stated.join(', ')}] there but ${last ? last.name : 'it'} outputs [${candOut.join(', ')}] (was it migrated ${candidateLayout === 'keep' ? 'without' : 'with'} --keep-layout?)`);
    }
    out.push({
      layer: layer.name,
      referenceType: layer.className,
      modules: modules.map((m) => m.name),
      candidateType: modules.length ? modules.map((m) => m.type).join('+') : '(none)',
      output,
      candidateOutputShape: candOutputShape,
      weights,
      ...(lastStep ? { lastStep: true } : {}),
      ...(asOp ? { source: { kind: 'none', why: 'migrated to an op' } as const, candidateType: modules.length ? `${modules.map((m) => m.type).join('+')}+(op)` : '(op)' } : {}),
    });
    prevRefShape = refOut;
    transposed = nextTransposed;
  }
  readOpOutputs(out, leaves);
  if (j < leaves.length) {
    const rest = leaves.slice(j);
    // Trailing modules that compute nothing tfjs lacks (none are expected) make the mapping ambiguous: say so.
    throw new LayerMapError(`the migrated model has modules no tfjs layer maps to: ${rest.map((l) => `${l.name} (${l.type})`).join(', ')} (${describe()})`);
  }
  return out;
}

/**
 * Where a layer that migrated to an op shows its output: as the input of the next group's first module, or, last,
 * as the model's output. Two such layers in a row show only the second's (the first's stays unobservable, said so).
 * The value read as a channels-first module's input is NCHW there (the forward permutes tfjs's layout before it).
 */
function readOpOutputs(out: LayerMapping[], leaves: readonly CandidateLeaf[]): void {
  const types = new Map(leaves.map((l) => [l.name, l.type]));
  for (let i = 0; i < out.length; i++) {
    const m = out[i];
    if (m.source?.kind !== 'none') continue;
    const next = out[i + 1];
    if (!next) {
      m.source = { kind: 'model-output' };
    } else if (next.modules.length) {
      const consumer = next.modules[0];
      m.source = { kind: 'input-of', module: consumer, call: 0, consumer: next.layer };
      const shape = m.candidateOutputShape.slice(1);
      if (CHANNELS_FIRST_MODULES.has(types.get(consumer)!) && (shape.length === 3 || shape.length === 2)) {
        m.output = { kind: 'nhwc-to-nchw' };
        m.candidateOutputShape = shape.length === 3 ? [1, shape[2], shape[0], shape[1]] : [1, shape[1], shape[0]];
      }
    } else {
      m.source = { kind: 'none', why: `migrated to an op whose result the next layer, ${next.layer}, takes in the forward without a module` };
    }
  }
}
