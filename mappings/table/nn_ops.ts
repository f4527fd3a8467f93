/** Neural-network ops: softmax, convolutions, pooling, batch norm, dropout. */
import type { Mapping } from '../schema.js';
import { S, T, chainable, manual, samples } from './helpers.js';

const img = T([[[[1], [2], [0]], [[-1], [3], [1]], [[2], [0], [1]]]]); // [1, 3, 3, 1] NHWC
const x2 = T([[[[1, 0], [2, 1]], [[-1, 1], [0, 3]]]]); // [1, 2, 2, 2] NHWC
const filt = T([[[[1, 0]], [[0, 1]]], [[[-1, 1]], [[1, 1]]]]); // [2, 2, 1, 2] HWIO

export const nnOps: Mapping[] = [
  chainable({
    tf: 'tf.softmax', kind: 'function', status: 'exact', params: ['logits', 'dim?=-1'], returns: 'Tensor', notes: ['softmax-dim'],
    target: 'torch.softmax($logits:t, $dim)', samples: samples({ logits: S.m2x3 }, { logits: S.m2x3, dim: -1 }),
    examples: [{ tf: 'tf.softmax(logits)', torch: 'torch.softmax(logits, -1)' }],
  }),
  chainable({
    tf: 'tf.logSoftmax', kind: 'function', status: 'exact', params: ['logits', 'axis?=-1'], returns: 'Tensor', notes: ['softmax-dim'],
    target: 'torch.logSoftmax($logits:t, $axis)', samples: samples({ logits: S.m2x3 }),
  }),
  chainable({
    tf: 'tf.conv2d', kind: 'function', status: 'semantic', params: ['x', 'filter', 'strides', 'pad', "dataFormat?='NHWC'", 'dilations?', 'dimRoundingMode!'],
    returns: 'Tensor', transform: 'conv2d', notes: ['nhwc-nchw', 'conv-filter-layout'],
    reason: 'dimRoundingMode has no runtime option',
    target: 'torch.conv2d($x.permute(0, 3, 1, 2), $filter.permute(3, 2, 0, 1), null, { stride: $strides, padding: $pad }).permute(0, 2, 3, 1)',
    samples: samples({ x: img, filter: filt, strides: 1, pad: 'valid' }, { x: img, filter: filt, strides: 1, pad: 'same' }),
  }),
  chainable({
    tf: 'tf.conv1d', kind: 'function', status: 'semantic', params: ['x', 'filter', 'stride', 'pad', "dataFormat?='NWC'", 'dilation?', 'dimRoundingMode!'],
    returns: 'Tensor', transform: 'conv1d', notes: ['nhwc-nchw', 'conv-filter-layout'], reason: 'dimRoundingMode has no runtime option',
    target: 'torch.conv1d($x.permute(0, 2, 1), $filter.permute(2, 1, 0), null, { stride: $stride, padding: $pad }).permute(0, 2, 1)',
    samples: samples({ x: T([[[1], [2], [0], [-1]]]), filter: T([[[1]], [[-1]]]), stride: 1, pad: 'valid' }),
  }),
  chainable({
    tf: 'tf.maxPool', kind: 'function', status: 'semantic', params: ['x', 'filterSize', 'strides', 'pad', 'dimRoundingMode!'], returns: 'Tensor',
    transform: 'pool2d', notes: ['nhwc-nchw'], reason: 'dimRoundingMode has no runtime option',
    target: 'F.maxPool2d($x.permute(0, 3, 1, 2), $filterSize, { stride: $strides }).permute(0, 2, 3, 1)',
    samples: samples({ x: img, filterSize: 2, strides: 1, pad: 'valid' }, { x: img, filterSize: 3, strides: 1, pad: 'same' }),
  }),
  chainable({
    tf: 'tf.avgPool', kind: 'function', status: 'semantic', params: ['x', 'filterSize', 'strides', 'pad', 'dimRoundingMode!'], returns: 'Tensor',
    transform: 'pool2d', notes: ['nhwc-nchw', 'avgpool-same-count'], reason: 'dimRoundingMode has no runtime option',
    target: 'F.avgPool2d($x.permute(0, 3, 1, 2), $filterSize, { stride: $strides }).permute(0, 2, 3, 1)',
    samples: samples({ x: img, filterSize: 2, strides: 1, pad: 'valid' }, { x: img, filterSize: 3, strides: 1, pad: 'same' }),
  }),
  chainable({
    tf: 'tf.batchNorm', kind: 'function', status: 'exact', params: ['x', 'mean', 'variance', 'offset?', 'scale?', 'varianceEpsilon?=0.001'], returns: 'Tensor',
    target: '$x:t.sub($mean:l).div(torch.sqrt(torch.add($variance:t, $varianceEpsilon))){{.mul($scale:l)}}{{.add($offset:l)}}',
    samples: samples({ x: S.m2x3, mean: T([0, 1, -1]), variance: T([1, 2, 0.5]), offset: T([0.1, 0, 0]), scale: T([2, 1, 1]) }),
  }),
  { tf: 'tf.batchNorm2d', kind: 'function', status: 'exact', params: ['x', 'mean', 'variance', 'offset?', 'scale?', 'varianceEpsilon?=0.001'], returns: 'Tensor', target: '$x:t.sub($mean:l).div(torch.sqrt(torch.add($variance:t, $varianceEpsilon))){{.mul($scale:l)}}{{.add($offset:l)}}' },
  { tf: 'tf.batchNorm3d', kind: 'function', status: 'exact', params: ['x', 'mean', 'variance', 'offset?', 'scale?', 'varianceEpsilon?=0.001'], returns: 'Tensor', target: '$x:t.sub($mean:l).div(torch.sqrt(torch.add($variance:t, $varianceEpsilon))){{.mul($scale:l)}}{{.add($offset:l)}}' },
  { tf: 'tf.batchNorm4d', kind: 'function', status: 'exact', params: ['x', 'mean', 'variance', 'offset?', 'scale?', 'varianceEpsilon?=0.001'], returns: 'Tensor', target: '$x:t.sub($mean:l).div(torch.sqrt(torch.add($variance:t, $varianceEpsilon))){{.mul($scale:l)}}{{.add($offset:l)}}' },
  {
    tf: 'tf.dropout', kind: 'function', status: 'semantic', params: ['x', 'rate', 'noiseShape?', 'seed?'], returns: 'Tensor',
    notes: ['dropout-rate', 'random-stream'],
    target: 'F.dropout($x:t, { p: $rate{{, noiseShape: $noiseShape}}{{, generator: new torch.Generator($seed)}} })',
    examples: [{ tf: 'tf.dropout(x, 0.2, [2, 1], 7)', torch: 'F.dropout(x, { p: 0.2, noiseShape: [2, 1], generator: new torch.Generator(7) })' }],
  },
  chainable({
    tf: 'tf.conv2dTranspose', kind: 'function', status: 'exact', params: ['x', 'filter', 'outputShape', 'strides', 'pad', 'dimRoundingMode?'],
    returns: 'Tensor', notes: ['conv-transpose-tfjs'],
    target: 'compat.conv2dTranspose($x:t, $filter:t, $outputShape, $strides, $pad{{, $dimRoundingMode}})',
    samples: samples(
      { x: x2, filter: filt, outputShape: [1, 3, 3, 1], strides: 1, pad: 'valid' },
      { x: x2, filter: filt, outputShape: [1, 4, 4, 1], strides: 2, pad: 'same' },
      // An odd output under 'same': TF's extra padding row sits at the bottom of the conv2d it transposes.
      { x: x2, filter: filt, outputShape: [1, 3, 3, 1], strides: 2, pad: 'same' },
    ),
    examples: [{ tf: "tf.conv2dTranspose(x, filter, [8, 14, 14, 16], 2, 'same')", torch: "compat.conv2dTranspose(x, filter, [8, 14, 14, 16], 2, 'same')" }],
  }),
  manual('tf.conv3d', '3-D convolution is not in the runtime', { returns: 'Tensor' }),
  manual('tf.conv3dTranspose', '3-D convolution is not in the runtime', { returns: 'Tensor' }),
  chainable(manual('tf.depthwiseConv2d', 'write it as conv2d with groups = in channels and the filter reshaped to [in·mult, 1, kh, kw]', { returns: 'Tensor' })),
  chainable(manual('tf.separableConv2d', 'write it as a depthwise conv2d (groups) followed by a 1×1 conv2d', { returns: 'Tensor' })),
  chainable(manual('tf.dilation2d', 'morphological dilation is not in the runtime', { returns: 'Tensor' })),
  manual('tf.maxPool3d', '3-D pooling is not in the runtime', { returns: 'Tensor' }),
  manual('tf.avgPool3d', '3-D pooling is not in the runtime', { returns: 'Tensor' }),
  manual('tf.maxPoolWithArgmax', 'F.maxPool2d with returnIndices: check the runtime (indices are per window in PyTorch, flat in tfjs)', { returns: 'Tensor' }),
  chainable(manual('tf.pool', 'use F.maxPool2d/F.avgPool2d (dilated pooling differs)', { returns: 'Tensor' })),
  chainable(manual('tf.localResponseNormalization', 'local response normalisation is not in the runtime', { returns: 'Tensor' })),
  manual('tf.basicLSTMCell', 'use nn.LSTMCell (gate order and forget bias differ)', { returns: 'Tensor' }),
  manual('tf.multiRNNCell', 'stack nn.LSTMCell modules by hand', { returns: 'Tensor' }),
];
