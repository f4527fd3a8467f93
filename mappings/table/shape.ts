/** Shape and indexing: reshape, transpose, concat/stack/split, slice, gather, oneHot, pad, tile, casts. */
import type { Mapping } from '../schema.js';
import { S, T, chainable, manual, samples } from './helpers.js';

const concatN = (tf: string): Mapping => ({
  tf, kind: 'function', status: 'exact', params: ['tensors', 'axis?'], returns: 'Tensor',
  target: 'torch.cat($tensors{{, $axis}})',
});

const sliceN = (tf: string): Mapping => ({
  tf, kind: 'function', status: 'exact', params: ['x', 'begin', 'size?'], returns: 'Tensor', transform: 'slice',
  notes: ['slice-begin-size'], target: '$x:t.narrow(0, $begin, $size)',
});

export const shape: Mapping[] = [
  chainable({
    tf: 'tf.reshape', kind: 'function', status: 'exact', params: ['x', 'shape'], returns: 'Tensor',
    target: '$x:t.reshape($shape)', samples: samples({ x: S.m2x3, shape: [3, 2] }, { x: S.m2x3, shape: [-1] }),
  }),
  chainable({
    tf: 'tf.transpose', kind: 'function', status: 'exact', params: ['x', 'perm?'], returns: 'Tensor', notes: ['transpose-default'],
    target: ['$x:t.permute($perm)', '$x:t.T'], samples: samples({ x: S.m2x3 }, { x: T([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), perm: [1, 2, 0] }),
  }),
  chainable({
    tf: 'tf.expandDims', kind: 'function', status: 'exact', params: ['x', 'axis?=0'], returns: 'Tensor', notes: ['expand-dims'],
    target: '$x:t.unsqueeze($axis)', samples: samples({ x: S.m2x3 }, { x: S.m2x3, axis: -1 }),
  }),
  chainable({
    tf: 'tf.squeeze', kind: 'function', status: 'exact', params: ['x', 'axis?'], returns: 'Tensor', notes: ['squeeze-axes'],
    target: '$x:t.squeeze({{$axis}})', samples: samples({ x: T([[[1], [2]]]) }, { x: T([[[1], [2]]]), axis: [2] }),
  }),
  { ...concatN('tf.concat'), samples: samples({ tensors: [S.m2x3, S.m2x3b] }, { tensors: [S.m2x3, S.m2x3b], axis: 1 }) },
  concatN('tf.concat1d'),
  concatN('tf.concat2d'),
  concatN('tf.concat3d'),
  concatN('tf.concat4d'),
  {
    tf: 'tf.stack', kind: 'function', status: 'exact', params: ['tensors', 'axis?'], returns: 'Tensor',
    target: 'torch.stack($tensors{{, $axis}})', samples: samples({ tensors: [S.m2x3, S.m2x3b] }, { tensors: [S.m2x3, S.m2x3b], axis: 2 }),
  },
  chainable({
    tf: 'tf.unstack', kind: 'function', status: 'exact', params: ['x', 'axis?'], returns: 'Tensor[]', notes: ['unstack-unbind'],
    target: 'torch.unbind($x:t{{, $axis}})', samples: samples({ x: S.m2x3 }, { x: S.m2x3, axis: 1 }),
  }),
  chainable({
    tf: 'tf.split', kind: 'function', status: 'exact', params: ['x', 'numOrSizeSplits', 'axis?'], returns: 'Tensor[]',
    transform: 'split', notes: ['split-count-vs-size'], target: 'torch.chunk($x:t, $numOrSizeSplits{{, $axis}})',
    samples: samples({ x: T([1, 2, 3, 4, 5, 6]), numOrSizeSplits: 3 }, { x: S.m2x3, numOrSizeSplits: [1, 2], axis: 1 }),
    examples: [
      { tf: 'tf.split(x, 2, 1)', torch: 'torch.chunk(x, 2, 1)' },
      { tf: 'tf.split(x, [1, 2], 1)', torch: 'torch.split(x, [1, 2], 1)' },
    ],
  }),
  {
    ...chainable(sliceN('tf.slice')),
    samples: samples({ x: S.m2x3, begin: [0, 1], size: [2, 2] }, { x: S.m2x3, begin: [1, 0] }, { x: S.v4, begin: 1, size: 2 }),
    examples: [
      { tf: 'tf.slice(x, [0, 1], [2, -1])', torch: 'x.narrow(0, 0, 2).slice(1, 1)' },
      { tf: 'tf.slice(x, 1, 2)', torch: 'x.narrow(0, 1, 2)' },
    ],
  },
  sliceN('tf.slice1d'),
  sliceN('tf.slice2d'),
  sliceN('tf.slice3d'),
  sliceN('tf.slice4d'),
  chainable({
    tf: 'tf.gather', kind: 'function', status: 'semantic', params: ['x', 'indices', 'axis?=0', 'batchDims!'], returns: 'Tensor',
    notes: ['gather-1d-indices'], reason: 'gather with batchDims has no runtime equivalent',
    target: 'torch.indexSelect($x:t, $axis, $indices:i)', samples: samples({ x: S.m2x3, indices: T([2, 0], 'int32'), axis: 1 }, { x: S.m2x3, indices: [1, 1, 0] }),
  }),
  chainable({
    tf: 'tf.oneHot', kind: 'function', status: 'exact', params: ['indices', 'depth', 'onValue!', 'offValue!', 'dtype?'], returns: 'Tensor',
    notes: ['one-hot-int32'], reason: 'oneHot with onValue/offValue: multiply and add the result instead',
    target: 'F.oneHot($indices:i, $depth){{.to($dtype)}}', samples: samples({ indices: T([0, 2, 1], 'int32'), depth: 3 }),
  }),
  chainable({
    tf: 'tf.pad', kind: 'function', status: 'exact', params: ['x', 'paddings', 'constantValue?'], returns: 'Tensor', transform: 'pad',
    notes: ['pad-order'], target: 'F.pad($x:t, $paddings{{, { value: $constantValue }}})',
    samples: samples({ x: S.m2x3, paddings: [[1, 0], [0, 2]] }, { x: S.m2x3, paddings: [[0, 1], [1, 1]], constantValue: 9 }),
    examples: [{ tf: 'tf.pad(x, [[1, 1], [2, 0]])', torch: 'F.pad(x, [2, 0, 1, 1])' }],
  }),
  { tf: 'tf.pad1d', kind: 'function', status: 'exact', params: ['x', 'paddings', 'constantValue?'], returns: 'Tensor', transform: 'pad', notes: ['pad-order'], target: 'F.pad($x:t, $paddings)' },
  { tf: 'tf.pad2d', kind: 'function', status: 'exact', params: ['x', 'paddings', 'constantValue?'], returns: 'Tensor', transform: 'pad', notes: ['pad-order'], target: 'F.pad($x:t, $paddings)' },
  { tf: 'tf.pad3d', kind: 'function', status: 'exact', params: ['x', 'paddings', 'constantValue?'], returns: 'Tensor', transform: 'pad', notes: ['pad-order'], target: 'F.pad($x:t, $paddings)' },
  { tf: 'tf.pad4d', kind: 'function', status: 'exact', params: ['x', 'paddings', 'constantValue?'], returns: 'Tensor', transform: 'pad', notes: ['pad-order'], target: 'F.pad($x:t, $paddings)' },
  chainable({
    tf: 'tf.tile', kind: 'function', status: 'exact', params: ['x', 'reps'], returns: 'Tensor',
    target: '$x:t.tile($reps)', samples: samples({ x: S.m2x3, reps: [2, 1] }),
  }),
  chainable({
    tf: 'tf.reverse', kind: 'function', status: 'exact', params: ['x', 'axis?'], returns: 'Tensor', transform: 'reverse', notes: ['reverse-axis'],
    target: '$x:t.flip($axis)', samples: samples({ x: S.m2x3, axis: 1 }, { x: S.m2x3, axis: [0, 1] }),
  }),
  { tf: 'tf.reverse1d', kind: 'function', status: 'exact', params: ['x'], returns: 'Tensor', target: '$x:t.flip([0])' },
  { tf: 'tf.reverse2d', kind: 'function', status: 'exact', params: ['x', 'axis?'], returns: 'Tensor', transform: 'reverse', target: '$x:t.flip($axis)' },
  { tf: 'tf.reverse3d', kind: 'function', status: 'exact', params: ['x', 'axis?'], returns: 'Tensor', transform: 'reverse', target: '$x:t.flip($axis)' },
  { tf: 'tf.reverse4d', kind: 'function', status: 'exact', params: ['x', 'axis?'], returns: 'Tensor', transform: 'reverse', target: '$x:t.flip($axis)' },
  chainable({
    tf: 'tf.broadcastTo', kind: 'function', status: 'exact', params: ['x', 'shape'], returns: 'Tensor', notes: ['broadcast-to-view'],
    target: '$x:t.expand($shape)', samples: samples({ x: T([1, 2, 3]), shape: [2, 3] }),
  }),
  chainable({
    tf: 'tf.cast', kind: 'function', status: 'exact', params: ['x', 'dtype'], returns: 'Tensor', notes: ['cast-dtype'],
    target: '$x:t.to($dtype)', samples: samples({ x: S.m2x3b, dtype: 'int32' }),
  }),
  {
    tf: 'tf.whereAsync', kind: 'function', status: 'exact', params: ['condition'], returns: 'Promise<Tensor>',
    target: [{ when: 'awaited', code: 'torch.nonzero($condition:t)' }, 'Promise.resolve(torch.nonzero($condition:t))'],
  },
  manual('tf.booleanMaskAsync', 'tf.booleanMask keeps trailing dimensions; maskedSelect flattens — use indexSelect with nonzero(mask)', { returns: 'Tensor' }),
  chainable(manual('tf.stridedSlice', 'use slice(dim, start, end, step) per dimension', { returns: 'Tensor' })),
  manual('tf.gatherND', 'gatherND has no runtime equivalent yet', { returns: 'Tensor' }),
  manual('tf.scatterND', 'scatterND has no runtime equivalent yet (scatter works along one dim)', { returns: 'Tensor' }),
  manual('tf.tensorScatterUpdate', 'tensorScatterUpdate has no runtime equivalent yet', { returns: 'Tensor' }),
  chainable(manual('tf.depthToSpace', 'depthToSpace is not in the runtime (pixel shuffle)', { returns: 'Tensor' })),
  chainable(manual('tf.spaceToBatchND', 'spaceToBatchND is not in the runtime', { returns: 'Tensor' })),
  chainable(manual('tf.batchToSpaceND', 'batchToSpaceND is not in the runtime', { returns: 'Tensor' })),
  chainable(manual('tf.mirrorPad', 'F.pad with mode reflect: check the runtime\'s pad modes', { returns: 'Tensor' })),
  manual('tf.setdiff1dAsync', 'no set operations in the runtime', { returns: 'Tensor' }),
  manual('tf.sparseToDense', 'no sparse tensors in the runtime', { returns: 'Tensor' }),
  manual('tf.ensureShape', 'write an explicit shape check', { returns: 'Tensor' }),
  manual('tf.broadcastArgs', 'compute the broadcast shape in JavaScript', { returns: 'Tensor' }),
];
