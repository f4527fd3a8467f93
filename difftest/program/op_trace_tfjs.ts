/**
 * The reference's op recorder for `--trace ops` (op_trace_log.ts): wraps the engine's kernel dispatch
 * (`engine.runKernel`, through which every tfjs op, its gradient and `customGrad`'s pieces run in tfjs-core 4.x), so
 * each kernel the traced step runs becomes an event: its name, its output's shape and values (or summary), the events
 * that produced its inputs (by data id: a Reshape shares its input's), and the original program's line.
 *
 * Only outermost dispatches count: a kernel that dispatches another is one event. The wrapper is installed only
 * under `--trace ops`, and records only while the traced step runs.
 *
 * The backward pass is attributed to the forward: the tape node a recorded kernel adds has its gradient function
 * (and the per-input thunks it returns, which backpropagation calls afterwards) wrapped, so the kernels they run are
 * events with `gradOf`, the forward event whose gradient they compute. Forward events say whether they descend from
 * a variable being differentiated (`differentiable`; an Input that is one: `gradLeaf`), as the runtime's say whether
 * they require grad (op_gradient_flow.ts compares the two).
 */
import * as tf from '@tensorflow/tfjs';
import { appendEvent, EVENT_CAP, programFiles, type OpEvent, type OpTraceLog } from './op_trace_log.js';
import type { TraceWriter } from './trace.js';

type Info = { dataId: object; shape: number[]; dtype: string };
type GradientThunks = Record<string, () => unknown>;
interface TapeNode {
  outputs: Info[];
  gradient?: (dys: unknown[]) => GradientThunks;
}
interface EngineDispatch {
  runKernel(kernelName: string, inputs: Record<string, Info>, attrs?: Record<string, unknown>): Info | Info[];
  readSync(dataId: object): ArrayLike<number>;
  gradients(f: () => unknown, xs: Info[], dy?: unknown, allowNoGradients?: boolean): unknown;
  state: { activeTape: TapeNode[] | null };
}

export class TfjsOpRecorder {
  readonly log: OpTraceLog;
  private readonly producer = new WeakMap<object, number>();
  private readonly files = programFiles();
  private on = false;
  private done = false;
  private depth = 0;
  private phase: OpEvent['phase'] = 'forward';
  /** The forward event whose gradient function is running (backward pass), if any. */
  private gradOf: number | undefined;
  /** The data of the variables the innermost engine.gradients differentiates (null outside one). */
  private differentiated: Set<object> | null = null;
  private readonly attributed = new WeakSet<TapeNode>();

  constructor(private readonly trace: TraceWriter, readonly step: number) {
    this.log = { step, events: [], truncated: false, missing: `the original program did not reach step ${step}` };
    const engine = tf.engine() as unknown as EngineDispatch;
    const runKernel = engine.runKernel;
    const self = this;
    engine.runKernel = function (this: EngineDispatch, kernelName, inputs, attrs) {
      if (!self.on || self.depth > 0) return runKernel.call(this, kernelName, inputs, attrs);
      self.depth++;
      const tape = engine.state.activeTape;
      const taped = tape?.length ?? 0;
      let out: Info | Info[];
      try {
        out = runKernel.call(this, kernelName, inputs, attrs);
      } finally {
        self.depth--;
      }
      self.depth++;
      try {
        self.kernel(engine, kernelName, inputs, out);
        if (tape && self.phase === 'forward') for (const node of tape.slice(taped)) self.attribute(node);
      } finally {
        self.depth--;
      }
      return out;
    };
    this.markBackward(engine);
  }

  /** What engine.gradients runs after the function it differentiates returned is the backward pass. */
  private markBackward(engine: EngineDispatch): void {
    const gradients = engine.gradients;
    const self = this;
    engine.gradients = function (this: EngineDispatch, f, xs, dy, allowNoGradients) {
      const outer = self.phase;
      const outerDifferentiated = self.differentiated;
      self.differentiated = new Set(xs.map((x) => x.dataId));
      const forward = () => {
        const y = f();
        // Tape nodes added outside a kernel dispatch (customGrad's, around a _FusedMatMul): attributed to the event
        // of their output, before engine.gradients copies the tape.
        if (self.on) for (const node of engine.state.activeTape ?? []) self.attribute(node);
        self.phase = 'backward';
        return y;
      };
      try {
        return gradients.call(this, forward, xs, dy, allowNoGradients);
      } finally {
        self.phase = outer;
        self.differentiated = outerDifferentiated;
      }
    };
  }

