/**
 * nn layers (Linear, Conv, pooling, Dropout, BatchNorm, LayerNorm/GroupNorm, Embedding, activations) and F helpers,
 * against independent references: hand-computed values, plain float64 TS loops, TensorFlow.js; float64 gradchecks.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as torch from '../runtime/torch.js';
import * as nn from '../runtime/nn/index.js';
import * as F from '../runtime/nn/functional.js';
import type { Tensor } from '../runtime/tensor.js';

const { gradcheck } = torch.autograd;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const vals = (t: Tensor | null | undefined): number[] => Array.from(t!.dataSync());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (|Δ| = ${Math.abs(a - e)})`);
    }
  }
}

const ft = (data: number[] | number[][] | number[][][]) => torch.tensor(data, { dtype: 'float32' });
const maxAbs = (xs: number[]) => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** NCHW torch tensor → NHWC tf tensor, and back. */
const toTfNhwc = (t: Tensor) => tf.tensor(vals(t.permute(0, 2, 3, 1).contiguous()), [t.shape[0], t.shape[2], t.shape[3], t.shape[1]]);
const fromTfNhwc = (t: tf.Tensor) => torch.tensor(Float32Array.from(t.dataSync()), { shape: t.shape }).permute(0, 3, 1, 2).contiguous();

describe('Linear', () => {
  it('computes x Wᵀ + b (hand-computed) and supports [*, in] inputs', () => {
    const lin = new nn.Linear(2, 2);
    torch.noGrad(() => {
      lin.weight.copy_(ft([[1, 2], [3, 4]]));
      lin.bias!.copy_(torch.tensor([0.5, -1]));
    });
    expect(vals(lin.forward(ft([[1, 1], [2, 0]])))).toEqual([3.5, 6, 2.5, 5]);
    expect(lin.forward(torch.ones(2, 3, 2)).shape).toEqual([2, 3, 2]);
    expect(() => lin.forward(torch.ones(3, 5))).toThrow(/linear: input \[3, 5\] and weight \[2, 2\] are incompatible/);
  });

  it('initializes weight and bias from U(-1/sqrt(in), 1/sqrt(in)), reproducibly under manualSeed', () => {
    torch.manualSeed(123);
    const lin = new nn.Linear(400, 100);
    const bound = 1 / 20;
    const w = vals(lin.weight);
    expect(maxAbs(w)).toBeLessThanOrEqual(bound);
    expect(maxAbs(w)).toBeGreaterThan(0.99 * bound);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(variance).toBeGreaterThan(0.97 * (bound * bound) / 3);
    expect(variance).toBeLessThan(1.03 * (bound * bound) / 3);
    expect(maxAbs(vals(lin.bias))).toBeLessThanOrEqual(bound);
    expect(maxAbs(vals(lin.bias))).toBeGreaterThan(0.9 * bound);
    torch.manualSeed(123);
    const again = new nn.Linear(400, 100);
    expect(again.weight.equal(lin.weight)).toBe(true);
    expect(again.bias!.equal(lin.bias!)).toBe(true);
    torch.manualSeed(124);
    expect(new nn.Linear(400, 100).weight.equal(lin.weight)).toBe(false);
  });

  it('passes gradcheck in float64', () => {
    const lin = new nn.Linear(3, 2, { dtype: 'float64' });
    const x = torch.randn([4, 3], { dtype: 'float64' });
    gradcheck((xi) => lin.forward(xi), [x, lin.weight, lin.bias!]);
  });
});

