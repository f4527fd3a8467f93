/**
 * tf.layers.prelu, thresholdedReLU and rescaling migrated (mappings/transformers/layers_activation.ts → nn.PReLU,
 * nn.Threshold, x.float().mul(scale).add(offset)): after a dense or conv2d layer, the migrated model computes
 * tfjs's output, input gradient and every weight gradient (prelu's alpha [.., C] as the nn.PReLU weight [C]), for
 * each alpha shape nn.PReLU can hold; an alpha per position is refused with the reason. tfjs has no gradient for
 * thresholdedReLU (it throws), so that one compares outputs; nn.Threshold's gradient is checked in
 * test/nn_resample_pad.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nn, type Tensor } from '../runtime/index.js';
import { transpileSource } from '../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../mappings/runtime_api.js';
import { compareWithTfjs, convs, hwioToOihw, migrateLayers, same, type Convert, type WeightMap } from './support/migrated_layers.js';

const DENSE = 'tf.layers.dense({ inputShape: [4], units: 5 })';
const CONV = "tf.layers.conv2d({ inputShape: [5, 6, 2], filters: 3, kernelSize: 3, padding: 'same' })";
const flat: Convert = (t) => t.reshape([-1]);
const transpose: Convert = (t) => t.transpose(0, 1).contiguous();
const linears = (m: nn.Module) => [...m.modules()].filter((l): l is nn.Linear => l instanceof nn.Linear);
const prelus = (m: nn.Module) => [...m.modules()].filter((l): l is nn.PReLU => l instanceof nn.PReLU);
const denseW = (m: nn.Module): Array<[Tensor, Convert]> => [[linears(m)[0].weight, transpose], [linears(m)[0].bias!, same]];
const convW = (m: nn.Module): Array<[Tensor, Convert]> => [[convs(m)[0].weight, hwioToOihw], [convs(m)[0].bias!, same]];

/** `grads` false: tfjs cannot differentiate thresholdedReLU ("gradient function not found for Greater"): outputs only. */
type Case = [name: string, layers: string[], input: number[], expected: string, weights: WeightMap, grads?: boolean];
const CASES: Case[] = [
  ['prelu on dense features (alpha [5])', [DENSE, 'tf.layers.prelu({})'], [4], 'new nn.PReLU(5, { init: 0 })', (m) => [...denseW(m), [prelus(m)[0].weight, flat]]],
  ['prelu on conv features, sharedAxes [1, 2] (alpha [1, 1, 3])', [CONV, 'tf.layers.prelu({ sharedAxes: [1, 2] })'], [5, 6, 2], 'new nn.PReLU(3, { init: 0 })', (m) => [...convW(m), [prelus(m)[0].weight, flat]]],
  ['prelu, every axis shared (one alpha)', [CONV, 'tf.layers.prelu({ sharedAxes: [1, 2, 3] })'], [5, 6, 2], 'new nn.PReLU(1, { init: 0 })', (m) => [...convW(m), [prelus(m)[0].weight, flat]]],
  ['prelu on a sequence [5, 4], sharedAxes 1 (alpha [1, 4])', ['tf.layers.prelu({ inputShape: [5, 4], sharedAxes: 1 })'], [5, 4], 'new nn.PReLU(4, { init: 0 })', (m) => [[prelus(m)[0].weight, flat]]],
  ['thresholdedReLU default theta 1', [DENSE, 'tf.layers.thresholdedReLU({})'], [4], 'new nn.Threshold(1, 0)', denseW, false],
  ['thresholdedReLU theta 0.3 on conv features', [CONV, 'tf.layers.thresholdedReLU({ theta: 0.3 })'], [5, 6, 2], 'new nn.Threshold(0.3, 0)', convW, false],
  ['rescaling scale and offset', [DENSE, 'tf.layers.rescaling({ scale: 1 / 255, offset: -1 })'], [4], 'x.float().mul(1 / 255).add(-1)', denseW],
  ['rescaling first, then dense', ['tf.layers.rescaling({ inputShape: [4], scale: 2 })', 'tf.layers.dense({ units: 3 })'], [4], 'x.float().mul(2)', denseW],
];

let api: RuntimeApi;
let dir: string;
beforeAll(async () => {
  api = await loadRuntimeApi();
  dir = mkdtempSync(join(import.meta.dirname, '.tmp-activation-layers-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('activation layers ≡ their migration', () => {
  it.each(CASES.map((c, i) => [c[0], c, i] as const))('%s', async (_n, [, layers, input, expected, weights, grads], i) => {
    const m = await migrateLayers(dir, `a${i}.ts`, layers, api);
    expect(m.code).toContain(expected);
    compareWithTfjs(m, layers, input, weights, 60 + i, { grads });
  });

  it('starts prelu alpha at zeros, as tfjs', async () => {
    const m = await migrateLayers(dir, 'zeros.ts', [CONV, 'tf.layers.prelu({ sharedAxes: [1, 2] })'], api);
    expect(Array.from(prelus(m.module)[0].weight.dataSync())).toEqual([0, 0, 0]);
  });

  it('refuses an alpha per position, saying which sharedAxes nn.PReLU can hold', () => {
    const out = transpileSource(join(dir, 'x.ts'), `import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [${CONV}, tf.layers.prelu({ sharedAxes: 1 })] });\nconsole.log(model);\n`, { layout: 'nchw', api }).output!;
    expect(out).toMatch(/prelu with an alpha per position \(alpha shape \[1, 6, 3\]\): nn.PReLU holds one alpha per channel; share every axis but the channels \(sharedAxes \[1, 2\]\)/);
  });
});
