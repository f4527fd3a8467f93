/** Reductions: with and without dim, keepdim, multi-dim, ties, NaN, -inf rows, bool/int inputs. */
import type { OpCase } from '../../support/op_case.js';
import { f32, i32, boolean, vals } from '../../support/specs.js';
import { argmaxOf, argminOf, logsumexpOf, meanOf, reduce, ref, sumOf, varOf, type Ref } from '../../support/reference.js';

/**
 * Our CPU kernels accumulate in float64 while tfjs's cpu backend accumulates in float32, so long sums
 * differ by float32 rounding growth (~n·ε·|partial sums|); the float64 reference then decides.
 */
const LONG_SUM = { rtol: 1e-5, atol: 1e-4, why: 'tfjs accumulates 1000-element sums in float32, we in float64' };

const ties = vals([[3, 1, 3, 2], [0, 5, 5, -1], [7, 7, 7, 7]]);
const maxOf = (v: number[]) => (v.some(Number.isNaN) ? NaN : Math.max(...v));
const minOf = (v: number[]) => (v.some(Number.isNaN) ? NaN : Math.min(...v));
const prodOf = (v: number[]) => v.reduce((a, b) => a * b, 1);

/**
 * topk along the last dim of a 2-D input: a stable sort of each row by value (NaN as the largest value), largest
 * first or smallest first, as PyTorch's CPU topk orders ties (lower index first).
 */
function topkRef(x: { data: ArrayLike<number>; shape: readonly number[]; dtype?: string }, k: number, largest = true): Ref[] {
  const [rows, n] = x.shape;
  const values: number[] = [], indices: number[] = [];
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: n }, (_, j) => Number(x.data[r * n + j]));
    const order = [...row.keys()].sort((a, b) => (largest ? key(row[b]) - key(row[a]) : key(row[a]) - key(row[b])) || a - b);
    for (const j of order.slice(0, k)) { values.push(row[j]); indices.push(j); }
  }
  return [ref(values, [rows, k], (x.dtype ?? 'float32') as Ref['dtype']), ref(indices, [rows, k], 'int32')];
}

