/**
 * tf.layers.conv2dTranspose migrated (mappings/transformers/layers.ts → nn.ConvTranspose2d, or
 * compat.layers.ConvTranspose2dSame where 'same' has kernel − stride odd): the migrated module, given the tfjs
 * layer's kernel permuted [kh, kw, out, in] → [in, out, kh, kw], computes tfjs's outputs and gradients (input,
 * kernel, bias) on every geometry — 'same' with k − s odd, even, negative; 'valid' with k above and below s;
 * rectangular kernels and strides. The migrated code is the transpiler's own output, imported and run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { compat, io, nn, optim, torch, type Tensor } from '../runtime/index.js';
import { transpileSource } from '../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../mappings/runtime_api.js';
import { maxAbsDiff, randomInput, randomizeWeights } from './support/tfjs_models.js';

type Geometry = [name: string, kernel: number | [number, number], strides: number | [number, number], padding: 'same' | 'valid', module: string];
const GEOMETRIES: Geometry[] = [
  ['k 3, s 2, same (k − s odd)', 3, 2, 'same', 'compat.layers.ConvTranspose2dSame'],
  ['k 4, s 2, same (k − s even)', 4, 2, 'same', 'nn.ConvTranspose2d'],
  ['k 5, s 1, same', 5, 1, 'same', 'nn.ConvTranspose2d'],
  ['k 2, s 1, same (k − s odd)', 2, 1, 'same', 'compat.layers.ConvTranspose2dSame'],
  ['k 2, s 3, same (k < s)', 2, 3, 'same', 'nn.ConvTranspose2d'],
  ['k [3, 4], s [2, 1], same (odd rows, odd columns)', [3, 4], [2, 1], 'same', 'compat.layers.ConvTranspose2dSame'],
  ['k 3, s 2, valid', 3, 2, 'valid', 'nn.ConvTranspose2d'],
  ['k 1, s 2, valid (k < s)', 1, 2, 'valid', 'nn.ConvTranspose2d'],
  ['k [2, 3], s [3, 2], valid', [2, 3], [3, 2], 'valid', 'nn.ConvTranspose2d'],
];
const IN = [4, 5, 3];
const FILTERS = 2;

let api: RuntimeApi;
let dir: string;
beforeAll(async () => {
  api = await loadRuntimeApi();
  dir = mkdtempSync(join(import.meta.dirname, '.tmp-conv-transpose-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lit = (v: unknown) => JSON.stringify(v).replace(/"/g, "'");

/** The tfjs program (one conv2dTranspose with a fused tanh), migrated and imported: its build() gives the module. */
async function migrated(g: Geometry, i: number): Promise<{ code: string; module: nn.Module }> {
  const [, kernelSize, strides, padding] = g;
  const src = `import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2dTranspose({ inputShape: ${lit(IN)}, filters: ${FILTERS}, kernelSize: ${lit(kernelSize)}, strides: ${lit(strides)}, padding: ${lit(padding)}, activation: 'tanh' }));
  return model;
}
`;
  const r = transpileSource(join(dir, `m${i}.ts`), src, { layout: 'nchw', api });
  expect(r.output).not.toContain('torchbridge: TODO');
  const file = join(dir, `m${i}.ts`);
  writeFileSync(file, r.output!);
  const mod = (await import(pathToFileURL(file).href)) as { build(): nn.Module };
  return { code: r.output!, module: mod.build() };
}

