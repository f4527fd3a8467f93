/**
 * Tracing: run the step once eagerly while every backend kernel call is recorded with the data flow between
 * buffers (storages), plus the few effects that are not kernels: a leaf's `.grad` being set by backward, and
 * optimizer calls (run live, see hooks.ts). The result is a `Trace`, a straight-line program over buffer refs
 * that plan.ts turns into a replay. Anything the trace cannot represent faithfully sets `reason`, and the
 * step for that signature stays eager (compile.ts).
 */
import { Tensor } from '../tensor.js';
import { Storage, nextStorageSerial } from '../storage.js';
import { registerBackend, registeredBackends, type Backend } from '../backends/backend.js';
import { traceHooks, type TraceHooks } from './hooks.js';
import { fmtShape } from '../shape.js';
import { isGradEnabled } from '../autograd/grad_mode.js';

/** How a recorded kernel argument is laid over a buffer. */
export interface View { shape: number[]; strides: number[]; offset: number }

/** Where a tensor argument's buffer comes from. */
export type Ref =
  /** An input of the step (flattened argument `slot`). */
  | { kind: 'input'; slot: number; view: View }
  /** A kernel output of this trace; `view` null: the output tensor itself. */
  | { kind: 'value'; id: number; view: View | null }
  /** A buffer that existed before the step (parameters, optimizer state, module buffers), or a host constant. */
  | { kind: 'external'; storage: Storage; view: View };

export type ArgSpec = { tensor: Ref } | { host: unknown };

export type TraceNode =
  | { kind: 'kernel'; device: string; method: string; args: ArgSpec[]; outs: { key: string | null; id: number }[] }
  | { kind: 'setGrad'; leaf: Tensor; ref: Ref }
  | { kind: 'live'; target: object; method: string; args: unknown[] };

/** A host-side function of an input's values whose result the trace depends on (hooks.ts hostValues). */
export interface ValueGuard { slot: number; view: View; what: string; fn: (values: ArrayLike<number>) => unknown; result: unknown }

export type OutSpec =
  /** `spent`: the traced tensor's graph had been run by backward (its node freed); replays mark theirs alike. */
  | { tensor: Ref; spent: string | null }
  | { array: OutSpec[] }
  | { object: [string, OutSpec][] }
  | { constant: unknown };

export interface Trace {
  nodes: TraceNode[];
  valueCount: number;
  /** Shape and dtype of each kernel output (value id → ...), for the fusion passes. */
  valueInfo: { shape: number[]; dtype: string }[];
  output: OutSpec;
  valueGuards: ValueGuard[];
  /** Modules whose forward ran, with their training flag then. */
  modules: Map<object, boolean>;
  /** Leaves whose .grad backward set, with their storage at trace time. */
  leaves: Map<Tensor, Storage>;
  /** Storages of the optimizers' parameters, checked on each call (Module.to() swaps them). */
  optimizerParams: Map<Tensor, Storage>;
  /** Buffers from before the step that kernels read or wrote; each call checks they are still alive. */
  externals: Set<Storage>;
  /** Host constants made inside the step, snapshotted; the plan owns one reference to each. */
  constants: Storage[];
  /** Why this step cannot be replayed (the first reason met), or null. */
  reason: string | null;
}

const viewOf = (t: Tensor): View => ({ shape: t.shape.slice(), strides: t.strides.slice(), offset: t.offset });
export const sameView = (t: Tensor, v: View): boolean =>
  t.offset === v.offset && t.shape.length === v.shape.length && t.shape.every((d, i) => d === v.shape[i]) && t.strides.every((s, i) => s === v.strides[i]);

/** Host arguments are copied so later mutation by the caller cannot change the recorded call. */
function hostArg(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(hostArg);
  if (ArrayBuffer.isView(x)) return (x as unknown as { slice(): unknown }).slice();
  if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) return { ...(x as object) };
  return x; // numbers, strings, booleans, null, and objects used by identity (the shared random Generator)
}

class Tracer implements TraceHooks {
  readonly trace: Trace;
  private readonly startSerial = nextStorageSerial();
  private readonly inputs = new Map<Storage, number>();
  private readonly values = new Map<Storage, { id: number; tensor: Tensor }>();
  private readonly snapshots = new Map<Storage, Storage>();
  /** Kernel nesting (a backend method calling another) and live optimizer calls: neither is recorded. */
  depth = 0;
  private liveDepth = 0;
  private muted = 0;

