/**
 * `utils.getWeights` / `utils.setWeights` against TensorFlow.js: the same architecture built in both, weights moved
 * one way or the other through the two lists, and the two models' predictions compared. The CNN checks the one
 * non-obvious conversion (the Dense kernel after a Flatten of NCHW features); a wrong order or layout makes the
 * predictions differ, not just the shapes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nn, torch, utils, Tensor } from '../runtime/index.js';

await tf.setBackend('cpu');

const toTf = async (t: Tensor) => tf.tensor(Array.from(await t.data() as ArrayLike<number>), t.shape);
const toRt = (t: tf.Tensor) => torch.tensor(Array.from(t.dataSync()), { dtype: 'float32' }).reshape(t.shape);

async function maxDiff(a: Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const x = await a.data() as ArrayLike<number>;
  const y = b.dataSync();
  let d = 0;
  for (let i = 0; i < y.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

/** Random non-trivial values for every parameter and buffer (running variances kept positive). */
function scramble(m: nn.Module, seed: number): void {
  torch.manualSeed(seed);
  torch.noGrad(() => {
    for (const [name, p] of m.namedParameters()) p.copy_(torch.randn(p.shape).mul(0.5));
    for (const [name, b] of m.namedBuffers()) {
      if (name.endsWith('running_mean')) b.copy_(torch.randn(b.shape).mul(0.3));
      if (name.endsWith('running_var')) b.copy_(torch.rand(b.shape).add(0.5));
    }
  });
}

/** The migrated CNN's shape: NHWC in, one permute, channels-first inside. */
class Cnn extends nn.Module {
  layers = new nn.Sequential(
    new nn.Conv2d(2, 3, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.BatchNorm2d(3, { eps: 1e-3 }),
    new nn.Flatten(),
    new nn.Linear(12, 4),
  );
  forward(x: Tensor): Tensor {
    return this.layers.forward(x.permute(0, 3, 1, 2));
  }
}

function tfCnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 4 }));
  return m;
}

function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(6, 5), new nn.ReLU(), new nn.BatchNorm1d(5, { eps: 1e-3 }), new nn.Linear(5, 3), new nn.Softmax(-1));
}

function tfMlp(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu' }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

const cases = [
  { name: 'MLP with batch norm', ours: mlp, theirs: tfMlp, input: [4, 6] },
  { name: 'CNN (conv, pool, batch norm, flatten → dense)', ours: () => new Cnn(), theirs: tfCnn, input: [3, 6, 6, 2] },
  {
    name: 'embedding → flatten → layer norm → dense',
    ours: () => new nn.Sequential(new nn.Embedding(10, 4), new nn.Flatten(), new nn.LayerNorm(12, { eps: 1e-3 }), new nn.Linear(12, 2)),
    theirs: () => {
      const m = tf.sequential();
      m.add(tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 3 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.layerNormalization());
      m.add(tf.layers.dense({ units: 2 }));
      return m;
    },
    input: [5, 3],
    ids: true,
  },
];

function inputs(shape: number[], ids = false): [Tensor, tf.Tensor] {
  torch.manualSeed(99);
  const x = ids ? torch.randint(0, 10, shape) : torch.randn(shape);
  const values = Array.from(x.dataSync() as ArrayLike<number>);
  return [x, ids ? tf.tensor(values, shape, 'int32') : tf.tensor(values, shape)];
}

describe.each(cases)('$name', ({ ours, theirs, input, ids }) => {
  it('getWeights lists what tfjs lists (names, order, shapes); tfjs given them predicts what the runtime does', async () => {
    const model = ours();
    scramble(model, 1);
    model.eval();
    const tfModel = theirs();
    const ws = utils.getWeights(model);
    expect(ws.map((w) => w.shape)).toEqual(tfModel.getWeights().map((w) => w.shape));
    tfModel.setWeights(await Promise.all(ws.map(toTf)));
    const [x, tx] = inputs(input, ids);
    const ourOut = torch.noGrad(() => model.forward(x));
    expect(await maxDiff(ourOut, tfModel.predict(tx) as tf.Tensor)).toBeLessThan(1e-5);
    expect(utils.getWeights(model, true).length).toBe(tfModel.getWeights(true).length);
  });

  it('setWeights takes tfjs\'s list; the runtime then predicts what tfjs does', async () => {
    const model = ours();
    model.eval();
    const tfModel = theirs();
    // tfjs's own random init, plus non-trivial moving statistics.
    tfModel.setWeights(tfModel.getWeights().map((w, i) => (w.shape.length === 1 ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i) : w)));
    utils.setWeights(model, tfModel.getWeights().map(toRt));
    const [x, tx] = inputs(input, ids);
    const ourOut = torch.noGrad(() => model.forward(x));
    expect(await maxDiff(ourOut, tfModel.predict(tx) as tf.Tensor)).toBeLessThan(1e-5);
    // And back: the round trip gives tfjs's tensors.
    const back = utils.getWeights(model);
    for (const [i, w] of tfModel.getWeights().entries()) expect(await maxDiff(back[i], w), `weight ${i}`).toBe(0);
  });
});

