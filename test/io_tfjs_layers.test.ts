/**
 * io.loadLayersModel against TensorFlow.js itself: models built with tf.sequential are saved as tfjs's file://
 * saver would (model.json + weights.bin), loaded as modules, and compared with tfjs's predict on the same input.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { maxAbsDiff, randomInput, randomizeWeights } from './support/tfjs_models.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../runtime/torch.js';
import { io, nn } from '../runtime/index.js';

let root: string;
let dirCount = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'tb-layers-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Captured {
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

async function capture(model: tf.LayersModel): Promise<Captured> {
  let out: Captured | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    out = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs!, weightData: a.weightData as ArrayBuffer };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return out!;
}

/** Writes the artifacts as tfjs's file:// handler does; returns the model.json path. */
function writeModel(a: Captured, weightData: ArrayBuffer = a.weightData, specs = a.weightSpecs): string {
  const dir = join(root, `m${dirCount++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const json = {
    modelTopology: a.modelTopology,
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weightData));
  return join(dir, 'model.json');
}

function predictTf(model: tf.LayersModel, x: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(x, shape)) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}

async function loadAndRun(path: string, x: Float32Array, shape: number[]) {
  const m = await io.loadLayersModel(path);
  const y = torch.noGrad(() => m.call(torch.tensor(x, { shape })));
  return { data: y.dataSync() as Float32Array, shape: y.shape };
}

async function expectMatchesTf(model: tf.LayersModel, inputShape: number[], seed = 1): Promise<void> {
  const path = writeModel(await capture(model));
  const x = randomInput(inputShape, seed);
  const want = predictTf(model, x, inputShape);
  const got = await loadAndRun(path, x, inputShape);
  expect(got.shape).toEqual(want.shape);
  expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
  // The outputs must carry information, or a wrong conversion could match by accident.
  expect(Math.max(...Array.from(want.data, Math.abs))).toBeGreaterThan(1e-3);
}

describe('io.loadLayersModel: matches tfjs predict', () => {
  it('an MLP (Dense relu → Dense softmax)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    randomizeWeights(m, 3);
    await expectMatchesTf(m, [4, 6]);
  });

  it('Dense activations (sigmoid, tanh, elu, selu, softplus, linear) and no bias', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 5, activation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 5, activation: 'tanh', useBias: false }));
    m.add(tf.layers.dense({ units: 5, activation: 'elu' }));
    m.add(tf.layers.dense({ units: 5, activation: 'selu' }));
    m.add(tf.layers.dense({ units: 5, activation: 'softplus' }));
    m.add(tf.layers.dense({ units: 2, activation: 'linear' }));
    randomizeWeights(m, 5);
    await expectMatchesTf(m, [3, 4]);
  });

  it('a small NHWC CNN (Conv2D same + relu → MaxPooling2D → Conv2D valid → Flatten → Dense)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [9, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.conv2d({ filters: 5, kernelSize: [2, 3], padding: 'valid' }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 3 }));
    randomizeWeights(m, 7);
    await expectMatchesTf(m, [2, 9, 8, 3]);
  });

  it("strided Conv2D 'same' (asymmetric padding), 'same' pooling, AveragePooling2D, Dropout, Activation softmax on NHWC", async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [8, 7, 2], filters: 3, kernelSize: 4, strides: 2, padding: 'same' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }));
    // Softmax over the channels of a 4-d output: the channel dim is last in tfjs, 1 inside the runtime.
    m.add(tf.layers.activation({ activation: 'softmax' }));
    randomizeWeights(m, 11);
    await expectMatchesTf(m, [2, 8, 7, 2]);
  });

  it('BatchNormalization with non-trivial moving statistics, after a Conv2D and after a Dense', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }));
    m.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 4 }));
    m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
    randomizeWeights(m, 13);
    await expectMatchesTf(m, [3, 6, 6, 2]);
    // Training mode updates the running stats with PyTorch's momentum convention: 1 − tfjs's.
    const loaded = await io.loadLayersModel(writeModel(await capture(m)));
    const bns = loaded.modules().filter((x) => x instanceof nn.BatchNorm2d || x instanceof nn.BatchNorm1d) as nn.BatchNorm1d[];
    expect(bns.map((b) => b.momentum)).toEqual([expect.closeTo(0.01, 9), expect.closeTo(0.1, 9)]);
    expect(bns.map((b) => b.eps)).toEqual([0.01, 1e-3]);
  });

  it('LayerNormalization (tfjs epsilon 1e-3, trained gamma and beta) between Dense layers', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu' }));
    m.add(tf.layers.layerNormalization());
    m.add(tf.layers.dense({ units: 3 }));
    randomizeWeights(m, 11);
    await expectMatchesTf(m, [5, 6]);
  });

  it('Embedding on float32 ids (as tfjs predict is usually given them) → Flatten → Dense', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 5 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2 }));
    randomizeWeights(m, 12);
    const path = writeModel(await capture(m));
    const ids = Float32Array.from({ length: 15 }, (_v, i) => (i * 7) % 20);
    const want = predictTf(m, ids, [3, 5]);
    const got = await loadAndRun(path, ids, [3, 5]);
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(want.data, Math.abs))).toBeGreaterThan(1e-3);
  });

  it('a text classifier: Embedding → GlobalAveragePooling1D → Dense, and GlobalMaxPooling1D after a Dense on steps', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 30, outputDim: 6, inputLength: 7 }));
    m.add(tf.layers.globalAveragePooling1d());
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    randomizeWeights(m, 13);
    const ids = Float32Array.from({ length: 14 }, (_v, i) => (i * 11) % 30);
    const path = writeModel(await capture(m));
    const want = predictTf(m, ids, [2, 7]);
    const got = await loadAndRun(path, ids, [2, 7]);
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
    const n = tf.sequential();
    n.add(tf.layers.dense({ inputShape: [5, 4], units: 3 }));
    n.add(tf.layers.globalMaxPooling1d());
    randomizeWeights(n, 14);
    await expectMatchesTf(n, [2, 5, 4]);
  });

  it('Reshape and GlobalAveragePooling2D', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [12], units: 24 }));
    m.add(tf.layers.reshape({ targetShape: [2, 3, 4] }));
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 1 }));
    m.add(tf.layers.globalAveragePooling2d({}));
    randomizeWeights(m, 17);
    await expectMatchesTf(m, [2, 12]);
  });

  it('the activation layer classes: ReLU (max 6), LeakyReLU (tfjs alpha 0.3), ELU, Softmax on an NHWC map', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 2 }));
    m.add(tf.layers.leakyReLU());
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 2 }));
    m.add(tf.layers.elu());
    m.add(tf.layers.reLU({ maxValue: 6 }));
    m.add(tf.layers.softmax({ axis: -1 }));
    randomizeWeights(m, 41);
    await expectMatchesTf(m, [2, 4, 4, 2]);
  });

  it('a MobileNet-style block: ZeroPadding2D → DepthwiseConv2D (multiplier 2, stride 2) → ReLU6 → 1×1 Conv2D → GlobalMaxPooling2D', async () => {
    const m = tf.sequential();
    m.add(tf.layers.zeroPadding2d({ inputShape: [7, 6, 3], padding: [[1, 0], [0, 2]] }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'valid', activation: 'relu6' }));
    m.add(tf.layers.conv2d({ filters: 4, kernelSize: 1, padding: 'same' }));
    m.add(tf.layers.globalMaxPooling2d({}));
    randomizeWeights(m, 43);
    await expectMatchesTf(m, [2, 7, 6, 3]);
  });

  it('names the children after the tfjs layers and permutes a Sequential CNN only at the layout changes', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, activation: 'relu', name: 'c1' }));
    m.add(tf.layers.batchNormalization({ name: 'bn' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
    m.add(tf.layers.flatten({ name: 'flat' }));
    m.add(tf.layers.dense({ units: 2, name: 'out' }));
    const loaded = await io.loadLayersModel(writeModel(await capture(m)));
    expect(loaded.namedChildren().map(([n]) => n)).toEqual(['to_nchw', 'c1', 'c1_activation', 'bn', 'pool', 'to_nhwc', 'flat', 'out']);
    expect(loaded.training).toBe(false);
  });

  it('accepts a file:// URL, absolute or relative', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 2 }));
    randomizeWeights(m, 19);
    const path = writeModel(await capture(m));
    const x = randomInput([2, 3], 2);
    const want = predictTf(m, x, [2, 3]).data;
    expect(maxAbsDiff((await loadAndRun(pathToFileURL(path).href, x, [2, 3])).data, want)).toBeLessThan(1e-5);
    // tfjs-node also takes a relative 'file://./dir/model.json', resolved against the working directory.
    const relativeUrl = `file://${relative(process.cwd(), path)}`;
    expect(maxAbsDiff((await loadAndRun(relativeUrl, x, [2, 3])).data, want)).toBeLessThan(1e-5);
  });
});