describe('tf.layers.conv2dTranspose ≡ its migration', () => {
  it.each(GEOMETRIES.map((g, i) => [...g, i] as const))('%s', async (...args) => {
    const g = args.slice(0, 5) as unknown as Geometry;
    const i = args[5] as number;
    const [, kernelSize, strides, padding, expectedModule] = g;
    const { code, module } = await migrated(g, i);
    expect(code).toContain(`new ${expectedModule}(`);

    const ref = tf.sequential({ layers: [tf.layers.conv2dTranspose({ inputShape: IN, filters: FILTERS, kernelSize, strides, padding, activation: 'tanh' })] });
    const [kernel, bias] = ref.getWeights();
    // Random biases too, so a bias that is not copied (or not added) shows.
    ref.setWeights([kernel, tf.tensor(randomInput(bias.shape, 7), bias.shape)]);
    const kv = kernel.dataSync();
    const bv = randomInput(bias.shape, 7);
    const conv = [...module.modules()].find((m): m is nn.ConvTranspose2d => m instanceof nn.ConvTranspose2d)!;
    expect(conv.weight.shape).toEqual([IN[2], FILTERS, kernel.shape[0], kernel.shape[1]]);
    torch.noGrad(() => {
      conv.weight.copy_(torch.tensor(Array.from(kv), { shape: kernel.shape }).permute([3, 2, 0, 1]));
      conv.bias!.copy_(torch.tensor(Array.from(bv), { shape: bias.shape }));
    });

    const xShape = [2, ...IN];
    const xv = randomInput(xShape, 3);
    const x = tf.tensor(xv, xShape);
    const y = ref.apply(x) as tf.Tensor;
    const gv = randomInput(y.shape, 5);
    const gy = tf.tensor(gv, y.shape);
    const dx = tf.grad((t: tf.Tensor) => (ref.apply(t) as tf.Tensor).mul(gy).sum())(x);
    const { grads } = tf.variableGrads(() => (ref.apply(x) as tf.Tensor).mul(gy).sum() as tf.Scalar);
    const [kName, bName] = ref.trainableWeights.map((w) => (w.read() as tf.Variable).name);

    const cx = torch.tensor(Array.from(xv), { shape: xShape }).requiresGrad_();
    const cy = module.forward(cx) as Tensor;
    expect(cy.shape).toEqual(y.shape);
    expect(maxAbsDiff(cy.flatten().toArray() as number[], y.dataSync())).toBeLessThan(1e-5);
    cy.mul(torch.tensor(Array.from(gv), { shape: y.shape })).sum().backward();
    expect(maxAbsDiff(cx.grad!.flatten().toArray() as number[], dx.dataSync())).toBeLessThan(1e-5);
    const dk = torch.tensor(Array.from(grads[kName].dataSync()), { shape: kernel.shape }).permute([3, 2, 0, 1]);
    expect(maxAbsDiff(conv.weight.grad!.flatten().toArray() as number[], dk.flatten().toArray() as number[])).toBeLessThan(1e-4);
    expect(maxAbsDiff(conv.bias!.grad!.toArray() as number[], grads[bName].dataSync())).toBeLessThan(1e-4);
  });
});

describe('compat.layers.ConvTranspose2dSame', () => {
  it('is an nn.ConvTranspose2d (weight [in, out, kh, kw]) whose output is input · stride, cropping only where k − s is odd', () => {
    const m = new compat.layers.ConvTranspose2dSame(3, 2, [3, 4], { stride: [2, 1] });
    expect(m).toBeInstanceOf(nn.ConvTranspose2d);
    expect(m.weight.shape).toEqual([3, 2, 3, 4]);
    expect(m.cropEnd).toEqual([1, 1]);
    expect(m.forward(torch.zeros([1, 3, 5, 7])).shape).toEqual([1, 2, 10, 7]);
    expect(m.forward(torch.zeros([3, 5, 7])).shape).toEqual([2, 10, 7]);
    expect(new compat.layers.ConvTranspose2dSame(1, 1, 4, { stride: 2 }).cropEnd).toEqual([0, 0]);
    expect(() => new compat.layers.ConvTranspose2dSame(1, 1, 0)).toThrow(/ConvTranspose2dSame: kernelSize must be a positive integer/);
  });
});

describe('compat.layers.LazyConvTranspose2dSame', () => {
  it('takes inChannels from its first input and becomes a ConvTranspose2dSame equal to the eager one, gradients too', () => {
    const x = torch.randn(2, 3, 5, 7);
    torch.manualSeed(8);
    const eager = new compat.layers.ConvTranspose2dSame(3, 2, [3, 4], { stride: [2, 1] });
    torch.manualSeed(8);
    const lazy = new compat.layers.LazyConvTranspose2dSame(2, [3, 4], { stride: [2, 1] });
    expect(nn.isLazy(lazy)).toBe(true);
    const opt = new optim.SGD(lazy.parameters(), { lr: 0.1 });
    const y = lazy.forward(x);
    expect(lazy).toBeInstanceOf(compat.layers.ConvTranspose2dSame);
    expect(lazy).not.toBeInstanceOf(compat.layers.LazyConvTranspose2dSame);
    expect([lazy.inChannels, ...lazy.weight.shape, ...lazy.cropEnd]).toEqual([3, 3, 2, 3, 4, 1, 1]);
    expect(y.shape).toEqual([2, 2, 10, 7]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(eager.forward(x).dataSync()));
    y.sum().backward();
    eager.forward(x).sum().backward();
    expect(Array.from(lazy.weight.grad!.dataSync())).toEqual(Array.from(eager.weight.grad!.dataSync()));
    // The optimizer built before the first call holds the same parameter objects, now sized.
    opt.step();
    expect(lazy.weight.shape).toEqual([3, 2, 3, 4]);
  });

  it('is materialized by loadStateDict, and whenMaterialized runs on its first call', () => {
    const src = new compat.layers.ConvTranspose2dSame(4, 2, 3, { stride: 2 });
    const fromState = new compat.layers.LazyConvTranspose2dSame(2, 3, { stride: 2 });
    fromState.loadStateDict(src.stateDict());
    expect(fromState.inChannels).toBe(4);
    expect(Array.from(fromState.weight.dataSync())).toEqual(Array.from(src.weight.dataSync()));
    const lazy = new compat.layers.LazyConvTranspose2dSame(2, 3, { stride: 2 });
    let seen: number[] | null = null;
    nn.whenMaterialized(lazy, (m) => {
      if (m instanceof nn.ConvTranspose2d) seen = m.weight.shape;
    });
    expect(seen).toBeNull();
    lazy.forward(torch.zeros([1, 5, 4, 4]));
    expect(seen).toEqual([5, 2, 3, 3]);
  });
});

