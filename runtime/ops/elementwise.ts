/** Elementwise ops on the Unary/Binary/Where primitives, each with its gradient beside it. */
import { type DType, isFloating } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes } from '../shape.js';
import type { BinaryOp, UnaryOp } from './primitives.js';
import { COMPARISON_OPS, PREDICATE_OPS } from './primitives.js';
import { backendOf, binaryOperands, castTo, checkTensor, record, type TensorLike, type Scalar } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { sumTo } from './view.js';
import { noGrad } from '../autograd/grad_mode.js';

/** Gradient rules for unary ops: (x, y = op(x), g) → dL/dx, written with differentiable ops. */
export const UNARY_GRAD: Partial<Record<UnaryOp, (x: Tensor, y: Tensor, g: Tensor) => Tensor>> = {
  neg: (_x, _y, g) => g.neg(),
  abs: (x, _y, g) => g.mul(x.sign()),
  exp: (_x, y, g) => g.mul(y),
  expm1: (_x, y, g) => g.mul(y.add(1)),
  log: (x, _y, g) => g.div(x),
  log1p: (x, _y, g) => g.div(x.add(1)),
  log2: (x, _y, g) => g.div(x.mul(Math.LN2)),
  sqrt: (_x, y, g) => g.div(y.mul(2)),
  rsqrt: (_x, y, g) => g.mul(y.pow(3)).mul(-0.5),
  reciprocal: (_x, y, g) => g.mul(y.square()).neg(),
  square: (x, _y, g) => g.mul(x).mul(2),
  sin: (x, _y, g) => g.mul(x.cos()),
  cos: (x, _y, g) => g.mul(x.sin()).neg(),
  tan: (_x, y, g) => g.mul(y.square().add(1)),
  asin: (x, _y, g) => g.mul(x.square().neg().add(1).rsqrt()),
  acos: (x, _y, g) => g.mul(x.square().neg().add(1).rsqrt()).neg(),
  atan: (x, _y, g) => g.div(x.square().add(1)),
  sinh: (x, _y, g) => g.mul(x.cosh()),
  cosh: (x, _y, g) => g.mul(x.sinh()),
  tanh: (_x, y, g) => g.mul(y.square().neg().add(1)),
  asinh: (x, _y, g) => g.mul(x.square().add(1).rsqrt()),
  acosh: (x, _y, g) => g.mul(x.square().sub(1).rsqrt()),
  atanh: (x, _y, g) => g.div(x.square().neg().add(1)),
  sigmoid: (_x, y, g) => g.mul(y.mul(y.neg().add(1))),
  // NOTE: the gradient at exactly 0 is 0, as PyTorch and tfjs (x > 0, not x >= 0).
  relu: (x, _y, g) => thresholdBackward(g, x, 0),
  erf: (x, _y, g) => g.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI))),
  // Piecewise-constant functions have zero gradient almost everywhere.
  sign: (_x, _y, g) => g.mul(0),
  floor: (_x, _y, g) => g.mul(0),
  ceil: (_x, _y, g) => g.mul(0),
  round: (_x, _y, g) => g.mul(0),
  trunc: (_x, _y, g) => g.mul(0),
};

const FLOAT_ONLY: ReadonlySet<UnaryOp> = new Set([
  'exp', 'expm1', 'log', 'log1p', 'log2', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid', 'erf',
]);

export function unary(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(x, op);
  let outDtype: DType = x.dtype;
  if (PREDICATE_OPS.has(op)) outDtype = 'bool';
  else if (FLOAT_ONLY.has(op) && !isFloating(x.dtype)) {
    // PyTorch promotes integer inputs of transcendental functions to the default float dtype.
    x = castTo(x, 'float32');
    outDtype = 'float32';
  } else if (x.dtype === 'bool' && op !== 'logicalNot') {
    x = castTo(x, 'int32');
    outDtype = 'int32';
  }
  const out = backendOf(x).unary(op, x, outDtype);
  if (activeTracer !== null) traceOp(out, 'Unary', [x], { op });
  const rule = UNARY_GRAD[op];
  if (rule && isFloating(outDtype)) return record(out, capital(op), [x], (g) => [rule(x, out, g)], [x, out]);
  return out;
}

