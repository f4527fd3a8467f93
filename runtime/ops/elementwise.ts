/**
 * The elementwise engine: dispatch of the Unary/Binary primitives by the definitions in elementwise_ops.ts (dtype
 * rule, gradient), and the ops that are not a definition there: where, clamp, ReLU's gradient.
 */
import { type DType, isFloating } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes } from '../shape.js';
import * as OPS from './elementwise_ops.js';
import { backendOf, binaryOperands, castTo, checkTensor, record, type TensorLike, type Scalar } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { sumTo } from './view.js';
import { noGrad } from '../autograd/grad_mode.js';

/** The result dtype of an op, from its inputs' promoted dtype. */
type UnaryDtype = 'same' | 'float' | 'bool';
type BinaryDtype = UnaryDtype | 'pow';

export interface UnaryDef {
  /**
   * 'same' (the default; bool input gives int32), 'float' (integer inputs are promoted to float32, as PyTorch's
   * transcendental functions), 'bool' (a predicate).
   */
  dtype?: UnaryDtype;
  /** dL/dx from (x, y = op(x), g); absent for ops without a gradient (bool results). */
  grad?: (x: Tensor, y: Tensor, g: Tensor) => Tensor;
}

/** Each side's gradient as a thunk, so backward computes only what an input needs. */
export type Grads = [(() => Tensor) | null, (() => Tensor) | null];

export interface BinaryDef {
  /** As UnaryDef's, plus 'pow': integers with a negative exponent give float32 (PyTorch raises; see hasNegative). */
  dtype?: BinaryDtype;
  /**
   * Two bool operands: kept bool by default; or the logical op PyTorch uses (add is or, mul is and), int32, or an
   * error (sub).
   */
  onBool?: 'logicalOr' | 'logicalAnd' | 'int32' | 'error';
  /** Integer division: an int32 divisor holding 0 is an error, where values are host-readable. */
  intDivision?: true;
  /** [dL/da, dL/db] from (a, b, y, g), before un-broadcasting. */
  grad?: (a: Tensor, b: Tensor, y: Tensor, g: Tensor) => Grads;
  /** What backward keeps alive: both inputs (the default), nothing, or the inputs and the output. */
  saves?: 'none' | 'inputs' | 'all';
}

export type UnaryFn<N extends string = string> = ((x: Tensor) => Tensor) & { readonly opName: N; readonly unaryDef: UnaryDef };
export type BinaryFn<N extends string = string> = ((a: TensorLike, b: TensorLike) => Tensor) & { readonly opName: N; readonly binaryDef: BinaryDef };

type Ops = typeof OPS;
// NOTE: matched on the brand property alone: comparing the call signatures would compare a scalar with Tensor,
// whose methods are themselves derived from these unions (a cycle TypeScript reports).
/** The names of the unary ops: elementwise_ops.ts's exports that are unary. */
export type UnaryOp = { [K in keyof Ops]: Ops[K] extends { readonly unaryDef: UnaryDef; readonly opName: infer N } ? N : never }[keyof Ops];
/** The names of the binary ops. */
export type BinaryOp = { [K in keyof Ops]: Ops[K] extends { readonly binaryDef: BinaryDef; readonly opName: infer N } ? N : never }[keyof Ops];

// NOTE: function declarations, and touching no module-level binding when called: elementwise_ops.ts calls them
// while this module may still be waiting for its imports (the two import each other).
/** Declares a unary op: the function `torch.<name>` is; the Tensor method and the primitive list derive from it. */
export function unaryOp<N extends string>(name: N, def: UnaryDef): UnaryFn<N> {
  return Object.assign((x: Tensor) => unary(name as unknown as UnaryOp, x), { opName: name, unaryDef: def });
}

/** Declares a binary op (see unaryOp). */
export function binaryOp<N extends string>(name: N, def: BinaryDef): BinaryFn<N> {
  return Object.assign((a: TensorLike, b: TensorLike) => binary(name as unknown as BinaryOp, a, b), { opName: name, binaryDef: def });
}

