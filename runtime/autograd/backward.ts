/**
 * The backward engine: one reverse-topological walk over the recorded graph. Gradients of intermediate
 * tensors live in a map for the duration of the walk; leaves accumulate into `.grad`. Unless `retainGraph`,
 * each node's rule and saved tensors are dropped as soon as it has run, so the graph's memory is released
 * during the walk (and a second backward through it is a clear error).
 */
import { Tensor } from '../tensor.js';
import { noGrad, enableGrad } from './grad_mode.js';
import { fmtShape, shapesEqual } from '../shape.js';
import { keep, tidy } from '../memory.js';
import { traceHooks } from '../compile/hooks.js';

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  gradOutputs?: (Tensor | null)[] | Tensor | null;
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/** Tensors reachable from `roots` through gradFn edges, children before parents (reverse of execution order). */
function topoOrder(roots: Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep graphs (RNNs over long sequences) would overflow the JS stack recursively.
  for (const root of roots) {
    if (seen.has(root)) continue;
    const stack: [Tensor, number][] = [[root, 0]];
    seen.add(root);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      const inputs = t.gradFn ? t.gradFn.inputs : [];
      if (i < inputs.length) {
        top[1]++;
        const c = inputs[i];
        if (c && !seen.has(c)) {
          seen.add(c);
          stack.push([c, 0]);
        }
      } else {
        order.push(t);
        stack.pop();
      }
    }
  }
  return order.reverse();
}

function defaultGradOutput(t: Tensor, op: string): Tensor {
  if (t.numel() !== 1) {
    throw new Error(`${op}: grad can be implicitly created only for scalar outputs; the output has shape ${fmtShape(t.shape)}, so pass a gradient of that shape`);
  }
  return noGrad(() => (t as unknown as { onesLike(): Tensor }).onesLike());
}

/**
 * Runs the walk inside a tidy scope: the rules' temporaries are freed when it ends (no finalizer work for
 * them), and what must outlive it survives — leaf `.grad`s are kept, and autograd.grad's results returned.
 */
function run(outputs: Tensor[], gradOutputs: (Tensor | null)[], opts: BackwardOptions, capture: Tensor[] | null, op: string): (Tensor | null)[] {
  return tidy(() => {
    const grads = walk(outputs, gradOutputs, opts, capture ? new Set(capture) : null, op);
    return capture ? capture.map((x) => grads.get(x) ?? null) : [];
  });
}

function walk(outputs: Tensor[], gradOutputs: (Tensor | null)[], opts: BackwardOptions, capture: Set<Tensor> | null, op: string): Map<Tensor, Tensor> {
  const createGraph = !!opts.createGraph;
  const retainGraph = opts.retainGraph ?? createGraph;
  const grads = new Map<Tensor, Tensor>();
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i];
    o.assertAlive(op, `output ${i}`);
    if (!o.requiresGrad) {
      throw new Error(`${op}: output ${i} (shape ${fmtShape(o.shape)}) does not require grad and has no grad_fn; did you compute it under noGrad() or from tensors without requiresGrad?`);
    }
    const g = gradOutputs[i] ?? defaultGradOutput(o, op);
    if (!shapesEqual(g.shape, o.shape)) {
      throw new RangeError(`${op}: gradient ${i} has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(o.shape)}`);
    }
    accumulate(grads, o, g);
  }
  const order = topoOrder(outputs);
  // With autograd.grad, only nodes on a path to a requested input run (PyTorch prunes the same way).
  let needed: Set<Tensor> | null = null;
  if (capture) {
    needed = new Set();
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      if (capture.has(t) || (t.gradFn && t.gradFn.inputs.some((x) => x && needed!.has(x)))) needed.add(t);
    }
  }
  // How many map entries hold each gradient object: a rule may return the same tensor for several inputs.
  const holders = new Map<Tensor, number>();
  for (const g of grads.values()) holders.set(g, (holders.get(g) ?? 0) + 1);
  const seeds = new Set(gradOutputs.filter((g): g is Tensor => !!g));
  // Gradient objects already given to a leaf in this pass: a rule may return one tensor for two inputs.
  const given = new Set<Tensor>();
  // The walk holds every tensor it will visit: freeing a node lets go of its inputs, and an input that
  // was disposed (by tidy, say) must not be released before its own node has run.
  for (const t of order) t.holds++;
  let visited = 0;
  const body = () => {
    for (; visited < order.length; visited++) {
      const t = order[visited];
      try {
        step(t);
      } finally {
        t.unhold();
      }
    }
  };
  const step = (t: Tensor) => {
    if (needed && !needed.has(t)) return;
    const g = grads.get(t);
    if (!g) return;
    if (!capture && (t.gradFn === null || t.retainsGrad)) setLeafGrad(t, g, createGraph, given);
    if (t.gradFn === null) return;
    const node = t.gradFn;
    if (!node.backward) {
      throw new Error(
        `${op}: trying to backward through the graph a second time (${node}), but its saved tensors were already freed; ` +
          'pass { retainGraph: true } to the first backward() if you need to backward twice',
      );
    }
    for (let k = 0; k < node.saved.length; k++) {
      const s = node.saved[k];
      if (s.storage.version !== node.savedVersions[k]) {
        throw new Error(
          `${op}: one of the tensors needed for gradient computation has been modified by an in-place operation: ` +
            `a ${s.dtype} tensor of shape ${fmtShape(s.shape)}, saved by ${node}, is at version ${s.storage.version}; expected version ${node.savedVersions[k]}. ` +
            'Use the out-of-place op (e.g. add instead of add_) or clone() the tensor first',
        );
      }
    }
    const inGrads = node.backward(g);
    if (!retainGraph) node.free();
    for (let k = 0; k < node.inputs.length; k++) {
      const inp = node.inputs[k];
      const ig = inGrads[k];
      if (!inp || !ig) continue;
      if (needed && !needed.has(inp)) continue;
      if (!shapesEqual(ig.shape, inp.shape)) {
        throw new Error(`internal: ${node} returned a gradient of shape ${fmtShape(ig.shape)} for input ${k} of shape ${fmtShape(inp.shape)}`);
      }
      const prev = grads.get(inp);
      if (prev) holders.set(prev, holders.get(prev)! - 1);
      const sum = prev ? (prev as unknown as { add(o: Tensor): Tensor }).add(ig) : ig;
      grads.set(inp, sum);
      holders.set(sum, (holders.get(sum) ?? 0) + 1);
    }
    if (!capture && !createGraph && !t.retainsGrad) {
      grads.delete(t);
      const left = holders.get(g)! - 1;
      holders.set(g, left);
      // The gradient of an intermediate is ours alone once consumed (unless a rule passed it on as is): free it now.
      if (left === 0 && !seeds.has(g) && !inGrads.includes(g)) g.dispose();
    }
  };
  try {
    if (createGraph) enableGrad(body);
    else noGrad(body);
  } finally {
    // A rule threw: let go of the tensors the walk did not reach.
    for (visited++; visited < order.length; visited++) order[visited].unhold();
  }
  return grads;
}

