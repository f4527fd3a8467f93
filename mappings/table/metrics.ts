/**
 * tf.metrics.*: per-sample values (the mean over the last axis where tfjs takes it), written with tensor ops
 * as tfjs computes them. The compile() strings ('accuracy', 'mse', ...) resolve to these rows (compile.ts).
 */
import type { Mapping } from '../schema.js';
import { S, T, manual, samples } from './helpers.js';

const pair = samples({ yTrue: S.m2x3b, yPred: S.m2x3 });
const probs = samples({ yTrue: T([[0, 1, 0], [1, 0, 0]]), yPred: T([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]]) });
const metric = (tf: string, target: string, extra: Partial<Mapping> = {}): Mapping => ({
  tf, kind: 'function', status: 'exact', params: ['yTrue', 'yPred'], returns: 'Tensor', notes: ['metric-per-sample'], target, ...extra,
});

const mse = 'torch.sub($yPred:t, $yTrue:t).square().mean(-1)';
const mape = 'torch.sub($yTrue:t, $yPred:t).div(torch.clamp(torch.abs($yTrue:t), 1e-7)).abs().mean(-1).mul(100)';

export const metrics: Mapping[] = [
  metric('tf.metrics.binaryAccuracy', 'torch.eq($yTrue:t.float(), torch.gt($yPred:t, 0.5).float()).float().mean(-1)', {
    samples: samples({ yTrue: T([[0, 1, 1], [1, 0, 0]]), yPred: T([[0.2, 0.7, 0.4], [0.9, 0.3, 0.6]]) }),
  }),
  metric('tf.metrics.categoricalAccuracy', 'torch.eq(torch.argmax($yTrue:t, -1), torch.argmax($yPred:t, -1)).float()', { samples: probs }),
  metric('tf.metrics.sparseCategoricalAccuracy', 'torch.eq($yTrue:t.reshape(-1).float(), torch.argmax($yPred:t, -1).float()).float()', {
    samples: samples({ yTrue: T([1, 2]), yPred: T([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]]) }),
  }),
  metric('tf.metrics.categoricalCrossentropy', 'torch.neg(torch.mul($yTrue:t, torch.log(torch.clamp(torch.div($yPred:t, torch.sum($yPred:t, -1, true)), 1e-7, 1 - 1e-7))).sum(-1))', {
    notes: ['metric-per-sample', 'categorical-crossentropy-clip'], samples: probs,
  }),
  metric('tf.metrics.binaryCrossentropy', "F.binaryCrossEntropy(torch.clamp($yPred:t, 1e-7, 1 - 1e-7), $yTrue:t.float(), { reduction: 'none' }).mean(-1)", {
    notes: ['metric-per-sample', 'binary-crossentropy-clip'], samples: samples({ yTrue: T([[0, 1, 1], [1, 0, 0]]), yPred: T([[0.2, 0.7, 0.4], [0.9, 0.3, 0.6]]) }),
  }),
  metric('tf.metrics.meanSquaredError', mse, { samples: pair }),
  metric('tf.metrics.MSE', mse),
  metric('tf.metrics.mse', mse),
  metric('tf.metrics.meanAbsoluteError', 'torch.sub($yPred:t, $yTrue:t).abs().mean(-1)', { samples: pair }),
  metric('tf.metrics.meanAbsolutePercentageError', mape, { samples: pair }),
  metric('tf.metrics.MAPE', mape),
  metric('tf.metrics.mape', mape),
  metric('tf.metrics.cosineProximity', 'F.cosineSimilarity($yTrue:t, $yPred:t, { dim: -1 }).neg()', { status: 'semantic', samples: pair }),
  metric('tf.metrics.precision', 'torch.div(torch.logicalAnd(torch.eq($yTrue:t, 1), torch.eq($yPred:t, 1)).float().sum(), torch.clamp(torch.eq($yPred:t, 1).float().sum(), 1e-30))', {
    notes: [], samples: samples({ yTrue: T([[0, 1, 1], [1, 0, 0]]), yPred: T([[0, 1, 0], [1, 1, 0]]) }),
  }),
  metric('tf.metrics.recall', 'torch.div(torch.logicalAnd(torch.eq($yTrue:t, 1), torch.eq($yPred:t, 1)).float().sum(), torch.clamp(torch.eq($yTrue:t, 1).float().sum(), 1e-30))', {
    notes: [], samples: samples({ yTrue: T([[0, 1, 1], [1, 0, 0]]), yPred: T([[0, 1, 0], [1, 1, 0]]) }),
  }),
  manual('tf.metrics.r2Score', 'write 1 - SS_res / SS_tot with tensor ops'),
];