function capital(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/** Gradient rules for binary ops: (a, b, y, g) → [dL/da, dL/db] before un-broadcasting. */
/**
 * Each side's gradient as a thunk, so backward computes only what an input needs: `x / 2` or a loss divided by a
 * constant count would otherwise spend kernels on the gradient of a constant (4 of the seed MLP's cross-entropy
 * mean).
 */
type Grads = [(() => Tensor) | null, (() => Tensor) | null];

/** A shared term of both sides' gradients, computed at most once. */
function once(f: () => Tensor): () => Tensor {
  let v: Tensor | null = null;
  return () => (v ??= f());
}

export const BINARY_GRAD: Partial<Record<BinaryOp, (a: Tensor, b: Tensor, y: Tensor, g: Tensor) => Grads>> = {
  add: (_a, _b, _y, g) => [() => g, () => g],
  sub: (_a, _b, _y, g) => [() => g, () => g.neg()],
  mul: (a, b, _y, g) => [() => g.mul(b), () => g.mul(a)],
  div: (a, b, _y, g) => [() => g.div(b), () => g.mul(a).div(b.square()).neg()],
  pow: (a, b, y, g) => [
    () => g.mul(b).mul(a.pow(b.sub(1))),
    // NOTE: d/db a^b = a^b ln a; defined as 0 where a == 0 (PyTorch's convention) instead of NaN.
    () => g.mul(y).mul(where(a.eq(0), 0, a.log())),
  ],
  // Ties split the gradient evenly, as PyTorch's maximum/minimum.
  maximum: (a, b, _y, g) => {
    const w = once(() => a.gt(b).add(a.eq(b).mul(0.5)));
    return [() => g.mul(w()), () => g.mul(w().neg().add(1))];
  },
  minimum: (a, b, _y, g) => {
    const w = once(() => a.lt(b).add(a.eq(b).mul(0.5)));
    return [() => g.mul(w()), () => g.mul(w().neg().add(1))];
  },
  atan2: (a, b, _y, g) => {
    const d = once(() => a.square().add(b.square()));
    return [() => g.mul(b).div(d()), () => g.mul(a).neg().div(d())];
  },
  remainder: (a, b, _y, g) => [() => g, () => g.mul(a.div(b).floor()).neg()],
  floorDivide: (_a, _b, _y, g) => [() => g.mul(0), () => g.mul(0)],
};

export function binary(op: BinaryOp, aIn: TensorLike, bIn: TensorLike): Tensor {
  let [a, b, dt] = binaryOperands(aIn, bIn, op);
  const shape = broadcastShapes(a.shape, b.shape, op);
  let outDtype: DType = dt;
  if (COMPARISON_OPS.has(op)) outDtype = 'bool';
  else if (op === 'div' || op === 'atan2' || (op === 'pow' && dt !== 'float64' && !isFloating(dt) && hasNegative(b))) {
    // True division (and atan2) of integers gives float32, as in PyTorch.
    if (!isFloating(dt)) { a = castTo(a, 'float32'); b = castTo(b, 'float32'); dt = outDtype = 'float32'; }
  } else if (dt === 'bool') {
    // PyTorch keeps bool ⊕ bool in bool: add is logical or, mul logical and; sub is an error.
    if (op === 'add') return binary('logicalOr', a, b);
    if (op === 'mul') return binary('logicalAnd', a, b);
    if (op === 'sub') throw new TypeError('sub: subtraction of two bool tensors is not supported; use logicalXor, or convert with .int()');
    if (op === 'pow' || op === 'remainder' || op === 'floorDivide') { a = castTo(a, 'int32'); b = castTo(b, 'int32'); dt = outDtype = 'int32'; }
  }
  // NOTE: checked where values are host-readable; on the GPU a read would stall the queue (the kernel gives 0).
  if (dt === 'int32' && (op === 'floorDivide' || op === 'remainder') && b.storage.device === 'cpu' && noGrad(() => b.eq(0).any().item() !== 0)) {
    throw new RangeError(`${op}: integer division by zero (other has a 0); convert to float with .float() for inf/nan results`);
  }
  const out = backendOf(a).binary(op, a, b, shape, outDtype);
  if (activeTracer !== null) traceOp(out, 'Binary', [a, b], { op });
  const rule = BINARY_GRAD[op];
  if (!rule || !isFloating(outDtype)) return out;
  const aShape = a.shape, bShape = b.shape;
  const saved = op === 'add' || op === 'sub' ? [] : op === 'pow' ? [a, b, out] : [a, b];
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
