/**
 * `torchbridge serve` under load (issue 14): throughput and p50/p99 latency at concurrency 1, 8 and 32 for an MNIST
 * MLP and a small NHWC MNIST CNN built with tfjs and saved as model.json, each served by the CLI in its own process
 * (loaded with io.loadLayersModel, exported to ONNX on start, run by onnxruntime-node) and driven over loopback by
 * this process with keep-alive fetch, one example per request (TF Serving's row format). Side by side, the same
 * ONNX model through onnx.load in this process without HTTP, one request at a time: what HTTP + JSON cost.
 *
 *   npx tsx bench/serve.ts [--requests 1000] [--concurrency 1,8,32] [--only mlp,cnn] [--json out.json]
 */
import * as tf from '@tensorflow/tfjs';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { io, onnx, torch } from '../runtime/index.js';

const { values: a } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '1,8,32' },
    only: { type: 'string', default: 'mlp,cnn' },
    json: { type: 'string' },
  },
});
const REQUESTS = Number(a.requests);
const LEVELS = a.concurrency!.split(',').map(Number);
const repo = fileURLToPath(new URL('..', import.meta.url));

interface Model { key: string; label: string; build: () => tf.LayersModel; row: number[] }
const MODELS: Model[] = [
  {
    key: 'mlp', label: 'MNIST MLP 784→50→10 (model.json)', row: [784],
    build: () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ inputShape: [784], units: 50, activation: 'relu' }));
      m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      return m;
    },
  },
  {
    key: 'cnn', label: 'NHWC CNN 28×28×1: conv5×5(8)→pool→conv5×5(16)→pool→dense 10 (model.json)', row: [28, 28, 1],
    build: () => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      return m;
    },
  },
];

async function save(model: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (art) => {
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: art.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }] }));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(art.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

function startCli(path: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(repo, 'cli/bin.mjs'), 'serve', path, '--port', '0', '--name', 'm'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/[^/\s]+)\/v1\/models\/m/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface Row { model: string; mode: string; concurrency: number; requests: number; rps: number; p50: number; p99: number }

async function drive(send: () => Promise<void>, concurrency: number, requests: number): Promise<Omit<Row, 'model' | 'mode'>> {
  const lat: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      const t0 = performance.now();
      await send();
      lat.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - t0) / 1000;
  lat.sort((x, y) => x - y);
  return { concurrency, requests, rps: requests / wall, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const root = mkdtempSync(join(tmpdir(), 'tb-bench-serve-'));
  const rows: Row[] = [];
  try {
    for (const spec of MODELS.filter((m) => a.only!.split(',').includes(m.key))) {
      const path = await save(spec.build(), join(root, spec.key));
      const example = torch.rand([1, ...spec.row]);
      const body = JSON.stringify({ instances: example.toArray() });
      const { child, url } = await startCli(path);
      try {
        const send = async () => {
          const res = await fetch(`${url}/v1/models/m:predict`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
          const text = await res.text();
          if (res.status !== 200) throw new Error(`predict answered ${res.status}: ${text}`);
        };
        await drive(send, 4, 100); // warm-up: connections, ORT's first runs
        for (const c of LEVELS) {
          const r = await drive(send, c, REQUESTS);
          rows.push({ model: spec.label, mode: 'serve (HTTP, JSON)', ...r });
          console.error(`${spec.key} c=${c}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
        }
      } finally {
        child.kill('SIGINT');
        await new Promise((r) => child.once('exit', r));
      }
      // The same graph in process: export as serve does, run through onnx.load one request at a time.
      const module = await io.loadLayersModel(path);
      const session = await onnx.loadBytes(onnx.exportToBytes(module, torch.zeros([2, ...spec.row])));
      const x = torch.tensor(example.dataSync() as Float32Array, { shape: example.shape });
      const direct = () => session.run(x).then((y) => (y as torch.Tensor).dispose());
      await drive(direct, 1, 100);
      const r = await drive(direct, 1, REQUESTS);
      rows.push({ model: spec.label, mode: 'onnx.load run() in process', ...r });
      await session.release();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const cpu = cpus();
  console.log(`Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end; ${REQUESTS} requests per row, one example each.\n`);
  console.log('| model | path | concurrency | req/s | p50 ms | p99 ms |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.model} | ${r.mode} | ${r.concurrency} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`);
  if (a.json) writeFileSync(a.json, JSON.stringify(rows, null, 2));
}

await main();
