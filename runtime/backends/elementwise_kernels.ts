/**
 * The kernels of the elementwise ops, one row per op for every backend: the scalar expression each backend's
 * code generator inlines into its loop (x0, x1 are the operands). Data apart from engine: the CPU backend
 * (cpu/elementwise.ts) compiles `js` into a typed-array loop, the WebGPU backend (webgpu/wgsl.ts) `wgsl` into a
 * compute shader. An op's definition (dtype rule, gradient) is in ops/elementwise_ops.ts; a missing row here is a
 * type error.
 *
 *   js       JavaScript over float64 (the CPU computes in doubles and rounds on store); helper functions such as
 *            erf() and relu() are cpu/elementwise.ts's HELPERS.
 *   wgsl     WGSL over f32 operands (helpers ending in _ are wgsl.ts's, written for lavapipe's accuracy).
 *   wgslInt  WGSL over i32 operands, for integer and bool inputs; without it they are computed in f32.
 * The expression's WGSL type is the op's: bool for predicates and comparisons, else the operands' type.
 */
import type { BinaryOp, UnaryOp } from '../ops/primitives.js';

export interface Kernel {
  readonly js: string;
  readonly wgsl: string;
  readonly wgslInt?: string;
}

export const UNARY_KERNELS: Record<UnaryOp, Kernel> = {
  neg: { js: '-x0', wgsl: '-x0', wgslInt: '-x0' },
  abs: { js: 'Math.abs(x0)', wgsl: 'abs(x0)', wgslInt: 'abs(x0)' },
  // sign(NaN) is 0 in PyTorch ((0 < x) - (x < 0)) and tfjs.
  sign: { js: '(x0 > 0 ? 1 : x0 < 0 ? -1 : 0)', wgsl: 'sign_(x0)', wgslInt: 'sign(x0)' },
  exp: { js: 'Math.exp(x0)', wgsl: 'exp_(x0)' },
  expm1: { js: 'Math.expm1(x0)', wgsl: 'expm1_(x0)' },
  log: { js: 'Math.log(x0)', wgsl: 'log_(x0)' },
  log1p: { js: 'Math.log1p(x0)', wgsl: 'select(log1p_(x0), select(-inf_(), nan_(), x0 < -1.0 || isnan_(x0)), x0 <= -1.0 || isnan_(x0))' },
  log2: { js: 'Math.log2(x0)', wgsl: 'log2_(x0)' },
  sqrt: { js: 'Math.sqrt(x0)', wgsl: 'sqrt_(x0)' },
  rsqrt: { js: '1 / Math.sqrt(x0)', wgsl: '1.0 / sqrt_(x0)' },
  reciprocal: { js: '1 / x0', wgsl: '1.0 / x0' },
  square: { js: 'x0 * x0', wgsl: 'x0 * x0', wgslInt: 'x0 * x0' },
  sin: { js: 'Math.sin(x0)', wgsl: 'sin_(x0)' },
  cos: { js: 'Math.cos(x0)', wgsl: 'cos_(x0)' },
  tan: { js: 'Math.tan(x0)', wgsl: 'tan_(x0)' },
  asin: { js: 'Math.asin(x0)', wgsl: 'asin_(x0)' },
  acos: { js: 'Math.acos(x0)', wgsl: 'acos_(x0)' },
  atan: { js: 'Math.atan(x0)', wgsl: 'atan(x0)' },
  sinh: { js: 'Math.sinh(x0)', wgsl: 'sinh_(x0)' },
  cosh: { js: 'Math.cosh(x0)', wgsl: 'cosh_(x0)' },
  tanh: { js: 'Math.tanh(x0)', wgsl: 'tanh_(x0)' },
  asinh: { js: 'Math.asinh(x0)', wgsl: 'asinh_(x0)' },
  acosh: { js: 'Math.acosh(x0)', wgsl: 'acosh_(x0)' },
  atanh: { js: 'Math.atanh(x0)', wgsl: 'atanh_(x0)' },
  // NOTE: written so large |x| never overflows exp: sigmoid(-1000) is 0, not NaN.
  sigmoid: { js: '(x0 >= 0 ? 1 / (1 + Math.exp(-x0)) : Math.exp(x0) / (1 + Math.exp(x0)))', wgsl: 'sigmoid_(x0)' },
  // NOTE: NaN propagates through relu, as in PyTorch (x0 > 0 is false for NaN).
  // Branch-free in the common case: `+(x > 0)` compiles to a flag set, where `x > 0 ? x : 0` mispredicts on
  // random signs (10x slower). -inf (which gives -inf * 0 = NaN) and NaN are fixed up on the rare path.
  relu: { js: 'relu(x0)', wgsl: 'relu_(x0)', wgslInt: 'max(x0, 0)' },
  floor: { js: 'Math.floor(x0)', wgsl: 'floor(x0)', wgslInt: 'x0' },
  ceil: { js: 'Math.ceil(x0)', wgsl: 'ceil(x0)', wgslInt: 'x0' },
  // torch.round and tf.round both round half to even.
  // WGSL: WGSL's round() rounds half to even, as torch.round and tf.round do.
  round: { js: 'roundHalfEven(x0)', wgsl: 'round(x0)', wgslInt: 'x0' },
  trunc: { js: 'Math.trunc(x0)', wgsl: 'trunc(x0)', wgslInt: 'x0' },
  erf: { js: 'erf(x0)', wgsl: 'erf_(x0)' },
  // Truth is `x != 0`, as PyTorch: NaN is true (JS truthiness would make it false).
  // WGSL: Truth is `x != 0` (NaN is true); `==` is an ordered compare, so negate it rather than use `!=`.
  logicalNot: { js: '+(x0 === 0)', wgsl: 'x0 == 0.0', wgslInt: 'x0 == 0' },
  isnan: { js: '+(x0 !== x0)', wgsl: 'isnan_(x0)', wgslInt: 'false' },
  isinf: { js: '(x0 === Infinity || x0 === -Infinity ? 1 : 0)', wgsl: 'isinf_(x0)', wgslInt: 'false' },
  isfinite: { js: '(Number.isFinite(x0) ? 1 : 0)', wgsl: 'isfinite_(x0)', wgslInt: 'true' },
};