/** The definitions by name (read when called, never at import: this module and elementwise_ops.ts import each other). */
function opTable(): Record<string, Partial<UnaryFn & BinaryFn> | undefined> {
  return OPS as unknown as Record<string, Partial<UnaryFn & BinaryFn> | undefined>;
}

export function unaryDef(op: string): UnaryDef {
  const d = opTable()[op]?.unaryDef;
  if (!d) throw new TypeError(`unary: '${op}' is not a unary op (see runtime/ops/elementwise_ops.ts)`);
  return d;
}

export function binaryDef(op: string): BinaryDef {
  const d = opTable()[op]?.binaryDef;
  if (!d) throw new TypeError(`binary: '${op}' is not a binary op (see runtime/ops/elementwise_ops.ts)`);
  return d;
}

/** Every elementwise op, in definition order. */
export function elementwiseOps(): { unary: UnaryOp[]; binary: BinaryOp[] } {
  const fns = Object.values(opTable());
  return {
    unary: fns.filter((f) => f?.unaryDef).map((f) => f!.opName as UnaryOp),
    binary: fns.filter((f) => f?.binaryDef).map((f) => f!.opName as BinaryOp),
  };
}

export function unary(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(x, op);
  const def = unaryDef(op);
  let outDtype: DType = x.dtype;
  if (def.dtype === 'bool') outDtype = 'bool';
  else if (def.dtype === 'float' && !isFloating(x.dtype)) {
    x = castTo(x, 'float32');
    outDtype = 'float32';
  } else if (x.dtype === 'bool') {
    x = castTo(x, 'int32');
    outDtype = 'int32';
  }
  const out = backendOf(x).unary(op, x, outDtype);
  if (activeTracer !== null) traceOp(out, 'Unary', [x], { op });
  const rule = def.grad;
  if (rule && isFloating(outDtype)) return record(out, capital(op), [x], (g) => [rule(x, out, g)], [x, out]);
  return out;
}

