/**
 * io.saveLayersModel against TensorFlow.js itself: a tfjs model is loaded into torchbridge, its weights changed
 * there, saved back, and loaded by tfjs's own loader, whose predict must equal torchbridge's forward (and differ
 * from the original model's, which proves the new weights were written). Hand-built nn.Sequentials too.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { maxAbsDiff, randomInput, randomizeWeights } from './support/tfjs_models.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../runtime/torch.js';
import { F, io, nn, optim } from '../runtime/index.js';
import type { Module } from '../runtime/nn/module.js';

let root: string;
let dirCount = 0;
const freshDir = () => join(root, `d${dirCount++}`);

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'tb-save-layers-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes a tfjs model as tfjs's file:// handler does; returns the model.json path. */
async function writeTfModel(model: tf.LayersModel): Promise<string> {
  const dir = freshDir();
  mkdirSync(dir);
  await model.save(tf.io.withSaveHandler(async (a) => {
    const json = { modelTopology: a.modelTopology, format: 'layers-model', generatedBy: 'TensorFlow.js', convertedBy: null, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

/** Loads what saveLayersModel wrote into tfjs, through tfjs's own deserialisation. */
async function loadIntoTf(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  expect(json.format).toBe('layers-model');
  expect(json.weightsManifest).toHaveLength(1);
  expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
  const bin = readFileSync(join(dir, 'weights.bin'));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: buffer }));
}

const predictTf = (model: tf.LayersModel, x: Float32Array, shape: number[]): Float32Array =>
  tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);

const forwardTb = (m: Module, x: Float32Array, shape: number[]): Float32Array =>
  torch.noGrad(() => m.call(torch.tensor(x, { shape }))).dataSync() as Float32Array;

/** A few SGD steps in train mode (so BatchNorm's running statistics move too), then noise on every entry. */
function changeWeights(m: Module, inputShape: number[], outputShape: number[]): void {
  m.train();
  const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    const y = m.call(torch.tensor(randomInput(inputShape, 100 + step), { shape: inputShape })) as ReturnType<typeof torch.tensor>;
    F.mseLoss(y, torch.tensor(randomInput(outputShape, 200 + step), { shape: outputShape })).backward();
    opt.step();
  }
  m.eval();
  // Running statistics move by 1 - momentum per step only; noise makes every converted tensor count.
  torch.noGrad(() => {
    for (const [name, t] of Object.entries(m.stateDict())) {
      const noise = randomInput(t.shape, name.length * 31 + 7).map((v) => (name.endsWith('running_var') ? Math.abs(v) * 0.3 : v * 0.3));
      t.add_(torch.tensor(noise, { shape: t.shape }));
    }
  });
}

async function expectTrainedRoundTrip(tfModel: tf.LayersModel, inputShape: number[], outputShape: number[]): Promise<void> {
  const module = await io.loadLayersModel(await writeTfModel(tfModel));
  const x = randomInput(inputShape, 1);
  const before = predictTf(tfModel, x, inputShape);
  expect(maxAbsDiff(forwardTb(module, x, inputShape), before)).toBeLessThan(1e-5);
  changeWeights(module, inputShape, outputShape);
  const want = forwardTb(module, x, inputShape);
  const dir = freshDir();
  await io.saveLayersModel(module, dir);
  const saved = await loadIntoTf(dir);
  const got = predictTf(saved, x, inputShape);
  expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
  expect(maxAbsDiff(got, before)).toBeGreaterThan(1e-2);
  // The weight names tfjs gave the layers are kept.
  expect(saved.weights.map((w) => w.originalName ?? w.name)).toEqual(tfModel.weights.map((w) => w.originalName ?? w.name));
}

