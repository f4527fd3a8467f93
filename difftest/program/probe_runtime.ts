/**
 * The candidate side's probe module (imported by the instrumented migrated program as `__tb`): `utils.fit` and
 * `utils.evaluate` following the reference's recording.
 *
 * fit IS runtime/utils/fit.ts's loop (forward, loss, zeroGrad, backward, optimizer.step, metrics on the detached
 * prediction, logs, validation, callbacks), driven through its FitDriver hooks so that:
 * - the model starts from the reference's initial weights, layout converted (layer_map.ts, layout.ts);
 * - the batches are the reference's: its recorded permutation per epoch, its epoch and step counts (the program's
 *   own `epochs` is what the reference ran; --steps/--epochs were applied there);
 * - the data is the program's own when its hash equals the reference's, else the reference's recorded data (e.g.
 *   synthetic `randomUniform` data, which no two RNGs agree on) — reported as a note; a fit with several inputs or
 *   outputs (`utils.fit(model, [x1, x2], [y1, y2])`) has each tensor checked, batched and replaced the same way;
 * - `--replay step|layer`: before every step the parameters are reset to the reference's after the previous step.
 *   Adam's moments are NOT copied: the candidate keeps its own, which it re-derives from gradients taken at the
 *   reference's parameters, so they differ from the reference's only by float rounding of those gradients (no
 *   feedback through diverged parameters). This keeps the trace at one copy of the parameters per step.
 * - `--replay layer`: at recorded steps, one extra forward (no grad) feeds every layer group the reference's input
 *   to it (a graph-mapped model: each module its inbound layer's output, isolation_plan.ts); its outputs are
 *   recorded as `isolated`, so an output difference there is that layer's alone;
 * - Dropout modules in training mode apply the reference's recorded masks (probe_tfjs.ts);
 * - the first `evaluate` records every layer's output on its first batch (`eval output`); under replay it runs at
 *   the reference's parameters after the last step, as every step does.
 * Layer outputs are observed by wrapping each leaf module's `forward` on the instance (the model's numerics are
 * untouched; it works whether a container calls `call` or `forward`).
 *
 * A migrated custom loop instead of utils.fit is followed by loop_probe_runtime.ts, installed here.
 *
 * Import-time work is deliberate: this module is the diff child's first import (instrument.ts puts it above the
 * program's own), and importing it reads the child's config, opens the reference's trace and installs the custom-loop probes and opens the trace, so all of it is in place
 * before the program's body runs — an ESM import is the only hook that early. It is no library module: imported
 * anywhere but a `torchbridge diff` child it stops at once, saying so (child_config.ts readChildConfig).
 */
import { compat, nn, Tensor, torch, utils } from '../../runtime/index.js';
import { ProgressBar } from '../../runtime/utils/progress.js';
import type { FitOptions, EvaluateOptions, LossFunction } from '../../runtime/utils/fit.js';
import { withCompiled } from '../../runtime/utils/compile.js';
import { metricEntries } from '../../runtime/utils/fit_outputs.js';
import { readChildConfig, recordsAt } from './child_config.js';
import { activationToCandidate, weightToCandidate } from './layout.js';
import { describeSource, isChain, mapLayersByGraph, type CandidateGraph, type LeafCall } from './graph_map.js';
import { ACTIVATION_MODULES, mapLayers, type CandidateLeaf } from './layer_map.js';
import { graphIsolationPlan, type IsolationPlan } from './isolation_plan.js';
import { FitOpTrace } from './fit_op_trace.js';
import { installLoopProbes } from './loop_probe_runtime.js';
import { startRuntimeOpTrace } from './op_trace_runtime.js';
import { plainFit } from './plain_fit.js';
import { asFloat32, EVAL_OUTPUT, hashValues, TraceReader, TraceWriter, traceKey } from './trace.js';
import { dataTensorName, emptyLogs, evaluationNames, type CandidateMeta, type LayerMapping, type ReferenceMeta } from './trace_meta.js';

const cfg = readChildConfig('candidate');
if (!cfg.referenceTraceDir) throw new Error('difftest candidate: no reference trace to follow (referenceTraceDir is unset)');
const ref = new TraceReader<ReferenceMeta>(cfg.referenceTraceDir);
const meta: CandidateMeta = { ...emptyLogs(), device: cfg.device, version: '', mapping: [], dataReplaced: false };
const trace = new TraceWriter(cfg.traceDir, meta);
// Stopped by the diff's --timeout (child.ts sends SIGTERM): exit through the exit handler, so the trace says how far
// the program got.
process.on('SIGTERM', () => process.exit(143));
process.on('exit', () => {
  loopProbes?.finish();
  trace.close();
});
// A migrated custom loop (no utils.fit): followed step by step through its optimizer (loop_probe_runtime.ts).
const loopProbes = cfg.customLoop && !cfg.plain ? installLoopProbes(cfg, ref, trace, meta) : null;
// --trace ops on a utils.fit program: the traced step's ops, from its batch to its gradients (fit_op_trace.ts).
const fitOps = new FitOpTrace(cfg.traceOps && !cfg.customLoop && !cfg.plain ? startRuntimeOpTrace(trace, meta, cfg.traceOps.step, false) : null);

