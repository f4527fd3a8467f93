/**
 * Binary elementwise ops under every broadcasting pattern, comparisons and logical ops (bool results), where,
 * clamp, type promotion, and the in-place/keyword variants (add alpha, div roundingMode).
 */
import type { OpCase, Tf, TfTensor } from '../../support/op_case.js';
import { f32, f64, i32, boolean, vals, type TensorSpec } from '../../support/specs.js';
import { map, pyMod, zip } from '../../support/reference.js';
import type { HostTensor } from '../../support/assert_close.js';
import type { Tensor } from '../../../runtime/tensor.js';
import type { DType } from '../../../runtime/dtype.js';

type Spec = Omit<TensorSpec, 'shape' | 'dtype'>;

interface BinarySpec {
  op: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2' | 'floorDivide' | 'remainder';
  f: (a: number, b: number) => number;
  /** Absent where tfjs's semantics differ from PyTorch's (tf.floorDiv returns int32 for float inputs). */
  tfjs?: (tf: Tf, a: TfTensor, b: TfTensor) => TfTensor;
  a?: Spec;
  b?: Spec;
  grad: boolean;
}

const BINARY: BinarySpec[] = [
  { op: 'add', f: (a, b) => a + b, tfjs: (tf, a, b) => tf.add(a, b), grad: true },
  { op: 'sub', f: (a, b) => a - b, tfjs: (tf, a, b) => tf.sub(a, b), grad: true },
  { op: 'mul', f: (a, b) => a * b, tfjs: (tf, a, b) => tf.mul(a, b), grad: true },
  { op: 'div', f: (a, b) => a / b, tfjs: (tf, a, b) => tf.div(a, b), b: { awayFrom: [0], margin: 0.4 }, grad: true },
  { op: 'pow', f: Math.pow, tfjs: (tf, a, b) => tf.pow(a, b), a: { range: [0.2, 2] }, grad: true },
  // Random floats never tie, so the gradient's 0.5/0.5 split at ties is not exercised here (see the tie case).
  { op: 'maximum', f: Math.max, tfjs: (tf, a, b) => tf.maximum(a, b), grad: true },
  { op: 'minimum', f: Math.min, tfjs: (tf, a, b) => tf.minimum(a, b), grad: true },
  { op: 'atan2', f: Math.atan2, tfjs: (tf, a, b) => tf.atan2(a, b), b: { awayFrom: [0], margin: 0.2 }, grad: true },
  { op: 'floorDivide', f: (a, b) => Math.floor(a / b), b: { awayFrom: [0], margin: 0.4 }, grad: false },
  { op: 'remainder', f: pyMod, tfjs: (tf, a, b) => tf.mod(a, b), b: { awayFrom: [0], margin: 0.4 }, grad: true },
];

/** [name, shape of a, shape of b]: same shape, 0-d scalar, row, column, 3-D vs 2-D, both sides broadcasting. */
const PATTERNS: [string, number[], number[]][] = [
  ['same shape [3, 4]', [3, 4], [3, 4]],
  ['0-d tensor other', [3, 4], []],
  ['row [4] over [3, 4]', [3, 4], [4]],
  ['column [3, 1] over [3, 4]', [3, 4], [3, 1]],
  ['3-D [2, 3, 4] vs 2-D [3, 4]', [2, 3, 4], [3, 4]],
  ['both broadcast [2, 1, 4] vs [3, 1]', [2, 1, 4], [3, 1]],
];

const method = (op: string) => (a: Tensor, b: Tensor | number) => (a as unknown as Record<string, (o: Tensor | number) => Tensor>)[op](b);

function binaryCases(s: BinarySpec): OpCase[] {
  const cases: OpCase[] = PATTERNS.map(([pattern, sa, sb]) => ({
    name: `${s.op}: ${pattern}`,
    inputs: () => [f32(sa, s.a), f32(sb, s.b)],
    run: (_t, a, b) => method(s.op)(a, b),
    ...viaTfjsOrReference(s),
    grad: s.grad,
  }));
  // A JS number as the other operand keeps the tensor's dtype.
  const scalar = s.op === 'pow' ? 3 : s.op === 'add' || s.op === 'sub' || s.op === 'mul' ? 2.5 : 1.5;
  cases.push({
    name: `${s.op}: JS number ${scalar} as other`,
    inputs: () => [f32([3, 4], s.a)],
    run: (_t, a) => method(s.op)(a, scalar),
    reference: (a) => map(a, (v) => s.f(v, scalar), 'float32'),
    grad: s.grad,
  });
  return cases;
}

