/**
 * Optimizers. tfjs's defaults are passed explicitly where PyTorch's differ (Adam/RMSprop/Adamax epsilon 1e-7,
 * RMSprop decay 0.9 and eps inside the square root, Adagrad's initial accumulator 0.1, Adadelta's lr/rho/eps). `$params` is what the
 * optimizer updates, supplied by the transpiler from the surrounding code (model.compile, tf.variable).
 */
import type { Mapping } from '../schema.js';
import { manual } from './helpers.js';

const opt = (tf: string, params: string[], target: string, notes: Mapping['notes'], status: Mapping['status'] = 'exact', extra: Partial<Mapping> = {}): Mapping => ({
  tf, kind: 'function', status, params, returns: 'Optimizer', transform: 'optimizer', target, notes, ...extra,
});

export const optimizers: Mapping[] = [
  opt('tf.train.sgd', ['learningRate'], 'new optim.SGD($params, { lr: $learningRate })', ['sgd-same'], 'exact', {
    examples: [{ tf: 'tf.train.sgd(0.1)', torch: 'new optim.SGD(model.parameters(), { lr: 0.1 })' }],
  }),
  opt('tf.train.momentum', ['learningRate', 'momentum', 'useNesterov?'], 'new optim.SGD($params, { lr: $learningRate, momentum: $momentum{{, nesterov: $useNesterov}} })', ['momentum-same']),
  opt('tf.train.adam', ['learningRate?=0.001', 'beta1?=0.9', 'beta2?=0.999', 'epsilon?=1e-7'],
    'new optim.Adam($params, { lr: $learningRate{{, betas: [$beta1, $beta2]}}, eps: $epsilon })', ['adam-epsilon'], 'exact', {
      examples: [
        { tf: 'tf.train.adam(1e-4)', torch: 'new optim.Adam(model.parameters(), { lr: 1e-4, eps: 1e-7 })' },
        { tf: 'tf.train.adam(0.01, 0.8)', torch: 'new optim.Adam(model.parameters(), { lr: 0.01, betas: [0.8, 0.999], eps: 1e-7 })' },
      ],
    }),
  opt('tf.train.adamax', ['learningRate?=0.002', 'beta1?=0.9', 'beta2?=0.999', 'epsilon?=1e-7', 'decay!'],
    'new optim.Adamax($params, { lr: $learningRate{{, betas: [$beta1, $beta2]}}, eps: $epsilon })', ['adamax-epsilon'], 'semantic', { reason: 'Adamax decay: use an lr scheduler (optim.ExponentialLR)' }),
  opt('tf.train.rmsprop', ['learningRate', 'decay?=0.9', 'momentum?', 'epsilon?=1e-7', 'centered?'],
    'new optim.RMSprop($params, { lr: $learningRate, alpha: $decay, eps: $epsilon{{, momentum: $momentum}}{{, centered: $centered}}, epsInside: true })', ['rmsprop-eps-inside'], 'exact', {
      examples: [{ tf: 'tf.train.rmsprop(0.01)', torch: 'new optim.RMSprop(model.parameters(), { lr: 0.01, alpha: 0.9, eps: 1e-7, epsInside: true })' }],
    }),
  opt('tf.train.adagrad', ['learningRate', 'initialAccumulatorValue?=0.1'],
    'new optim.Adagrad($params, { lr: $learningRate, initialAccumulatorValue: $initialAccumulatorValue, eps: 1e-7 })', ['adagrad-eps-inside'], 'semantic'),
  opt('tf.train.adadelta', ['learningRate?=0.001', 'rho?=0.95', 'epsilon?=1e-7'],
    'new optim.Adadelta($params, { lr: $learningRate, rho: $rho, eps: $epsilon })', ['adadelta-defaults']),
  manual('tf.SGDOptimizer', 'construct optim.SGD with the parameters to train', { kind: 'class', returns: 'Optimizer' }),
  manual('tf.MomentumOptimizer', 'construct optim.SGD({ momentum }) with the parameters to train', { kind: 'class', returns: 'Optimizer' }),
  manual('tf.AdamOptimizer', 'construct optim.Adam with the parameters to train (eps 1e-7 as tfjs)', { kind: 'class', returns: 'Optimizer' }),
  manual('tf.AdamaxOptimizer', 'construct optim.Adamax with the parameters to train', { kind: 'class', returns: 'Optimizer' }),
  manual('tf.RMSPropOptimizer', 'construct optim.RMSprop with the parameters to train', { kind: 'class', returns: 'Optimizer' }),
  manual('tf.AdagradOptimizer', 'construct optim.Adagrad with the parameters to train', { kind: 'class', returns: 'Optimizer' }),
  manual('tf.AdadeltaOptimizer', 'construct optim.Adadelta with the parameters to train', { kind: 'class', returns: 'Optimizer' }),
];
