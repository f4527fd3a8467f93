/**
 * `torchbridge serve` end to end on loopback: the tfjs-trained MLP and NHWC CNN (model.json exported on start,
 * and an .onnx file) answer TF Serving REST requests with tfjs's predictions; bad requests get a 4xx JSON error and
 * the server keeps serving; a bounded load test; the CLI itself started on port 0 and stopped with SIGINT.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import * as torch from '../../runtime/torch.js';
import { io, onnx } from '../../runtime/index.js';
import { maxAbsDiff, randomInput } from '../support/tfjs_models.js';
import { predictTf, trainedCnn, trainedMlp, type TrainedModel } from '../support/tfjs_trained.js';
import { loadServable } from '../../cli/serve/model.js';
import { startServer, type RunningServer } from '../../cli/serve/server.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let root: string;
let mlp: TrainedModel;
let cnn: TrainedModel;
let mlpServer: RunningServer;
let cnnServer: RunningServer;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'tb-serve-'));
  mlp = await trainedMlp(join(root, 'mlp'));
  cnn = await trainedCnn(join(root, 'cnn'));
  // The MLP served from its model.json (exported on load), the CNN from an .onnx file.
  mlpServer = await startServer(await loadServable(mlp.path), { name: 'mlp', port: 0, maxBodyBytes: 64 * 1024 });
  const cnnOnnx = join(root, 'cnn.onnx');
  onnx.export(await io.loadLayersModel(cnn.path), [torch.zeros([2, ...cnn.rowShape])], cnnOnnx);
  cnnServer = await startServer(await loadServable(cnnOnnx), { name: 'cnn', port: 0 });
});
afterAll(async () => {
  await mlpServer?.close();
  await cnnServer?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Reply { status: number; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(base: string, method: string, path: string, body?: string): Promise<Reply> {
  const res = await fetch(`${base}${path}`, { method, body, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

/** Rows of one example each, as nested lists, and tfjs's predictions for them. */
function examples(t: TrainedModel, n: number, seed: number): { rows: unknown[]; want: Float32Array; shape: number[] } {
  const shape = [n, ...t.rowShape];
  const x = randomInput(shape, seed);
  const rows = torch.tensor(x, { shape }).toArray() as unknown[];
  const want = predictTf(t.model, x, shape);
  return { rows, want: want.data, shape: want.shape };
}

/** The name a Keras signature gives a Sequential's input: '<first layer>_input' (what named-row clients send). */
function kerasInputName(t: TrainedModel): string {
  return `${JSON.parse(readFileSync(t.path, 'utf8')).modelTopology.config.layers[0].config.name}_input`;
}

describe.each([
  ['mlp', () => mlpServer, () => mlp, () => kerasInputName(mlp)],
  ['cnn', () => cnnServer, () => cnn, () => 'input'],
])('serve %s', (name, server, model, inputName) => {
  it('GET /v1/models/<name> reports the model AVAILABLE, as TF Serving does', async () => {
    const r = await call(server().url, 'GET', `/v1/models/${name}`);
    expect(r).toEqual({ status: 200, body: { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] } });
  });

  it('GET /v1/models/<name>/metadata gives the signature with dtypes and shapes (-1: the batch)', async () => {
    const r = await call(server().url, 'GET', `/v1/models/${name}/metadata`);
    expect(r.status).toBe(200);
    const sig = r.body.metadata.signature_def.signature_def.serving_default;
    expect(Object.keys(sig.inputs)).toEqual([inputName()]);
    expect(sig.inputs[inputName()].dtype).toBe('DT_FLOAT');
    expect(sig.inputs[inputName()].tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', ...model().rowShape.map(String)]);
    expect(Object.keys(sig.outputs)).toHaveLength(1);
  });

  it('POST :predict, row format: predictions are what tfjs predicts (< 1e-5)', async () => {
    const { rows, want, shape } = examples(model(), 3, 41);
    const r = await call(server().url, 'POST', `/v1/models/${name}:predict`, JSON.stringify({ instances: rows }));
    expect(r.status).toBe(200);
    const got = torch.tensor(r.body.predictions);
    expect(got.shape).toEqual(shape);
    expect(maxAbsDiff(got.dataSync(), want)).toBeLessThan(1e-5);
  });

  it('POST :predict, columnar format (and the /versions/1 path): outputs are what tfjs predicts', async () => {
    const { rows, want } = examples(model(), 2, 43);
    const r = await call(server().url, 'POST', `/v1/models/${name}/versions/1:predict`, JSON.stringify({ inputs: { [inputName()]: rows } }));
    expect(r.status).toBe(200);
    expect(maxAbsDiff(torch.tensor(r.body.outputs).dataSync(), want)).toBeLessThan(1e-5);
  });

  it('POST :predict, row format with named instances ({"<input>": row})', async () => {
    const { rows, want } = examples(model(), 2, 45);
    const r = await call(server().url, 'POST', `/v1/models/${name}:predict`, JSON.stringify({ instances: rows.map((row) => ({ [inputName()]: row })) }));
    expect(r.status).toBe(200);
    expect(maxAbsDiff(torch.tensor(r.body.predictions).dataSync(), want)).toBeLessThan(1e-5);
  });
});