/** Free-function form (torch.add(a, b)) on one pattern, so the namespace exports are covered too. */
function functionCase(s: BinarySpec): OpCase {
  return {
    name: `torch.${s.op}(a, b): function form`,
    inputs: () => [f32([2, 3], s.a), f32([3], s.b)],
    run: (t, a, b) => (t as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[s.op](a, b),
    ...viaTfjsOrReference(s),
  };
}

function viaTfjsOrReference(s: BinarySpec): Pick<OpCase, 'tfjs' | 'reference'> {
  if (s.tfjs) return { tfjs: (tf, a, b) => s.tfjs!(tf, a, b) };
  return { reference: (a, b) => zip([a, b], s.f, 'float32') };
}

const boolOf = (f: (a: number, b: number) => boolean) => (a: number, b: number) => (f(a, b) ? 1 : 0);

/** Small integer-valued floats so that comparisons see ties. */
const tieSpec = (shape: number[]): TensorSpec => f32(shape, { values: Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => ((i * 7) % 5) - 2) });

const COMPARISONS: [string, (a: number, b: number) => boolean, (tf: Tf, a: TfTensor, b: TfTensor) => TfTensor][] = [
  ['eq', (a, b) => a === b, (tf, a, b) => tf.equal(a, b)],
  ['ne', (a, b) => a !== b, (tf, a, b) => tf.notEqual(a, b)],
  ['lt', (a, b) => a < b, (tf, a, b) => tf.less(a, b)],
  ['le', (a, b) => a <= b, (tf, a, b) => tf.lessEqual(a, b)],
  ['gt', (a, b) => a > b, (tf, a, b) => tf.greater(a, b)],
  ['ge', (a, b) => a >= b, (tf, a, b) => tf.greaterEqual(a, b)],
];