/** `torch.autograd.grad(...)` as instrument.ts rewrites it in a migrated custom loop (loop_probe_runtime.ts). */
export const autogradGrad: typeof torch.autograd.grad = (outputs, inputs, opts) => (loopProbes ? loopProbes.autogradGrad(outputs, inputs, opts) : torch.autograd.grad(outputs, inputs, opts));

/** What the wrapped leaf forwards do this pass. */
const tap = {
  /** Every call's output per module, this pass (a shared module is called more than once). */
  capture: null as Map<nn.Module, Tensor[]> | null,
  /** Copies of the inputs of the modules graph-mapped layers are read from (graph_map.ts `input-of`). */
  inputs: null as Map<nn.Module, Tensor[]> | null,
  wantInputs: new Set<nn.Module>(),
  /** The shape-probing forward's calls in execution order, with their input and output tensors. */
  order: null as { m: nn.Module; input: Tensor; output: Tensor }[] | null,
  replaceInput: null as Map<nn.Module, Tensor> | null,
  masks: new Map<nn.Module, { mask: Tensor; keep: number }>(),
};

/**
 * Records a leaf's output for this pass. Kept out of every scope (the enclosing module's forward frees the
 * intermediates it neither returns nor stores): endCapture() frees them.
 */
function capture(m: nn.Module, input: Tensor, out: Tensor): void {
  if (!tap.capture) return;
  (tap.capture.get(m) ?? tap.capture.set(m, []).get(m)!).push(torch.keep(out));
  if (tap.inputs && tap.wantInputs.has(m)) (tap.inputs.get(m) ?? tap.inputs.set(m, []).get(m)!).push(torch.keep(fitOps.aside(() => input.detach().clone())));
}

function endCapture(): void {
  const all = new Set<Tensor>();
  for (const list of [...(tap.capture?.values() ?? []), ...(tap.inputs?.values() ?? [])]) for (const t of list) all.add(t);
  for (const t of all) t.dispose();
  tap.capture = null;
  tap.inputs = null;
}

/** Starts capturing this pass's module outputs (and the inputs graph-mapped layers are read from). */
function beginCapture(): void {
  tap.capture = new Map();
  tap.inputs = tap.wantInputs.size ? new Map() : null;
}

/** The last call's output of a module this pass (mapping by order: each module is called once). */
const lastOutput = (m: nn.Module): Tensor => {
  const outs = tap.capture!.get(m)!;
  return outs[outs.length - 1];
};

function leavesOf(model: nn.Module): [string, nn.Module][] {
  const named = model.namedModules().filter(([name]) => name !== '');
  // A migrated custom layer (compat.layers.Layer) is one leaf: its `vars` child only holds its weights. An nn.Lambda
  // is an op the runtime graph wraps as a module (a layer migrated to ops, a permute): not a leaf the layers pair with.
  const custom = named.filter(([, m]) => m instanceof compat.layers.Layer).map(([n]) => `${n}.`);
  return named.filter(([name, m]) => !custom.some((c) => name.startsWith(c)) && !(m instanceof nn.Lambda) && (m instanceof compat.layers.Layer || m.namedChildren().length === 0));
}

function wrapLeaves(model: nn.Module): void {
  for (const [, m] of leavesOf(model)) {
    const original = m.forward.bind(m) as (x: Tensor, ...rest: unknown[]) => Tensor;
    (m as unknown as { forward: (x: Tensor, ...rest: unknown[]) => Tensor }).forward = (x: Tensor, ...rest: unknown[]) => {
      const input = tap.replaceInput?.get(m) ?? x;
      const mask = m.training ? tap.masks.get(m) : undefined;
      // The reference's formula for a masked dropout: x · (mask / keep) (tf.dropout's).
      const out = mask ? input.mul(mask.mask.div(mask.keep)) : original(input, ...rest);
      // A recurrent module returns [output, h] (nn.LSTM: [output, [h, c]]): its output sequence is captured.
      const result: unknown = out;
      const seen = result instanceof Tensor ? result : Array.isArray(result) && result[0] instanceof Tensor ? (result[0] as Tensor) : null;
      if (!seen) return out;
      tap.order?.push({ m, input, output: seen });
      // The input as the forward computed it, not a replacement (--replay layer): a layer read from its consumer's
      // input then shows the candidate's own value of it.
      capture(m, x, seen);
      return out;
    };
  }
}

/**
 * The runtime nn class a module is: a program's own subclass (`class DenseLayer extends nn.Linear`) maps as the
 * layer it extends, so its forward is compared against that tfjs layer rather than refused.
 */
function runtimeClassName(m: nn.Module): string {
  for (let p = Object.getPrototypeOf(m); p && p !== nn.Module.prototype; p = Object.getPrototypeOf(p)) {
    const ctor = p.constructor as { name: string };
    if ((nn as unknown as Record<string, unknown>)[ctor.name] === ctor) return ctor.name;
  }
  return m.constructor.name;
}

/**
 * One no-grad forward of one sample in eval mode: the leaves in execution order with their output shapes (mapping
 * by order), and the call graph (mapping by graph): every leaf in registration order with its parameters and calls.
 */
