/**
 * tf.layers.upSampling2d, zeroPadding2d, cropping2D and resizing migrated (mappings/transformers/layers_spatial.ts →
 * nn.Upsample, nn.ZeroPad2d, narrow; bilinear and resizing → compat.image.resizeBilinear / resizeNearestNeighbor): after a conv2d (so the tensor is
 * channels-first and a conv kernel's gradient flows through them), the migrated model computes tfjs's output,
 * input gradient and kernel/bias gradients, for every padding/cropping form and non-square sizes.
 *
 * NOTE: two tfjs CPU-kernel bugs bound the gradient checks of upsampling: ResizeNearestNeighborGrad is wrong for a
 * batch above 1 (it disagrees with a plain loop summing each pixel's copies, which the runtime's gradient matches),
 * and ResizeBilinearGrad throws for a non-square input image (its gradient comes back [w, h]). Those cases run a batch of
 * one and a square image; nn.Upsample's own gradient is gradchecked in test/nn_resample_pad.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { torch, type nn, type Tensor } from '../runtime/index.js';
import { transpileSource } from '../transpiler/index.js';
import { maxAbsDiff, randomInput, randomizeWeights } from './support/tfjs_models.js';
import { loadRuntimeApi, type RuntimeApi } from '../mappings/runtime_api.js';
import { compareWithTfjs, convs, hwioToOihw, migrateLayers, same, type WeightMap } from './support/migrated_layers.js';

const conv = (h: number, w: number) => `tf.layers.conv2d({ inputShape: [${h}, ${w}, 2], filters: 3, kernelSize: 3, padding: 'same' })`;
const CONV = conv(5, 6);
const convWeights: WeightMap = (m) => [[convs(m)[0].weight, hwioToOihw], [convs(m)[0].bias!, same]];

/** `eager`: tfjs's resizing layer fails inside a model (see the resizing-align-corners note): applied eagerly after it. */
type Case = [name: string, layer: string, module: string, input?: [number, number], batch?: number, eager?: boolean];
const CASES: Case[] = [
  ['upSampling2d default (2×2, nearest)', 'tf.layers.upSampling2d({})', 'new nn.Upsample({ scaleFactor: 2 })', [5, 6], 1],
  ['upSampling2d size [2, 3]', 'tf.layers.upSampling2d({ size: [2, 3] })', 'new nn.Upsample({ scaleFactor: [2, 3] })', [5, 6], 1],
  ['upSampling2d bilinear [3, 2] (from a square image)', "tf.layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear' })", 'compat.image.resizeBilinear(x, [12, 8])', [4, 4]],
  ['upSampling2d bilinear default 2×2', "tf.layers.upSampling2d({ interpolation: 'bilinear' })", 'compat.image.resizeBilinear(x, [10, 10])', [5, 5]],
  ['resizing default (bilinear, corners aligned)', 'tf.layers.resizing({ height: 7, width: 9 })', 'compat.image.resizeBilinear(x, [7, 9], true)', [5, 5], 2, true],
  ['resizing cropToAspectRatio (corners not aligned)', 'tf.layers.resizing({ height: 4, width: 7, cropToAspectRatio: true })', 'compat.image.resizeBilinear(x, [4, 7], false)', [5, 5], 2, true],
  ['resizing nearest', "tf.layers.resizing({ height: 3, width: 8, interpolation: 'nearest' })", 'compat.image.resizeNearestNeighbor(x, [3, 8], true)', [5, 6], 1, true],
  ['zeroPadding2d default (1)', 'tf.layers.zeroPadding2d({})', 'new nn.ZeroPad2d(1)'],
  ['zeroPadding2d [h, w]', 'tf.layers.zeroPadding2d({ padding: [2, 1] })', 'new nn.ZeroPad2d([1, 1, 2, 2])'],
  ['zeroPadding2d [[top, bottom], [left, right]]', 'tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] })', 'new nn.ZeroPad2d([0, 3, 1, 2])'],
  ['cropping2D n', 'tf.layers.cropping2D({ cropping: 1 })', 'x.narrow(2, 1, 3).narrow(3, 1, 4)'],
  ['cropping2D [h, w]', 'tf.layers.cropping2D({ cropping: [0, 2] })', 'x.narrow(3, 2, 2)'],
  ['cropping2D [[top, bottom], [left, right]]', 'tf.layers.cropping2D({ cropping: [[2, 1], [0, 3]] })', 'x.narrow(2, 2, 2).narrow(3, 0, 3)'],
];