export const reduceOpCases: OpCase[] = [
  // sum
  { name: 'sum: all elements', inputs: () => [f32([3, 4])], run: (t, x) => t.sum(x), tfjs: (tf, x) => tf.sum(x), grad: true },
  { name: 'sum: dim 1', inputs: () => [f32([3, 4])], run: (_t, x) => x.sum(1), tfjs: (tf, x) => tf.sum(x, 1), grad: true },
  { name: 'sum: dim -1 keepdim', inputs: () => [f32([2, 3, 4])], run: (_t, x) => x.sum(-1, true), tfjs: (tf, x) => tf.sum(x, -1, true), grad: true },
  { name: 'sum: dims [0, 2] (non-adjacent)', inputs: () => [f32([2, 3, 4])], run: (_t, x) => x.sum([0, 2]), tfjs: (tf, x) => tf.sum(x, [0, 2]), grad: true },
  { name: 'sum: dims [0, 2] keepdim', inputs: () => [f32([2, 3, 4])], run: (_t, x) => x.sum([0, 2], true), tfjs: (tf, x) => tf.sum(x, [0, 2], true), grad: true },
  { name: 'sum: of a transposed view', inputs: () => [f32([3, 4])], run: (_t, x) => x.T.sum(1), tfjs: (tf, x) => tf.sum(tf.transpose(x), 1), grad: true },
  { name: 'sum: bool → int32 count', inputs: () => [boolean([3, 5])], run: (_t, x) => x.sum(1), tfjs: (tf, x) => tf.sum(x, 1) },
  { name: 'sum: int32 stays int32', inputs: () => [i32([3, 4], { range: [-50, 50] })], run: (_t, x) => x.sum(0), tfjs: (tf, x) => tf.sum(x, 0) },
  { name: 'sum: 0-d input', inputs: () => [f32([])], run: (_t, x) => x.sum(), tfjs: (tf, x) => tf.sum(x), grad: true },
  { name: 'sum: NaN and inf propagate', inputs: () => [vals([[1, NaN, 2], [Infinity, 1, 2], [Infinity, -Infinity, 0]])], run: (_t, x) => x.sum(1), reference: (x) => reduce(x, [1], false, sumOf) },
  {
    name: 'sum: 100 × 1000 uniform (long rows)',
    inputs: () => [f32([100, 1000], { range: [0, 1] })],
    run: (_t, x) => x.sum(1),
    reference: (x) => reduce(x, [1], false, sumOf),
    tol: { rtol: 1e-6, atol: 1e-5, why: 'float64 accumulation rounded once: well within; kept explicit as the reference for LONG_SUM' },
  },
  { name: 'sum: 100 × 1000 vs tfjs', inputs: () => [f32([100, 1000], { range: [0, 1] })], run: (_t, x) => x.sum(1), tfjs: (tf, x) => tf.sum(x, 1), tol: LONG_SUM },
  // mean
  { name: 'mean: all', inputs: () => [f32([3, 4])], run: (t, x) => t.mean(x), tfjs: (tf, x) => tf.mean(x), grad: true },
  { name: 'mean: dim 0 keepdim', inputs: () => [f32([3, 4])], run: (_t, x) => x.mean(0, true), tfjs: (tf, x) => tf.mean(x, 0, true), grad: true },
  { name: 'mean: dims [1, 2]', inputs: () => [f32([2, 3, 4])], run: (_t, x) => x.mean([1, 2]), tfjs: (tf, x) => tf.mean(x, [1, 2]), grad: true },
  // prod
  { name: 'prod: all', inputs: () => [f32([2, 3], { range: [0.5, 1.5] })], run: (t, x) => t.prod(x), tfjs: (tf, x) => tf.prod(x), grad: true },
  { name: 'prod: dim 1 keepdim', inputs: () => [f32([3, 4], { awayFrom: [0], margin: 0.2 })], run: (_t, x) => x.prod(1, true), tfjs: (tf, x) => tf.prod(x, 1, true), grad: true },
  {
    name: 'prod: with an exact zero (gradient of the others is the product of the rest)',
    inputs: () => [vals([[2, 0, 3], [1.5, -2, 0.5]])],
    run: (_t, x) => x.prod(1),
    reference: (x) => reduce(x, [1], false, prodOf),
    grad: true,
  },
  { name: 'prod: int32 stays int32', inputs: () => [i32([2, 3], { values: [1, -2, 3, 4, 5, -1] })], run: (_t, x) => x.prod(1), reference: (x) => reduce(x, [1], false, prodOf) },
  // max / min
  { name: 'max: all elements', inputs: () => [f32([3, 4], { distinct: true })], run: (t, x) => t.max(x), tfjs: (tf, x) => tf.max(x), grad: true },
  { name: 'min: all elements', inputs: () => [f32([3, 4], { distinct: true })], run: (t, x) => t.min(x), tfjs: (tf, x) => tf.min(x), grad: true },
  {
    name: 'max: dim 1 → [values, indices]',
    inputs: () => [f32([3, 4], { distinct: true })],
    run: (_t, x) => { const r = x.max(1); return [r.values, r.indices]; },
    tfjs: (tf, x) => [tf.max(x, 1), tf.argMax(x, 1)],
    grad: true,
  },
  {
    name: 'min: dim 0 keepdim → [values, indices]',
    inputs: () => [f32([3, 4], { distinct: true })],
    run: (t, x) => { const r = t.min(x, 0, true); return [r.values, r.indices]; },
    tfjs: (tf, x) => [tf.min(x, 0, true), tf.expandDims(tf.argMin(x, 0), 0)],
    grad: true,
  },
  // topk: k rounds of argmax with masking (runtime/ops/topk.ts)
  {
    name: 'topk: k 3 of the last dim → [values, indices]',
    inputs: () => [f32([4, 7], { distinct: true })],
    run: (_t, x) => { const r = x.topk(3); return [r.values, r.indices]; },
    tfjs: (tf, x) => { const r = tf.topk(x, 3); return [r.values, r.indices]; },
    grad: true,
  },
  {
    name: 'topk: k = n sorts the row; 3-D input',
    inputs: () => [f32([2, 3, 5], { distinct: true })],
    run: (t, x) => { const r = t.topk(x, 5); return [r.values, r.indices]; },
    tfjs: (tf, x) => { const r = tf.topk(x, 5); return [r.values, r.indices]; },
    grad: true,
  },
  {
    name: 'topk: ties, NaN, -inf and +inf rows → lower index first, NaN largest',
    inputs: () => [vals([[3, 1, 3, 2, 3], [-Infinity, -Infinity, 5, -Infinity, 0], [1, NaN, 7, NaN, 2], [Infinity, 0, Infinity, -1, 4]])],
    run: (_t, x) => { const r = x.topk(4); return [r.values, r.indices]; },
    reference: (x) => topkRef(x, 4),
  },
  {
    name: 'topk: largest false → the smallest first (NaN last)',
    inputs: () => [vals([[3, 1, 3, 2, 3], [Infinity, Infinity, 5, Infinity, 0], [1, NaN, 7, NaN, 2]])],
    run: (_t, x) => { const r = x.topk(5, -1, false); return [r.values, r.indices]; },
    reference: (x) => topkRef(x, 5, false),
  },
  {
    name: 'topk: dim 0',
    inputs: () => [f32([6, 3], { distinct: true })],
    run: (_t, x) => { const r = x.topk(2, 0); return [r.values, r.indices]; },
    tfjs: (tf, x) => { const r = tf.topk(tf.transpose(x), 2); return [tf.transpose(r.values), tf.transpose(r.indices)]; },
    grad: true,
  },
  {
    name: 'topk: int32 with INT32_MIN entries, and k 0',
    inputs: () => [vals([[5, -2147483648, 5, 7], [-2147483648, -2147483648, 1, -2147483648]], 'int32')],
    run: (_t, x) => { const r = x.topk(3); const z = x.topk(0); return [r.values, r.indices, z.values, z.indices]; },
    reference: (x) => [...topkRef(x, 3), ref([], [2, 0], 'int32'), ref([], [2, 0], 'int32')],
  },
  {
    name: 'topk: 0-d input, k 1',
    inputs: () => [f32([])],
    run: (_t, x) => { const r = x.topk(1); return [r.values, r.indices]; },
    tfjs: (tf, x) => [x, tf.scalar(0, 'int32')],
  },
  {
    name: 'max: dim with ties → first index',
    inputs: () => [ties],
    run: (_t, x) => { const r = x.max(1); return [r.values, r.indices]; },
    reference: (x) => [reduce(x, [1], false, maxOf), reduce(x, [1], false, argmaxOf, 'int32')],
  },
  {
    name: 'min: dim with ties → first index',
    inputs: () => [ties],
    run: (_t, x) => { const r = x.min(1); return [r.values, r.indices]; },
    reference: (x) => [reduce(x, [1], false, minOf), reduce(x, [1], false, argminOf, 'int32')],
  },
  { name: 'max: NaN propagates', inputs: () => [vals([[1, NaN, 3], [2, 5, 4]])], run: (_t, x) => [x.max(), x.amax(1)], reference: (x) => [reduce(x, null, false, maxOf), reduce(x, [1], false, maxOf)] },
  { name: 'max(other): elementwise maximum form', inputs: () => [f32([3, 4]), f32([4])], run: (t, a, b) => t.max(a, b), tfjs: (tf, a, b) => tf.maximum(a, b), grad: true },
  { name: 'amax: dims [0, 2] keepdim', inputs: () => [f32([2, 3, 4], { distinct: true })], run: (t, x) => t.amax(x, [0, 2], true), tfjs: (tf, x) => tf.max(x, [0, 2], true), grad: true },
  { name: 'amin: dim -1', inputs: () => [f32([2, 3, 4], { distinct: true })], run: (t, x) => [t.amin(x, -1), x.amin(0)], tfjs: (tf, x) => [tf.min(x, -1), tf.min(x, 0)], grad: true },
  {
    name: 'amax: ties share the gradient evenly',
    inputs: () => [vals([[1, 3, 3], [2, 2, 2]])],
    run: (_t, x) => x.amax(1),
    reference: (x) => reduce(x, [1], false, maxOf),
  },
  // argmax / argmin
  { name: 'argmax: flattened (no dim)', inputs: () => [f32([3, 4], { distinct: true })], run: (t, x) => t.argmax(x), tfjs: (tf, x) => tf.argMax(tf.reshape(x, [-1])) },
  { name: 'argmin: dim 1', inputs: () => [f32([3, 4], { distinct: true })], run: (t, x) => t.argmin(x, 1), tfjs: (tf, x) => tf.argMin(x, 1) },
  { name: 'argmax: ties → first index, dim 1 keepdim', inputs: () => [ties], run: (_t, x) => x.argmax(1, true), reference: (x) => reduce(x, [1], true, argmaxOf, 'int32') },
  { name: 'argmin: ties → first index, flattened', inputs: () => [vals([[3, 0, 3], [0, 5, 0]])], run: (_t, x) => x.argmin(), reference: (x) => reduce(x, null, false, argminOf, 'int32') },
  { name: 'argmax: int32 input', inputs: () => [i32([2, 5], { range: [0, 3] })], run: (_t, x) => x.argmax(1), reference: (x) => reduce(x, [1], false, argmaxOf, 'int32') },
  // var / std
  { name: 'var: all, correction 1 (default)', inputs: () => [f32([3, 4])], run: (t, x) => t.var(x), reference: (x) => reduce(x, null, false, (v) => varOf(v, 1)), grad: true },
  { name: 'var: dim 1, correction 0', inputs: () => [f32([3, 4])], run: (_t, x) => x.var(1, { correction: 0 }), reference: (x) => reduce(x, [1], false, (v) => varOf(v, 0)), grad: true },
  { name: 'var: dim 0 keepdim, unbiased false', inputs: () => [f32([3, 4])], run: (_t, x) => x.var(0, { unbiased: false, keepdim: true }), reference: (x) => reduce(x, [0], true, (v) => varOf(v, 0)), grad: true },
  { name: 'var: vs tf.moments (correction 0)', inputs: () => [f32([3, 4])], run: (_t, x) => x.var(1, { correction: 0 }), tfjs: (tf, x) => tf.moments(x, 1).variance },
  { name: 'std: all, correction 1', inputs: () => [f32([3, 4])], run: (t, x) => t.std(x), reference: (x) => reduce(x, null, false, (v) => Math.sqrt(varOf(v, 1))), grad: true },
  { name: 'std: dims [0, 2], correction 0', inputs: () => [f32([2, 3, 4])], run: (_t, x) => x.std([0, 2], { correction: 0 }), reference: (x) => reduce(x, [0, 2], false, (v) => Math.sqrt(varOf(v, 0))), grad: true },
  { name: 'var: single element with correction 1 → inf/NaN as PyTorch', inputs: () => [f32([2, 1])], run: (_t, x) => x.var(1), reference: (x) => reduce(x, [1], false, (v) => varOf(v, 1)) },
  // logsumexp
  { name: 'logsumexp: dim 1', inputs: () => [f32([3, 4], { range: [-5, 5] })], run: (t, x) => t.logsumexp(x, 1), tfjs: (tf, x) => tf.logSumExp(x, 1), grad: true },
  { name: 'logsumexp: dims [0, 1] keepdim', inputs: () => [f32([2, 3, 4])], run: (_t, x) => x.logsumexp([0, 1], true), reference: (x) => reduce(x, [0, 1], true, logsumexpOf), grad: true },
  { name: 'logsumexp: large logits do not overflow', inputs: () => [vals([[1000, 999, -1000], [-1000, -1001, -1002]])], run: (_t, x) => x.logsumexp(1), reference: (x) => reduce(x, [1], false, logsumexpOf), grad: true },
  {
    name: 'logsumexp: an all -inf row gives -inf',
    inputs: () => [vals([[-Infinity, -Infinity, -Infinity], [0, -Infinity, 1], [Infinity, 0, 1]])],
    run: (_t, x) => x.logsumexp(1),
    reference: (x) => reduce(x, [1], false, logsumexpOf),
  },
  // all / any
  { name: 'all: bool, dim 1', inputs: () => [boolean([4, 3], { values: [1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0] })], run: (_t, x) => x.all(1), tfjs: (tf, x) => tf.all(x, 1) },
  { name: 'any: bool, dim 0 keepdim', inputs: () => [boolean([4, 3], { values: [1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0] })], run: (_t, x) => x.any(0, true), tfjs: (tf, x) => tf.any(x, 0, true) },
  { name: 'all/any: whole tensor', inputs: () => [boolean([2, 3])], run: (t, x) => [t.all(x), t.any(x)], tfjs: (tf, x) => [tf.all(x), tf.any(x)] },
  {
    name: 'all/any: float input (nonzero and NaN are true)',
    inputs: () => [vals([[1, 2, NaN], [0, 0, 0], [0, NaN, 0]])],
    run: (_t, x) => [x.all(1), x.any(1)],
    reference: (x) => [reduce(x, [1], false, (v) => (v.every((e) => e !== 0) ? 1 : 0), 'bool'), reduce(x, [1], false, (v) => (v.some((e) => e !== 0) ? 1 : 0), 'bool')],
  },
  { name: 'all/any: int32 input', inputs: () => [i32([2, 3], { values: [1, 2, 3, 0, 0, 0] })], run: (_t, x) => [x.all(1), x.any(1)], reference: (x) => [reduce(x, [1], false, (v) => (v.every((e) => e !== 0) ? 1 : 0), 'bool'), reduce(x, [1], false, (v) => (v.some((e) => e !== 0) ? 1 : 0), 'bool')] },
  // norm
  { name: 'norm: 2-norm of everything', inputs: () => [f32([3, 4])], run: (t, x) => t.norm(x), tfjs: (tf, x) => tf.norm(x), grad: true },
  { name: 'norm: p=1 over dim 1', inputs: () => [f32([3, 4], { awayFrom: [0] })], run: (_t, x) => x.norm(1, 1), tfjs: (tf, x) => tf.norm(x, 1, 1), grad: true },
  { name: 'norm: p=inf over dim 0 keepdim', inputs: () => [f32([3, 4], { distinct: true, awayFrom: [0] })], run: (_t, x) => x.norm(Infinity, 0, true), tfjs: (tf, x) => tf.norm(x, Infinity, 0, true), grad: true },
  { name: "norm: 'fro' over dims [1, 2]", inputs: () => [f32([2, 3, 4])], run: (_t, x) => x.norm('fro', [1, 2]), reference: (x) => reduce(x, [1, 2], false, (v) => Math.sqrt(sumOf(v.map((e) => e * e)))), grad: true },
  { name: 'norm: p=3', inputs: () => [f32([3, 4], { awayFrom: [0] })], run: (_t, x) => x.norm(3, 1), reference: (x) => reduce(x, [1], false, (v) => sumOf(v.map((e) => Math.abs(e) ** 3)) ** (1 / 3)), grad: true },
  { name: 'mean: multi-dim vs float64 reference', inputs: () => [f32([4, 5, 6])], run: (_t, x) => x.mean([0, 2], true), reference: (x) => reduce(x, [0, 2], true, meanOf), grad: true },
];
