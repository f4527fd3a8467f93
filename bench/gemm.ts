/**
 * SGEMM benchmark: our wasm-SIMD sgemm (and its JS fallback) vs tfjs tf.matMul on the `cpu` and
 * `wasm` backends. Single-threaded on our side; tfjs-wasm reports whether it runs multithreaded.
 *
 *   npx tsx bench/gemm.ts [--quick] [--rounds N]
 *
 * Timing: every (shape, implementation) pair is measured in several rounds that are interleaved
 * over all shapes and implementations (so a burst of other load on the machine does not hit one
 * column only). Each round warms up first, then takes samples that each time enough calls to last
 * >= ~5 ms. Reported: median over all samples, and the best sample.
 *
 * Our sgemm timings include copying A/B into wasm memory and C back out (the interface takes JS
 * Float32Arrays); tfjs timings are tf.matMul + dispose on tensors already resident in the backend
 * (no upload, no readback).
 */
import { cpus, loadavg } from 'node:os';
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
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 1 : 3;

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

type Impl = 'ours' | 'js' | 'tfcpu' | 'tfwasm';
const IMPLS: Impl[] = ['ours', 'js', 'tfcpu', 'tfwasm'];

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** appends per-call seconds of `fn` (one entry per sample) to `out` */
function sample(fn: () => void, samples: number, out: number[]): void {
  // warm-up: at least 3 calls and ~100 ms (lets V8 tier up the wasm / JS code)
  let calls = 0;
  const w0 = performance.now();
  while (calls < 3 || (performance.now() - w0 < (quick ? 40 : 100) && calls < 10000)) {
    fn();
    calls++;
  }
  const perCall = (performance.now() - w0) / calls / 1000;
  const inner = Math.max(1, Math.ceil(0.005 / perCall));
  const n = perCall > 0.2 ? 1 : samples;
  for (let s = 0; s < n; s++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    out.push((performance.now() - t0) / 1000 / inner);
  }
}

async function measure(impl: Impl, s: Shape, A: Float32Array, B: Float32Array, C: Float32Array, samples: number,
  out: number[]): Promise<void> {
  const lda = s.transA ? s.M : s.K;
  const ldb = s.transB ? s.K : s.N;
  if (impl === 'ours') {
    sample(() => sgemm(s.transA, s.transB, s.M, s.N, s.K, 1, A, 0, lda, B, 0, ldb, 0, C, 0, s.N), samples, out);
  } else if (impl === 'js') {
    sample(() => sgemmJs(s.transA, s.transB, s.M, s.N, s.K, 1, A, 0, lda, B, 0, ldb, 0, C, 0, s.N), samples, out);
  } else {
    await tf.setBackend(impl === 'tfcpu' ? 'cpu' : 'wasm');
    await tf.ready();
    const a = tf.tensor2d(A, s.transA ? [s.K, s.M] : [s.M, s.K]);
    const b = tf.tensor2d(B, s.transB ? [s.N, s.K] : [s.K, s.N]);
    sample(() => tf.matMul(a, b, s.transA, s.transB).dispose(), samples, out);
    a.dispose();
    b.dispose();
  }
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const t = [...xs].sort((a, b) => a - b);
  const m = t.length >> 1;
  return t.length % 2 ? t[m] : (t[m - 1] + t[m]) / 2;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const env = tf.env();
  const simd = await env.getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  console.log(`node ${process.version}, tfjs ${tf.version.tfjs}, ours: wasmAvailable=${wasmAvailable}, ` +
    `tfjs-wasm SIMD=${simd} multithread=${mt}, rounds=${ROUNDS}`);
  const load0 = loadavg()[0];

  const data = SHAPES.map((s) => ({ A: rand(s.M * s.K), B: rand(s.K * s.N), C: new Float32Array(s.M * s.N) }));
  const times = SHAPES.map(() => ({ ours: [], js: [], tfcpu: [], tfwasm: [] }) as Record<Impl, number[]>);
  const perRound = Math.max(3, Math.ceil((quick ? 5 : 12) / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (let si = 0; si < SHAPES.length; si++) {
      const s = SHAPES[si];
      const big = s.M * s.N * s.K > 1e8;
      for (const impl of IMPLS) {
        // the slow JS implementations at 1024^3 take ~0.5-3 s per call: one round only
        if (big && (impl === 'js' || impl === 'tfcpu') && (quick || round > 0)) continue;
        await measure(impl, s, data[si].A, data[si].B, data[si].C, perRound, times[si][impl]);
      }
    }
    console.error(`round ${round + 1}/${ROUNDS} done`);
  }

  const header = [
    '| shape (M×N×K, op) | ours wasm | ours JS fallback | tfjs cpu | tfjs wasm | ours / tfjs-wasm |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const medRows = [...header];
  const bestRows = [...header];
  SHAPES.forEach((s, si) => {
    const t = times[si];
    const gf = (sec: number) => (2 * s.M * s.N * s.K) / sec / 1e9;
    const f = (sec: number) => (Number.isNaN(sec) ? '–' : gf(sec).toFixed(1));
    const op = `${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}`;
    const label = `${s.M}×${s.N}×${s.K} ${op} (${s.name})`;
    const med = (i: Impl) => median(t[i]);
    const best = (i: Impl) => (t[i].length ? Math.min(...t[i]) : NaN);
    medRows.push(`| ${label} | ${f(med('ours'))} | ${f(med('js'))} | ${f(med('tfcpu'))} | ${f(med('tfwasm'))} | ${(med('tfwasm') / med('ours')).toFixed(2)}× |`);
    bestRows.push(`| ${label} | ${f(best('ours'))} | ${f(best('js'))} | ${f(best('tfcpu'))} | ${f(best('tfwasm'))} | ${(best('tfwasm') / best('ours')).toFixed(2)}× |`);
  });
  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}; 1-min load average ${load0.toFixed(2)} at start, ` +
    `${loadavg()[0].toFixed(2)} at end (other processes compete for the cores when this is > ~1)`);
  console.log('');
  console.log('GFLOP/s, median over all samples (higher is better); op = transA/transB (N = as stored, T = transposed)');
  console.log('');
  console.log(medRows.join('\n'));
  console.log('');
  console.log('GFLOP/s, best sample (less sensitive to other load on the machine)');
  console.log('');
  console.log(bestRows.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
