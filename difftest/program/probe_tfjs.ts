/**
 * The reference side's probe module (imported by the instrumented tfjs program as `__tb`): `fit` and `evaluate`
 * with tfjs's own numerics, recording what the candidate needs to follow and what the diff compares.
 *
 * `fit` is tfjs's training step made visible. Per batch it does what `LayersModel.makeTrainFunction` does — one
 * forward in training mode, `mean(lossFunction(y, ŷ))` plus regularizer losses, `optimizer.minimize` over the
 * collected trainable weights — but as its two halves (`tf.variableGrads`, then `optimizer.applyGradients`, which
 * is exactly what `minimize` runs), so the gradients are observed without a second backward pass. The forward runs
 * through a multi-output `tf.model` over every layer's output (the same layers and weights), so the layer outputs
 * come from the very forward the step uses. The batch order is a seeded permutation per epoch, recorded, instead
 * of tfjs's unseeded `util.shuffle`. Callbacks the program passed are called as tfjs's fit calls them. Several
 * inputs and outputs (`fit([x1, x2], [y1, y2])`, the outputs' per-sample losses summed) and `classWeight` (each
 * sample's loss times its class's weight) are makeTrainFunction's too: probe_tfjs_outputs.ts.
 *
 * Dropout masks cannot be shared through tfjs's RNG, so a Dropout layer's training-mode call is replaced by the
 * same formula as `tf.dropout` (`x · floor(u + keep) / keep`) with `u` from the seeded generator, and each mask is
 * recorded for the candidate's Dropout modules.
 *
 * Recorded (trace.ts): initial weights, per-epoch permutations, training/evaluation data (for the candidate to
 * replay when its own data differs), per step the loss and metrics (meta), layer outputs and gradients every
 * `recordEvery` steps, parameters after each step (every step under replay), Dropout masks; epoch logs and
 * evaluation results (meta).
 *
 * A program with a custom loop instead of fit is recorded by loop_probe_tfjs.ts, installed here.
 *
 * Import-time work is deliberate: this module is the diff child's first import (instrument.ts puts it above the
 * program's own), and importing it reads the child's config, selects the backend, seeds Math.random (tfjs's initializers draw from it) and opens the trace, so all of it is in place
 * before the program's body runs — an ESM import is the only hook that early. It is no library module: imported
 * anywhere but a `torchbridge diff` child it stops at once, saying so (child_config.ts readChildConfig).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgressBar } from '../../runtime/utils/progress.js';
import { permutation, readChildConfig, recordsAt, recordsParametersAt, seededRandom } from './child_config.js';
import { FitOpTrace } from './fit_op_trace.js';
import { installLoopProbes } from './loop_probe_tfjs.js';
import { startTfjsOpTrace } from './op_trace_tfjs.js';
import { asFloat32, EVAL_OUTPUT, hashValues, TraceWriter, traceKey } from './trace.js';
import { dataTensorName, emptyLogs, type EpochLog, type ReferenceLayer, type ReferenceMeta, type StepLog } from './trace_meta.js';
import { classSampleWeights, evaluationNames, fitInputs, validationLogs } from './probe_tfjs_outputs.js';

const cfg = readChildConfig('reference');
// `@tensorflow/tfjs` here is the copy the program's entry resolves (hooks.mjs): the program's own when it has one.
const tfjsFile = fileURLToPath(import.meta.resolve('@tensorflow/tfjs'));

const fallbacks: string[] = [];
/** Set when the wasm backend is not the program's own (its project has tfjs without it). */
let wasmFrom = '';
await selectBackend();

const meta: ReferenceMeta = { ...emptyLogs(), backend: tf.getBackend(), version: tf.version.tfjs, tfjsPath: packageDir(tfjsFile), fallbacks, layers: [] };
if (wasmFrom) meta.notes.push(wasmFrom);
const trace = new TraceWriter(cfg.traceDir, meta);
// The program may end without awaiting its main(); the index is written whenever the process exits.
// A hand-written custom-loop step still open at the end is the program's last one (loop_probe_tfjs.ts).
// Stopped by the diff's --timeout (child.ts sends SIGTERM): exit through the exit handler, so the trace says how far
// the program got.
process.on('SIGTERM', () => process.exit(143));
process.on('exit', () => {
  loopProbes?.finish();
  trace.close();
});
// A program that trains with its own loop (no fit): its optimizer's steps are recorded as they happen.
const loopProbes = cfg.customLoop && !cfg.plain ? installLoopProbes(cfg, trace, meta) : null;
// --trace ops on a model.fit program: the traced step's kernels, from its batch to its gradients (fit_op_trace.ts).
const fitOps = new FitOpTrace(cfg.traceOps && !cfg.customLoop && !cfg.plain ? startTfjsOpTrace(trace, meta, cfg.traceOps.step, false) : null);

