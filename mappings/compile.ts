/**
 * The strings tfjs accepts in layer configs and model.compile — activations, losses, metrics, optimizers —
 * and what each becomes. Data only; the layer transformers and the compile/fit rule read it.
 */
import type { NoteId } from './schema.js';

export interface ActivationSpec {
  /** A module (for nn.Sequential), when the runtime has one. */
  module?: string;
  /** The function form; `$x` is the input, `$dim` the softmax axis (-1, or 1 for channels-first tensors). */
  fn: string;
  notes?: NoteId[];
}

/** tfjs activation identifiers (layers' `activation` option and tf.layers.activation). 'linear' is none. */
export const ACTIVATIONS: Record<string, ActivationSpec | null> = {
  linear: null,
  relu: { module: 'new nn.ReLU()', fn: 'torch.relu($x)' },
  relu6: { module: 'new nn.ReLU6()', fn: 'F.relu6($x)' },
  sigmoid: { module: 'new nn.Sigmoid()', fn: 'torch.sigmoid($x)' },
  tanh: { module: 'new nn.Tanh()', fn: 'torch.tanh($x)' },
  softmax: { module: 'new nn.Softmax($dim)', fn: 'torch.softmax($x, $dim)', notes: ['softmax-layer-axis'] },
  logSoftmax: { module: 'new nn.LogSoftmax($dim)', fn: 'torch.logSoftmax($x, $dim)', notes: ['softmax-layer-axis'] },
  elu: { module: 'new nn.ELU()', fn: 'F.elu($x)' },
  selu: { module: 'new nn.SELU()', fn: 'F.selu($x)' },
  softplus: { module: 'new nn.Softplus()', fn: 'F.softplus($x)' },
  softsign: { module: 'new nn.Softsign()', fn: 'F.softsign($x)' },
  swish: { module: 'new nn.SiLU()', fn: 'F.silu($x)' },
  mish: { module: 'new nn.Mish()', fn: 'F.mish($x)' },
  gelu: { module: 'new nn.GELU()', fn: 'F.gelu($x)' },
  hardSigmoid: { fn: 'torch.clamp(torch.add(torch.mul($x, 0.2), 0.5), 0, 1)', notes: ['hard-sigmoid'] },
};

export interface LossSpec {
  /** Batch loss as code from `$yPred` and `$yTrue` (a scalar: the mean over samples, as fit reports it). */
  code: string;
  notes?: NoteId[];
  /** Which accuracy 'accuracy'/'acc' means with this loss (tfjs picks by loss and output size). */
  accuracy: 'categorical' | 'binary' | 'sparse';
  /** The target tensor is class indices (sparse): int32. */
  sparse?: boolean;
  /**
   * The per-sample losses ([batch], what tfjs's loss function returns before fit takes their mean), where fit
   * needs them: `classWeight` weights each sample's loss (utils.fit, runtime/utils/fit_outputs.ts).
   */
  perSample: string;
}

const categoricalRows = 'torch.neg(torch.mul($yTrue, torch.log(torch.clamp(torch.div($yPred, torch.sum($yPred, -1, true)), 1e-7, 1 - 1e-7))).sum(-1))';
const categorical = `${categoricalRows}.mean()`;
const sparseRows = 'torch.neg(torch.log(torch.clamp(torch.div($yPred, torch.sum($yPred, -1, true)), 1e-7, 1 - 1e-7)).gather(-1, $yTrue.reshape(-1, 1).int()).reshape(-1))';

