/**
 * Fusion passes over a trace (they rewrite trace.nodes in place, before plan.ts builds the replay). Both keep
 * the numbers bit-identical to eager: they change how many kernels run, never what is computed.
 *
 * 1. Constant folding: a kernel whose inputs are all host values or other folded constants (the scalar fills a
 *    mean's 1/N, the −1 column of the cross-entropy gradient, their quotients) is run once now; its result
 *    becomes a buffer the plan owns, read by every replay, instead of being recomputed each step.
 * 2. Bias + ReLU epilogue (CPU): Linear's bias add followed by ReLU becomes one pass over the GEMM's output
 *    that writes both the pre-activation (ReLU's backward reads it) and the activation.
 */
import { Tensor } from '../tensor.js';
import { allocArray, type TypedArray } from '../dtype.js';
import { getBackend, type Backend } from '../backends/backend.js';
import type { ArgSpec, OutSpec, Ref, Trace, TraceNode } from './trace.js';
import { biasAddF32 } from '../backends/cpu/wasm/linear.js';

type KernelNode = Extract<TraceNode, { kind: 'kernel' }>;

/** Kernels the plan runs that are not backend methods: `fused:<name>`. Each returns its outputs by key. */
export const FUSED_KERNELS: Record<string, (...args: unknown[]) => Record<string, Tensor>> = {
  /** y [M, N] (contiguous) + bias [N] (contiguous): h = y + bias, r = relu(h), rounded as the unfused kernels do. */
  biasRelu(y: unknown, bias: unknown): Record<string, Tensor> {
    const Y = y as Tensor, B = bias as Tensor;
    const [M, N] = Y.shape;
    const h = allocArray(Y.dtype, M * N), r = allocArray(Y.dtype, M * N);
    const yd = Y.storage.data, yo = Y.offset, bd = B.storage.data, bo = B.offset;
    // SIMD when float32 (wasm/linear.ts; the same bits as the loop, without its mispredicted branch).
    if (!(h instanceof Float32Array && r instanceof Float32Array && yd instanceof Float32Array && bd instanceof Float32Array &&
        biasAddF32(yd.subarray(yo, yo + M * N), bd.subarray(bo, bo + N), h, r, M, N))) biasReluLoop(yd, yo, bd, bo, h, r, M, N);
    return { h: Tensor.fromData(h, [M, N], Y.dtype), r: Tensor.fromData(r, [M, N], Y.dtype) };
  },
};

function biasReluLoop(yd: TypedArray, yo: number, bd: TypedArray, bo: number, h: TypedArray, r: TypedArray, M: number, N: number): void {
  for (let i = 0, k = 0; i < M; i++) {
    for (let j = 0; j < N; j++, k++) {
      h[k] = yd[yo + k] + bd[bo + j];
      // Read back the stored (rounded) sum, as the separate ReLU kernel would; relu(-0) = 0 and NaN stays NaN,
      // exactly as the CPU relu helper (backends/cpu/elementwise.ts).
      const x = h[k];
      r[k] = x > 0 ? x : x !== x ? x : 0;
    }
  }
}

export function fuse(trace: Trace): void {
  foldConstants(trace);
  fuseBiasRelu(trace);
}

const FOLDABLE = new Set(['full', 'unary', 'binary', 'cast', 'where', 'reduce']);

function forEachRef(trace: Trace, f: (r: Ref) => Ref): void {
  const mapArgs = (args: ArgSpec[]) => args.map((a) => ('tensor' in a ? { tensor: f(a.tensor) } : a));
  trace.nodes = trace.nodes.map((n) => {
    if (n.kind === 'kernel') return { ...n, args: mapArgs(n.args) };
    if (n.kind === 'setGrad') return { ...n, ref: f(n.ref) };
    return n;
  });
  const mapOut = (o: OutSpec): OutSpec =>
    'tensor' in o ? { ...o, tensor: f(o.tensor) } : 'array' in o ? { array: o.array.map(mapOut) } : 'object' in o ? { object: o.object.map(([k, v]) => [k, mapOut(v)]) } : o;
  trace.output = mapOut(trace.output);
}

