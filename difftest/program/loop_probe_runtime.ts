/**
 * The candidate side of a custom-loop diff: hooks the runtime's optimizer and tensors so the migrated loop
 * (`optimizer.zeroGrad(); ...backward(); optimizer.step();`) is followed step by step against the reference's
 * recording (loop_probe_tfjs.ts), without rewriting it.
 *
 * - `requiresGrad_()` notes the leaves the program creates (its `tf.variable`s), in order;
 * - an optimizer's `addParamGroup` (which its constructor calls) pairs the reference's variables with the
 *   optimizer's params (loop_pairing.ts; with several optimizers, each with one of the original's) and writes the reference's initial values into them, so random
 *   initialisation does not count — before the loop runs any forward;
 * - `backward()` on a one-element tensor remembers its value: the step's loss;
 * - `step()` ends a step: the loss and every paired tensor after the update are recorded under the reference's
 *   variable names;
 * - under `--replay step|layer`, right after step k is recorded the paired tensors take the reference's values
 *   after step k, so step k+1 starts where the reference's did (the optimizer's own state, e.g. momentum, stays
 *   the candidate's).
 * When --steps stopped the reference early, the candidate stops after as many steps.
 *
 * A reference that updated its variables by hand (`tf.grads` then `variable.assign`: ReferenceMeta.loop.style
 * 'assign') migrates to `torch.autograd.grad` then `x.copy_(...)` under noGrad. Then (installAssignProbes):
 * - the program's variables are the leaves it marks `requiresGrad_()` (a detached copy sharing one's storage, as the
 *   migrated gradient function makes of its inputs, is not a new one); the k-th pairs with the reference's k-th
 *   trainable variable (creation order) when the shapes agree, and takes its initial value at once, before any
 *   forward; tensors updated that are not such leaves (an update's state, e.g. a running mean of squares) pair with
 *   the reference's untrainable variables in the order step 0 first updated them;
 * - `autograd.grad` (instrument.ts routes the program's calls through `__tb.autogradGrad`) remembers the loss;
 * - `copy_` into a paired tensor records it after the update; a step ends when every reference variable was updated
 *   (then, under replay, the paired tensors take the reference's values after it), or at the next gradient
 *   computation or the program's end when some never are.
 */
import { data, optim, Tensor, torch } from '../../runtime/index.js';
import type { ChildConfig } from './child_config.js';
import { LOOP_LAYER } from './loop_keys.js';
import { pairOptimizers, variableLabel, type PairedTensor } from './loop_pairing.js';
import { startRuntimeOpTrace, type RuntimeOpRecorder } from './op_trace_runtime.js';
import { asFloat32, traceKey, type TraceReader, type TraceWriter } from './trace.js';
import type { CandidateMeta, ReferenceMeta } from './trace_meta.js';

/** What the candidate's probe module exports for a custom loop. */
export interface CandidateLoopProbes {
  /** `torch.autograd.grad`, with the loss remembered (hand-written updates). */
  autogradGrad: typeof torch.autograd.grad;
  /** At exit: ends a step still open. */
  finish(): void;
}