describe('io.saveLayersModel: a module from io.loadLayersModel, changed in torchbridge, loads into tfjs', () => {
  it('an MLP (Dense relu → Dense, Dense softmax)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 5, useBias: false, activation: 'tanh' }));
    m.add(tf.layers.dense({ units: 3 }));
    randomizeWeights(m, 3);
    await expectTrainedRoundTrip(m, [4, 6], [4, 3]);
  });

  it('an NHWC CNN (Conv2D → BatchNormalization → MaxPooling2D → DepthwiseConv2D → Flatten → Dense → BatchNormalization → Dense)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [8, 7, 3], filters: 4, kernelSize: [3, 2], padding: 'same', activation: 'relu' }));
    m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 6 }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.dense({ units: 3 }));
    randomizeWeights(m, 7);
    await expectTrainedRoundTrip(m, [5, 8, 7, 3], [5, 3]);
  });

  it('a functional model (two Dense branches, Add)', async () => {
    const input = tf.input({ shape: [5] });
    const a = tf.layers.dense({ units: 4, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(tf.layers.add().apply([a, b]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomizeWeights(m, 11);
    await expectTrainedRoundTrip(m, [3, 5], [3, 2]);
  });

  it('io.loadLayersModel reads the saved files back to the same forward (plain path and file:// URL)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    randomizeWeights(m, 13);
    const module = await io.loadLayersModel(await writeTfModel(m));
    changeWeights(module, [2, 6, 6, 2], [2, 2]);
    const x = randomInput([3, 6, 6, 2], 5);
    const want = forwardTb(module, x, [3, 6, 6, 2]);
    const dir = freshDir();
    await io.saveLayersModel(module, pathToFileURL(dir).href);
    const again = await io.loadLayersModel(join(dir, 'model.json'));
    expect(maxAbsDiff(forwardTb(again, x, [3, 6, 6, 2]), want)).toBeLessThan(1e-6);
    // Saved again without change, the loaded copy writes the same bytes.
    const dir2 = freshDir();
    await io.saveLayersModel(again, dir2);
    expect(readFileSync(join(dir2, 'weights.bin')).equals(readFileSync(join(dir, 'weights.bin')))).toBe(true);
  });
});

describe('io.saveLayersModel: a hand-built nn.Sequential', () => {
  it('Linear(4, 8), ReLU, Linear(8, 3), Softmax(-1) → tfjs predict matches forward', async () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3), new nn.Softmax(-1));
    const dir = freshDir();
    await io.saveLayersModel(model, dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers.map((l: any) => [l.class_name, l.config.activation])).toEqual([['Dense', 'relu'], ['Dense', 'softmax']]);
    expect(json.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 4]);
    const x = randomInput([6, 4], 3);
    const got = predictTf(await loadIntoTf(dir), x, [6, 4]);
    const want = forwardTb(model, x, [6, 4]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    // Softmax rows sum to 1 either way: also compare the logits, where a transposed kernel would show.
    const logits = new nn.Sequential(...model.children().slice(0, 3));
    const dir2 = freshDir();
    await io.saveLayersModel(logits, dir2);
    expect(maxAbsDiff(predictTf(await loadIntoTf(dir2), x, [6, 4]), forwardTb(logits, x, [6, 4]))).toBeLessThan(1e-5);
  });

  it('Flatten first (with inputShape), Sigmoid, Tanh, a Linear without bias, an activation after an activation', async () => {
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 5, { bias: false }), new nn.Sigmoid(), new nn.Tanh(), new nn.Linear(5, 2));
    const dir = freshDir();
    await io.saveLayersModel(model, dir, { inputShape: [2, 3] });
    const x = randomInput([4, 2, 3], 9);
    expect(maxAbsDiff(predictTf(await loadIntoTf(dir), x, [4, 2, 3]), forwardTb(model, x, [4, 2, 3]))).toBeLessThan(1e-5);
    // And torchbridge reads it back.
    const again = await io.loadLayersModel(join(dir, 'model.json'));
    expect(maxAbsDiff(forwardTb(again, x, [4, 2, 3]), forwardTb(model, x, [4, 2, 3]))).toBeLessThan(1e-6);
  });

  it('round trip: save → io.loadLayersModel gives the same forward (Dropout kept; a relative file:// URL)', async () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Dropout(0.25), new nn.Linear(8, 3)).eval();
    const dir = freshDir();
    // 'file://./dir' as tfjs-node takes it: relative to the working directory.
    await io.saveLayersModel(model, `file://./${relative(process.cwd(), dir)}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers.map((l: any) => l.class_name)).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(json.modelTopology.config.layers[1].config.rate).toBe(0.25);
    const x0 = randomInput([5, 4], 4);
    expect(maxAbsDiff(predictTf(await loadIntoTf(dir), x0, [5, 4]), forwardTb(model, x0, [5, 4]))).toBeLessThan(1e-5);
    const x = randomInput([5, 4], 4);
    const again = await io.loadLayersModel(join(dir, 'model.json'));
    expect(maxAbsDiff(forwardTb(again, x, [5, 4]), forwardTb(model, x, [5, 4]))).toBeLessThan(1e-6);
  });
});

describe('io.saveLayersModel: errors name the input and what to do', () => {
  it.each([
    ['an LSTM inside', () => new nn.Sequential(new nn.Linear(4, 4), new nn.LSTM(4, 4)), /child '1' is a LSTM.*nn\.Linear, nn\.ReLU/],
    ['a Conv2d inside', () => new nn.Sequential(new nn.Conv2d(1, 2, 3)), /child '0' is a Conv2d, which saveLayersModel cannot describe/],
    ['an activation first without inputShape', () => new nn.Sequential(new nn.ReLU(), new nn.Linear(2, 2)), /starts with child '0' \(ReLU\).*pass \{ inputShape/],
    ['a Flatten after a Linear', () => new nn.Sequential(new nn.Linear(4, 4), new nn.Flatten()), /child '1' is a Flatten\(1, -1\) after the first module/],
    ['a nested Sequential', () => new nn.Sequential(new nn.Sequential(new nn.Linear(2, 2))), /child '0' is a Sequential/],
    ['a module that is not a Sequential', () => new nn.Linear(3, 2), /the module is a Linear; only an nn\.Sequential/],
    ['a Flatten without inputShape', () => new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 2)), /starts with a Flatten.*pass \{ inputShape/],
    ['a Softmax over dim 0', () => new nn.Sequential(new nn.Linear(4, 2), new nn.Softmax(0)), /Softmax over dim 0/],
    ['an empty Sequential', () => new nn.Sequential(), /empty/],
  ])('%s', async (_, make, message) => {
    await expect(io.saveLayersModel(make() as Module, freshDir())).rejects.toThrow(message);
  });

  it('a loaded module whose layer was replaced', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 2 }));
    const module = await io.loadLayersModel(await writeTfModel(m));
    const [name] = module.namedChildren()[0];
    (module as unknown as Record<string, Module>)[name] = new nn.Linear(3, 2);
    await expect(io.saveLayersModel(module, freshDir())).rejects.toThrow(/the Linear that weight 'dense_Dense\d+\/kernel' was loaded into is no longer part of the module/);
  });

  it('a directory that cannot be written', async () => {
    const file = join(root, `file${dirCount++}`);
    writeFileSync(file, 'not a directory');
    await expect(io.saveLayersModel(new nn.Sequential(new nn.Linear(2, 2)), join(file, 'sub'))).rejects.toThrow(/cannot write model\.json and weights\.bin into .*file\d+[/\\]sub \(ENOTDIR\)/);
  });
});