/** Direct float64 convolution: x [N, C, H, W], w [O, C/g, kh, kw]. */
function conv2dRef(x: Tensor, w: Tensor, b: Tensor | null, stride: [number, number], pad: [number, number], dil: [number, number], groups: number): { data: number[]; shape: number[] } {
  const [N, C, H, W] = x.shape, [O, Cg, kh, kw] = w.shape;
  const xd = vals(x), wd = vals(w), bd = b ? vals(b) : null;
  const oh = Math.floor((H + 2 * pad[0] - dil[0] * (kh - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((W + 2 * pad[1] - dil[1] * (kw - 1) - 1) / stride[1]) + 1;
  const out: number[] = [];
  const og = O / groups;
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let s = bd ? bd[o] : 0;
    const g = Math.floor(o / og);
    for (let c = 0; c < Cg; c++) for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) {
      const y = i * stride[0] - pad[0] + p * dil[0], z = j * stride[1] - pad[1] + q * dil[1];
      if (y < 0 || y >= H || z < 0 || z >= W) continue;
      s += xd[((n * C + g * Cg + c) * H + y) * W + z] * wd[((o * Cg + c) * kh + p) * kw + q];
    }
    out.push(s);
  }
  return { data: out, shape: [N, O, oh, ow] };
}

describe('Conv1d / Conv2d', () => {
  it('Conv2d matches tf.conv2d (NHWC, HWIO filters) for padding, stride and dilation', () => {
    torch.manualSeed(5);
    const x = torch.randn([2, 3, 9, 8]);
    for (const opts of [{ padding: 1 }, { stride: 2, padding: 2 }, { dilation: 2, padding: 2 }, { padding: 'same' as const, stride: 2 }]) {
      const conv = new nn.Conv2d(3, 4, 3, opts);
      const filter = tf.tensor(vals(conv.weight.permute(2, 3, 1, 0).contiguous()), [3, 3, 3, 4]);
      const stride = (opts as { stride?: number }).stride ?? 1;
      const dil = (opts as { dilation?: number }).dilation ?? 1;
      const p = opts.padding;
      const tfPad = p === 'same' ? 'same' : ([[0, 0], [p, p], [p, p], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
      const ref = tf.add(tf.conv2d(toTfNhwc(x) as tf.Tensor4D, filter as tf.Tensor4D, stride, tfPad, 'NHWC', dil), tf.tensor(vals(conv.bias)));
      const y = conv.forward(x);
      const r = fromTfNhwc(ref);
      expect(y.shape).toEqual(r.shape);
      expectClose(vals(y), vals(r), 1e-4);
    }
  });

  it('Conv2d with groups and rectangular kernels matches a direct float64 loop; init bound uses fanIn = in/groups·kh·kw', () => {
    torch.manualSeed(6);
    const conv = new nn.Conv2d(4, 6, [3, 2], { groups: 2, stride: [1, 2], padding: [1, 0], dtype: 'float64' });
    expect(conv.weight.shape).toEqual([6, 2, 3, 2]);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    expect(maxAbs(vals(conv.weight))).toBeLessThanOrEqual(bound);
    expect(maxAbs(vals(conv.bias))).toBeLessThanOrEqual(bound);
    const x = torch.randn([2, 4, 5, 6], { dtype: 'float64' });
    const ref = conv2dRef(x, conv.weight, conv.bias, [1, 2], [1, 0], [1, 1], 2);
    const y = conv.forward(x);
    expect(y.shape).toEqual(ref.shape);
    expectClose(vals(y), ref.data, 1e-10);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/inChannels \(3\) must be divisible by groups \(2\)/);
  });

  it('padding modes pad as F.pad does before a valid convolution', () => {
    torch.manualSeed(7);
    const x = torch.randn([1, 2, 5, 5], { dtype: 'float64' });
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      const conv = new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: mode, dtype: 'float64' });
      const padded = F.pad(x, [1, 1, 1, 1], { mode });
      const ref = conv2dRef(padded, conv.weight, conv.bias, [1, 1], [0, 0], [1, 1], 1);
      expectClose(vals(conv.forward(x)), ref.data, 1e-10);
    }
  });

  it('Conv1d matches tf.conv1d (NWC) and supports padding "same"', () => {
    torch.manualSeed(8);
    const x = torch.randn([2, 3, 10]);
    const conv = new nn.Conv1d(3, 5, 4, { padding: 'same' });
    const y = conv.forward(x);
    expect(y.shape).toEqual([2, 5, 10]);
    const xt = tf.tensor(vals(x.permute(0, 2, 1).contiguous()), [2, 10, 3]) as tf.Tensor3D;
    const ft = tf.tensor(vals(conv.weight.permute(2, 1, 0).contiguous()), [4, 3, 5]) as tf.Tensor3D;
    const ref = tf.add(tf.conv1d(xt, ft, 1, 'same'), tf.tensor(vals(conv.bias)));
    expectClose(vals(y.permute(0, 2, 1).contiguous()), Array.from(ref.dataSync()), 1e-4);
    const strided = new nn.Conv1d(3, 2, 3, { stride: 2, padding: 1, dilation: 2 });
    expect(strided.forward(x).shape).toEqual([2, 2, 4]);
  });

  it('Conv2d passes gradcheck in float64', () => {
    const conv = new nn.Conv2d(2, 2, 2, { stride: 1, padding: 1, dtype: 'float64' });
    const x = torch.randn([1, 2, 3, 3], { dtype: 'float64' });
    gradcheck((xi) => conv.forward(xi), [x, conv.weight, conv.bias!]);
  });
});

