/** tf.losses.*: reduced losses (SUM_BY_NONZERO_WEIGHTS = mean without weights). Argument order: labels first. */
import type { Mapping } from '../schema.js';
import { S, T, manual, samples } from './helpers.js';

const lossSamples = samples({ labels: S.m2x3b, predictions: S.m2x3 });
const weightsReason = 'loss weights/reduction: compute with reduction \'none\', multiply by the weights and reduce';

export const losses: Mapping[] = [
  {
    tf: 'tf.losses.meanSquaredError', kind: 'function', status: 'exact', params: ['labels', 'predictions', 'weights!', 'reduction!'], returns: 'Tensor',
    notes: ['loss-reduction-mean'], reason: weightsReason, target: 'F.mseLoss($predictions:t, $labels:t)', samples: lossSamples,
    examples: [{ tf: 'tf.losses.meanSquaredError(ys, preds)', torch: 'F.mseLoss(preds, ys)' }],
  },
  {
    tf: 'tf.losses.absoluteDifference', kind: 'function', status: 'exact', params: ['labels', 'predictions', 'weights!', 'reduction!'], returns: 'Tensor',
    notes: ['loss-reduction-mean'], reason: weightsReason, target: 'F.l1Loss($predictions:t, $labels:t)', samples: lossSamples,
  },
  {
    tf: 'tf.losses.huberLoss', kind: 'function', status: 'exact', params: ['labels', 'predictions', 'weights!', 'delta?', 'reduction!'], returns: 'Tensor',
    notes: ['loss-reduction-mean', 'huber-delta'], reason: weightsReason, target: 'F.huberLoss($predictions:t, $labels:t{{, { delta: $delta }}})', samples: lossSamples,
  },
  {
    tf: 'tf.losses.softmaxCrossEntropy', kind: 'function', status: 'exact', params: ['onehotLabels', 'logits', 'weights!', 'labelSmoothing?', 'reduction!'], returns: 'Tensor',
    notes: ['softmax-cross-entropy', 'loss-reduction-mean'], reason: weightsReason,
    target: 'F.crossEntropy($logits:t, $onehotLabels:t.float(){{, { labelSmoothing: $labelSmoothing }}})',
    samples: samples({ onehotLabels: T([[0, 1, 0], [1, 0, 0]]), logits: S.m2x3 }, { onehotLabels: T([[0, 1, 0], [1, 0, 0]]), logits: S.m2x3, labelSmoothing: 0.1 }),
  },
  {
    tf: 'tf.losses.sigmoidCrossEntropy', kind: 'function', status: 'exact', params: ['multiClassLabels', 'logits', 'weights!', 'labelSmoothing!', 'reduction!'], returns: 'Tensor',
    notes: ['loss-reduction-mean'], reason: weightsReason,
    target: 'F.binaryCrossEntropyWithLogits($logits:t, $multiClassLabels:t.float())',
    samples: samples({ multiClassLabels: T([[0, 1, 1], [1, 0, 0]]), logits: S.m2x3 }),
  },
  {
    tf: 'tf.losses.logLoss', kind: 'function', status: 'exact', params: ['labels', 'predictions', 'weights!', 'epsilon?=1e-7', 'reduction!'], returns: 'Tensor',
    notes: ['log-loss-eps', 'loss-reduction-mean'], reason: weightsReason,
    target: 'torch.neg(torch.add(torch.mul($labels:t, torch.log(torch.add($predictions:t, $epsilon))), torch.mul(torch.sub(1, $labels:t), torch.log(torch.add(torch.sub(1, $predictions:t), $epsilon))))).mean()',
    samples: samples({ labels: T([[0, 1, 1], [1, 0, 0]]), predictions: T([[0.1, 0.9, 0.6], [0.7, 0.2, 0.4]]) }),
  },
  {
    tf: 'tf.losses.hingeLoss', kind: 'function', status: 'exact', params: ['labels', 'predictions', 'weights!', 'reduction!'], returns: 'Tensor',
    notes: ['hinge-labels', 'loss-reduction-mean'], reason: weightsReason,
    target: 'torch.relu(torch.sub(1, torch.mul(torch.sub(torch.mul($labels:t, 2), 1), $predictions:t))).mean()',
    samples: samples({ labels: T([[0, 1, 1], [1, 0, 0]]), predictions: S.m2x3b }),
  },
  {
    tf: 'tf.losses.cosineDistance', kind: 'function', status: 'exact', params: ['labels', 'predictions', 'axis', 'weights!', 'reduction!'], returns: 'Tensor',
    notes: ['loss-reduction-mean'], reason: weightsReason,
    target: 'torch.sub(1, torch.mul($labels:t, $predictions:t).sum($axis)).mean()',
    samples: samples({ labels: S.m2x3b, predictions: S.m2x3, axis: 1 }),
  },
  manual('tf.losses.computeWeightedLoss', 'multiply per-element losses by the weights and reduce explicitly'),
];
