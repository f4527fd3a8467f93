/** Unary elementwise ops: one random case in the op's domain (vs tfjs, with gradcheck) and one edge-value case. */
import type { OpCase, Tf, TfTensor } from '../../support/op_case.js';
import type { TorchApi } from '../../support/torch_api.js';
import type { TensorSpec } from '../../support/specs.js';
import { f32, boolean, i32, vals } from '../../support/specs.js';
import { erf, map, roundHalfEven, torchSign } from '../../support/reference.js';
import type { Tensor } from '../../../runtime/tensor.js';
import type { UnaryOp } from '../../../runtime/ops/primitives.js';

interface UnarySpec {
  op: UnaryOp;
  /** float64 definition (PyTorch's semantics, IEEE where it matters). */
  f: (v: number) => number;
  tfjs?: (tf: Tf, x: TfTensor) => TfTensor;
  /** Input domain for the random case. */
  range?: [number, number];
  /** Points to stay away from in the random case (kinks, discontinuities). */
  awayFrom?: number[];
  /** Distance kept from `awayFrom` (default 0.05; 0.02 next to integers). */
  margin?: number;
  grad?: boolean;
}

const halfIntegers = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5];
const integers = [-4, -3, -2, -1, 0, 1, 2, 3, 4];

const UNARY: UnarySpec[] = [
  { op: 'neg', f: (v) => -v, tfjs: (tf, x) => tf.neg(x), grad: true },
  { op: 'abs', f: Math.abs, tfjs: (tf, x) => tf.abs(x), awayFrom: [0], grad: true },
  { op: 'sign', f: torchSign, tfjs: (tf, x) => tf.sign(x), awayFrom: [0], grad: true },
  { op: 'exp', f: Math.exp, tfjs: (tf, x) => tf.exp(x), range: [-3, 3], grad: true },
  { op: 'expm1', f: Math.expm1, tfjs: (tf, x) => tf.expm1(x), range: [-3, 3], grad: true },
  { op: 'log', f: Math.log, tfjs: (tf, x) => tf.log(x), range: [0.1, 4], grad: true },
  { op: 'log1p', f: Math.log1p, tfjs: (tf, x) => tf.log1p(x), range: [-0.9, 4], grad: true },
  // tfjs has no log2.
  { op: 'log2', f: Math.log2, range: [0.1, 4], grad: true },
  { op: 'sqrt', f: Math.sqrt, tfjs: (tf, x) => tf.sqrt(x), range: [0.1, 4], grad: true },
  { op: 'rsqrt', f: (v) => 1 / Math.sqrt(v), tfjs: (tf, x) => tf.rsqrt(x), range: [0.1, 4], grad: true },
  { op: 'reciprocal', f: (v) => 1 / v, tfjs: (tf, x) => tf.reciprocal(x), awayFrom: [0], margin: 0.3, grad: true },
  { op: 'square', f: (v) => v * v, tfjs: (tf, x) => tf.square(x), grad: true },
  { op: 'sin', f: Math.sin, tfjs: (tf, x) => tf.sin(x), range: [-4, 4], grad: true },
  { op: 'cos', f: Math.cos, tfjs: (tf, x) => tf.cos(x), range: [-4, 4], grad: true },
  { op: 'tan', f: Math.tan, tfjs: (tf, x) => tf.tan(x), range: [-1.2, 1.2], grad: true },
  { op: 'asin', f: Math.asin, tfjs: (tf, x) => tf.asin(x), range: [-0.9, 0.9], grad: true },
  { op: 'acos', f: Math.acos, tfjs: (tf, x) => tf.acos(x), range: [-0.9, 0.9], grad: true },
  { op: 'atan', f: Math.atan, tfjs: (tf, x) => tf.atan(x), range: [-4, 4], grad: true },
  { op: 'sinh', f: Math.sinh, tfjs: (tf, x) => tf.sinh(x), range: [-3, 3], grad: true },
  { op: 'cosh', f: Math.cosh, tfjs: (tf, x) => tf.cosh(x), range: [-3, 3], grad: true },
  { op: 'tanh', f: Math.tanh, tfjs: (tf, x) => tf.tanh(x), range: [-3, 3], grad: true },
  { op: 'asinh', f: Math.asinh, tfjs: (tf, x) => tf.asinh(x), range: [-4, 4], grad: true },
  { op: 'acosh', f: Math.acosh, tfjs: (tf, x) => tf.acosh(x), range: [1.1, 4], grad: true },
  { op: 'atanh', f: Math.atanh, tfjs: (tf, x) => tf.atanh(x), range: [-0.9, 0.9], grad: true },
  { op: 'sigmoid', f: (v) => 1 / (1 + Math.exp(-v)), tfjs: (tf, x) => tf.sigmoid(x), range: [-6, 6], grad: true },
  { op: 'relu', f: (v) => (v > 0 ? v : Number.isNaN(v) ? v : 0), tfjs: (tf, x) => tf.relu(x), awayFrom: [0], grad: true },
  { op: 'floor', f: Math.floor, tfjs: (tf, x) => tf.floor(x), range: [-4, 4], awayFrom: integers, grad: true },
  { op: 'ceil', f: Math.ceil, tfjs: (tf, x) => tf.ceil(x), range: [-4, 4], awayFrom: integers, grad: true },
  { op: 'round', f: roundHalfEven, tfjs: (tf, x) => tf.round(x), range: [-4, 4], awayFrom: halfIntegers, grad: true },
  // tfjs has no trunc.
  { op: 'trunc', f: Math.trunc, range: [-4, 4], awayFrom: integers, grad: true },
  // tfjs's erf is the 1.5e-7 Abramowitz-Stegun approximation: within float32 tolerance.
  { op: 'erf', f: erf, tfjs: (tf, x) => tf.erf(x), range: [-3, 3], grad: true },
];