describe('conv2dTranspose on the runtime graph (a tf.model built across helpers)', () => {
  it('sizes its input channels from the symbolic input (nn.dim) and computes what tfjs computes', async () => {
    const src = `import * as tf from '@tensorflow/tfjs';
function up(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  return tf.layers.conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
}
export function build() {
  const input = tf.input({ shape: [4, 4, 3] });
  return tf.model({ inputs: input, outputs: up(up(input, 4), 2) });
}
`;
    const file = join(dir, 'graph.ts');
    const r = transpileSource(file, src, { layout: 'nchw', api });
    expect(r.output).toContain('new compat.layers.ConvTranspose2dSame((nn.dim(x, -1)), filters, 3, { stride: 2 })');
    expect(r.output).not.toContain('TODO');
    writeFileSync(file, r.output!);
    const module = ((await import(pathToFileURL(file).href)) as { build(): nn.Module }).build();
    const input = tf.input({ shape: [4, 4, 3] });
    const l1 = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' });
    const l2 = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' });
    const ref = tf.model({ inputs: input, outputs: l2.apply(l1.apply(input)) as tf.SymbolicTensor });
    const convs = [...module.modules()].filter((m): m is nn.ConvTranspose2d => m instanceof nn.ConvTranspose2d);
    expect(convs).toHaveLength(2);
    [l1, l2].forEach((l, i) => {
      const [k, b] = l.getWeights();
      const bv = randomInput(b.shape, 30 + i);
      l.setWeights([k, tf.tensor(bv, b.shape)]);
      torch.noGrad(() => {
        convs[i].weight.copy_(torch.tensor(Array.from(k.dataSync()), { shape: k.shape }).permute([3, 2, 0, 1]));
        convs[i].bias!.copy_(torch.tensor(Array.from(bv), { shape: b.shape }));
      });
    });
    const shape = [2, 4, 4, 3];
    const xv = randomInput(shape, 8);
    const want = ref.predict(tf.tensor(xv, shape)) as tf.Tensor;
    const got = torch.noGrad(() => module.forward(torch.tensor(Array.from(xv), { shape }))) as Tensor;
    expect(got.shape).toEqual([2, 16, 16, 2]);
    expect(maxAbsDiff(got.flatten().toArray() as number[], want.dataSync())).toBeLessThan(1e-5);
  });
});

describe('io.loadLayersModel: Conv2DTranspose', () => {
  it("a saved tfjs autoencoder ('same' with k − s odd and even, 'valid' with k < s) loads and predicts as tfjs; saveLayersModel writes the kernels back", async () => {
    const ref = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 1, padding: 'same' }),
        tf.layers.conv2dTranspose({ filters: 1, kernelSize: 1, strides: 2, padding: 'valid', activation: 'sigmoid' }),
      ],
    });
    randomizeWeights(ref, 5);
    const save = async (m: tf.LayersModel, name: string) => {
      const path = join(dir, `${name}.json`);
      await m.save(tf.io.withSaveHandler(async (a) => {
        writeFileSync(join(dir, `${name}.bin`), new Uint8Array(a.weightData as ArrayBuffer));
        writeFileSync(path, JSON.stringify({ modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: [`${name}.bin`], weights: a.weightSpecs }] }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      return path;
    };
    const loaded = await io.loadLayersModel(await save(ref, 'ae'));
    const shape = [2, 6, 6, 2];
    const xv = randomInput(shape, 12);
    const want = ref.predict(tf.tensor(xv, shape)) as tf.Tensor;
    const got = torch.noGrad(() => loaded.forward(torch.tensor(Array.from(xv), { shape }))) as Tensor;
    expect(got.shape).toEqual([2, 12, 12, 1]);
    expect(maxAbsDiff(got.flatten().toArray() as number[], want.dataSync())).toBeLessThan(1e-5);
    const out = join(dir, 'ae-saved');
    await io.saveLayersModel(loaded, out);
    const again = await io.loadLayersModel(join(out, 'model.json'));
    const back = torch.noGrad(() => again.forward(torch.tensor(Array.from(xv), { shape }))) as Tensor;
    expect(back.toArray()).toEqual(got.toArray());
  });
});
