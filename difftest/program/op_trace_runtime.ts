/**
 * The candidate's op recorder for `--trace ops` (op_trace_log.ts): an OpTracer on the runtime's existing trace hook
 * (runtime/ops/trace.ts, which ONNX export uses too), installed only for the traced step, so outside it every op
 * still pays one null check. Each report becomes an event: the op's name (with its `op` attribute: `Binary:mul`),
 * its output's shape, values or summary, the events that produced its inputs, and the migrated program's line.
 *
 * A composite op's pieces report before the op itself (runtime/ops/trace.ts): all are recorded; the pairing
 * (op_alignment.ts) picks what the other side has. Values are read while the tracer is set aside, so the reads'
 * own ops (a view made contiguous) are not recorded.
 *
 * The backward pass is attributed to the forward: each recorded output's GradNode has its rule wrapped, so the ops
 * that rule runs are events with `gradOf` — the forward event whose gradient they compute — and that event's line.
 * Each forward event also says whether its output requires grad (`differentiable`), an Input whether it is a leaf
 * being trained (`gradLeaf`): where a gradient stops that the original's does not (op_gradient_flow.ts).
 */
import { setTracer, type OpTracer, type TraceAttrs } from '../../runtime/ops/trace.js';
import type { GradNode } from '../../runtime/autograd/node.js';
import type { Backend } from '../../runtime/backends/backend.js';
import { Tensor } from '../../runtime/index.js';
import { appendEvent, EVENT_CAP, programFiles, type OpEvent, type OpTraceLog } from './op_trace_log.js';
import type { TraceWriter } from './trace.js';

export class RuntimeOpRecorder implements OpTracer {
  readonly log: OpTraceLog;
  private readonly producer = new WeakMap<Tensor, number>();
  private readonly byStorage = new WeakMap<object, number[]>();
  private readonly files = programFiles();
  private previous: OpTracer | null = null;
  private on = false;
  private done = false;
  private phase: OpEvent['phase'] = 'forward';
  /** The forward event whose gradient rule is running (backward pass), if any. */
  private gradOf: number | undefined;
  /** Each wrapped GradNode's forward event: the last event that reported its output (a composite over its piece). */
  private readonly nodeEvent = new WeakMap<GradNode, number>();
  /**
   * Forward events whose output's autograd state is not known yet: an op reports before it attaches its GradNode
   * (runtime/ops/elementwise.ts), so requiresGrad and gradFn are read at the next report, or when backward starts.
   */
  private unsettled: { t: Tensor; index: number }[] = [];

  constructor(private readonly trace: TraceWriter, readonly step: number) {
    this.log = { step, events: [], truncated: false, missing: `the migrated program did not reach step ${step}` };
  }

  get recording(): boolean {
    return this.on;
  }

  /** Starts (or resumes) recording, unless the traced step is over. */
  resume(): void {
    if (this.on || this.done) return;
    this.on = true;
    this.previous = setTracer(this);
  }

  /** Runs `fn` (a backward() or autograd.grad) as the backward pass. */
  backward<T>(fn: () => T): T {
    this.settle();
    const outer = this.phase;
    this.phase = 'backward';
    try {
      return fn();
    } finally {
      this.phase = outer;
    }
  }

  /** Stops recording for now (the optimizer's own update, which the loop diff compares variable by variable). */
  pause(): void {
    this.settle();
    if (!this.on) return;
    this.on = false;
    setTracer(this.previous);
    this.previous = null;
  }

  /** The traced step is over: nothing more is recorded. */
  finish(): void {
    this.pause();
    if (!this.done) delete this.log.missing;
    this.done = true;
  }

  /**
   * `t` now holds the reference's values (the loop probes wrote a variable's initial value): what the program
   * computed for it is not the candidate's to answer for. The events that made it are set aside (kind `Replaced`,
   * which pairs with nothing), and the next read of `t` records it as an `Input` of the values it holds now, where it
   * is first read, as the tfjs side records a variable.
   */
  replaced(t: Tensor): void {
    this.producer.delete(t);
    for (const i of this.byStorage.get(t.storage) ?? []) {
      const e = this.log.events[i];
      if (e.kind === 'Replaced') continue;
      e.replaced = e.kind;
      e.kind = 'Replaced';
    }
  }

