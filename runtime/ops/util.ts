/** Shared plumbing for ops: argument conversion with named errors, backend lookup, and tape recording. */
import { type DType, promoteTypes, promoteWithScalar, isFloating } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { getBackend, type Backend } from '../backends/backend.js';
import { GradNode, type BackwardFn } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { fmtShape } from '../shape.js';
import { activeTracer, traceOp } from './trace.js';
// Gradient rules and composites call Tensor methods, and ops need a CPU backend: importing any op module directly
// (not through torch.ts) must work the same, so every op module (they all import this one) brings both.
import '../tensor_methods.js';
import '../backends/cpu/index.js';

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;

export function backendOf(t: Tensor): Backend {
  const be = getBackend(t.storage.device);
  return activeTracer === null ? be : activeTracer.backend(be);
}

/** Checks that `x` is a live Tensor; `op`/`arg` name the caller in the error (tfjs's convertToTensor idea). */
export function checkTensor(x: unknown, op: string, arg = 'input'): Tensor {
  if (!(x instanceof Tensor)) {
    const what = x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
    throw new TypeError(`${op}: argument '${arg}' must be a Tensor, got ${what}${Array.isArray(x) ? ' (wrap it with torch.tensor(...))' : ''}`);
  }
  x.assertAlive(op, arg);
  return x;
}

/** A 0-d tensor holding a JS scalar, on `like`'s device, in `dtype`. */
export function scalarTensor(v: Scalar, dtype: DType, like: Tensor): Tensor {
  const t = backendOf(like).full([], Number(v), dtype);
  return t;
}

/** Converts a pair (Tensor|scalar, Tensor|scalar) to tensors of their PyTorch result dtype. */
export function binaryOperands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor, DType] {
  if (a instanceof Tensor && b instanceof Tensor) {
    checkTensor(a, op, 'input');
    checkTensor(b, op, 'other');
    if (a.storage.device !== b.storage.device) {
      throw new Error(`${op}: input is on '${a.storage.device}' and other on '${b.storage.device}'; move one with .to(device)`);
    }
    const dt = promoteTypes(a.dtype, b.dtype);
    return [castTo(a, dt), castTo(b, dt), dt];
  }
  if (a instanceof Tensor) {
    checkScalar(b, op, 'other');
    checkTensor(a, op, 'input');
    const dt = promoteWithScalar(a.dtype, b as Scalar);
    return [castTo(a, dt), scalarTensor(b as Scalar, dt, a), dt];
  }
  if (b instanceof Tensor) {
    checkScalar(a, op, 'input');
    checkTensor(b, op, 'other');
    const dt = promoteWithScalar(b.dtype, a as Scalar);
    return [scalarTensor(a as Scalar, dt, b), castTo(b, dt), dt];
  }
  throw new TypeError(`${op}: at least one argument must be a Tensor, got ${typeof a} and ${typeof b}`);
}

function checkScalar(v: unknown, op: string, arg: string): void {
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new TypeError(`${op}: argument '${arg}' must be a Tensor or a number, got ${Array.isArray(v) ? 'an array (wrap it with torch.tensor(...))' : typeof v}`);
  }
}

/** Casts without recording a cast node when the dtype already matches (the common case). */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  return castOp(t, dtype);
}

/** Differentiable cast: gradients flow between floating dtypes only. */
export function castOp(t: Tensor, dtype: DType): Tensor {
  const out = backendOf(t).cast(t, dtype);
  if (activeTracer !== null) traceOp(out, 'Cast', [t], { dtype });
  if (isFloating(dtype) && isFloating(t.dtype)) {
    const from = t.dtype;
    record(out, 'To', [t], (g) => [castOp(g, from)]);
  }
  return out;
}

/**
 * Records `out = op(inputs)` on the tape when grad mode is on and an input requires grad. `backward` maps the
 * output's gradient to one gradient per input (null for inputs that need none). `saved` lists every other
 * tensor the rule reads (beyond `inputs` and `out`): the node keeps them alive until it is freed, whatever
 * tidy() scope made them, and an in-place change to them before backward is caught (PyTorch's version check).
 */
export function record(out: Tensor, name: string, inputs: (Tensor | null)[], backward: BackwardFn, saved: Tensor[] = []): Tensor {
  if (!isGradEnabled()) return out;
  let any = false;
  for (const t of inputs) if (t && t.requiresGrad) { any = true; break; }
  if (!any) return out;
  out.requiresGrad = true;
  // Every tensor the rule may read: all inputs (a rule reads the ones that need no grad too, e.g. mul's
  // other factor) and the saved ones; the output reaches the rule through the node itself.
  const held: Tensor[] = [];
  for (const t of inputs) if (t && t !== out && !held.includes(t)) held.push(t);
  for (const t of saved) if (t !== out && !held.includes(t)) held.push(t);
  out.gradFn = new GradNode(name, inputs.map((t) => (t && t.requiresGrad ? t : null)), backward, saved, held);
  return out;
}

export function requireFloat(t: Tensor, op: string, arg = 'input'): void {
  if (!isFloating(t.dtype)) {
    throw new TypeError(`${op}: ${arg} must be a floating-point tensor, got ${t.dtype} (shape ${fmtShape(t.shape)}); convert it with .float()`);
  }
}