describe('io.loadLayersModel: functional models (tf.model) match tfjs predict', () => {
  it('a residual CNN: Conv2D → Conv2D → Add → BatchNormalization → pool → Flatten → two Dense heads → Concatenate → Dense', async () => {
    const input = tf.input({ shape: [6, 5, 2] });
    const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(c1) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([c1, c2]) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization().apply(sum) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }).apply(bn) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
    const h1 = tf.layers.dense({ units: 3 }).apply(flat) as tf.SymbolicTensor;
    const h2 = tf.layers.dense({ units: 2, activation: 'tanh' }).apply(flat) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([h1, h2]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(joined) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomizeWeights(m, 29);
    await expectMatchesTf(m, [2, 6, 5, 2]);
  });

  it('two inputs, two outputs and a shared layer', async () => {
    const a = tf.input({ shape: [4], name: 'a' });
    const b = tf.input({ shape: [4], name: 'b' });
    const shared = tf.layers.dense({ units: 3, activation: 'elu', name: 'shared' });
    const sa = shared.apply(a) as tf.SymbolicTensor;
    const sb = shared.apply(b) as tf.SymbolicTensor;
    const diff = tf.layers.maximum().apply([sa, sb]) as tf.SymbolicTensor;
    const prod = tf.layers.multiply().apply([sa, sb]) as tf.SymbolicTensor;
    const out1 = tf.layers.dense({ units: 2 }).apply(tf.layers.concatenate().apply([diff, prod]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const m = tf.model({ inputs: [a, b], outputs: [out1, sa] });
    randomizeWeights(m, 31);
    const path = writeModel(await capture(m));
    const xa = randomInput([3, 4], 5), xb = randomInput([3, 4], 6);
    const want = tf.tidy(() => (m.predict([tf.tensor(xa, [3, 4]), tf.tensor(xb, [3, 4])]) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array));
    const loaded = await io.loadLayersModel(path);
    const got = torch.noGrad(() => loaded.call([torch.tensor(xa, { shape: [3, 4] }), torch.tensor(xb, { shape: [3, 4] })])) as unknown as torch.Tensor[];
    expect(got).toHaveLength(2);
    got.forEach((g, i) => expect(maxAbsDiff(g.dataSync(), want[i])).toBeLessThan(1e-5));
    expect(() => loaded.call(torch.tensor(xa, { shape: [3, 4] }))).toThrow(/takes 2 input\(s\) \(a, b\), got 1; pass them as an array/);
  });
});

describe('io.loadLayersModel: the forms model.json and its shards come in', () => {
  async function cnnArtifacts(): Promise<{ model: tf.Sequential; a: Captured }> {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 2, name: 'conv' }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 2, name: 'out' }));
    randomizeWeights(model, 37);
    return { model, a: await capture(model) };
  }

  async function expectSame(model: tf.LayersModel, pathOrUrl: string): Promise<void> {
    const x = randomInput([2, 4, 4, 2], 8);
    const got = await loadAndRun(pathOrUrl, x, [2, 4, 4, 2]);
    expect(maxAbsDiff(got.data, predictTf(model, x, [2, 4, 4, 2]).data)).toBeLessThan(1e-5);
  }

  it('a weight group split over several shard files (as the converter writes 4 MB shards), cut inside a weight', async () => {
    const { model, a } = await cnnArtifacts();
    const path = writeModel(a);
    const dir = join(path, '..');
    const bytes = new Uint8Array(a.weightData);
    writeFileSync(join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 30));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), bytes.subarray(30));
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    writeFileSync(path, JSON.stringify(json));
    unlinkSync(join(dir, 'weights.bin'));
    await expectSame(model, path);
  });

  it("the Python converter's form: modelTopology.model_config, weight names with a scope prefix", async () => {
    const { model, a } = await cnnArtifacts();
    const specs = a.weightSpecs.map((s) => ({ ...s, name: `sequential/${s.name}` }));
    const wrapped = { ...a, modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: a.modelTopology } };
    await expectSame(model, writeModel(wrapped, a.weightData, specs));
  });

  it('an http:// URL, through the global fetch', async () => {
    const { model, a } = await cnnArtifacts();
    const dir = join(writeModel(a), '..');
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      try {
        const body = readFileSync(join(dir, req.url!.slice(1).split('/').pop()!));
        res.writeHead(200).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as { port: number }).port;
      await expectSame(model, `http://127.0.0.1:${port}/models/model.json`);
      await expect(io.loadLayersModel(`http://127.0.0.1:${port}/models/missing.json`)).rejects.toThrow(/fetching model\.json http:\/\/127\.0\.0\.1:\d+\/models\/missing\.json failed with HTTP 404/);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});

