/**
 * The plan: a trace turned into straight-line replay code. Each recorded kernel becomes a closure that resolves
 * its arguments (inputs of this call, parameter buffers, outputs of earlier kernels) and calls the backend
 * kernel directly — no op validation, no autograd tape, no tidy bookkeeping per op. Buffers are planned
 * statically: each intermediate is freed right after its last use (liveness computed once here), so the
 * allocator's pool hands the same buffers back on every step and a step allocates nothing new in steady state.
 * Fusion passes (fuse.ts) rewrite the node list before this runs.
 */
import { Tensor } from '../tensor.js';
import { getBackend, type Backend } from '../backends/backend.js';
import { keep, openScope, closeScope } from '../memory.js';
import type { OutSpec, Ref, Trace, TraceNode } from './trace.js';
import { sameView } from './trace.js';
import { GradNode } from '../autograd/node.js';
import { FUSED_KERNELS } from './fuse.js';

type Vals = (Tensor | undefined)[];
type Step = (vals: Vals, inputs: Tensor[], escaped: Set<Tensor>) => void;

/** A resolver: the tensor for a ref in this call, and whether it is a temporary view to free after use. */
function resolver(ref: Ref): (vals: Vals, inputs: Tensor[]) => [Tensor, boolean] {
  if (ref.kind === 'value') {
    const { id, view } = ref;
    if (!view) return (vals) => [vals[id]!, false];
    return (vals) => [new Tensor(vals[id]!.storage, view.shape.slice(), view.strides.slice(), view.offset), true];
  }
  if (ref.kind === 'input') {
    const { slot, view } = ref;
    return (_v, inputs) => {
      const t = inputs[slot];
      return sameView(t, view) ? [t, false] : [new Tensor(t.storage, view.shape.slice(), view.strides.slice(), view.offset), true];
    };
  }
  const { storage, view } = ref;
  return () => [new Tensor(storage, view.shape.slice(), view.strides.slice(), view.offset), true];
}

export interface Plan {
  /** Runs the step for `inputs` (already guarded). */
  run(inputs: Tensor[]): unknown;
  /** Kernel calls a replay makes (what the README and the bench report as "calls a step"). */
  readonly kernelCalls: number;
  /** Releases the constants the plan owns. */
  dispose(): void;
}

export function buildPlan(trace: Trace): Plan {
  const nodes = trace.nodes;
  // Liveness: index of the last node reading each value; values that escape (returned, set as .grad) live on.
  const lastUse = new Array<number>(trace.valueCount).fill(-1);
  const escapesDirect = new Set<number>();
  const use = (ref: Ref, i: number) => { if (ref.kind === 'value') lastUse[ref.id] = Math.max(lastUse[ref.id], i); };
  nodes.forEach((n, i) => {
    if (n.kind === 'kernel') {
      for (const a of n.args) if ('tensor' in a) use(a.tensor, i);
      for (const o of n.outs) lastUse[o.id] = Math.max(lastUse[o.id], i);
    } else if (n.kind === 'setGrad') {
      use(n.ref, i);
      if (n.ref.kind === 'value' && !n.ref.view) escapesDirect.add(n.ref.id);
    }
  });
  const markOut = (o: OutSpec) => {
    if ('tensor' in o) { if (o.tensor.kind === 'value' && !o.tensor.view) escapesDirect.add(o.tensor.id); }
    else if ('array' in o) o.array.forEach(markOut);
    else if ('object' in o) o.object.forEach(([, v]) => markOut(v));
  };
  markOut(trace.output);
  const freeAfter: number[][] = nodes.map(() => []);
  lastUse.forEach((i, id) => { if (i >= 0 && !escapesDirect.has(id)) freeAfter[i].push(id); });

  let kernelCalls = 0;
  const steps: Step[] = nodes.map((n, i) => {
    const frees = freeAfter[i];
    if (n.kind === 'kernel') kernelCalls++;
    return compileNode(n, frees);
  });
  const output = compileOutput(trace.output);

  return {
    kernelCalls,
    run(inputs) {
      const vals: Vals = new Array(trace.valueCount);
      const escaped = new Set<Tensor>();
      const scope = openScope();
      let result: unknown;
      try {
        for (let i = 0; i < steps.length; i++) steps[i](vals, inputs, escaped);
        result = output(vals, inputs, escaped);
      } catch (e) {
        closeScope(scope, (t) => (escaped.has(t) ? null : 'torch.compile (a replayed step that threw)'));
        throw e;
      }
      closeScope(scope, (t) => (escaped.has(t) ? null : 'torch.compile (an intermediate of a compiled step)'));
      return result;
    },
    dispose() {
      for (const s of trace.constants) if (--s.refs === 0) s.release();
    },
  };
}

