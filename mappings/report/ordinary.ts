/**
 * The tfjs ops, Tensor methods, layers, optimizers and losses that appear in ordinary training programs (the
 * tfjs tutorials and examples: MNIST, CNNs, RNNs, regression, custom loops) — the coverage target's
 * denominator. Model-building and training-loop APIs (tf.sequential, fit, variableGrads) are pattern rules and
 * are reported separately.
 */
export const ORDINARY: readonly string[] = [
  // creation
  'tf.tensor', 'tf.tensor1d', 'tf.tensor2d', 'tf.tensor3d', 'tf.tensor4d', 'tf.scalar', 'tf.zeros', 'tf.ones', 'tf.fill',
  'tf.zerosLike', 'tf.onesLike', 'tf.range', 'tf.linspace', 'tf.eye', 'tf.randomNormal', 'tf.randomUniform', 'tf.truncatedNormal',
  'tf.variable', 'tf.clone',
  // math
  'tf.add', 'tf.sub', 'tf.mul', 'tf.div', 'tf.pow', 'tf.square', 'tf.sqrt', 'tf.exp', 'tf.log', 'tf.abs', 'tf.neg', 'tf.maximum',
  'tf.minimum', 'tf.matMul', 'tf.dot', 'tf.relu', 'tf.sigmoid', 'tf.tanh', 'tf.elu', 'tf.leakyRelu', 'tf.softplus', 'tf.clipByValue',
  'tf.equal', 'tf.greater', 'tf.less', 'tf.where', 'tf.squaredDifference', 'tf.round', 'tf.floor', 'tf.sign', 'tf.addN',
  // reductions
  'tf.sum', 'tf.mean', 'tf.max', 'tf.min', 'tf.argMax', 'tf.argMin', 'tf.logSumExp', 'tf.norm', 'tf.moments', 'tf.prod',
  // shape and indexing
  'tf.reshape', 'tf.transpose', 'tf.expandDims', 'tf.squeeze', 'tf.concat', 'tf.stack', 'tf.unstack', 'tf.split', 'tf.slice',
  'tf.gather', 'tf.oneHot', 'tf.pad', 'tf.tile', 'tf.reverse', 'tf.cast',
  // nn ops
  'tf.softmax', 'tf.logSoftmax', 'tf.conv2d', 'tf.conv1d', 'tf.maxPool', 'tf.avgPool', 'tf.batchNorm', 'tf.dropout',
  // memory
  'tf.tidy', 'tf.keep', 'tf.dispose', 'tf.memory',
  // Tensor methods
  'Tensor.add', 'Tensor.sub', 'Tensor.mul', 'Tensor.div', 'Tensor.pow', 'Tensor.square', 'Tensor.sqrt', 'Tensor.exp', 'Tensor.log',
  'Tensor.abs', 'Tensor.neg', 'Tensor.matMul', 'Tensor.relu', 'Tensor.sigmoid', 'Tensor.tanh', 'Tensor.softmax', 'Tensor.sum',
  'Tensor.mean', 'Tensor.max', 'Tensor.min', 'Tensor.argMax', 'Tensor.reshape', 'Tensor.transpose', 'Tensor.expandDims',
  'Tensor.squeeze', 'Tensor.flatten', 'Tensor.slice', 'Tensor.gather', 'Tensor.concat', 'Tensor.cast', 'Tensor.toFloat',
  'Tensor.toInt', 'Tensor.asType', 'Tensor.as1D', 'Tensor.as2D', 'Tensor.clone', 'Tensor.dataSync', 'Tensor.data',
  'Tensor.array', 'Tensor.arraySync', 'Tensor.print', 'Tensor.dispose', 'Tensor.equal', 'Tensor.greater', 'Tensor.less',
  'Tensor.clipByValue', 'Tensor.oneHot', 'Tensor.shape', 'Tensor.rank', 'Tensor.size', 'Tensor.dtype', 'Variable.assign',
  // layers
  'tf.layers.dense', 'tf.layers.conv2d', 'tf.layers.conv1d', 'tf.layers.maxPooling2d', 'tf.layers.averagePooling2d',
  'tf.layers.maxPooling1d', 'tf.layers.globalAveragePooling2d', 'tf.layers.flatten', 'tf.layers.reshape', 'tf.layers.dropout',
  'tf.layers.batchNormalization', 'tf.layers.layerNormalization', 'tf.layers.activation', 'tf.layers.embedding',
  'tf.layers.simpleRNN', 'tf.layers.lstm', 'tf.layers.gru', 'tf.layers.concatenate', 'tf.layers.add', 'tf.layers.leakyReLU',
  // optimizers
  'tf.train.sgd', 'tf.train.momentum', 'tf.train.adam', 'tf.train.adamax', 'tf.train.rmsprop', 'tf.train.adagrad',
  'tf.train.adadelta',
  // losses and metrics
  'tf.losses.meanSquaredError', 'tf.losses.absoluteDifference', 'tf.losses.softmaxCrossEntropy', 'tf.losses.sigmoidCrossEntropy',
  'tf.losses.huberLoss', 'tf.losses.logLoss', 'tf.losses.hingeLoss', 'tf.losses.cosineDistance',
  'tf.metrics.categoricalAccuracy', 'tf.metrics.binaryAccuracy', 'tf.metrics.categoricalCrossentropy',
  'tf.metrics.binaryCrossentropy', 'tf.metrics.meanSquaredError', 'tf.metrics.meanAbsoluteError',
];
