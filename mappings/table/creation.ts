/** Tensor creation: from data, constant fills, ranges, random values, variables. */
import type { Mapping } from '../schema.js';
import { T, chainable, manual, samples } from './helpers.js';

const fromValues = (tf: string, params: string[]): Mapping => ({
  tf, kind: 'function', status: 'exact', params, transform: 'tensorFromValues', returns: 'Tensor',
  notes: ['tensor-int-float32'],
  target: "torch.tensor($values, { dtype: 'float32' })",
});

export const creation: Mapping[] = [
  {
    ...fromValues('tf.tensor', ['values', 'shape?', 'dtype?']),
    samples: samples({ values: [[1, 2], [3, 4]] }, { values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }),
    examples: [
      { tf: 'tf.tensor([1, 2, 3])', torch: "torch.tensor([1, 2, 3], { dtype: 'float32' })" },
      { tf: 'tf.tensor([1, 2, 3, 4], [2, 2])', torch: "torch.tensor([1, 2, 3, 4], { dtype: 'float32' }).reshape([2, 2])" },
      { tf: "tf.tensor([1, 2], undefined, 'int32')", torch: "torch.tensor([1, 2], { dtype: 'int32' })" },
    ],
  },
  { ...fromValues('tf.scalar', ['values', 'dtype?']), samples: samples({ values: 3 }), examples: [{ tf: 'tf.scalar(2)', torch: "torch.tensor(2, { dtype: 'float32' })" }] },
  { ...fromValues('tf.tensor1d', ['values', 'dtype?']), samples: samples({ values: [1, 2, 3] }) },
  { ...fromValues('tf.tensor2d', ['values', 'shape?', 'dtype?']), samples: samples({ values: [[1, 2], [3, 4]] }, { values: [1, 2, 3, 4], shape: [2, 2] }) },
  { ...fromValues('tf.tensor3d', ['values', 'shape?', 'dtype?']), samples: samples({ values: [[[1], [2]], [[3], [4]]] }) },
  fromValues('tf.tensor4d', ['values', 'shape?', 'dtype?']),
  fromValues('tf.tensor5d', ['values', 'shape?', 'dtype?']),
  fromValues('tf.tensor6d', ['values', 'shape?', 'dtype?']),
  {
    tf: 'tf.zeros', kind: 'function', status: 'exact', params: ['shape', 'dtype?'], returns: 'Tensor',
    target: 'torch.zeros($shape{{, { dtype: $dtype }}})', samples: samples({ shape: [2, 3] }),
  },
  {
    tf: 'tf.ones', kind: 'function', status: 'exact', params: ['shape', 'dtype?'], returns: 'Tensor',
    target: 'torch.ones($shape{{, { dtype: $dtype }}})', samples: samples({ shape: [3] }),
  },
  {
    tf: 'tf.fill', kind: 'function', status: 'exact', params: ['shape', 'value', 'dtype?'], returns: 'Tensor',
    target: 'torch.full($shape, $value{{, { dtype: $dtype }}})', samples: samples({ shape: [2, 2], value: 7 }),
  },
  chainable({ tf: 'tf.zerosLike', kind: 'function', status: 'exact', params: ['x'], returns: 'Tensor', target: 'torch.zerosLike($x:t)', samples: samples({ x: T([[1, 2]]) }) }),
  chainable({ tf: 'tf.onesLike', kind: 'function', status: 'exact', params: ['x'], returns: 'Tensor', target: 'torch.onesLike($x:t)', samples: samples({ x: T([[1, 2]]) }) }),
  {
    tf: 'tf.range', kind: 'function', status: 'exact', params: ['start', 'stop', 'step?=1', "dtype?='float32'"], returns: 'Tensor',
    notes: ['range-float32'], target: 'torch.arange($start, $stop, $step, { dtype: $dtype })',
    samples: samples({ start: 0, stop: 5 }, { start: 1, stop: 2, step: 0.25 }),
  },
  {
    tf: 'tf.linspace', kind: 'function', status: 'exact', params: ['start', 'stop', 'num'], returns: 'Tensor',
    target: 'torch.linspace($start, $stop, $num)', samples: samples({ start: 0, stop: 1, num: 5 }),
  },
  {
    tf: 'tf.eye', kind: 'function', status: 'exact', params: ['numRows', 'numColumns?', 'batchShape!', 'dtype?'], returns: 'Tensor',
    reason: 'batchShape (a batch of identity matrices) has no torch.eye option; expand the result instead',
    target: ['torch.eye($numRows, $numColumns{{, { dtype: $dtype }}})', 'torch.eye($numRows{{, { dtype: $dtype }}})'],
    samples: samples({ numRows: 3 }, { numRows: 2, numColumns: 3 }),
  },
  manual('tf.buffer', 'TensorBuffer has no runtime equivalent: fill a typed array and call torch.tensor(array, { shape })'),
  {
    tf: 'tf.randomNormal', kind: 'function', status: 'semantic', params: ['shape', 'mean?', 'stdDev?', 'dtype?', 'seed?'], returns: 'Tensor',
    notes: ['random-stream'], transform: 'randomValues', target: 'torch.randn($shape, { generator: new torch.Generator($seed) }).mul($stdDev).add($mean)',
    examples: [
      { tf: 'tf.randomNormal([2, 3], 0, 0.1)', torch: 'torch.randn([2, 3]).mul(0.1)' },
      { tf: 'tf.randomNormal([2], 5, 2, "float32", 7)', torch: 'torch.randn([2], { generator: new torch.Generator(7) }).mul(2).add(5)' },
    ],
  },
  {
    tf: 'tf.randomStandardNormal', kind: 'function', status: 'semantic', params: ['shape', 'dtype?', 'seed?'], returns: 'Tensor',
    notes: ['random-stream'], transform: 'randomValues', target: 'torch.randn($shape, { generator: new torch.Generator($seed) })',
  },
  {
    tf: 'tf.randomUniform', kind: 'function', status: 'semantic', params: ['shape', 'minval?', 'maxval?', 'dtype?', 'seed?'], returns: 'Tensor',
    notes: ['random-stream'], transform: 'randomValues',
    target: "torch.empty($shape).uniform_($minval, $maxval, new torch.Generator($seed)) (int32: .to('int32'), which truncates as tfjs's Int32Array does)",
    examples: [
      { tf: 'tf.randomUniform([4], -1, 1)', torch: 'torch.empty([4]).uniform_(-1, 1)' },
      { tf: "tf.randomUniform([2, 3], -1, 1, 'float32', 42)", torch: 'torch.empty([2, 3]).uniform_(-1, 1, new torch.Generator(42))' },
      { tf: "tf.randomUniform([4], 0, 10, 'int32')", torch: 'torch.randint(0, 10, [4])' },
      { tf: "tf.randomUniform([4], -3, 3, 'int32')", torch: "torch.empty([4]).uniform_(-3, 3).to('int32')" },
      { tf: "tf.randomNormal([4], 0, 3, 'int32')", torch: "torch.randn([4]).mul(3).add(0.5).floor().to('int32')" },
    ],
  },
  {
    tf: 'tf.randomUniformInt', kind: 'function', status: 'semantic', params: ['shape', 'minval', 'maxval', 'seed?'], returns: 'Tensor',
    notes: ['random-stream', 'random-int-dtype'], transform: 'randomValues',
    target: "torch.empty($shape).uniform_($minval, $maxval, new torch.Generator($seed)).to('int32')",
  },
  {
    tf: 'tf.truncatedNormal', kind: 'function', status: 'semantic', params: ['shape', 'mean?=0', 'stdDev?=1', 'dtype?', 'seed?'], returns: 'Tensor',
    notes: ['random-stream', 'truncated-normal-2std'], transform: 'randomValues',
    target: 'nn.init.truncNormal_(torch.empty($shape), $mean, $stdDev, $mean - 2 * $stdDev, $mean + 2 * $stdDev, { generator: new torch.Generator($seed) })',
  },
  {
    tf: 'tf.multinomial', kind: 'function', status: 'semantic', params: ['logits', 'numSamples', 'seed?', 'normalized?=false'], returns: 'Tensor',
    notes: ['random-stream', 'multinomial-logits'], transform: 'multinomial',
    target: 'torch.multinomial(torch.softmax($logits, -1), $numSamples, { replacement: true, generator: new torch.Generator($seed) })',
    examples: [
      { tf: 'tf.multinomial(logits, 1)', torch: 'torch.multinomial(torch.softmax(logits, -1), 1, { replacement: true })' },
      { tf: 'tf.multinomial(probs, 10, 7, true)', torch: 'torch.multinomial(probs, 10, { replacement: true, generator: new torch.Generator(7) })' },
    ],
  },
  manual('tf.randomGamma', 'no gamma sampler in the runtime', { returns: 'Tensor' }),
  manual('tf.rand', 'tf.rand takes a custom random function; fill a typed array and call torch.tensor', { returns: 'Tensor' }),
  {
    tf: 'tf.variable', kind: 'function', status: 'exact', params: ['initialValue', 'trainable?', 'name~', 'dtype?'], returns: 'Variable',
    transform: 'variable', notes: ['variable-leaf'], target: '$initialValue.detach().clone().requiresGrad_()',
    examples: [
      { tf: 'tf.variable(tf.zeros([3]))', torch: 'torch.zeros([3]).requiresGrad_()' },
      { tf: 'tf.variable(w0)', torch: 'w0.detach().clone().requiresGrad_()' },
      { tf: 'tf.variable(tf.scalar(0), false)', torch: "torch.tensor(0, { dtype: 'float32' })" },
    ],
  },
  {
    tf: 'Variable.assign', kind: 'method', status: 'exact', params: ['newValue'], returns: 'other',
    notes: ['variable-assign'], target: 'torch.noGrad(() => $self.copy_($newValue:t))',
  },
  { tf: 'tf.clone', kind: 'function', status: 'exact', params: ['x'], returns: 'Tensor', target: '$x:t.clone()', samples: samples({ x: T([1, 2]) }) },
  manual('tf.complex', 'complex dtypes are not supported by the runtime', { returns: 'Tensor' }),
  manual('tf.real', 'complex dtypes are not supported by the runtime', { returns: 'Tensor' }),
  manual('tf.imag', 'complex dtypes are not supported by the runtime', { returns: 'Tensor' }),
  manual('tf.diag', 'torch.diag is not in the runtime yet; build it with torch.eye(n).mul(x)', { returns: 'Tensor' }),
  manual('tf.meshgrid', 'torch.meshgrid is not in the runtime yet', { returns: 'Tensor' }),
];