function probeShapes(model: nn.Module, xs: Tensor[]): { leaves: CandidateLeaf[]; graph: CandidateGraph } {
  const named = leavesOf(model);
  const names = new Map(named.map(([n, m]) => [m, n]));
  tap.order = [];
  beginCapture();
  const wasTraining = model.training;
  try {
    let outputShape: number[] | null = null;
    let outputShapes: number[][] | undefined;
    torch.noGrad(() => torch.tidy(() => {
      model.eval();
      const out = (model.forward as (...a: Tensor[]) => unknown)(...xs.map((x) => x.narrow(0, 0, 1)));
      if (out instanceof Tensor) outputShape = [...out.shape];
      else if (Array.isArray(out) && out.every((t) => t instanceof Tensor)) outputShapes = out.map((t: Tensor) => [...t.shape]);
    }));
    const seen = new Set<nn.Module>();
    const leaves: CandidateLeaf[] = [];
    const calls = new Map<nn.Module, LeafCall[]>();
    const producedBy = new Map<Tensor, { module: string; call: number }>();
    for (const { m, input, output } of tap.order) {
      const list = calls.get(m) ?? calls.set(m, []).get(m)!;
      list.push({ outputShape: [...output.shape], inputFrom: producedBy.get(input) ?? null });
      producedBy.set(output, { module: names.get(m) ?? '?', call: list.length - 1 });
      if (seen.has(m)) continue;
      seen.add(m);
      leaves.push({ name: names.get(m) ?? '?', type: runtimeClassName(m), outputShape: [...lastOutput(m).shape] });
    }
    const graph: CandidateGraph = {
      leaves: named.map(([name, m]) => ({ name, type: runtimeClassName(m), params: m.namedParameters().map(([n, p]) => ({ name: n, shape: [...p.shape] })), calls: calls.get(m) ?? [] })),
      outputShape,
      ...(outputShapes ? { outputShapes } : {}),
    };
    return { leaves, graph };
  } finally {
    endCapture();
    tap.order = null;
    model.train(wasTraining);
  }
}

function moduleByName(model: nn.Module): Map<string, nn.Module> {
  return new Map(model.namedModules());
}

/** Loads the reference's weights recorded under (step, kind) into the model, layout converted. */
function loadReferenceWeights(model: nn.Module, mapping: LayerMapping[], step: number | '-', kind: string): void {
  const dict: Record<string, Tensor> = {};
  for (const m of mapping) {
    for (const w of m.weights) {
      const t = ref.require(traceKey(step, kind, m.layer, w.tensor));
      const c = weightToCandidate(t.data, t.shape, w.layout);
      dict[w.candidateName] = torch.tensor(c.data, { shape: c.shape });
    }
  }
  model.loadStateDict(dict, { strict: false });
  for (const t of Object.values(dict)) t.dispose();
}

/** Per candidate tensor, the buffers the per-step reload reuses: the reference's raw values and their conversion. */
const reloadBuffers = new Map<string, { raw: Float32Array; converted: Float32Array }>();

/**
 * Under replay, before every step: the reference's parameters after step `step`, written into the candidate's in
 * place. The initial load (loadReferenceWeights, through loadStateDict) checked every name and shape; this one
 * reuses one pair of buffers per tensor and writes a contiguous float32 CPU tensor's storage directly, bumping its
 * version as the in-place initialisers do. A state-dict load allocates three arrays per tensor per step, which
 * was most of what replay added to the seed MLP's run. Anything else (another device, a strided view) is loaded
 * through loadStateDict.
 */
function reloadReferenceWeights(model: nn.Module, mapping: LayerMapping[], step: number): void {
  const own = model.stateDict({ keepVars: true });
  const slow: Record<string, Tensor> = {};
  for (const m of mapping) {
    for (const w of m.weights) {
      const key = traceKey(step, 'parameter', m.layer, w.tensor);
      const entry = ref.entry(key);
      if (!entry) throw new Error(`difftest candidate: the reference recorded no '${key}' to replay (was it run with --replay none?)`);
      let buf = reloadBuffers.get(w.candidateName);
      if (!buf || buf.raw.length !== entry.length) {
        const raw = new Float32Array(entry.length);
        buf = { raw, converted: w.layout.kind === 'same' ? raw : new Float32Array(entry.length) };
        reloadBuffers.set(w.candidateName, buf);
      }
      ref.readInto(key, buf.raw);
      const c = w.layout.kind === 'same' ? { data: buf.raw, shape: entry.shape } : weightToCandidate(buf.raw, entry.shape, w.layout, buf.converted);
      const dst = own[w.candidateName];
      if (!dst) continue;
      if (dst.device.type === 'cpu' && dst.dtype === 'float32' && dst.isContiguous() && dst.numel() === c.data.length) {
        dst.storage.data.set(c.data, dst.offset);
        dst.storage.version++;
      } else {
        slow[w.candidateName] = torch.tensor(c.data, { shape: c.shape });
      }
    }
  }
  if (Object.keys(slow).length) {
    model.loadStateDict(slow, { strict: false });
    torch.dispose(Object.values(slow));
  }
}