/** Quantizes every weight to uint8/uint16 (q = round((v − min)/scale)) as tfjs-converter's --quantize_* does. */
function quantize(a: Captured, dtype: 'uint8' | 'uint16'): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const levels = dtype === 'uint8' ? 255 : 65535;
  const floats = new Float32Array(a.weightData);
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  let at = 0;
  for (const spec of a.weightSpecs) {
    const n = spec.shape.reduce((x, y) => x * y, 1);
    const v = floats.subarray(at, at + n);
    at += n;
    const min = Math.min(...v), max = Math.max(...v);
    const scale = max > min ? (max - min) / levels : 1;
    const q = dtype === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) q[i] = Math.round((v[i] - min) / scale);
    parts.push(new Uint8Array(q.buffer));
    specs.push({ ...spec, quantization: { dtype, scale, min } });
  }
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.byteLength; }
  return { specs, data: out.buffer };
}

/** float32 → IEEE half by truncating the mantissa (enough for weights of ordinary size; tiny ones flush to 0). */
function toHalfBits(v: number): number {
  const b = new Uint32Array(new Float32Array([v]).buffer)[0];
  const sign = (b >>> 31) << 15;
  const e = ((b >>> 23) & 0xff) - 127 + 15;
  if (e <= 0) return sign;
  return sign | (e << 10) | ((b & 0x7fffff) >>> 13);
}

