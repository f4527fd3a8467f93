/**
 * Functional graphs, the runtime's answer to tfjs's `tf.input` / `layer.apply(symbolic)` / `tf.model({ inputs,
 * outputs })` (and Keras's functional API): calling any module's `forward` on a `SymbolicTensor` records a node
 * instead of computing, and `nn.GraphModule` replays the recorded graph eagerly — in the spirit of torch.fx's
 * GraphModule, the result is an ordinary `nn.Module` (parameters, stateDict, train/eval, nesting).
 *
 * Recording runs the module once on small zero tensors (batch 2 and 3, unknown dims likewise) in eval mode
 * without gradients: that gives each node's output shape (dims that change with the probe sizes are unknown,
 * `null`, as in tfjs) and builds lazy modules (nn.LazyLinear …) at graph construction, as Keras builds a layer
 * when it is first applied to a symbolic tensor. Running statistics are untouched (eval mode), parameters are
 * not changed.
 */
import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { zeros } from '../ops/creation.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Module, symbolicCalls } from './module.js';

type SymShape = (number | null)[];

interface Node {
  module: Module;
  /** The forward's arguments with each SymbolicTensor in place (any nesting of arrays). */
  args: unknown[];
  /** The forward's result with a SymbolicTensor for each tensor (a tensor or nested arrays of tensors). */
  output: unknown;
}

/** A placeholder for a tensor in a functional graph: its shape (`null` = known only at run time) and dtype. */
export class SymbolicTensor {
  private static count = 0;
  readonly id = SymbolicTensor.count++;
  constructor(
    readonly shape: SymShape,
    readonly dtype: DType,
    /** The node that produces it; null for a graph input. */
    readonly node: Node | null,
    readonly name: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `SymbolicTensor(${this.name}, [${this.shape.map((d) => (d === null ? 'null' : d)).join(', ')}], ${this.dtype})`;
  }
}

export interface InputOptions {
  /** The shape of one example, without the batch dimension (tfjs's `shape`); `null` for a size known at run time. */
  shape?: SymShape;
  /** The full shape, batch included (tfjs's `batchShape`). */
  batchShape?: SymShape;
  batchSize?: number;
  dtype?: DType;
  name?: string;
}

let inputCount = 0;

/** A graph input (tfjs's `tf.input`). */
export function input(options: InputOptions): SymbolicTensor {
  if (options === null || typeof options !== 'object') throw new TypeError('nn.input: expected options ({ shape: [...] })');
  const { shape, batchShape, batchSize, dtype = 'float32', name } = options;
  if ((shape === undefined) === (batchShape === undefined)) throw new TypeError('nn.input: give exactly one of shape (one example) or batchShape (batch included)');
  const full = batchShape ?? [batchSize ?? null, ...shape!];
  if (!Array.isArray(full) || !full.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
    throw new TypeError(`nn.input: shape must list non-negative integers or null, got ${JSON.stringify(shape ?? batchShape)}`);
  }
  return new SymbolicTensor([...full], dtype, null, name ?? `input_${inputCount++}`);
}

function hasSymbolic(x: unknown, depth = 0): boolean {
  if (x instanceof SymbolicTensor) return true;
  return Array.isArray(x) && depth < 8 && x.some((v) => hasSymbolic(v, depth + 1));
}

/** Replaces each SymbolicTensor in an argument structure. */
function substitute(x: unknown, f: (s: SymbolicTensor) => unknown): unknown {
  if (x instanceof SymbolicTensor) return f(x);
  if (Array.isArray(x) && hasSymbolic(x)) return x.map((v) => substitute(v, f));
  return x;
}

function symbolsIn(x: unknown, out: SymbolicTensor[] = []): SymbolicTensor[] {
  if (x instanceof SymbolicTensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) symbolsIn(v, out);
  return out;
}

function className(m: Module): string {
  return m.constructor.name || 'Module';
}

function probe(module: Module, args: unknown[], size: number): unknown {
  const made: Tensor[] = [];
  const concrete = substitute(args, (s) => {
    const t = zeros(s.shape.map((d) => (d === null ? size : d)), { dtype: s.dtype });
    made.push(t);
    return t;
  }) as unknown[];
  try {
    return noGrad(() => module.forward(...concrete));
  } catch (e) {
    const shapes = symbolsIn(args).map((s) => fmtShape(s.shape.map((d) => (d === null ? -1 : d)))).join(', ');
    throw new Error(`nn.GraphModule: applying ${className(module)} to symbolic input(s) of shape ${shapes} (-1: known at run time) failed: ${(e as Error).message}`);
  } finally {
    for (const t of made) t.dispose();
  }
}