function capital(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/** A shared term of both sides' gradients, computed at most once. */
export function once(f: () => Tensor): () => Tensor {
  let v: Tensor | null = null;
  return () => (v ??= f());
}

export function binary(op: BinaryOp, aIn: TensorLike, bIn: TensorLike): Tensor {
  const def = binaryDef(op);
  let [a, b, dt] = binaryOperands(aIn, bIn, op);
  const shape = broadcastShapes(a.shape, b.shape, op);
  let outDtype: DType = dt;
  if (def.dtype === 'bool') outDtype = 'bool';
  else if (!isFloating(dt) && (def.dtype === 'float' || (def.dtype === 'pow' && hasNegative(b)))) {
    a = castTo(a, 'float32'); b = castTo(b, 'float32'); dt = outDtype = 'float32';
  } else if (dt === 'bool' && def.onBool) {
    if (def.onBool === 'error') throw new TypeError(`${op}: two bool tensors are not supported; use logicalXor, or convert with .int()`);
    if (def.onBool === 'int32') { a = castTo(a, 'int32'); b = castTo(b, 'int32'); dt = outDtype = 'int32'; }
    else return binary(def.onBool, a, b);
  }
  // NOTE: checked where values are host-readable; on the GPU a read would stall the queue (the kernel gives 0).
  if (def.intDivision && dt === 'int32' && b.storage.device === 'cpu' && noGrad(() => b.eq(0).any().item() !== 0)) {
    throw new RangeError(`${op}: integer division by zero (other has a 0); convert to float with .float() for inf/nan results`);
  }
  const out = backendOf(a).binary(op, a, b, shape, outDtype);
  if (activeTracer !== null) traceOp(out, 'Binary', [a, b], { op });
  const rule = def.grad;
  if (!rule || !isFloating(outDtype)) return out;
  const aShape = a.shape, bShape = b.shape;
  const saves = def.saves ?? 'inputs';
  const saved = saves === 'none' ? [] : saves === 'all' ? [a, b, out] : [a, b];
  return record(out, capital(op), [a, b], (g) => {
    const [ga, gb] = rule(a, b, out, g);
    return [ga && a.requiresGrad ? sumTo(ga(), aShape) : null, gb && b.requiresGrad ? sumTo(gb(), bShape) : null];
  }, saved);
}

function hasNegative(b: Tensor): boolean {
  // Integer pow with a negative exponent is an error in PyTorch; we give the float result instead.
  // NOTE: on the GPU the values are not host-readable; the integer kernel then gives C's 1/x^n (0 or ±1).
  if (b.storage.device !== 'cpu') return false;
  return noGrad(() => b.lt(0).any().item() !== 0);
}

export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor(cond, 'where', 'condition');
  const c = castTo(cond, 'bool');
  let ta: Tensor, tb: Tensor;
  if (a instanceof Tensor || b instanceof Tensor) [ta, tb] = binaryOperands(a, b, 'where');
  else {
    // Two JS scalars: bool if both are booleans, int32 if both are integers, else float32 (PyTorch's result_type).
    const dt: DType = typeof a === 'boolean' && typeof b === 'boolean' ? 'bool'
      : Number.isInteger(Number(a)) && Number.isInteger(Number(b)) ? 'int32' : 'float32';
    ta = backendOf(c).full([], Number(a as Scalar), dt);
    tb = backendOf(c).full([], Number(b as Scalar), dt);
  }
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape, 'where', ['condition', 'input']), tb.shape, 'where', ['condition/input', 'other']);
  const out = backendOf(ta).where(c, ta, tb, shape);
  if (activeTracer !== null) traceOp(out, 'Where', [c, ta, tb]);
  const aShape = ta.shape, bShape = tb.shape;
  return record(out, 'Where', [ta, tb], (g) => {
    // NOTE: zerosLike, not g * 0: an inf in g must not become NaN in the branch that gets no gradient.
    const zero = g.zerosLike();
    return [ta.requiresGrad ? sumTo(where(c, g, zero), aShape) : null, tb.requiresGrad ? sumTo(where(c, zero, g), bShape) : null];
  }, [c]);
}

/**
 * ReLU's gradient, PyTorch's threshold_backward: grad where x > threshold, else 0 (NaN in x gives 0).
 * One kernel where the backend has the optional hook; otherwise where(x > threshold, grad, 0) (where(), not
 * grad·(x > threshold): no bool → float cast). Differentiable in grad, for double backward.
 */
export function thresholdBackward(grad: Tensor, x: Tensor, threshold: number): Tensor {
  const be = backendOf(x);
  if (!be.thresholdBackward || grad.dtype !== x.dtype) return where(x.gt(threshold), grad, 0);
  const shape = broadcastShapes(grad.shape, x.shape, 'thresholdBackward', ['grad', 'input']);
  const out = be.thresholdBackward(grad, x, threshold, shape);
  const gShape = grad.shape;
  return record(out, 'ThresholdBackward', [grad], (gg) => [sumTo(thresholdBackward(gg, x, threshold), gShape)], [x]);
}

/** clamp(min?, max?) with PyTorch's gradient: 1 inside [min, max], 0 outside. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor(x, 'clamp');
  if (min == null && max == null) throw new TypeError("clamp: at least one of 'min' or 'max' must not be null");
  let y = x;
  if (min != null) y = where(y.lt(min), castScalarLike(min, x), y);
  if (max != null) y = where(y.gt(max), castScalarLike(max, x), y);
  return y;
}

function castScalarLike(v: number, x: Tensor): Tensor {
  return backendOf(x).full([], v, isFloating(x.dtype) || Number.isInteger(v) ? x.dtype : 'float32');
}
