import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dgemm, sgemm, sgemmBatched, sgemmJs, wasmAvailable } from '../runtime/backends/cpu/wasm/gemm.js';

// ------------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rng = mulberry32(12345);
const randInt = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

function randArray<T extends Float32Array | Float64Array>(ctor: new (n: number) => T, n: number): T {
  const a = new ctor(n);
  for (let i = 0; i < n; i++) a[i] = rng() * 2 - 1;
  return a;
}

interface Case {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  aOff: number;
  bOff: number;
  cOff: number;
  /** extra leading-dimension padding */
  padA: number;
  padB: number;
  padC: number;
  /** fill C with NaN before the call (only meaningful with beta = 0) */
  nanC?: boolean;
}

type GemmFn<T> = (
  transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  A: T, aOff: number, lda: number, B: T, bOff: number, ldb: number,
  beta: number, C: T, cOff: number, ldc: number,
) => void;

/** Runs one case with `fn` and checks it against a float64 reference. Also checks that C outside
 *  the M x N window (offset prefix, row gaps, tail) is untouched. Returns the max scaled error. */
function runCase<T extends Float32Array | Float64Array>(
  ctor: new (n: number) => T, fn: GemmFn<T>, c: Case, rtol: number,
): number {
  const { transA, transB, M, N, K, alpha, beta, aOff, bOff, cOff } = c;
  const aRows = transA ? K : M, aCols = transA ? M : K;
  const bRows = transB ? N : K, bCols = transB ? K : N;
  const lda = aCols + c.padA, ldb = bCols + c.padB, ldc = N + c.padC;
  const A = randArray(ctor, aOff + Math.max(0, aRows * lda) + 3);
  const B = randArray(ctor, bOff + Math.max(0, bRows * ldb) + 3);
  const C = randArray(ctor, cOff + Math.max(0, M * ldc) + 3);
  if (c.nanC) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[cOff + i * ldc + j] = NaN;
  }
  const C0 = Float64Array.from(C);
  fn(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  let maxErr = 0;
  const inside = new Uint8Array(C.length);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, sAbs = 0;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
        const b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
        s += a * b;
        sAbs += Math.abs(a * b);
      }
      const idx = cOff + i * ldc + j;
      inside[idx] = 1;
      const cPrev = beta === 0 ? 0 : beta * C0[idx];
      const ref = alpha * s + cPrev;
      const scale = Math.abs(alpha) * sAbs + Math.abs(cPrev) + 1e-30;
      const err = Math.abs(C[idx] - ref) / scale;
      if (!(err <= rtol)) {
        throw new Error(`mismatch at (${i},${j}) got ${C[idx]} want ${ref} (scaled err ${err}) case ${JSON.stringify(c)}`);
      }
      maxErr = Math.max(maxErr, err);
    }
  }
  for (let t = 0; t < C.length; t++) {
    if (!inside[t] && !Object.is(C[t], C0[t])) {
      throw new Error(`C[${t}] outside the output window was modified (${C0[t]} -> ${C[t]}) case ${JSON.stringify(c)}`);
    }
  }
  return maxErr;
}

const COMBOS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const ODD_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 33, 65, 127];
const RTOL = 1e-5;

function plain(transA: boolean, transB: boolean, M: number, N: number, K: number): Case {
  return { transA, transB, M, N, K, alpha: 1, beta: 0, aOff: 0, bOff: 0, cOff: 0, padA: 0, padB: 0, padC: 0 };
}

function randomCase(): Case {
  const [transA, transB] = pick(COMBOS);
  return {
    transA, transB,
    M: pick(ODD_SIZES), N: pick(ODD_SIZES), K: pick(ODD_SIZES),
    alpha: pick([1, 1, -1, 0.5, 2.25]),
    beta: pick([0, 0, 1, -0.75, 0.5]),
    aOff: pick([0, 0, 1, 7]), bOff: pick([0, 0, 3, 16]), cOff: pick([0, 0, 5]),
    padA: pick([0, 0, 1, 9]), padB: pick([0, 0, 2, 31]), padC: pick([0, 0, 1, 4]),
  };
}

const RANDOM_CASES = Array.from({ length: 250 }, randomCase);

