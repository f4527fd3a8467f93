/**
 * tf.layers.*: each becomes one or more runtime modules (or ops) through a layer transformer, which also infers
 * the output shape so the next module can be sized (PyTorch modules take their input size at construction).
 * Used inside tf.sequential / tf.model by the model pattern rules; alone, a layer needs inputShape/inputDim.
 */
import type { LayerPairing, Mapping, NoteId } from '../schema.js';
import { manual } from './helpers.js';

const layer = (name: string, transform: string, target: string, notes: NoteId[] = [], status: Mapping['status'] = 'semantic', diff?: LayerPairing): Mapping => ({
  tf: `tf.layers.${name}`, kind: 'function', status, params: ['config?'], returns: 'Layer', transform, target, notes, ...(diff ? { diff } : {}),
});

/** How the diff pairs a layer (schema.ts LayerPairing): its tfjs class, the module classes it becomes. */
const pairs = (className: string, modules: string[], more: Omit<LayerPairing, 'className' | 'modules'> = {}): LayerPairing => ({ className, modules, ...more });
/** One layer, one direction; tfjs's single bias is bias_ih (the migration holds bias_hh at zero). */
const RNN_WEIGHTS = { kernel: 'weight_ih_l0', recurrent_kernel: 'weight_hh_l0', bias: 'bias_ih_l0' };
const NORM_WEIGHTS = { gamma: 'weight', beta: 'bias' };
/** A Bidirectional's two layers (the probe names their weights forward_* / backward_*) as the module's two directions. */
const BIDIRECTIONAL_WEIGHTS = Object.fromEntries(Object.entries(RNN_WEIGHTS).flatMap(([tf, rt]) => [[`forward_${tf}`, rt], [`backward_${tf}`, `${rt}_reverse`]]));