describe('io.loadLayersModel: quantized weights decode as tfjs decodes them', () => {
  async function cnn(): Promise<tf.Sequential> {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 4 }));
    randomizeWeights(m, 23);
    return m;
  }

  async function expectMatchesTfLoad(a: Captured, specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer, original: tf.LayersModel) {
    const path = writeModel(a, data, specs);
    // tfjs's own loader dequantizes the same manifest and bytes: the reference.
    const reference = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology as tf.io.ModelJSON['modelTopology'], weightSpecs: specs, weightData: data }));
    const x = randomInput([2, 5, 5, 2], 4);
    const want = predictTf(reference, x, [2, 5, 5, 2]);
    const got = await loadAndRun(path, x, [2, 5, 5, 2]);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
    // The quantization did change the weights (so this is not the float32 path again).
    expect(maxAbsDiff(got.data, predictTf(original, x, [2, 5, 5, 2]).data)).toBeGreaterThan(1e-6);
  }

  it.each(['uint8', 'uint16'] as const)('%s (q·scale + min)', async (dtype) => {
    const m = await cnn();
    const a = await capture(m);
    const { specs, data } = quantize(a, dtype);
    await expectMatchesTfLoad(a, specs, data, m);
  });

  it('float16', async () => {
    const m = await cnn();
    const a = await capture(m);
    const floats = new Float32Array(a.weightData);
    const half = Uint16Array.from(floats, toHalfBits);
    const specs = a.weightSpecs.map((s) => ({ ...s, quantization: { dtype: 'float16' as const } }));
    await expectMatchesTfLoad(a, specs, half.buffer, m);
  });
});