let api: RuntimeApi;
let dir: string;
beforeAll(async () => {
  api = await loadRuntimeApi();
  dir = mkdtempSync(join(import.meta.dirname, '.tmp-spatial-layers-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spatial layers ≡ their migration (after a conv2d, gradients through it)', () => {
  it.each(CASES.map((c, i) => [c[0], c, i] as const))('%s', async (_name, [, layer, expected, input = [5, 6], batch, eager], i) => {
    const layers = [conv(...input), layer];
    const m = await migrateLayers(dir, `m${i}.ts`, layers, api);
    expect(m.code).toContain(expected);
    compareWithTfjs(m, layers, [...input, 2], convWeights, 11 + i, { batch, eagerLast: eager });
  });

  it('a chain of all three (upsample, pad, crop, bilinear) computes what tfjs computes', async () => {
    const layers = [CONV, 'tf.layers.upSampling2d({ size: [2, 3] })', 'tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] })', 'tf.layers.cropping2D({ cropping: [[2, 1], [1, 10]] })', "tf.layers.upSampling2d({ interpolation: 'bilinear' })"];
    const m = await migrateLayers(dir, 'chain.ts', layers, api);
    compareWithTfjs(m, layers, [5, 6, 2], convWeights, 40, { batch: 1 });
  });

  it('refuses what it cannot size or does not know, naming the option', async () => {
    const todo = (layer: string) => transpileSource(join(dir, 'x.ts'), `import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [${CONV}, ${layer}] });\nconsole.log(model);\n`, { layout: 'nchw', api }).output!;
    expect(todo("tf.layers.upSampling2d({ interpolation: 'bicubic' })")).toMatch(/upSampling2d interpolation 'bicubic': tfjs accepts 'nearest' and 'bilinear'/);
    expect(todo("tf.layers.zeroPadding2d({ padding: [1, 2, 3] })")).toMatch(/zeroPadding2d padding \[1, 2, 3\]: give non-negative integer literals/);
    expect(todo('tf.layers.cropping2D({ cropping: 3 })')).toMatch(/cropping2D cropping 3 leaves nothing of a 5×6 input/);
    expect(todo("tf.layers.cropping2D({ cropping: 1, dataFormat: 'channelsFirst' })")).toMatch(/cropping2D with dataFormat other than channelsLast/);
  });
});

describe('on the runtime graph (a tf.model built by reassigning one variable: sizes by nn.dim)', () => {
  it('cropping2D (F.pad with negative amounts), zeroPadding2d and depthwiseConv2d compute what tfjs computes', async () => {
    const layers = {
      conv: 'tf.layers.conv2d({ filters: 4, kernelSize: 3 })',
      crop: 'tf.layers.cropping2D({ cropping: [[1, 0], [0, 2]] })',
      pad: 'tf.layers.zeroPadding2d({ padding: [[0, 1], [2, 0]] })',
      depthwise: 'tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 })',
    };
    const body = Object.values(layers).map((l) => `  x = ${l}.apply(x) as tf.SymbolicTensor;`).join('\n');
    const src = `import * as tf from '@tensorflow/tfjs';\nexport function build() {\n  const input = tf.input({ shape: [6, 6, 3] });\n  let x = input;\n${body}\n  return tf.model({ inputs: input, outputs: x });\n}\n`;
    const file = join(dir, 'graph.ts');
    const r = transpileSource(file, src, { layout: 'nchw', api });
    expect(r.output).not.toContain('TODO');
    expect(r.output).toContain('F.pad(x, [0, -2, -1, 0])');
    expect(r.output).toContain('new nn.ZeroPad2d([2, 0, 0, 1])');
    writeFileSync(file, r.output!);
    const module = ((await import(pathToFileURL(file).href)) as { build(): nn.Module }).build();
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const ref = new Function('tf', `const input = tf.input({ shape: [6, 6, 3] }); let x = input;\n${body.replace(/ as tf.SymbolicTensor/g, '')}\nreturn tf.model({ inputs: input, outputs: x });`)(tf) as tf.LayersModel;
    randomizeWeights(ref, 90);
    const [k1, b1, k2, b2] = ref.getWeights();
    const [c1, c2] = convs(module);
    const t = (w: tf.Tensor) => torch.tensor(Array.from(w.dataSync()), { shape: w.shape });
    torch.noGrad(() => {
      c1.weight.copy_(hwioToOihw(t(k1)));
      c1.bias!.copy_(t(b1));
      c2.weight.copy_(t(k2).reshape([2, 2, 8, 1]).permute([2, 3, 0, 1]));
      c2.bias!.copy_(t(b2));
    });
    const shape = [2, 6, 6, 3];
    const xv = randomInput(shape, 91);
    const want = ref.predict(tf.tensor(xv, shape)) as tf.Tensor;
    const got = torch.noGrad(() => module.forward(torch.tensor(Array.from(xv), { shape }))) as Tensor;
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.flatten().toArray() as number[], want.dataSync())).toBeLessThan(1e-5);
  });
});