/** Records `module.forward(...args)` on symbolic inputs as a node; returns symbolic outputs of the same structure. */
function recordCall(module: Module, args: unknown[]): unknown {
  // Eval mode for the probes (no running-statistics update, no dropout), the caller's modes restored after.
  const modes = [...module.modules()].map((m) => [m, m.training] as const);
  module.eval();
  let a: unknown, b: unknown;
  try {
    a = probe(module, args, 2);
    b = probe(module, args, 3);
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
  const node: Node = { module, args, output: null };
  let k = 0;
  const mirror = (x: unknown, y: unknown): unknown => {
    if (x instanceof Tensor) {
      const other = y as Tensor;
      const shape = x.shape.map((d, i) => (other.shape[i] === d ? d : null));
      const s = new SymbolicTensor(shape, x.dtype, node, `${className(module).toLowerCase()}/${k++}`);
      x.dispose();
      other.dispose();
      return s;
    }
    if (Array.isArray(x)) return x.map((v, i) => mirror(v, (y as unknown[])[i]));
    throw new TypeError(`nn.GraphModule: ${className(module)}.forward returned ${x === null ? 'null' : typeof x}; a module in a functional graph must return a tensor or (nested) arrays of tensors`);
  };
  node.output = mirror(a, b);
  return node.output;
}

symbolicCalls.record = { hasSymbolic: (args) => args.some((a) => hasSymbolic(a)), call: recordCall };

type Outputs = SymbolicTensor | SymbolicTensor[];

/**
 * A module that replays a functional graph (tfjs's `tf.model({ inputs, outputs })`). `forward` takes the inputs in
 * `inputs` order — positionally, or as one array when there are several — and returns a tensor, or an array when
 * `outputs` is an array of more than one.
 */
export class GraphModule extends Module {
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  private readonly nodes: Node[];
  private readonly singleOutput: boolean;

  constructor(config: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: Outputs; name?: string }) {
    super();
    if (config === null || typeof config !== 'object') throw new TypeError('nn.GraphModule: expected { inputs, outputs }');
    const inputs = Array.isArray(config.inputs) ? config.inputs : [config.inputs];
    const outputs = Array.isArray(config.outputs) ? config.outputs : [config.outputs];
    inputs.forEach((s, i) => {
      if (!(s instanceof SymbolicTensor)) throw new TypeError(`nn.GraphModule: inputs[${i}] is not a symbolic tensor (make inputs with nn.input)`);
      if (s.node !== null) throw new TypeError(`nn.GraphModule: inputs[${i}] (${s.name}) is the output of ${className(s.node.module)}, not a graph input made by nn.input`);
    });
    outputs.forEach((s, i) => {
      if (!(s instanceof SymbolicTensor)) throw new TypeError(`nn.GraphModule: outputs[${i}] is not a symbolic tensor (apply modules to nn.input tensors to make one)`);
    });
    this.inputs = inputs;
    this.outputs = outputs;
    this.singleOutput = !Array.isArray(config.outputs) || outputs.length === 1;
    this.nodes = topoSort(inputs, outputs);
    // Each distinct module once (a shared layer is one submodule), named by class and position.
    const seen = new Set<Module>();
    const counts = new Map<string, number>();
    for (const n of this.nodes) {
      if (seen.has(n.module)) continue;
      seen.add(n.module);
      const base = className(n.module).toLowerCase();
      const i = counts.get(base) ?? 0;
      counts.set(base, i + 1);
      this.registerModule(`${base}_${i}`, n.module);
    }
  }

  /** The modules of the graph in the order they run (a shared one once). */
  get layers(): Module[] {
    return [...new Set(this.nodes.map((n) => n.module))];
  }

  forward(...xs: unknown[]): Tensor | Tensor[] {
    const given = xs.length === 1 && Array.isArray(xs[0]) && this.inputs.length > 1 ? (xs[0] as unknown[]) : xs;
    if (given.length !== this.inputs.length) {
      throw new RangeError(`nn.GraphModule.forward: expected ${this.inputs.length} input(s) (${this.inputs.map((s) => s.name).join(', ')}), got ${given.length}`);
    }
    const values = new Map<SymbolicTensor, Tensor>();
    this.inputs.forEach((s, i) => {
      const t = given[i];
      if (!(t instanceof Tensor)) throw new TypeError(`nn.GraphModule.forward: input ${s.name} must be a tensor, got ${t === null ? 'null' : typeof t}`);
      const ok = t.ndim === s.rank && s.shape.every((d, j) => d === null || d === t.shape[j]);
      if (!ok) throw new RangeError(`nn.GraphModule.forward: input ${s.name} expects shape [${s.shape.map((d) => d ?? 'any').join(', ')}], got ${fmtShape(t.shape)}`);
      values.set(s, t);
    });
    for (const n of this.nodes) {
      const args = substitute(n.args, (s) => values.get(s)!) as unknown[];
      const out = n.module.forward(...args);
      const bind = (sym: unknown, val: unknown): void => {
        if (sym instanceof SymbolicTensor) values.set(sym, val as Tensor);
        else if (Array.isArray(sym)) sym.forEach((v, i) => bind(v, (val as unknown[])[i]));
      };
      bind(n.output, out);
    }
    const results = this.outputs.map((s) => values.get(s)!);
    return this.singleOutput ? results[0] : results;
  }
}