/** Values where implementations differ: signed zeros, overflow of exp/sinh, saturation of sigmoid/tanh, NaN, ±inf. */
const EDGE = [0, -0, 1, -1, 0.5, -0.5, 3, -3, 10, -10, 88, -88, 89, -89, 100, -100, 1e30, -1e30, NaN, Infinity, -Infinity];

function unaryCases(u: UnarySpec): OpCase[] {
  const run = (_t: unknown, x: Tensor) => (x as unknown as Record<string, () => Tensor>)[u.op]();
  // The edge case goes through the function form, torch.exp(x), so both entry points are covered.
  const runFn = (t: TorchApi, x: Tensor) => (t as unknown as Record<string, (x: Tensor) => Tensor>)[u.op](x);
  const reference = (x: Parameters<typeof map>[0]) => map(x, u.f, 'float32');
  const spec: TensorSpec = f32([3, 5], { range: u.range, awayFrom: u.awayFrom, margin: u.margin ?? (u.awayFrom === halfIntegers || u.awayFrom === integers ? 0.02 : 0.05) });
  return [
    {
      name: `${u.op}: random [3, 5] in its domain`,
      inputs: () => [spec],
      run,
      ...(u.tfjs ? { tfjs: (tf: Tf, x: TfTensor) => u.tfjs!(tf, x) } : { reference }),
      grad: u.grad,
    },
    {
      name: `${u.op}: edge values (±0, overflow, saturation, NaN, ±inf)`,
      inputs: () => [vals(EDGE)],
      run: runFn,
      reference,
    },
  ];
}

