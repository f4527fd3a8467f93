/**
 * The sparse micro-kernels of gemm.wasm (runtime/backends/cpu/wasm/gen.ts genSparseKernel, genSparseBKernel):
 * skipping A's or B's zero k steps must give the same bits as the dense kernels, on every edge (odd M, N not a
 * multiple of 16, several KC blocks, odd kc for the two-set edge kernel), with −0 and NaN, and with non-finite
 * values on the other side (then nothing is skipped there: 0·inf is NaN).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { sgemm, _setSparse, wasmAvailable } from '../runtime/backends/cpu/wasm/gemm.js';

/** Deterministic values where a fraction `zeros` of A's entries are +0 (MNIST-like), in runs along k. */
function sparseValues(n: number, zeros: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    a[i] = u < zeros ? 0 : (u - zeros) * 4 - 1;
  }
  return a;
}

/** op(B) [K, N] whose k rows are all +0 with probability `zeros` (MNIST's border pixels in the weight gradient). */
function zeroRows(K: number, N: number, zeros: number, seed: number, transB: boolean): Float32Array {
  const b = sparseValues(K * N, 0, seed);
  for (let k = 0; k < K; k++) {
    if (((k * 2654435761 + seed) >>> 0) / 2 ** 32 >= zeros) continue;
    for (let j = 0; j < N; j++) b[transB ? j * K + k : k * N + j] = 0;
  }
  return b;
}

function run(sparse: boolean, tA: boolean, tB: boolean, M: number, N: number, K: number, A: Float32Array, B: Float32Array, beta = 0, C0?: Float32Array): Uint32Array {
  _setSparse(sparse);
  const C = C0 ? C0.slice() : new Float32Array(M * N);
  sgemm(tA, tB, M, N, K, 1, A, 0, tA ? M : K, B, 0, tB ? K : N, beta, C, 0, N);
  return new Uint32Array(C.buffer);
}

afterEach(() => { _setSparse(true); });

/** Indices where two results differ in any bit (toEqual on 39,200 elements takes seconds). */
function differing(a: Uint32Array, b: Uint32Array): number[] {
  expect(a.length).toBe(b.length);
  const d: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d.push(i);
  return d;
}

describe('gemm.wasm: sparse A gives the dense kernels\' bits', () => {
  test('the wasm kernel is in use', () => expect(wasmAvailable).toBe(true));

  test.each([
    // M, N, K, transA, transB
    [64, 50, 784, false, true], // the seed MLP's forward: N = 3·16 + 2 (the two-set edge kernel), 4 KC blocks
    [50, 784, 64, true, false], // its weight gradient
    [7, 33, 257, false, false], // odd M, N with a 1-column edge, kc = 257 → two blocks of 129 (odd kc)
    [3, 12, 5, true, true],
    [130, 20, 300, false, false], // more than one MC block
  ])('%i×%i×%i (transA %s, transB %s)', (M, N, K, tA, tB) => {
    for (const zeros of [0.8, 0.5, 0, 1]) {
      const A = sparseValues(M * K, zeros, M + N + K), B = sparseValues(K * N, 0, 7);
      expect(differing(run(true, tA, tB, M, N, K, A, B), run(false, tA, tB, M, N, K, A, B))).toEqual([]);
      // beta = 1 (accumulating into C) as well
      const C0 = sparseValues(M * N, 0, 9);
      expect(differing(run(true, tA, tB, M, N, K, A, B, 1, C0), run(false, tA, tB, M, N, K, A, B, 1, C0))).toEqual([]);
    }
  });

  test.each([
    [50, 784, 64, true, false],
    [9, 40, 300, false, false],
    [4, 17, 33, false, true],
  ])('zero rows of B: %i×%i×%i (transA %s, transB %s)', (M, N, K, tA, tB) => {
    for (const [za, zb] of [[0, 0.6], [0.5, 0.6], [0, 1], [0.9, 0.3]]) {
      const A = sparseValues(M * K, za, M + K), B = zeroRows(K, N, zb, N, tB);
      expect(differing(run(true, tA, tB, M, N, K, A, B), run(false, tA, tB, M, N, K, A, B))).toEqual([]);
    }
  });

  test('zero rows of B with a NaN or an infinity in A: the NaN products stay', () => {
    const M = 4, N = 32, K = 20;
    const A = sparseValues(M * K, 0, 1), B = zeroRows(K, N, 0.7, 2, false);
    const zeroK = [...Array(K).keys()].find((k) => B.subarray(k * N, (k + 1) * N).every((v) => v === 0))!;
    A[1 * K + zeroK] = Infinity;
    A[2 * K + zeroK] = NaN;
    const dense = run(false, false, false, M, N, K, A, B);
    expect(Number.isNaN(new Float32Array(dense.buffer)[1 * N])).toBe(true);
    expect(differing(run(true, false, false, M, N, K, A, B), dense)).toEqual([]);
  });

  test('−0 and NaN in A, and infinities in B', () => {
    const M = 6, N = 18, K = 40;
    const A = sparseValues(M * K, 0.7, 3), B = sparseValues(K * N, 0, 4);
    A[5] = -0; A[17] = NaN; A[18] = -0;
    expect(run(true, false, false, M, N, K, A, B)).toEqual(run(false, false, false, M, N, K, A, B));
    // an infinity in B where A is zero: the dense product is NaN there, and so must the sparse one be
    const Bi = B.slice();
    Bi[3 * N + 1] = Infinity;
    for (let i = 0; i < M; i++) A[i * K + 3] = 0;
    const dense = new Float32Array(run(false, false, false, M, N, K, A, Bi).buffer);
    expect(Number.isNaN(dense[1])).toBe(true);
    expect(run(true, false, false, M, N, K, A, Bi)).toEqual(new Uint32Array(dense.buffer));
  });
});