function foldConstants(trace: Trace): void {
  // Values that must stay per-step tensors: written in place (copy's destination), returned, or set as a .grad.
  const pinned = new Set<number>();
  for (const n of trace.nodes) {
    if (n.kind === 'kernel' && n.method === 'copy' && 'tensor' in n.args[1] && n.args[1].tensor.kind === 'value') pinned.add(n.args[1].tensor.id);
    if (n.kind === 'setGrad' && n.ref.kind === 'value') pinned.add(n.ref.id);
  }
  const pinOut = (o: OutSpec) => {
    if ('tensor' in o) { if (o.tensor.kind === 'value') pinned.add(o.tensor.id); }
    else if ('array' in o) o.array.forEach(pinOut);
    else if ('object' in o) o.object.forEach(([, v]) => pinOut(v));
  };
  pinOut(trace.output);

  const folded = new Map<number, Tensor>();
  const kept: TraceNode[] = [];
  for (const n of trace.nodes) {
    if (n.kind !== 'kernel' || !FOLDABLE.has(n.method) || n.outs.some((o) => pinned.has(o.id)) ||
        !n.args.every((a) => 'host' in a || (a.tensor.kind === 'value' && folded.has(a.tensor.id)))) {
      kept.push(n);
      continue;
    }
    const be = getBackend(n.device as Backend['device']) as unknown as Record<string, (...a: unknown[]) => unknown>;
    const args = n.args.map((a) => {
      if ('host' in a) return a.host;
      const base = folded.get((a.tensor as Extract<Ref, { kind: 'value' }>).id)!;
      const v = (a.tensor as Extract<Ref, { kind: 'value' }>).view;
      return v ? new Tensor(base.storage, v.shape.slice(), v.strides.slice(), v.offset) : base;
    });
    const out = be[n.method](...args) as Tensor;
    // The plan owns one reference to the buffer; the tensor object itself is not kept (no scope, no finalizer).
    out.storage.refs++;
    trace.constants.push(out.storage);
    folded.set(n.outs[0].id, out);
    for (const a of args) if (a instanceof Tensor && ![...folded.values()].includes(a)) a.dispose();
  }
  if (!folded.size) return;
  trace.nodes = kept;
  forEachRef(trace, (r) => {
    if (r.kind !== 'value' || !folded.has(r.id)) return r;
    const t = folded.get(r.id)!;
    return { kind: 'external', storage: t.storage, view: r.view ?? { shape: t.shape.slice(), strides: t.strides.slice(), offset: t.offset } };
  });
  for (const t of folded.values()) t.dispose();
}

const isContiguousView = (r: Ref, shape: number[]): boolean => {
  if (r.kind === 'value' && !r.view) return true;
  const v = r.view!;
  return v.offset >= 0 && v.shape.length === shape.length && v.shape.every((d, i) => d === shape[i]) &&
    v.strides.every((s, i) => s === v.shape.slice(i + 1).reduce((p, d) => p * d, 1) || v.shape[i] === 1);
};

function fuseBiasRelu(trace: Trace): void {
  const nodes = trace.nodes;
  const out: TraceNode[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const a = nodes[i], b = nodes[i + 1];
    if (a.kind === 'kernel' && b && b.kind === 'kernel' && a.device === 'cpu' && b.device === 'cpu' && matchBiasRelu(trace, a, b)) {
      out.push({
        kind: 'kernel', device: 'cpu', method: 'fused:biasRelu', args: [a.args[1], a.args[2]],
        outs: [{ key: 'h', id: a.outs[0].id }, { key: 'r', id: b.outs[0].id }],
      });
      i++;
      continue;
    }
    out.push(a);
  }
  trace.nodes = out;
}

/** binary('add', y [M, N], bias [N]) then unary('relu', that sum), float dtypes, dense operands. */
function matchBiasRelu(trace: Trace, a: KernelNode, b: KernelNode): boolean {
  if (a.method !== 'binary' || b.method !== 'unary') return false;
  const [op, y, bias, outShape, dt] = a.args;
  const [rop, x, rdt] = b.args;
  if (!('host' in op) || op.host !== 'add' || !('host' in rop) || rop.host !== 'relu') return false;
  if (!('tensor' in y) || !('tensor' in bias) || !('tensor' in x) || !('host' in outShape)) return false;
  const shape = outShape.host as number[];
  if (shape.length !== 2 || !('host' in dt) || !('host' in rdt) || dt.host !== rdt.host || (dt.host !== 'float32' && dt.host !== 'float64')) return false;
  // relu reads exactly the add's output
  if (x.tensor.kind !== 'value' || x.tensor.view || x.tensor.id !== a.outs[0].id) return false;
  const yr = y.tensor, br = bias.tensor;
  if (yr.kind !== 'value' || yr.view) return false;
  const yInfo = trace.valueInfo[yr.id];
  if (!yInfo || yInfo.dtype !== dt.host || yInfo.shape.length !== 2 || yInfo.shape[0] !== shape[0] || yInfo.shape[1] !== shape[1]) return false;
  const bShape = br.kind === 'value' && !br.view ? trace.valueInfo[br.id]?.shape : br.view?.shape;
  return !!bShape && bShape.length === 1 && bShape[0] === shape[1] && isContiguousView(br, [shape[1]]);
}