  op(out: Tensor, name: string, inputs: readonly (Tensor | null)[], attrs: TraceAttrs): void {
    if (!this.on || inputs.includes(out)) return;
    if (this.log.events.length >= EVENT_CAP) {
      this.log.truncated = true;
      return;
    }
    // Reads below run ops of their own (contiguous copies): they must not report here.
    setTracer(this.previous);
    try {
      this.settle();
      const ids = inputs.map((x) => (x === null ? -1 : this.producer.get(x) ?? this.input(x)));
      const kind = typeof attrs.op === 'string' ? `${name}:${attrs.op}` : name;
      const earlier = this.producer.get(out);
      const index = this.record(out, kind, ids, inputs.map((x) => (x ? [...x.shape] : [])));
      if (earlier !== undefined) this.log.events[earlier].sameAs = index;
      this.producer.set(out, index);
    } finally {
      setTracer(this);
    }
  }

  backend(be: Backend): Backend {
    return be;
  }

  /** The forward events' autograd state, now that their ops have attached their nodes (see `unsettled`). */
  private settle(): void {
    for (const { t, index } of this.unsettled) {
      const e = this.log.events[index];
      e.differentiable = t.requiresGrad;
      // An Input that requires grad without being a leaf is an unreported op's output: where its gradient goes is unknown.
      if (e.kind === 'Input' && (!t.requiresGrad || t.isLeaf)) e.gradLeaf = t.requiresGrad;
      if (t.gradFn) this.attribute(t.gradFn, index);
    }
    this.unsettled = [];
  }

  /** The ops `node`'s gradient rule runs are the backward of event `index` (the last event to claim the node). */
  private attribute(node: GradNode, index: number): void {
    const wrapped = this.nodeEvent.has(node);
    this.nodeEvent.set(node, index);
    if (wrapped || !node.backward) return;
    const rule = node.backward;
    const self = this;
    node.backward = (grad) => {
      const outer = self.gradOf;
      self.gradOf = self.nodeEvent.get(node);
      try {
        return rule(grad);
      } finally {
        self.gradOf = outer;
      }
    };
  }

  /** A tensor no traced op made (data, a variable, a constant): an `Input` event where it is first read. */
  private input(x: Tensor): number {
    const index = this.record(x, 'Input', [], []);
    this.producer.set(x, index);
    return index;
  }

  private record(t: Tensor, kind: string, inputs: number[], inputShapes: number[][]): number {
    const cpu = t.device.type === 'cpu';
    const forward = this.phase === 'forward';
    const index = appendEvent(this.log, this.trace, { kind, shape: t.shape, dtype: t.dtype, inputs, inputShapes, phase: this.phase, ...(!forward && this.gradOf !== undefined ? { gradOf: this.gradOf } : {}) },
      (cpu ? t.dataSync() : []) as ArrayLike<number>, cpu, t.dtype === 'int32' || t.dtype === 'bool', this.files);
    if (forward) this.unsettled.push({ t, index });
    const same = this.byStorage.get(t.storage);
    if (same) same.push(index);
    else this.byStorage.set(t.storage, [index]);
    return index;
  }
}

/**
 * `--trace ops` on the candidate: a recorder for step `step`, started at once when that is step 0 of a custom loop
 * (`startNow`; fit's probe starts it where the step begins: fit_op_trace.ts). The diff runs a traced candidate on
 * the CPU only (run.ts).
 */
export function startRuntimeOpTrace(trace: TraceWriter, meta: { opTrace?: OpTraceLog }, step: number, startNow = step === 0): RuntimeOpRecorder {
  const rec = new RuntimeOpRecorder(trace, step);
  meta.opTrace = rec.log;
  // backward() is the backward pass (the loop probes' autogradGrad marks autograd.grad's).
  const backward = Tensor.prototype.backward;
  Tensor.prototype.backward = function (this: Tensor, ...args: Parameters<Tensor['backward']>) {
    return rec.backward(() => backward.apply(this, args));
  };
  if (startNow) rec.resume();
  return rec;
}
