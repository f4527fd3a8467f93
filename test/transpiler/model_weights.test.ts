/**
 * `model.trainableWeights.map((w) => w.read())` (transpiler/rules/model_weights.ts) and the optimizers that minimize
 * over such lists (facts.ts): the list becomes the model's parameters, each optimizer is created with its own
 * model's parameters — also when the list is declared after the optimizer — and any other use stays a TODO.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});

const MODELS = `import * as tf from '@tensorflow/tfjs';
const g = tf.sequential();
g.add(tf.layers.dense({ inputShape: [3], units: 2 }));
const d = tf.sequential();
d.add(tf.layers.dense({ inputShape: [2], units: 1 }));
`;
const migrate = (body: string) => transpileSource('/p/main.ts', MODELS + body, { layout: 'nchw', api });

describe('model.trainableWeights', () => {
  test.each([
    ['an arrow with a cast', 'const v = d.trainableWeights.map((w) => w.read() as tf.Variable);', 'const v = [...d.parameters()];'],
    ['an arrow without one', 'const v = d.trainableWeights.map((w) => w.read());', 'const v = [...d.parameters()];'],
    ['a function returning the read', 'const v = d.trainableWeights.map(function (w) { return w.read(); });', 'const v = [...d.parameters()];'],
  ])('the read list, %s, is the model\'s parameters', (_name, src, out) => {
    const r = migrate(src);
    expect(r.output).toContain(out);
    expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  });

  test.each([
    ['the LayerVariables themselves', 'const names = d.trainableWeights.map((w) => w.name);'],
    ['the list as is', 'const ws = d.trainableWeights;'],
    ['a read of another variable', 'const other = tf.variable(tf.zeros([1]));\nconst v = d.trainableWeights.map((w) => other.read());'],
  ])('%s: a TODO naming what to write', (_name, src) => {
    const r = migrate(src);
    expect(r.diagnostics.find((x) => x.key === 'LayersModel.trainableWeights')).toMatchObject({ severity: 'error', message: expect.stringMatching(/use \[\.\.\.model\.parameters\(\)\]/) });
  });
});

describe('optimizers minimizing over a model\'s weights list', () => {
  test('two optimizers, their lists declared after them (a GAN): each gets its own model\'s parameters, no TODO', () => {
    const r = migrate(`const dOpt = tf.train.adam(0.01);
const gOpt = tf.train.adam(0.02);
const dVars = d.trainableWeights.map((w) => w.read() as tf.Variable);
const gVars = g.trainableWeights.map((w) => w.read() as tf.Variable);
const x = tf.zeros([4, 3]);
dOpt.minimize(() => tf.mean(d.predict(g.predict(x) as tf.Tensor) as tf.Tensor) as tf.Scalar, true, dVars);
gOpt.minimize(() => tf.neg(tf.mean(d.predict(g.predict(x) as tf.Tensor) as tf.Tensor)) as tf.Scalar, true, gVars);
`);
    expect(r.output).toContain('const dOpt = new optim.Adam(d.parameters(), { lr: 0.01, eps: 1e-7 });');
    expect(r.output).toContain('const gOpt = new optim.Adam(g.parameters(), { lr: 0.02, eps: 1e-7 });');
    expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.output).not.toMatch(/TODO/);
  });

  test('the list inline in minimize', () => {
    const r = migrate(`const opt = tf.train.sgd(0.1);
opt.minimize(() => tf.mean(d.predict(tf.zeros([1, 2])) as tf.Tensor) as tf.Scalar, true, d.trainableWeights.map((w) => w.read() as tf.Variable));
`);
    expect(r.output).toContain('const opt = new optim.SGD(d.parameters(), { lr: 0.1 });');
  });

  test('a model declared after the optimizer cannot be read there: the optimizer stays a TODO', () => {
    const r = transpileSource('/p/main.ts', `import * as tf from '@tensorflow/tfjs';
const opt = tf.train.sgd(0.1);
const late = tf.sequential();
late.add(tf.layers.dense({ inputShape: [2], units: 1 }));
const vars = late.trainableWeights.map((w) => w.read() as tf.Variable);
opt.minimize(() => tf.mean(late.predict(tf.zeros([1, 2])) as tf.Tensor) as tf.Scalar, true, vars);
`, { layout: 'nchw', api });
    expect(r.diagnostics.find((x) => x.key === 'tf.train.sgd')).toMatchObject({ severity: 'error', id: 'optimizer-params-unknown' });
  });
});