/** `__tb.declared(tf.variable(...), 'w')` (instrument.ts): the program's name for a custom loop's variable. */
export function declared<T>(v: T, label: string): T {
  return loopProbes ? loopProbes.declared(v, label) : v;
}

const random = seededRandom(cfg.seed);
// tfjs's initializers (and any unseeded tf.random*) draw their seed from Math.random: replacing it with a seeded
// generator, here at import time, before the program body builds its layers, makes the reference's initial
// weights (and so the whole run) the same from one run to the next, so a diff that failed reruns as it failed.
// A separate stream from `random` (batch order, dropout masks) so adding a layer does not reshuffle the batches.
Math.random = seededRandom((cfg.seed ^ 0x5eed1217) >>> 0);
let globalStep = 0;
let initialRecorded = false;

async function selectBackend(): Promise<void> {
  const b = cfg.backend;
  if (b === 'node' || b === 'node-gpu') {
    const pkg = b === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
    try {
      import.meta.resolve(pkg);
    } catch {
      throw new Error(`--reference ${b}: ${pkg} is not installed here; install it (npm install ${pkg}) or use --reference cpu|wasm`);
    }
    await import(pkg);
    await tf.setBackend('tensorflow');
  } else if (b === 'wasm') {
    const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      // tfjs's copies share one engine and kernel registry (a global), so torchbridge's copy of the backend serves the
      // program's tfjs too; the report says whose it was.
      const wasmDir = packageDir(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')));
      if (dirname(wasmDir) !== dirname(packageDir(tfjsFile))) wasmFrom = `reference: no @tensorflow/tfjs-backend-wasm beside the program's tfjs; torchbridge's (${wasmDir}) ran it`;
    } catch (e) {
      throw new Error(`--reference wasm: @tensorflow/tfjs-backend-wasm could not be loaded (${(e as Error).message.split('\n')[0]}); install it beside @tensorflow/tfjs (npm install @tensorflow/tfjs-backend-wasm) or use --reference cpu`);
    }
    if (!(await tf.setBackend('wasm'))) throw new Error('--reference wasm: the tfjs wasm backend failed to initialise');
    // The wasm module (emscripten) rethrows every uncaught error from handlers of its own, so a program that throws
    // exits with Node's code 7 instead of its own 1: take them out, the program's errors end it as they would alone.
    for (const l of process.listeners('uncaughtException')) if (!before.uncaughtException.includes(l)) process.off('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!before.unhandledRejection.includes(l)) process.off('unhandledRejection', l);
  } else {
    await tf.setBackend('cpu');
  }
  await tf.ready();
}

/** The folder of the package holding `file` (the nearest package.json with a name). */
function packageDir(file: string): string {
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name) return dir;
  }
  return dirname(file);
}

/**
 * Kernels a layer's training needs beyond its forward. tfjs's wasm backend lacks some of them (e.g.
 * `Conv2DBackpropFilter`); tfjs then fails mid-fit, so the probe checks before the first step and runs the
 * whole reference on cpu instead (one backend for the run: a per-kernel split would move every activation
 * between backends at each such op), and says so in the report.
 */
const TRAINING_KERNELS: Record<string, string[]> = {
  Conv2D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  Conv1D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  DepthwiseConv2D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  Conv2DTranspose: ['Conv2DBackpropFilter', 'Conv2D'],
  MaxPooling2D: ['MaxPoolGrad'],
  AveragePooling2D: ['AvgPoolGrad'],
  // A gather's gradient.
  Embedding: ['UnsortedSegmentSum'],
};

