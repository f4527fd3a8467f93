/** The metadata each side stores in its trace's index.json (the tensors go to tensors.bin; see trace.ts). */
import type { ActivationLayout, WeightLayout } from './layout.js';
import type { OpTraceLog } from './op_trace_log.js';

/** One reference (tfjs) layer, in model order. */
export interface ReferenceLayer {
  name: string;
  className: string;
  /** The fused activation (`relu`, `softmax`, ...), or undefined / 'linear' for none. */
  activation?: string;
  /** A spatial layer's `dataFormat` (tfjs's default is channelsLast); absent for layers without one. */
  dataFormat?: 'channelsLast' | 'channelsFirst';
  /** Input and output shapes without the batch dim. */
  inputShape: number[];
  outputShape: number[];
  /** A Concatenate's axis (tfjs counts the batch dim: -1 or rank). */
  axis?: number;
  /** Creation order among the model's layers (tfjs's layer id): the order the migrated module's fields follow. */
  id?: number;
  /** Per inbound node (one per call of the layer: a shared layer has several), the names of the layers feeding it. */
  inbound?: string[][];
  /** A wrapper's (TimeDistributed, Bidirectional) wrapped layer class (`LSTM`). */
  wrapped?: string;
  /**
   * Trainable and non-trainable weights in `layer.weights` order: tfjs names (`dense_Dense1/kernel`) and short ones
   * (a Bidirectional's carry their direction: `forward_kernel`, `backward_bias`).
   */
  weights: { name: string; tensor: string; shape: number[]; trainable: boolean }[];
}

export interface StepLog {
  step: number;
  epoch: number;
  batch: number;
  size: number;
  loss: number;
  metrics: Record<string, number>;
}

export interface EpochLog {
  epoch: number;
  logs: Record<string, number>;
}

export interface EvaluationLog {
  /** `loss`, then the metrics (tfjs's metricsNames / the migrated metrics keys). */
  names: string[];
  values: number[];
  dataHash: { x: string; y: string };
}

/**
 * The names of a multi-output model's evaluate list, value by value (both probes record evaluations under these):
 * tfjs's test function returns the running totals `[l1, l1 + l2, ..., total]`, then each output's loss, then the
 * metrics; the totals are named `loss_through_<output>` (the last one `loss`), the rest as tfjs names them
 * (`<output>_loss`, `<output>_<metric>`).
 */
export function evaluationNames(outputNames: readonly string[], metricKeys: readonly string[]): string[] {
  const n = outputNames.length;
  return [...outputNames.map((o, i) => (i === n - 1 ? 'loss' : `loss_through_${o}`)), ...outputNames.map((o) => `${o}_loss`), ...metricKeys];
}

interface CommonMeta {
  [key: string]: unknown;
  program: string;
  steps: StepLog[];
  epochs: EpochLog[];
  evaluations: EvaluationLog[];
  notes: string[];
  /** Steps at which outputs/gradients were recorded. */
  recordedSteps: number[];
  batchSize?: number;
  /** Set when fit ran (absent if the program never reached it). */
  fitDone?: boolean;
  /** `--trace ops`: the traced step's ops (op_trace_log.ts). */
  opTrace?: OpTraceLog;
}

/** The fields both sides start with: this process's program and empty logs. */
export function emptyLogs(): Pick<CommonMeta, 'program' | 'steps' | 'epochs' | 'evaluations' | 'notes' | 'recordedSteps'> {
  return { program: process.argv[1] ?? '', steps: [], epochs: [], evaluations: [], notes: [], recordedSteps: [] };
}

/** A variable a custom loop's optimizer updated (reference side), in the order tfjs created them. */
export interface LoopVariable {
  /** tfjs's variable name (an unnamed `tf.variable` gets a number: '0', '1', ...). */
  name: string;
  /** The program's own name for it (`const w = tf.variable(...)`), when instrument.ts saw one. */
  label?: string;
  shape: number[];
  /** Whether tfjs trains it (a `tf.variable(v, false)` holding an update's state, e.g. a running mean of squares, is not). */
  trainable?: boolean;
}

/** A custom loop's variable (by its index in ReferenceMeta.loop.variables) and the candidate tensor it pairs with. */
export interface LoopPair {
  refIndex: number;
  /** Where the candidate's tensor is: `params[2]` (the optimizer's params in order) or `leaf #2` (creation order). */
  candidate: string;
  /** Whether the candidate's optimizer updates it. */
  inOptimizer: boolean;
}

