/**
 * Loss functions and modules: PyTorch's formulas re-derived in plain float64 TS (and TensorFlow.js where it has
 * the same loss), reductions, error messages, and float64 gradient checks.
 */
import { describe, it, expect, beforeAll, vi } from 'vitest';
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
const ft = (data: number[] | number[][]) => torch.tensor(data, { dtype: 'float32' });
const f64 = (data: number[] | number[][]) => torch.tensor(data, { dtype: 'float64' });
const idx = (data: number[]) => torch.tensor(data, { dtype: 'int32' });

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-6, rtol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)) && !(Number.isNaN(a) && Number.isNaN(e))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (|Δ| = ${Math.abs(a - e)})`);
    }
  }
}

/** Rows of logits x [N, C] as arrays, log-softmax by the textbook formula. */
function logSoftmaxRows(x: number[][]): number[][] {
  return x.map((row) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  });
}

/**
 * PyTorch's cross-entropy with class indices, written from its documentation: per sample
 * nll = −w[y]·lp[y], smooth = −Σ_c w[c]·lp[c]; ignored samples contribute nothing; 'mean' divides both sums by
 * Σ w[y] over the kept samples; the result mixes (1 − ε)·nll + (ε/C)·smooth.
 */
function ceIndexRef(x: number[][], y: number[], opts: { w?: number[]; ignore?: number; eps?: number; reduction?: 'mean' | 'sum' | 'none' } = {}): number[] {
  const C = x[0].length;
  const w = opts.w ?? Array(C).fill(1);
  const eps = opts.eps ?? 0;
  const lp = logSoftmaxRows(x);
  const per: number[] = [];
  let denom = 0, sum = 0;
  y.forEach((c, n) => {
    if (c === (opts.ignore ?? -100)) { per.push(0); return; }
    const nll = -w[c] * lp[n][c];
    const smooth = -lp[n].reduce((a, v, k) => a + w[k] * v, 0);
    const l = (1 - eps) * nll + (eps / C) * smooth;
    per.push(l);
    sum += l;
    denom += w[c];
  });
  const r = opts.reduction ?? 'mean';
  return r === 'none' ? per : r === 'sum' ? [sum] : [sum / denom];
}

/** Cross-entropy with class probabilities p [N, C]: −Σ_c w[c]·p'[c]·lp[c], p' = (1 − ε)p + ε/C; 'mean' over N. */
function ceProbRef(x: number[][], p: number[][], opts: { w?: number[]; eps?: number; reduction?: 'mean' | 'sum' | 'none' } = {}): number[] {
  const C = x[0].length;
  const w = opts.w ?? Array(C).fill(1);
  const eps = opts.eps ?? 0;
  const lp = logSoftmaxRows(x);
  const per = lp.map((row, n) => -row.reduce((a, v, c) => a + w[c] * ((1 - eps) * p[n][c] + eps / C) * v, 0));
  const r = opts.reduction ?? 'mean';
  const s = per.reduce((a, b) => a + b, 0);
  return r === 'none' ? per : r === 'sum' ? [s] : [s / per.length];
}

const X = [[1.5, -0.3, 0.2, 2.0], [0.1, 0.1, -1.2, 0.4], [-2.0, 3.1, 0.0, 0.5], [0.7, -0.7, 1.1, -0.1], [0.0, 0.0, 0.0, 0.0]];
const Y = [3, 0, 1, 2, 1];
const W = [0.5, 2.0, 1.0, 0.25];

describe('crossEntropy with class indices', () => {
  it('is ln 2 for two equal logits (hand-computed) and matches tf.losses.softmaxCrossEntropy', () => {
    expect(F.crossEntropy(ft([[0, 0]]), idx([1])).item()).toBeCloseTo(Math.LN2, 6);
    const onehot = tf.oneHot(tf.tensor1d(Y, 'int32'), 4);
    const ref = tf.losses.softmaxCrossEntropy(onehot, tf.tensor2d(X)).dataSync()[0];
    expect(F.crossEntropy(ft(X), idx(Y)).item()).toBeCloseTo(ref, 5);
    const refLs = tf.losses.softmaxCrossEntropy(onehot, tf.tensor2d(X), undefined, 0.2).dataSync()[0];
    expect(F.crossEntropy(ft(X), idx(Y), { labelSmoothing: 0.2 }).item()).toBeCloseTo(refLs, 5);
  });

  it.each([
    ['plain', {}],
    ['weighted', { w: W }],
    ['ignoreIndex', { ignore: 1 }],
    ['weighted + ignoreIndex', { w: W, ignore: 3 }],
    ['label smoothing', { eps: 0.1 }],
    ['label smoothing + weight + ignoreIndex', { w: W, eps: 0.3, ignore: 0 }],
  ] as const)('%s: matches the float64 reference for every reduction', (_name, o) => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const got = F.crossEntropy(f64(X), idx(Y), {
        weight: 'w' in o ? f64(o.w as unknown as number[]) : undefined,
        ignoreIndex: 'ignore' in o ? o.ignore : undefined,
        labelSmoothing: 'eps' in o ? o.eps : undefined,
        reduction,
      });
      expectClose(vals(got), ceIndexRef(X, Y, { ...o, w: 'w' in o ? [...o.w] : undefined, reduction }), 1e-12);
      expect(got.shape).toEqual(reduction === 'none' ? [5] : []);
    }
  });

  it('handles [N, C, d1, d2] inputs and unbatched [C] inputs', () => {
    torch.manualSeed(1);
    const x = torch.randn([2, 3, 2, 2], { dtype: 'float64' });
    const y = torch.randint(0, 3, [2, 2, 2]);
    const rows: number[][] = [], ys: number[] = [];
    const xd = vals(x), yd = vals(y);
    for (let n = 0; n < 2; n++) for (let k = 0; k < 4; k++) {
      rows.push([0, 1, 2].map((c) => xd[n * 12 + c * 4 + k]));
      ys.push(yd[n * 4 + k]);
    }
    const none = F.crossEntropy(x, y, { reduction: 'none', weight: f64([1, 2, 3]) });
    expect(none.shape).toEqual([2, 2, 2]);
    expectClose(vals(none), ceIndexRef(rows, ys, { w: [1, 2, 3], reduction: 'none' }), 1e-12);
    expectClose([F.crossEntropy(x, y, { weight: f64([1, 2, 3]), labelSmoothing: 0.2 }).item()], ceIndexRef(rows, ys, { w: [1, 2, 3], eps: 0.2 }), 1e-12);
    const single = F.crossEntropy(f64(X[0]), torch.tensor(3, { dtype: 'int32' }), { reduction: 'none' });
    expect(single.shape).toEqual([]);
    expectClose(vals(single), ceIndexRef([X[0]], [3]), 1e-12);
  });

  it('is NaN for mean reduction when every target is ignored (as PyTorch), 0 for sum', () => {
    expect(Number.isNaN(F.crossEntropy(ft(X.slice(0, 2)), idx([-100, -100])).item())).toBe(true);
    expect(F.crossEntropy(ft(X.slice(0, 2)), idx([-100, -100]), { reduction: 'sum' }).item()).toBe(0);
  });

  it('ignored targets get no gradient; gradcheck passes (with weight, ignoreIndex and label smoothing)', () => {
    const x = f64(X).requiresGrad_();
    F.crossEntropy(x, idx([3, -100, 1, 2, -100])).backward();
    expect(vals(x.grad).slice(4, 8)).toEqual([0, 0, 0, 0]);
    gradcheck((t) => F.crossEntropy(t, idx(Y), { weight: f64(W), ignoreIndex: 2, labelSmoothing: 0.15 }), [f64(X)]);
    gradcheck((t) => F.crossEntropy(t, idx(Y), { reduction: 'none' }), [f64(X)]);
    // The fused kernel's two backward paths: no target ignored (3 kernels), some ignored (masked).
    gradcheck((t) => F.crossEntropy(t, idx(Y)), [f64(X)]);
    gradcheck((t) => F.crossEntropy(t, idx([3, -100, 1, 2, -100])), [f64(X)]);
  });
});

describe('crossEntropy with class probabilities', () => {
  const P = [[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0, 0.5, 0.5, 0], [0.9, 0.05, 0.05, 0]];

  it('matches the float64 reference (weights do not normalize the mean; smoothing mixes in ε/C)', () => {
    const options: { w?: number[]; eps?: number }[] = [{}, { w: W }, { eps: 0.2 }, { w: W, eps: 0.4 }];
    for (const o of options) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const got = F.crossEntropy(f64(X), f64(P), { weight: o.w ? f64(o.w) : undefined, labelSmoothing: o.eps, reduction });
        expectClose(vals(got), ceProbRef(X, P, { ...o, reduction }), 1e-12);
      }
    }
  });

  it('one-hot probabilities equal class indices; gradients flow to both input and target', () => {
    const onehot = Y.map((c) => [0, 1, 2, 3].map((k) => (k === c ? 1 : 0)));
    expect(F.crossEntropy(f64(X), f64(onehot)).item()).toBeCloseTo(F.crossEntropy(f64(X), idx(Y)).item(), 12);
    gradcheck((x, p) => F.crossEntropy(x, p, { weight: f64(W), labelSmoothing: 0.1 }), [f64(X), f64(P)]);
  });
});

describe('crossEntropy / nllLoss errors name the loss, the argument and the shapes', () => {
  it('out-of-range class index', () => {
    const logits = torch.randn([64, 10]);
    const target = torch.randint(0, 10, [64]);
    torch.noGrad(() => target.select(0, 5).fill_(12));
    expect(() => F.crossEntropy(logits, target)).toThrow(/^crossEntropy: target value 12 is out of range for 10 classes/);
    expect(() => F.crossEntropy(logits, target)).toThrow(/input \[64, 10\], target \[64\]/);
    expect(() => F.nllLoss(logits, idx(Array(64).fill(-1)))).toThrow(/nllLoss: target value -1 is out of range for 10 classes/);
  });

  it('target shape and dtype mistakes', () => {
    const logits = torch.randn([64, 10]);
    expect(() => F.crossEntropy(logits, torch.randint(0, 10, [32]))).toThrow('crossEntropy: expected target of shape [64] (input [64, 10] without the class dim), got [32]');
    expect(() => F.crossEntropy(logits, torch.randint(0, 10, [64]).float())).toThrow(/target \[64\] is float32, so it is read as class probabilities, which must have the input's shape \[64, 10\]; for class indices pass an int32 tensor/);
    expect(() => F.crossEntropy(logits, torch.zeros(64, 10).bool())).toThrow(/target must be int32 class indices or floating-point class probabilities, got bool/);
    expect(() => F.crossEntropy(logits.int(), torch.randint(0, 10, [64]))).toThrow(/crossEntropy: input must be a floating-point tensor, got int32/);
    expect(() => F.crossEntropy(logits, torch.randint(0, 10, [64]), { weight: torch.ones(9) })).toThrow('crossEntropy: weight must be a 1-D tensor of size 10 (one per class), got [9]');
    expect(() => F.crossEntropy(logits, torch.randint(0, 10, [64]), { reduction: 'avg' as 'mean' })).toThrow(`crossEntropy: reduction must be 'mean', 'sum' or 'none', got "avg"`);
    expect(() => F.crossEntropy(logits, torch.randint(0, 10, [64]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be between 0.0 and 1.0, got 1.5/);
    expect(() => F.crossEntropy(logits, torch.zeros(64, 10), { ignoreIndex: 0 })).toThrow(/ignoreIndex \(0\) is not supported for class-probability/);
    expect(() => new nn.CrossEntropyLoss({ reduction: 'mean_' as 'mean' })).toThrow(/CrossEntropyLoss: reduction must be/);
  });
});

describe('nllLoss', () => {
  it('is −w[y]·input[y] with the weighted mean (float64 reference) and matches crossEntropy on log-softmax', () => {
    const lp = logSoftmaxRows(X);
    const got = F.nllLoss(f64(lp), idx(Y), { weight: f64(W), ignoreIndex: 2 });
    expectClose([got.item()], ceIndexRef(X, Y, { w: W, ignore: 2 }), 1e-12);
    expect(F.nllLoss(F.logSoftmax(f64(X), 1), idx(Y)).item()).toBeCloseTo(F.crossEntropy(f64(X), idx(Y)).item(), 14);
    expectClose(vals(new nn.NLLLoss({ reduction: 'none' }).forward(f64(lp), idx(Y))), Y.map((c, n) => -lp[n][c]), 1e-14);
    gradcheck((t) => F.nllLoss(t, idx(Y), { weight: f64(W) }), [f64(lp)]);
  });
});

describe('regression losses', () => {
  const a = [[0.5, -1.2, 3.0], [2.0, 0.1, -0.4]];
  const b = [[0.0, -1.0, 1.0], [2.5, 0.1, 0.9]];
  const d = a.flat().map((v, i) => v - b.flat()[i]);
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

  it('MSE and L1 match the formula and tf.losses', () => {
    expect(F.mseLoss(f64(a), f64(b)).item()).toBeCloseTo(mean(d.map((v) => v * v)), 14);
    expect(F.mseLoss(ft(a), ft(b)).item()).toBeCloseTo(tf.losses.meanSquaredError(tf.tensor2d(b), tf.tensor2d(a)).dataSync()[0], 5);
    expect(F.l1Loss(f64(a), f64(b), { reduction: 'sum' }).item()).toBeCloseTo(d.reduce((s, v) => s + Math.abs(v), 0), 14);
    expect(F.l1Loss(ft(a), ft(b)).item()).toBeCloseTo(tf.losses.absoluteDifference(tf.tensor2d(b), tf.tensor2d(a)).dataSync()[0], 5);
    expectClose(vals(new nn.MSELoss({ reduction: 'none' }).forward(f64(a), f64(b))), d.map((v) => v * v), 1e-14);
  });

  it('Huber (delta) and SmoothL1 (beta) use PyTorch piecewise definitions', () => {
    const huber = (v: number, delta: number) => (Math.abs(v) < delta ? 0.5 * v * v : delta * (Math.abs(v) - 0.5 * delta));
    const smooth = (v: number, beta: number) => (Math.abs(v) < beta ? (0.5 * v * v) / beta : Math.abs(v) - 0.5 * beta);
    for (const delta of [1, 0.5, 2.5]) {
      expectClose(vals(F.huberLoss(f64(a), f64(b), { delta, reduction: 'none' })), d.map((v) => huber(v, delta)), 1e-14);
      expectClose(vals(F.smoothL1Loss(f64(a), f64(b), { beta: delta, reduction: 'none' })), d.map((v) => smooth(v, delta)), 1e-14);
    }
    expect(F.huberLoss(ft(a), ft(b), { delta: 0.5 }).item()).toBeCloseTo(tf.losses.huberLoss(tf.tensor2d(b), tf.tensor2d(a), undefined, 0.5).dataSync()[0], 5);
    expect(F.smoothL1Loss(f64(a), f64(b), { beta: 0 }).item()).toBeCloseTo(F.l1Loss(f64(a), f64(b)).item(), 14);
    expect(new nn.HuberLoss({ delta: 2 }).forward(f64(a), f64(b)).item()).toBeCloseTo(mean(d.map((v) => huber(v, 2))), 14);
    expect(new nn.SmoothL1Loss({ beta: 2 }).forward(f64(a), f64(b)).item()).toBeCloseTo(mean(d.map((v) => smooth(v, 2))), 14);
  });

  it('pass gradcheck (input and target)', () => {
    const x = f64([[0.3, -1.7, 2.2], [0.9, 1.4, -0.2]]), y = f64([[0.1, -1.0, 0.5], [2.0, 1.0, 0.4]]);
    gradcheck((p, q) => F.mseLoss(p, q), [x, y]);
    gradcheck((p, q) => F.l1Loss(p, q, { reduction: 'sum' }), [x, y]);
    gradcheck((p, q) => F.huberLoss(p, q, { delta: 0.8 }), [x, y]);
    gradcheck((p, q) => F.smoothL1Loss(p, q, { beta: 0.5, reduction: 'none' }), [x, y]);
  });

  it('warn once on broadcasting shapes and refuse incompatible ones', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const loss = F.mseLoss(torch.zeros(4, 1), torch.ones(4));
    expect(loss.item()).toBe(1);
    F.mseLoss(torch.zeros(4, 1), torch.ones(4));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/mseLoss: using a target size \[4\] that is different to the input size \[4, 1\]/);
    warn.mockRestore();
    expect(() => F.l1Loss(torch.zeros(4, 2), torch.ones(3))).toThrow(/l1Loss: input \[4, 2\] and target \[3\] cannot be broadcast together/);
  });
});

describe('binary cross-entropy', () => {
  const probs = [[0.9, 0.2, 0.5], [0.01, 0.7, 0.999]];
  const targets = [[1, 0, 1], [0, 1, 0.3]];
  const bce = (x: number, y: number) => -(y * Math.max(Math.log(x), -100) + (1 - y) * Math.max(Math.log(1 - x), -100));

  it('BCELoss matches the formula, clamps logs at −100, applies weights', () => {
    const ref = probs.flat().map((x, i) => bce(x, targets.flat()[i]));
    expectClose(vals(F.binaryCrossEntropy(f64(probs), f64(targets), { reduction: 'none' })), ref, 1e-13);
    expectClose(vals(F.binaryCrossEntropy(f64([0, 1, 0, 1]), f64([1, 0, 0, 1]), { reduction: 'none' })), [100, 100, 0, 0], 0);
    const w = [2, 1, 0.5];
    const weighted = new nn.BCELoss({ weight: f64(w) }).forward(f64(probs), f64(targets));
    expect(weighted.item()).toBeCloseTo(ref.map((v, i) => v * w[i % 3]).reduce((a, b) => a + b) / 6, 13);
  });

  it('BCELoss gradients are PyTorch\'s (finite at 0 and 1) and pass gradcheck', () => {
    const x = f64([0, 1, 0.25]).requiresGrad_();
    F.binaryCrossEntropy(x, f64([0, 1, 1]), { reduction: 'sum' }).backward();
    expectClose(vals(x.grad), [0, 0, -1 / 0.25], 1e-12);
    gradcheck((p, q) => F.binaryCrossEntropy(p, q), [f64(probs), f64(targets)]);
  });

  it('BCELoss rejects probabilities outside [0, 1] and shape mismatches', () => {
    expect(() => F.binaryCrossEntropy(ft([0.5, 1.5]), ft([0, 1]))).toThrow(/binaryCrossEntropy: all elements of input should be between 0 and 1.*apply sigmoid first/);
    expect(() => F.binaryCrossEntropy(ft([[0.5], [0.2]]), ft([0, 1]))).toThrow('binaryCrossEntropy: target [2] must have the same shape as input [2, 1]');
  });

  it('BCEWithLogits is stable for large logits, matches sigmoid + BCE and tf.losses.sigmoidCrossEntropy', () => {
    const logits = [[2.2, -1.4, 0], [-3.0, 0.5, 40]];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const ref = logits.flat().map((x, i) => bce(sig(x), targets.flat()[i]));
    expectClose(vals(F.binaryCrossEntropyWithLogits(f64(logits), f64(targets), { reduction: 'none' })).slice(0, 5), ref.slice(0, 5), 1e-13);
    // σ(40) rounds to 1 in float64, so the exact loss is (1 − 0)·40 − log σ(40)·0 = 40·(1 − y) for y = 0.
    expect(vals(F.binaryCrossEntropyWithLogits(f64([1000, -1000]), f64([0, 1]), { reduction: 'none' }))).toEqual([1000, 1000]);
    const tfRef = tf.losses.sigmoidCrossEntropy(tf.tensor2d(targets), tf.tensor2d(logits)).dataSync()[0];
    expect(F.binaryCrossEntropyWithLogits(ft(logits), ft(targets)).item()).toBeCloseTo(tfRef, 5);
  });

  it('posWeight weighs the positive term per class; the gradient at logit 0 is σ(0) − y', () => {
    const logits = [[0.3, -1.0], [2.0, 0.0]], y = [[1, 0], [1, 1]], pw = [3, 0.5];
    const ls = (v: number) => -Math.log1p(Math.exp(-v));
    const ref = logits.flat().map((x, i) => -(pw[i % 2] * y.flat()[i] * ls(x) + (1 - y.flat()[i]) * ls(-x)));
    const m = new nn.BCEWithLogitsLoss({ posWeight: f64(pw), reduction: 'none' });
    expectClose(vals(m.forward(f64(logits), f64(y))), ref, 1e-13);
    expect(m.posWeight).toBe(m.buffers()[0]);
    const z = f64([0, 0]).requiresGrad_();
    F.binaryCrossEntropyWithLogits(z, f64([1, 0]), { reduction: 'sum' }).backward();
    expect(vals(z.grad)).toEqual([-0.5, 0.5]);
    gradcheck((p, q, w) => F.binaryCrossEntropyWithLogits(p, q, { posWeight: w, weight: f64([1, 2]) }), [f64(logits), f64([[0.2, 0.9], [1, 0.4]]), f64(pw)]);
  });
});

describe('KL divergence', () => {
  it('is p·(log p − input), 0 where p = 0, with batchmean = sum / N', () => {
    const logq = [[Math.log(0.5), Math.log(0.25), Math.log(0.25)], [Math.log(0.1), Math.log(0.6), Math.log(0.3)]];
    const p = [[0.2, 0.8, 0], [1 / 3, 1 / 3, 1 / 3]];
    const el = logq.flat().map((lq, i) => { const pi = p.flat()[i]; return pi === 0 ? 0 : pi * (Math.log(pi) - lq); });
    expectClose(vals(F.klDiv(f64(logq), f64(p), { reduction: 'none' })), el, 1e-14);
    expect(F.klDiv(f64(logq), f64(p), { reduction: 'batchmean' }).item()).toBeCloseTo(el.reduce((a, b) => a + b) / 2, 14);
    expect(new nn.KLDivLoss().forward(f64(logq), f64(p)).item()).toBeCloseTo(el.reduce((a, b) => a + b) / 6, 14);
    const logp = f64(p).clamp(1e-30).log();
    expectClose(vals(F.klDiv(f64(logq), logp, { logTarget: true, reduction: 'none' })), el, 1e-12);
    const x = f64(logq).requiresGrad_();
    F.klDiv(x, f64(p), { reduction: 'sum' }).backward();
    expect(vals(x.grad)).toEqual(p.flat().map((v) => -v));
    gradcheck((q, t) => F.klDiv(q, t, { reduction: 'batchmean' }), [f64(logq), f64([[0.2, 0.5, 0.3], [0.4, 0.4, 0.2]])]);
  });
});

describe('loss modules', () => {
  it('CrossEntropyLoss equals F.crossEntropy, and its weight buffer moves with to()', () => {
    const m = new nn.CrossEntropyLoss({ weight: ft(W), ignoreIndex: 1, labelSmoothing: 0.1 });
    expect(m.forward(ft(X), idx(Y)).item()).toBe(F.crossEntropy(ft(X), idx(Y), { weight: ft(W), ignoreIndex: 1, labelSmoothing: 0.1 }).item());
    expect(Object.keys(m.stateDict())).toEqual(['weight']);
    m.double();
    expect(m.weight!.dtype).toBe('float64');
    expectClose([m.forward(f64(X), idx(Y)).item()], ceIndexRef(X, Y, { w: W, ignore: 1, eps: 0.1 }), 1e-12);
    expect(new nn.CrossEntropyLoss().toString()).toBe('CrossEntropyLoss()');
  });
});
