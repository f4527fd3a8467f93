/** softmax/logSoftmax (large logits, -inf entries, any dim) and the composite activations of nn.functional. */
import type { OpCase } from '../../support/op_case.js';
import { f32, vals } from '../../support/specs.js';
import { erf, map, reduce, logsumexpOf, ref, type Ref } from '../../support/reference.js';
import type { HostTensor } from '../../support/assert_close.js';

function softmaxRef(x: HostTensor, dim: number, log: boolean): Ref {
  const lse = reduce(x, [dim], true, logsumexpOf);
  const out = new Float64Array(x.data.length);
  const nd = x.shape.length;
  const d = dim < 0 ? dim + nd : dim;
  const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const size = x.shape[d];
  for (let i = 0; i < out.length; i++) {
    const o = Math.floor(i / (inner * size)), r = i % inner;
    const v = Number(x.data[i]) - lse.data[o * inner + r];
    out[i] = log ? v : Math.exp(v);
  }
  return ref(out, x.shape);
}

const softmaxCases: OpCase[] = [
  { name: 'softmax: last dim', inputs: () => [f32([3, 5], { range: [-4, 4] })], run: (t, x) => t.softmax(x, -1), tfjs: (tf, x) => tf.softmax(x), grad: true },
  { name: 'softmax: dim 0', inputs: () => [f32([3, 5], { range: [-4, 4] })], run: (_t, x) => x.softmax(0), tfjs: (tf, x) => tf.transpose(tf.softmax(tf.transpose(x))), grad: true },
  { name: 'softmax: middle dim of 3-D', inputs: () => [f32([2, 4, 3])], run: (_t, x) => x.softmax(1), reference: (x) => softmaxRef(x, 1, false), grad: true },
  { name: 'softmax: large logits (±1000) stay finite', inputs: () => [vals([[1000, 0, -1000], [1000, 1000, 999], [-1000, -1000, -1000]])], run: (_t, x) => x.softmax(1), reference: (x) => softmaxRef(x, 1, false) },
  { name: 'logSoftmax: last dim', inputs: () => [f32([3, 5], { range: [-4, 4] })], run: (t, x) => t.logSoftmax(x, -1), tfjs: (tf, x) => tf.logSoftmax(x), grad: true },
  { name: 'logSoftmax: dim 0 of 3-D', inputs: () => [f32([3, 2, 4])], run: (_t, x) => x.logSoftmax(0), reference: (x) => softmaxRef(x, 0, true), grad: true },
  { name: 'logSoftmax: large logits (±1000) stay finite', inputs: () => [vals([[1000, 0, -1000], [1000, 1000, 999]])], run: (_t, x) => x.logSoftmax(1), reference: (x) => softmaxRef(x, 1, true) },
  { name: 'logSoftmax: a -inf logit gives -inf, the rest finite', inputs: () => [vals([[0, -Infinity, 1], [2, 2, -Infinity]])], run: (_t, x) => x.logSoftmax(1), reference: (x) => softmaxRef(x, 1, true) },
  { name: 'softmax: float64 input', inputs: () => [{ shape: [2, 4], dtype: 'float64' }], run: (_t, x) => x.softmax(1), reference: (x) => ({ ...softmaxRef(x, 1, false), dtype: 'float64' }) },
];

const SQRT1_2 = Math.SQRT1_2;
const softplusRef = (v: number) => (v > 20 ? v : Math.log1p(Math.exp(v)));

const activationCases: OpCase[] = [
  { name: 'leakyRelu: slope 0.2', inputs: () => [f32([3, 5], { awayFrom: [0] })], run: (t, x) => t.F.leakyRelu(x, 0.2), tfjs: (tf, x) => tf.leakyRelu(x, 0.2), grad: true },
  { name: 'elu: alpha 1', inputs: () => [f32([3, 5], { awayFrom: [0] })], run: (t, x) => t.F.elu(x), tfjs: (tf, x) => tf.elu(x), grad: true },
  { name: 'selu', inputs: () => [f32([3, 5], { awayFrom: [0] })], run: (t, x) => t.F.selu(x), tfjs: (tf, x) => tf.selu(x), grad: true },
  { name: 'gelu: exact (erf)', inputs: () => [f32([3, 5], { range: [-4, 4] })], run: (t, x) => t.F.gelu(x), reference: (x) => map(x, (v) => 0.5 * v * (1 + erf(v * SQRT1_2))), grad: true },
  { name: 'gelu: tanh approximation', inputs: () => [f32([3, 5], { range: [-4, 4] })], run: (t, x) => t.F.gelu(x, 'tanh'), reference: (x) => map(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))), grad: true },
  { name: 'softplus: beta 1, linear above threshold 20', inputs: () => [vals([-30, -5, -1, 0, 1, 5, 19.5, 20.5, 100])], run: (t, x) => t.F.softplus(x), reference: (x) => map(x, softplusRef) },
  { name: 'softplus: vs tf.softplus', inputs: () => [f32([3, 5], { range: [-8, 8] })], run: (t, x) => t.F.softplus(x), tfjs: (tf, x) => tf.softplus(x), grad: true },
  { name: 'softplus: beta 2', inputs: () => [f32([3, 5], { range: [-4, 4] })], run: (t, x) => t.F.softplus(x, 2), reference: (x) => map(x, (v) => softplusRef(2 * v) / 2), grad: true },
  { name: 'silu', inputs: () => [f32([3, 5], { range: [-6, 6] })], run: (t, x) => t.F.silu(x), reference: (x) => map(x, (v) => v / (1 + Math.exp(-v))), grad: true },
  { name: 'relu6', inputs: () => [f32([3, 5], { range: [-3, 9], awayFrom: [0, 6] })], run: (t, x) => t.F.relu6(x), tfjs: (tf, x) => tf.relu6(x), grad: true },
  { name: 'hardtanh: [-0.5, 0.5]', inputs: () => [f32([3, 5], { awayFrom: [-0.5, 0.5] })], run: (t, x) => t.F.hardtanh(x, -0.5, 0.5), tfjs: (tf, x) => tf.clipByValue(x, -0.5, 0.5), grad: true },
  { name: 'logSigmoid: stable for large |x|', inputs: () => [vals([-100, -20, -1, 0, 1, 20, 100])], run: (t, x) => t.F.logSigmoid(x), reference: (x) => map(x, (v) => -softplusRef(-v)) },
  { name: 'logSigmoid: vs tf.logSigmoid', inputs: () => [f32([3, 5], { range: [-6, 6] })], run: (t, x) => t.F.logSigmoid(x), tfjs: (tf, x) => tf.logSigmoid(x), grad: true },
];

export const activationOpCases: OpCase[] = [...softmaxCases, ...activationCases];