export interface ReferenceMeta extends CommonMeta {
  backend: string;
  version: string;
  /** The @tensorflow/tfjs package folder the reference ran on (the program's own copy when it has one). */
  tfjsPath?: string;
  fallbacks: string[];
  layers: ReferenceLayer[];
  /** Hashes of the training data (after the validation split) and of the validation data. */
  dataHash?: { x: string; y: string };
  /** Hashes of the validation data (validationSplit's tail or validationData), when fit validates. */
  valDataHash?: { x: string; y: string };
  lossName?: string;
  /** The layers whose outputs are the model's outputs (graph mapping: a layer's value may be the model's output). */
  modelOutputs?: string[];
  /**
   * Set when the program trained with a custom loop (loop_probe_tfjs.ts): its variables; `stoppedAt` when --steps
   * ended the program early (the candidate then stops after as many steps).
   */
  loop?: {
    variables: LoopVariable[];
    stoppedAt?: number;
    /**
     * `assign`: the program updates its variables itself (`tf.grads` / `tf.valueAndGrads` / `tf.variableGrads`, then
     * `variable.assign`); a step is the updates between two gradient computations. Absent: an optimizer's steps.
     */
    style?: 'assign';
    /** Assign style: the variables' names in the order step 0 first updated them. */
    updateOrder?: string[];
    /**
     * The program's optimizers, in the order of their first step: the names of the variables each updates (its
     * first step's order, then any it updated later). A program with several (a GAN's generator and discriminator)
     * pairs each migrated optimizer with one of them (loop_pairing.ts pairOptimizers).
     */
    optimizers?: string[][];
    /**
     * Shuffle orders the program announced (`globalThis.__torchbridgeDataOrder`, which the batching helper of a tfjs
     * program `migrate --emit-tfjs` wrote calls once per shuffled pass), recorded as `perm/<loop>/shuffle<k>`: the
     * migrated program's shuffled DataLoaders follow them in turn.
     */
    shuffles?: number;
  };
}

/** How one reference layer maps onto the candidate: its group of modules and the layouts of its tensors. */
export interface LayerMapping {
  layer: string;
  referenceType: string;
  /** Candidate module names (from `namedModules`) in the group, e.g. ['0', '1'] for Linear + ReLU. */
  modules: string[];
  candidateType: string;
  output: ActivationLayout;
  /** Output shape on the candidate with batch 1 (from the shape probe). */
  candidateOutputShape: number[];
  weights: { tensor: string; candidateName: string; layout: WeightLayout }[];
  /**
   * Mapped by graph (graph_map.ts): where the candidate's value of this layer's output (its first call) is read.
   * Absent: the group's last module's output (mapping by order, layer_map.ts).
   */
  source?: OutputSource;
  /**
   * Mapped by order, a recurrent layer with returnSequences false: its module (nn.LSTM/nn.RNN) outputs the whole
   * sequence [N, T, H], of which tfjs's layer output is the last step (read as output.select(1, -1)).
   */
  lastStep?: boolean;
  /** Mapped by graph: the reference layers feeding this one's first call (the layer summary's input error). */
  inbound?: string[];
}

/**
 * Where a graph-mapped layer's output is read on the candidate (call = which call of the module, from 0):
 * - `module`: a module's output (the layer's own, or its activation module's);
 * - `input-of`: the input of the module that consumes it (an activation written as an op, `F.relu(dense(x))`, or a
 *   layer migrated to an op, `torch.cat`, is visible as what the next module is given);
 * - `model-output`: the model's output (`index`: which, of a model with several);
 * - `slice-of`: its part of the last axis of a Concatenate (mapped layer `layer`) it feeds, when that is read;
 * - `activation-applied`: the layer's module's output with its fused activation applied by the probe, where nothing
 *   in the migrated model shows the activated value (the consumer is an op too); the activation is then checked only
 *   through the layers after it;
 * - `none`: not observable (recorded as such in the report's notes).
 */
export type OutputSource =
  | { kind: 'module'; module: string; call: number }
  | { kind: 'input-of'; module: string; call: number; consumer: string }
  | { kind: 'model-output'; index?: number }
  | { kind: 'slice-of'; layer: string; start: number; length: number }
  | { kind: 'activation-applied'; module: string; call: number; activation: string }
  | { kind: 'none'; why: string };

export interface CandidateMeta extends CommonMeta {
  device: string;
  version: string;
  mapping: LayerMapping[];
  dataReplaced: boolean;
  /** A custom loop's pairing of the reference's variables with the candidate's tensors (loop_pairing.ts). */
  loop?: { pairs: LoopPair[]; problems: string[] };
}

/**
 * The trace name of a data set's `i`-th input (`x`) or target (`y`): `x`, `x1`, `x2`, ... (the first keeps the name a
 * one-input fit records it under). Both probes read and write a multi-input or multi-output fit's data by it.
 */
export function dataTensorName(base: 'x' | 'y', i: number): string {
  return i === 0 ? base : `${base}${i}`;
}