function referenceActivation(step: number, mapping: LayerMapping): Tensor | null {
  const t = ref.get(traceKey(step, 'output', mapping.layer, 'output'));
  if (!t) return null;
  const c = activationToCandidate(t.data, t.shape, mapping.output);
  return torch.tensor(c.data, { shape: c.shape });
}

/**
 * The hash of a tensor's values. A contiguous CPU tensor is hashed in place, from its storage: `dataSync()` would
 * copy it first, which for MNIST's 47M training values costs about a second of the candidate's run (most of what
 * the probes add to a free run). Other tensors are read (copied) first.
 */
async function hashOf(t: Tensor): Promise<string> {
  if (t.device.type === 'cpu' && t.isContiguous()) return hashValues(t.storage.data.subarray(t.offset, t.offset + t.numel()) as ArrayLike<number>);
  return hashValues(await t.data());
}

/** hashOf for CPU tensors, synchronously (utils.evaluate is synchronous, and so is the probe's). */
function hashOfSync(t: Tensor): string {
  return hashValues(t.isContiguous() ? (t.storage.data.subarray(t.offset, t.offset + t.numel()) as ArrayLike<number>) : t.dataSync());
}

/**
 * The program's tensors when they hold the reference's data, else the reference's recorded copy. Several inputs or
 * targets are hashed one by one, the hashes joined by ',' (probe_tfjs.ts recordData).
 */
async function sameData(name: string, xs: Tensor[], ys: Tensor[], expected: { x: string; y: string } | undefined): Promise<[Tensor[], Tensor[]]> {
  if (!expected) return [xs, ys];
  const hash = async (ts: Tensor[]) => (await Promise.all(ts.map(hashOf))).join(',');
  if ((await hash(xs)) === expected.x && (await hash(ys)) === expected.y) return [xs, ys];
  meta.dataReplaced = true;
  const note = `the migrated program's ${name === 'train' ? 'training' : name === 'val' ? 'validation' : 'evaluation'} data differs from the original's (e.g. synthetic random data); the candidate used the reference's recorded data`;
  if (!meta.notes.includes(note)) meta.notes.push(note);
  const recorded = (ts: Tensor[], base: 'x' | 'y') => ts.map((t, i) => {
    const r = ref.require(traceKey('-', 'data', name, dataTensorName(base, i)));
    return torch.tensor(r.data, { shape: r.shape, ...(base === 'y' ? { dtype: t.dtype } : {}) }).to(t.device);
  });
  return [recorded(xs, 'x'), recorded(ys, 'y')];
}

async function readAll(ts: Tensor[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of ts) out.push(asFloat32(await t.data()));
  return out;
}

let mapping: LayerMapping[] | null = null;
let globalStep = 0;

/**
 * Reads one mapped layer's output from this pass's capture (and the model's prediction: `preds` all of a
 * multi-output model's); null: nothing to read.
 */
type LayerReader = (pred: Tensor | null, preds?: Tensor[]) => Tensor | null;

/**
 * Per mapped layer, how its output is read. Mapped by order: the group's last module's output; a group with no
 * module (Activation('linear'), InputLayer) outputs what the group before it did, or nothing when it comes first (the
 * model's input, which nothing needs compared). Mapped by graph: where graph_map.ts found it.
 */
function layerReaders(mapping: LayerMapping[], modules: Map<string, nn.Module>): LayerReader[] {
  const readers: LayerReader[] = [];
  for (const m of mapping) {
    const s = m.source;
    if (!s) {
      const prev = readers[readers.length - 1];
      const last = m.modules.length ? modules.get(m.modules[m.modules.length - 1])! : null;
      readers.push(last ? (m.lastStep ? () => lastOutput(last).select(1, -1) : () => lastOutput(last)) : prev ?? (() => null));
      continue;
    }
    switch (s.kind) {
      case 'module': {
        const mod = modules.get(s.module)!;
        readers.push(() => tap.capture!.get(mod)?.[s.call] ?? null);
        break;
      }
      case 'input-of': {
        const mod = modules.get(s.module)!;
        readers.push(() => tap.inputs?.get(mod)?.[s.call] ?? null);
        break;
      }
      case 'model-output':
        readers.push(s.index === undefined ? (pred) => pred : (_pred, preds) => preds?.[s.index!] ?? null);
        break;
      case 'slice-of': {
        const from = mapping.findIndex((x) => x.layer === s.layer);
        readers.push((pred, preds) => {
          // The Concatenate is mapped after the layers feeding it (topological order): its reader is built lazily.
          const whole = readers[from]?.(pred, preds);
          return whole ? whole.narrow(whole.dim() - 1, s.start, s.length) : null;
        });
        break;
      }
      case 'activation-applied': {
        const mod = modules.get(s.module)!;
        const act = activationModule(s.activation);
        readers.push(() => {
          const out = tap.capture!.get(mod)?.[s.call];
          return out ? (act.forward(out) as Tensor) : null;
        });
        break;
      }
      default:
        readers.push(() => null);
    }
  }
  return readers;
}

/** The runtime module of a fused activation (layer_map.ts's table), to apply it where the model shows no result. */
function activationModule(activation: string): nn.Module {
  const cls = ACTIVATION_MODULES[activation];
  if (!cls) throw new Error(`difftest candidate: no runtime module for the activation '${activation}'`);
  const ctor = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[cls];
  return cls === 'Softmax' ? new ctor(-1) : new ctor();
}

