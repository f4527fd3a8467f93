/**
 * Movement ops: views (reshape, permute, transpose, squeeze, expand, narrow, select, slice, flatten...),
 * copies (flip, repeat/tile, contiguous), writes through views, and joining/splitting.
 */
import type { OpCase } from '../../support/op_case.js';
import { f32, i32 } from '../../support/specs.js';
import { map, ref, unravel, ravel, numel, type Ref } from '../../support/reference.js';
import type { HostTensor } from '../../support/assert_close.js';

/** Reference for any pure index remapping: out[idx] = x[src(idx)]. */
function gatherRef(x: HostTensor, outShape: number[], src: (idx: number[]) => number[]): Ref {
  const out = new Float64Array(numel(outShape));
  for (let i = 0; i < out.length; i++) out[i] = Number(x.data[ravel(src(unravel(i, outShape)), x.shape)]);
  return { data: out, shape: outShape, dtype: x.dtype ?? 'float32' };
}

/** Reference for writing through a view: apply `f` to the base positions the view covers. */
function updateRef(x: HostTensor, covered: (idx: number[]) => boolean, f: (v: number, idx: number[]) => number): Ref {
  const out = Float64Array.from(x.data as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) { const idx = unravel(i, x.shape); if (covered(idx)) out[i] = f(out[i], idx); }
  return { data: out, shape: x.shape.slice(), dtype: x.dtype ?? 'float32' };
}

const x34 = () => [f32([3, 4])];
const x234 = () => [f32([2, 3, 4])];

