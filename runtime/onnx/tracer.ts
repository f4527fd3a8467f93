/**
 * Records one forward pass for export: every op reported through runtime/ops/trace.ts, with the shapes and dtypes
 * of what it read and wrote (a forward scope disposes intermediates before the graph is emitted), the module path
 * it ran under, and the values of the constants it read (scalars, fills), captured while they are still alive.
 *
 * A tensor an op reads that is neither a graph input, a parameter, nor the output of a recorded op is a constant,
 * unless a backend kernel computed it: then an op without a trace report made it (or it shares storage with an
 * input), and baking its values into the graph would be silently wrong, so the export fails naming the kernel.
 */
import type { Tensor } from '../tensor.js';
import type { Backend } from '../backends/backend.js';
import type { DType } from '../dtype.js';
import type { Storage } from '../storage.js';
import type { OpTracer, TraceAttrs } from '../ops/trace.js';

export interface ValueMeta {
  shape: number[];
  dtype: DType;
}

export interface TracedOp {
  name: string;
  inputs: (Tensor | null)[];
  attrs: TraceAttrs;
  out: Tensor;
  /** Module path the op ran under ('' at the top level), for error messages. */
  modulePath: string;
  index: number;
}

/** What a tensor no op produced turned out to be when an op read it. */
export type Unknown = { kind: 'constant'; data: ArrayLike<number>; meta: ValueMeta } | { kind: 'computed'; kernel: string; meta: ValueMeta };

/** Backend methods that create fresh values from host data or a fill: their outputs are genuine constants. */
const CREATION_KERNELS = new Set(['fromData', 'full', 'random']);

export class Tracer implements OpTracer {
  readonly ops: TracedOp[] = [];
  /** Last op that reported each output (a high-level op overrides the pieces of its composite). */
  readonly producer = new Map<Tensor, TracedOp>();
  readonly meta = new Map<Tensor, ValueMeta>();
  readonly unknowns = new Map<Tensor, Unknown>();
  readonly modulePath: string[] = [];
  private readonly computed = new WeakMap<Storage, string>();
  private readonly wrapped = new WeakMap<Backend, Backend>();
  /** Storages a `full` kernel made during the trace: ops fill their fresh outputs by copying into them. */
  private readonly fresh = new WeakSet<Storage>();

  /**
   * @param known tensors with a graph identity (inputs, parameters, buffers): never treated as constants
   * @param inputStorages storages of the graph inputs: a view of an input no op reported is an error, not a constant
   */
  constructor(private readonly known: ReadonlySet<Tensor>, inputStorages: Iterable<Storage>) {
    for (const s of inputStorages) this.computed.set(s, 'a view of a graph input');
  }

  op(out: Tensor, name: string, inputs: readonly (Tensor | null)[], attrs: TraceAttrs): void {
    // An op that returned its input unchanged adds nothing (dropout in eval, a no-op cast, a high-level op whose
    // composite was the identity).
    if (inputs.includes(out)) return;
    for (const t of inputs) if (t) this.see(t);
    this.meta.set(out, { shape: out.shape.slice(), dtype: out.dtype });
    const rec: TracedOp = { name, inputs: inputs.slice(), attrs, out, modulePath: this.modulePath[this.modulePath.length - 1] ?? '', index: this.ops.length };
    this.ops.push(rec);
    this.producer.set(out, rec);
  }

  private see(t: Tensor): void {
    if (!this.meta.has(t)) this.meta.set(t, { shape: t.shape.slice(), dtype: t.dtype });
    if (this.known.has(t) || this.producer.has(t) || this.unknowns.has(t)) return;
    const meta = this.meta.get(t)!;
    const kernel = this.computed.get(t.storage);
    if (kernel !== undefined) { this.unknowns.set(t, { kind: 'computed', kernel, meta }); return; }
    if (t.storage.device !== 'cpu') {
      throw new Error(`onnx.export: a constant of shape [${t.shape.join(', ')}] is on '${t.storage.device}'; export a module on the cpu (module.to('cpu'))`);
    }
    this.unknowns.set(t, { kind: 'constant', data: t.dataSync(), meta });
  }

  backend(be: Backend): Backend {
    let w = this.wrapped.get(be);
    if (w) return w;
    const computed = this.computed;
    const fresh = this.fresh;
    w = new Proxy(be, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function' || typeof prop !== 'string') return v;
        if (prop === 'full') {
          return (...args: unknown[]) => {
            const r = (v as (...a: unknown[]) => Tensor).apply(target, args);
            fresh.add(r.storage);
            return r;
          };
        }
        if (CREATION_KERNELS.has(prop)) return v;
        return (...args: unknown[]) => {
          // Copy into a buffer the op itself just made (cat, clone) is how ops build outputs; a copy into any other
          // tensor is an in-place write, which a graph of values cannot express.
          if (prop === 'copy' && !fresh.has((args[1] as Tensor).storage)) {
            throw new Error(`onnx.export: an in-place write (copy into a tensor of shape [${(args[1] as Tensor).shape.join(', ')}]) happened during the trace; in-place ops (add_, fill_, copy_...) cannot be exported, use their out-of-place forms in forward`);
          }
          const r = (v as (...a: unknown[]) => unknown).apply(target, args);
          markComputed(r, prop, computed);
          // copy(src, dst) writes into dst: its values are computed too.
          if (prop === 'copy') markComputed(args[1], prop, computed);
          return r;
        };
      },
    });
    this.wrapped.set(be, w);
    return w;
  }
}

function markComputed(r: unknown, kernel: string, computed: WeakMap<Storage, string>): void {
  if (r === null || typeof r !== 'object') return;
  const maybe = r as { storage?: Storage; values?: unknown; indices?: unknown; loss?: unknown; softmax?: unknown };
  if (maybe.storage && typeof maybe.storage === 'object' && !computed.has(maybe.storage)) {
    computed.set(maybe.storage, `the backend kernel '${kernel}'`);
    return;
  }
  for (const k of ['values', 'indices', 'loss', 'softmax'] as const) if (maybe[k]) markComputed(maybe[k], kernel, computed);
}
