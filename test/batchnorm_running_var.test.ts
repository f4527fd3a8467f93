// BatchNorm's running variance: PyTorch's unbiased update by default, tfjs's biased one with
// unbiasedRunningVar: false (what the migration of tf.layers.batchNormalization passes), against tfjs itself.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as torch from '../runtime/torch.js';
import * as nn from '../runtime/nn/index.js';

const X = [[1, 2, 0.5], [3, -1, 2], [0, 4, -2], [2, 1, 1]];

describe('BatchNorm1d unbiasedRunningVar', () => {
  it('default: running_var moves towards the unbiased batch variance (PyTorch)', () => {
    const bn = new nn.BatchNorm1d(3, { momentum: 0.5 });
    bn.forward(torch.tensor(X));
    const col0 = [1, 3, 0, 2];
    const mean = col0.reduce((a, b) => a + b) / 4;
    const unbiased = col0.reduce((a, b) => a + (b - mean) ** 2, 0) / 3;
    expect((bn.running_var!.tolist() as number[])[0]).toBeCloseTo(0.5 * 1 + 0.5 * unbiased, 6);
  });

  it('false: running stats equal tfjs batchNormalization\'s moving stats after two training steps', async () => {
    await tf.setBackend('cpu');
    const layer = tf.layers.batchNormalization({ inputShape: [3] });
    const bn = new nn.BatchNorm1d(3, { eps: 1e-3, momentum: 0.01, unbiasedRunningVar: false });
    for (const batch of [X, X.map((r) => r.map((v) => v * 2 - 1))]) {
      tf.tidy(() => layer.apply(tf.tensor2d(batch), { training: true }) as tf.Tensor);
      bn.forward(torch.tensor(batch, { dtype: 'float32' }));
    }
    const [, , movingMean, movingVar] = layer.getWeights().map((w) => Array.from(w.dataSync()));
    expect(bn.running_mean!.tolist() as number[]).toEqual(movingMean.map((v) => expect.closeTo(v, 6)));
    expect(bn.running_var!.tolist() as number[]).toEqual(movingVar.map((v) => expect.closeTo(v, 6)));
  });
});
