/**
 * tf.layers.depthwiseConv2d and separableConv2d migrated (mappings/transformers/layers_depthwise.ts → a grouped
 * nn.Conv2d, then a 1×1 nn.Conv2d for separable): given tfjs's kernels converted (depthwise [kh, kw, in, dm] →
 * [in·dm, 1, kh, kw]; pointwise [1, 1, in·dm, filters] → [filters, in·dm, 1, 1]), the migrated model computes
 * tfjs's output, input gradient and every kernel/bias gradient: depth multipliers 1 and 3, strides, 'same' with
 * even kernels (tfjs's asymmetric padding), 'valid', useBias false, dilation on separable, fused activations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { torch, type Tensor } from '../runtime/index.js';
import { transpileSource } from '../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../mappings/runtime_api.js';
import { compareWithTfjs, convs, hwioToOihw, migrateLayers, same, type Convert, type WeightMap } from './support/migrated_layers.js';

const IN = [7, 6, 3];
/** [kh, kw, in, dm] → [in·dm, 1, kh, kw]: row c·dm + m is kernel[:, :, c, m] (the reshape keeps c major, m minor). */
const depthwiseToGrouped: Convert = (t) => t.reshape([t.shape[0], t.shape[1], t.shape[2] * t.shape[3], 1]).permute([2, 3, 0, 1]).contiguous();

/** `grads` false: tfjs has no gradient for a dilated depthwise convolution ("not yet supported"), so outputs only. */
type Case = [name: string, layer: string, expected: string, bias: boolean, grads?: boolean];
const DEPTHWISE: Case[] = [
  ['k 3, valid', 'tf.layers.depthwiseConv2d({ inputShape: [7, 6, 3], kernelSize: 3 })', 'new nn.Conv2d(3, 3, 3, { groups: 3 })', true],
  ['k 3, dm 3, same, relu', "tf.layers.depthwiseConv2d({ inputShape: [7, 6, 3], kernelSize: 3, depthMultiplier: 3, padding: 'same', activation: 'relu' })", "new nn.Conv2d(3, 9, 3, { padding: 'same', groups: 3 })", true],
  ['k [2, 4], dm 2, s 2, same (asymmetric)', "tf.layers.depthwiseConv2d({ inputShape: [7, 6, 3], kernelSize: [2, 4], depthMultiplier: 2, strides: 2, padding: 'same' })", "new nn.Conv2d(3, 6, [2, 4], { stride: 2, padding: 'same', groups: 3 })", true],
  ['k 2, s [1, 2], no bias', 'tf.layers.depthwiseConv2d({ inputShape: [7, 6, 3], kernelSize: 2, strides: [1, 2], useBias: false })', 'new nn.Conv2d(3, 3, 2, { stride: [1, 2], groups: 3, bias: false })', false],
];
const SEPARABLE: Case[] = [
  ['k 3, filters 4, valid', 'tf.layers.separableConv2d({ inputShape: [7, 6, 3], filters: 4, kernelSize: 3 })', 'new nn.Conv2d(3, 3, 3, { groups: 3, bias: false })', true],
  ['k 4, dm 2, s 2, same (asymmetric), tanh', "tf.layers.separableConv2d({ inputShape: [7, 6, 3], filters: 5, kernelSize: 4, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'tanh' })", 'new nn.Conv2d(6, 5, 1)', true],
  ['k 3, dilation 2, same, no bias', "tf.layers.separableConv2d({ inputShape: [7, 6, 3], filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', useBias: false })", "new nn.Conv2d(3, 3, 3, { padding: 'same', dilation: 2, groups: 3, bias: false })", false, false],
];

let api: RuntimeApi;
let dir: string;
beforeAll(async () => {
  api = await loadRuntimeApi();
  dir = mkdtempSync(join(import.meta.dirname, '.tmp-depthwise-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tf.layers.depthwiseConv2d ≡ its migration', () => {
  it.each(DEPTHWISE.map((c, i) => [c[0], c, i] as const))('%s', async (_n, [, layer, expected, bias], i) => {
    const m = await migrateLayers(dir, `d${i}.ts`, [layer], api);
    expect(m.code).toContain(expected);
    const weights: WeightMap = (mod) => {
      const [c] = convs(mod);
      return bias ? [[c.weight, depthwiseToGrouped], [c.bias!, same]] : [[c.weight, depthwiseToGrouped]];
    };
    compareWithTfjs(m, [layer], IN, weights, 5 + i);
  });
});

describe('tf.layers.separableConv2d ≡ its migration', () => {
  it.each(SEPARABLE.map((c, i) => [c[0], c, i] as const))('%s', async (_n, [, layer, expected, bias, grads], i) => {
    const m = await migrateLayers(dir, `s${i}.ts`, [layer], api);
    expect(m.code).toContain(expected);
    const weights: WeightMap = (mod) => {
      const [d, p] = convs(mod);
      expect(d.bias).toBeNull();
      const ws: Array<[Tensor, Convert]> = [[d.weight, depthwiseToGrouped], [p.weight, hwioToOihw]];
      return bias ? [...ws, [p.bias!, same]] : ws;
    };
    compareWithTfjs(m, [layer], IN, weights, 20 + i, { grads });
  });
});

describe('depthwise initialisation and refusals', () => {
  it("draws a depthwise kernel with tfjs's fans (guarded by groups > 1, tested before a plain conv's init)", async () => {
    torch.manualSeed(3);
    const m = await migrateLayers(dir, 'init.ts', ["tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3 })", 'tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 })'], api);
    const guarded = m.code.indexOf('(m instanceof nn.Conv2d && m.groups > 1)');
    expect(guarded).toBeGreaterThan(0);
    expect(guarded).toBeLessThan(m.code.indexOf('} else if (m instanceof nn.Conv2d)'));
    // The depthwise kernel [3, 3, 4, 2] has fans 4·9 and 2·9: σ = √(2 / 54), truncated at 2σ. The grouped
    // weight's own fans (9 and 72) would give σ = √(2 / 81), so no value would pass 2·√(2 / 81) (seeded draw).
    const w = convs(m.module)[1].weight.flatten().toArray() as number[];
    const max = Math.max(...w.map(Math.abs));
    expect(max).toBeLessThanOrEqual(2 * Math.sqrt(2 / 54) + 1e-6);
    expect(max).toBeGreaterThan(2 * Math.sqrt(2 / 81));
  });

  it('refuses what tfjs ignores or the runtime cannot size, naming the option', () => {
    const out = (layer: string) => transpileSource(join(dir, 'x.ts'), `import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [${layer}] });\nconsole.log(model);\n`, { layout: 'nchw', api }).output!;
    expect(out('tf.layers.depthwiseConv2d({ inputShape: [7, 6, 3], kernelSize: 3, dilationRate: 2 })')).toMatch(/depthwiseConv2d dilationRate 2: tfjs ignores it on this layer/);
    expect(out('tf.layers.depthwiseConv2d({ inputShape: [7, 6, 3], kernelSize: 3, depthMultiplier: 1.5 })')).toMatch(/depthwiseConv2d depthMultiplier 1.5: give a positive integer literal/);
    expect(out('tf.layers.separableConv2d({ inputShape: [7, 6, 3], kernelSize: 3 })')).toMatch(/separableConv2d without filters/);
  });
});