/** Notes on a graph mapping: where a layer's output is read other than from its own module. */
function graphNotes(mapping: LayerMapping[]): void {
  const read = mapping.filter((m) => m.source && m.source.kind !== 'module' && m.referenceType !== 'InputLayer').map((m) => `${m.layer} from ${describeSource(m.source!)}`);
  meta.notes.push(`layers mapped by the model's graph (branches, merges or shared layers)${read.length ? `; outputs read where the migrated forward shows them: ${read.join(', ')}` : ''}`);
  if (cfg.replay === 'layer') {
    meta.notes.push("replay layer: each layer's module is fed the reference's output of the layer feeding it (its inbound layer in the model's graph); the ops between modules run as migrated");
  }
}

/** Mapped by order: where the layers that migrated to ops are read (layer_map.ts readOpOutputs). */
function opNotes(mapping: LayerMapping[]): void {
  const read = mapping.filter((m) => m.source).map((m) => `${m.layer} (${m.referenceType}) from ${describeSource(m.source!)}`);
  if (read.length) meta.notes.push(`layers migrated to ops in the forward, their outputs read where the migrated model shows them: ${read.join(', ')}`);
}

/** The modules whose inputs some layer is read from (mapped by graph, or an op layer of a chain), captured at each recorded pass. */
function wantedInputs(mapping: LayerMapping[], modules: Map<string, nn.Module>): Set<nn.Module> {
  return new Set(mapping.flatMap((m) => (m.source?.kind === 'input-of' ? [modules.get(m.source.module)!] : [])));
}

/**
 * `utils.fit(model, x, y, options)` under the probes (see the header): utils.fit's own loop, driven through its
 * FitDriver hooks — the reference's epochs and batches, its weights before each step under replay, gradients and
 * layer outputs recorded at the recorded steps.
 */
