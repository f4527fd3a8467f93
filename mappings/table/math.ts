/** Elementwise arithmetic and math, comparisons and logic, activation functions, matrix products. */
import type { Mapping, NoteId, Sample, Status } from '../schema.js';
import { S, T, chainable, manual, samples } from './helpers.js';

type NoteList = NoteId[];

function unary(tf: string, torch: string, sample: Sample = { x: S.m2x3 }, status: Status = 'exact', notes?: NoteList): Mapping {
  return { tf: `tf.${tf}`, kind: 'function', status, chainable: true, params: ['x'], returns: 'Tensor', target: `${torch}($x:t)`, samples: [sample], notes };
}

function binary(tf: string, torch: string, status: Status = 'exact', notes?: NoteList, sample: Sample = { a: S.m2x3, b: S.m2x3b }): Mapping {
  return { tf: `tf.${tf}`, kind: 'function', status, chainable: true, params: ['a', 'b'], returns: 'Tensor', target: `${torch}($a:l, $b:l)`, samples: [sample], notes };
}

const pos = { x: S.pos2x3 };
const unit = { x: S.unit2x3 };

export const math: Mapping[] = [
  unary('abs', 'torch.abs'),
  unary('acos', 'torch.acos', unit),
  unary('acosh', 'torch.acosh', { x: T([[1.5, 2, 3]]) }),
  unary('asin', 'torch.asin', unit),
  unary('asinh', 'torch.asinh'),
  unary('atan', 'torch.atan'),
  unary('atanh', 'torch.atanh', unit),
  unary('ceil', 'torch.ceil', { x: S.m2x3b }),
  unary('cos', 'torch.cos'),
  unary('cosh', 'torch.cosh'),
  unary('erf', 'torch.erf', unit),
  unary('exp', 'torch.exp'),
  unary('expm1', 'torch.expm1'),
  unary('floor', 'torch.floor', { x: S.m2x3b }),
  unary('log', 'torch.log', pos),
  unary('log1p', 'torch.log1p', pos),
  unary('neg', 'torch.neg'),
  unary('reciprocal', 'torch.reciprocal', pos),
  unary('round', 'torch.round', { x: T([[0.5, 1.5, 2.5], [-0.5, -1.4, 2.6]]) }, 'exact', ['round-half-even']),
  unary('rsqrt', 'torch.rsqrt', pos),
  unary('sigmoid', 'torch.sigmoid'),
  unary('sign', 'torch.sign'),
  unary('sin', 'torch.sin'),
  unary('sinh', 'torch.sinh'),
  unary('sqrt', 'torch.sqrt', pos),
  unary('square', 'torch.square'),
  unary('tan', 'torch.tan', unit),
  unary('tanh', 'torch.tanh'),
  unary('relu', 'torch.relu'),
  unary('relu6', 'F.relu6', { x: T([[-1, 3, 7]]) }),
  unary('elu', 'F.elu', undefined, 'exact', ['elu-alpha']),
  unary('selu', 'F.selu'),
  unary('softplus', 'F.softplus'),
  unary('logSigmoid', 'F.logSigmoid'),
  unary('isNaN', 'torch.isnan'),
  unary('isInf', 'torch.isinf'),
  unary('isFinite', 'torch.isfinite'),
  unary('logicalNot', 'torch.logicalNot', { x: T([true, false], 'bool') }),
  chainable({
    tf: 'tf.leakyRelu', kind: 'function', status: 'exact', params: ['x', 'alpha?=0.2'], returns: 'Tensor', notes: ['leaky-relu-alpha'],
    target: 'F.leakyRelu($x:t, $alpha)', samples: samples({ x: S.m2x3 }, { x: S.m2x3, alpha: 0.1 }),
  }),
  chainable({
    tf: 'tf.prelu', kind: 'function', status: 'exact', params: ['x', 'alpha'], returns: 'Tensor',
    target: 'torch.relu($x:t).sub(torch.relu(torch.neg($x:t)).mul($alpha:l))', samples: samples({ x: S.m2x3, alpha: T([0.1, 0.2, 0.3]) }),
  }),
  chainable({
    tf: 'tf.step', kind: 'function', status: 'exact', params: ['x', 'alpha?'], returns: 'Tensor', notes: ['step-alpha'],
    target: 'torch.gt($x:t, 0).float(){{.mul(1 - $alpha:p).add($alpha)}}', samples: samples({ x: S.m2x3 }, { x: S.m2x3, alpha: 0.5 }),
  }),
  binary('add', 'torch.add'),
  binary('sub', 'torch.sub'),
  binary('mul', 'torch.mul'),
  binary('div', 'torch.div', 'semantic', ['int-division']),
  binary('pow', 'torch.pow', 'exact', undefined, { a: S.pos2x3, b: T([[2, 0.5, 3], [1, 2, -1]]) }),
  binary('maximum', 'torch.maximum'),
  binary('minimum', 'torch.minimum'),
  binary('atan2', 'torch.atan2'),
  binary('mod', 'torch.remainder', 'exact', ['mod-floor'], { a: T([[5, -5, 7.5]]), b: T([[3, 3, -2]]) }),
  chainable({
    tf: 'tf.floorDiv', kind: 'function', status: 'exact', params: ['a', 'b'], returns: 'Tensor', notes: ['floordiv-int32'],
    target: "torch.floorDivide($a:l, $b:l).to('int32')", samples: samples({ a: T([[5, -5, 7.5]]), b: T([[3, 3, -2]]) }),
  }),
  binary('equal', 'torch.eq', 'exact', undefined, { a: S.m2x3, b: T([[1, 2, 3], [0, 5, 0]]) }),
  binary('notEqual', 'torch.ne', 'exact', undefined, { a: S.m2x3, b: T([[1, 2, 3], [0, 5, 0]]) }),
  binary('less', 'torch.lt'),
  binary('lessEqual', 'torch.le'),
  binary('greater', 'torch.gt'),
  binary('greaterEqual', 'torch.ge'),
  binary('logicalAnd', 'torch.logicalAnd', 'exact', undefined, { a: T([true, false, true], 'bool'), b: T([true, true, false], 'bool') }),
  binary('logicalOr', 'torch.logicalOr', 'exact', undefined, { a: T([true, false, false], 'bool'), b: T([true, true, false], 'bool') }),
  binary('logicalXor', 'torch.logicalXor', 'exact', undefined, { a: T([true, false, false], 'bool'), b: T([true, true, false], 'bool') }),
  chainable({
    tf: 'tf.squaredDifference', kind: 'function', status: 'exact', params: ['a', 'b'], returns: 'Tensor',
    target: 'torch.sub($a:l, $b:l).square()', samples: samples({ a: S.m2x3, b: S.m2x3b }),
  }),
  chainable({
    tf: 'tf.divNoNan', kind: 'function', status: 'exact', params: ['a', 'b'], returns: 'Tensor', notes: ['div-no-nan'],
    target: 'torch.where(torch.eq($b:t, 0), 0, torch.div($a:l, $b:t))', samples: samples({ a: S.m2x3, b: T([[1, 0, 2], [0, 4, 3]]) }),
  }),
  chainable({
    tf: 'tf.clipByValue', kind: 'function', status: 'exact', params: ['x', 'clipValueMin', 'clipValueMax'], returns: 'Tensor', notes: ['clip-by-value'],
    target: 'torch.clamp($x:t, $clipValueMin, $clipValueMax)', samples: samples({ x: S.m2x3, clipValueMin: -2, clipValueMax: 2.5 }),
  }),
  {
    tf: 'tf.where', kind: 'function', status: 'exact', params: ['condition', 'a', 'b'], returns: 'Tensor', notes: ['where-broadcast'],
    target: 'torch.where($condition:t, $a:l, $b:l)', samples: samples({ condition: T([[true, false, true], [false, false, true]], 'bool'), a: S.m2x3, b: S.m2x3b }),
  },
  {
    tf: 'tf.addN', kind: 'function', status: 'exact', params: ['tensors'], returns: 'Tensor', notes: ['add-n'],
    target: 'torch.stack($tensors).sum(0)',
  },
  chainable({
    tf: 'tf.matMul', kind: 'function', status: 'exact', params: ['a', 'b', 'transposeA?', 'transposeB?'], returns: 'Tensor',
    transform: 'matMul', target: 'torch.matmul($a:t, $b:t)',
    samples: samples({ a: S.m2x3, b: S.m3x2 }, { a: S.m2x3, b: S.m2x3b, transposeA: false, transposeB: true }),
    examples: [
      { tf: 'tf.matMul(x, w)', torch: 'torch.matmul(x, w)' },
      { tf: 'tf.matMul(x, w, false, true)', torch: 'torch.matmul(x, w.mT)' },
    ],
  }),
  chainable({
    tf: 'tf.dot', kind: 'function', status: 'exact', params: ['t1', 't2'], returns: 'Tensor',
    target: 'torch.matmul($t1:t, $t2:t)', samples: samples({ t1: S.m2x3, t2: S.m3x2 }, { t1: S.v4, t2: S.v4 }),
  }),
  {
    tf: 'tf.outerProduct', kind: 'function', status: 'exact', params: ['v1', 'v2'], returns: 'Tensor',
    target: 'torch.outer($v1:t, $v2:t)', samples: samples({ v1: T([1, 2]), v2: T([3, 4, 5]) }),
  },
  chainable(manual('tf.cumsum', 'torch.cumsum is not in the runtime yet', { returns: 'Tensor' })),
  chainable(manual('tf.cumprod', 'torch.cumprod is not in the runtime yet', { returns: 'Tensor' })),
  manual('tf.bitwiseAnd', 'bitwise ops are not in the runtime', { returns: 'Tensor' }),
  manual('tf.einsum', 'torch.einsum is not in the runtime yet', { returns: 'Tensor' }),
  manual('tf.fft', 'FFT is not in the runtime', { returns: 'Tensor' }),
  manual('tf.ifft', 'FFT is not in the runtime', { returns: 'Tensor' }),
  manual('tf.rfft', 'FFT is not in the runtime', { returns: 'Tensor' }),
  manual('tf.irfft', 'FFT is not in the runtime', { returns: 'Tensor' }),
  manual('tf.movingAverage', 'update the average in place: v.mul_(decay).add_(x.mul(1 - decay)) (tfjs also bias-corrects with zeroDebias)', { returns: 'Tensor' }),
  manual('tf.searchSorted', 'torch.searchsorted is not in the runtime', { returns: 'Tensor' }),
  manual('tf.lowerBound', 'torch.searchsorted is not in the runtime', { returns: 'Tensor' }),
  manual('tf.upperBound', 'torch.searchsorted is not in the runtime', { returns: 'Tensor' }),
  manual('tf.cosineWindow', 'compute the window with tensor ops (0.5 - 0.5·cos(2πn/N))', { returns: 'Tensor' }),
];