const comparisonCases: OpCase[] = COMPARISONS.flatMap(([op, f, tfOp]): OpCase[] => [
  {
    name: `${op}: ties, row broadcast → bool`,
    inputs: () => [tieSpec([3, 4]), f32([4], { values: [-1, 0, 1, 2] })],
    run: (_t, a, b) => method(op)(a, b),
    tfjs: (tf, a, b) => tfOp(tf, a, b),
  },
  {
    name: `${op}: NaN compares false (ne true), JS number other`,
    inputs: () => [vals([NaN, 0, 1, Infinity, -Infinity])],
    run: (_t, a) => method(op)(a, 0),
    reference: (a) => map(a, (v) => (f(v, 0) ? 1 : 0), 'bool'),
  },
  {
    name: `${op}: int32 vs float32 → bool (function form)`,
    inputs: () => [i32([4], { values: [-1, 0, 1, 2] }), f32([4], { values: [-1, 0.5, 1, 1.5] })],
    run: (t, a, b) => (t as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[op](a, b),
    reference: (a, b) => zip([a, b], boolOf(f), 'bool'),
  },
]);

const LOGICAL: [string, (a: boolean, b: boolean) => boolean, (tf: Tf, a: TfTensor, b: TfTensor) => TfTensor][] = [
  ['logicalAnd', (a, b) => a && b, (tf, a, b) => tf.logicalAnd(a, b)],
  ['logicalOr', (a, b) => a || b, (tf, a, b) => tf.logicalOr(a, b)],
  ['logicalXor', (a, b) => a !== b, (tf, a, b) => tf.logicalXor(a, b)],
];

const logicalCases: OpCase[] = LOGICAL.flatMap(([op, f, tfOp]): OpCase[] => [
  {
    name: `${op}: bool, column broadcast`,
    inputs: () => [boolean([3, 4]), boolean([3, 1])],
    run: (_t, a, b) => method(op)(a, b),
    tfjs: (tf, a, b) => tfOp(tf, a, b),
  },
  {
    name: `${op}: float inputs (nonzero is true, NaN is true) → bool`,
    inputs: () => [vals([0, 1, -2, NaN, 0]), vals([0, 0, 3, 1, NaN])],
    run: (t, a, b) => (t as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[op](a, b),
    reference: (a, b) => zip([a, b], (x, y) => (f(x !== 0, y !== 0) ? 1 : 0), 'bool'),
  },
]);

/** [name, a, b, run, expected dtype, f] */
const promotion = (name: string, a: TensorSpec, b: TensorSpec | null, run: (a: Tensor, b: Tensor) => Tensor, dtype: DType, f: (x: number, y: number) => number, knownBug?: string): OpCase => ({
  name: `promotion: ${name}`,
  inputs: () => (b ? [a, b] : [a]),
  run: (_t, x, y) => run(x, y),
  reference: (x: HostTensor, y?: HostTensor) => zip(y ? [x, y] : [x], (p, q = 0) => f(p, q), dtype),
  knownBug,
});

const intVals = (v: number[]) => i32([v.length], { values: v });
const boolVals = (v: boolean[]) => boolean([v.length], { values: v });

const promotionCases: OpCase[] = [
  promotion('int32 + float32 → float32', intVals([1, -2, 3]), f32([3], { values: [0.5, 0.25, -1.5] }), (a, b) => a.add(b), 'float32', (x, y) => x + y),
  promotion('float32 + int32 → float32', f32([3], { values: [0.5, 0.25, -1.5] }), intVals([1, -2, 3]), (a, b) => a.add(b), 'float32', (x, y) => x + y),
  promotion('bool + int32 → int32', boolVals([true, false, true]), intVals([1, 2, 3]), (a, b) => a.add(b), 'int32', (x, y) => x + y),
  promotion('int32 / int32 → float32 (true division)', intVals([7, -7, 1, 0]), intVals([2, 2, 3, 5]), (a, b) => a.div(b), 'float32', (x, y) => x / y),
  promotion('int32 * 0.5 (JS float) → float32', intVals([1, 2, -3]), null, (a) => a.mul(0.5), 'float32', (x) => x * 0.5),
  promotion('int32 + 2 (JS int) → int32', intVals([1, 2, -3]), null, (a) => a.add(2), 'int32', (x) => x + 2),
  promotion('float32 * 2 (JS int) keeps float32', f32([3]), null, (a) => a.mul(2), 'float32', (x) => x * 2),
  promotion('bool + 1 (JS int) → int32', boolVals([true, false]), null, (a) => a.add(1), 'int32', (x) => x + 1),
  promotion('float32 + float64 → float64', f32([3], { values: [0.1, 0.2, 0.3] }), f64([3], { values: [0.1, 0.2, 0.3] }), (a, b) => a.add(b), 'float64', (x, y) => x + y),
  promotion('int32 * float64 → float64', intVals([1, 2, 3]), f64([3], { values: [0.1, 0.2, 0.3] }), (a, b) => a.mul(b), 'float64', (x, y) => x * y),
  promotion('int32 floorDivide int32 → int32 (floors toward -inf)', intVals([7, -7, 7, -7]), intVals([2, 2, -2, -2]), (a, b) => a.floorDivide(b), 'int32', (x, y) => Math.floor(x / y)),
  promotion('int32 remainder int32 → int32 (sign of divisor)', intVals([7, -7, 7, -7]), intVals([3, 3, -3, -3]), (a, b) => a.remainder(b), 'int32', pyMod),
  promotion('int32 div roundingMode trunc → int32', intVals([7, -7]), intVals([2, 2]), (a, b) => a.div(b, { roundingMode: 'trunc' }), 'int32', (x, y) => Math.trunc(x / y)),
  promotion('int32 div roundingMode floor → int32', intVals([7, -7]), intVals([2, 2]), (a, b) => a.div(b, { roundingMode: 'floor' }), 'int32', (x, y) => Math.floor(x / y)),
  promotion('float32 div roundingMode trunc', f32([4], { values: [7.5, -7.5, 1, -1] }), f32([4], { values: [2, 2, 3, 3] }), (a, b) => a.div(b, { roundingMode: 'trunc' }), 'float32', (x, y) => Math.trunc(x / y)),
  promotion('int32 pow 2 stays int32', intVals([-3, 0, 2, 5]), null, (a) => a.pow(2), 'int32', (x) => x ** 2),
  promotion('bool + bool → bool (logical or)', boolVals([true, false, true, false]), boolVals([true, true, false, false]), (a, b) => a.add(b), 'bool', (x, y) => (x || y ? 1 : 0)),
  promotion('bool * bool → bool (logical and)', boolVals([true, false, true, false]), boolVals([true, true, false, false]), (a, b) => a.mul(b), 'bool', (x, y) => (x && y ? 1 : 0)),
  promotion('where(bool, int32, float32) → float32', boolVals([true, false, true]), null, (c) => c.int().where(c, c.float().mul(0.5)), 'float32', (x) => (x ? 1 : 0)),
];

const whereCases: OpCase[] = [
  {
    name: 'where: cond [3, 4], input [3, 4], other row [4]',
    inputs: () => [boolean([3, 4]), f32([3, 4]), f32([4])],
    run: (t, c, a, b) => t.where(c, a, b),
    reference: (c, a, b) => zip([c, a, b], (p, x, y) => (p ? x : y), 'float32'),
    grad: true,
  },
  {
    name: 'where: cond column [3, 1] broadcast against [1, 4] inputs',
    inputs: () => [boolean([3, 1]), f32([1, 4]), f32([3, 4])],
    run: (t, c, a, b) => t.where(c, a, b),
    reference: (c, a, b) => zip([c, a, b], (p, x, y) => (p ? x : y), 'float32'),
    grad: true,
  },
  {
    name: 'where: JS number other (x.where(cond, 0))',
    inputs: () => [boolean([2, 3]), f32([2, 3])],
    run: (_t, c, a) => a.where(c, 0),
    reference: (c, a) => zip([c, a], (p, x) => (p ? x : 0), 'float32'),
    grad: true,
  },
  {
    name: 'where: NaN in the unselected branch does not leak',
    inputs: () => [boolVals([true, false, true]), vals([1, NaN, 3]), vals([NaN, 2, NaN])],
    run: (t, c, a, b) => t.where(c, a, b),
    reference: (c, a, b) => zip([c, a, b], (p, x, y) => (p ? x : y), 'float32'),
  },
  {
    name: 'where: two integer JS scalars → integer tensor',
    inputs: () => [boolVals([true, false, true])],
    run: (t, c) => t.where(c, 1, 0),
    reference: (c) => map(c, (p) => (p ? 1 : 0), 'int32'),
  },
];

const clampCases: OpCase[] = [
  {
    name: 'clamp: min and max',
    inputs: () => [f32([3, 5], { range: [-3, 3], awayFrom: [-1, 1] })],
    run: (t, x) => t.clamp(x, -1, 1),
    tfjs: (tf, x) => tf.clipByValue(x, -1, 1),
    grad: true,
  },
  {
    name: 'clamp: min only',
    inputs: () => [f32([3, 5], { awayFrom: [0.5] })],
    run: (_t, x) => x.clamp(0.5),
    reference: (x) => map(x, (v) => Math.max(v, 0.5)),
    grad: true,
  },
  {
    name: 'clamp: max only (clip alias)',
    inputs: () => [f32([3, 5], { awayFrom: [0.5] })],
    run: (_t, x) => x.clip(null, 0.5),
    reference: (x) => map(x, (v) => Math.min(v, 0.5)),
    grad: true,
  },
  {
    name: 'clamp: NaN propagates, ±inf clamped',
    inputs: () => [vals([NaN, Infinity, -Infinity, 0.3])],
    run: (_t, x) => x.clamp(-1, 1),
    reference: (x) => map(x, (v) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, -1), 1))),
  },
  {
    name: 'clamp: int32 with integer bounds stays int32',
    inputs: () => [intVals([-5, -1, 0, 3, 9])],
    run: (_t, x) => x.clamp(-2, 4),
    reference: (x) => map(x, (v) => Math.min(Math.max(v, -2), 4), 'int32'),
  },
];

