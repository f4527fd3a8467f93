/**
 * onnx.export: runs one forward pass of a module (in eval mode, without grad) with a tracer installed, then turns
 * the ops that lead to the outputs into an ONNX graph: parameters and buffers become initializers under their
 * namedParameters()/namedBuffers() names, constants the forward read become initializers, and the batch axis
 * (dim 0 of every input) stays symbolic unless `dynamicAxes: false`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { noGrad } from '../autograd/grad_mode.js';
import { setTracer } from '../ops/trace.js';
import { type TracedOp, Tracer } from './tracer.js';
import { GraphBuilder, type OnnxDim } from './graph.js';
import { type EmitContext, OP_TABLE } from './op_table.js';

export interface ExportOptions {
  /**
   * Which input dim is the batch, kept symbolic ('batch') in the graph along with every dim it flows to. true
   * (the default): dim 0 of every input; false: none (the graph takes the sample's shapes only); an object:
   * input name → its batch dim (e.g. { input: 1 } for a [T, N, F] sequence), inputs not named have none.
   */
  dynamicAxes?: boolean | Record<string, number>;
  /** Graph input names; default 'input' (one input) or 'input_0', 'input_1', ... */
  inputNames?: string[];
  /** Graph output names; default 'output' (one output) or 'output_0', ... */
  outputNames?: string[];
  /** ONNX opset (17 or later). Default 17. */
  opset?: number;
}

export const BATCH_DIM_PARAM = 'batch';

/**
 * Traces `module.forward(...sampleInputs)` into an ONNX model and writes it to `path` (also returned as bytes).
 *
 *   onnx.export(model, [torch.randn(2, 784)], 'mlp.onnx');
 *
 * @param sampleInputs the forward's tensor arguments (a single tensor is one input); with a dynamic batch their
 *   dim 0 must be at least 2, so that the batch size cannot be mistaken for a size-1 dim
 */
export function exportModel(module: Module, sampleInputs: Tensor | Tensor[], path: string | null, options: ExportOptions = {}): Uint8Array {
  const bytes = exportToBytes(module, sampleInputs, options);
  if (path !== null) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return bytes;
}