export function installLoopProbes(cfg: ChildConfig, ref: TraceReader<ReferenceMeta>, trace: TraceWriter<CandidateMeta>, meta: CandidateMeta): CandidateLoopProbes {
  const refLoop = ref.meta.loop;
  if (!refLoop) {
    throw new Error('torchbridge diff: the migrated program trains with its own loop (optimizer.step()), but the original trained with model.fit, which the candidate follows only through utils.fit; migrate the original with `torchbridge migrate --fit helper`');
  }
  if (refLoop.style === 'assign') return installAssignProbes(cfg, ref, trace, meta);
  const refVars = refLoop.variables;
  if (cfg.device !== 'cpu') meta.notes.push(`--device ${cfg.device}: a custom loop runs where the program puts its tensors (the probes move nothing); its values are read on the CPU`);
  const created: Tensor[] = [];
  const optimizers: optim.Optimizer[] = [];
  const loaded = new Set<Tensor>();
  let pairs: PairedTensor<Tensor>[] = [];
  let step = 0;
  let lastLoss: number | undefined;
  // --trace ops: the traced step's ops, up to (not into) optimizer.step().
  const ops = cfg.traceOps ? startRuntimeOpTrace(trace, meta, cfg.traceOps.step) : null;

  const requiresGrad = Tensor.prototype.requiresGrad_;
  Tensor.prototype.requiresGrad_ = function (this: Tensor, on = true) {
    const out = requiresGrad.call(this, on);
    // Before the first step only: a program's variables exist by then, and a loop that marks a fresh input
    // requiresGrad_ every step would otherwise grow this list without end.
    if (on && step === 0 && this.isLeaf && !created.includes(this)) created.push(this);
    return out;
  };

  const pairAndLoad = () => {
    const pairing = pairOptimizers(refVars, refLoop.optimizers, optimizers.map((o) => o.paramGroups.flatMap((g) => g.params)), created);
    pairs = pairing.pairs;
    meta.loop = { pairs: pairs.map(({ refIndex, candidate, inOptimizer }) => ({ refIndex, candidate, inOptimizer })), problems: pairing.problems };
    for (const p of pairs) {
      if (loaded.has(p.tensor)) continue;
      loaded.add(p.tensor);
      loadValues(ops, p.tensor, ref.require(traceKey('-', 'init', LOOP_LAYER, refVars[p.refIndex].name)).data as Float32Array);
    }
  };

  followShuffles(ref, meta);

  const addParamGroup = optim.Optimizer.prototype.addParamGroup;
  optim.Optimizer.prototype.addParamGroup = function (this: optim.Optimizer, group) {
    addParamGroup.call(this, group);
    if (!optimizers.includes(this)) optimizers.push(this);
    pairAndLoad();
  };

  const backward = Tensor.prototype.backward;
  Tensor.prototype.backward = function (this: Tensor, ...args: Parameters<Tensor['backward']>) {
    // Read before backward: a loss inside torch.tidy is gone once the scope ends, after this call.
    if (this.numel() === 1 && this.device.type === 'cpu') lastLoss = this.dataSync()[0];
    return backward.apply(this, args);
  };

  const stepFn = optim.Optimizer.prototype.step;
  optim.Optimizer.prototype.step = function (this: optim.Optimizer, closure) {
    ops?.pause();
    const out = stepFn.call(this, closure);
    for (const p of pairs) trace.put(traceKey(step, 'parameter', LOOP_LAYER, refVars[p.refIndex].name), p.tensor.shape, asFloat32(p.tensor.dataSync()));
    if (lastLoss === undefined) {
      const note = 'loss: a migrated step ran optimizer.step() without a backward() of a one-element CPU tensor before it; its loss is shown as NaN';
      if (!meta.notes.includes(note)) meta.notes.push(note);
    }
    meta.steps.push({ step, epoch: 0, batch: step, size: 0, loss: lastLoss ?? NaN, metrics: {} });
    meta.recordedSteps.push(step);
    if (ops && step === ops.step) ops.finish();
    lastLoss = undefined;
    // Under replay the next step starts where the reference's did: its values after this step, written now (once
    // recorded), so the next forward sees them wherever the program calls zeroGrad.
    if (cfg.replay !== 'none') {
      for (const p of pairs) {
        const t = ref.get(traceKey(step, 'parameter', LOOP_LAYER, refVars[p.refIndex].name));
        if (t) writeValues(p.tensor, t.data as Float32Array);
      }
    }
    step++;
    if (ops && step === ops.step) ops.resume();
    if (step % 50 === 0) trace.flush();
    if (refLoop.stoppedAt !== undefined && step >= refLoop.stoppedAt) process.exit(0);
    return out;
  };
  return { autogradGrad: torch.autograd.grad, finish() {} };
}