function accumulate(grads: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = grads.get(t);
  grads.set(t, prev ? (prev as unknown as { add(o: Tensor): Tensor }).add(g) : g);
}

function setLeafGrad(t: Tensor, g: Tensor, createGraph: boolean, given: Set<Tensor>): void {
  if (!createGraph) g = g.requiresGrad ? (g as unknown as { detach(): Tensor }).detach() : g;
  if (t.grad === null) {
    // The gradient may be a view or alias of another tensor, or already another leaf's .grad (add returns
    // one tensor for both inputs): own a copy then, since later backward passes accumulate in place.
    const shared = g.storage.refs > 1 || !g.isContiguous() || given.has(g);
    const own = shared ? (g as unknown as { clone(): Tensor }).clone() : g;
    given.add(own);
    t.grad = keep(own);
    if (traceHooks.tracer) traceHooks.tracer.onLeafGrad(t, own, false);
  } else if (createGraph) {
    t.grad = keep((t.grad as unknown as { add(o: Tensor): Tensor }).add(g));
    if (traceHooks.tracer) traceHooks.tracer.onLeafGrad(t, t.grad, true);
  } else {
    (t.grad as unknown as { add_(o: Tensor): Tensor }).add_(g);
    if (traceHooks.tracer) traceHooks.tracer.onLeafGrad(t, t.grad, true);
  }
}

/** `tensor.backward(gradient?, opts)`: accumulates d(tensor)/d(leaf) into every leaf's `.grad`. */
export function backward(t: Tensor, gradient?: Tensor | null, opts: BackwardOptions = {}): void {
  run([t], [gradient ?? null], opts, null, 'backward');
}

/**
 * `autograd.grad(outputs, inputs, opts)`: the gradients of sum(outputs · gradOutputs) with respect to
 * each input, returned rather than accumulated into `.grad` (what tf.grads / tf.variableGrads map to).
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos = opts.gradOutputs === undefined || opts.gradOutputs === null ? outs.map(() => null) : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  for (const [i, x] of ins.entries()) {
    if (!(x instanceof Tensor)) throw new TypeError(`autograd.grad: inputs[${i}] must be a Tensor`);
    if (!x.requiresGrad) throw new Error(`autograd.grad: inputs[${i}] (shape ${fmtShape(x.shape)}) does not require grad; call requiresGrad_() on it before computing the outputs`);
  }
  const grads = run(outs, gos, opts, ins, 'autograd.grad');
  return ins.map((x, i) => {
    const g = grads[i];
    if (!g && !opts.allowUnused) {
      throw new Error(`autograd.grad: inputs[${i}] (shape ${fmtShape(x.shape)}) was not used to compute the outputs; pass { allowUnused: true } to get null for it`);
    }
    return g;
  });
}