export async function fit(model: unknown, x: Tensor | Tensor[], y: Tensor | Tensor[], options: FitOptions = {}): Promise<utils.History> {
  if (!(model instanceof nn.Module)) return utils.fit(model as utils.Trainable, x, y, options);
  if (cfg.plain) return plainFit(model, x, y, options, { epochs: cfg.epochs, steps: cfg.steps });
  // Several inputs or outputs: lists throughout; the batches are `[...xs, ...ys]` (utils.fit's plan).
  const several = Array.isArray(x) || Array.isArray(y);
  const xs = Array.isArray(x) ? x : [x];
  const ys = Array.isArray(y) ? y : [y];
  const { batchSize = 32, validationSplit, validationData } = options;
  fitOutputNames.set(model, withCompiled('fit', model, options, []).outputNames);
  if (!ref.meta.fitDone && !ref.meta.steps.length) throw new Error('torchbridge diff: the reference recorded no training steps to follow (did the original program reach model.fit?)');
  if (ref.meta.batchSize !== undefined && ref.meta.batchSize !== batchSize) {
    meta.notes.push(`batch size: the migrated fit asks for ${batchSize}, the original's for ${ref.meta.batchSize}; the candidate follows the reference's batches`);
  }
  const refBatchSize = ref.meta.batchSize ?? batchSize;
  if (cfg.device === 'webgpu') (model as nn.Module).to('webgpu');

  // The split is made here (as utils.fit would make it) so each part can be checked against the reference's data.
  let trainXs = xs;
  let trainYs = ys;
  let val: [Tensor[], Tensor[]] | undefined;
  if (validationSplit !== undefined) {
    const split = utils.splitValidationAll([...xs, ...ys], validationSplit, 'fit');
    [trainXs, trainYs] = [split.train.slice(0, xs.length), split.train.slice(xs.length)];
    val = [split.val.slice(0, xs.length), split.val.slice(xs.length)];
  } else if (validationData) {
    const list = (t: Tensor | Tensor[]) => (Array.isArray(t) ? t : [t]);
    val = [list(validationData[0] as Tensor | Tensor[]), list(validationData[1] as Tensor | Tensor[])];
  }
  [trainXs, trainYs] = await sameData('train', trainXs, trainYs, ref.meta.dataHash);
  if (val) val = await sameData('val', val[0], val[1], ref.meta.valDataHash);
  if (cfg.device === 'webgpu') {
    trainXs = trainXs.map((t) => t.to('webgpu'));
    trainYs = trainYs.map((t) => t.to('webgpu'));
  }

  if (!mapping) {
    wrapLeaves(model);
    const probed = probeShapes(model, trainXs);
    // A functional model with branches, merges or shared layers is mapped by its graph (graph_map.ts).
    mapping = isChain(ref.meta.layers) ? mapLayers(ref.meta.layers, probed.leaves, cfg.candidateLayout ?? 'nchw') : mapLayersByGraph(ref.meta.layers, probed.graph, ref.meta.modelOutputs ?? []);
    if (!isChain(ref.meta.layers)) graphNotes(mapping);
    else opNotes(mapping);
    meta.mapping = mapping;
    loadReferenceWeights(model, mapping, '-', 'init');
  }
  const layers = mapping;
  const modules = moduleByName(model);
  const params = new Map(model.namedParameters());
  const readers = layerReaders(layers, modules);
  tap.wantInputs = wantedInputs(layers, modules);
  const dropouts = layers.filter((m) => m.referenceType === 'Dropout');
  const lastEpoch = ref.meta.epochs[ref.meta.epochs.length - 1]?.epoch;

  /** The reference step being run, and what the in-step hooks captured for it. */
  let cur: { step: number; batch: number; record: boolean; bar: ProgressBar<unknown> } | null = null;
  let gradNames: { m: LayerMapping; w: LayerMapping['weights'][number] }[] = [];
  let outputs: (Tensor | null)[] = [];
  const driver: utils.FitDriver = {
    *plan(tx, ty, _batchSize, all) {
      const tensors = all ? [...all.xs, ...all.ys] : [tx, ty];
      for (const refEpoch of ref.meta.epochs) {
        const epoch = refEpoch.epoch;
        const steps = ref.meta.steps.filter((s) => s.epoch === epoch);
        const perm = ref.require(traceKey('-', 'perm', 'train', `epoch${epoch}`)).data as Int32Array;
        const bar = new ProgressBar(steps, { desc: `torchbridge ${cfg.device} epoch ${epoch + 1}/${ref.meta.epochs.length}`, disable: !cfg.progress });
        yield {
          epoch,
          batches: (function* () {
            for (const s of bar) {
              cur = { step: s.step, batch: s.batch, record: recordsAt(cfg, s.step) && ref.meta.recordedSteps.includes(s.step), bar: bar as ProgressBar<unknown> };
              const idx = torch.tensor(perm.subarray(s.batch * refBatchSize, s.batch * refBatchSize + s.size), { dtype: 'int32' }).to(tx.device);
              const batch = tensors.map((t) => torch.indexSelect(t, 0, idx));
              idx.dispose();
              yield batch;
            }
          })(),
        };
      }
    },
    async beforeStep({ x: xb, xs: xbs }) {
      const { step, record } = cur!;
      if (cfg.replay !== 'none' && step > 0) reloadReferenceWeights(model, layers, step - 1);
      for (const d of dropouts) {
        const mt = ref.get(traceKey(step, 'mask', d.layer, 'mask'));
        if (!mt) continue;
        const c = activationToCandidate(mt.data, mt.shape, d.output);
        tap.masks.set(modules.get(d.modules[0])!, { mask: torch.tensor(c.data, { shape: c.shape }).to(xb.device), keep: 1 - (modules.get(d.modules[0]) as nn.Dropout).p });
      }
      if (cfg.replay === 'layer' && record && cfg.record.outputs) await recordIsolated(model, layers, modules, readers, xbs, step);
      if (record && cfg.record.outputs) beginCapture();
      gradNames = record && cfg.record.gradients ? layers.flatMap((m) => m.weights.map((w) => ({ m, w }))).filter(({ w }) => params.has(w.candidateName)) : [];
      // Last: the replay's writes and the isolated forward above are the probe's, not the program's.
      fitOps.begin(step);
    },
    beforeOptimizerStep: () => {
      fitOps.end(cur!.step);
      return gradNames.map(({ w }) => params.get(w.candidateName)!.grad?.clone() ?? torch.zeros(params.get(w.candidateName)!.shape));
    },
    afterOptimizerStep(_info, pred, preds) {
      outputs = tap.capture ? readers.map((read) => read(pred, preds)?.detach() ?? null) : [];
      return outputs.filter((o): o is Tensor => o !== null);
    },
    async afterStep({ epoch, xs: xbs, ys: ybs }, logs, kept) {
      endCapture();
      // The reference's own batch index (fit counts the same way from 0; this keeps the trace keyed as recorded).
      const { step, batch, record, bar } = cur!;
      const grads = kept.slice(0, gradNames.length);
      if (record) {
        for (let i = 0; i < layers.length; i++) {
          const o = outputs[i];
          if (o) trace.put(traceKey(step, 'output', layers[i].layer, 'output'), o.shape, (await readAll([o]))[0]);
        }
        const gradData = await readAll(grads);
        gradNames.forEach(({ m, w }, i) => trace.put(traceKey(step, 'gradient', m.layer, w.tensor), grads[i].shape, gradData[i]));
        if (cfg.record.parameters) {
          for (const m of layers) {
            for (const w of m.weights) {
              const p = model.stateDict()[w.candidateName];
              if (p) trace.put(traceKey(step, 'parameter', m.layer, w.tensor), p.shape, (await readAll([p]))[0]);
            }
          }
        }
        meta.recordedSteps.push(step);
      }
      torch.dispose([...kept, ...xbs, ...ybs, ...[...tap.masks.values()].map((v) => v.mask)]);
      tap.masks.clear();
      outputs = [];
      const { batch: _b, size, loss, ...stepMetrics } = logs;
      meta.steps.push({ step, epoch, batch, size, loss, metrics: stepMetrics });
      bar.setPostfix(`loss ${loss.toFixed(4)}`);
      globalStep = step + 1;
    },
    afterEpoch(epoch, logs) {
      meta.epochs.push({ epoch, logs: { ...logs } });
      trace.flush();
    },
    // The candidate follows the reference's epochs; a stop its own callbacks ask for earlier is a finding.
    stop(epoch, where) {
      if (where === 'batch' || epoch === lastEpoch) return where !== 'batch';
      meta.notes.push(`callbacks: the migrated program's callbacks asked to stop after epoch ${epoch + 1}, the original's trained on; the migrated run followed the original`);
      (model as { stopTraining?: boolean }).stopTraining = false;
      return false;
    },
  };
  // The split is made above, so utils.fit gets the validation set as data (or none).
  const { validationSplit: _split, validationData: _data, ...rest } = options;
  const validation = val ? (several ? [val[0], val[1]] : [val[0][0], val[1][0]]) : undefined;
  const fitOptions: FitOptions = { ...rest, batchSize: refBatchSize, ...(validation ? { validationData: validation as [Tensor | Tensor[], Tensor | Tensor[]] } : {}) };
  const history = await utils.fit(model, several ? trainXs : trainXs[0], several ? trainYs : trainYs[0], fitOptions, driver);
  meta.fitDone = true;
  trace.flush();
  return history;
}

