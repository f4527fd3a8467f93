/**
 * RNN, LSTM, GRU and their cells against a plain float64 TS implementation of PyTorch's documented equations
 * (and tf.layers.lstm for the LSTM), plus parameter names/shapes/init, state handling, errors and gradchecks.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as torch from '../runtime/torch.js';
import * as nn from '../runtime/nn/index.js';
import type { Tensor } from '../runtime/tensor.js';

const { gradcheck } = torch.autograd;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const vals = (t: Tensor | null | undefined): number[] => Array.from(t!.dataSync());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-12, rtol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) throw new Error(`element ${i}: got ${a}, expected ${e} (|Δ| = ${Math.abs(a - e)})`);
  }
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

type Kind = 'tanh' | 'relu' | 'LSTM' | 'GRU';

/** W [G, K] (flat, row-major) · v [K] + b [G]. */
function affine(W: number[], b: number[] | null, v: number[], G: number): number[] {
  const K = v.length;
  const out = new Array<number>(G);
  for (let g = 0; g < G; g++) {
    let s = b ? b[g] : 0;
    for (let k = 0; k < K; k++) s += W[g * K + k] * v[k];
    out[g] = s;
  }
  return out;
}

/** One step of PyTorch's documented cell equations on one sample. */
function cellRef(kind: Kind, p: { wih: number[]; whh: number[]; bih: number[] | null; bhh: number[] | null }, x: number[], h: number[], c: number[]): [number[], number[]] {
  const H = h.length;
  const G = (kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1) * H;
  const gi = affine(p.wih, p.bih, x, G), gh = affine(p.whh, p.bhh, h, G);
  if (kind === 'tanh' || kind === 'relu') return [gi.map((v, k) => (kind === 'tanh' ? Math.tanh(v + gh[k]) : Math.max(v + gh[k], 0))), c];
  if (kind === 'LSTM') {
    const h2: number[] = [], c2: number[] = [];
    for (let k = 0; k < H; k++) {
      const i = sig(gi[k] + gh[k]), f = sig(gi[H + k] + gh[H + k]), g = Math.tanh(gi[2 * H + k] + gh[2 * H + k]), o = sig(gi[3 * H + k] + gh[3 * H + k]);
      c2.push(f * c[k] + i * g);
      h2.push(o * Math.tanh(c2[k]));
    }
    return [h2, c2];
  }
  const h2: number[] = [];
  for (let k = 0; k < H; k++) {
    const r = sig(gi[k] + gh[k]), z = sig(gi[H + k] + gh[H + k]);
    const n = Math.tanh(gi[2 * H + k] + r * gh[2 * H + k]);
    h2.push((1 - z) * n + z * h[k]);
  }
  return [h2, c];
}

/**
 * A whole stack on input [T][N][I] (time-major), reading weights by PyTorch's names from the module.
 * Returns output [T][N][D·H] and final states [L·D][N][H].
 */
function stackRef(kind: Kind, m: nn.Module, input: number[][][], L: number, D: number, H: number, h0?: number[][][], c0?: number[][][]) {
  const T = input.length, N = input[0].length;
  let layerIn = input;
  const hN: number[][][] = [], cN: number[][][] = [];
  for (let l = 0; l < L; l++) {
    const outs: number[][][] = Array.from({ length: T }, () => Array.from({ length: N }, () => [] as number[]));
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const get = (n: string) => { try { return vals(m.getParameter(n + sfx)); } catch { return null; } };
      const p = { wih: get('weight_ih')!, whh: get('weight_hh')!, bih: get('bias_ih'), bhh: get('bias_hh') };
      const k = l * D + d;
      const hs: number[][] = [], cs: number[][] = [];
      for (let n = 0; n < N; n++) {
        let h = h0 ? h0[k][n].slice() : Array(H).fill(0);
        let c = c0 ? c0[k][n].slice() : Array(H).fill(0);
        for (let s = 0; s < T; s++) {
          const t = d === 1 ? T - 1 - s : s;
          [h, c] = cellRef(kind, p, layerIn[t][n], h, c);
          outs[t][n].push(...h);
        }
        hs.push(h);
        cs.push(c);
      }
      hN.push(hs);
      cN.push(cs);
    }
    layerIn = outs;
  }
  return { out: layerIn, hN, cN };
}

const nested = (t: Tensor) => t.toArray() as number[][][];

