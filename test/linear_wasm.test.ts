/**
 * linear.wasm (runtime/backends/cpu/wasm/linear.ts): each SIMD kernel gives the bits of the JS loop it replaces,
 * on values that exercise every branch (−0, NaN, ±Infinity, subnormals, the threshold itself), on widths with
 * and without a scalar tail; and the backend ops that use them agree with their generic paths.
 */
import { describe, expect, test } from 'vitest';
import { biasAddF32, colSumF32, thresholdBackwardF32, wasmLinearAvailable } from '../runtime/backends/cpu/wasm/linear.js';
import { torch } from '../runtime/index.js';
import { getBackend } from '../runtime/backends/backend.js';
import { FUSED_KERNELS } from '../runtime/compile/fuse.js';

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 0.5, -0.5, 3.4e38, -3.4e38, 1, -1];

/** Deterministic float32 values with specials mixed in. */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = i % 7 === 3 ? SPECIAL[(s >>> 8) % SPECIAL.length] : ((s >>> 8) / 2 ** 24 - 0.5) * 8;
  }
  return a;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
// NaN payloads may differ between V8's and wasm's NaN handling: compare NaN as NaN, everything else by bits.
function expectSameBits(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const g = bits(got), w = bits(want);
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(want[i])) expect(Number.isNaN(got[i]), `element ${i}`).toBe(true);
    else expect(g[i], `element ${i}: ${got[i]} vs ${want[i]}`).toBe(w[i]);
  }
}

describe('linear.wasm kernels: the same bits as the JS loops', () => {
  test('the module loads on Node 20', () => expect(wasmLinearAvailable).toBe(true));

  test.each([[3200, 0], [13, 0], [4, 0.5], [1, -1], [7, Infinity]])('thresholdBackward, n = %i, threshold %d', (n, t) => {
    const g = values(n, 1), x = values(n, 2);
    if (n > 2) x[1] = t; // exactly at the threshold: not above it
    const want = new Float32Array(n);
    for (let i = 0; i < n; i++) want[i] = x[i] > t ? g[i] : 0;
    const got = new Float32Array(n);
    expect(thresholdBackwardF32(g, x, got, t)).toBe(true);
    expectSameBits(got, want);
  });

  test.each([[64, 50], [64, 10], [3, 4], [5, 1], [2, 7]])('bias add and bias + ReLU, [%i, %i]', (M, N) => {
    const y = values(M * N, 3), b = values(N, 4);
    const h0 = new Float32Array(M * N), r0 = new Float32Array(M * N);
    for (let i = 0, k = 0; i < M; i++) {
      for (let j = 0; j < N; j++, k++) {
        h0[k] = y[k] + b[j];
        const v = h0[k];
        r0[k] = v > 0 ? v : v !== v ? v : 0;
      }
    }
    const h = new Float32Array(M * N), r = new Float32Array(M * N), h2 = new Float32Array(M * N);
    expect(biasAddF32(y, b, h, r, M, N)).toBe(true);
    expectSameBits(h, h0);
    expectSameBits(r, r0);
    expect(biasAddF32(y, b, h2, null, M, N)).toBe(true);
    expectSameBits(h2, h0);
  });

  test.each([[64, 50], [64, 10], [1, 3], [100, 4], [0, 5], [7, 9]])('column sums in float64, [%i, %i]', (R, N) => {
    const x = values(R * N, 5);
    const acc = new Float64Array(N);
    for (let i = 0; i < R; i++) for (let j = 0; j < N; j++) acc[j] += x[i * N + j];
    const got = new Float32Array(N);
    expect(colSumF32(x, R, N, got)).toBe(true);
    expectSameBits(got, Float32Array.from(acc));
  });
});

describe('the CPU ops on them agree with the generic paths', () => {
  const cpu = getBackend('cpu');

  test('sum over the batch dimension, float32 vs the same sums in float64', () => {
    torch.manualSeed(3);
    const x = torch.randn([64, 3, 50]);
    for (const dims of [[0], [1], [0, 1]]) {
      const got = x.sum(dims).dataSync() as Float32Array;
      const want = x.double().sum(dims).float().dataSync() as Float32Array;
      expectSameBits(got, want);
    }
  });

  test('bias add: a [M, N] + b [N] and + b [1, N] equal the broadcasting loop (b + a, which takes it)', () => {
    torch.manualSeed(4);
    const a = torch.randn([64, 10]), b = torch.randn([10]);
    const fast = cpu.binary('add', a, b, [64, 10], 'float32').dataSync() as Float32Array;
    const generic = cpu.binary('add', b, a, [64, 10], 'float32').dataSync() as Float32Array;
    expectSameBits(fast, generic);
    expectSameBits(cpu.binary('add', a, b.reshape(1, 10), [64, 10], 'float32').dataSync() as Float32Array, generic);
  });

  test('thresholdBackward on views and on float64 keeps the JS path, with the same values', () => {
    torch.manualSeed(5);
    const g = torch.randn([8, 6]), x = torch.randn([8, 6]);
    const dense = cpu.thresholdBackward!(g, x, 0, [8, 6]).dataSync() as Float32Array;
    const viaT = cpu.thresholdBackward!(g.t().contiguous().t(), x.t().contiguous().t(), 0, [8, 6]).dataSync() as Float32Array;
    expectSameBits(dense, viaT);
    const d64 = cpu.thresholdBackward!(g.double(), x.double(), 0, [8, 6]).dataSync();
    expectSameBits(dense, Float32Array.from(d64));
  });

  test('the compiled bias + ReLU epilogue', () => {
    torch.manualSeed(6);
    const y = torch.randn([64, 50]), b = torch.randn([50]);
    const { h, r } = FUSED_KERNELS.biasRelu(y, b);
    const h0 = y.add(b), r0 = torch.relu(h0);
    expectSameBits(h.dataSync() as Float32Array, h0.dataSync() as Float32Array);
    expectSameBits(r.dataSync() as Float32Array, r0.dataSync() as Float32Array);
  });
});