/** The nodes between inputs and outputs, each after the nodes it reads; a missing input is an error naming it. */
function topoSort(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): Node[] {
  const order: Node[] = [];
  const done = new Set<Node>();
  const visiting = new Set<Node>();
  const known = new Set(inputs);
  const visit = (s: SymbolicTensor, path: string): void => {
    if (s.node === null) {
      if (!known.has(s)) throw new Error(`nn.GraphModule: the graph is disconnected: ${path} depends on the input ${s.name}, which is not in inputs`);
      return;
    }
    const n = s.node;
    if (done.has(n)) return;
    if (visiting.has(n)) throw new Error(`nn.GraphModule: the graph has a cycle through ${className(n.module)}`);
    visiting.add(n);
    for (const a of symbolsIn(n.args)) visit(a, path);
    visiting.delete(n);
    done.add(n);
    order.push(n);
  };
  outputs.forEach((s, i) => visit(s, `outputs[${i}] (${s.name})`));
  return order;
}

/**
 * A module made of a function (Keras's Lambda layer): for the ops tfjs writes as layers (concatenate, add, dot,
 * activation), so they can take part in a functional graph. It has no parameters.
 */
export class Lambda extends Module {
  constructor(readonly fn: (...xs: never[]) => Tensor | Tensor[], readonly label = 'lambda') {
    super();
    if (typeof fn !== 'function') throw new TypeError('nn.Lambda: expected a function');
  }

  forward(...xs: unknown[]): Tensor | Tensor[] {
    return (this.fn as (...a: unknown[]) => Tensor | Tensor[])(...xs);
  }
}

/**
 * One dimension of a tensor or symbolic tensor, as a number (negative `axis` counts from the end): the input size
 * of a layer built where it is applied, as Keras builds a layer from the shape of its first input. A dimension a
 * symbolic tensor knows only at run time (`null`) is an error naming the tensor, never a guess.
 */
export function dim(x: Tensor | SymbolicTensor, axis: number): number {
  if (!(x instanceof Tensor) && !(x instanceof SymbolicTensor)) throw new TypeError(`nn.dim: expected a tensor or symbolic tensor, got ${x === null ? 'null' : typeof x}`);
  const shape: readonly (number | null)[] = x.shape;
  const i = axis < 0 ? shape.length + axis : axis;
  if (!Number.isInteger(axis) || i < 0 || i >= shape.length) throw new RangeError(`nn.dim: axis ${axis} is out of range for a rank-${shape.length} input`);
  const d = shape[i];
  if (d === null) throw new RangeError(`nn.dim: dimension ${axis} of ${String(x)} is known only at run time; give the layer its input size`);
  return d;
}

/**
 * tfjs's `layer.apply(inputs)` on the runtime: `module.forward(...inputs)`, typed for both uses — symbolic inputs
 * give the symbolic output (a node is recorded), tensors give the computed tensor. A module that returns several
 * tensors gives an array (cast the result: `nn.apply(m, x) as unknown as SymbolicTensor[]`).
 */
export function apply(module: Module, ...inputs: (SymbolicTensor | SymbolicTensor[])[]): SymbolicTensor;
export function apply(module: Module, ...inputs: (Tensor | Tensor[])[]): Tensor;
export function apply(module: Module, ...inputs: unknown[]): unknown {
  if (!(module instanceof Module)) throw new TypeError(`nn.apply: expected a module to apply, got ${module === null ? 'null' : typeof module}`);
  return module.forward(...inputs);
}