describe('the list is live, as tfjs\'s (its layers\' variables themselves)', () => {
  it('an update after getWeights shows in the list in both frameworks (the Dense after a Flatten of conv features excepted: a copy)', async () => {
    const tfModel = tfMlp();
    const theirs = tfModel.getWeights();
    const before = theirs[0].dataSync()[0];
    tfModel.setWeights(tfModel.getWeights().map((w, i) => (i === 0 ? tf.onesLike(w) : w)));
    expect(before).not.toBe(1);
    expect(theirs[0].dataSync()[0]).toBe(1);

    const model = mlp();
    const ours = utils.getWeights(model);
    torch.noGrad(() => (model.at(0) as nn.Linear).weight.fill_(1));
    expect(Array.from(ours[0].dataSync() as ArrayLike<number>).every((v) => v === 1)).toBe(true);

    const cnn = new Cnn();
    const kernel = utils.getWeights(cnn)[4];
    const was = Array.from(kernel.dataSync() as ArrayLike<number>);
    torch.noGrad(() => (cnn.layers.at(5) as nn.Linear).weight.fill_(1));
    expect(Array.from(kernel.dataSync() as ArrayLike<number>)).toEqual(was);
  });
});

describe('errors name the model and say what to do', () => {
  it('a list of the wrong length', () => {
    expect(() => utils.setWeights(mlp(), [torch.zeros([6, 5])])).toThrow(/setWeights: the model has 8 weights \(0\.kernel, 0\.bias, 2\.gamma, 2\.beta, 3\.kernel, 3\.bias, 2\.moving_mean, 2\.moving_variance\), got a list of 1/);
  });
  it('a weight of the wrong shape', () => {
    const ws = utils.getWeights(mlp());
    ws[0] = torch.zeros([5, 6]);
    expect(() => utils.setWeights(mlp(), ws)).toThrow(/setWeights: 0\.kernel expects shape \[5, 6\] \(after conversion from tfjs's layout\), got \[6, 5\]/);
  });
  it('a model whose layer order is not known', () => {
    class Two extends nn.Module {
      a = new nn.Linear(2, 2);
      b = new nn.Linear(2, 2);
      forward(x: Tensor): Tensor { return this.b.forward(this.a.forward(x)); }
    }
    expect(() => utils.getWeights(new Two())).toThrow(/getWeights: the layer order of Two is not known .* use model\.stateDict\(\)/);
  });
  it('a module with no known tfjs layout, and a lazy module not yet run', () => {
    expect(() => utils.getWeights(new nn.Sequential(new nn.GRU(3, 4)))).toThrow(/0 \(GRU\) has no known tfjs weight layout/);
    expect(() => utils.getWeights(new nn.Sequential(new nn.LazyLinear(3)))).toThrow(/0 \(LazyLinear\) has not been materialized yet; run the model forward once/);
  });
});

it('the migrated fixture model-weights prints what its tfjs original prints (snapshot, restore, copy)', () => {
  const run = (file: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'fixtures', 'model-weights', file)], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim().split('\n').pop();
  };
  const tfjs = run('input.ts');
  expect(JSON.parse(tfjs!)).toEqual({ weights: 8, trainable: 6, restored: true, differsFromRestored: false });
  expect(run('output.ts')).toBe(tfjs);
}, 180_000);
