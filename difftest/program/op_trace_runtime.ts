/**
 * The candidate's op recorder for `--trace ops` (op_trace_log.ts): an OpTracer on the runtime's existing trace hook
 * (runtime/ops/trace.ts, which ONNX export uses too), installed only for the traced step, so outside it every op
 * still pays one null check. Each report becomes an event: the op's name (with its `op` attribute: `Binary:mul`),
 * its output's shape, values or summary, the events that produced its inputs, and the migrated program's line.
 *
 * A composite op's pieces report before the op itself (runtime/ops/trace.ts): all are recorded; the pairing
 * (op_alignment.ts) picks what the other side has. Values are read while the tracer is set aside, so the reads'
 * own ops (a view made contiguous) are not recorded.
 */
import { setTracer, type OpTracer, type TraceAttrs } from '../../runtime/ops/trace.js';
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
      const ids = inputs.map((x) => (x === null ? -1 : this.producer.get(x) ?? this.input(x)));
      const kind = typeof attrs.op === 'string' ? `${name}:${attrs.op}` : name;
      const index = this.record(out, kind, ids, inputs.map((x) => (x ? [...x.shape] : [])));
      this.producer.set(out, index);
    } finally {
      setTracer(this);
    }
  }

  backend(be: Backend): Backend {
    return be;
  }

  /** A tensor no traced op made (data, a variable, a constant): an `Input` event where it is first read. */
  private input(x: Tensor): number {
    const index = this.record(x, 'Input', [], []);
    this.producer.set(x, index);
    return index;
  }

  private record(t: Tensor, kind: string, inputs: number[], inputShapes: number[][]): number {
    const cpu = t.device.type === 'cpu';
    const index = appendEvent(this.log, this.trace, { kind, shape: t.shape, dtype: t.dtype, inputs, inputShapes, phase: this.phase },
      (cpu ? t.dataSync() : []) as ArrayLike<number>, cpu, t.dtype === 'int32' || t.dtype === 'bool', this.files);
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