const tieCases: OpCase[] = [
  {
    name: 'maximum/minimum: NaN propagates from either side',
    inputs: () => [vals([NaN, 1, 2, NaN]), vals([1, NaN, 3, NaN])],
    run: (t, a, b) => [t.maximum(a, b), t.minimum(a, b)],
    reference: (a, b) => [zip([a, b], (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)), 'float32'),
      zip([a, b], (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)), 'float32')],
  },
  {
    name: 'pow: negative base with integer and fractional exponents, 0^0',
    inputs: () => [vals([-2, -2, 0, 0, 4]), vals([2, 0.5, 0, -1, -0.5])],
    run: (t, a, b) => t.pow(a, b),
    reference: (a, b) => zip([a, b], Math.pow, 'float32'),
  },
  {
    name: 'div: by zero gives ±inf and NaN',
    inputs: () => [vals([1, -1, 0]), vals([0, 0, 0])],
    run: (t, a, b) => t.div(a, b),
    reference: (a, b) => zip([a, b], (x, y) => x / y, 'float32'),
  },
  {
    name: 'add: alpha (a + alpha·b)',
    inputs: () => [f32([3, 4]), f32([4])],
    run: (_t, a, b) => a.add(b, { alpha: -2.5 }),
    reference: (a, b) => zip([a, b], (x, y) => x - 2.5 * y, 'float32'),
    grad: true,
  },
  {
    name: 'sub: alpha',
    inputs: () => [f32([3, 4]), f32([3, 1])],
    run: (_t, a, b) => a.sub(b, { alpha: 3 }),
    reference: (a, b) => zip([a, b], (x, y) => x - 3 * y, 'float32'),
    grad: true,
  },
];

export const binaryOpCases: OpCase[] = [
  ...BINARY.flatMap(binaryCases),
  ...BINARY.map(functionCase),
  ...comparisonCases,
  ...logicalCases,
  ...promotionCases,
  ...whereCases,
  ...clampCases,
  ...tieCases,
];
