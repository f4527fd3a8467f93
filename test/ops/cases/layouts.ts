/**
 * Ops on unusual layouts: permuted/expanded (stride-0) inputs, 0-d tensors and empty tensors. Kernels take
 * any strides, so these check the stride handling rather than the math.
 */
import type { OpCase } from '../../support/op_case.js';
import { f32, i32, vals } from '../../support/specs.js';
import { conv2d as convRef, matmul as matmulRef, pool2d, ref, reduce, sumOf, zip } from '../../support/reference.js';
import type { HostTensor } from '../../support/assert_close.js';

/** x [N, H, W, C] as an NCHW host tensor. */
function toNchw(x: HostTensor): HostTensor {
  const [n, h, w, c] = x.shape;
  const out = new Float64Array(n * c * h * w);
  for (let a = 0; a < n; a++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) {
    out[((a * c + k) * h + i) * w + j] = Number(x.data[((a * h + i) * w + j) * c + k]);
  }
  return { data: out, shape: [n, c, h, w], dtype: x.dtype };
}

const CONV = { rtol: 1e-5, atol: 5e-5, why: 'float32 im2col GEMM vs tfjs direct convolution: different summation order' };

export const layoutOpCases: OpCase[] = [
  {
    name: 'conv2d: an NHWC tensor permuted to an NCHW view (the migration pattern)',
    inputs: () => [f32([2, 6, 6, 3]), f32([4, 3, 3, 3])],
    run: (t, x, w) => t.conv2d(x.permute(0, 3, 1, 2), w, null, { padding: 1 }),
    tfjs: (tf, x, w) => tf.transpose(tf.conv2d(x as never, tf.transpose(w, [2, 3, 1, 0]) as never, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), [0, 3, 1, 2]),
    tol: CONV,
  },
  {
    name: 'conv2d: permuted input, gradcheck',
    inputs: () => [f32([1, 4, 4, 2]), f32([2, 2, 3, 3])],
    run: (t, x, w) => t.conv2d(x.permute(0, 3, 1, 2), w),
    reference: (x, w) => convRef(toNchw(x), w, null),
    grad: true,
  },
  {
    name: 'maxPool2d: of a transposed (H ↔ W) view',
    inputs: () => [f32([1, 2, 4, 6])],
    run: (t, x) => t.F.maxPool2d(x.transpose(2, 3), 2),
    tfjs: (tf, x) => tf.transpose(tf.maxPool(tf.transpose(x, [0, 3, 2, 1]) as never, 2, 2, 'valid'), [0, 3, 1, 2]),
  },
  {
    name: 'softmax: of a transposed view',
    inputs: () => [f32([4, 3])],
    run: (_t, x) => x.T.softmax(1),
    tfjs: (tf, x) => tf.softmax(tf.transpose(x)),
    grad: true,
  },
  {
    name: 'scatter: into a transposed self',
    inputs: () => [f32([3, 2]), i32([2, 1], { values: [[0], [2]] })],
    run: (_t, x, i) => x.T.scatter(1, i, 5),
    reference: (x) => ref([5, Number(x.data[2]), Number(x.data[4]), Number(x.data[1]), Number(x.data[3]), 5], [2, 3]),
  },
  {
    name: 'reshape: of an expanded (stride-0) tensor',
    inputs: () => [f32([3, 1])],
    run: (_t, x) => [x.expand(2, 3, 4).reshape(6, 4), x.expand(3, 2).reshape(-1)],
    tfjs: (tf, x) => [tf.reshape(tf.broadcastTo(x, [2, 3, 4]), [6, 4]), tf.reshape(tf.broadcastTo(x, [3, 2]), [-1])],
    grad: true,
  },
  {
    name: 'elementwise and reductions on expanded inputs',
    inputs: () => [f32([3, 1]), f32([1, 4])],
    run: (_t, a, b) => [a.expand(3, 4).mul(b.expand(3, 4)), a.expand(3, 4).sum(1), a.expand(3, 4).exp().T],
    reference: (a, b) => {
      const prod = zip([a, b], (x, y) => x * y, 'float32');
      return [prod, ref(Array.from(a.data as ArrayLike<number>, (v) => 4 * v), [3]), ref(Array.from({ length: 4 * 3 }, (_, k) => Math.exp(Number(a.data[k % 3]))), [4, 3])];
    },
    grad: true,
  },
  {
    name: 'matmul: batched with an expanded last-two-dims operand',
    inputs: () => [f32([2, 2, 3]), f32([3, 1])],
    run: (_t, a, b) => a.matmul(b.expand(3, 4)),
    reference: (a, b) => matmulRef(a, { data: Array.from({ length: 12 }, (_, k) => Number(b.data[Math.floor(k / 4)])), shape: [3, 4] }),
  },
  {
    name: 'where / cat: expanded inputs',
    inputs: () => [{ shape: [2, 1], dtype: 'bool', values: [1, 0] }, f32([1, 3]), f32([2, 1])],
    run: (t, c, a, b) => [t.where(c.expand(2, 3), a, b), t.cat([a.expand(2, 3), b.expand(2, 3)])],
    reference: (c, a, b) => [zip([c, a, b], (p, x, y) => (p ? x : y), 'float32'), ref([...[0, 1].flatMap(() => Array.from(a.data as ArrayLike<number>)), ...[0, 1].flatMap((i) => [0, 1, 2].map(() => Number(b.data[i])))], [4, 3])],
  },
  {
    name: '0-d tensors: broadcasting with 1-D, reductions, unsqueeze, item-like ops',
    inputs: () => [f32([]), f32([3])],
    run: (t, s, v) => [s.mul(v).add(s), s.sum(0), s.argmax(), s.unsqueeze(0), s.squeeze(), t.stack([s, s])],
    reference: (s, v) => {
      const k = Number(s.data[0]);
      return [ref(Array.from(v.data as ArrayLike<number>, (e) => k * e + k), [3]), ref([k], []), ref([0], [], 'int32'), ref([k], [1]), ref([k], []), ref([k, k], [2])];
    },
  },
  {
    name: 'empty tensors: sum → 0, prod → 1, mean → NaN, matmul with K = 0 → zeros',
    inputs: () => [f32([0, 3]), f32([2, 0]), f32([0, 4])],
    run: (_t, a, b, c) => [a.sum(0), b.prod(1), a.mean(), b.matmul(c), a.reshape(3, 0)],
    reference: () => [ref([0, 0, 0], [3]), ref([1, 1], [2]), ref([NaN], []), ref(new Array(8).fill(0), [2, 4]), ref([], [3, 0])],
  },
  {
    name: 'norm: p=0 counts the nonzero entries',
    inputs: () => [vals([[0, 2, 0, 3.5], [1, 1, 1, 0]])],
    run: (_t, x) => x.norm(0, 1),
    reference: (x) => reduce(x, [1], false, (v) => sumOf(v.map((e) => (e !== 0 ? 1 : 0)))),
  },
  {
    name: 'repeat / flip of a transposed int32 view',
    inputs: () => [i32([2, 3], { range: [-9, 9] })],
    run: (_t, x) => [x.T.repeat(1, 2), x.T.flip([-1])],
    tfjs: (tf, x) => [tf.tile(tf.transpose(x), [1, 2]), tf.reverse(tf.transpose(x), [1])],
  },
  {
    name: 'maxPool2d / avgPool2d: reference check on a larger random input',
    inputs: () => [f32([2, 3, 9, 11])],
    run: (t, x) => [t.F.maxPool2d(x, 3, { stride: 2, padding: 1 }), t.F.avgPool2d(x, [2, 3], { stride: [1, 2] })],
    reference: (x) => [pool2d('max', x, [3, 3], { stride: [2, 2], padding: [1, 1] }), pool2d('avg', x, [2, 3], { stride: [1, 2] })],
  },
];