/** A graph mapping's isolation plan (isolation_plan.ts), made once; its unfed layers noted. */
let isolation: IsolationPlan | null = null;

/**
 * `--replay layer`: every layer group fed the reference's input to it (no grad); outputs recorded as `isolated`.
 * Mapped by order: each group's first module gets the previous group's reference output. Mapped by graph: each
 * layer's module gets its inbound layer's reference output (isolation_plan.ts).
 */
async function recordIsolated(model: nn.Module, mapping: LayerMapping[], modules: Map<string, nn.Module>, readers: LayerReader[], xbs: Tensor[], step: number): Promise<void> {
  const device = xbs[0].device;
  const graph = !isChain(ref.meta.layers);
  tap.replaceInput = new Map();
  const inputs: Tensor[] = [];
  if (graph) {
    if (!isolation) {
      isolation = graphIsolationPlan(mapping, ref.meta.layers, (name) => runtimeClassName(modules.get(name)!));
      if (isolation.notFed.length) meta.notes.push(`replay layer: not fed the reference's input (they run on the candidate's own): ${isolation.notFed.join(', ')}`);
    }
    for (const feed of isolation.feeds) {
      const r = ref.get(traceKey(step, 'output', feed.from, 'output'));
      if (!r) continue;
      const c = activationToCandidate(r.data, r.shape, feed.layout);
      const t = torch.tensor(c.data, { shape: c.shape });
      inputs.push(t);
      tap.replaceInput.set(modules.get(feed.module)!, t.to(device));
    }
  } else {
    for (let g = 1; g < mapping.length; g++) {
      if (!mapping[g].modules.length) continue;
      const t = referenceActivation(step, mapping[g - 1]);
      if (!t) continue;
      inputs.push(t);
      tap.replaceInput.set(modules.get(mapping[g].modules[0])!, t.to(device));
    }
  }
  // Mapped by order, a module-less group's "isolated" output would be the reference's own input to it: nothing to
  // compare. Mapped by graph, a layer migrated to an op (a Concatenate) is read from its consumer's own input, which
  // the forward computed from modules fed the reference's values: compared too.
  const isolatedLayer = (m: LayerMapping) => (graph ? m.referenceType !== 'InputLayer' && m.source?.kind !== 'none' : m.modules.length > 0);
  beginCapture();
  try {
    const outs = torch.noGrad(() => torch.tidy(() => {
      const out = (model.forward as (...a: Tensor[]) => unknown)(...xbs);
      const preds = Array.isArray(out) ? (out as Tensor[]) : [out as Tensor];
      return mapping.map((m, i) => (isolatedLayer(m) ? readers[i](preds[0], preds)?.detach() ?? null : null));
    }));
    for (let i = 0; i < mapping.length; i++) {
      const o = outs[i];
      if (o) trace.put(traceKey(step, 'output', mapping[i].layer, 'isolated'), o.shape, (await readAll([o]))[0]);
    }
    torch.dispose(outs.filter((o): o is Tensor => o !== null));
  } finally {
    endCapture();
    tap.replaceInput = null;
    torch.dispose(inputs);
  }
}

/**
 * The reference's `eval output` probes, mirrored (probe_tfjs.ts): every layer group's output on the same first
 * evaluation batch, in eval mode, no grad. Under replay the model first takes the reference's parameters after
 * its last step, as before every training step, so these outputs (and the evaluation itself) differ from the
 * reference's only by what evaluation computes differently. CPU tensors only (evaluate is synchronous).
 */
