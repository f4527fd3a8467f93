// nn.LSTM with gateActivation 'hardSigmoid' (what the migration of tf.layers.lstm passes) against tfjs's LSTM
// with the same weights: kernel/recurrentKernel transposed, tfjs's one bias as bias_ih and bias_hh zero.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as torch from '../runtime/torch.js';
import * as nn from '../runtime/nn/index.js';

const [N, T, IN, U] = [3, 5, 4, 6];

function tfjsLstm(): { out: number[]; kernel: tf.Tensor; recurrent: tf.Tensor; bias: tf.Tensor; x: tf.Tensor } {
  const layer = tf.layers.lstm({ units: U, inputShape: [T, IN], biasInitializer: 'randomNormal' });
  const x = tf.randomNormal([N, T, IN], 0, 2, 'float32', 7);
  const out = Array.from((layer.apply(x) as tf.Tensor).dataSync());
  const [kernel, recurrent, bias] = layer.getWeights();
  return { out, kernel, recurrent, bias, x };
}

function runtimeLstm(ref: ReturnType<typeof tfjsLstm>, gateActivation?: 'sigmoid' | 'hardSigmoid'): number[] {
  const m = new nn.LSTM(IN, U, { batchFirst: true, gateActivation });
  const t = (w: tf.Tensor) => torch.tensor(Array.from(w.dataSync()), { dtype: 'float32' }).reshape(w.shape);
  m.loadStateDict({
    weight_ih_l0: t(ref.kernel).transpose(0, 1).contiguous(), weight_hh_l0: t(ref.recurrent).transpose(0, 1).contiguous(),
    bias_ih_l0: t(ref.bias), bias_hh_l0: torch.zeros([4 * U]),
  });
  const [out] = m.forward(t(ref.x));
  return Array.from(out.select(1, -1).contiguous().dataSync());
}

describe('LSTM gateActivation', () => {
  it("'hardSigmoid' gives tfjs's LSTM output; the default sigmoid does not", async () => {
    await tf.setBackend('cpu');
    const ref = tfjsLstm();
    const hard = runtimeLstm(ref, 'hardSigmoid');
    hard.forEach((v, i) => expect(v).toBeCloseTo(ref.out[i], 5));
    const soft = runtimeLstm(ref);
    expect(Math.max(...soft.map((v, i) => Math.abs(v - ref.out[i])))).toBeGreaterThan(1e-3);
  });

  it('rejects an unknown gate function', () => {
    expect(() => new nn.LSTM(2, 3, { gateActivation: 'tanh' as never })).toThrow(/gateActivation 'tanh'/);
  });
});