async function fallBackIfUntrainable(model: tf.LayersModel): Promise<void> {
  if (tf.getBackend() !== 'wasm') return;
  const missing = new Set<string>();
  for (const layer of model.layers) {
    for (const k of TRAINING_KERNELS[layer.getClassName()] ?? []) if (!tf.getKernel(k, 'wasm')) missing.add(k);
  }
  if (!missing.size) return;
  await tf.setBackend('cpu');
  for (const k of missing) fallbacks.push(`${k}: not registered for backend 'wasm'; the whole reference ran on cpu`);
  meta.backend = 'cpu';
}

function isLayersModel(m: unknown): m is tf.LayersModel {
  return m instanceof tf.LayersModel;
}

/** tfjs-layers internals the probe reads (public in JS, protected in the typings). */
interface CompiledModel {
  lossFunctions: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor)[];
  metricsTensors: [(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, number][];
  metricsNames: string[];
  collectedTrainableWeights?: tf.LayerVariable[];
  calculateLosses(): tf.Scalar[];
  optimizer: tf.Optimizer;
}

/** tf.Sequential compiles and trains the functional model it wraps (`model.model`). */
function compiledOf(model: tf.LayersModel): CompiledModel {
  const inner = (model as unknown as { model?: unknown }).model;
  return (model instanceof tf.Sequential && inner ? inner : model) as unknown as CompiledModel;
}