export const layers: Mapping[] = [
  layer('dense', 'denseLayer', 'new nn.Linear(inFeatures, units, { bias: useBias })', ['dense-kernel-layout', 'glorot-normal-init', 'activation-module'], 'semantic', pairs('Dense', ['Linear'])),
  layer('conv2d', 'conv2dLayer', 'new nn.Conv2d(inChannels, filters, kernelSize, { stride, padding, dilation })', ['nhwc-nchw', 'conv-filter-layout', 'glorot-normal-init', 'same-padding-asymmetric'], 'semantic', pairs('Conv2D', ['Conv2d'])),
  // The diff also pairs compat.layers.ConvTranspose2dSame with it: the probe names a module by the nn class it extends.
  layer('conv2dTranspose', 'conv2dTransposeLayer', 'new nn.ConvTranspose2d(inChannels, filters, kernelSize, { stride, padding, outputPadding })', ['nhwc-nchw', 'conv-transpose-kernel-layout', 'glorot-normal-init', 'conv-transpose-same'], 'semantic', pairs('Conv2DTranspose', ['ConvTranspose2d'])),
  layer('conv1d', 'conv1dLayer', 'new nn.Conv1d(inChannels, filters, kernelSize, { stride, padding, dilation })', ['nhwc-nchw', 'conv-filter-layout', 'glorot-normal-init'], 'semantic', pairs('Conv1D', ['Conv1d'])),
  layer('maxPooling2d', 'pool2dLayer', 'new nn.MaxPool2d(poolSize, { stride: strides })', ['nhwc-nchw'], 'semantic', pairs('MaxPooling2D', ['MaxPool2d'])),
  layer('maxPool2d', 'pool2dLayer', 'new nn.MaxPool2d(poolSize, { stride: strides })', ['nhwc-nchw'], 'semantic', pairs('MaxPooling2D', ['MaxPool2d'])),
  layer('averagePooling2d', 'pool2dLayer', 'new nn.AvgPool2d(poolSize, { stride: strides })', ['nhwc-nchw', 'avgpool-same-count'], 'semantic', pairs('AveragePooling2D', ['AvgPool2d'])),
  layer('avgPool2d', 'pool2dLayer', 'new nn.AvgPool2d(poolSize, { stride: strides })', ['nhwc-nchw', 'avgpool-same-count'], 'semantic', pairs('AveragePooling2D', ['AvgPool2d'])),
  layer('avgPooling2d', 'pool2dLayer', 'new nn.AvgPool2d(poolSize, { stride: strides })', ['nhwc-nchw', 'avgpool-same-count'], 'semantic', pairs('AveragePooling2D', ['AvgPool2d'])),
  layer('maxPooling1d', 'pool1dLayer', 'new nn.MaxPool1d(poolSize, { stride: strides })', ['nhwc-nchw'], 'semantic', pairs('MaxPooling1D', ['MaxPool1d'])),
  layer('maxPool1d', 'pool1dLayer', 'new nn.MaxPool1d(poolSize, { stride: strides })', ['nhwc-nchw'], 'semantic', pairs('MaxPooling1D', ['MaxPool1d'])),
  layer('averagePooling1d', 'pool1dLayer', 'new nn.AvgPool1d(poolSize, { stride: strides })', ['nhwc-nchw'], 'semantic', pairs('AveragePooling1D', ['AvgPool1d'])),
  layer('avgPool1d', 'pool1dLayer', 'new nn.AvgPool1d(poolSize, { stride: strides })', ['nhwc-nchw'], 'semantic', pairs('AveragePooling1D', ['AvgPool1d'])),
  layer('avgPooling1d', 'pool1dLayer', 'new nn.AvgPool1d(poolSize, { stride: strides })', ['nhwc-nchw'], 'semantic', pairs('AveragePooling1D', ['AvgPool1d'])),
  layer('globalAveragePooling2d', 'globalPoolLayer', 'new nn.AdaptiveAvgPool2d(1), new nn.Flatten()', ['global-pool'], 'semantic', pairs('GlobalAveragePooling2D', ['AdaptiveAvgPool2d'], { then: ['Flatten'] })),
  layer('globalAveragePooling1d', 'globalPoolLayer', 'new nn.AdaptiveAvgPool1d(1), new nn.Flatten()', ['global-pool'], 'semantic', pairs('GlobalAveragePooling1D', ['AdaptiveAvgPool1d'], { then: ['Flatten'] })),
  layer('globalMaxPooling2d', 'globalPoolLayer', 'x.amax([2, 3])', ['global-pool'], 'semantic', pairs('GlobalMaxPooling2D', [], { op: true })),
  layer('globalMaxPool2d', 'globalPoolLayer', 'x.amax([2, 3])', ['global-pool'], 'semantic', pairs('GlobalMaxPooling2D', [], { op: true })),
  layer('globalMaxPooling1d', 'globalPoolLayer', 'x.amax(2)', ['global-pool'], 'semantic', pairs('GlobalMaxPooling1D', [], { op: true })),
  layer('globalMaxPool1d', 'globalPoolLayer', 'x.amax(2)', ['global-pool'], 'semantic', pairs('GlobalMaxPooling1D', [], { op: true })),
  layer('flatten', 'flattenLayer', 'new nn.Flatten()', ['flatten-order'], 'exact', pairs('Flatten', ['Flatten'])),
  // A rank-1 input becomes nn.Unflatten; a larger one x.reshape(-1, ...targetShape) in the forward.
  layer('reshape', 'reshapeLayer', 'new nn.Unflatten(1, targetShape)', [], 'exact', pairs('Reshape', ['Unflatten'], { op: true })),
  layer('dropout', 'dropoutLayer', 'new nn.Dropout(rate)', ['dropout-rate'], 'exact', pairs('Dropout', ['Dropout'])),
  layer('batchNormalization', 'batchNormLayer', 'new nn.BatchNorm2d(channels, { eps: 1e-3, momentum: 0.01, unbiasedRunningVar: false }) (new nn.BatchNorm1d(features, ...) on 2-D input)', ['batchnorm-momentum', 'batchnorm-variance'], 'semantic', pairs('BatchNormalization', ['BatchNorm1d', 'BatchNorm2d'], { weights: { ...NORM_WEIGHTS, moving_mean: 'running_mean', moving_variance: 'running_var' } })),
  layer('layerNormalization', 'layerNormLayer', 'new nn.LayerNorm(features, { eps: 1e-3 })', ['layernorm-eps'], 'semantic', pairs('LayerNormalization', ['LayerNorm'], { weights: NORM_WEIGHTS })),
  layer('activation', 'activationLayer', 'new nn.ReLU()', ['activation-module'], 'exact'),
  layer('reLU', 'activationLayer', 'new nn.ReLU()', [], 'exact', pairs('ReLU', ['ReLU'])),
  layer('leakyReLU', 'activationLayer', 'new nn.LeakyReLU(0.3)', ['leaky-relu-alpha'], 'exact', pairs('LeakyReLU', ['LeakyReLU'])),
  layer('elu', 'activationLayer', 'new nn.ELU()', [], 'exact', pairs('ELU', ['ELU'])),
  layer('softmax', 'activationLayer', 'new nn.Softmax(-1)', ['softmax-layer-axis'], 'exact', pairs('Softmax', ['Softmax'])),
  // One alpha, or one per channel (every axis but the last shared); an alpha per position stays a TODO.
  layer('prelu', 'preluLayer', 'new nn.PReLU(channels, { init: 0 })', ['prelu-alpha'], 'exact', pairs('PReLU', ['PReLU'], { weights: { alpha: 'weight' } })),
  layer('thresholdedReLU', 'thresholdedReluLayer', 'new nn.Threshold(theta, 0)', ['thresholded-relu-gradient'], 'exact'),
  layer('rescaling', 'rescalingLayer', 'x.float().mul(scale).add(offset)', [], 'exact', pairs('Rescaling', [], { op: true })),
  layer('embedding', 'embeddingLayer', 'new nn.Embedding(inputDim, outputDim)', ['embedding-init'], 'semantic', pairs('Embedding', ['Embedding'], { weights: { embeddings: 'weight' } })),
  layer('simpleRNN', 'rnnLayer', 'new nn.RNN(inputSize, units, { batchFirst: true })', ['rnn-bias', 'rnn-return-sequences', 'glorot-normal-init'], 'semantic', pairs('SimpleRNN', ['RNN'], { weights: RNN_WEIGHTS, cellActivation: true })),
  layer('lstm', 'rnnLayer', "new nn.LSTM(inputSize, units, { batchFirst: true, gateActivation: 'hardSigmoid' })", ['rnn-hard-sigmoid', 'rnn-bias', 'rnn-return-sequences', 'glorot-normal-init'], 'semantic', pairs('LSTM', ['LSTM'], { weights: RNN_WEIGHTS, cellActivation: true })),
  // Paired with its gates reordered (tfjs's kernel columns z, r, h; the runtime's rows r, z, n: layout.ts gru-kernel).
  layer('gru', 'rnnLayer', "new nn.GRU(inputSize, units, { batchFirst: true, gateActivation: 'hardSigmoid', resetAfter: false })", ['rnn-hard-sigmoid', 'gru-reset-before', 'rnn-bias', 'rnn-return-sequences', 'glorot-normal-init'], 'semantic', pairs('GRU', ['GRU'], { weights: RNN_WEIGHTS, cellActivation: true })),
  layer('concatenate', 'mergeLayer', 'torch.cat([a, b], axis)', [], 'exact'),
  layer('add', 'mergeLayer', 'torch.stack([a, b]).sum(0)', [], 'exact'),
  layer('multiply', 'mergeLayer', 'torch.mul(a, b)', [], 'exact'),
  layer('average', 'mergeLayer', 'torch.stack([a, b]).mean(0)', [], 'exact'),
  layer('maximum', 'mergeLayer', 'torch.maximum(a, b)', [], 'exact'),
  layer('minimum', 'mergeLayer', 'torch.minimum(a, b)', [], 'exact'),
  layer('dot', 'dotLayer', 'compat.layers.dot([a, b], axes, normalize)', ['dot-layer'], 'exact'),
  layer('permute', 'permuteLayer', 'x.permute(0, ...dims)', [], 'exact', pairs('Permute', [], { op: true })),
  layer('repeatVector', 'repeatVectorLayer', 'x.unsqueeze(1).expand(-1, n, -1)', [], 'exact', pairs('RepeatVector', [], { op: true })),
  {
    tf: 'tf.layers.input', kind: 'function', status: 'pattern', params: ['config'], returns: 'SymbolicTensor', rule: 'functionalModel',
    notes: ['symbolic-tensor'], target: '(the forward argument)',
  },
  // 'bilinear' is compat.image.resizeBilinear on the NHWC tensor (tfjs's sampling, not PyTorch's half-pixel one).
  layer('upSampling2d', 'upSampling2dLayer', "new nn.Upsample({ scaleFactor: size }) ('nearest'; 'bilinear': compat.image.resizeBilinear(x, [h·sh, w·sw]))", ['nhwc-nchw', 'upsampling-bilinear'], 'exact', pairs('UpSampling2D', ['Upsample'])),
  layer('zeroPadding2d', 'zeroPadding2dLayer', 'new nn.ZeroPad2d([left, right, top, bottom])', ['nhwc-nchw', 'zero-padding-order'], 'exact', pairs('ZeroPadding2D', ['ZeroPad2d'])),
  layer('cropping2D', 'cropping2DLayer', 'x.narrow(2, top, h - top - bottom).narrow(3, left, w - left - right) (sizes known only at run time: F.pad(x, [-left, -right, -top, -bottom]))', ['nhwc-nchw'], 'exact', pairs('Cropping2D', [], { op: true })),
  layer('inputLayer', 'inputLayerLayer', '(no module: gives the next layer its input shape)', [], 'exact'),
  manual('tf.layers.conv3d', '3-D convolution is not in the runtime'),
  manual('tf.layers.conv3dTranspose', '3-D convolution is not in the runtime'),
  layer('depthwiseConv2d', 'depthwiseConv2dLayer', 'new nn.Conv2d(inChannels, inChannels * depthMultiplier, kernelSize, { stride, padding, groups: inChannels })', ['nhwc-nchw', 'depthwise-kernel-layout', 'glorot-normal-init'], 'semantic', pairs('DepthwiseConv2D', ['Conv2d'], { weights: { depthwise_kernel: 'weight' } })),
  // Not paired in the diff: one layer, two modules, each with its own weights (LayerPairing maps a layer's weights onto one module).
  layer('separableConv2d', 'separableConv2dLayer', 'new nn.Conv2d(inChannels, inChannels * depthMultiplier, kernelSize, { stride, padding, dilation, groups: inChannels, bias: false }), new nn.Conv2d(inChannels * depthMultiplier, filters, 1)', ['nhwc-nchw', 'separable-conv', 'glorot-normal-init'], 'semantic'),
  manual('tf.layers.maxPooling3d', '3-D pooling is not in the runtime'),
  manual('tf.layers.averagePooling3d', '3-D pooling is not in the runtime'),
  manual('tf.layers.avgPool3d', '3-D pooling is not in the runtime'),
  manual('tf.layers.avgPooling3d', '3-D pooling is not in the runtime'),
  layer('bidirectional', 'bidirectionalLayer', "the wrapped RNN's module with bidirectional: true, e.g. new nn.LSTM(inputSize, units, { batchFirst: true, bidirectional: true, gateActivation: 'hardSigmoid' }) (likewise new nn.GRU(...), new nn.RNN(...)), its output through compat.layers.bidirectionalMerge(output, mergeMode, returnSequences)", ['bidirectional-merge'], 'semantic', pairs('Bidirectional', ['LSTM', 'GRU', 'RNN'], { weights: BIDIRECTIONAL_WEIGHTS, cellActivation: true, outputAfterOp: true })),
  // The diff pairs a wrapped dense (its Linear and activation module); the model rules also migrate activation and dropout.
  layer('timeDistributed', 'timeDistributedLayer', 'the wrapped layer applied to every time step: timeDistributed(dense) is new nn.Linear(features, units) on [N, T, F] as it is', ['time-distributed'], 'exact', pairs('TimeDistributed', ['Linear'])),
  manual('tf.layers.convLstm2d', 'ConvLSTM is not in the runtime'),
  manual('tf.layers.convLstm2dCell', 'ConvLSTM is not in the runtime'),
  manual('tf.layers.lstmCell', 'nn.LSTMCell (gate activations differ: hardSigmoid in tfjs)'),
  manual('tf.layers.gruCell', 'nn.GRUCell (gate activations differ: hardSigmoid in tfjs)'),
  manual('tf.layers.simpleRNNCell', 'nn.RNNCell'),
  manual('tf.layers.stackedRNNCells', 'a multi-layer RNN module (numLayers)'),
  manual('tf.layers.rnn', 'write the recurrence over the cell by hand'),
  layer('gaussianNoise', 'gaussianNoiseLayer', 'new compat.layers.GaussianNoise(stddev)', ['random-stream', 'gaussian-noise'], 'semantic'),
  layer('gaussianDropout', 'gaussianNoiseLayer', 'new compat.layers.GaussianDropout(rate)', ['random-stream', 'gaussian-noise'], 'semantic'),
  manual('tf.layers.alphaDropout', 'alpha dropout is not in the runtime'),
  layer('spatialDropout1d', 'spatialDropout1dLayer', 'new nn.Dropout1d(rate) (on [N, C, T])', ['random-stream'], 'semantic'),
  manual('tf.layers.masking', 'masking has no runtime equivalent'),
  manual('tf.layers.categoryEncoding', 'F.oneHot / counts in a forward'),
  layer('resizing', 'resizingLayer', "compat.image.resizeBilinear(x, [height, width], !cropToAspectRatio) ('nearest': compat.image.resizeNearestNeighbor(...))", ['resizing-align-corners'], 'exact'),
  manual('tf.layers.centerCrop', "tfjs's centerCrop resamples rather than slices (cropAndResize, nearest, over a box scaled by size − 1; offsets ⌊(h − height)/2⌋ and a width offset of at least 1) and upsizes with resizeBilinear when the image is smaller; tf.image.cropAndResize is not in the runtime yet"),
  manual('tf.layers.randomWidth', 'random image augmentation is not in the runtime'),
];