  constructor(inputs: Tensor[]) {
    inputs.forEach((t, i) => { if (!this.inputs.has(t.storage)) this.inputs.set(t.storage, i); });
    this.trace = {
      nodes: [], valueCount: 0, valueInfo: [], output: { constant: undefined }, valueGuards: [], modules: new Map(), leaves: new Map(),
      optimizerParams: new Map(), externals: new Set(), constants: [], reason: null,
    };
  }

  get recording(): boolean {
    return this.depth === 0 && this.liveDepth === 0;
  }

  fail(reason: string): void {
    if (!this.trace.reason) this.trace.reason = reason;
  }

  refOf(t: Tensor, what: string): Ref | null {
    const s = t.storage;
    const slot = this.inputs.get(s);
    if (slot !== undefined) return { kind: 'input', slot, view: viewOf(t) };
    const v = this.values.get(s);
    if (v) return { kind: 'value', id: v.id, view: v.tensor === t || sameView(t, viewOf(v.tensor)) ? null : viewOf(t) };
    if (s.serial < this.startSerial) {
      this.trace.externals.add(s);
      return { kind: 'external', storage: s, view: viewOf(t) };
    }
    const snap = this.snapshots.get(s);
    if (snap) return { kind: 'external', storage: snap, view: viewOf(t) };
    if (s.device === 'cpu') {
      // Made on the host inside the step without a kernel (a constant such as torch.tensor([...])): its values
      // are snapshotted now. Host data read from a traced tensor never gets here: the read itself falls back.
      const copy = new Storage(s.data.slice(), s.dtype, 'cpu');
      copy.refs++; // owned by the plan for as long as it is cached
      this.trace.constants.push(copy);
      this.snapshots.set(s, copy);
      return { kind: 'external', storage: copy, view: viewOf(t) };
    }
    this.fail(`${what}: a ${s.device} tensor of shape ${fmtShape(t.shape)} came from outside any recorded kernel`);
    return null;
  }

  kernel(device: string, method: string, args: unknown[], run: () => unknown): unknown {
    if (!this.recording) return run();
    if (method === 'read') {
      this.fail(`an asynchronous read (data()/itemAsync()) of a value computed inside the step (data-dependent control flow cannot be traced; read results after the compiled call returns)`);
    }
    if (method === 'adamStep') {
      this.fail('an optimizer update ran outside a plain optimizer.step() (step(closure) or a direct update call): its step count and bias corrections change on every call');
    }
    const specs: ArgSpec[] = args.map((a, i) => {
      if (a instanceof Tensor) {
        const ref = this.refOf(a, `${method} argument ${i}`);
        return ref ? { tensor: ref } : { host: null };
      }
      return { host: hostArg(a) };
    });
    this.depth++;
    let out: unknown;
    try {
      out = run();
    } finally {
      this.depth--;
    }
    const outs: { key: string | null; id: number }[] = [];
    const addOut = (t: unknown, key: string | null) => {
      if (!(t instanceof Tensor)) return;
      if (this.inputs.has(t.storage) || this.values.has(t.storage) || t.storage.serial < this.startSerial) {
        this.fail(`kernel ${method} returned a tensor sharing a buffer with one of its inputs; replays need fresh outputs`);
        return;
      }
      const id = this.trace.valueCount++;
      this.trace.valueInfo[id] = { shape: t.shape.slice(), dtype: t.dtype };
      this.values.set(t.storage, { id, tensor: t });
      outs.push({ key, id });
    };
    if (out instanceof Tensor) addOut(out, null);
    else if (out && typeof out === 'object' && !(out instanceof Promise)) for (const [k, v] of Object.entries(out)) addOut(v, k);
    this.trace.nodes.push({ kind: 'kernel', device, method, args: specs, outs });
    return out;
  }

  onHostRead(t: Tensor, what: string): void {
    if (!this.recording || this.muted) return;
    const s = t.storage;
    if (this.inputs.has(s)) {
      this.fail(`${what} read the values of input ${this.inputs.get(s)} inside the step (a host read cannot be replayed; move it out of the compiled function, e.g. call .to(device) before it)`);
    } else if (this.values.has(s) || s.serial >= this.startSerial) {
      this.fail(`${what} read a value computed inside the step (data-dependent control flow cannot be traced; read results after the compiled call returns)`);
    } else {
      this.fail(`${what} read a tensor from outside the step (its values may change between calls, so they cannot be baked in)`);
    }
  }