describe('pooling', () => {
  it('MaxPool2d / AvgPool2d match tf.maxPool / tf.avgPool', () => {
    torch.manualSeed(9);
    const x = torch.randn([2, 3, 8, 7]);
    const xt = toTfNhwc(x) as tf.Tensor4D;
    expectClose(vals(new nn.MaxPool2d(2).forward(x)), vals(fromTfNhwc(tf.maxPool(xt, 2, 2, 'valid'))));
    expectClose(vals(new nn.MaxPool2d(3, { stride: 2 }).forward(x)), vals(fromTfNhwc(tf.maxPool(xt, 3, 2, 'valid'))));
    expectClose(vals(new nn.AvgPool2d([2, 3], { stride: [2, 1] }).forward(x)), vals(fromTfNhwc(tf.avgPool(xt, [2, 3], [2, 1], 'valid'))), 1e-6);
  });

  it('padding, ceil mode, 1-D and adaptive pooling (hand-computed)', () => {
    const x = torch.arange(1, 6, 1, { dtype: 'float32' }).reshape(1, 1, 5); // [1, 2, 3, 4, 5]
    expect(vals(new nn.MaxPool1d(2).forward(x))).toEqual([2, 4]);
    expect(vals(new nn.MaxPool1d(2, { ceilMode: true }).forward(x))).toEqual([2, 4, 5]);
    expect(vals(new nn.AvgPool1d(2, { padding: 1 }).forward(x))).toEqual([0.5, 2.5, 4.5]);
    expect(vals(new nn.AvgPool1d(2, { padding: 1, countIncludePad: false }).forward(x))).toEqual([1, 2.5, 4.5]);
    expect(vals(new nn.AdaptiveAvgPool1d(2).forward(x))).toEqual([2, 4]); // windows [0,3) and [2,5)
    const img = torch.arange(0, 16, 1, { dtype: 'float32' }).reshape(1, 1, 4, 4);
    expect(vals(new nn.AdaptiveAvgPool2d(1).forward(img))).toEqual([7.5]);
    expect(vals(new nn.AdaptiveAvgPool2d([2, 2]).forward(img))).toEqual([2.5, 4.5, 10.5, 12.5]);
    expect(() => F.maxPool2d(img, 2, { returnIndices: true })).toThrow(/returnIndices is not supported/);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p); identity in eval', () => {
    torch.manualSeed(10);
    const d = new nn.Dropout(0.3);
    const x = torch.ones(100000);
    const y = vals(d.forward(x));
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.01);
    expect(y.filter((v) => v !== 0 && Math.abs(v - 1 / 0.7) > 1e-6)).toEqual([]);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.02);
    d.eval();
    expect(d.forward(x)).toBe(x);
  });

  it('is reproducible under manualSeed and validates p', () => {
    const x = torch.ones(50);
    torch.manualSeed(3);
    const a = vals(F.dropout(x, { p: 0.5 }));
    torch.manualSeed(3);
    expect(vals(F.dropout(x, { p: 0.5 }))).toEqual(a);
    expect(vals(F.dropout(x, { p: 1 }))).toEqual(Array(50).fill(0));
    expect(() => new nn.Dropout(1.5)).toThrow('Dropout: dropout probability has to be between 0 and 1, but got 1.5');
  });

  it('Dropout2d zeroes whole channels', () => {
    torch.manualSeed(11);
    const y = new nn.Dropout2d(0.5).forward(torch.ones(4, 8, 3, 3));
    const d = vals(y);
    for (let c = 0; c < 32; c++) {
      const ch = d.slice(c * 9, c * 9 + 9);
      expect(new Set(ch).size).toBe(1);
      expect([0, 2]).toContain(ch[0]);
    }
  });
});

