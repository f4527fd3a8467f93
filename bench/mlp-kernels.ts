/**
 * The seed MLP's CPU kernels one by one, on a real shuffled MNIST batch: the two large GEMMs with the sparse
 * micro-kernels on and off (gemm.ts `_setSparse`), the linear.wasm kernels against the JS loops they replace, and
 * the MNIST batch conversion. Medians of per-call times, alternating the variants round by round; the load
 * average is printed with the table (figures: BENCHMARKS.md, "torch.compile"). The JS loops see the same data on
 * every call, so the branch predictor learns part of their pattern: in a training step the data change and they
 * are slower than here.
 *
 *   npx tsx bench/mlp-kernels.ts [--rounds 5] [--calls 400]
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { data } from 'torchbridge';
import { sgemm, _setSparse } from '../runtime/backends/cpu/wasm/gemm.js';
import { biasAddF32, colSumF32, thresholdBackwardF32 } from '../runtime/backends/cpu/wasm/linear.js';

const { values: a } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, calls: { type: 'string', default: '400' } } });
const rounds = Number(a.rounds), calls = Number(a.calls);

const train = new data.MNIST({ train: true });
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const ids = Int32Array.from({ length: 64 }, () => Math.floor(rand() * train.length));
const X = train.getItems(ids)[0].dataSync() as Float32Array; // [64, 784]
const W1 = Float32Array.from({ length: 50 * 784 }, () => (rand() - 0.5) * 0.07);
const H = Float32Array.from({ length: 64 * 50 }, () => rand() - 0.5); // pre-activations: ~half positive
const G = Float32Array.from({ length: 64 * 50 }, () => rand() - 0.5);
const dH = G.map((g, i) => (H[i] > 0 ? g : 0)); // ReLU's gradient
const b1 = Float32Array.from({ length: 50 }, () => rand() - 0.5);
const out = new Float32Array(50 * 784), h = new Float32Array(64 * 50), r = new Float32Array(64 * 50), cs = new Float32Array(50);

const cases: [string, () => void][] = [
  ['forward GEMM x·W1ᵀ 64×784×50, sparse', () => { _setSparse(true); sgemm(false, true, 64, 50, 784, 1, X, 0, 784, W1, 0, 784, 0, out, 0, 50); }],
  ['forward GEMM, dense kernels', () => { _setSparse(false); sgemm(false, true, 64, 50, 784, 1, X, 0, 784, W1, 0, 784, 0, out, 0, 50); }],
  ['weight gradient dHᵀ·x 50×64×784, sparse', () => { _setSparse(true); sgemm(true, false, 50, 784, 64, 1, dH, 0, 50, X, 0, 784, 0, out, 0, 784); }],
  ['weight gradient, dense kernels', () => { _setSparse(false); sgemm(true, false, 50, 784, 64, 1, dH, 0, 50, X, 0, 784, 0, out, 0, 784); }],
  ['ReLU backward [64, 50], wasm', () => { thresholdBackwardF32(G, H, h, 0); }],
  ['ReLU backward, JS loop', () => { for (let i = 0; i < 3200; i++) h[i] = H[i] > 0 ? G[i] : 0; }],
  ['bias + ReLU [64, 50], wasm', () => { biasAddF32(H, b1, h, r, 64, 50); }],
  ['bias + ReLU, JS loop', () => {
    for (let i = 0, k = 0; i < 64; i++) for (let j = 0; j < 50; j++, k++) { h[k] = H[k] + b1[j]; const x = h[k]; r[k] = x > 0 ? x : x !== x ? x : 0; }
  }],
  ['bias gradient Σ rows [64, 50], wasm', () => { colSumF32(G, 64, 50, cs); }],
  ['bias gradient, JS loop', () => { const acc = new Float64Array(50); for (let i = 0; i < 64; i++) for (let j = 0; j < 50; j++) acc[j] += G[i * 50 + j]; for (let j = 0; j < 50; j++) cs[j] = acc[j]; }],
  ['MNIST batch: gather + uint8 → float32 (64 shuffled images)', () => {
    for (let k = 0; k < 64; k++) ids[k] = Math.floor(rand() * train.length);
    train.getItems(ids).forEach((t) => t.dispose());
  }],
];

const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (let round = 0; round < rounds + 1; round++) {
  for (const [name, fn] of cases) {
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      fn();
      if (round > 0) samples.get(name)!.push(performance.now() - t0); // round 0 warms up
    }
  }
}
_setSparse(true);
const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
console.log(`\nseed MLP kernels, ${rounds} rounds × ${calls} calls, median µs per call, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| kernel | µs |');
console.log('|---|---:|');
for (const [name] of cases) console.log(`| ${name} | ${(med(samples.get(name)!) * 1000).toFixed(1)} |`);
