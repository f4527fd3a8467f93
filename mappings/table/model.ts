/** Models: tf.sequential / tf.model graphs, compile/fit/evaluate/predict, summary, save/load. */
import type { Mapping } from '../schema.js';
import { manual } from './helpers.js';

export const model: Mapping[] = [
  {
    tf: 'tf.sequential', kind: 'function', status: 'pattern', params: ['config?'], returns: 'Sequential', rule: 'sequentialModel',
    notes: ['sequential-model', 'glorot-normal-init'], target: 'new nn.Sequential(...modules)',
  },
  {
    tf: 'Sequential.add', kind: 'method', status: 'pattern', params: ['layer'], rule: 'sequentialModel',
    notes: ['sequential-model'], target: '$self.append(module)',
  },
  {
    tf: 'tf.model', kind: 'function', status: 'pattern', params: ['args'], returns: 'LayersModel', rule: 'functionalModel',
    notes: ['functional-model'], target: 'class Model extends nn.Module { ...; forward(...) { ... } }',
  },
  {
    tf: 'tf.input', kind: 'function', status: 'pattern', params: ['config'], returns: 'SymbolicTensor', rule: 'functionalModel',
    notes: ['symbolic-tensor'], target: '(the forward argument)',
  },
  {
    tf: 'Layer.apply', kind: 'method', status: 'pattern', params: ['inputs', 'kwargs?'], returns: 'SymbolicTensor', rule: 'functionalModel',
    notes: ['symbolic-tensor'], target: '(a step of the migrated forward)',
  },
  {
    tf: 'LayersModel.compile', kind: 'method', status: 'pattern', params: ['args'], rule: 'compileFit',
    notes: ['compile-fit-loop'], target: 'const optimizer = new optim.X(model.parameters(), {...}); const lossFn = (yPred, yTrue) => ...;',
  },
  {
    tf: 'LayersModel.fit', kind: 'method', status: 'pattern', params: ['x', 'y', 'args?'], returns: 'Promise<History>', rule: 'compileFit',
    notes: ['compile-fit-loop', 'fit-shuffle', 'fit-logs', 'fit-helper'],
    target: ['for (let epoch = 0; ...) { for (const [x, y] of loader) { ... } }', 'await utils.fit(model, x, y, { loss: lossFn, optimizer, metrics, ...args })'],
  },
  {
    tf: 'LayersModel.evaluate', kind: 'method', status: 'pattern', params: ['x', 'y', 'args?'], returns: 'Tensor', rule: 'compileFit',
    notes: ['evaluate-returns', 'fit-helper'],
    target: ['torch.noGrad(() => lossFn(model.eval().forward(x), y))', 'utils.evaluate(model, x, y, { loss: lossFn, metrics, batchSize })'],
  },
  {
    tf: 'LayersModel.predict', kind: 'method', status: 'pattern', params: ['x', 'args~'], returns: 'Tensor', rule: 'compileFit',
    notes: ['predict-eval', 'fit-helper'], target: ['torch.noGrad(() => $self.eval().forward($x))', 'utils.predict($self, $x, { batchSize })'],
  },
  {
    tf: 'LayersModel.predictOnBatch', kind: 'method', status: 'pattern', params: ['x'], returns: 'Tensor', rule: 'compileFit',
    notes: ['predict-eval'], target: 'torch.noGrad(() => $self.eval().forward($x))',
  },
  {
    tf: 'LayersModel.summary', kind: 'method', status: 'semantic', params: ['lineLength~', 'positions~', 'printFn!'], notes: ['summary-print'],
    reason: 'summary with a printFn: call it with model.toString()', target: 'console.log($self.toString())',
  },
  { tf: 'LayersModel.countParams', kind: 'method', status: 'exact', params: [], returns: 'number', notes: ['count-params'], target: '$self.numParameters()' },
  {
    tf: 'LayersModel.save', kind: 'method', status: 'semantic', params: ['handlerOrURL', 'config~'], returns: 'other',
    notes: ['model-save'], target: 'io.saveLayersModel($self, $handlerOrURL)',
  },
  manual('LayersModel.dispose', 'modules are garbage collected; remove the call'),
  {
    tf: 'LayersModel.fitDataset', kind: 'method', status: 'pattern', params: ['dataset', 'args'], returns: 'Promise<History>', rule: 'compileFit',
    notes: ['fit-dataset', 'fit-logs'], target: 'await utils.fitDataset(model, dataset, { loss: lossFn, optimizer, metrics, ...args })',
  },
  {
    tf: 'LayersModel.evaluateDataset', kind: 'method', status: 'pattern', params: ['dataset', 'args?'], returns: 'other', rule: 'compileFit',
    notes: ['fit-dataset', 'evaluate-returns'], target: 'await utils.evaluateDataset(model, dataset, { loss: lossFn, metrics, batches })',
  },
  {
    tf: 'LayersModel.trainOnBatch', kind: 'method', status: 'pattern', params: ['x', 'y'], returns: 'other', rule: 'compileFit',
    notes: ['train-on-batch'], target: 'await utils.trainOnBatch(model, x, y, { loss: lossFn, optimizer, metrics })',
  },
  {
    tf: 'LayersModel.getWeights', kind: 'method', status: 'exact', params: ['trainableOnly?'], returns: 'other', notes: ['get-weights-layout'],
    target: 'utils.getWeights($self{{, $trainableOnly}})',
  },
  {
    tf: 'LayersModel.setWeights', kind: 'method', status: 'exact', params: ['weights'], notes: ['get-weights-layout'],
    target: 'utils.setWeights($self, $weights)',
  },
  manual('LayersModel.execute', 'call the module\'s forward'),
  {
    tf: 'LayersModel.getLayer', kind: 'method', status: 'pattern', params: ['name?', 'index?'], returns: 'other', rule: 'functionalModel',
    notes: ['loaded-model-cut'], target: 'io.getLayer(model, name) (a model tf.loadLayersModel loaded; with tf.model({ inputs: model.inputs, outputs: layer.output }) → io.modelUpTo(model, layer))',
  },
  // A model's weights are LayerVariables (read(), name, trainable) in tfjs, tensors in the runtime: no one rewrite
  // covers both what the list is for and what is done with its elements.
  // `.map((w) => w.read())` of them is the variable list an optimizer takes: the model's parameters (model_weights.ts).
  {
    tf: 'LayersModel.trainableWeights', kind: 'property', status: 'pattern', returns: 'other', rule: 'trainableWeights',
    target: '[...model.parameters()] for model.trainableWeights.map((w) => w.read()); other uses need a human (Parameters are tensors: no read(), name or trainable)',
  },
  manual('LayersModel.weights', 'use [...model.parameters(), ...model.buffers()] (tensors: drop .read())', { kind: 'property' }),
  {
    tf: 'tf.loadLayersModel', kind: 'function', status: 'semantic', params: ['pathOrIOHandler', 'options~'], returns: 'LayersModel',
    notes: ['load-layers-model-module'], target: 'io.loadLayersModel($pathOrIOHandler)',
  },
  manual('tf.loadGraphModel', "a graph model is a frozen TensorFlow graph with no layers to rebuild as a module: convert it with tf2onnx (python -m tf2onnx.convert --tfjs model.json --output model.onnx) and run it with await onnx.load('model.onnx')", { notes: ['load-graph-model'] }),
  manual('tf.loadGraphModelSync', "a graph model is a frozen TensorFlow graph with no layers to rebuild as a module: convert it with tf2onnx (python -m tf2onnx.convert --tfjs model.json --output model.onnx) and run it with await onnx.load('model.onnx')", { notes: ['load-graph-model'] }),
  manual('tf.models.modelFromJSON', 'rebuild the model as an nn.Module', { notes: ['load-layers-model'] }),
  { tf: 'History.history', kind: 'property', status: 'exact', returns: 'other', notes: ['fit-history'], target: '$self.history' },
  manual('History.epoch', 'the epochs run are 0 … history.history.loss.length - 1', { kind: 'property' }),
  { tf: 'tf.EarlyStopping', kind: 'class', status: 'exact', notes: ['early-stopping'], target: 'utils.EarlyStopping' },
  manual('tf.GraphModel', 'a graph model becomes an ONNX model run by onnx.load (see tf.loadGraphModel)', { kind: 'class', notes: ['load-graph-model'] }),
  // The class of tfjs's recurrent layers (the type bidirectional's `layer` needs: `lstm(...) as tf.RNN`), as PyTorch's base of RNN/LSTM/GRU.
  { tf: 'tf.RNN', kind: 'class', status: 'exact', target: 'nn.RNNBase', notes: ['type-position'] },
  {
    tf: 'tf.callbacks.earlyStopping', kind: 'function', status: 'exact', params: ['args?'], returns: 'other', notes: ['early-stopping'],
    target: 'utils.earlyStopping({{$args}})', examples: [{ tf: "tf.callbacks.earlyStopping({ monitor: 'val_acc', patience: 2 })", torch: "utils.earlyStopping({ monitor: 'val_acc', patience: 2 })" }],
  },
];