  /** The kernels a tape node's gradient runs (its function, then each input's thunk) are its output's event's backward. */
  private attribute(node: TapeNode): void {
    if (this.attributed.has(node)) return;
    const index = node.outputs.length ? this.producer.get(node.outputs[0].dataId) : undefined;
    const gradient = node.gradient;
    if (index === undefined || !gradient) return;
    this.attributed.add(node);
    const self = this;
    const within = <T>(fn: () => T): T => {
      const outer = self.gradOf;
      self.gradOf = index;
      try {
        return fn();
      } finally {
        self.gradOf = outer;
      }
    };
    node.gradient = (dys) => {
      const thunks = within(() => gradient(dys));
      const out: GradientThunks = {};
      for (const [name, thunk] of Object.entries(thunks)) out[name] = () => within(thunk);
      return out;
    };
  }

  resume(): void {
    if (!this.done) this.on = true;
  }

  pause(): void {
    this.on = false;
  }

  finish(): void {
    this.on = false;
    if (!this.done) delete this.log.missing;
    this.done = true;
  }

  private kernel(engine: EngineDispatch, kernelName: string, inputs: Record<string, Info>, out: Info | Info[]): void {
    const outs = Array.isArray(out) ? out : [out];
    const given = Object.values(inputs ?? {});
    const ids = given.map((x) => (x == null ? -1 : this.producer.get(x.dataId) ?? this.record(engine, x, 'Input', [], [])));
    const fromDifferentiated = ids.some((i) => i >= 0 && this.log.events[i]?.differentiable === true);
    // A kernel with several outputs (Unpack, Split, TopK): one event each, `Kernel#k`.
    outs.forEach((o, k) => {
      const index = this.record(engine, o, outs.length > 1 ? `${kernelName}#${k}` : kernelName, ids, given.map((x) => (x ? [...x.shape] : [])), fromDifferentiated && o.dtype === 'float32');
      if (index >= 0) this.producer.set(o.dataId, index);
    });
  }

  private record(engine: EngineDispatch, t: Info, kind: string, inputs: number[], inputShapes: number[][], differentiable = false): number {
    if (this.log.events.length >= EVENT_CAP) {
      this.log.truncated = true;
      return -1;
    }
    if (t.dtype === 'string' || t.dtype === 'complex64') return -1;
    // Inside engine.gradients, the variables it differentiates; outside (a custom loop's step 0 before its first
    // gradient computation), any trainable variable.
    const leaf = kind === 'Input' && (this.differentiated ? this.differentiated.has(t.dataId) : t instanceof tf.Variable && t.trainable);
    const grads = this.phase === 'forward'
      ? { differentiable: leaf || differentiable, ...(kind === 'Input' ? { gradLeaf: leaf } : {}) }
      : this.gradOf !== undefined ? { gradOf: this.gradOf } : {};
    const index = appendEvent(this.log, this.trace, { kind, shape: t.shape, dtype: t.dtype, inputs, inputShapes, phase: this.phase, ...grads },
      engine.readSync(t.dataId), true, t.dtype !== 'float32', this.files);
    if (kind === 'Input') this.producer.set(t.dataId, index);
    return index;
  }
}

/**
 * `--trace ops` on the reference: a recorder for step `step`. A custom loop's step 0 has no start to hook (it is
 * whatever runs before the first update), so that recorder starts at once; fit's probe knows where each step
 * begins and passes `startNow: false` (fit_op_trace.ts).
 */
export function startTfjsOpTrace(trace: TraceWriter, meta: { opTrace?: OpTraceLog }, step: number, startNow = step === 0): TfjsOpRecorder {
  const rec = new TfjsOpRecorder(trace, step);
  meta.opTrace = rec.log;
  if (startNow) rec.resume();
  return rec;
}