function compileNode(n: TraceNode, frees: number[]): Step {
  if (n.kind === 'live') {
    const { target, method, args } = n;
    const fn = (target as Record<string, (...a: unknown[]) => unknown>)[method];
    return () => { fn.apply(target, args); };
  }
  if (n.kind === 'setGrad') {
    const r = resolver(n.ref);
    const leaf = n.leaf;
    return (vals, inputs, escaped) => {
      const [g] = r(vals, inputs);
      escaped.add(g);
      leaf.grad = keep(g);
      freeValuesIn(vals, frees);
    };
  }
  const { device, method, outs } = n;
  const args = n.args;
  const resolvers = args.map((a) => ('tensor' in a ? resolver(a.tensor) : null));
  const hosts = args.map((a) => ('host' in a ? a.host : undefined));
  const nargs = args.length;
  const single = outs.length === 1 && outs[0].key === null ? outs[0].id : -1;
  // An in-place kernel (copy into a view) writing a buffer from outside the step or an input: bump its version as
  // the eager op does, so autograd's saved-tensor check still sees the change.
  const bumps = method === 'copy' && 'tensor' in args[1] && args[1].tensor.kind !== 'value';
  // A host array handed to fromData may become the new tensor's buffer (the CPU wraps it): a fresh copy per call,
  // so no two replays' tensors share the snapshot.
  const freshHost = method === 'fromData' ? 0 : -1;
  const fused = method.startsWith('fused:') ? FUSED_KERNELS[method.slice(6)] : null;
  if (method.startsWith('fused:') && !fused) throw new Error(`torch.compile: internal: no fused kernel ${method}`);
  return (vals, inputs) => {
    // Looked up per call: a backend re-registered after the trace (webgpu.init again) is the one to use.
    const be = fused ? null : getBackend(device as Backend['device']);
    const a = new Array(nargs);
    const temps: Tensor[] = [];
    for (let k = 0; k < nargs; k++) {
      const r = resolvers[k];
      if (r) {
        const [t, temp] = r(vals, inputs);
        a[k] = t;
        if (temp) temps.push(t);
      } else a[k] = k === freshHost ? (hosts[k] as { slice(): unknown }).slice() : hosts[k];
    }
    const out = fused ? fused(...a) : (be as unknown as Record<string, (...x: unknown[]) => unknown>)[method](...a);
    if (bumps) (a[1] as Tensor).storage.version++;
    for (const t of temps) t.dispose();
    if (single >= 0) vals[single] = out as Tensor;
    else for (const o of outs) vals[o.id] = (out as Record<string, Tensor>)[o.key!];
    freeValuesIn(vals, frees);
  };
}

function freeValuesIn(vals: Vals, frees: number[]): void {
  for (let k = 0; k < frees.length; k++) {
    const t = vals[frees[k]];
    if (t) { t.dispose(); vals[frees[k]] = undefined; }
  }
}

function compileOutput(o: OutSpec): (vals: Vals, inputs: Tensor[], escaped: Set<Tensor>) => unknown {
  if ('tensor' in o) {
    const r = resolver(o.tensor);
    const spent = o.spent;
    return (vals, inputs, escaped) => {
      const [t] = r(vals, inputs);
      escaped.add(t);
      if (spent) {
        // As eager leaves it: requiring grad, with a graph node backward has already run (a second backward is
        // the usual clear error, and the DataLoader frees such tensors with the step, see data/dataloader.ts).
        t.requiresGrad = true;
        const node = new GradNode(spent, [], null, []);
        t.gradFn = node;
      }
      return t;
    };
  }
  if ('array' in o) {
    const parts = o.array.map(compileOutput);
    return (v, i, e) => parts.map((p) => p(v, i, e));
  }
  if ('object' in o) {
    const parts = o.object.map(([k, v]) => [k, compileOutput(v)] as const);
    return (v, i, e) => Object.fromEntries(parts.map(([k, p]) => [k, p(v, i, e)]));
  }
  const c = o.constant;
  return () => c;
}