  hostValues<R>(t: Tensor, what: string, fn: (values: ArrayLike<number>) => R): R {
    this.muted++;
    let values: ArrayLike<number>;
    try {
      values = t.dataSync();
    } finally {
      this.muted--;
    }
    const result = fn(values);
    if (!this.recording) return result;
    const slot = this.inputs.get(t.storage);
    if (slot === undefined) this.onHostRead(t, what);
    else this.trace.valueGuards.push({ slot, view: viewOf(t), what, fn, result });
    return result;
  }

  onLeafGrad(leaf: Tensor, grad: Tensor, accumulated: boolean): void {
    if (!this.recording) return;
    if (accumulated) {
      this.fail(`backward accumulated into an existing .grad (shape ${fmtShape(leaf.shape)}); call optimizer.zeroGrad() (setToNone, the default) inside the step before backward`);
      return;
    }
    const ref = this.refOf(grad, 'a leaf gradient');
    if (!ref) return;
    this.trace.leaves.set(leaf, leaf.storage);
    this.trace.nodes.push({ kind: 'setGrad', leaf, ref });
  }

  onModule(module: object): void {
    if (!this.trace.modules.has(module)) this.trace.modules.set(module, (module as { training?: boolean }).training ?? true);
  }

  live<R>(target: object, method: string, args: unknown[], run: () => R): R {
    if (!this.recording) return run();
    const params = (target as { paramGroups?: { params: Tensor[] }[] }).paramGroups;
    if (params) for (const g of params) for (const p of g.params) this.trace.optimizerParams.set(p, p.storage);
    this.trace.nodes.push({ kind: 'live', target, method, args: args.map(hostArg) });
    this.liveDepth++;
    try {
      return run();
    } finally {
      this.liveDepth--;
    }
  }

  outputOf(x: unknown, depth = 0): OutSpec {
    if (x instanceof Tensor) {
      if (x.requiresGrad && x.gradFn && x.gradFn.backward) {
        this.fail(`the step returns a tensor (shape ${fmtShape(x.shape)}) whose autograd graph is still live: a replay records no graph, so backward() outside the compiled function would fail; compile the whole step (forward, backward, optimizer.step()) or call it under torch.noGrad()`);
      }
      const ref = this.refOf(x, 'the returned value');
      const spent = x.requiresGrad && x.gradFn && !x.gradFn.backward ? x.gradFn.name : null;
      return ref ? { tensor: ref, spent } : { constant: undefined };
    }
    if (depth < 8 && Array.isArray(x)) return { array: x.map((v) => this.outputOf(v, depth + 1)) };
    if (depth < 8 && x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
      return { object: Object.entries(x).map(([k, v]) => [k, this.outputOf(v, depth + 1)]) };
    }
    if (x instanceof Promise) this.fail('the step is asynchronous (it returned a Promise); compile a synchronous step and await reads after it');
    return { constant: x };
  }
}

/** Backends wrapped so each top-level kernel call is recorded; restored by the returned function. */
function wrapBackends(tr: Tracer): () => void {
  const originals = registeredBackends();
  for (const be of originals) {
    const wrapped: Record<string, unknown> = {};
    for (const key of Object.keys(be) as (keyof Backend)[]) {
      const v = be[key];
      wrapped[key] = typeof v === 'function'
        ? (...args: unknown[]) => tr.kernel(be.device, key, args, () => (v as (...a: unknown[]) => unknown).apply(be, args))
        : v;
    }
    registerBackend(wrapped as unknown as Backend);
  }
  return () => { for (const be of originals) registerBackend(be); };
}

/** Runs `fn(...args)` eagerly once, recording it. Returns the eager result and the trace. */
export function traceStep<R>(fn: () => R, inputs: Tensor[]): { result: R; trace: Trace; gradEnabled: boolean } {
  if (traceHooks.tracer) throw new Error('torch.compile: a compiled function was called while another one is being traced; nested compiled calls are not supported, call the inner function uncompiled');
  const tr = new Tracer(inputs);
  const gradEnabled = isGradEnabled();
  const restore = wrapBackends(tr);
  traceHooks.tracer = tr;
  let result: R;
  try {
    result = fn();
  } finally {
    traceHooks.tracer = null;
    restore();
  }
  tr.trace.output = tr.outputOf(result);
  return { result, trace: tr.trace, gradEnabled };
}