describe('LSTM', () => {
  it('matches the float64 reference: 2 layers, bidirectional, given h0/c0', () => {
    torch.manualSeed(1);
    const [T, N, I, H, L, D] = [5, 3, 4, 3, 2, 2];
    const lstm = new nn.LSTM(I, H, { numLayers: L, bidirectional: true, dtype: 'float64' });
    const x = torch.randn([T, N, I], { dtype: 'float64' });
    const h0 = torch.randn([L * D, N, H], { dtype: 'float64' }), c0 = torch.randn([L * D, N, H], { dtype: 'float64' });
    const [out, [hN, cN]] = lstm.forward(x, [h0, c0]);
    const ref = stackRef('LSTM', lstm, nested(x), L, D, H, nested(h0), nested(c0));
    expect(out.shape).toEqual([T, N, D * H]);
    expect(hN.shape).toEqual([L * D, N, H]);
    expectClose(vals(out), ref.out.flat(2));
    expectClose(vals(hN), ref.hN.flat(2));
    expectClose(vals(cN), ref.cN.flat(2));
    // The forward direction's final state is its last output; the reverse direction's is its first.
    expectClose(vals(hN.select(0, 2)), vals(out.select(0, T - 1).narrow(1, 0, H)));
    expectClose(vals(hN.select(0, 3)), vals(out.select(0, 0).narrow(1, H, H)));
  });

  it('batchFirst and unbatched inputs are the same computation', () => {
    torch.manualSeed(2);
    const lstm = new nn.LSTM(3, 2, { batchFirst: true, dtype: 'float64' });
    const x = torch.randn([4, 6, 3], { dtype: 'float64' }); // [N, T, I]
    const [out, [h]] = lstm.forward(x);
    const ref = stackRef('LSTM', lstm, nested(x.transpose(0, 1).contiguous()), 1, 1, 2);
    expect(out.shape).toEqual([4, 6, 2]);
    expectClose(vals(out.transpose(0, 1).contiguous()), ref.out.flat(2));
    expectClose(vals(h), ref.hN.flat(2));
    const [single, [hs, cs]] = lstm.forward(x.select(0, 1));
    expect(single.shape).toEqual([6, 2]);
    expect(hs.shape).toEqual([1, 2]);
    expect(cs.shape).toEqual([1, 2]);
    expectClose(vals(single), vals(out.select(0, 1)));
  });

  it('matches tf.layers.lstm with the same weights (kernel = W_ihᵀ, recurrent = W_hhᵀ, bias = b_ih + b_hh)', () => {
    torch.manualSeed(3);
    const [N, T, I, H] = [2, 7, 3, 4];
    const lstm = new nn.LSTM(I, H, { batchFirst: true });
    const x = torch.randn([N, T, I]);
    const layer = tf.layers.lstm({ units: H, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid' });
    const xt = tf.tensor3d(vals(x), [N, T, I]);
    layer.apply(xt);
    const [wih, whh, bih, bhh] = lstm.allWeights[0];
    layer.setWeights([
      tf.tensor2d(vals(wih.t().contiguous()), [I, 4 * H]),
      tf.tensor2d(vals(whh.t().contiguous()), [H, 4 * H]),
      tf.tensor1d(vals(bih.add(bhh))),
    ]);
    const [seq, h, c] = layer.apply(xt) as tf.Tensor[];
    const [out, [hN, cN]] = lstm.forward(x);
    expectClose(vals(out), Array.from(seq.dataSync()), 1e-5, 1e-4);
    expectClose(vals(hN), Array.from(h.dataSync()), 1e-5, 1e-4);
    expectClose(vals(cN), Array.from(c.dataSync()), 1e-5, 1e-4);
  });

  it('has PyTorch parameter names, shapes and U(-1/sqrt(H), 1/sqrt(H)) init', () => {
    torch.manualSeed(4);
    const lstm = new nn.LSTM(10, 20, { numLayers: 2, bidirectional: true });
    const names = lstm.namedParameters().map(([n, p]) => `${n} [${p.shape}]`);
    expect(names.slice(0, 8)).toEqual([
      'weight_ih_l0 [80,10]', 'weight_hh_l0 [80,20]', 'bias_ih_l0 [80]', 'bias_hh_l0 [80]',
      'weight_ih_l0_reverse [80,10]', 'weight_hh_l0_reverse [80,20]', 'bias_ih_l0_reverse [80]', 'bias_hh_l0_reverse [80]',
    ]);
    expect(names[8]).toBe('weight_ih_l1 [80,40]');
    expect(names).toHaveLength(16);
    const bound = 1 / Math.sqrt(20);
    const all = lstm.parameters().flatMap(vals);
    const maxAbs = all.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs).toBeLessThanOrEqual(bound);
    expect(maxAbs).toBeGreaterThan(0.99 * bound);
    expect(new nn.LSTM(3, 4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    torch.manualSeed(4);
    expect(vals(new nn.LSTM(10, 20, { numLayers: 2, bidirectional: true }).allWeights[3][3])).toEqual(vals(lstm.allWeights[3][3]));
  });

  it('passes gradcheck in float64 (2 layers, and bidirectional)', () => {
    torch.manualSeed(5);
    const deep = new nn.LSTM(2, 2, { numLayers: 2, dtype: 'float64' });
    const x = torch.randn([3, 2, 2], { dtype: 'float64' });
    gradcheck((xi) => deep.forward(xi)[0], [x, ...deep.parameters()]);
    const bi = new nn.LSTM(2, 2, { bidirectional: true, dtype: 'float64' });
    const h0 = torch.randn([2, 2, 2], { dtype: 'float64' }), c0 = torch.randn([2, 2, 2], { dtype: 'float64' });
    gradcheck((xi, h, c) => { const [o, [hn, cn]] = bi.forward(xi, [h, c]); return torch.cat([o.reshape(-1), hn.reshape(-1), cn.reshape(-1)]); }, [x, h0, c0]);
  });

  it('applies dropout between layers only in training', () => {
    torch.manualSeed(6);
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5, dtype: 'float64' });
    const x = torch.randn([5, 2, 3], { dtype: 'float64' });
    const ref = stackRef('LSTM', lstm, nested(x), 2, 1, 4);
    expect(() => expectClose(vals(lstm.forward(x)[0]), ref.out.flat(2))).toThrow();
    lstm.eval();
    expectClose(vals(lstm.forward(x)[0]), ref.out.flat(2));
    expect(lstm.toString()).toBe('LSTM(3, 4, num_layers=2, dropout=0.5)');
  });

  it('errors name the layer, the argument and the shapes', () => {
    const lstm = new nn.LSTM(4, 3, { numLayers: 2 });
    expect(() => lstm.forward(torch.randn([5, 2, 3]))).toThrow('LSTM: input.size(-1) must be equal to inputSize. Expected 4, got 3 (input [5, 2, 3])');
    expect(() => lstm.forward(torch.randn([5, 2, 4]), [torch.zeros(1, 2, 3), torch.zeros(2, 2, 3)])).toThrow('LSTM: expected hidden state h0 of size [2, 2, 3], got [1, 2, 3]');
    expect(() => lstm.forward(torch.randn([2, 5, 2, 4]))).toThrow(/expected input to be 2-D .* or 3-D, got 4-D input/);
    expect(() => new nn.LSTM(4, 3, { dropout: 2 })).toThrow(/dropout should be a number in range \[0, 1\]/);
  });
});

describe('GRU and RNN', () => {
  it('GRU matches the reference (n = tanh(W_in x + b_in + r·(W_hn h + b_hn)))', () => {
    torch.manualSeed(7);
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, dtype: 'float64' });
    const x = torch.randn([6, 2, 3], { dtype: 'float64' });
    const h0 = torch.randn([4, 2, 4], { dtype: 'float64' });
    const [out, hN] = gru.forward(x, h0);
    const ref = stackRef('GRU', gru, nested(x), 2, 2, 4, nested(h0));
    expectClose(vals(out), ref.out.flat(2));
    expectClose(vals(hN), ref.hN.flat(2));
    expect(gru.namedParameters().map(([n, p]) => `${n} [${p.shape}]`)[0]).toBe('weight_ih_l0 [12,3]');
  });

  it('RNN tanh and relu (and without bias) match the reference', () => {
    for (const [nonlinearity, bias] of [['tanh', true], ['relu', false]] as const) {
      torch.manualSeed(8);
      const rnn = new nn.RNN(3, 5, { nonlinearity, bias, numLayers: 2, dtype: 'float64' });
      const x = torch.randn([4, 3, 3], { dtype: 'float64' });
      const [out, hN] = rnn.forward(x);
      const ref = stackRef(nonlinearity, rnn, nested(x), 2, 1, 5);
      expectClose(vals(out), ref.out.flat(2));
      expectClose(vals(hN), ref.hN.flat(2));
    }
    expect(() => new nn.RNN(3, 5, { nonlinearity: 'gelu' as 'tanh' })).toThrow(/unknown nonlinearity 'gelu'/);
  });

  it('GRU and RNN pass gradcheck in float64', () => {
    torch.manualSeed(9);
    const x = torch.randn([3, 2, 2], { dtype: 'float64' });
    const gru = new nn.GRU(2, 2, { bidirectional: true, dtype: 'float64' });
    gradcheck((xi, h) => { const [o, hn] = gru.forward(xi, h); return torch.cat([o.reshape(-1), hn.reshape(-1)]); }, [x, torch.randn([2, 2, 2], { dtype: 'float64' }), ...gru.parameters()]);
    const rnn = new nn.RNN(2, 3, { dtype: 'float64' });
    gradcheck((xi) => rnn.forward(xi)[0], [x, ...rnn.parameters()]);
  });
});