export const BINARY_KERNELS: Record<BinaryOp, Kernel> = {
  add: { js: 'x0 + x1', wgsl: 'x0 + x1', wgslInt: 'x0 + x1' },
  sub: { js: 'x0 - x1', wgsl: 'x0 - x1', wgslInt: 'x0 - x1' },
  mul: { js: 'x0 * x1', wgsl: 'x0 * x1', wgslInt: 'x0 * x1' },
  div: { js: 'x0 / x1', wgsl: 'x0 / x1' },
  pow: { js: 'Math.pow(x0, x1)', wgsl: 'powf_(x0, x1)', wgslInt: 'powi_(x0, x1)' },
  // NaN propagates (torch.maximum semantics), unlike Math.max's argument order quirks with -0.
  // WGSL: NaN propagates from either side (torch.maximum).
  maximum: { js: '(x0 > x1 || x0 !== x0 ? x0 : x1)', wgsl: 'select(x1, x0, x0 > x1 || isnan_(x0))', wgslInt: 'max(x0, x1)' },
  minimum: { js: '(x0 < x1 || x0 !== x0 ? x0 : x1)', wgsl: 'select(x1, x0, x0 < x1 || isnan_(x0))', wgslInt: 'min(x0, x1)' },
  atan2: { js: 'Math.atan2(x0, x1)', wgsl: 'atan2(x0, x1)' },
  floorDivide: { js: 'Math.floor(x0 / x1)', wgsl: 'floor(x0 / x1)', wgslInt: 'floordiv_i(x0, x1)' },
  remainder: { js: 'pyRemainder(x0, x1)', wgsl: 'remainder_(x0, x1)', wgslInt: 'remainder_i(x0, x1)' },
  // `+(a > b)` rather than `a > b ? 1 : 0`: branch-free, ~10x faster on unpredictable data.
  eq: { js: '+(x0 === x1)', wgsl: 'x0 == x1', wgslInt: 'x0 == x1' },
  ne: { js: '+(x0 !== x1)', wgsl: '!(x0 == x1)', wgslInt: 'x0 != x1' },
  lt: { js: '+(x0 < x1)', wgsl: 'x0 < x1', wgslInt: 'x0 < x1' },
  le: { js: '+(x0 <= x1)', wgsl: 'x0 <= x1', wgslInt: 'x0 <= x1' },
  gt: { js: '+(x0 > x1)', wgsl: 'x0 > x1', wgslInt: 'x0 > x1' },
  ge: { js: '+(x0 >= x1)', wgsl: 'x0 >= x1', wgslInt: 'x0 >= x1' },
  logicalAnd: { js: '(+(x0 !== 0) & +(x1 !== 0))', wgsl: '!(x0 == 0.0) && !(x1 == 0.0)', wgslInt: 'x0 != 0 && x1 != 0' },
  logicalOr: { js: '(+(x0 !== 0) | +(x1 !== 0))', wgsl: '!(x0 == 0.0) || !(x1 == 0.0)', wgslInt: 'x0 != 0 || x1 != 0' },
  logicalXor: { js: '(+(x0 !== 0) ^ +(x1 !== 0))', wgsl: '(x0 == 0.0) != (x1 == 0.0)', wgslInt: '(x0 != 0) != (x1 != 0)' },
};
