/**
 * tf.layers.gaussianNoise, gaussianDropout (→ compat.layers.GaussianNoise / GaussianDropout, runtime/compat/noise.ts)
 * and spatialDropout1d (→ nn.Dropout1d on [N, C, T]) migrated: outside training the migrated model computes tfjs's
 * output and gradients exactly; in training the noise has tfjs's distribution and structure (checked on both
 * sides: the draws differ) and the gradient treats it as a constant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compat, F, nn, torch, type Tensor } from '../runtime/index.js';
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

describe('tf.layers.spatialDropout1d ≡ its migration', () => {
  it('outside training: the identity, before a conv1d (outputs and gradients as tfjs)', async () => {
    const layers = ['tf.layers.spatialDropout1d({ inputShape: [5, 4], rate: 0.3 })', 'tf.layers.conv1d({ filters: 2, kernelSize: 2 })'];
    const m = await migrateLayers(dir, 'spatial1d.ts', layers, api);
    expect(m.code).toContain('new nn.Dropout1d(0.3)');
    const conv = (mod: nn.Module) => [...mod.modules()].find((c): c is nn.Conv1d => c instanceof nn.Conv1d)!;
    compareWithTfjs(m, layers, [5, 4], (mod) => [[conv(mod).weight, (t) => t.permute([2, 1, 0]).contiguous()], [conv(mod).bias!, same]], 85);
  });

  it('in training: whole channels dropped across every step, as tfjs, at rate p; the gradient is the mask', () => {
    torch.manualSeed(4);
    const [N, T, C] = [40, 6, 50];
    const xs = Array.from({ length: N * T * C }, (_, i) => 1 + (i % 5));
    const m = new nn.Dropout1d(0.3);
    const cx = torch.tensor(xs, { shape: [N, T, C], dtype: 'float32' }).requiresGrad_();
    const y = m.forward(cx.permute([0, 2, 1])).permute([0, 2, 1]);
    const ours = (y.div(cx.detach()).toArray() as number[][][]);
    const ref = tf.layers.spatialDropout1d({ rate: 0.3 }).apply(tf.tensor(xs, [N, T, C]), { training: true }) as tf.Tensor;
    const theirs = ref.div(tf.tensor(xs, [N, T, C])).arraySync() as number[][][];
    for (const f of [ours, theirs]) {
      let dropped = 0;
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
        const col = f[n].map((row) => row[c]);
        expect(new Set(col.map((v) => Math.round(v * 1e4))).size).toBe(1);
        expect([0, Math.round(1e4 / 0.7)]).toContain(Math.round(col[0] * 1e4));
        if (col[0] === 0) dropped++;
      }
      expect(Math.abs(dropped / (N * C) - 0.3)).toBeLessThan(0.04);
    }
    y.sum().backward();
    const g = cx.grad!.toArray() as number[][][];
    for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) expect(g[n][t][c]).toBeCloseTo(ours[n][t][c], 5);
    expect(() => F.dropout1d(torch.zeros([2, 3, 4, 5]), { p: 0.5 })).toThrow(/dropout1d: expected a 2-D \[C, L\] or 3-D \[N, C, L\] input, got \[2, 3, 4, 5\]/);
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
