/**
 * WGSL building blocks: storage types per dtype, the helper functions the `wgsl` expressions of
 * backends/elementwise_kernels.ts call, and the pick of an op's float or integer form (the GPU counterpart of
 * cpu/elementwise.ts, with the same PyTorch semantics).
 *
 * Storage: float32 → f32, int32 → i32, bool → u32 (WGSL has no 8-bit storage; 0 or 1 per element).
 * Expressions compute in f32 for float inputs and in i32 for int32/bool inputs where an integer form exists
 * (add, mul, comparisons...); other ops on integers go through f32, as the CPU computes them in doubles.
 */
import type { DType } from '../../dtype.js';
import { COMPARISON_OPS, PREDICATE_OPS, type BinaryOp, type UnaryOp } from '../../ops/primitives.js';
import { BINARY_KERNELS, UNARY_KERNELS, type Kernel } from '../elementwise_kernels.js';

export type Scalar = 'f32' | 'i32' | 'u32';

export function storageType(dtype: DType): Scalar {
  switch (dtype) {
    case 'float32': return 'f32';
    case 'int32': return 'i32';
    case 'bool': return 'u32';
    case 'float64':
      throw new TypeError("webgpu: float64 is not supported on the GPU (WGSL has no f64); convert with .float() first, or keep the tensor on 'cpu'");
  }
}

/** The type expressions compute in for a dtype. */
export function computeType(dtype: DType): 'f32' | 'i32' {
  return dtype === 'float32' ? 'f32' : 'i32';
}

/** Loads element `idx` of binding `name` (storage type of `dtype`) as the compute type `to`. */
export function load(name: string, idx: string, dtype: DType, to: 'f32' | 'i32'): string {
  const s = storageType(dtype);
  return s === to ? `${name}[${idx}]` : `${to}(${name}[${idx}])`;
}

/** Converts a value of type `from` ('f32' | 'i32' | 'bool') to the storage type of `dtype`. */
export function store(v: string, from: 'f32' | 'i32' | 'bool', dtype: DType): string {
  const s = storageType(dtype);
  if (from === 'bool') return s === 'u32' ? `select(0u, 1u, ${v})` : `select(${s}(0), ${s}(1), ${v})`;
  if (s === 'u32') return `select(0u, 1u, !(${v} == ${from}(0)))`; // truthiness is `!= 0`; NaN is true
  if (s === 'i32' && from === 'f32') return `f2i(${v})`;
  return s === from ? v : `${s}(${v})`;
}

/**
 * Helpers every elementwise shader includes. Special values are built from bit patterns at run time: WGSL
 * has no inf/NaN literals, and a constant expression that overflows is a shader-creation error.
 */