const viewCases: OpCase[] = [
  { name: 'reshape: contiguous [3, 4] → [2, 6]', inputs: x34, run: (_t, x) => x.reshape(2, 6), tfjs: (tf, x) => tf.reshape(x, [2, 6]), grad: true },
  { name: 'reshape: -1 inferred, array form', inputs: x234, run: (t, x) => t.reshape(x, [4, -1]), tfjs: (tf, x) => tf.reshape(x, [4, -1]), grad: true },
  { name: 'reshape: of a transposed (non-contiguous) view', inputs: x34, run: (_t, x) => x.T.reshape(-1), tfjs: (tf, x) => tf.reshape(tf.transpose(x), [-1]), grad: true },
  {
    name: 'reshape: non-contiguous input gives a copy (writing to it leaves the base alone)',
    inputs: x34,
    run: (_t, x) => { const base = x.clone(); const y = base.t().reshape(12); y.fill_(0); return [base, y]; },
    reference: (x) => [ref(x.data, x.shape), ref(new Float64Array(12), [12])],
  },
  {
    name: 'reshape/view: contiguous input gives a view (writing to it changes the base)',
    inputs: x34,
    run: (_t, x) => { const base = x.clone(); base.view(2, 6).select(0, 1).fill_(7); base.reshape(12).narrow(0, 0, 2).fill_(-1); return base; },
    reference: (x) => updateRef(x, () => true, (v, [i, j]) => (i * 4 + j < 2 ? -1 : i * 4 + j >= 6 ? 7 : v)),
  },
  { name: 'reshape: of a permuted 3-D view (needs a copy)', inputs: x234, run: (_t, x) => x.permute(0, 2, 1).reshape(2, 12), tfjs: (tf, x) => tf.reshape(tf.transpose(x, [0, 2, 1]), [2, 12]), grad: true },
  { name: 'viewAs / reshapeAs', inputs: () => [f32([3, 4]), f32([2, 6])], run: (_t, x, o) => [x.viewAs(o), x.T.reshapeAs(o)], tfjs: (tf, x) => [tf.reshape(x, [2, 6]), tf.reshape(tf.transpose(x), [2, 6])] },
  { name: 'permute: (2, 0, 1)', inputs: x234, run: (t, x) => t.permute(x, [2, 0, 1]), tfjs: (tf, x) => tf.transpose(x, [2, 0, 1]), grad: true },
  { name: 'permute: negative dims, varargs', inputs: x234, run: (_t, x) => x.permute(-1, 0, -2), tfjs: (tf, x) => tf.transpose(x, [2, 0, 1]), grad: true },
  { name: 'transpose: dims 0 and 2', inputs: x234, run: (t, x) => t.transpose(x, 0, 2), tfjs: (tf, x) => tf.transpose(x, [2, 1, 0]), grad: true },
  { name: 'T: reverses all dims of a 3-D tensor', inputs: x234, run: (_t, x) => x.T, tfjs: (tf, x) => tf.transpose(x), grad: true },
  { name: 'mT: swaps the last two dims', inputs: x234, run: (_t, x) => x.mT, tfjs: (tf, x) => tf.transpose(x, [0, 2, 1]), grad: true },
  { name: 't: 2-D transpose; 1-D unchanged', inputs: () => [f32([3, 4]), f32([5])], run: (_t, x, v) => [x.t(), v.t()], tfjs: (tf, x, v) => [tf.transpose(x), v] },
  { name: 'squeeze: all size-1 dims', inputs: () => [f32([1, 3, 1, 4])], run: (t, x) => t.squeeze(x), tfjs: (tf, x) => tf.squeeze(x), grad: true },
  { name: 'squeeze: one dim (and a non-1 dim is left alone)', inputs: () => [f32([1, 3, 1, 4])], run: (_t, x) => [x.squeeze(2), x.squeeze(1)], tfjs: (tf, x) => [tf.squeeze(x, [2]), x] },
  { name: 'squeeze: list of dims', inputs: () => [f32([1, 3, 1, 4])], run: (_t, x) => x.squeeze([0, 2]), tfjs: (tf, x) => tf.squeeze(x, [0, 2]) },
  { name: 'unsqueeze: at 0, middle and -1', inputs: x34, run: (t, x) => [t.unsqueeze(x, 0), x.unsqueeze(1), x.unsqueeze(-1)], tfjs: (tf, x) => [tf.expandDims(x, 0), tf.expandDims(x, 1), tf.expandDims(x, 2)], grad: true },
  { name: 'unsqueeze: of a transposed view', inputs: x34, run: (_t, x) => x.T.unsqueeze(1), tfjs: (tf, x) => tf.expandDims(tf.transpose(x), 1), grad: true },
  { name: 'expand: [3, 1] → [2, 3, 4]', inputs: () => [f32([3, 1])], run: (_t, x) => x.expand(2, 3, 4), tfjs: (tf, x) => tf.broadcastTo(x, [2, 3, 4]), grad: true },
  { name: 'expand: -1 keeps a dim; expandAs', inputs: () => [f32([1, 4]), f32([3, 4])], run: (_t, x, o) => [x.expand(3, -1), x.expandAs(o)], tfjs: (tf, x) => [tf.broadcastTo(x, [3, 4]), tf.broadcastTo(x, [3, 4])] },
  { name: 'expand: then contiguous materialises the copies', inputs: () => [f32([2, 1, 3])], run: (_t, x) => x.expand(2, 4, 3).contiguous(), tfjs: (tf, x) => tf.tile(x, [1, 4, 1]), grad: true },
  { name: 'narrow: dim 1, start 1, length 2', inputs: x34, run: (t, x) => t.narrow(x, 1, 1, 2), tfjs: (tf, x) => tf.slice(x, [0, 1], [3, 2]), grad: true },
  { name: 'narrow: negative start', inputs: x34, run: (_t, x) => x.narrow(0, -2, 2), tfjs: (tf, x) => tf.slice(x, [1, 0], [2, 4]), grad: true },
  { name: 'select: dim 1, index -1 (drops the dim)', inputs: x234, run: (t, x) => t.select(x, 1, -1), reference: (x) => gatherRef(x, [2, 4], ([a, c]) => [a, 2, c]), grad: true },
  { name: 'slice: step 2', inputs: () => [f32([3, 7])], run: (_t, x) => x.slice(1, 0, 7, 2), tfjs: (tf, x) => tf.stridedSlice(x, [0, 0], [3, 7], [1, 2]), grad: true },
  { name: 'slice: negative start/end, step 3', inputs: () => [f32([10, 2])], run: (_t, x) => x.slice(0, -8, -1, 3), tfjs: (tf, x) => tf.stridedSlice(x, [2, 0], [9, 2], [3, 1]), grad: true },
  { name: 'slice: end past the size is clamped', inputs: x34, run: (_t, x) => x.slice(1, 2, 100), tfjs: (tf, x) => tf.slice(x, [0, 2], [3, 2]), grad: true },
  { name: 'slice: of a slice of a transpose', inputs: () => [f32([4, 6])], run: (_t, x) => x.T.slice(0, 1, 6, 2).slice(1, 1, 3), reference: (x) => gatherRef(x, [3, 2], ([i, j]) => [1 + j, 1 + 2 * i]), grad: true },
  { name: 'flatten: all dims', inputs: x234, run: (t, x) => t.flatten(x), tfjs: (tf, x) => tf.reshape(x, [-1]), grad: true },
  { name: 'flatten: startDim 1', inputs: x234, run: (_t, x) => x.flatten(1), tfjs: (tf, x) => tf.reshape(x, [2, 12]), grad: true },
  { name: 'flatten: dims 0..1 of a permuted view', inputs: x234, run: (_t, x) => x.permute(2, 1, 0).flatten(0, 1), tfjs: (tf, x) => tf.reshape(tf.transpose(x, [2, 1, 0]), [12, 2]), grad: true },
  { name: 'flatten: 0-d → [1]', inputs: () => [f32([])], run: (_t, x) => x.flatten(), tfjs: (tf, x) => tf.reshape(x, [1]) },
  { name: 'unflatten: dim 1 → [2, 2]', inputs: x34, run: (_t, x) => x.unflatten(1, [2, 2]), tfjs: (tf, x) => tf.reshape(x, [3, 2, 2]), grad: true },
  { name: 'flip: dim 0', inputs: x34, run: (t, x) => t.flip(x, [0]), tfjs: (tf, x) => tf.reverse(x, [0]), grad: true },
  { name: 'flip: dims [0, 2] of 3-D', inputs: x234, run: (_t, x) => x.flip([0, -1]), tfjs: (tf, x) => tf.reverse(x, [0, 2]), grad: true },
  { name: 'flip: of a transposed view', inputs: x34, run: (_t, x) => x.T.flip([1]), tfjs: (tf, x) => tf.reverse(tf.transpose(x), [1]), grad: true },
  { name: 'repeat: (2, 3)', inputs: x34, run: (_t, x) => x.repeat(2, 3), tfjs: (tf, x) => tf.tile(x, [2, 3]), grad: true },
  { name: 'repeat: adds leading dims', inputs: () => [f32([2, 3])], run: (_t, x) => x.repeat([2, 1, 2]), tfjs: (tf, x) => tf.tile(tf.expandDims(x, 0), [2, 1, 2]), grad: true },
  { name: 'tile: fewer reps than dims pads with 1', inputs: x234, run: (_t, x) => x.tile(2), tfjs: (tf, x) => tf.tile(x, [1, 1, 2]), grad: true },
  { name: 'contiguous / clone: of a permuted view', inputs: x234, run: (_t, x) => [x.permute(1, 2, 0).contiguous(), x.T.clone()], tfjs: (tf, x) => [tf.transpose(x, [1, 2, 0]), tf.transpose(x)], grad: true },
  { name: 'int32 views: permute + slice + reshape keep values exact', inputs: () => [i32([4, 6], { range: [-1000, 1000] })], run: (_t, x) => x.T.slice(0, 1, 6, 2).reshape(-1), tfjs: (tf, x) => tf.reshape(tf.stridedSlice(tf.transpose(x), [1, 0], [6, 4], [2, 1]), [-1]) },
];

