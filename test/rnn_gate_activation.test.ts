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

/**
 * tfjs's GRU kernel columns are ordered z, r, h; the runtime's rows r, z, n. The reordering the diff's weight layout
 * does (difftest/program/layout.ts gru-kernel), written out here on plain arrays.
 */
function gruRows(w: tf.Tensor, units: number): torch.Tensor {
  const rows = (w.arraySync() as number[][] | number[]);
  const cols = Array.isArray(rows[0]) ? (rows as number[][]) : [rows as number[]];
  const block = (i: number) => cols.map((r) => r.slice(i * units, (i + 1) * units));
  const [z, r, h] = [block(0), block(1), block(2)];
  const joined = cols.map((_, i) => [...r[i], ...z[i], ...h[i]]);
  const t = torch.tensor(joined, { dtype: 'float32' });
  return Array.isArray(rows[0]) ? t.transpose(0, 1).contiguous() : t.reshape([3 * units]);
}

describe('GRU resetAfter false (tfjs GRU)', () => {
  it("resetAfter false with hardSigmoid gates gives tfjs's GRU output; PyTorch's reset-after form does not", async () => {
    await tf.setBackend('cpu');
    const layer = tf.layers.gru({ units: U, inputShape: [T, IN], returnSequences: true, biasInitializer: 'randomNormal' });
    const x = tf.randomNormal([N, T, IN], 0, 2, 'float32', 11);
    const ref = Array.from((layer.apply(x) as tf.Tensor).dataSync());
    const [kernel, recurrent, bias] = layer.getWeights();
    const run = (resetAfter: boolean) => {
      const m = new nn.GRU(IN, U, { batchFirst: true, gateActivation: 'hardSigmoid', resetAfter });
      m.loadStateDict({ weight_ih_l0: gruRows(kernel, U), weight_hh_l0: gruRows(recurrent, U), bias_ih_l0: gruRows(bias, U), bias_hh_l0: torch.zeros([3 * U]) });
      return Array.from(m.forward(torch.tensor(Array.from(x.dataSync())).reshape([N, T, IN]))[0].contiguous().dataSync());
    };
    const before = run(false);
    expect(before).toHaveLength(ref.length);
    before.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
    const after = run(true);
    expect(Math.max(...after.map((v, i) => Math.abs(v - ref[i])))).toBeGreaterThan(1e-3);
  });

  it('passes gradcheck in float64, bidirectional, with b_hn outside the reset gate', () => {
    torch.manualSeed(3);
    const gru = new nn.GRU(2, 3, { bidirectional: true, resetAfter: false, dtype: 'float64' });
    const x = torch.randn([3, 2, 2], { dtype: 'float64' });
    torch.autograd.gradcheck((xi, h) => { const [o, hn] = gru.forward(xi, h); return torch.cat([o.reshape(-1), hn.reshape(-1)]); }, [x, torch.randn([2, 2, 3], { dtype: 'float64' }), ...gru.parameters()]);
    expect(String(gru)).toContain('reset_after=False');
  });

  it('resetAfter is a GRU option', () => {
    expect(() => new nn.LSTM(2, 3, { resetAfter: false } as never)).toThrow(/LSTM: resetAfter is a GRU option/);
  });
});
