/**
 * tf.layers.gaussianNoise and gaussianDropout migrated (→ compat.layers.GaussianNoise / GaussianDropout,
 * runtime/compat/noise.ts): outside training the migrated model computes tfjs's output and gradients exactly; in
 * training the noise has tfjs's distribution (checked on both sides against the formula: the draws differ) and
 * the gradient treats it as a constant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compat, nn, torch, type Tensor } from '../runtime/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../mappings/runtime_api.js';
import { compareWithTfjs, migrateLayers, same, type Convert, type WeightMap } from './support/migrated_layers.js';

const transpose: Convert = (t) => t.transpose(0, 1).contiguous();
const linears = (m: nn.Module) => [...m.modules()].filter((l): l is nn.Linear => l instanceof nn.Linear);
const twoDense: WeightMap = (m) => linears(m).flatMap((l): Array<[Tensor, Convert]> => [[l.weight, transpose], [l.bias!, same]]);

let api: RuntimeApi;
let dir: string;
beforeAll(async () => {
  api = await loadRuntimeApi();
  dir = mkdtempSync(join(import.meta.dirname, '.tmp-noise-layers-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const moments = (v: ArrayLike<number>) => {
  const a = Array.from(v);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  return { mean, std: Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length) };
};

describe.each([
  ['gaussianNoise', 'tf.layers.gaussianNoise({ stddev: 0.5 })', 'new compat.layers.GaussianNoise(0.5)'],
  ['gaussianDropout', 'tf.layers.gaussianDropout({ rate: 0.2 })', 'new compat.layers.GaussianDropout(0.2)'],
])('tf.layers.%s ≡ its migration', (_name, layer, expected) => {
  it('outside training: the identity, outputs and gradients as tfjs', async () => {
    const layers = ['tf.layers.dense({ inputShape: [4], units: 6 })', layer, 'tf.layers.dense({ units: 3 })'];
    const m = await migrateLayers(dir, `${_name}.ts`, layers, api);
    expect(m.code).toContain(expected);
    compareWithTfjs(m, layers, [4], twoDense, 80);
  });
});

describe('the training-mode noise', () => {
  const x = Array.from({ length: 20000 }, (_, i) => 0.5 + (i % 7) * 0.25);
  it('GaussianNoise adds N(0, stddev²) as tfjs does; its gradient is 1', () => {
    torch.manualSeed(1);
    const m = new compat.layers.GaussianNoise(0.5);
    const cx = torch.tensor(x, { shape: [200, 100], dtype: 'float32' }).requiresGrad_();
    const y = m.forward(cx);
    const ours = moments((y.sub(cx.detach()).flatten().toArray() as number[]));
    const ref = tf.layers.gaussianNoise({ stddev: 0.5 }).apply(tf.tensor(x, [200, 100]), { training: true }) as tf.Tensor;
    const theirs = moments(ref.sub(tf.tensor(x, [200, 100])).dataSync());
    for (const s of [ours, theirs]) {
      expect(Math.abs(s.mean)).toBeLessThan(0.02);
      expect(Math.abs(s.std - 0.5)).toBeLessThan(0.02);
    }
    y.sum().backward();
    expect(new Set(cx.grad!.flatten().toArray() as number[])).toEqual(new Set([1]));
    m.eval();
    expect(m.forward(cx)).toBe(cx);
  });

  it('GaussianDropout multiplies by N(1, rate/(1 − rate)) as tfjs does; its gradient is that factor', () => {
    torch.manualSeed(2);
    const m = new compat.layers.GaussianDropout(0.2);
    const cx = torch.tensor(x, { shape: [200, 100], dtype: 'float32' }).requiresGrad_();
    const y = m.forward(cx);
    const factor = y.detach().div(cx.detach());
    const ours = moments(factor.flatten().toArray() as number[]);
    const ref = tf.layers.gaussianDropout({ rate: 0.2 }).apply(tf.tensor(x, [200, 100]), { training: true }) as tf.Tensor;
    const theirs = moments(ref.div(tf.tensor(x, [200, 100])).dataSync());
    for (const s of [ours, theirs]) {
      expect(Math.abs(s.mean - 1)).toBeLessThan(0.02);
      expect(Math.abs(s.std - 0.5)).toBeLessThan(0.02);
    }
    y.sum().backward();
    const g = cx.grad!.flatten().toArray() as number[], f = factor.flatten().toArray() as number[];
    expect(Math.max(...g.map((v, i) => Math.abs(v - f[i])))).toBeLessThan(1e-5);
  });

  it('names the module and the argument on bad values', () => {
    expect(() => new compat.layers.GaussianNoise(-1)).toThrow(/compat.layers.GaussianNoise: stddev must be a non-negative number, got -1/);
    expect(() => new compat.layers.GaussianDropout(1)).toThrow(/compat.layers.GaussianDropout: rate must be in \[0, 1\), got 1/);
  });
});