/** Writes through views must land in the base (PyTorch's view semantics). */
const writeCases: OpCase[] = [
  {
    name: 'view write: x.slice(1, 0, 4, 2).add_(1) modifies the base',
    inputs: x34,
    run: (_t, x) => { const b = x.clone(); b.slice(1, 0, 4, 2).add_(1); return b; },
    reference: (x) => updateRef(x, ([, j]) => j % 2 === 0, (v) => v + 1),
  },
  {
    name: 'view write: narrow(...).mul_(2)',
    inputs: x34,
    run: (_t, x) => { const b = x.clone(); b.narrow(0, 1, 2).mul_(2); return b; },
    reference: (x) => updateRef(x, ([i]) => i >= 1, (v) => v * 2),
  },
  {
    name: 'view write: select(...).fill_(0) and zero_()',
    inputs: x34,
    run: (_t, x) => { const b = x.clone(); b.select(1, 2).fill_(0); b.select(0, 0).zero_(); return b; },
    reference: (x) => updateRef(x, ([i, j]) => j === 2 || i === 0, () => 0),
  },
  {
    name: 'view write: through a transpose (strided destination)',
    inputs: () => [f32([3, 4]), f32([4, 3])],
    run: (_t, x, y) => { const b = x.clone(); b.T.add_(y); return b; },
    reference: (x, y) => updateRef(x, () => true, (v, [i, j]) => v + Number(y.data[j * 3 + i])),
  },
  {
    name: 'view write: slice of a slice (chained views)',
    inputs: () => [f32([4, 6])],
    run: (_t, x) => { const b = x.clone(); b.slice(0, 1, 3).slice(1, 0, 6, 3).add_(10); return b; },
    reference: (x) => updateRef(x, ([i, j]) => i >= 1 && i < 3 && j % 3 === 0, (v) => v + 10),
  },
  {
    name: 'view write: copy_ with broadcasting into a slice',
    inputs: () => [f32([3, 4]), f32([4])],
    run: (_t, x, r) => { const b = x.clone(); b.narrow(0, 0, 2).copy_(r); return b; },
    reference: (x, r) => updateRef(x, ([i]) => i < 2, (_v, [, j]) => Number(r.data[j])),
  },
  {
    name: 'view write: maskedFill_ on a view; the other view of the same base sees it',
    inputs: () => [f32([2, 3]), { shape: [3], dtype: 'bool', values: [1, 0, 1] }],
    run: (_t, x, m) => { const b = x.clone(); const v1 = b.select(0, 1); const v2 = b.view(6); v1.maskedFill_(m, -5); return v2; },
    reference: (x, m) => { const r = updateRef(x, ([i, j]) => i === 1 && m.data[j] !== 0, () => -5); return { ...r, shape: [6] }; },
  },
  {
    name: 'view write: int32 base through a strided view',
    inputs: () => [i32([3, 4], { range: [-9, 9] })],
    run: (_t, x) => { const b = x.clone(); b.slice(0, 0, 3, 2).add_(100); return b; },
    reference: (x) => updateRef(x, ([i]) => i % 2 === 0, (v) => v + 100),
  },
];

