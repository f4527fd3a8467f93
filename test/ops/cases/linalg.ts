/** matmul family and linear: 1-D rules, batching with broadcast, transposed views as operands, MNIST shapes. */
import type { OpCase } from '../../support/op_case.js';
import { f32, f64, i32 } from '../../support/specs.js';
import { matmul as matmulRef, zip } from '../../support/reference.js';

/**
 * GEMM reorders the K-long dot products (blocking, SIMD lanes) and tfjs sums in another order, in float32
 * both: |error| grows like √K·ε·Σ|a·b|. For K = 784 with inputs in [-2, 2) that is ~1e-4 absolute.
 */
const GEMM = { rtol: 1e-5, atol: 1e-4, why: 'float32 GEMM vs tfjs: different summation order over K' };
const GEMM_MNIST = { rtol: 1e-4, atol: 5e-4, why: 'K = 784 float32 dot products summed in different orders (√K·ε·Σ|ab| ≈ 3e-4)' };

export const linalgOpCases: OpCase[] = [
  { name: 'matmul: 1-D · 1-D → 0-d (dot)', inputs: () => [f32([5]), f32([5])], run: (t, a, b) => t.matmul(a, b), tfjs: (tf, a, b) => tf.dot(a, b), grad: true },
  { name: 'matmul: 2-D × 1-D → 1-D', inputs: () => [f32([3, 4]), f32([4])], run: (t, a, b) => t.matmul(a, b), reference: matmulRef, grad: true },
  { name: 'matmul: 1-D × 2-D → 1-D', inputs: () => [f32([3]), f32([3, 4])], run: (t, a, b) => t.matmul(a, b), reference: matmulRef, grad: true },
  { name: 'matmul: 2-D × 2-D', inputs: () => [f32([3, 5]), f32([5, 4])], run: (_t, a, b) => a.matmul(b), tfjs: (tf, a, b) => tf.matMul(a, b), grad: true },
  { name: 'matmul: batched 3-D × 3-D', inputs: () => [f32([2, 3, 5]), f32([2, 5, 4])], run: (_t, a, b) => a.matmul(b), tfjs: (tf, a, b) => tf.matMul(a, b), grad: true },
  { name: 'matmul: batch broadcast [2, 1, 3, 4] × [3, 4, 5]', inputs: () => [f32([2, 1, 3, 4]), f32([3, 4, 5])], run: (_t, a, b) => a.matmul(b), reference: matmulRef, grad: true },
  { name: 'matmul: 3-D × 2-D (weight shared over the batch)', inputs: () => [f32([2, 3, 4]), f32([4, 2])], run: (_t, a, b) => a.matmul(b), reference: matmulRef, grad: true },
  { name: 'matmul: 1-D × 3-D (batched vector-matrix)', inputs: () => [f32([3]), f32([2, 3, 4])], run: (_t, a, b) => a.matmul(b), reference: matmulRef, grad: true },
  { name: 'matmul: aᵀ·b with a transposed view', inputs: () => [f32([5, 3]), f32([5, 4])], run: (_t, a, b) => a.T.matmul(b), tfjs: (tf, a, b) => tf.matMul(a, b, true, false), grad: true },
  { name: 'matmul: a·bᵀ with a transposed view', inputs: () => [f32([3, 5]), f32([4, 5])], run: (_t, a, b) => a.matmul(b.T), tfjs: (tf, a, b) => tf.matMul(a, b, false, true), grad: true },
  { name: 'matmul: both operands transposed', inputs: () => [f32([5, 3]), f32([4, 5])], run: (_t, a, b) => a.T.matmul(b.T), tfjs: (tf, a, b) => tf.matMul(a, b, true, true), grad: true },
  { name: 'matmul: mT of batched operands', inputs: () => [f32([2, 5, 3]), f32([2, 4, 5])], run: (_t, a, b) => a.mT.matmul(b.mT), tfjs: (tf, a, b) => tf.matMul(a, b, true, true), grad: true },
  { name: 'matmul: strided (sliced) operand', inputs: () => [f32([3, 10]), f32([5, 2])], run: (_t, a, b) => a.slice(1, 0, 10, 2).matmul(b), reference: (a, b) => matmulRef({ data: Array.from({ length: 15 }, (_, k) => Number(a.data[Math.floor(k / 5) * 10 + (k % 5) * 2])), shape: [3, 5] }, b), grad: true },
  { name: 'matmul: expanded (stride-0) operand', inputs: () => [f32([1, 4]), f32([4, 3])], run: (_t, a, b) => a.expand(3, 4).matmul(b), reference: (a, b) => matmulRef({ data: [...Array(3)].flatMap(() => Array.from(a.data as ArrayLike<number>)), shape: [3, 4] }, b), grad: true },
  { name: 'matmul: M = 1 and N = 1 edge shapes', inputs: () => [f32([1, 6]), f32([6, 1])], run: (_t, a, b) => a.matmul(b), tfjs: (tf, a, b) => tf.matMul(a, b), grad: true },
  {
    name: 'matmul: MNIST layer [64, 784] × [784, 50]',
    inputs: () => [f32([64, 784], { range: [0, 1] }), f32([784, 50], { range: [-0.1, 0.1] })],
    run: (_t, a, b) => a.matmul(b),
    tfjs: (tf, a, b) => tf.matMul(a, b),
    tol: GEMM_MNIST,
  },
  {
    name: 'matmul: MNIST layer vs float64 reference',
    inputs: () => [f32([64, 784], { range: [0, 1] }), f32([784, 50], { range: [-0.1, 0.1] })],
    run: (_t, a, b) => a.matmul(b),
    reference: matmulRef,
    tol: { rtol: 1e-5, atol: 2e-5, why: 'float32 GEMM over K = 784 vs exact float64' },
  },
  {
    name: 'linear: x·Wᵀ + b with W [50, 784] (PyTorch layout)',
    inputs: () => [f32([64, 784], { range: [0, 1] }), f32([50, 784], { range: [-0.1, 0.1] }), f32([50])],
    run: (t, x, w, b) => t.F.linear(x, w, b),
    tfjs: (tf, x, w, b) => tf.add(tf.matMul(x, w, false, true), b),
    tol: GEMM_MNIST,
  },
  { name: 'linear: small, gradcheck', inputs: () => [f32([3, 4]), f32([2, 4]), f32([2])], run: (t, x, w, b) => t.F.linear(x, w, b), tfjs: (tf, x, w, b) => tf.add(tf.matMul(x, w, false, true), b), grad: true },
  { name: 'matmul: float64 stays float64', inputs: () => [f64([4, 6]), f64([6, 3])], run: (_t, a, b) => a.matmul(b), reference: matmulRef, grad: true },
  { name: 'matmul: int32 exact', inputs: () => [i32([3, 4], { range: [-50, 50] }), i32([4, 2], { range: [-50, 50] })], run: (_t, a, b) => a.matmul(b), reference: (a, b) => ({ ...matmulRef(a, b), dtype: 'int32' }) },
  { name: 'matmul: larger square 96 × 96', inputs: () => [f32([96, 96]), f32([96, 96])], run: (_t, a, b) => a.matmul(b), tfjs: (tf, a, b) => tf.matMul(a, b), tol: GEMM },
  { name: 'mm / bmm / mv / dot: functions and methods', inputs: () => [f32([2, 3, 4]), f32([2, 4, 5]), f32([4])], run: (t, a, b, v) => [a.select(0, 0).mm(b.select(0, 1)), t.bmm(a, b), t.mv(a.select(0, 1), v), t.dot(v, v), a.bmm(b), a.select(0, 1).mv(v), v.dot(v)], reference: (a, b, v) => {
    const a0 = { data: Array.from(a.data as ArrayLike<number>).slice(0, 12), shape: [3, 4] };
    const a1 = { data: Array.from(a.data as ArrayLike<number>).slice(12), shape: [3, 4] };
    const b1 = { data: Array.from(b.data as ArrayLike<number>).slice(20), shape: [4, 5] };
    return [matmulRef(a0, b1), matmulRef(a, b), matmulRef(a1, v), matmulRef(v, v), matmulRef(a, b), matmulRef(a1, v), matmulRef(v, v)];
  }, grad: true },
  { name: 'outer: [3] ⊗ [4]', inputs: () => [f32([3]), f32([4])], run: (t, a, b) => t.outer(a, b), tfjs: (tf, a, b) => tf.outerProduct(a as never, b as never), grad: true },
  { name: 'matmul then add bias: broadcast [4] over [3, 4]', inputs: () => [f32([3, 5]), f32([5, 4]), f32([4])], run: (_t, a, b, c) => a.matmul(b).add(c), reference: (a, b, c) => zip([matmulRef(a, b), c], (x, y) => x + y, 'float32'), grad: true },
];
