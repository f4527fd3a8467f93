/** Reductions: sum, mean, max/min, prod, arg-reductions, norms, moments, logical reductions. */
import type { Mapping } from '../schema.js';
import { S, T, chainable, manual, samples } from './helpers.js';

const reduceSamples = samples({ x: S.m2x3 }, { x: S.m2x3, axis: 1 }, { x: S.m2x3, axis: 0, keepDims: true }, { x: S.m2x3, axis: [0, 1] });

function reduce(tf: string, torch: string, extra: Partial<Mapping> = {}): Mapping {
  return {
    tf: `tf.${tf}`, kind: 'function', status: 'exact', chainable: true, params: ['x', 'axis?=null', 'keepDims?'], returns: 'Tensor',
    target: `${torch}($x:t{{, $axis}}{{, $keepDims}})`, samples: reduceSamples, ...extra,
  };
}

export const reduction: Mapping[] = [
  reduce('sum', 'torch.sum'),
  reduce('mean', 'torch.mean'),
  reduce('max', 'torch.amax'),
  reduce('min', 'torch.amin'),
  reduce('prod', 'torch.prod', { samples: samples({ x: S.m2x3 }, { x: S.m2x3, axis: 1 }) }),
  reduce('all', 'torch.all', { samples: samples({ x: T([[true, false], [true, true]], 'bool') }, { x: T([[true, false], [true, true]], 'bool'), axis: 1 }) }),
  reduce('any', 'torch.any', { samples: samples({ x: T([[true, false], [false, false]], 'bool') }, { x: T([[true, false], [false, false]], 'bool'), axis: 1 }) }),
  chainable({
    tf: 'tf.argMax', kind: 'function', status: 'exact', params: ['x', 'axis?=0'], returns: 'Tensor', notes: ['argmax-axis-0'],
    target: 'torch.argmax($x:t, $axis)', samples: samples({ x: S.m2x3 }, { x: S.m2x3, axis: 1 }),
  }),
  chainable({
    tf: 'tf.argMin', kind: 'function', status: 'exact', params: ['x', 'axis?=0'], returns: 'Tensor', notes: ['argmax-axis-0'],
    target: 'torch.argmin($x:t, $axis)', samples: samples({ x: S.m2x3 }, { x: S.m2x3, axis: 1 }),
  }),
  chainable({
    tf: 'tf.logSumExp', kind: 'function', status: 'exact', params: ['x', 'axis?', 'keepDims?'], returns: 'Tensor', notes: ['logsumexp-all'],
    target: ['torch.logsumexp($x:t, $axis{{, $keepDims}})', 'torch.logsumexp($x:t.flatten(), 0)'],
    samples: samples({ x: S.m2x3 }, { x: S.m2x3, axis: 1 }),
  }),
  chainable({
    tf: 'tf.norm', kind: 'function', status: 'semantic', params: ['x', "ord?='euclidean'", 'axis?=null', 'keepDims?'], returns: 'Tensor',
    notes: ['norm-ord'], transform: 'norm', target: 'torch.norm($x:t, $ord, $axis{{, $keepDims}})',
    samples: samples({ x: S.m2x3 }, { x: S.m2x3, ord: 1, axis: 1 }),
  }),
  chainable({
    tf: 'tf.euclideanNorm', kind: 'function', status: 'exact', params: ['x', 'axis?=null', 'keepDims?'], returns: 'Tensor',
    target: 'torch.norm($x:t, 2{{, $axis}}{{, $keepDims}})', samples: samples({ x: S.m2x3 }, { x: S.m2x3, axis: 1 }),
  }),
  {
    tf: 'tf.moments', kind: 'function', status: 'exact', params: ['x', 'axes?=null', 'keepDims?=false'], returns: 'TensorMap',
    notes: ['moments-population-variance'],
    target: '{ mean: torch.mean($x:t, $axes, $keepDims), variance: torch.var($x:t, $axes, { correction: 0, keepdim: $keepDims }) }',
  },
  chainable({
    tf: 'tf.topk', kind: 'function', status: 'exact', params: ['x', 'k?=1', 'sorted?'], returns: 'TensorMap', notes: ['topk-order'],
    target: 'torch.topk($x:t, $k)', samples: samples({ x: S.m2x3 }, { x: S.m2x3, k: 2 }, { x: T([[1, 3, 3, 2], [5, 5, 5, 0]]), k: 3 }),
    examples: [{ tf: 'tf.topk(logits, 5)', torch: 'torch.topk(logits, 5)' }, { tf: 'tf.topk(x)', torch: 'torch.topk(x, 1)' }],
  }),
  chainable(manual('tf.unique', 'torch.unique is not in the runtime yet', { returns: 'TensorMap' })),
  manual('tf.bincount', 'torch.bincount is not in the runtime yet', { returns: 'Tensor' }),
  manual('tf.denseBincount', 'torch.bincount is not in the runtime yet', { returns: 'Tensor' }),
  chainable(manual('tf.unsortedSegmentSum', 'segment reductions are not in the runtime; use scatterAdd', { returns: 'Tensor' })),
  manual('tf.inTopKAsync', 'async; write predictions.topk(k).indices.eq(targets.unsqueeze(-1)).any(-1) (tfjs counts ties at the k-th value as in the top k, topk does not)', { returns: 'Tensor' }),
];