export function exportToBytes(module: Module, sampleInputs: Tensor | Tensor[], options: ExportOptions = {}): Uint8Array {
  const inputs = Array.isArray(sampleInputs) ? sampleInputs : [sampleInputs];
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 17) throw new RangeError(`onnx.export: opset must be an integer >= 17, got ${opset}`);
  const inputNames = names(options.inputNames, inputs.length, 'input', 'inputNames');
  const axes = batchAxesOf(options.dynamicAxes ?? true, inputs, inputNames);
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`onnx.export: sampleInputs[${i}] must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    t.assertAlive('onnx.export', `sampleInputs[${i}]`);
    if (t.storage.device !== 'cpu') throw new Error(`onnx.export: sampleInputs[${i}] is on '${t.storage.device}'; export on the cpu (module.to('cpu') and the inputs too)`);
    const b = axes[i];
    if (b !== null && t.shape[b] < 2) {
      throw new RangeError(`onnx.export: sampleInputs[${i}] has shape [${t.shape.join(', ')}]; a dynamic batch needs a sample batch (dim ${b}) of at least 2, so it cannot be mistaken for a size-1 dim, or pass { dynamicAxes: false }`);
    }
  });

  const params = new Map<Tensor, string>();
  for (const [n, p] of module.namedParameters()) params.set(p, n);
  for (const [n, b] of module.namedBuffers()) if (!params.has(b)) params.set(b, n);
  for (const p of params.keys()) {
    if (p.storage.device !== 'cpu') throw new Error(`onnx.export: parameter '${params.get(p)}' is on '${p.storage.device}'; export on the cpu (module.to('cpu'))`);
  }

  const known = new Set<Tensor>([...inputs, ...params.keys()]);
  const tracer = new Tracer(known, inputs.map((t) => t.storage));
  const result = traceForward(module, inputs, tracer);
  const outputs = flattenOutputs(result);
  const outputNames = names(options.outputNames, outputs.length, 'output', 'outputNames');

  // Only the ops that lead to an output: a high-level op's report replaced the pieces of its composite.
  const needed = new Set<TracedOp>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (known.has(t)) continue;
    const p = tracer.producer.get(t);
    if (!p || needed.has(p)) continue;
    needed.add(p);
    for (const i of p.inputs) if (i) stack.push(i);
  }

  const g = new GraphBuilder();
  const valueName = new Map<Tensor, string>();
  const batchAxes = new Map<Tensor, number | null>();
  inputs.forEach((t, i) => {
    const name = g.fresh(inputNames[i]);
    valueName.set(t, name);
    batchAxes.set(t, axes[i]);
    g.addInput(name, t.dtype, t.shape.map((s, d) => (d === axes[i] ? BATCH_DIM_PARAM : s)));
  });
  let current: TracedOp | null = null;
  const fail = (op: TracedOp | null, why: string): never => {
    const where = op ? ` '${op.name}'${op.modulePath ? ` in module '${op.modulePath}'` : ' at the top level of forward'}` : '';
    throw new Error(`onnx.export: op${where}: ${why}`);
  };
  const ctx: EmitContext = {
    g,
    opset,
    name(t) {
      const n = valueName.get(t);
      if (n !== undefined) return n;
      const pn = params.get(t);
      if (pn !== undefined) {
        const name = g.initializer(pn, t.dtype, t.shape, t.dataSync());
        valueName.set(t, name);
        batchAxes.set(t, null);
        return name;
      }
      const u = tracer.unknowns.get(t);
      if (!u) return fail(current, `internal error, a tensor of shape [${t.shape.join(', ')}] was never seen by the tracer`);
      if (u.kind === 'computed') {
        return fail(current, `it reads a tensor of shape [${u.meta.shape.join(', ')}] computed by ${u.kernel} outside any traced op, so its values would be frozen into the graph; that op has no ONNX export yet`);
      }
      const name = g.initializer('const', u.meta.dtype, u.meta.shape, u.data);
      valueName.set(t, name);
      batchAxes.set(t, null);
      return name;
    },
    meta(t) {
      const m = tracer.meta.get(t);
      return m ?? { shape: t.shape.slice(), dtype: t.dtype };
    },
    batchAxis(t) {
      return batchAxes.get(t) ?? null;
    },
    bind(t, name, axis) {
      valueName.set(t, name);
      batchAxes.set(t, axis);
    },
    fail: (op, why) => fail(op, why),
  };
  for (const op of tracer.ops) {
    if (!needed.has(op)) continue;
    current = op;
    const emit = OP_TABLE[op.name];
    if (!emit) fail(op, `has no ONNX mapping (runtime/onnx/op_table.ts lists the ops that export)`);
    emit(op, ctx);
  }
  current = null;
  outputs.forEach((t, i) => {
    const src = ctx.name(t);
    const name = g.fresh(outputNames[i]);
    g.node('Identity', [src], {}, [name]);
    const axis = ctx.batchAxis(t);
    const meta = ctx.meta(t);
    g.addOutput(name, meta.dtype, meta.shape.map((s, d): OnnxDim => (d === axis ? BATCH_DIM_PARAM : s)));
  });
  return g.encode(opset, module.constructor.name || 'Module', `exported by torchbridge from ${module.constructor.name}`);
}

function batchAxesOf(spec: boolean | Record<string, number>, inputs: Tensor[], inputNames: string[]): (number | null)[] {
  if (spec === true) return inputs.map((t, i) => {
    if (t.ndim === 0) throw new RangeError(`onnx.export: sampleInputs[${i}] is 0-d and has no batch dim; pass { dynamicAxes: false } or name the inputs that have one`);
    return 0;
  });
  if (spec === false) return inputs.map(() => null);
  for (const k of Object.keys(spec)) {
    if (!inputNames.includes(k)) throw new RangeError(`onnx.export: dynamicAxes names '${k}', which is not an input (inputs: ${inputNames.join(', ')})`);
  }
  return inputs.map((t, i) => {
    const d = spec[inputNames[i]];
    if (d === undefined) return null;
    if (!Number.isInteger(d) || d < 0 || d >= t.ndim) throw new RangeError(`onnx.export: dynamicAxes.${inputNames[i]} = ${d} is not a dim of sampleInputs[${i}] (shape [${t.shape.join(', ')}])`);
    return d;
  });
}

function names(given: string[] | undefined, n: number, base: string, option: string): string[] {
  if (given) {
    if (given.length !== n || new Set(given).size !== n || given.some((s) => typeof s !== 'string' || s === '')) {
      throw new RangeError(`onnx.export: ${option} must list ${n} distinct non-empty names, got ${JSON.stringify(given)}`);
    }
    return given;
  }
  return n === 1 ? [base] : Array.from({ length: n }, (_, i) => `${base}_${i}`);
}

/** Runs the forward in eval mode, without grad, with the tracer installed and each submodule's path tracked. */
function traceForward(module: Module, inputs: Tensor[], tracer: Tracer): unknown {
  const modes = module.modules().map((m) => [m, m.training] as const);
  module.eval();
  const restore: (() => void)[] = [];
  for (const [path, m] of module.namedModules()) {
    const own = Object.getOwnPropertyDescriptor(m, 'forward');
    const fwd = m.forward;
    const wrapped = function tracedForward(this: Module, ...args: unknown[]) {
      tracer.modulePath.push(path);
      try { return fwd.apply(this, args); } finally { tracer.modulePath.pop(); }
    };
    Object.defineProperty(m, 'forward', { configurable: true, writable: true, enumerable: false, value: wrapped });
    restore.push(() => {
      if (own) Object.defineProperty(m, 'forward', own);
      else delete (m as { forward?: unknown }).forward;
    });
  }
  const prev = setTracer(tracer);
  try {
    return noGrad(() => module.forward(...inputs));
  } finally {
    setTracer(prev);
    for (const r of restore) r();
    for (const [m, t] of modes) m.training = t;
  }
}

function flattenOutputs(r: unknown, out: Tensor[] = []): Tensor[] {
  if (r instanceof Tensor) out.push(r);
  else if (Array.isArray(r)) for (const x of r) flattenOutputs(x, out);
  else throw new TypeError(`onnx.export: forward returned ${r === null ? 'null' : typeof r}; it must return a Tensor or (nested) arrays of Tensors`);
  if (out.length === 0) throw new TypeError('onnx.export: forward returned no tensors');
  return out;
}