const MNIST_CASES: Case[] = [
  plain(false, true, 64, 50, 784), // x[64,784] @ W1^T, W1 = [50,784]
  plain(true, false, 50, 784, 64), // gradOut^T[50,64] @ x[64,784]
  plain(false, false, 64, 784, 50), // gradOut[64,50] @ W1[50,784]
  plain(false, true, 64, 10, 50),
  plain(true, false, 10, 50, 64),
  plain(false, false, 64, 50, 10),
  plain(false, false, 64, 10, 50),
  { ...plain(false, true, 64, 50, 784), beta: 1 }, // gradient accumulation
];

// ------------------------------------------------------------------------------------------------
// sgemm (wasm SIMD path)
// ------------------------------------------------------------------------------------------------

describe('sgemm', () => {
  it('uses the WebAssembly SIMD kernel in Node', () => {
    expect(wasmAvailable).toBe(true);
  });

  it('all transpose combos, square odd sizes', () => {
    for (const [ta, tb] of COMBOS) for (const s of ODD_SIZES) runCase(Float32Array, sgemm, plain(ta, tb, s, s, s), RTOL);
  });

  it('all transpose combos, rectangular sizes 1..17 x 33 x 65', () => {
    for (const [ta, tb] of COMBOS) {
      for (let m = 1; m <= 17; m += 2) {
        runCase(Float32Array, sgemm, plain(ta, tb, m, 33, 65), RTOL);
        runCase(Float32Array, sgemm, plain(ta, tb, 65, m, 33), RTOL);
        runCase(Float32Array, sgemm, plain(ta, tb, 33, 65, m), RTOL);
      }
    }
  });

  it('random sizes, offsets, leading dimensions, alpha/beta', () => {
    for (const c of RANDOM_CASES) runCase(Float32Array, sgemm, c, RTOL);
  });

  it('beta = 0 ignores NaN in C', () => {
    for (const [ta, tb] of COMBOS) {
      for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [17, 33, 9], [64, 50, 784]]) {
        runCase(Float32Array, sgemm, { ...plain(ta, tb, m, n, k), nanC: true, padC: 3, cOff: 2 }, RTOL);
      }
    }
  });

  it('K = 0 gives C = beta * C (beta = 0 clears NaN)', () => {
    for (const beta of [0, 1, -2]) {
      runCase(Float32Array, sgemm, { ...plain(false, false, 5, 7, 0), beta, padC: 2, cOff: 1 }, 0);
      runCase(Float32Array, sgemm, { ...plain(true, true, 3, 3, 0), beta, nanC: beta === 0 }, 0);
    }
  });

  it('alpha = 0 gives C = beta * C', () => {
    runCase(Float32Array, sgemm, { ...plain(false, false, 9, 6, 4), alpha: 0, beta: 0.5 }, 0);
  });

  it('M = 0 or N = 0 is a no-op', () => {
    const C = new Float32Array([1, 2, 3]);
    sgemm(false, false, 0, 3, 4, 1, new Float32Array(0), 0, 4, new Float32Array(12), 0, 3, 0, C, 0, 3);
    sgemm(false, false, 1, 0, 4, 1, new Float32Array(4), 0, 4, new Float32Array(0), 0, 0, 0, C, 0, 3);
    expect(Array.from(C)).toEqual([1, 2, 3]);
  });

  it('MNIST MLP shapes', () => {
    for (const c of MNIST_CASES) runCase(Float32Array, sgemm, c, RTOL);
  });

  it('multiple K / M / N blocks (K > KC, M > MC, N > NC) with beta != 0', () => {
    for (const [ta, tb] of COMBOS) {
      runCase(Float32Array, sgemm, { ...plain(ta, tb, 131, 37, 777), beta: 0.5, alpha: -1 }, RTOL);
      runCase(Float32Array, sgemm, { ...plain(ta, tb, 300, 19, 40), beta: 1 }, RTOL);
    }
    runCase(Float32Array, sgemm, { ...plain(false, true, 5, 2100, 33), beta: -1 }, RTOL);
  });

  it('very large leading dimensions (compact copy path)', () => {
    for (const [ta, tb] of COMBOS) {
      runCase(Float32Array, sgemm, { ...plain(ta, tb, 7, 9, 11), padA: 3000, padB: 2500, padC: 4000, beta: 0.5 }, RTOL);
      runCase(Float32Array, sgemm, { ...plain(ta, tb, 7, 9, 11), padA: 3000, padB: 2500, padC: 4000, nanC: true }, RTOL);
    }
  });

  it('stays correct when wasm memory grows between calls', () => {
    runCase(Float32Array, sgemm, plain(false, false, 8, 8, 8), RTOL);
    runCase(Float32Array, sgemm, plain(true, false, 400, 300, 350), RTOL);
    runCase(Float32Array, sgemm, plain(false, true, 8, 8, 8), RTOL);
  });

  it('rejects bad sizes', () => {
    const X = new Float32Array(4);
    expect(() => sgemm(false, false, -1, 1, 1, 1, X, 0, 1, X, 0, 1, 0, X, 0, 1)).toThrow(RangeError);
    expect(() => sgemm(false, false, 1.5, 1, 1, 1, X, 0, 1, X, 0, 1, 0, X, 0, 1)).toThrow(RangeError);
    // operands that do not fit their arrays
    expect(() => sgemm(false, false, 2, 2, 2, 1, X, 1, 2, X, 0, 2, 0, X, 0, 2)).toThrow(RangeError);
    expect(() => sgemm(true, false, 2, 2, 3, 1, X, 0, 2, new Float32Array(6), 0, 2, 0, X, 0, 2)).toThrow(RangeError);
    expect(() => sgemm(false, false, 2, 2, 2, 1, X, 0, 2, X, 0, 2, 0, X, 0, 3)).toThrow(RangeError);
    expect(() => sgemmBatched(2, false, false, 2, 2, 2, X, 0, 4, 2, X, 0, 0, 2, new Float32Array(7), 0, 4, 2)).toThrow(RangeError);
  });
});

