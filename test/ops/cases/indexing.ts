/** gather / scatter / scatterAdd / indexSelect / maskedFill / maskedSelect / nonzero / oneHot. */
import type { OpCase } from '../../support/op_case.js';
import { f32, i32, boolean } from '../../support/specs.js';
import { ref, unravel, ravel, numel, zip, type Ref } from '../../support/reference.js';
import type { HostTensor } from '../../support/assert_close.js';

/** out[idx] = x[idx with idx[dim] replaced by index[idx]] (torch.gather). */
function gatherRef(x: HostTensor, dim: number, index: HostTensor): Ref {
  const out = new Float64Array(numel(index.shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, index.shape);
    idx[dim] = Number(index.data[i]);
    out[i] = Number(x.data[ravel(idx, x.shape)]);
  }
  return { data: out, shape: index.shape.slice(), dtype: x.dtype ?? 'float32' };
}

/** self with src[idx] written (or added) at idx with idx[dim] replaced by index[idx]; later writes win. */
function scatterRef(x: HostTensor, dim: number, index: HostTensor, src: HostTensor | number, add: boolean): Ref {
  const out = Float64Array.from(x.data as ArrayLike<number>);
  for (let i = 0; i < numel(index.shape); i++) {
    const idx = unravel(i, index.shape);
    const v = typeof src === 'number' ? src : Number(src.data[ravel(idx, src.shape)]);
    idx[dim] = Number(index.data[i]);
    const p = ravel(idx, x.shape);
    out[p] = add ? out[p] + v : v;
  }
  return { data: out, shape: x.shape.slice(), dtype: x.dtype ?? 'float32' };
}

function indexSelectRef(x: HostTensor, dim: number, index: HostTensor): Ref {
  const shape = x.shape.slice();
  shape[dim] = index.data.length;
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    idx[dim] = Number(index.data[idx[dim]]);
    out[i] = Number(x.data[ravel(idx, x.shape)]);
  }
  return { data: out, shape, dtype: x.dtype ?? 'float32' };
}

/** Index tensors whose rows are permutations (scatter with unique targets: a well-defined gradient for src). */
const permRows = (rows: number[][]) => i32([rows.length, rows[0].length], { values: rows });

