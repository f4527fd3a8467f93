/**
 * The candidate side of a custom-loop diff: hooks the runtime's optimizer and tensors so the migrated loop
 * (`optimizer.zeroGrad(); ...backward(); optimizer.step();`) is followed step by step against the reference's
 * recording (loop_probe_tfjs.ts), without rewriting it.
 *
 * - `requiresGrad_()` notes the leaves the program creates (its `tf.variable`s), in order;
 * - an optimizer's `addParamGroup` (which its constructor calls) pairs the reference's variables with the
 *   optimizer's params (loop_pairing.ts) and writes the reference's initial values into them, so random
 *   initialisation does not count — before the loop runs any forward;
 * - `backward()` on a one-element tensor remembers its value: the step's loss;
 * - `step()` ends a step: the loss and every paired tensor after the update are recorded under the reference's
 *   variable names;
 * - under `--replay step|layer`, right after step k is recorded the paired tensors take the reference's values
 *   after step k, so step k+1 starts where the reference's did (the optimizer's own state, e.g. momentum, stays
 *   the candidate's).
 * When --steps stopped the reference early, the candidate stops after as many steps.
 */
import { optim, Tensor, torch } from '../../runtime/index.js';
import type { ChildConfig } from './child_config.js';
import { LOOP_LAYER } from './loop_keys.js';
import { pairVariables, type PairedTensor } from './loop_pairing.js';
import { asFloat32, traceKey, type TraceReader, type TraceWriter } from './trace.js';
import type { CandidateMeta, ReferenceMeta } from './trace_meta.js';

export function installLoopProbes(cfg: ChildConfig, ref: TraceReader<ReferenceMeta>, trace: TraceWriter<CandidateMeta>, meta: CandidateMeta): void {
  const refLoop = ref.meta.loop;
  if (!refLoop) {
    throw new Error('torchbridge diff: the migrated program trains with its own loop (optimizer.step()), but the original trained with model.fit, which the candidate follows only through utils.fit; migrate the original with `torchbridge migrate --fit helper`');
  }
  const refVars = refLoop.variables;
  if (cfg.device !== 'cpu') meta.notes.push(`--device ${cfg.device}: a custom loop runs where the program puts its tensors (the probes move nothing); its values are read on the CPU`);
  const created: Tensor[] = [];
  const optimizers: optim.Optimizer[] = [];
  const loaded = new Set<Tensor>();
  let pairs: PairedTensor<Tensor>[] = [];
  let step = 0;
  let lastLoss: number | undefined;

  const requiresGrad = Tensor.prototype.requiresGrad_;
  Tensor.prototype.requiresGrad_ = function (this: Tensor, on = true) {
    const out = requiresGrad.call(this, on);
    // Before the first step only: a program's variables exist by then, and a loop that marks a fresh input
    // requiresGrad_ every step would otherwise grow this list without end.
    if (on && step === 0 && this.isLeaf && !created.includes(this)) created.push(this);
    return out;
  };

  const pairAndLoad = () => {
    const params = optimizers.flatMap((o) => o.paramGroups.flatMap((g) => g.params));
    const pairing = pairVariables(refVars, params, created);
    pairs = pairing.pairs;
    meta.loop = { pairs: pairs.map(({ refIndex, candidate, inOptimizer }) => ({ refIndex, candidate, inOptimizer })), problems: pairing.problems };
    for (const p of pairs) {
      if (loaded.has(p.tensor)) continue;
      loaded.add(p.tensor);
      writeValues(p.tensor, ref.require(traceKey('-', 'init', LOOP_LAYER, refVars[p.refIndex].name)).data as Float32Array);
    }
  };

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
    const out = stepFn.call(this, closure);
    for (const p of pairs) trace.put(traceKey(step, 'parameter', LOOP_LAYER, refVars[p.refIndex].name), p.tensor.shape, asFloat32(p.tensor.dataSync()));
    if (lastLoss === undefined) {
      const note = 'loss: a migrated step ran optimizer.step() without a backward() of a one-element CPU tensor before it; its loss is shown as NaN';
      if (!meta.notes.includes(note)) meta.notes.push(note);
    }
    meta.steps.push({ step, epoch: 0, batch: step, size: 0, loss: lastLoss ?? NaN, metrics: {} });
    meta.recordedSteps.push(step);
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
    if (step % 50 === 0) trace.flush();
    if (refLoop.stoppedAt !== undefined && step >= refLoop.stoppedAt) process.exit(0);
    return out;
  };
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
