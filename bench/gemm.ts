/**
 * SGEMM benchmark: our wasm-SIMD sgemm (and its JS fallback) vs tfjs tf.matMul on the `cpu` and
 * `wasm` backends. Single-threaded on our side.
 *
 *   npx tsx bench/gemm.ts [--quick]
 *
 * Timing: warm-up first, then the median over several samples; each sample times enough calls to
 * last >= ~5 ms. Our sgemm timings include copying A/B into wasm memory and C back out (the
 * interface takes JS Float32Arrays); tfjs timings are tf.matMul + dispose on tensors already
 * resident in the backend (no upload, no readback).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { sgemm, sgemmJs, wasmAvailable } from '../runtime/backends/cpu/wasm/gemm.js';

interface Shape {
  name: string;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
}

const quick = process.argv.includes('--quick');

const SHAPES: Shape[] = [
  { name: 'MLP fwd x@W1^T', M: 64, N: 50, K: 784, transA: false, transB: true },
  { name: 'MLP dW1 g^T@x', M: 50, N: 784, K: 64, transA: true, transB: false },
  { name: 'MLP dx g@W1', M: 64, N: 784, K: 50, transA: false, transB: false },
  { name: 'MLP fwd h@W2^T', M: 64, N: 10, K: 50, transA: false, transB: true },
  { name: 'MLP dW2 g^T@h', M: 10, N: 50, K: 64, transA: true, transB: false },
  { name: 'MLP dh g@W2', M: 64, N: 50, K: 10, transA: false, transB: false },
  { name: 'square', M: 256, N: 256, K: 256, transA: false, transB: false },
  { name: 'square', M: 1024, N: 1024, K: 1024, transA: false, transB: false },
];

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** median seconds per call of fn */
function timeIt(fn: () => void, flops: number): number {
  // warm-up: at least 3 calls and ~150 ms (lets V8 tier up the wasm / JS code)
  let calls = 0;
  const w0 = performance.now();
  while (calls < 3 || (performance.now() - w0 < (quick ? 50 : 150) && calls < 10000)) {
    fn();
    calls++;
  }
  const perCall = (performance.now() - w0) / calls / 1000;
  const inner = Math.max(1, Math.ceil(0.005 / perCall));
  const samples = perCall > 0.2 ? 3 : quick ? 5 : 11;
  const t: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    t.push((performance.now() - t0) / 1000 / inner);
  }
  t.sort((a, b) => a - b);
  void flops;
  return t[t.length >> 1];
}

function gflops(s: Shape, sec: number): number {
  return (2 * s.M * s.N * s.K) / sec / 1e9;
}

async function tfjsTime(backend: string, s: Shape, A: Float32Array, B: Float32Array): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  const a = tf.tensor2d(A, s.transA ? [s.K, s.M] : [s.M, s.K]);
  const b = tf.tensor2d(B, s.transB ? [s.N, s.K] : [s.K, s.N]);
  const sec = timeIt(() => {
    tf.matMul(a, b, s.transA, s.transB).dispose();
  }, 2 * s.M * s.N * s.K);
  a.dispose();
  b.dispose();
  return sec;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const env = tf.env();
  const simd = env.getAsync ? await env.getAsync('WASM_HAS_SIMD_SUPPORT') : undefined;
  const mt = env.getAsync ? await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : undefined;
  console.log(`node ${process.version}, tfjs ${tf.version.tfjs}, ours: wasmAvailable=${wasmAvailable}, ` +
    `tfjs-wasm SIMD=${simd} multithread=${mt}`);
  console.log('');
  const rows: string[] = [];
  rows.push('| shape (M×N×K, op) | ours wasm | ours JS fallback | tfjs cpu | tfjs wasm | ours / tfjs-wasm |');
  rows.push('|---|---:|---:|---:|---:|---:|');
  for (const s of SHAPES) {
    const A = rand(s.M * s.K);
    const B = rand(s.K * s.N);
    const C = new Float32Array(s.M * s.N);
    const lda = s.transA ? s.M : s.K;
    const ldb = s.transB ? s.K : s.N;
    const big = s.M * s.N * s.K > 1e8;
    const ours = timeIt(() => sgemm(s.transA, s.transB, s.M, s.N, s.K, 1, A, 0, lda, B, 0, ldb, 0, C, 0, s.N), 0);
    const js = quick && big ? NaN : timeIt(() => sgemmJs(s.transA, s.transB, s.M, s.N, s.K, 1, A, 0, lda, B, 0, ldb, 0, C, 0, s.N), 0);
    const tcpu = quick && big ? NaN : await tfjsTime('cpu', s, A, B);
    const twasm = await tfjsTime('wasm', s, A, B);
    const op = `${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}`;
    const f = (sec: number) => (Number.isNaN(sec) ? '–' : gflops(s, sec).toFixed(1));
    rows.push(`| ${s.M}×${s.N}×${s.K} ${op} (${s.name}) | ${f(ours)} | ${f(js)} | ${f(tcpu)} | ${f(twasm)} | ${(twasm / ours).toFixed(2)}× |`);
    console.error(`done ${s.M}x${s.N}x${s.K} ${op}: ours ${(ours * 1e6).toFixed(1)} us, tfjs-wasm ${(twasm * 1e6).toFixed(1)} us`);
  }
  console.log('GFLOP/s (median; higher is better); op = transA/transB (N = as stored, T = transposed)');
  console.log('');
  console.log(rows.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