/** Hand-written updates (see the header). */
function installAssignProbes(cfg: ChildConfig, ref: TraceReader<ReferenceMeta>, trace: TraceWriter<CandidateMeta>, meta: CandidateMeta): CandidateLoopProbes {
  const refLoop = ref.meta.loop!;
  const refVars = refLoop.variables;
  const trainable = refVars.map((v, i) => ({ v, i })).filter(({ v }) => v.trainable !== false);
  const state = (refLoop.updateOrder ?? []).map((name) => refVars.findIndex((v) => v.name === name)).filter((i) => i >= 0 && refVars[i].trainable === false);
  const pairs = new Map<Tensor, PairedTensor<Tensor>>();
  const problems: string[] = [];
  const created: Tensor[] = [];
  const updated = new Set<Tensor>();
  const everUpdated = new Set<Tensor>();
  const unpairedSeen = new Set<Tensor>();
  let statePaired = 0;
  let step = 0;
  let lastLoss: number | undefined;
  let gradientsSeen = false;
  const ops = cfg.traceOps ? startRuntimeOpTrace(trace, meta, cfg.traceOps.step) : null;
  const publish = () => {
    meta.loop = { pairs: [...pairs.values()].sort((a, b) => a.refIndex - b.refIndex).map(({ refIndex, candidate, inOptimizer }) => ({ refIndex, candidate, inOptimizer })), problems };
  };
  publish();

  const requiresGrad = Tensor.prototype.requiresGrad_;
  Tensor.prototype.requiresGrad_ = function (this: Tensor, on = true) {
    const out = requiresGrad.call(this, on);
    if (!on || step > 0 || gradientsSeen || !this.isLeaf || created.includes(this) || created.some((c) => c.storage === this.storage)) return out;
    const k = created.length;
    created.push(this);
    const target = trainable[k];
    if (!target) {
      problems.push(`the migrated program marks more tensors requiresGrad_() than the original has trained variables (${trainable.length}); leaf #${k} of shape ${fmt(this.shape)} pairs with none`);
    } else if (!sameShape(this.shape, target.v.shape)) {
      problems.push(`variable ${variableLabel(target.v, target.i)} pairs with the migrated program's leaf #${k} (requiresGrad_ order), of shape ${fmt(this.shape)}: the shapes differ`);
    } else {
      pairs.set(this, { refIndex: target.i, tensor: this, candidate: `leaf #${k}`, inOptimizer: true });
      loadValues(ops, this, ref.require(traceKey('-', 'init', LOOP_LAYER, target.v.name)).data as Float32Array);
    }
    publish();
    return out;
  };

  /**
   * `replayNow`: under replay, write the reference's values after this step now. Not when the step is only found
   * over at the next gradient computation: its forward has already read (and saved for backward) the tensors, and
   * writing them would change what the gradient is taken of (the runtime refuses: a saved tensor modified in place).
   */
  const finishStep = (canExit: boolean, replayNow: boolean) => {
    if (lastLoss === undefined) {
      const note = 'loss: a migrated hand-written step followed an autograd.grad of an output that is not one CPU number; its loss is shown as NaN';
      if (!meta.notes.includes(note)) meta.notes.push(note);
    }
    meta.steps.push({ step, epoch: 0, batch: step, size: 0, loss: lastLoss ?? NaN, metrics: {} });
    meta.recordedSteps.push(step);
    if (ops && step === ops.step) ops.finish();
    lastLoss = undefined;
    updated.clear();
    if (cfg.replay !== 'none' && !replayNow && canExit) {
      const note = "replay: a migrated hand-written step left some variable un-updated, so it was found over only at the next gradient computation, too late to take the reference's values; the next step went on from the migrated program's own";
      if (!meta.notes.includes(note)) meta.notes.push(note);
    }
    if (cfg.replay !== 'none' && replayNow) {
      for (const p of pairs.values()) {
        const t = ref.get(traceKey(step, 'parameter', LOOP_LAYER, refVars[p.refIndex].name));
        if (t) writeValues(p.tensor, t.data as Float32Array);
      }
    }
    step++;
    if (ops && step === ops.step) ops.resume();
    if (step % 50 === 0) trace.flush();
    if (canExit && refLoop.stoppedAt !== undefined && step >= refLoop.stoppedAt) process.exit(0);
  };

  const copy = Tensor.prototype.copy_;
  Tensor.prototype.copy_ = function (this: Tensor, src: Tensor) {
    const out = copy.call(this, src);
    if (!gradientsSeen) return out;
    let pair = pairs.get(this);
    if (!pair && !unpairedSeen.has(this) && step === 0) {
      // An updated tensor that is no requiresGrad_ leaf: an update's state, paired in first-update order.
      const idx = created.includes(this) ? undefined : state[statePaired];
      if (idx !== undefined && sameShape(this.shape, refVars[idx].shape)) {
        statePaired++;
        pair = { refIndex: idx, tensor: this, candidate: `state #${statePaired - 1}`, inOptimizer: true };
        pairs.set(this, pair);
        publish();
      } else {
        unpairedSeen.add(this);
      }
    }
    if (!pair) return out;
    trace.put(traceKey(step, 'parameter', LOOP_LAYER, refVars[pair.refIndex].name), this.shape, asFloat32(this.dataSync()));
    updated.add(this);
    everUpdated.add(this);
    if (updated.size >= refVars.length) finishStep(true, true);
    return out;
  };

  return {
    autogradGrad: ((outputs, inputs, opts) => {
      // A new gradient computation while a step is open: that step (which left some variable alone) is over.
      if (updated.size) finishStep(true, false);
      const first = Array.isArray(outputs) ? outputs[0] : outputs;
      lastLoss = first && first.numel() === 1 && first.device.type === 'cpu' ? first.dataSync()[0] : undefined;
      gradientsSeen = true;
      return ops ? ops.backward(() => torch.autograd.grad(outputs, inputs, opts)) : torch.autograd.grad(outputs, inputs, opts);
    }) as typeof torch.autograd.grad,
    finish() {
      if (updated.size) finishStep(false, false);
      // A reference variable never updated on the candidate: the report names it.
      for (const [i, v] of refVars.entries()) {
        const pair = [...pairs.values()].find((p) => p.refIndex === i);
        if (pair && !everUpdated.has(pair.tensor)) {
          const line = `variable ${variableLabel(v, i)} pairs with the migrated program's ${pair.candidate}, which its hand-written step never updates (no copy_ into it after autograd.grad), so it never trains`;
          if (!problems.includes(line)) problems.push(line);
        } else if (!pair) {
          const line = `variable ${variableLabel(v, i)} is updated by the original's hand-written step, but no tensor of the migrated program pairs with it (is it updated with copy_ after autograd.grad?)`;
          if (!problems.includes(line)) problems.push(line);
        }
      }
      publish();
    },
  };
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * writeValues, under `--trace ops`: the load's own ops are not the program's, and the events that made `t` are
 * marked as replaced by the reference's values (not compared).
 */
function loadValues(ops: RuntimeOpRecorder | null, t: Tensor, data: Float32Array): void {
  if (!ops?.recording) return writeValues(t, data);
  ops.pause();
  try {
    writeValues(t, data);
  } finally {
    ops.replaced(t);
    ops.resume();
  }
}

/**
 * Writes the reference's values into a candidate tensor in place (a leaf that requires grad: not through autograd).
 * A contiguous float32 CPU tensor's storage is written directly, its version bumped as in-place ops do.
 */
function writeValues(t: Tensor, data: Float32Array): void {
  if (t.numel() !== data.length) throw new RangeError(`difftest candidate: cannot load ${data.length} reference values into a tensor of shape [${t.shape.join(', ')}]`);
  if (t.device.type === 'cpu' && t.dtype === 'float32' && t.isContiguous()) {
    t.storage.data.set(data, t.offset);
    t.storage.version++;
    return;
  }
  const src = torch.tensor(data, { shape: [...t.shape] }).to(t.device);
  torch.noGrad(() => t.copy_(src));
  src.dispose();
}

/**
 * The reference's recorded shuffle orders (ReferenceMeta.loop.shuffles): the k-th shuffled pass of any DataLoader
 * here uses the reference's k-th order, when its length is the dataset's; the program's own generator is not drawn
 * from for it. Loaders that do not shuffle are left alone.
 */
function followShuffles(ref: TraceReader<ReferenceMeta>, meta: CandidateMeta): void {
  const count = ref.meta.loop?.shuffles ?? 0;
  if (!count) return;
  type Loader = { shuffle: boolean; dataset: { length: number } };
  const proto = data.DataLoader.prototype as unknown as { order(this: Loader): Int32Array };
  const own = proto.order;
  let k = 0;
  proto.order = function (this: Loader) {
    if (!this.shuffle || k >= count) return own.call(this);
    const perm = ref.require(traceKey('-', 'perm', LOOP_LAYER, `shuffle${k++}`)).data as Int32Array;
    if (perm.length !== this.dataset.length) {
      meta.notes.push(`data order: the reference's shuffle #${k - 1} has ${perm.length} elements, this DataLoader's dataset ${this.dataset.length}: it shuffles on its own`);
      return own.call(this);
    }
    return Int32Array.from(perm);
  };
  meta.notes.push(`data order: the migrated program's shuffled DataLoader passes follow the ${count} shuffle order(s) the reference recorded`);
}