export const indexingOpCases: OpCase[] = [
  {
    name: 'gather: dim 1, index narrower than input, repeated indices',
    inputs: () => [f32([3, 4]), i32([3, 2], { values: [[0, 3], [2, 2], [1, 0]] })],
    run: (t, x, i) => t.gather(x, 1, i),
    reference: (x, i) => gatherRef(x, 1, i),
    grad: true,
  },
  {
    name: 'gather: dim 0 of 3-D',
    inputs: () => [f32([3, 2, 4]), i32([2, 2, 3], { range: [0, 3] })],
    run: (_t, x, i) => x.gather(0, i),
    reference: (x, i) => gatherRef(x, 0, i),
    grad: true,
  },
  {
    name: 'gather: from a transposed view',
    inputs: () => [f32([4, 3]), i32([3, 2], { values: [[0, 3], [2, 2], [1, 0]] })],
    run: (_t, x, i) => x.T.gather(1, i),
    reference: (x, i) => gatherRef({ data: Array.from({ length: 12 }, (_, k) => Number(x.data[(k % 4) * 3 + Math.floor(k / 4)])), shape: [3, 4], dtype: 'float32' }, 1, i),
    grad: true,
  },
  {
    name: 'gather: int32 input',
    inputs: () => [i32([2, 5], { range: [-100, 100] }), i32([2, 3], { range: [0, 5] })],
    run: (_t, x, i) => x.gather(1, i),
    reference: (x, i) => gatherRef(x, 1, i),
  },
  {
    name: 'scatter: dim 1 with a src tensor (unique targets per row)',
    inputs: () => [f32([3, 5]), permRows([[4, 0, 2], [1, 3, 0], [2, 4, 3]]), f32([3, 3])],
    run: (t, x, i, s) => t.scatter(x, 1, i, s),
    reference: (x, i, s) => scatterRef(x, 1, i, s, false),
    grad: true,
  },
  {
    name: 'scatter: dim 0 with a JS number',
    inputs: () => [f32([3, 4]), i32([1, 4], { values: [[2, 0, 1, 2]] })],
    run: (_t, x, i) => x.scatter(0, i, -7),
    reference: (x, i) => scatterRef(x, 0, i, -7, false),
    grad: true,
  },
  {
    name: 'scatter: src larger than index (only the index-shaped corner is used)',
    inputs: () => [f32([2, 4]), permRows([[3, 1], [0, 2]]), f32([2, 3])],
    run: (_t, x, i, s) => x.scatter(1, i, s),
    reference: (x, i, s) => scatterRef(x, 1, i, s, false),
  },
  {
    name: 'scatterAdd: duplicate targets accumulate',
    inputs: () => [f32([3, 4]), i32([3, 3], { values: [[0, 0, 3], [1, 1, 1], [2, 0, 2]] }), f32([3, 3])],
    run: (t, x, i, s) => t.scatterAdd(x, 1, i, s),
    reference: (x, i, s) => scatterRef(x, 1, i, s, true),
    grad: true,
  },
  {
    name: 'scatterAdd: dim 0 histogram into zeros (bincount pattern)',
    inputs: () => [f32([4, 1], { values: [0, 0, 0, 0] }), i32([6, 1], { values: [0, 3, 3, 1, 0, 3] }), f32([6, 1], { values: [1, 1, 1, 1, 1, 1] })],
    run: (_t, x, i, s) => x.scatterAdd(0, i, s),
    reference: (x, i, s) => scatterRef(x, 0, i, s, true),
  },
  {
    name: 'indexSelect: dim 0 with repeats',
    inputs: () => [f32([4, 3]), i32([5], { values: [3, 0, 0, 2, 1] })],
    run: (t, x, i) => t.indexSelect(x, 0, i),
    tfjs: (tf, x, i) => tf.gather(x, i, 0),
    grad: true,
  },
  {
    name: 'indexSelect: dim 1 of 3-D',
    inputs: () => [f32([2, 4, 3]), i32([2], { values: [3, 1] })],
    run: (_t, x, i) => x.indexSelect(1, i),
    tfjs: (tf, x, i) => tf.gather(x, i, 1),
    grad: true,
  },
  {
    name: 'indexSelect: from a permuted view',
    inputs: () => [f32([3, 4]), i32([3], { values: [2, 2, 0] })],
    run: (_t, x, i) => x.T.indexSelect(1, i),
    reference: (x, i) => indexSelectRef({ data: Array.from({ length: 12 }, (_, k) => Number(x.data[(k % 3) * 4 + Math.floor(k / 3)])), shape: [4, 3], dtype: 'float32' }, 1, i),
    grad: true,
  },
  {
    // NOTE: a moderate fill value: -1e9 would swamp gradcheck's float64 finite differences (cancellation).
    name: 'maskedFill: mask [3, 4], JS number',
    inputs: () => [f32([3, 4]), boolean([3, 4])],
    run: (t, x, m) => t.maskedFill(x, m, -1e4),
    tfjs: (tf, x, m) => tf.where(m, tf.fill(x.shape, -1e4), x),
    grad: true,
  },
  {
    name: 'maskedFill: broadcast row mask, 0-d tensor value',
    inputs: () => [f32([3, 4]), boolean([4], { values: [1, 0, 0, 1] }), f32([])],
    run: (_t, x, m, v) => x.maskedFill(m, v),
    reference: (x, m, v) => zip([x, m], (a, b) => (b ? Number(v.data[0]) : a), 'float32'),
    grad: true,
  },
  {
    name: 'maskedFill: -inf (attention masking) then softmax stays finite',
    inputs: () => [f32([2, 4]), boolean([2, 4], { values: [[0, 0, 1, 1], [0, 1, 1, 1]] })],
    run: (_t, x, m) => x.maskedFill(m, -Infinity).softmax(-1),
    reference: (x, m) => {
      const out = new Float64Array(8);
      for (let r = 0; r < 2; r++) {
        const row = [0, 1, 2, 3].map((j) => (m.data[r * 4 + j] ? -Infinity : Number(x.data[r * 4 + j])));
        const mx = Math.max(...row);
        const e = row.map((v) => Math.exp(v - mx));
        const s = e.reduce((a, b) => a + b, 0);
        e.forEach((v, j) => (out[r * 4 + j] = v / s));
      }
      return ref(out, [2, 4]);
    },
  },
  {
    name: 'maskedSelect: 1-D result in row-major order',
    inputs: () => [f32([3, 4]), boolean([3, 4])],
    run: (t, x, m) => t.maskedSelect(x, m),
    reference: (x, m) => ref(Array.from(x.data as ArrayLike<number>).filter((_, i) => m.data[i]), [Array.from(m.data as ArrayLike<number>).filter(Boolean).length]),
    grad: true,
  },
  {
    name: 'maskedSelect: broadcast mask [4] over [3, 4]',
    inputs: () => [f32([3, 4]), boolean([4], { values: [0, 1, 1, 0] })],
    run: (_t, x, m) => x.maskedSelect(m),
    reference: (x) => ref(Array.from(x.data as ArrayLike<number>).filter((_, i) => i % 4 === 1 || i % 4 === 2), [6]),
    grad: true,
  },
  {
    name: 'nonzero: [count, ndim] coordinates',
    inputs: () => [f32([3, 4], { values: [[0, 1, 0, 2], [0, 0, 0, 0], [3, 0, -1, 0]] })],
    run: (t, x) => [t.nonzero(x), x.nonzero()],
    reference: () => [ref([0, 1, 0, 3, 2, 0, 2, 2], [4, 2], 'int32'), ref([0, 1, 0, 3, 2, 0, 2, 2], [4, 2], 'int32')],
  },
  {
    name: 'oneHot: inferred numClasses, int32 result',
    inputs: () => [i32([5], { values: [0, 3, 1, 3, 2] })],
    run: (t, i) => t.F.oneHot(i),
    tfjs: (tf, i) => tf.oneHot(i, 4),
  },
  {
    name: 'oneHot: 2-D index, explicit numClasses',
    inputs: () => [i32([2, 3], { values: [[0, 4, 1], [2, 2, 0]] })],
    run: (t, i) => t.F.oneHot(i, 6),
    tfjs: (tf, i) => tf.oneHot(i, 6),
  },
];