describe('BatchNorm', () => {
  it('normalizes with the biased batch variance in training (hand-computed)', () => {
    const bn = new nn.BatchNorm1d(2);
    const x = ft([[1, 2], [3, 6], [5, 10]]);
    const s0 = Math.sqrt(8 / 3 + 1e-5), s1 = Math.sqrt(32 / 3 + 1e-5);
    expectClose(vals(bn.forward(x)), [-2 / s0, -4 / s1, 0, 0, 2 / s0, 4 / s1], 1e-6);
  });

  it('updates running stats with momentum and the UNBIASED variance; tracks batches (2 steps, hand-computed)', () => {
    const bn = new nn.BatchNorm1d(2);
    bn.forward(ft([[1, 2], [3, 6], [5, 10]])); // means 3, 6; unbiased vars 4, 16
    expectClose(vals(bn.runningMean), [0.3, 0.6], 1e-6);
    expectClose(vals(bn.runningVar), [1.3, 2.5], 1e-6);
    bn.forward(ft([[0, 1], [2, 1]])); // means 1, 1; unbiased vars 2, 0
    expectClose(vals(bn.runningMean), [0.37, 0.64], 1e-6);
    expectClose(vals(bn.runningVar), [1.37, 2.25], 1e-6);
    expect(bn.numBatchesTracked!.item()).toBe(2);
    // eval uses the running estimates, with affine parameters applied.
    torch.noGrad(() => { bn.weight!.copy_(ft([2, 1])); bn.bias!.copy_(ft([0, 1])); });
    bn.eval();
    const x = ft([[1, 1]]);
    expectClose(vals(bn.forward(x)), [(2 * (1 - 0.37)) / Math.sqrt(1.37 + 1e-5), (1 - 0.64) / Math.sqrt(2.25 + 1e-5) + 1], 1e-6);
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it('momentum null is a cumulative average; trackRunningStats false always uses batch stats', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    bn.forward(ft([[1, 2], [3, 6], [5, 10]]));
    bn.forward(ft([[0, 1], [2, 1]]));
    expectClose(vals(bn.runningMean), [2, 3.5], 1e-6);
    expectClose(vals(bn.runningVar), [3, 8], 1e-6);
    const free = new nn.BatchNorm1d(2, { trackRunningStats: false });
    expect(free.buffers()).toEqual([]);
    free.eval();
    const x = ft([[1, 2], [3, 4]]);
    expectClose(vals(free.forward(x)), vals(free.train().forward(x)), 0);
  });

  it('BatchNorm2d averages over N, H, W per channel; 3-D input to BatchNorm1d; errors name shapes', () => {
    torch.manualSeed(12);
    const x = torch.randn([3, 2, 4, 5], { dtype: 'float64' });
    const bn = new nn.BatchNorm2d(2, { dtype: 'float64' });
    const y = vals(bn.forward(x));
    const xd = vals(x);
    for (let c = 0; c < 2; c++) {
      const idx: number[] = [];
      for (let n = 0; n < 3; n++) for (let k = 0; k < 20; k++) idx.push(n * 40 + c * 20 + k);
      const m = idx.reduce((a, i) => a + xd[i], 0) / idx.length;
      const v = idx.reduce((a, i) => a + (xd[i] - m) ** 2, 0) / idx.length;
      expectClose(idx.map((i) => y[i]), idx.map((i) => (xd[i] - m) / Math.sqrt(v + 1e-5)), 1e-12);
      expectClose([vals(bn.runningVar)[c]], [0.9 + (0.1 * v * idx.length) / (idx.length - 1)], 1e-12);
    }
    expect(new nn.BatchNorm1d(2).forward(torch.randn([4, 2, 3])).shape).toEqual([4, 2, 3]);
    expect(() => bn.forward(torch.randn([2, 4, 5]))).toThrow(/BatchNorm2d: expected 4D input \[N, C, H, W\], got 3D input \[2, 4, 5\]/);
    expect(() => new nn.BatchNorm1d(3).forward(torch.randn([1, 3]))).toThrow(/expected more than 1 value per channel when training, got input size \[1, 3\]/);
    expect(() => new nn.BatchNorm1d(3).forward(torch.randn([4, 2]))).toThrow(/runningMean must have shape \[2\]/);
  });

  it('passes gradcheck in float64 (training and eval)', () => {
    const bn = new nn.BatchNorm2d(2, { dtype: 'float64' });
    torch.noGrad(() => { bn.weight!.copy_(torch.tensor([1.5, -0.5])); bn.bias!.copy_(torch.tensor([0.1, 0.2])); });
    const x = torch.randn([3, 2, 2, 2], { dtype: 'float64' });
    gradcheck((xi) => bn.forward(xi), [x, bn.weight!, bn.bias!]);
    bn.eval();
    gradcheck((xi) => bn.forward(xi), [x, bn.weight!, bn.bias!]);
  });
});

describe('LayerNorm / GroupNorm', () => {
  it('LayerNorm normalizes each sample over the trailing dims (float64 reference)', () => {
    torch.manualSeed(13);
    const ln = new nn.LayerNorm([2, 3], { dtype: 'float64' });
    torch.noGrad(() => { ln.weight!.normal_(); ln.bias!.normal_(); });
    const x = torch.randn([4, 2, 3], { dtype: 'float64' });
    const xd = vals(x), w = vals(ln.weight), b = vals(ln.bias);
    const ref: number[] = [];
    for (let n = 0; n < 4; n++) {
      const row = xd.slice(n * 6, n * 6 + 6);
      const m = row.reduce((a, v) => a + v, 0) / 6;
      const v = row.reduce((a, u) => a + (u - m) ** 2, 0) / 6;
      row.forEach((u, i) => ref.push(((u - m) / Math.sqrt(v + 1e-5)) * w[i] + b[i]));
    }
    expectClose(vals(ln.forward(x)), ref, 1e-12);
    expect(() => ln.forward(torch.randn([4, 3, 2], { dtype: 'float64' }))).toThrow('layerNorm: given normalizedShape=[2, 3], expected input with shape [*, 2, 3], but got input of size [4, 3, 2]');
    expect(new nn.LayerNorm(3, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(new nn.LayerNorm(3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('LayerNorm matches tf.layers.layerNormalization (same eps)', () => {
    torch.manualSeed(14);
    const x = torch.randn([3, 5]);
    const ref = tf.layers.layerNormalization({ epsilon: 1e-5 }).apply(tf.tensor(vals(x), [3, 5])) as tf.Tensor;
    expectClose(vals(new nn.LayerNorm(5).forward(x)), Array.from(ref.dataSync()), 1e-5);
  });

  it('LayerNorm and GroupNorm pass gradcheck in float64', () => {
    const ln = new nn.LayerNorm(3, { dtype: 'float64' });
    torch.noGrad(() => { ln.weight!.copy_(torch.tensor([1, 2, -1])); ln.bias!.copy_(torch.tensor([0, 0.5, 1])); });
    const x = torch.randn([2, 3], { dtype: 'float64' });
    gradcheck((xi) => ln.forward(xi), [x, ln.weight!, ln.bias!]);
    const gn = new nn.GroupNorm(2, 4, { dtype: 'float64' });
    gradcheck((xi) => gn.forward(xi), [torch.randn([2, 4, 3], { dtype: 'float64' }), gn.weight!, gn.bias!]);
  });
});

describe('Embedding', () => {
  it('looks up rows; N(0, 1) init; the padding row starts at zero', () => {
    torch.manualSeed(15);
    const emb = new nn.Embedding(1000, 20, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(999);
    expect(vals(emb.weight.select(0, 999))).toEqual(Array(20).fill(0));
    const w = vals(emb.weight).slice(0, 999 * 20);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
    const idx = torch.tensor([[3, 999], [0, 3]], { dtype: 'int32' });
    const y = emb.forward(idx);
    expect(y.shape).toEqual([2, 2, 20]);
    expect(vals(y.select(0, 0).select(0, 0))).toEqual(vals(emb.weight.select(0, 3)));
    expect(() => emb.forward(torch.tensor([1000], { dtype: 'int32' }))).toThrow('embedding: index 1000 is out of range for an embedding table of 1000 rows (weight [1000, 20])');
    expect(() => emb.forward(torch.tensor([1.5]))).toThrow(/input must be an int32 tensor of indices, got float32/);
  });

  it('the padding row receives no gradient; repeated indices accumulate', () => {
    const emb = new nn.Embedding(4, 2, { paddingIdx: 0 });
    torch.noGrad(() => emb.weight.select(0, 0).fill_(5)); // a non-zero padding row is still returned as is
    const y = emb.forward(torch.tensor([0, 2, 2, 0, 1], { dtype: 'int32' }));
    expect(vals(y.select(0, 0))).toEqual([5, 5]);
    y.sum().backward();
    expect(vals(emb.weight.grad)).toEqual([0, 0, 1, 1, 2, 2, 0, 0]);
  });

  it('maxNorm renormalizes looked-up rows in place', () => {
    const emb = new nn.Embedding(3, 2, { maxNorm: 1 });
    torch.noGrad(() => emb.weight.copy_(ft([[3, 4], [0.3, 0.4], [6, 8]])));
    emb.forward(torch.tensor([0, 1], { dtype: 'int32' }));
    expectClose(vals(emb.weight), [0.6, 0.8, 0.3, 0.4, 6, 8], 1e-6);
  });

  it('passes gradcheck in float64; fromPretrained freezes by default', () => {
    const emb = new nn.Embedding(5, 3, { dtype: 'float64', paddingIdx: 1 });
    const idx = torch.tensor([[0, 1], [4, 0]], { dtype: 'int32' });
    gradcheck((w) => F.embedding(idx, w), [emb.weight]);
    const frozen = nn.Embedding.fromPretrained(torch.eye(3));
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(vals(frozen.forward(torch.tensor([2], { dtype: 'int32' })))).toEqual([0, 0, 1]);
  });
});

describe('activations', () => {
  it('match their formulas (float64)', () => {
    const xs = [-3, -1, -0.25, 0, 0.5, 2, 25];
    const x = torch.tensor(xs, { dtype: 'float64' });
    const erf = (v: number) => vals(torch.tensor([v], { dtype: 'float64' }).erf())[0];
    const cases: [nn.Module, (v: number) => number][] = [
      [new nn.ReLU(), (v) => Math.max(v, 0)],
      [new nn.ReLU6(), (v) => Math.min(Math.max(v, 0), 6)],
      [new nn.LeakyReLU(), (v) => (v > 0 ? v : 0.01 * v)],
      [new nn.ELU(0.5), (v) => (v > 0 ? v : 0.5 * Math.expm1(v))],
      [new nn.GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
      [new nn.GELU({ approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
      [new nn.Sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
      [new nn.Tanh(), Math.tanh],
      [new nn.SiLU(), (v) => v / (1 + Math.exp(-v))],
      [new nn.Softplus(), (v) => (v > 20 ? v : Math.log1p(Math.exp(v)))],
      [new nn.Softplus({ beta: 2, threshold: 1 }), (v) => (2 * v > 1 ? v : Math.log1p(Math.exp(2 * v)) / 2)],
      [new nn.LogSigmoid(), (v) => -Math.log1p(Math.exp(-v))],
      [new nn.Mish(), (v) => v * Math.tanh(Math.log1p(Math.exp(v)))],
      [new nn.Hardtanh(), (v) => Math.min(Math.max(v, -1), 1)],
      [new nn.Softsign(), (v) => v / (1 + Math.abs(v))],
    ];
    for (const [m, f] of cases) expectClose(vals(m.forward(x)), xs.map(f), 1e-12, 1e-10);
  });

  it('softmax family along dim, with PyTorch implicit dims for the modules', () => {
    const x = torch.tensor([[1, 2, 3], [0, 0, 0]], { dtype: 'float64' });
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e.reduce((a, b) => a + b);
    expectClose(vals(new nn.Softmax(1).forward(x)), [...e.map((v) => v / s), 1 / 3, 1 / 3, 1 / 3], 1e-12);
    expectClose(vals(new nn.Softmax().forward(x)), vals(F.softmax(x, 1)), 0);
    expectClose(vals(new nn.LogSoftmax(-1).forward(x)), vals(F.softmax(x, -1).log()), 1e-12);
    expectClose(vals(new nn.Softmin(0).forward(x)), vals(F.softmax(x.neg(), 0)), 0);
    expect(() => F.softmax(x, 2)).toThrow(/dim=2 is out of range/);
  });

  it('gradients are exact at kinks where PyTorch defines them (softplus and logSigmoid at 0)', () => {
    const x = torch.tensor([0, 30, -30], { dtype: 'float64', requiresGrad: true });
    F.softplus(x).sum().backward();
    expectClose(vals(x.grad), [0.5, 1, 1 / (1 + Math.exp(30))], 1e-15);
    const z = torch.tensor([0], { dtype: 'float64', requiresGrad: true });
    F.logSigmoid(z).sum().backward();
    expect(vals(z.grad)).toEqual([0.5]);
    for (const fn of [F.softplus, F.logSigmoid, F.gelu, F.silu, F.elu, F.mish, (t: Tensor) => F.leakyRelu(t, 0.2)]) {
      gradcheck((t) => fn(t), [torch.tensor([-2.5, -0.7, 0.3, 1.9], { dtype: 'float64' })]);
    }
  });
});

describe('F helpers', () => {
  it('pad follows PyTorch order (last dim first) and modes', () => {
    const x = ft([[1, 2, 3], [4, 5, 6]]);
    expect(F.pad(x, [1, 2]).toArray()).toEqual([[0, 1, 2, 3, 0, 0], [0, 4, 5, 6, 0, 0]]);
    expect(F.pad(x, [0, 0, 1, 0], { value: -1 }).toArray()).toEqual([[-1, -1, -1], [1, 2, 3], [4, 5, 6]]);
    expect(F.pad(x, [-1, 1]).toArray()).toEqual([[2, 3, 0], [5, 6, 0]]);
    expect(F.pad(x, [2, 2], { mode: 'reflect' }).toArray()).toEqual([[3, 2, 1, 2, 3, 2, 1], [6, 5, 4, 5, 6, 5, 4]]);
    expect(F.pad(x, [1, 2], { mode: 'replicate' }).toArray()).toEqual([[1, 1, 2, 3, 3, 3], [4, 4, 5, 6, 6, 6]]);
    expect(F.pad(x, [1, 1, 1, 0], { mode: 'circular' }).toArray()).toEqual([[6, 4, 5, 6, 4], [3, 1, 2, 3, 1], [6, 4, 5, 6, 4]]);
    expect(() => F.pad(x, [3, 0], { mode: 'reflect' })).toThrow(/should be less than the corresponding input dimension \(3\)/);
    expect(() => F.pad(x, [1])).toThrow(/even-length/);
    const g = torch.tensor([[1, 2, 3]], { dtype: 'float64' });
    gradcheck((t) => F.pad(t, [2, 1], { mode: 'reflect' }), [g]);
  });

  it('normalize and cosineSimilarity; a zero vector has gradient 0, not NaN', () => {
    const x = torch.tensor([[3, 4], [0, 0]], { dtype: 'float64', requiresGrad: true });
    const y = F.normalize(x);
    expectClose(vals(y), [0.6, 0.8, 0, 0], 1e-12);
    y.sum().backward();
    expect(vals(x.grad).every(Number.isFinite)).toBe(true);
    expectClose(vals(x.grad).slice(2), [1e12, 1e12], 1, 1e-6); // d(x/eps)/dx = 1/eps below eps, as PyTorch
    expectClose(vals(F.normalize(ft([[3, -4]]), { p: 1 })), [3 / 7, -4 / 7], 1e-6);
    const a = ft([[1, 0], [1, 1]]), b = ft([[0, 1], [2, 2]]);
    expectClose(vals(F.cosineSimilarity(a, b)), [0, 1], 1e-6);
    gradcheck((p, q) => F.cosineSimilarity(p, q, { dim: 1 }), [torch.randn([3, 4], { dtype: 'float64' }), torch.randn([3, 4], { dtype: 'float64' })]);
  });

  it('oneHot validates classes', () => {
    expect(F.oneHot(torch.tensor([0, 2], { dtype: 'int32' }), 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(() => F.oneHot(torch.tensor([-1, 2], { dtype: 'int32' }))).toThrow(/non-negative/);
    expect(() => F.oneHot(torch.tensor([3], { dtype: 'int32' }), 3)).toThrow(/class value 3 is out of range for numClasses=3/);
  });
});