/** A layer's first tensor of a call (a merge layer takes several). */
const firstCall = (t: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => (Array.isArray(t) ? t[0] : t);

/**
 * Every layer's output at its first call, as the outputs of one model over the same layers and weights. `l.output`
 * is refused for a layer applied more than once (a shared layer); its first call is what the diff compares.
 */
function layerOutputs(model: tf.LayersModel): tf.SymbolicTensor[] {
  return model.layers.map((l) => firstCall(l.getOutputAt(0)));
}

function describeLayers(model: tf.LayersModel): ReferenceLayer[] {
  meta.modelOutputs = model.outputs.map((o) => o.sourceLayer.name);
  return model.layers.map((l) => {
    // A TimeDistributed layer's activation is its wrapped layer's (the migration writes it after the wrapped module).
    const own = l.getConfig() as { activation?: string; dataFormat?: string; axis?: unknown; layer?: { className?: string; config?: { activation?: string } } };
    const config = { ...own, activation: own.activation ?? own.layer?.config?.activation };
    // Shapes without the batch dim; a layer with several inputs/outputs reports its first.
    const shapeOf = (s: unknown): number[] => {
      const one = Array.isArray(s) && Array.isArray(s[0]) ? (s[0] as (number | null)[]) : ((s ?? [null]) as (number | null)[]);
      return one.slice(1).map((d) => d ?? -1);
    };
    const internals = l as unknown as { id: number; inboundNodes: { inboundLayers: tf.layers.Layer[] }[] };
    return {
      name: l.name,
      className: l.getClassName(),
      id: internals.id,
      // Only the nodes inside this model (a layer applied elsewhere too has more).
      inbound: internals.inboundNodes.filter((n) => n.inboundLayers.every((src) => model.layers.includes(src) || src.getClassName() === 'InputLayer')).map((n) => n.inboundLayers.map((src) => src.name)),
      activation: typeof config.activation === 'string' ? config.activation : undefined,
      axis: typeof config.axis === 'number' ? config.axis : undefined,
      dataFormat: config.dataFormat === 'channelsFirst' || config.dataFormat === 'channelsLast' ? config.dataFormat : undefined,
      inputShape: shapeOf(firstCall(l.getInputAt(0)).shape),
      outputShape: shapeOf(l.outputShape),
      ...(own.layer?.className ? { wrapped: own.layer.className } : {}),
      weights: l.weights.map((w) => ({ name: w.name, tensor: shortWeightName(l, w.name), shape: w.shape.map((d) => d ?? -1), trainable: w.trainable })),
    };
  });
}

/**
 * A weight's short name in its layer (`kernel`, `bias`, `gamma`): the last part of its tfjs name, without a
 * uniquifying `_<n>`. A Bidirectional holds two layers' weights of the same names: theirs carry the direction
 * (`bidirectional_Bidirectional1/forward_lstm_LSTM1/kernel` → `forward_kernel`).
 */
function shortWeightName(layer: tf.layers.Layer, name: string): string {
  const parts = name.split('/');
  const base = parts[parts.length - 1].replace(/_\d+$/, '');
  if (layer.getClassName() !== 'Bidirectional') return base;
  return `${/^backward_/.test(parts[parts.length - 2] ?? '') ? 'backward' : 'forward'}_${base}`;
}

/** The short name of a weight within its layer (`kernel`, `bias`, `gamma`, ...). */
const weightOwner = (model: tf.LayersModel, w: tf.LayerVariable): { layer: string; tensor: string } => {
  for (const l of model.layers) {
    const i = l.weights.indexOf(w);
    if (i >= 0) return { layer: l.name, tensor: meta.layers.find((d) => d.name === l.name)!.weights[i].tensor };
  }
  throw new Error(`difftest reference: weight '${w.name}' belongs to no layer of the model`);
};

function recordWeights(model: tf.LayersModel, step: number | '-', kind: string): void {
  for (const l of model.layers) {
    const desc = meta.layers.find((d) => d.name === l.name)!;
    l.weights.forEach((w, i) => {
      const v = w.read();
      trace.put(traceKey(step, kind, l.name, desc.weights[i].tensor), v.shape, v.dataSync() as Float32Array);
    });
  }
}

/**
 * Records a data set (its inputs and targets) and returns its hashes. Several inputs or targets (a multi-input or
 * multi-output fit) are recorded as `x`, `x1`, ... and `y`, `y1`, ... (dataTensorName), hashed one by one and the
 * hashes joined by ',' (what the candidate computes to tell whether its data is the reference's).
 */
function recordData(name: string, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[]): { x: string; y: string } {
  const put = (ts: tf.Tensor[], base: 'x' | 'y'): string => ts.map((t, i) => {
    // dataSync already returns a fresh array; the data is recorded and hashed from it without another copy.
    const values = asFloat32(t.dataSync());
    const key = traceKey('-', 'data', name, dataTensorName(base, i));
    if (!trace.has(key)) trace.put(key, t.shape, values);
    return hashValues(values);
  }).join(',');
  return { x: put(Array.isArray(x) ? x : [x], 'x'), y: put(Array.isArray(y) ? y : [y], 'y') };
}

/** Dropout layers' training calls with seeded, recorded masks (see the header). */
function seedDropouts(model: tf.LayersModel, currentStep: () => number): void {
  for (const l of model.layers) {
    if (l.getClassName() !== 'Dropout') continue;
    const rate = (l.getConfig() as { rate: number }).rate;
    const original = l.call.bind(l);
    l.call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => {
      if (!kwargs?.training || rate <= 0 || cfg.plain) return original(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const keep = 1 - rate;
      const mask = new Float32Array(x.size);
      for (let i = 0; i < mask.length; i++) mask[i] = Math.floor(random() + keep);
      trace.put(traceKey(currentStep(), 'mask', l.name, 'mask'), x.shape, mask);
      return tf.mul(x, tf.div(tf.tensor(mask, x.shape), keep));
    };
  }
}

type Callbacks = Partial<Record<'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd', (...a: unknown[]) => unknown>>;

async function callAll(callbacks: Callbacks[], name: keyof Callbacks, ...args: unknown[]): Promise<void> {
  for (const c of callbacks) await c[name]?.(...args);
}

/**
 * The overhead baseline's fit arguments: tfjs's own fit, unprobed, for as many epochs and steps as the probed run
 * trains (--epochs, and --steps through tfjs's `stopTraining`, which fit checks after every batch).
 */
function plainFitArgs(model: tf.LayersModel, args: tf.ModelFitArgs): tf.ModelFitArgs {
  const epochs = cfg.epochs ?? args.epochs ?? 1;
  if (cfg.steps === undefined) return { ...args, epochs };
  const limit = cfg.steps;
  const stopper = {
    onBatchEnd: async () => {
      globalStep++;
      if (globalStep >= limit) model.stopTraining = true;
    },
  };
  const callbacks = Array.isArray(args.callbacks) ? args.callbacks : args.callbacks ? [args.callbacks] : [];
  return { ...args, epochs, callbacks: [...callbacks, stopper] as tf.ModelFitArgs['callbacks'] };
}

/** `model.fit(x, y, args)` under the probes (see the header). Other receivers get their own `fit`. */
export async function fit(model: unknown, x: unknown, y: unknown, args: tf.ModelFitArgs = {}): Promise<unknown> {
  if (!isLayersModel(model)) return (model as { fit: (...a: unknown[]) => unknown }).fit(x, y, args);
  // One tensor each, or arrays with one tensor per model input and output (probe_tfjs_outputs.ts).
  const { xs, ys } = fitInputs(model, x, y);
  // The plain run (overhead baseline) trains on the backend the probed run used, fallback included.
  await fallBackIfUntrainable(model);
  if (cfg.plain) return model.fit(x as tf.Tensor, y as tf.Tensor, plainFitArgs(model, args));
  const compiled = compiledOf(model);
  if (!compiled.lossFunctions?.length) throw new Error('torchbridge diff: model.fit before model.compile (tfjs would fail the same way)');
  if (!meta.layers.length) meta.layers = describeLayers(model);
  meta.lossName = typeof (model as unknown as { loss: unknown }).loss === 'string' ? String((model as unknown as { loss: unknown }).loss) : undefined;

  const batchSize = args.batchSize ?? 32;
  const epochs = cfg.epochs ?? args.epochs ?? 1;
  const shuffle = args.shuffle === undefined ? true : args.shuffle;
  if ((shuffle as unknown) === 'batch') throw new Error("torchbridge diff: fit's shuffle: 'batch' is not probed (use true or false)");
  meta.batchSize = batchSize;
  const callbacks: Callbacks[] = (Array.isArray(args.callbacks) ? args.callbacks : args.callbacks ? [args.callbacks] : []) as Callbacks[];

  // tfjs validates on the last fraction of the samples, taken before shuffling.
  const n = xs[0].shape[0];
  let trainXs = xs;
  let trainYs = ys;
  let val: [tf.Tensor[], tf.Tensor[]] | undefined;
  if (args.validationSplit) {
    const numVal = Math.floor(n * args.validationSplit);
    trainXs = xs.map((t) => t.slice(0, n - numVal));
    trainYs = ys.map((t) => t.slice(0, n - numVal));
    val = [xs.map((t) => t.slice(n - numVal)), ys.map((t) => t.slice(n - numVal))];
  } else if (args.validationData) {
    const v = fitInputs(model, args.validationData[0], args.validationData[1]);
    val = [v.xs, v.ys];
  }
  const nTrain = trainXs[0].shape[0];
  meta.dataHash = recordData('train', trainXs, trainYs);
  // The validation data too: a candidate whose own data differs (synthetic data) validates on the reference's.
  if (val) meta.valDataHash = recordData('val', val[0], val[1]);
  // classWeight: each sample's loss weight, as tfjs's standardizeWeights computes it (one per output), over all of y
  // before the validation split as tfjs does (so a class only the validation part has needs a weight too); the
  // training batches gather theirs by index, which the split leaves unchanged.
  const sampleWeights = args.classWeight ? await classSampleWeights(model, ys, args.classWeight) : ys.map(() => null);
  const several = xs.length > 1 || ys.length > 1;
  // The model's outputs among every layer's (a multi-output model's are not simply the last layer's).
  const outputAt = model.outputs.map((o) => model.layers.indexOf(o.sourceLayer));
  if (!initialRecorded) {
    recordWeights(model, '-', 'init');
    initialRecorded = true;
  }

  const probeModel = tf.model({ inputs: model.inputs, outputs: layerOutputs(model) });
  const variables = (compiled.collectedTrainableWeights ?? model.trainableWeights).map((w) => w.read() as tf.Variable);
  const trainables = compiled.collectedTrainableWeights ?? model.trainableWeights;
  const metricNames = compiled.metricsNames.slice(1);
  seedDropouts(model, () => globalStep);

  const history: { epoch: number[]; history: Record<string, number[]> } = { epoch: [], history: {} };
  await callAll(callbacks, 'onTrainBegin');
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (cfg.steps !== undefined && globalStep >= cfg.steps) break;
    await callAll(callbacks, 'onEpochBegin', epoch);
    const perm = shuffle ? permutation(nTrain, random) : Int32Array.from({ length: nTrain }, (_, i) => i);
    trace.put(traceKey('-', 'perm', 'train', `epoch${meta.epochs.length}`), [nTrain], perm);
    const sums: Record<string, number> = { loss: 0 };
    let seen = 0;
    const numBatches = Math.ceil(nTrain / batchSize);
    const bar = new ProgressBar(Array.from({ length: numBatches }, (_, i) => i), { desc: `tfjs ${meta.backend} epoch ${epoch + 1}/${epochs}`, disable: !cfg.progress });
    for (const batch of bar) {
      if (cfg.steps !== undefined && globalStep >= cfg.steps) break;
      const step = globalStep;
      const start = batch * batchSize;
      const size = Math.min(batchSize, nTrain - start);
      await callAll(callbacks, 'onBatchBegin', batch, { batch, size });
      const record = recordsAt(cfg, step);
      const idx = tf.tensor1d(perm.subarray(start, start + size), 'int32');
      const xbs = trainXs.map((t) => tf.gather(t, idx));
      const ybs = trainYs.map((t) => tf.gather(t, idx));
      const wbs = sampleWeights.map((w) => (w ? tf.gather(w, idx) : null));
      let outputs: tf.Tensor[] = [];
      let metricValues: tf.Scalar[] = [];
      fitOps.begin(step);
      const { value, grads } = tf.variableGrads(() => {
        const outs = probeModel.apply(xbs.length > 1 ? xbs : xbs[0], { training: true }) as tf.Tensor | tf.Tensor[];
        const all = Array.isArray(outs) ? outs : [outs];
        if (record && cfg.record.outputs) outputs = all.map((t) => tf.keep(t));
        if (!several && !wbs[0]) {
          const pred = all[all.length - 1];
          metricValues = fitOps.aside(() => compiled.metricsTensors.map(([fn]) => tf.keep(tf.mean(fn(ybs[0], pred))) as tf.Scalar));
          let total = tf.mean(compiled.lossFunctions[0](ybs[0], pred));
          for (const r of compiled.calculateLosses()) total = tf.add(total, r);
          return total as tf.Scalar;
        }
        // makeTrainFunction's total: the outputs' per-sample losses (times the class weights) summed, then the
        // mean; a multi-output model's first metrics are its outputs' (weighted) mean losses.
        const preds = several ? outputAt.map((i) => all[i]) : [all[all.length - 1]];
        let sum: tf.Tensor | null = null;
        const lossValues: tf.Tensor[] = [];
        compiled.lossFunctions.forEach((fn, i) => {
          let l = fn(ybs[i], preds[i]);
          if (wbs[i]) l = tf.mul(l, wbs[i]!);
          lossValues.push(tf.mean(l));
          sum = sum ? tf.add(sum, l) : l;
        });
        metricValues = fitOps.aside(() => compiled.metricsTensors.map(([fn, out], i) => tf.keep(several && i < preds.length ? lossValues[i] : tf.mean(fn(ybs[out], preds[out]))) as tf.Scalar));
        let total = tf.mean(sum!);
        for (const r of compiled.calculateLosses()) total = tf.add(total, r);
        return total as tf.Scalar;
      }, variables);
      fitOps.end(step);
      if (record && cfg.record.gradients) {
        trainables.forEach((w, i) => {
          const g = grads[variables[i].name];
          const { layer, tensor } = weightOwner(model, w);
          if (g) trace.put(traceKey(step, 'gradient', layer, tensor), g.shape, g.dataSync() as Float32Array);
        });
      }
      compiled.optimizer.applyGradients(grads);
      tf.dispose(grads);
      if (outputs.length) {
        model.layers.forEach((l, i) => trace.put(traceKey(step, 'output', l.name, 'output'), outputs[i].shape, outputs[i].dataSync() as Float32Array));
        tf.dispose(outputs);
      }
      if (recordsParametersAt(cfg, step)) recordWeights(model, step, 'parameter');
      if (record) meta.recordedSteps.push(step);
      const loss = (await value.data())[0];
      const metrics: Record<string, number> = {};
      for (let i = 0; i < metricNames.length; i++) metrics[metricNames[i]] = (await metricValues[i].data())[0];
      tf.dispose([value, ...xbs, ...ybs, idx, ...metricValues]);
      for (const w of wbs) w?.dispose();
      const log: StepLog = { step, epoch: meta.epochs.length, batch, size, loss, metrics };
      meta.steps.push(log);
      sums.loss += loss * size;
      for (const k of metricNames) sums[k] = (sums[k] ?? 0) + metrics[k] * size;
      seen += size;
      bar.setPostfix(`loss ${loss.toFixed(4)}`);
      globalStep++;
      await callAll(callbacks, 'onBatchEnd', batch, { batch, size, loss, ...metrics });
    }
    const logs: Record<string, number> = {};
    for (const [k, s] of Object.entries(sums)) logs[k] = s / seen;
    if (val) {
      const res = model.evaluate(several ? val[0] : val[0][0], several ? val[1] : val[1][0], { batchSize }) as tf.Scalar | tf.Scalar[];
      const arr = Array.isArray(res) ? res : [res];
      Object.assign(logs, validationLogs(compiled.metricsNames, arr.map((t) => t.dataSync()[0]), ys.length, meta.notes));
      tf.dispose(arr);
    }
    const epochLog: EpochLog = { epoch: meta.epochs.length, logs };
    meta.epochs.push(epochLog);
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    await callAll(callbacks, 'onEpochEnd', epoch, logs);
    trace.flush();
  }
  for (const w of sampleWeights) w?.dispose();
  await callAll(callbacks, 'onTrainEnd');
  meta.fitDone = true;
  trace.flush();
  return history;
}

/**
 * Every layer's output on the first evaluation's first batch, in inference mode (what `evaluate` computes), as
 * `eval output` probes: a layer that behaves differently outside training (Dropout left on, BatchNormalization's
 * running statistics) is then named by the report, not only seen in the final metrics.
 */
function recordEvalOutputs(model: tf.LayersModel, xs: tf.Tensor[], batchSize: number): void {
  if (!meta.layers.length) meta.layers = describeLayers(model);
  const probeModel = tf.model({ inputs: model.inputs, outputs: layerOutputs(model) });
  tf.tidy(() => {
    const xbs = xs.map((x) => x.slice(0, Math.min(batchSize, x.shape[0])));
    const outs = probeModel.predict(xbs.length > 1 ? xbs : xbs[0]) as tf.Tensor | tf.Tensor[];
    const all = Array.isArray(outs) ? outs : [outs];
    model.layers.forEach((l, i) => trace.put(traceKey('-', 'output', l.name, EVAL_OUTPUT), all[i].shape, all[i].dataSync() as Float32Array));
  });
}

/** `model.evaluate(x, y, args)`, tfjs's own, with its results and data recorded. */
export function evaluate(model: unknown, x: unknown, y: unknown, args?: tf.ModelEvaluateArgs): unknown {
  if (!isLayersModel(model)) return (model as { evaluate: (...a: unknown[]) => unknown }).evaluate(x, y, args);
  const result = model.evaluate(x as tf.Tensor, y as tf.Tensor, args) as tf.Scalar | tf.Scalar[];
  if (cfg.plain) return result;
  // One tensor each, or one per model input and output (a dict by name in the model's order).
  const { xs, ys } = fitInputs(model, x, y);
  const arr = Array.isArray(result) ? result : [result];
  const metricsNames = compiledOf(model).metricsNames?.slice();
  // Several outputs: tfjs's list is 2n + m values where metricsNames names 1 + n + m; each value by what it is.
  const names = ys.length > 1 && metricsNames ? evaluationNames(model.outputNames, metricsNames.slice(1 + ys.length)) : metricsNames ?? arr.map((_, i) => `metric${i}`);
  if (meta.evaluations.length === 0) recordEvalOutputs(model, xs, args?.batchSize ?? 32);
  const dataHash = recordData(`eval${meta.evaluations.length}`, xs.length > 1 ? xs : xs[0], ys.length > 1 ? ys : ys[0]);
  meta.evaluations.push({ names, values: arr.map((t) => t.dataSync()[0]), dataHash });
  trace.flush();
  return result;
}
