/**
 * The reference side of a custom-loop diff: hooks tfjs's optimizers so every training step the program takes —
 * `optimizer.minimize(f)` or `tf.variableGrads(f)` then `optimizer.applyGradients(grads)` — is recorded, without
 * rewriting the loop. A step ends where tfjs applies gradients (each optimizer class has its own `applyGradients`,
 * so each is wrapped; `minimize` calls it too). Recorded per step: the loss and every variable the step updated,
 * after the update; each variable's value before its first update is its initial value, which the candidate starts
 * from.
 *
 * The loss: `minimize`'s cost (the original is called with returnCost true, and the cost disposed when the caller
 * did not ask for it), or the value of the last `tf.variableGrads` before `applyGradients`. variableGrads is a frozen
 * ES module export, so its value is caught one level down, in the engine's `gradients` (which variableGrads calls).
 * Creation order comes from the engine's `makeVariable` (what `tf.variable` calls).
 *
 * A loop that updates its variables by hand — gradients from `tf.grads`, `tf.valueAndGrads` or `tf.variableGrads`,
 * then `variable.assign(...)` (the tfjs-core style, no optimizer) — has no applyGradients to end a step: there a
 * step is every assign after a gradient computation, up to the next gradient computation (or the program's end),
 * and its loss the value that gradient computation differentiated. Each variable is recorded right after its
 * assign; a variable assigned inside an optimizer's update is the optimizer's step, not this.
 *
 * `model.trainOnBatch(x, y)` and `model.fitDataset(dataset, args)` step through `optimizer.minimize` too, so their
 * steps are recorded the same way, one per batch. The model's weights are then recorded in the runtime's layout
 * (layout.ts: a Dense kernel [in, out] as the Linear weight [out, in], a Conv2D kernel HWIO as OIHW), so the migrated
 * model's parameters, in registration order, pair with them by shape, as a custom loop's variables do.
 *
 * The hooks are active only in a custom-loop child (instrument.ts decides): the fit probe's own
 * variableGrads/applyGradients must not count as the program's steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { ChildConfig } from './child_config.js';
import { LOOP_LAYER } from './loop_keys.js';
import { weightLayoutOf, weightToCandidate, type WeightLayout } from './layout.js';
import { startTfjsOpTrace } from './op_trace_tfjs.js';
import { asFloat32, traceKey, type TraceWriter } from './trace.js';
import type { LoopVariable, ReferenceMeta } from './trace_meta.js';

type GradMap = tf.NamedTensorMap | { name: string; tensor: tf.Tensor | undefined }[];

interface EngineInternals {
  registeredVariables: Record<string, tf.Variable>;
  makeVariable(initialValue: tf.Tensor, trainable?: boolean, name?: string, dtype?: tf.DataType): tf.Variable;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: tf.Tensor[] };
}

export interface LoopProbes {
  /** `const w = __tb.declared(tf.variable(...), 'w')`: the program's name for a variable. */
  declared<T>(v: T, label: string): T;
  /** At exit: ends a hand-written step still open (the program's last). */
  finish(): void;
}