function recordEvalOutputs(model: nn.Module, x: Tensor): void {
  if (!mapping || x.device.type !== 'cpu') return;
  const first = ref.entry(traceKey('-', 'output', mapping[0].layer, EVAL_OUTPUT));
  if (!first) return;
  const lastStep = ref.meta.steps[ref.meta.steps.length - 1]?.step;
  if (cfg.replay !== 'none' && lastStep !== undefined && meta.steps.length) reloadReferenceWeights(model, mapping, lastStep);
  const modules = moduleByName(model);
  const readers = layerReaders(mapping, modules);
  tap.wantInputs = wantedInputs(mapping, modules);
  const wasTraining = model.training;
  beginCapture();
  try {
    const outs = torch.noGrad(() => torch.tidy(() => {
      model.eval();
      const pred = model.forward(x.narrow(0, 0, Math.min(first.shape[0], x.shape[0]))) as Tensor;
      return readers.map((read) => read(pred)?.detach() ?? null);
    }));
    outs.forEach((o, g) => {
      if (o) trace.put(traceKey('-', 'output', mapping![g].layer, EVAL_OUTPUT), o.shape, asFloat32(o.dataSync()));
    });
    torch.dispose(outs.filter((o): o is Tensor => o !== null));
  } finally {
    endCapture();
    model.train(wasTraining);
  }
}

/** `utils.evaluate(model, x, y, options)`, the runtime's own, on the reference's data, results recorded. */
export function evaluate(model: unknown, x: Tensor | Tensor[], y: Tensor | Tensor[], options: EvaluateOptions = {}): Tensor | Tensor[] {
  if (cfg.plain || !(model instanceof nn.Module)) return utils.evaluate(model as utils.Trainable, x, y, options);
  if (Array.isArray(x) || Array.isArray(y)) return evaluateSeveral(model, Array.isArray(x) ? x : [x], Array.isArray(y) ? y : [y], options);
  options = withCompiled('evaluate', model, options, ['loss']);
  const i = meta.evaluations.length;
  const expected = ref.meta.evaluations[i]?.dataHash;
  let [ex, ey] = [x, y];
  // Synchronous like utils.evaluate (the migrated program may not await it): hashes via dataSync, CPU data only.
  if (expected && x.device.type === 'cpu') {
    if (hashOfSync(x) !== expected.x || hashOfSync(y) !== expected.y) {
      const rx = ref.require(traceKey('-', 'data', `eval${i}`, 'x'));
      const ry = ref.require(traceKey('-', 'data', `eval${i}`, 'y'));
      ex = torch.tensor(rx.data, { shape: rx.shape });
      ey = torch.tensor(ry.data, { shape: ry.shape, dtype: y.dtype });
      const note = "the migrated program's evaluation data differs from the original's; the candidate evaluated on the reference's recorded data";
      if (!meta.notes.includes(note)) meta.notes.push(note);
    }
  }
  if (i === 0) recordEvalOutputs(model, ex);
  const result = utils.evaluate(model, ex, ey, options);
  const arr = Array.isArray(result) ? result : [result];
  if (arr.every((t) => t.device.type === 'cpu')) {
    meta.evaluations.push({ names: ['loss', ...metricEntries('evaluate', options.metrics, 1).map(([k]) => k)], values: arr.map((t) => t.dataSync()[0]), dataHash: expected ?? { x: '', y: '' } });
  }
  trace.flush();
  return result;
}

/** The outputNames a model's fit (or compile record) gave: the names its multi-output evaluations are logged under. */
const fitOutputNames = new WeakMap<object, string[] | undefined>();

/**
 * utils.evaluate with several inputs or outputs: tfjs's list value by value, under the names the reference gives
 * it (evaluationNames: the running totals, each output's loss, each output's metrics), on the reference's recorded
 * data where the program's own differs. The layers' evaluation outputs are not recorded (a one-input model's are).
 */
function evaluateSeveral(model: nn.Module, xs: Tensor[], ys: Tensor[], options: EvaluateOptions): Tensor | Tensor[] {
  const merged = withCompiled('evaluate', model, options, ['loss']) as EvaluateOptions & { outputNames?: string[] };
  const i = meta.evaluations.length;
  const expected = ref.meta.evaluations[i]?.dataHash;
  let [exs, eys] = [xs, ys];
  if (expected && [...xs, ...ys].every((t) => t.device.type === 'cpu')) {
    if (xs.map(hashOfSync).join(',') !== expected.x || ys.map(hashOfSync).join(',') !== expected.y) {
      const load = (base: 'x' | 'y', own: Tensor[]) => own.map((t, k) => {
        const r = ref.require(traceKey('-', 'data', `eval${i}`, dataTensorName(base, k)));
        return torch.tensor(r.data, { shape: r.shape, dtype: t.dtype });
      });
      [exs, eys] = [load('x', xs), load('y', ys)];
      const note = "the migrated program's evaluation data differs from the original's; the candidate evaluated on the reference's recorded data";
      if (!meta.notes.includes(note)) meta.notes.push(note);
    }
  }
  const result = utils.evaluate(model, exs, eys, options);
  const arr = Array.isArray(result) ? result : [result];
  if (arr.every((t) => t.device.type === 'cpu')) {
    const outputNames = merged.outputNames ?? fitOutputNames.get(model) ?? ys.map((_, k) => `output${k + 1}`);
    const keys = metricEntries('evaluate', merged.metrics, ys.length, outputNames).map(([k]) => k);
    const names = ys.length > 1 ? evaluationNames(outputNames, keys) : ['loss', ...keys];
    meta.evaluations.push({ names, values: arr.map((t) => t.dataSync()[0]), dataHash: expected ?? { x: '', y: '' } });
  }
  trace.flush();
  return result;
}

void globalStep;