// ------------------------------------------------------------------------------------------------
// sgemmBatched
// ------------------------------------------------------------------------------------------------

describe('sgemmBatched', () => {
  function checkBatched(batch: number, transA: boolean, transB: boolean, M: number, N: number, K: number,
    bcastA: boolean, bcastB: boolean, pad: number): void {
    const lda = (transA ? M : K) + pad, ldb = (transB ? K : N) + pad, ldc = N + pad;
    const aSize = (transA ? K : M) * lda, bSize = (transB ? N : K) * ldb, cSize = M * ldc;
    const strideA = bcastA ? 0 : aSize + 5, strideB = bcastB ? 0 : bSize + 3, strideC = cSize + 2;
    const aOff = 2, bOff = 1, cOff = 4;
    const A = randArray(Float32Array, aOff + (bcastA ? 1 : batch) * (aSize + 5));
    const B = randArray(Float32Array, bOff + (bcastB ? 1 : batch) * (bSize + 3));
    const C = new Float32Array(cOff + batch * strideC).fill(NaN);
    sgemmBatched(batch, transA, transB, M, N, K, A, aOff, strideA, lda, B, bOff, strideB, ldb, C, cOff, strideC, ldc);
    for (let b = 0; b < batch; b++) {
      const Cref = new Float32Array(M * ldc).fill(NaN);
      dgemmF32(transA, transB, M, N, K, A, aOff + b * strideA, lda, B, bOff + b * strideB, ldb, Cref, ldc);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          const got = C[cOff + b * strideC + i * ldc + j];
          const want = Cref[i * ldc + j];
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * (K + 1));
        }
      }
    }
  }
  /** float64 reference via dgemm */
  function dgemmF32(transA: boolean, transB: boolean, M: number, N: number, K: number,
    A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number, C: Float32Array, ldc: number): void {
    const C64 = new Float64Array(C.length);
    dgemm(transA, transB, M, N, K, 1, Float64Array.from(A), aOff, lda, Float64Array.from(B), bOff, ldb, 0, C64, 0, ldc);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[i * ldc + j] = C64[i * ldc + j];
  }

  it('independent items, all transpose combos', () => {
    for (const [ta, tb] of COMBOS) checkBatched(3, ta, tb, 13, 17, 9, false, false, 0);
  });
  it('broadcast A (stride 0)', () => {
    for (const [ta, tb] of COMBOS) checkBatched(4, ta, tb, 7, 33, 20, true, false, 1);
  });
  it('broadcast B (stride 0)', () => {
    for (const [ta, tb] of COMBOS) checkBatched(4, ta, tb, 33, 5, 18, false, true, 2);
  });
  it('K = 0 and batch = 0', () => {
    checkBatched(2, false, false, 3, 4, 0, false, false, 0);
    const C = new Float32Array([7]);
    sgemmBatched(0, false, false, 1, 1, 1, new Float32Array(1), 0, 1, 1, new Float32Array(1), 0, 1, 1, C, 0, 1, 1);
    expect(C[0]).toBe(7);
  });
});