export function installLoopProbes(cfg: ChildConfig, trace: TraceWriter<ReferenceMeta>, meta: ReferenceMeta): LoopProbes {
  const engine = tf.engine() as unknown as EngineInternals;
  const labels = new Map<string, string>();
  const creation = new Map<string, number>();
  const loop: NonNullable<ReferenceMeta['loop']> = { variables: [] };
  meta.loop = loop;
  const seen = new Map<string, LoopVariable>();
  let step = 0;
  let applying = 0;
  let inMinimize = 0;
  let stepPending = false;
  let lastValue: number | undefined;
  // Hand-written updates (see the header): whether a gradient was computed yet, the variables assigned since the
  // last one, and the loss that gradient computation had.
  let gradientsSeen = false;
  const assigned = new Set<string>();
  let assignLoss: number | undefined;
  // --trace ops: the traced step's kernels, up to (not into) the optimizer's update.
  const ops = cfg.traceOps ? startTfjsOpTrace(trace, meta, cfg.traceOps.step) : null;

  const makeVariable = engine.makeVariable;
  engine.makeVariable = function (this: EngineInternals, ...args: Parameters<EngineInternals['makeVariable']>) {
    const v = makeVariable.apply(this, args);
    if (!creation.has(v.name)) creation.set(v.name, creation.size);
    return v;
  };

  const gradients = engine.gradients;
  engine.gradients = function (this: EngineInternals, ...args: Parameters<EngineInternals['gradients']>) {
    // A new gradient computation after hand-written updates: the step they made is over.
    if (assigned.size && !applying && !inMinimize) finishAssignStep(true);
    const r = gradients.apply(this, args);
    const value = r.value && r.value.size === 1 ? r.value.dataSync()[0] : undefined;
    if (!inMinimize) lastValue = value;
    if (!applying && !inMinimize) {
      gradientsSeen = true;
      assignLoss = value;
    }
    return r;
  };

  // Weights of a model trained by trainOnBatch / fitDataset, by variable name: their layout on the runtime.
  const layouts = new Map<string, WeightLayout>();
  const put = (key: string, v: tf.Variable) => {
    const layout = layouts.get(v.name);
    if (!layout || layout.kind === 'same') return trace.put(key, v.shape, asFloat32(v.dataSync()));
    const c = weightToCandidate(asFloat32(v.dataSync()), v.shape, layout);
    trace.put(key, c.shape, c.data);
  };
  const shapeOf = (v: tf.Variable) => {
    const layout = layouts.get(v.name);
    return layout && layout.kind !== 'same' ? weightToCandidate(new Float32Array(v.size), v.shape, layout).shape : [...v.shape];
  };

  /** Notes the layouts of a model's weights before trainOnBatch / fitDataset trains it (see the header). */
  const noteModel = (model: tf.LayersModel, how = 'trainOnBatch / fitDataset') => {
    let spatial = false;
    for (const l of model.layers) {
      const cls = l.getClassName();
      const input = (Array.isArray(l.getInputAt(0)) ? (l.getInputAt(0) as tf.SymbolicTensor[])[0] : (l.getInputAt(0) as tf.SymbolicTensor)).shape;
      if (cls === 'Flatten' && input.length === 4) spatial = true;
      if (cls === 'Dense' && spatial) {
        throw new Error(`torchbridge diff: ${l.name} (Dense) reads a flattened feature map; a model trained by ${how} is followed by the custom-loop probes, which do not permute its kernel rows to the runtime's NCHW order yet — diff a model.fit program, or flatten after a channels-last permute`);
      }
      l.weights.forEach((w) => {
        const short = w.name.slice(w.name.lastIndexOf('/') + 1).replace(/_\d+$/, '');
        const layout = weightLayoutOf(cls, short);
        const name = (w.read() as tf.Variable).name;
        layouts.set(name, layout);
        // tfjs names a layer's weight `<layer>/<weight>` already; another name (a suffixed duplicate) gets that label.
        if (!labels.has(name) && name !== `${l.name}/${short}`) labels.set(name, `${l.name}/${short}`);
      });
    }
    pushNote(meta, `${model.name}: trained by ${how === 'custom loop' ? 'a custom loop' : `${how}, followed step by step as a custom loop`}: its weights are recorded in the runtime's layout (Dense kernels [out, in], Conv2D kernels OIHW) and pair with the migrated model's parameters in order`);
  };
  // A layer's or model's weights trained by a custom loop (`optimizer.minimize(() => loss(model.apply(x)))`, as the
  // tfjs program `torchbridge migrate x.py --emit-tfjs` writes): their layouts are noted on the first call, before the
  // first step registers them, so Dense / Conv2D kernels are recorded in the runtime's layout too.
  const applied = new WeakSet<object>();
  let inModel = 0;
  const noteLayer = (l: tf.layers.Layer) => {
    if (applied.has(l)) return;
    applied.add(l);
    if (l instanceof tf.LayersModel) return noteModel(l, 'custom loop');
    const cls = l.getClassName();
    for (const w of l.weights) {
      const short = w.name.slice(w.name.lastIndexOf('/') + 1).replace(/_\d+$/, '');
      layouts.set((w.read() as tf.Variable).name, weightLayoutOf(cls, short));
    }
    if (l.weights.length && !inModel) pushNote(meta, `layers called on their own (${cls}, ...) and trained by a custom loop: their weights are recorded in the runtime's layout (Dense kernels [out, in], Conv2D kernels OIHW) and pair with the migrated model's parameters in order`);
  };
  const layerProto = tf.layers.Layer.prototype as unknown as { apply: (this: tf.layers.Layer, ...a: unknown[]) => unknown };
  const layerApply = layerProto.apply;
  layerProto.apply = function (this: tf.layers.Layer, ...a: unknown[]) {
    const isModel = this instanceof tf.LayersModel;
    if (isModel) inModel++;
    let out: unknown;
    try {
      out = layerApply.apply(this, a);
    } finally {
      if (isModel) inModel--;
    }
    // Built by now (apply builds a layer on its first call); a symbolic call (tf.sequential wiring its layers) is
    // not training: the layer is noted when it computes.
    const symbolic = (Array.isArray(a[0]) ? a[0][0] : a[0]) instanceof tf.SymbolicTensor;
    if (this.built && !symbolic) noteLayer(this);
    return out;
  };
  for (const method of ['trainOnBatch', 'fitDataset'] as const) {
    const proto = tf.LayersModel.prototype as unknown as Record<string, (this: tf.LayersModel, ...a: unknown[]) => Promise<unknown>>;
    const original = proto[method];
    proto[method] = function (this: tf.LayersModel, ...a: unknown[]) {
      noteModel(this);
      return original.apply(this, a);
    };
  }

  const register = (v: tf.Variable) => {
    if (seen.has(v.name)) return;
    const entry: LoopVariable = { name: v.name, label: labels.get(v.name), shape: shapeOf(v), trainable: v.trainable };
    seen.set(v.name, entry);
    put(traceKey('-', 'init', LOOP_LAYER, v.name), v);
    // Creation order (variables made before the probes loaded, if any, last, in registration order).
    const order = (name: string) => creation.get(name) ?? creation.size + Object.keys(engine.registeredVariables).indexOf(name);
    loop.variables = [...seen.values()].sort((a, b) => order(a.name) - order(b.name));
  };

  // Each optimizer's variables, in the order of its first step (ReferenceMeta.loop.optimizers).
  const byOptimizer = new Map<tf.Optimizer, string[]>();
  const noteOptimizer = (o: tf.Optimizer, variables: tf.Variable[]) => {
    let names = byOptimizer.get(o);
    if (!names) {
      names = [];
      byOptimizer.set(o, names);
    }
    for (const v of variables) if (!names.includes(v.name)) names.push(v.name);
    loop.optimizers = [...byOptimizer.values()];
  };

  const finishAssignStep = (canExit: boolean) => {
    assigned.clear();
    if (assignLoss === undefined) pushNote(meta, 'loss: a hand-written step followed a gradient computation of a function whose value is not one number; its loss is shown as NaN');
    const loss = assignLoss ?? NaN;
    assignLoss = undefined;
    finishStep(loss, canExit);
  };

  const assign = tf.Variable.prototype.assign;
  tf.Variable.prototype.assign = function (this: tf.Variable, newValue: tf.Tensor) {
    // An optimizer's own update, or an assign before any gradient (initialisation): not a hand-written step.
    if (applying || inMinimize || !gradientsSeen) return assign.call(this, newValue);
    loop.style = 'assign';
    register(this);
    if (step === 0 && !(loop.updateOrder ??= []).includes(this.name)) loop.updateOrder.push(this.name);
    assign.call(this, newValue);
    put(traceKey(step, 'parameter', LOOP_LAYER, this.name), this);
    assigned.add(this.name);
  };

  const finishStep = (loss: number, canExit = true) => {
    meta.steps.push({ step, epoch: 0, batch: step, size: 0, loss, metrics: {} });
    meta.recordedSteps.push(step);
    if (ops && step === ops.step) ops.finish();
    step++;
    if (ops && step === ops.step) ops.resume();
    if (step % 50 === 0) trace.flush();
    if (canExit && cfg.steps !== undefined && step >= cfg.steps) {
      // --steps: the rest of the program (more training, its prints) is not needed; the trace is closed on exit.
      loop.stoppedAt = step;
      process.exit(0);
    }
  };

  const wrapApply = (original: (this: tf.Optimizer, g: GradMap) => void) =>
    function (this: tf.Optimizer, grads: GradMap): void {
      // A subclass's applyGradients calling another's is one step.
      if (applying) return original.call(this, grads);
      const names = Array.isArray(grads) ? grads.filter((g) => g.tensor != null).map((g) => g.name) : Object.keys(grads).filter((k) => grads[k] != null);
      const variables = names.map((n) => engine.registeredVariables[n]).filter((v): v is tf.Variable => v !== undefined);
      for (const v of variables) register(v);
      noteOptimizer(this, variables);
      ops?.pause();
      applying++;
      try {
        original.call(this, grads);
      } finally {
        applying--;
      }
      for (const v of variables) put(traceKey(step, 'parameter', LOOP_LAYER, v.name), v);
      if (inMinimize) {
        stepPending = true;
      } else {
        if (lastValue === undefined) pushNote(meta, 'loss: a step applied gradients that no tf.variableGrads / minimize computed here; its loss is shown as NaN');
        finishStep(lastValue ?? NaN);
      }
      lastValue = undefined;
    };

  for (const ctor of Object.values(tf)) {
    if (typeof ctor !== 'function' || !(ctor.prototype instanceof tf.Optimizer)) continue;
    const proto = ctor.prototype as { applyGradients?: (g: GradMap) => void };
    if (!Object.prototype.hasOwnProperty.call(proto, 'applyGradients') || !proto.applyGradients) continue;
    proto.applyGradients = wrapApply(proto.applyGradients);
  }

  const minimize = tf.Optimizer.prototype.minimize;
  tf.Optimizer.prototype.minimize = function (this: tf.Optimizer, f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]) {
    inMinimize++;
    let cost: tf.Scalar | null;
    try {
      cost = minimize.call(this, f, true, varList);
    } finally {
      inMinimize--;
    }
    if (stepPending) {
      stepPending = false;
      finishStep(cost ? cost.dataSync()[0] : NaN);
    }
    if (returnCost) return cost;
    cost?.dispose();
    return null;
  };

  // A shuffled pass of the program's batching (the tfjs program `--emit-tfjs` writes announces its order): recorded,
  // so the candidate's DataLoader visits the same samples in the same order.
  (globalThis as { __torchbridgeDataOrder?: (order: ArrayLike<number>) => void }).__torchbridgeDataOrder = (order) => {
    const k = loop.shuffles ?? 0;
    trace.put(traceKey('-', 'perm', LOOP_LAYER, `shuffle${k}`), [order.length], Int32Array.from(order));
    loop.shuffles = k + 1;
  };

  return {
    declared<T>(v: T, label: string): T {
      if (v instanceof tf.Variable) labels.set(v.name, label);
      return v;
    },
    finish() {
      if (assigned.size) finishAssignStep(false);
    },
  };
}

function pushNote(meta: ReferenceMeta, note: string): void {
  if (!meta.notes.includes(note)) meta.notes.push(note);
}