describe('io.loadLayersModel: errors name the file, the weight or layer, and what to do', () => {
  async function mlp(): Promise<Captured> {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 2, name: 'hidden' }));
    return capture(m);
  }

  it('a missing shard', async () => {
    const path = writeModel(await mlp());
    unlinkSync(join(path, '..', 'weights.bin'));
    await expect(io.loadLayersModel(path)).rejects.toThrow(/cannot read weight shard .*weights\.bin \(ENOENT\).*check that the file exists/);
  });

  it('a truncated shard', async () => {
    const a = await mlp();
    const path = writeModel(a, a.weightData.slice(0, 28));
    await expect(io.loadLayersModel(path)).rejects.toThrow(/weight 'hidden\/bias' \[2\] needs bytes 24\.\.32 but .*weights\.bin .*hold only 28 bytes; the shard is truncated/);
  });

  it('a shard longer than its manifest', async () => {
    const a = await mlp();
    const longer = new Uint8Array(a.weightData.byteLength + 8);
    longer.set(new Uint8Array(a.weightData));
    const path = writeModel(a, longer.buffer);
    await expect(io.loadLayersModel(path)).rejects.toThrow(/weights\.bin hold 40 bytes but manifest group 0 .* describes 32/);
  });

  it('an unknown layer class', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 4 }));
    m.add(tf.layers.repeatVector({ n: 2, name: 'rv' }));
    const path = writeModel(await capture(m));
    await expect(io.loadLayersModel(path)).rejects.toThrow(/layer 'rv' of .*model\.json is a 'RepeatVector', which the loader does not support; supported: InputLayer, Dense/);
  });

  it('an unsupported weight dtype', async () => {
    const a = await mlp();
    const specs = a.weightSpecs.map((s) => ({ ...s, dtype: s.name.endsWith('kernel') ? 'complex64' : s.dtype })) as tf.io.WeightsManifestEntry[];
    const path = writeModel(a, a.weightData, specs);
    await expect(io.loadLayersModel(path)).rejects.toThrow(/weight 'hidden\/kernel' in .*weights\.bin .* has dtype 'complex64'; only float32, int32 and bool/);
  });

  it('a weight the topology needs but the manifest lacks', async () => {
    const a = await mlp();
    const specs = a.weightSpecs.map((s) => ({ ...s, name: s.name.replace('hidden/bias', 'other/bias') }));
    const path = writeModel(a, a.weightData, specs);
    await expect(io.loadLayersModel(path)).rejects.toThrow(/layer 'hidden' \(Dense\) needs weight 'hidden\/bias' but the weightsManifest of .* has 'hidden\/kernel'/);
  });

  it('a model class that is neither Sequential nor functional', async () => {
    const path = writeModel(await mlp());
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.modelTopology.class_name = 'Subclassed';
    writeFileSync(path, JSON.stringify(json));
    await expect(io.loadLayersModel(path)).rejects.toThrow(/holds a 'Subclassed' model; only Sequential and functional \('Model'\) models can be loaded/);
  });

  it('a model.json without modelTopology', async () => {
    const path = writeModel(await mlp());
    const json = JSON.parse(readFileSync(path, 'utf8'));
    delete json.modelTopology;
    writeFileSync(path, JSON.stringify(json));
    await expect(io.loadLayersModel(path)).rejects.toThrow(/has no modelTopology; it is not a tfjs LayersModel/);
  });
});