// ------------------------------------------------------------------------------------------------
// JS paths: sgemmJs (fallback when wasm SIMD is unavailable) and dgemm
// ------------------------------------------------------------------------------------------------

describe('sgemmJs (fallback kernel)', () => {
  it('random cases', () => {
    for (const c of RANDOM_CASES.slice(0, 120)) runCase(Float32Array, sgemmJs, c, RTOL);
  });
  it('K > block size, NaN with beta = 0, MNIST forward', () => {
    runCase(Float32Array, sgemmJs, { ...plain(true, true, 9, 11, 600), beta: 0.25 }, RTOL);
    runCase(Float32Array, sgemmJs, { ...plain(false, true, 64, 50, 784), nanC: true }, RTOL);
  });
});

describe('sgemm without WebAssembly SIMD', () => {
  it('falls back to the JS kernel (TORCHBRIDGE_NO_WASM_GEMM=1)', () => {
    const gemmUrl = new URL('../runtime/backends/cpu/wasm/gemm.ts', import.meta.url).href;
    const script = `
      const { sgemm, dgemm, wasmAvailable } = await import(${JSON.stringify(gemmUrl)});
      const M = 37, N = 21, K = 300;
      const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
      const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i));
      const C = new Float32Array(M * N).fill(NaN);
      sgemm(false, true, M, N, K, 1, A, 0, K, B, 0, K, 0, C, 0, N);
      const R = new Float64Array(M * N);
      dgemm(false, true, M, N, K, 1, Float64Array.from(A), 0, K, Float64Array.from(B), 0, K, 0, R, 0, N);
      let err = 0;
      for (let i = 0; i < M * N; i++) err = Math.max(err, Math.abs(C[i] - R[i]));
      console.log(JSON.stringify({ wasmAvailable, err }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, TORCHBRIDGE_NO_WASM_GEMM: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.wasmAvailable).toBe(false);
    expect(out.err).toBeLessThan(1e-4);
  }, 60_000);
});

describe('dgemm', () => {
  it('random cases (float64 accuracy)', () => {
    for (const c of RANDOM_CASES) runCase(Float64Array, dgemm, c, 1e-12);
  });
  it('beta = 0 ignores NaN, K = 0, multiple K blocks', () => {
    for (const [ta, tb] of COMBOS) {
      runCase(Float64Array, dgemm, { ...plain(ta, tb, 6, 5, 7), nanC: true }, 1e-12);
      runCase(Float64Array, dgemm, { ...plain(ta, tb, 6, 5, 0), beta: -3 }, 0);
      runCase(Float64Array, dgemm, { ...plain(ta, tb, 5, 6, 700), beta: 2 }, 1e-12);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// build reproducibility
// ------------------------------------------------------------------------------------------------

describe('gemm.wasm build', () => {
  it('the committed .wasm files equal a fresh build of build.ts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-build-'));
    try {
      const buildTs = fileURLToPath(new URL('../runtime/backends/cpu/wasm/build.ts', import.meta.url));
      const r = spawnSync(process.execPath, ['--import', 'tsx', buildTs, '--out-dir', dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      for (const name of ['gemm.wasm', 'optim.wasm', 'convert.wasm', 'linear.wasm']) {
        const committed = readFileSync(new URL(`../runtime/backends/cpu/wasm/${name}`, import.meta.url));
        expect(Buffer.compare(readFileSync(join(dir, name)), committed), `${name} differs from a fresh build: run npm run build:wasm and commit it`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