export const unaryOpCases: OpCase[] = [
  ...UNARY.flatMap(unaryCases),
  // Predicates and logicalNot: bool results.
  {
    name: 'isnan: NaN, ±inf and finite values → bool',
    inputs: () => [vals(EDGE)],
    run: (t, x) => [x.isnan(), t.isnan(x)],
    tfjs: (tf, x) => [tf.isNaN(x), tf.isNaN(x)],
  },
  {
    name: 'isinf: → bool',
    inputs: () => [vals(EDGE)],
    run: (t, x) => [x.isinf(), t.isinf(x)],
    tfjs: (tf, x) => [tf.isInf(x), tf.isInf(x)],
  },
  {
    name: 'isfinite: → bool',
    inputs: () => [vals(EDGE)],
    run: (t, x) => [x.isfinite(), t.isfinite(x)],
    tfjs: (tf, x) => [tf.isFinite(x), tf.isFinite(x)],
  },
  {
    name: 'logicalNot: bool input',
    inputs: () => [boolean([2, 5])],
    run: (_t, x) => x.logicalNot(),
    tfjs: (tf, x) => tf.logicalNot(x),
  },
  {
    name: 'logicalNot: float input (nonzero is true) → bool',
    inputs: () => [vals([0, -0, 1, -2.5, NaN, Infinity])],
    run: (t, x) => t.logicalNot(x),
    reference: (x) => map(x, (v) => (v !== 0 ? 0 : 1), 'bool'),
  },
  {
    name: 'bool(): float → bool cast (NaN and ±inf are true)',
    inputs: () => [vals([0, -0, 1, -2.5, NaN, Infinity, 1e-30])],
    run: (_t, x) => x.bool(),
    reference: (x) => map(x, (v) => (v !== 0 ? 1 : 0), 'bool'),
  },
  {
    name: 'int(): float → int32 truncates toward zero',
    inputs: () => [vals([0.9, -0.9, 2.5, -2.5, 1e6 + 0.5])],
    run: (_t, x) => x.int(),
    reference: (x) => map(x, Math.trunc, 'int32'),
  },
  {
    name: 'float(): int32 and bool → float32; double() → float64; long() → int32 (our int64 stand-in)',
    inputs: () => [i32([3], { values: [-7, 0, 16777217] }), boolean([2], { values: [true, false] })],
    run: (_t, a, b) => [a.float(), b.float(), a.double(), b.long(), a.double().long()],
    reference: (a, b) => [map(a, (v) => v, 'float32'), map(b, (v) => v, 'float32'), map(a, (v) => v, 'float64'), map(b, (v) => v, 'int32'), map(a, (v) => v, 'int32')],
  },
  // Integer inputs: PyTorch keeps int for abs/neg/square, promotes to float32 for transcendental functions.
  {
    // tfjs's cpu abs goes through float32 and returns -2147483648 for |-2147483647|: reference instead.
    name: 'abs: int32 stays int32 (exact beyond 2^24)',
    inputs: () => [i32([6], { values: [-3, -1, 0, 1, 2, -2147483647] })],
    run: (t, x) => t.abs(x),
    reference: (x) => map(x, Math.abs, 'int32'),
  },
  {
    name: 'neg: int32 stays int32',
    inputs: () => [i32([4], { values: [-3, 0, 5, 7] })],
    run: (t, x) => t.neg(x),
    tfjs: (tf, x) => tf.neg(x),
  },
  {
    name: 'exp: int32 input promotes to float32',
    inputs: () => [i32([4], { values: [-1, 0, 1, 2] })],
    run: (t, x) => t.exp(x),
    reference: (x) => map(x, Math.exp, 'float32'),
  },
  {
    name: 'sqrt: int32 input promotes to float32',
    inputs: () => [i32([4], { values: [0, 1, 2, 9] })],
    run: (t, x) => t.sqrt(x),
    reference: (x) => map(x, Math.sqrt, 'float32'),
  },
  {
    name: 'sigmoid, tanh: large magnitudes saturate without NaN',
    inputs: () => [vals([-1000, -100, -20, 20, 100, 1000])],
    run: (_t, x) => [x.sigmoid(), x.tanh()],
    reference: (x) => [map(x, (v) => 1 / (1 + Math.exp(-v))), map(x, Math.tanh)],
  },
  {
    name: 'exp: overflow to inf in float32, not NaN',
    inputs: () => [vals([88, 88.7, 89, 1000, -1000])],
    run: (_t, x) => x.exp(),
    reference: (x) => map(x, Math.exp),
  },
  {
    name: 'relu: float64 input keeps float64',
    inputs: () => [f32([8], { awayFrom: [0] })],
    run: (_t, x) => x.double().relu(),
    reference: (x) => map(x, (v) => Math.max(v, 0), 'float64'),
    grad: true,
  },
];