export const HELPERS = /* wgsl */ `
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isinf_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn isfinite_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn nan_() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }
fn inf_() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
// Truncation toward zero like Math.trunc; NaN gives 0 and out-of-range values saturate (as typed arrays wrap
// instead, only in-range values are specified anyway).
fn f2i(x: f32) -> i32 { if (isnan_(x)) { return 0; } return i32(clamp(trunc(x), -2147483648.0, 2147483520.0)); }
fn exp_(x: f32) -> f32 { return expScaled_(x, 0); }
/** exp(x) * 2^k without rounding x + k ln2 first (sinh/cosh of large x). */
fn expScaled_(x: f32, k: i32) -> f32 {
  // exp(x) = 2^n * exp(r) with r = x - n ln2 split in two parts (Cody-Waite): the builtin's exp2(x log2 e)
  // loses ~|x| ulps for large x. ldexp in two halves so 2^n never overflows before the product does.
  if (isnan_(x)) { return x; }
  if (x > 89.5) { return inf_(); }
  if (x < -104.0) { return 0.0; }
  let n = round(x * 1.4426950408889634);
  let r = (x - n * 0.693145751953125) - n * 1.428606765330187e-06;
  let ni = i32(n) + k;
  let h = ni / 2;
  return ldexp(ldexp(exp(r), h), ni - h);
}
fn expm1_(x: f32) -> f32 {
  // exp(x) - 1 cancels for small x; u - 1 scaled by x / log(u) recovers the lost bits (Kahan's trick).
  let u = exp_(x);
  if (abs(x) > 0.5) { return u - 1.0; }
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  if (isinf_(u)) { return u; }
  return um1 * x / log(u);
}
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (isinf_(u)) { return log(u); }
  return log(u) * x / (u - 1.0);
}
fn tanh_(x: f32) -> f32 {
  let a = abs(x);
  if (isnan_(x)) { return x; }
  if (a > 10.0) { return sign(x); }
  let t = expm1_(-2.0 * a);
  return sign(x) * (-t / (2.0 + t));
}
fn sinh_(x: f32) -> f32 {
  let a = abs(x);
  if (a < 1.0) { let e = expm1_(a); return sign(x) * 0.5 * (e + e / (e + 1.0)); }
  // exp(a - ln 2) = exp(a)/2 without overflowing one step early.
  return sign(x) * (expScaled_(a, -1) - expScaled_(-a, -1));
}
fn cosh_(x: f32) -> f32 {
  let a = abs(x);
  return expScaled_(a, -1) + expScaled_(-a, -1);
}
fn asinh_(x: f32) -> f32 {
  let a = abs(x);
  if (a > 1e18) { return sign(x) * (log(a) + 0.6931471805599453); }
  return sign(x) * log1p_(a + a * a / (1.0 + sqrt(1.0 + a * a)));
}
fn acosh_(x: f32) -> f32 {
  if (x < 1.0) { return nan_(); }
  if (x > 1e18) { return log(x) + 0.6931471805599453; }
  let t = x - 1.0;
  return log1p_(t + sqrt(2.0 * t + t * t));
}
fn atanh_(x: f32) -> f32 {
  if (abs(x) > 1.0) { return nan_(); }
  if (abs(x) == 1.0) { return sign(x) * inf_(); }
  return 0.5 * log1p_(2.0 * x / (1.0 - x));
}
// Through atan2: lavapipe's asin/acos builtins are only ~4e-4 accurate; atan2 is accurate to a few ulps.
fn asin_(x: f32) -> f32 { if (abs(x) > 1.0 || isnan_(x)) { return nan_(); } return atan2(x, sqrt((1.0 - x) * (1.0 + x))); }
fn acos_(x: f32) -> f32 { if (abs(x) > 1.0 || isnan_(x)) { return nan_(); } return atan2(sqrt((1.0 - x) * (1.0 + x)), x); }
// sin/cos/tan after a Cody-Waite reduction by pi/2 (three-part constant): exact enough for |x| up to ~1e5.
// Larger arguments would need Payne-Hanek reduction, which this backend does not implement.
fn reduceHalfPi(x: f32) -> vec2<f32> {
  let k = round(x * 0.6366197723675814);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703e-04) - k * 7.549789948768648e-08;
  return vec2<f32>(r, k);
}
fn sin_(x: f32) -> f32 {
  if (!isfinite_(x)) { return nan_(); }
  let q = reduceHalfPi(x);
  let k = i32(q.y) & 3;
  if (k == 0) { return sin(q.x); } if (k == 1) { return cos(q.x); } if (k == 2) { return -sin(q.x); }
  return -cos(q.x);
}
fn cos_(x: f32) -> f32 {
  if (!isfinite_(x)) { return nan_(); }
  let q = reduceHalfPi(x);
  let k = i32(q.y) & 3;
  if (k == 0) { return cos(q.x); } if (k == 1) { return -sin(q.x); } if (k == 2) { return -cos(q.x); }
  return sin(q.x);
}
fn tan_(x: f32) -> f32 {
  if (!isfinite_(x)) { return nan_(); }
  let q = reduceHalfPi(x);
  if ((i32(q.y) & 1) == 1) { return -cos(q.x) / sin(q.x); }
  return sin(q.x) / cos(q.x);
}
fn log_(x: f32) -> f32 {
  if (x < 0.0 || isnan_(x)) { return nan_(); }
  if (x == 0.0) { return -inf_(); }
  return log(x);
}
fn log2_(x: f32) -> f32 {
  if (x < 0.0 || isnan_(x)) { return nan_(); }
  if (x == 0.0) { return -inf_(); }
  return log2(x);
}
fn sqrt_(x: f32) -> f32 { if (x < 0.0) { return nan_(); } return sqrt(x); }
fn sign_(x: f32) -> f32 { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); }
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp_(-x)); }
  let e = exp_(x);
  return e / (1.0 + e);
}
fn relu_(x: f32) -> f32 { if (isnan_(x)) { return x; } return select(0.0, x, x > 0.0); }
fn erf_(x: f32) -> f32 {
  // Abramowitz-Stegun 7.1.26 refined: max abs error ~1.5e-7, within float32 tolerance.
  let a = abs(x);
  if (isnan_(x)) { return x; }
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp_(-a * a);
  if (a < 1e-3) { return x * 1.1283791670955126; }
  return sign(x) * y;
}
fn powf_(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) { return 1.0; }
  if (isnan_(x) || isnan_(y)) { return nan_(); }
  let yi = trunc(y);
  if (yi == y && abs(y) <= 64.0) {
    // Integer exponents by repeated squaring: exact sign for negative bases, no exp/log rounding.
    var n = i32(abs(y)); var b = x; var r = 1.0;
    loop { if (n == 0) { break; } if ((n & 1) == 1) { r = r * b; } b = b * b; n = n >> 1u; }
    if (y < 0.0) { return 1.0 / r; }
    return r;
  }
  if (x < 0.0) {
    if (isinf_(y)) { return select(0.0, inf_(), (abs(x) > 1.0) == (y > 0.0)); }
    if (yi != y) { return nan_(); }
    // |y| > 64 integer: odd exponents keep the sign.
    let m = exp2(y * log2(-x));
    return select(m, -m, abs(yi % 2.0) == 1.0);
  }
  if (x == 0.0) { return select(0.0, inf_(), y < 0.0); }
  if (isinf_(x)) { return select(0.0, inf_(), y > 0.0); }
  return exp2(y * log2(x));
}
fn fmod_(a: f32, b: f32) -> f32 {
  if (b == 0.0 || isinf_(a) || isnan_(a) || isnan_(b)) { return nan_(); }
  if (isinf_(b)) { return a; }
  return a - b * trunc(a / b);
}
fn remainder_(a: f32, b: f32) -> f32 {
  if (isinf_(b) && isfinite_(a)) {
    // Python: a % inf is a for a >= 0 with the same sign, else inf (signs differ).
    if (a == 0.0 || (a < 0.0) == (b < 0.0)) { return a; }
    return b;
  }
  let r = fmod_(a, b);
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; }
  return r;
}
fn floordiv_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}
fn remainder_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) { return r + b; }
  return r;
}
fn powi_(x: i32, y: i32) -> i32 {
  if (y < 0) { return select(0, 1, x == 1) + select(0, select(-1, 1, (y & 1) == 0), x == -1); }
  var n = y; var b = x; var r = 1;
  loop { if (n == 0) { break; } if ((n & 1) == 1) { r = r * b; } b = b * b; n = n >> 1u; }
  return r;
}
`;

type Expr = { e: string; type: 'f32' | 'i32' | 'bool' };

/**
 * The expression of a unary op (backends/elementwise_kernels.ts) for an input dtype, with the type its operand
 * must be loaded as: the integer form for non-f32 inputs where there is one, else f32.
 */
export function unaryExpr(op: UnaryOp, inDtype: DType): Expr & { operand: 'f32' | 'i32' } {
  return pick(UNARY_KERNELS[op], inDtype, PREDICATE_OPS.has(op));
}

export function binaryExpr(op: BinaryOp, inDtype: DType): Expr & { operand: 'f32' | 'i32' } {
  return pick(BINARY_KERNELS[op], inDtype, COMPARISON_OPS.has(op));
}

function pick(k: Kernel, inDtype: DType, boolResult: boolean): Expr & { operand: 'f32' | 'i32' } {
  const operand = inDtype !== 'float32' && k.wgslInt !== undefined ? 'i32' : 'f32';
  return { e: operand === 'i32' ? k.wgslInt! : k.wgsl, type: boolResult ? 'bool' : operand, operand };
}
