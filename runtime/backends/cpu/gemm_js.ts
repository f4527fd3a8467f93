/**
 * Plain-JS GEMM, row-major: C = op(A) @ op(B) (+ C when accumulate). Used for float64 and as the fallback when
 * the WebAssembly kernel is unavailable. i-k-j order so the inner loop streams rows of B and C.
 */
import type { TypedArray } from '../../dtype.js';

export function gemmJs(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: TypedArray, aOff: number, lda: number, B: TypedArray, bOff: number, ldb: number,
  C: TypedArray, cOff: number, ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * ldc;
    for (let j = 0; j < N; j++) C[ci + j] = 0;
    for (let k = 0; k < K; k++) {
      const a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
      if (!transB) {
        const bk = bOff + k * ldb;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      } else {
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bOff + j * ldb + k];
      }
    }
  }
}
