/** nn.init (gains, fans, bounds and spreads, orthogonality, reproducibility) and nn.utils (gradient clipping, vectors). */
import { describe, it, expect } from 'vitest';
import * as torch from '../runtime/torch.js';
import * as nn from '../runtime/nn/index.js';
import type { Tensor } from '../runtime/tensor.js';

const vals = (t: Tensor | null | undefined): number[] => Array.from(t!.dataSync());

const maxAbs = (xs: number[]) => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

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

describe('nn.init', () => {
  it('calculateGain and fans follow PyTorch', () => {
    expect(nn.init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(nn.init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.0001)), 15);
    expect(nn.init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(nn.init.calculateGain('selu')).toBe(0.75);
    expect(nn.init.calculateGain('conv2d')).toBe(1);
    expect(nn.init.calculateFanInAndFanOut(torch.empty(16, 8, 3, 3))).toEqual({ fanIn: 72, fanOut: 144 });
    expect(() => nn.init.calculateFanInAndFanOut(torch.empty(5))).toThrow(/fewer than 2 dimensions/);
  });

  it('kaiming and xavier draw within their bounds with the expected spread', () => {
    const stats = (t: Tensor) => {
      const v = vals(t);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return { max: maxAbs(v), sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) };
    };
    torch.manualSeed(16);
    const w = torch.empty(256, 128);
    nn.init.kaimingUniform_(w, { mode: 'fanIn', nonlinearity: 'relu' });
    const bound = Math.SQRT2 * Math.sqrt(3 / 128);
    expect(stats(w).max).toBeLessThanOrEqual(bound);
    expect(stats(w).max).toBeGreaterThan(0.99 * bound);
    nn.init.kaimingNormal_(w, { mode: 'fanOut' });
    expect(Math.abs(stats(w).sd / (Math.SQRT2 / Math.sqrt(256)) - 1)).toBeLessThan(0.02);
    nn.init.xavierUniform_(w, 2);
    const xb = 2 * Math.sqrt(6 / (128 + 256));
    expect(stats(w).max).toBeLessThanOrEqual(xb);
    expect(stats(w).max).toBeGreaterThan(0.99 * xb);
    nn.init.glorotNormal_(w);
    expect(Math.abs(stats(w).sd / Math.sqrt(2 / 384) - 1)).toBeLessThan(0.02);
    expect(nn.init.glorotUniform_).toBe(nn.init.xavierUniform_);
  });

  it('orthogonal_ gives orthonormal rows or columns, scaled by gain, in float64', () => {
    torch.manualSeed(17);
    for (const shape of [[6, 4], [4, 6], [5, 2, 3]]) {
      const t = torch.empty(shape, { dtype: 'float64' });
      nn.init.orthogonal_(t, 2);
      const m = t.reshape(shape[0], -1);
      const gram = m.shape[0] >= m.shape[1] ? m.t().matmul(m) : m.matmul(m.t());
      const n = gram.shape[0];
      expectClose(vals(gram), vals(torch.eye(n, { dtype: 'float64' }).mul(4)), 1e-12);
    }
  });

  it('constant, ones, zeros, eye, uniform, normal and truncNormal', () => {
    const t = torch.empty(3, 4);
    expect(vals(nn.init.constant_(t, 2.5))).toEqual(Array(12).fill(2.5));
    expect(vals(nn.init.zeros_(t))).toEqual(Array(12).fill(0));
    expect(vals(nn.init.ones_(t))).toEqual(Array(12).fill(1));
    expect(vals(nn.init.eye_(t))).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    const p = nn.Parameter(torch.empty(1000));
    nn.init.uniform_(p, -2, 3);
    expect(Math.min(...vals(p))).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...vals(p))).toBeLessThan(3);
    torch.manualSeed(18);
    const big = torch.empty(20000, { dtype: 'float64' });
    nn.init.truncNormal_(big, 1, 2, -1, 2);
    const v = vals(big);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThanOrEqual(2);
    // N(1, 2²) truncated to [-1, 2]: α = -1, β = 0.5; mean = 1 + 2(φ(α) − φ(β))/(Φ(β) − Φ(α)).
    const phi = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    const expected = 1 + (2 * (phi(-1) - phi(0.5))) / (0.6914624612740131 - 0.15865525393145707);
    expect(Math.abs(v.reduce((a, b) => a + b, 0) / v.length - expected)).toBeLessThan(0.02);
    expect(() => nn.init.truncNormal_(big, 0, 1, 10, 11)).toThrow(/holds only/);
  });

  it('is reproducible under manualSeed and runs under noGrad on parameters', () => {
    const p = nn.Parameter(torch.empty(4, 4));
    torch.manualSeed(19);
    nn.init.orthogonal_(p);
    const a = vals(p);
    nn.init.normal_(p);
    torch.manualSeed(19);
    nn.init.orthogonal_(p);
    expect(vals(p)).toEqual(a);
    expect(p.gradFn).toBeNull();
  });
});

describe('nn.utils', () => {
  it('clipGradNorm_ returns the total norm and scales by maxNorm/(total + 1e-6)', () => {
    const a = nn.Parameter(torch.zeros(2)), b = nn.Parameter(torch.zeros(1)), c = nn.Parameter(torch.zeros(1));
    a.grad = ft([3, 4]);
    b.grad = ft([12]);
    const total = nn.utils.clipGradNorm_([a, b, c], 6.5);
    expect(total.item()).toBeCloseTo(13, 5);
    const coef = 6.5 / (13 + 1e-6);
    expectClose(vals(a.grad), [3 * coef, 4 * coef], 1e-6);
    expectClose(vals(b.grad), [12 * coef], 1e-6);
    // Below the limit the gradients are unchanged.
    nn.utils.clipGradNorm_([a, b], 100);
    expectClose(vals(a.grad), [3 * coef, 4 * coef], 1e-6);
    a.grad = ft([-5, 1]);
    expect(nn.utils.clipGradNorm_(a, 1, Infinity).item()).toBe(5);
    expectClose(vals(a.grad), [-5 / (5 + 1e-6), 1 / (5 + 1e-6)], 1e-6);
    a.grad = ft([1, 2]);
    expect(nn.utils.clipGradNorm_(a, 10, 1).item()).toBe(3);
    a.grad = torch.tensor([NaN, 1]);
    expect(() => nn.utils.clipGradNorm_(a, 1, 2, { errorIfNonfinite: true })).toThrow(/non-finite/);
    expect(nn.utils.clipGradNorm_([c], 1).item()).toBe(0);
  });

  it('clipGradValue_ clamps; parametersToVector / vectorToParameters round-trip', () => {
    const lin = new nn.Linear(2, 2);
    lin.forward(ft([[10, -10]])).sum().backward();
    nn.utils.clipGradValue_(lin.parameters(), 3);
    expect(vals(lin.weight.grad)).toEqual([3, -3, 3, -3]);
    const v = nn.utils.parametersToVector(lin.parameters());
    expect(v.shape).toEqual([6]);
    nn.utils.vectorToParameters(torch.arange(0, 6, 1, { dtype: 'float32' }), lin.parameters());
    expect(vals(lin.weight)).toEqual([0, 1, 2, 3]);
    expect(vals(lin.bias)).toEqual([4, 5]);
    expect(() => nn.utils.vectorToParameters(torch.zeros(5), lin.parameters())).toThrow(/expected a 1-D vector of 6 elements/);
  });
});