describe('cells', () => {
  it('LSTMCell / GRUCell / RNNCell equal one step of the reference', () => {
    torch.manualSeed(10);
    const x = torch.randn([3, 4], { dtype: 'float64' });
    const h = torch.randn([3, 5], { dtype: 'float64' }), c = torch.randn([3, 5], { dtype: 'float64' });
    const rows = (t: Tensor) => t.toArray() as number[][];
    const params = (m: nn.Module) => ({ wih: vals(m.getParameter('weight_ih')), whh: vals(m.getParameter('weight_hh')), bih: vals(m.getParameter('bias_ih')), bhh: vals(m.getParameter('bias_hh')) });
    const lstm = new nn.LSTMCell(4, 5, { dtype: 'float64' });
    const [h1, c1] = lstm.forward(x, [h, c]);
    const refs = rows(x).map((xi, n) => cellRef('LSTM', params(lstm), xi, rows(h)[n], rows(c)[n]));
    expectClose(vals(h1), refs.flatMap(([a]) => a));
    expectClose(vals(c1), refs.flatMap(([, b]) => b));
    const gru = new nn.GRUCell(4, 5, { dtype: 'float64' });
    expectClose(vals(gru.forward(x, h)), rows(x).flatMap((xi, n) => cellRef('GRU', params(gru), xi, rows(h)[n], [])[0]));
    const rnn = new nn.RNNCell(4, 5, { nonlinearity: 'relu', dtype: 'float64' });
    expectClose(vals(rnn.forward(x)), rows(x).flatMap((xi) => cellRef('relu', params(rnn), xi, Array(5).fill(0), [])[0]));
    expect(rnn.toString()).toBe('RNNCell(4, 5, nonlinearity=relu)');
    expect(gru.forward(x.select(0, 0)).shape).toEqual([5]);
    expect(() => gru.forward(x, torch.zeros(2, 5, { dtype: 'float64' }))).toThrow('GRUCell: expected hidden state of size [3, 5], got [2, 5]');
    gradcheck((xi, hi, ci) => { const [a, b] = lstm.forward(xi, [hi, ci]); return a.add(b); }, [x, h, c]);
  });

  it('an LSTM cell unrolled by hand equals the LSTM layer with the same weights', () => {
    torch.manualSeed(11);
    const layer = new nn.LSTM(3, 2);
    const cell = new nn.LSTMCell(3, 2);
    cell.loadStateDict({ weight_ih: layer.allWeights[0][0], weight_hh: layer.allWeights[0][1], bias_ih: layer.allWeights[0][2], bias_hh: layer.allWeights[0][3] });
    const x = torch.randn([4, 2, 3]);
    let state: [Tensor, Tensor] = [torch.zeros(2, 2), torch.zeros(2, 2)];
    const outs: Tensor[] = [];
    for (let t = 0; t < 4; t++) {
      state = cell.forward(x.select(0, t), state);
      outs.push(state[0]);
    }
    const [out, [hN, cN]] = layer.forward(x);
    expectClose(vals(out), vals(torch.stack(outs)), 1e-6, 1e-5);
    expectClose(vals(hN.squeeze(0)), vals(state[0]), 1e-6, 1e-5);
    expectClose(vals(cN.squeeze(0)), vals(state[1]), 1e-6, 1e-5);
  });
});