describe('bad requests get a 4xx JSON error and the server keeps serving', () => {
  const rowMlp = () => examples(mlp, 1, 7).rows;
  it.each([
    ['bad JSON', 'POST', '/v1/models/mlp:predict', '{"instances": [1, 2', 400, /not valid JSON/],
    ['neither instances nor inputs', 'POST', '/v1/models/mlp:predict', '{"foo": 1}', 400, /"instances" \(row format\) or "inputs"/],
    ['a wrong row shape', 'POST', '/v1/models/mlp:predict', '{"instances": [[1, 2, 3]]}', 400, /shape \[1, 3\], but the model takes \[N, 10\]/],
    ['ragged rows', 'POST', '/v1/models/mlp:predict', JSON.stringify({ instances: [[1, 2], [3]] }), 400, /not rectangular/],
    ['a string value', 'POST', '/v1/models/mlp:predict', JSON.stringify({ instances: [Array(10).fill('a')] }), 400, /must be a finite number, got "a"/],
    ['an empty instances list', 'POST', '/v1/models/mlp:predict', '{"instances": []}', 400, /non-empty list/],
    ['an unknown input name', 'POST', '/v1/models/mlp:predict', JSON.stringify({ inputs: { pixels: [[1]] } }), 400, /"pixels", which is not an input/],
    ['an unknown model', 'POST', '/v1/models/resnet:predict', '{"instances": [[1]]}', 404, /Servable not found for request: Latest\(resnet\)/],
    ['an unknown version', 'GET', '/v1/models/mlp/versions/7', undefined, 404, /Specific\(mlp, 7\)/],
    ['an unknown path', 'GET', '/v2/whatever', undefined, 404, /no such endpoint/],
    ['GET :predict', 'GET', '/v1/models/mlp:predict', undefined, 405, /POST a JSON body/],
  ])('%s', async (_, method, path, body, status, message) => {
    const r = await call(mlpServer.url, method, path, body);
    expect(r.status).toBe(status);
    expect(r.body.error).toMatch(message);
    // Still serving.
    const ok = await call(mlpServer.url, 'POST', '/v1/models/mlp:predict', JSON.stringify({ instances: rowMlp() }));
    expect(ok.status).toBe(200);
  });

  it('an oversize body gets 413 with a message (declared, and streamed without a length)', async () => {
    const big = JSON.stringify({ instances: Array.from({ length: 2000 }, () => Array(10).fill(0.5)) });
    expect(big.length).toBeGreaterThan(64 * 1024);
    const r = await call(mlpServer.url, 'POST', '/v1/models/mlp:predict', big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/larger than the limit of 65536 bytes/);
    // Chunked upload: no Content-Length, the limit is found while reading.
    const chunked = await new Promise<Reply>((resolve, reject) => {
      const u = new URL(`${mlpServer.url}/v1/models/mlp:predict`);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(i * 10_000, (i + 1) * 10_000));
      req.end();
    });
    expect(chunked.status).toBe(413);
    const ok = await call(mlpServer.url, 'POST', '/v1/models/mlp:predict', JSON.stringify({ instances: rowMlp() }));
    expect(ok.status).toBe(200);
  });
});

it('a bounded load test: 200 requests, 8 at a time, every answer correct', async () => {
  const cases = Array.from({ length: 20 }, (_, i) => examples(mlp, 1 + (i % 4), 100 + i));
  let next = 0;
  let correct = 0;
  const worker = async () => {
    while (next < 200) {
      const c = cases[next++ % cases.length];
      const r = await call(mlpServer.url, 'POST', '/v1/models/mlp:predict', JSON.stringify({ instances: c.rows }));
      if (r.status === 200 && maxAbsDiff(torch.tensor(r.body.predictions).dataSync(), c.want) < 1e-5) correct++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  expect(correct).toBe(200);
});

it('the CLI serves a model.json on port 0, answers a predict, and stops cleanly on SIGINT', async () => {
  const child = spawn(process.execPath, [join(repo, 'cli/bin.mjs'), 'serve', cnn.path, '--port', '0', '--name', 'cnn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /at (http:\/\/[^/\s]+)\/v1\/models\/cnn/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${out}${err}`)));
    });
    expect(out).toMatch(new RegExp(`inputs: {2}${kerasInputName(cnn)} float32\\[N, 9, 8, 3\\]`));
    const { rows, want } = examples(cnn, 2, 77);
    const r = await call(url, 'POST', '/v1/models/cnn:predict', JSON.stringify({ instances: rows }));
    expect(r.status).toBe(200);
    expect(maxAbsDiff(torch.tensor(r.body.predictions).dataSync(), want)).toBeLessThan(1e-5);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGINT, finishing requests in flight and stopping/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 60_000);