/** model.compile({ loss: '<name>' }): tfjs-layers' lossesMap. */
export const COMPILE_LOSSES: Record<string, LossSpec> = {
  categoricalCrossentropy: { code: categorical, perSample: categoricalRows, notes: ['categorical-crossentropy-clip'], accuracy: 'categorical' },
  sparseCategoricalCrossentropy: {
    code: `${sparseRows}.mean()`, perSample: sparseRows,
    notes: ['sparse-categorical', 'categorical-crossentropy-clip'], accuracy: 'sparse', sparse: true,
  },
  binaryCrossentropy: {
    code: "F.binaryCrossEntropy(torch.clamp($yPred, 1e-7, 1 - 1e-7), $yTrue.float())", notes: ['binary-crossentropy-clip'], accuracy: 'binary',
    perSample: "F.binaryCrossEntropy(torch.clamp($yPred, 1e-7, 1 - 1e-7), $yTrue.float(), { reduction: 'none' }).mean(-1)",
  },
  meanSquaredError: { code: 'F.mseLoss($yPred, $yTrue)', perSample: 'torch.sub($yPred, $yTrue).square().mean(-1)', accuracy: 'binary' },
  mse: { code: 'F.mseLoss($yPred, $yTrue)', perSample: 'torch.sub($yPred, $yTrue).square().mean(-1)', accuracy: 'binary' },
  MSE: { code: 'F.mseLoss($yPred, $yTrue)', perSample: 'torch.sub($yPred, $yTrue).square().mean(-1)', accuracy: 'binary' },
  meanAbsoluteError: { code: 'F.l1Loss($yPred, $yTrue)', perSample: 'torch.sub($yPred, $yTrue).abs().mean(-1)', accuracy: 'binary' },
  mae: { code: 'F.l1Loss($yPred, $yTrue)', perSample: 'torch.sub($yPred, $yTrue).abs().mean(-1)', accuracy: 'binary' },
  MAE: { code: 'F.l1Loss($yPred, $yTrue)', perSample: 'torch.sub($yPred, $yTrue).abs().mean(-1)', accuracy: 'binary' },
  hinge: { code: 'torch.relu(torch.sub(1, torch.mul($yTrue, $yPred))).mean()', perSample: 'torch.relu(torch.sub(1, torch.mul($yTrue, $yPred))).mean(-1)', accuracy: 'binary' },
  squaredHinge: { code: 'torch.relu(torch.sub(1, torch.mul($yTrue, $yPred))).square().mean()', perSample: 'torch.relu(torch.sub(1, torch.mul($yTrue, $yPred))).square().mean(-1)', accuracy: 'binary' },
};

/** model.compile({ metrics: [...] }): per-batch values (means over samples) and the key tfjs logs them under. */
export interface MetricSpec {
  key: string;
  code: string;
}

export const ACCURACY_METRICS: Record<LossSpec['accuracy'], string> = {
  categorical: 'torch.eq(torch.argmax($yTrue, -1), torch.argmax($yPred, -1)).float().mean()',
  binary: 'torch.eq($yTrue.float(), torch.gt($yPred, 0.5).float()).float().mean()',
  sparse: 'torch.eq($yTrue.reshape(-1).float(), torch.argmax($yPred, -1).float()).float().mean()',
};

export const COMPILE_METRICS: Record<string, MetricSpec | 'accuracy'> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  mse: { key: 'mse', code: 'torch.sub($yPred, $yTrue).square().mean()' },
  meanSquaredError: { key: 'meanSquaredError', code: 'torch.sub($yPred, $yTrue).square().mean()' },
  mae: { key: 'mae', code: 'torch.sub($yPred, $yTrue).abs().mean()' },
  meanAbsoluteError: { key: 'meanAbsoluteError', code: 'torch.sub($yPred, $yTrue).abs().mean()' },
};

/** model.compile({ optimizer: '<name>' }): tfjs-layers' getOptimizer — the optimizer row and its arguments. */
export const COMPILE_OPTIMIZERS: Record<string, { row: string; args: string[] }> = {
  sgd: { row: 'tf.train.sgd', args: ['0.01'] },
  adam: { row: 'tf.train.adam', args: ['0.001', '0.9', '0.999', '1e-7'] },
  rmsprop: { row: 'tf.train.rmsprop', args: ['0.001', '0.9', '0', '1e-7'] },
  adagrad: { row: 'tf.train.adagrad', args: ['0.01'] },
  adadelta: { row: 'tf.train.adadelta', args: ['1', '0.95', '1e-7'] },
  adamax: { row: 'tf.train.adamax', args: ['0.002', '0.9', '0.999', '1e-7'] },
};
for (const [k, v] of Object.entries({ SGD: 'sgd', Adam: 'adam', RMSProp: 'rmsprop', Adagrad: 'adagrad', Adadelta: 'adadelta', Adamax: 'adamax' })) {
  COMPILE_OPTIMIZERS[k] = COMPILE_OPTIMIZERS[v];
}
