/**
 * io.getLayer / io.modelUpTo against tfjs: a functional model shaped like MobileNet's head (conv, depthwise conv,
 * named ReLU layers, then pooling and a classifier) saved as model.json + weights.bin, loaded, and cut at a named
 * layer as transfer learning cuts MobileNet — `tf.model({ inputs: m.inputs, outputs: m.getLayer(name).output })` —
 * gives tfjs's truncated predictions, holds only the layers it runs (shared with the loaded model), and refuses
 * what tfjs refuses (an unknown layer, a layer called twice), naming it. A loaded Sequential CNN is cut the same
 * way, at a layer inside its channels-first stretch too (the cut permutes back to tfjs's NHWC).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, nn, torch, type Tensor } from '../runtime/index.js';
import { maxAbsDiff, randomInput, randomizeWeights } from './support/tfjs_models.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'tb-cut-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function save(model: tf.LayersModel, name: string): Promise<string> {
  const path = join(dir, name);
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(join(dir, `${name}.bin`), new Uint8Array(a.weightData as ArrayBuffer));
    writeFileSync(path, JSON.stringify({ modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: [`${name}.bin`], weights: a.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return path;
}

function mobilenetLike(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'conv1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'conv_dw_1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 1, name: 'conv_pw_1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'conv_pw_1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, activation: 'softmax', name: 'predictions' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('io.getLayer / io.modelUpTo ≡ tfjs getLayer + tf.model({ inputs: m.inputs, outputs: layer.output })', () => {
  it.each(['conv_pw_1_relu', 'conv1_relu', 'pool'])('cut at %s: the same predictions, only the layers it runs', async (cutAt) => {
    const ref = mobilenetLike();
    randomizeWeights(ref, 11);
    const loaded = await io.loadLayersModel(await save(ref, `m-${cutAt}.json`));
    const truncatedRef = tf.model({ inputs: ref.inputs, outputs: ref.getLayer(cutAt).output });
    const cut = io.modelUpTo(loaded, io.getLayer(loaded, cutAt));
    const shape = [2, 8, 8, 3];
    const xv = randomInput(shape, 5);
    const want = truncatedRef.predict(tf.tensor(xv, shape)) as tf.Tensor;
    const got = torch.noGrad(() => cut.forward(torch.tensor(Array.from(xv), { shape }))) as Tensor;
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.flatten().toArray() as number[], want.dataSync())).toBeLessThan(1e-5);
    // tfjs's truncated model has the weights of the layers up to the cut; so has the cut, as the same tensors.
    const params = cut.parameters();
    expect(params.length).toBe(truncatedRef.trainableWeights.length);
    const all = new Set(loaded.parameters());
    expect(params.every((p) => all.has(p))).toBe(true);
    expect(cut.training).toBe(false);
  });

  it('the cut by name equals the cut by module; several outputs come back as an array', async () => {
    const ref = mobilenetLike();
    randomizeWeights(ref, 3);
    const loaded = await io.loadLayersModel(await save(ref, 'm-two.json'));
    const x = torch.tensor(Array.from(randomInput([1, 8, 8, 3], 9)), { shape: [1, 8, 8, 3] });
    const byName = io.modelUpTo(loaded, 'conv_dw_1').forward(x) as Tensor;
    const byModule = io.modelUpTo(loaded, io.getLayer(loaded, 'conv_dw_1')).forward(x) as Tensor;
    expect(byName.toArray()).toEqual(byModule.toArray());
    const two = io.modelUpTo(loaded, ['conv1_relu', 'pool']).forward(x) as Tensor[];
    expect(two.map((t) => t.shape)).toEqual([[1, 4, 4, 4], [1, 6]]);
  });

  it('refuses what tfjs refuses, naming the layer', async () => {
    const input = tf.input({ shape: [4] });
    const shared = tf.layers.dense({ units: 4, name: 'shared' });
    const out = tf.layers.add().apply([shared.apply(input) as tf.SymbolicTensor, shared.apply(shared.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const ref = tf.model({ inputs: input, outputs: out });
    expect(() => ref.getLayer('shared').output).toThrow();
    const loaded = await io.loadLayersModel(await save(ref, 'm-shared.json'));
    expect(() => io.modelUpTo(loaded, 'shared')).toThrow(/layer 'shared' is called 3 times in the model, so it has no single output/);
    expect(() => io.getLayer(loaded, 'nope')).toThrow(/io.getLayer|getLayer: the model has no layer 'nope'; its layers: shared/);
    expect(() => io.modelUpTo(loaded, new nn.ReLU())).toThrow(/outputs\[0\] is not a layer of this model/);
    expect(() => io.modelUpTo(new nn.ReLU(), 'x')).toThrow(/io.modelUpTo: model must be a model io.loadLayersModel returned/);
  });

  it.each(['conv_a', 'pool', 'conv_b', 'flat', 'fc'])('a loaded Sequential CNN cut at %s: tfjs\'s truncated predictions', async (cutAt) => {
    const ref = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv_a' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 2, name: 'conv_b' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'fc' }),
    ] });
    randomizeWeights(ref, 7);
    const loaded = await io.loadLayersModel(await save(ref, `s-${cutAt}.json`));
    const truncatedRef = tf.model({ inputs: ref.inputs, outputs: ref.getLayer(cutAt).output as tf.SymbolicTensor });
    const cut = io.modelUpTo(loaded, io.getLayer(loaded, cutAt));
    const shape = [2, 6, 6, 2];
    const xv = randomInput(shape, 4);
    const want = truncatedRef.predict(tf.tensor(xv, shape)) as tf.Tensor;
    const got = torch.noGrad(() => cut.forward(torch.tensor(Array.from(xv), { shape }))) as Tensor;
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.flatten().toArray() as number[], want.dataSync())).toBeLessThan(1e-5);
    const all = new Set(loaded.parameters());
    expect(cut.parameters().length).toBe(truncatedRef.trainableWeights.length);
    expect(cut.parameters().every((p) => all.has(p))).toBe(true);
    expect(cut.training).toBe(false);
    expect(() => io.modelUpTo(loaded, 'nope')).toThrow(/io.modelUpTo: the model has no layer 'nope'; its children: /);
  });

  it('getLayer on a loaded Sequential finds the layer by its tfjs name', async () => {
    const ref = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'fc' }), tf.layers.dense({ units: 1, name: 'out' })] });
    const loaded = await io.loadLayersModel(await save(ref, 's.json'));
    expect(io.getLayer(loaded, 'fc')).toBeInstanceOf(nn.Linear);
    expect((io.getLayer(loaded, 'out') as nn.Linear).weight.shape).toEqual([1, 2]);
    expect(() => io.getLayer(loaded, 'missing')).toThrow(/no layer 'missing'; its children: fc, out/);
  });
});