const joinCases: OpCase[] = [
  { name: 'cat: dim 0 with different sizes', inputs: () => [f32([2, 3]), f32([1, 3]), f32([3, 3])], run: (t, a, b, c) => t.cat([a, b, c]), tfjs: (tf, a, b, c) => tf.concat([a, b, c], 0), grad: true },
  { name: 'cat: dim -1 of 3-D', inputs: () => [f32([2, 2, 3]), f32([2, 2, 1])], run: (t, a, b) => t.cat([a, b], -1), tfjs: (tf, a, b) => tf.concat([a, b], 2), grad: true },
  { name: 'cat: non-contiguous inputs', inputs: () => [f32([3, 2]), f32([2, 3])], run: (t, a, b) => t.cat([a.T, b], 0), tfjs: (tf, a, b) => tf.concat([tf.transpose(a), b], 0), grad: true },
  { name: 'cat: int32 + float32 promotes to float32', inputs: () => [i32([2], { values: [1, 2] }), f32([2], { values: [0.5, 1.5] })], run: (t, a, b) => t.cat([a, b]), reference: (a, b) => ref([...Array.from(a.data as ArrayLike<number>), ...Array.from(b.data as ArrayLike<number>)], [4]) },
  { name: 'cat: skips legacy empty 1-D tensors', inputs: () => [f32([0]), f32([2, 3])], run: (t, e, a) => t.cat([e, a], 1), tfjs: (_tf, _e, a) => a },
  { name: 'stack: dim 0', inputs: () => [f32([2, 3]), f32([2, 3]), f32([2, 3])], run: (t, a, b, c) => t.stack([a, b, c]), tfjs: (tf, a, b, c) => tf.stack([a, b, c], 0), grad: true },
  { name: 'stack: dim -1 (new last dim)', inputs: () => [f32([2, 3]), f32([2, 3])], run: (t, a, b) => t.stack([a, b], -1), tfjs: (tf, a, b) => tf.stack([a, b], 2), grad: true },
  { name: 'stack: dim 1 of views', inputs: () => [f32([3, 2]), f32([2, 3])], run: (t, a, b) => t.stack([a.T, b], 1), tfjs: (tf, a, b) => tf.stack([tf.transpose(a), b], 1), grad: true },
  { name: 'split: by size (last smaller)', inputs: () => [f32([5, 2])], run: (t, x) => t.split(x, 2), tfjs: (tf, x) => tf.split(x, [2, 2, 1], 0), grad: true },
  { name: 'split: by sections along dim 1', inputs: () => [f32([2, 6])], run: (_t, x) => x.split([1, 3, 2], 1), tfjs: (tf, x) => tf.split(x, [1, 3, 2], 1), grad: true },
  { name: 'chunk: 5 rows into 3 chunks → 2, 2, 1', inputs: () => [f32([5, 3])], run: (t, x) => t.chunk(x, 3), tfjs: (tf, x) => tf.split(x, [2, 2, 1], 0), grad: true },
  { name: 'chunk: 6 into 4 → 2, 2, 2 (fewer chunks, as PyTorch)', inputs: () => [f32([2, 6])], run: (_t, x) => x.chunk(4, 1), tfjs: (tf, x) => tf.split(x, 3, 1) },
  { name: 'unbind: dim 1', inputs: () => [f32([2, 3])], run: (t, x) => t.unbind(x, 1), tfjs: (tf, x) => tf.unstack(x, 1), grad: true },
  { name: 'unbind: method form, dim 0 (default)', inputs: () => [f32([3, 2])], run: (_t, x) => x.unbind(), tfjs: (tf, x) => tf.unstack(x, 0), grad: true },
  {
    name: 'split: pieces are views (writing one changes the base)',
    inputs: () => [f32([4, 2])],
    run: (_t, x) => { const b = x.clone(); b.split(2)[1].fill_(3); return b; },
    reference: (x) => updateRef(x, ([i]) => i >= 2, () => 3),
  },
  {
    name: 'cat: result is a copy (writing it leaves the inputs alone)',
    inputs: () => [f32([2]), f32([2])],
    run: (t, a, b) => { const a2 = a.clone(); const y = t.cat([a2, b]); y.fill_(0); return [a2, y]; },
    reference: (a) => [map(a, (v) => v), ref([0, 0, 0, 0], [4])],
  },
];

export const viewOpCases: OpCase[] = [...viewCases, ...writeCases, ...joinCases];
