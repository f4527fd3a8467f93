/**
 * utils.fit / evaluate / predict (runtime/utils/fit.ts): tiny cases computed by hand, tfjs's semantics
 * (validationSplit takes the last samples, batch-weighted logs, callback order, async callbacks awaited),
 * flat memory, argument errors, and bit-identical parameters to the loop `migrate --fit loop` writes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { torch, nn, optim, utils } from 'torchbridge';
import { transpileSource } from '../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../mappings/runtime_api.js';

/** y = w·x with one parameter w. */
class Scale extends nn.Module {
  w: torch.Tensor;
  forwards = 0;
  constructor(w = 0) {
    super();
    this.w = nn.Parameter(torch.tensor([w], { dtype: 'float32' }));
  }
  forward(x: torch.Tensor): torch.Tensor {
    this.forwards++;
    return x.mul(this.w);
  }
}

const col = (v: number[]) => torch.tensor(v.map((a) => [a]), { dtype: 'float32' });
const mse = (p: torch.Tensor, t: torch.Tensor) => p.sub(t).pow(2).mean();
const mae = (p: torch.Tensor, t: torch.Tensor) => p.sub(t).abs().mean();

describe('utils.fit on a 1-parameter model (SGD, batchSize 2, epochs 2, shuffle false)', () => {
  test('parameters, History and batch logs match the hand computation', async () => {
    // x = [1, 2, 3, 4], y = 2x, w0 = 0, lr = 1/16. A batch's loss is (w - 2)² · mean(x²), its gradient
    // 2 (w - 2) · mean(x²), its mae |w - 2| · mean|x|; mean(x²) = 2.5 and 12.5, mean|x| = 1.5 and 3.5.
    // Epoch 0: batch 0, w = 0:     loss 4 · 2.5 = 10,             mae 3,      w ← 0 + 10/16 = 0.625
    //          batch 1, w = 0.625: loss 1.375² · 12.5 = 23.6328125, mae 4.8125, w ← 0.625 + 34.375/16 = 2.7734375
    //          logs: loss (10·2 + 23.6328125·2) / 4 = 16.81640625, mae 3.90625
    // Epoch 1: batch 0, w = 2.7734375:     loss 0.7734375² · 2.5 = 1.495513916015625, mae 1.16015625,
    //                                      w ← 2.7734375 - 3.8671875/16 = 2.53173828125
    //          batch 1, w = 2.53173828125: loss 0.53173828125² · 12.5 = 3.5343199968338013, mae 1.861083984375,
    //                                      w ← 2.53173828125 - 13.29345703125/16 = 1.700897216796875
    //          logs: loss 2.514916956424713, mae 1.5106201171875
    const model = new Scale(0);
    const batches: Record<string, number>[] = [];
    const history = await utils.fit(model, col([1, 2, 3, 4]), col([2, 4, 6, 8]), {
      loss: mse, optimizer: new optim.SGD(model.parameters(), { lr: 1 / 16 }), metrics: { mae },
      batchSize: 2, epochs: 2, shuffle: false,
      callbacks: { onBatchEnd: (_batch, logs) => void batches.push({ ...logs }) },
    });
    expect(model.w.item()).toBeCloseTo(1.700897216796875, 6);
    expect(history.epoch).toEqual([0, 1]);
    expect(Object.keys(history.history)).toEqual(['loss', 'mae']);
    expect(history.history.loss[0]).toBe(16.81640625); // every value of epoch 0 is exact in float32
    expect(history.history.mae[0]).toBe(3.90625);
    expect(history.history.loss[1]).toBeCloseTo(2.514916956424713, 5);
    expect(history.history.mae[1]).toBeCloseTo(1.5106201171875, 6);
    expect(batches.map((b) => [b.batch, b.size])).toEqual([[0, 2], [1, 2], [0, 2], [1, 2]]);
    expect(batches.map((b) => b.loss)).toEqual([10, 23.6328125, expect.closeTo(1.495513916015625, 6), expect.closeTo(3.5343199968338013, 5)]);
    expect(batches.map((b) => b.mae)).toEqual([3, 4.8125, expect.closeTo(1.16015625, 6), expect.closeTo(1.861083984375, 6)]);
  });

  test('validationSplit validates on the last samples (taken before shuffling) and trains on the rest', async () => {
    // w stays 1 (lr 0): the 8 training samples fit exactly (y = x), the last 2 are off by 3.
    const model = new Scale(1);
    const x = col([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const y = col([1, 2, 3, 4, 5, 6, 7, 8, 12, 13]);
    const sizes: number[] = [];
    const h = await utils.fit(model, x, y, {
      loss: mse, optimizer: new optim.SGD(model.parameters(), { lr: 0 }), metrics: { mae }, batchSize: 4, epochs: 3, validationSplit: 0.2,
      callbacks: { onBatchEnd: (_b, logs) => void sizes.push(logs.size) },
    });
    expect(sizes).toEqual([4, 4, 4, 4, 4, 4]);
    expect(h.history.loss).toEqual([0, 0, 0]);
    expect(h.history.val_loss).toEqual([9, 9, 9]);
    expect(h.history.val_mae).toEqual([3, 3, 3]);
    expect(Object.keys(h.history)).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    expect(model.training).toBe(false); // validation ran last, in eval mode (as the migrated loop leaves it)
  });

  test('callbacks run in tfjs order with (epoch|batch, logs); epoch logs are sample-weighted means', async () => {
    const model = new Scale(0.5);
    const events: string[] = [];
    const batchLosses: number[] = [];
    const epochLogs: Record<string, number>[] = [];
    await utils.fit(model, col([1, 2, 3, 4, 5]), col([1, 1, 1, 1, 1]), {
      loss: mse, optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }), batchSize: 3, epochs: 2, shuffle: false,
      validationData: [col([1, 2]), col([0, 0])],
      callbacks: {
        onTrainBegin: () => void events.push('trainBegin'),
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onBatchBegin: (b) => void events.push(`batchBegin ${b}`),
        onBatchEnd: (b, logs) => {
          events.push(`batchEnd ${b} size ${logs.size}`);
          batchLosses.push(logs.loss);
        },
        onEpochEnd: (e, logs) => {
          events.push(`epochEnd ${e} ${Object.keys(logs).join(',')}`);
          epochLogs.push(logs);
        },
        onTrainEnd: () => void events.push('trainEnd'),
      },
    });
    const epoch = (e: number) => [`epochBegin ${e}`, 'batchBegin 0', 'batchEnd 0 size 3', 'batchBegin 1', 'batchEnd 1 size 2', `epochEnd ${e} loss,val_loss`];
    expect(events).toEqual(['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
    expect(epochLogs[0].loss).toBeCloseTo((3 * batchLosses[0] + 2 * batchLosses[1]) / 5, 6);
    expect(epochLogs[1].loss).toBeCloseTo((3 * batchLosses[2] + 2 * batchLosses[3]) / 5, 6);
  });

  test('async callbacks are awaited before fit goes on, and fit resolves after onTrainEnd', async () => {
    const model = new Scale(0);
    const events: string[] = [];
    const later = (what: string) => new Promise<void>((resolve) => setTimeout(() => {
      events.push(what);
      resolve();
    }, 5));
    const done = utils.fit(model, col([1, 2]), col([2, 4]), {
      loss: mse, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), batchSize: 1, epochs: 2, shuffle: false,
      callbacks: {
        onBatchEnd: (b) => later(`batchEnd ${b} done`),
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onEpochEnd: (e) => later(`epochEnd ${e} done`),
        onTrainEnd: () => later('trainEnd done'),
      },
    });
    await done;
    expect(events).toEqual(['epochBegin 0', 'batchEnd 0 done', 'batchEnd 1 done', 'epochEnd 0 done',
      'epochBegin 1', 'batchEnd 0 done', 'batchEnd 1 done', 'epochEnd 1 done', 'trainEnd done']);
  });
});

describe('utils.evaluate and utils.predict', () => {
  test('evaluate weights each batch by its size (tfjs), in eval mode without gradients', () => {
    // w = 1, y = 0: per-sample loss x². Batches of 2 over x = 1..5: means 2.5, 12.5, 25. Weighted by size:
    // (2·2.5 + 2·12.5 + 1·25) / 5 = 11 (the mean of x²); an unweighted mean of batch means would be 13.33.
    const model = new Scale(1);
    const [loss, m] = utils.evaluate(model, col([1, 2, 3, 4, 5]), col([0, 0, 0, 0, 0]), { loss: mse, metrics: { mae }, batchSize: 2 }) as torch.Tensor[];
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo(11, 6);
    expect(m.item()).toBeCloseTo(3, 6);
    expect(model.forwards).toBe(3);
    expect(model.training).toBe(false);
    expect(model.w.grad).toBeNull();
    expect(loss.requiresGrad).toBe(false);
    // Without metrics: the loss alone, like tfjs.
    const only = utils.evaluate(model, col([1, 2, 3]), col([0, 0, 0]), { loss: mse });
    expect(only).toBeInstanceOf(torch.Tensor);
    expect((only as torch.Tensor).item()).toBeCloseTo(14 / 3, 6);
  });

  test('predict runs batches in eval mode without gradients and concatenates them', () => {
    const model = new Scale(2);
    const x = col([1, 2, 3, 4, 5]);
    const out = utils.predict(model, x, { batchSize: 2 });
    expect(model.forwards).toBe(3);
    expect(out.shape).toEqual([5, 1]);
    expect(out.toArray()).toEqual([[2], [4], [6], [8], [10]]);
    expect(out.requiresGrad).toBe(false);
    expect(model.training).toBe(false);
    expect(utils.predict(model, x).toArray()).toEqual(out.toArray()); // one batch of 32
  });
});

describe('memory', () => {
  test('a fit of 50 steps (metrics, validation, Adam) leaves torch.memory() as it found it', async () => {
    torch.manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = torch.randn([125, 4]);
    const y = torch.randn([125, 2]);
    const opts = { loss: mse, optimizer, metrics: { mae }, batchSize: 2, shuffle: true, validationSplit: 0.2 };
    // Warm-up: the optimizer's state and the parameters' .grad exist from the first step on.
    await utils.fit(model, x, y, { ...opts, epochs: 1 });
    const before = torch.memory();
    let steps = 0;
    const h = await utils.fit(model, x, y, { ...opts, epochs: 1, callbacks: { onBatchEnd: () => void steps++ } });
    expect(steps).toBe(50);
    expect(torch.memory()).toEqual(before);
    expect(h.history.loss).toHaveLength(1);
    // evaluate/predict leave only what they return.
    const r = utils.evaluate(model, x, y, { loss: mse, metrics: { mae }, batchSize: 7 }) as torch.Tensor[];
    const p = utils.predict(model, x, { batchSize: 7 });
    torch.dispose([r, p]);
    expect(torch.memory()).toEqual(before);
  });
});

describe('argument errors name the argument', () => {
  const model = new Scale(0);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const x = col([1, 2, 3, 4]);
  const y = col([1, 2, 3, 4]);
  test.each([
    ['x/y row mismatch', () => utils.fit(model, x, col([1, 2]), { loss: mse, optimizer }), /fit: x has 4 samples but y has 2 \(shapes \[4, 1\] and \[2, 1\]\)/],
    ['batchSize 0', () => utils.fit(model, x, y, { loss: mse, optimizer, batchSize: 0 }), /fit: batchSize must be a positive integer, got 0/],
    ['batchSize 1.5', () => utils.fit(model, x, y, { loss: mse, optimizer, batchSize: 1.5 }), /batchSize must be a positive integer/],
    ['epochs -1', () => utils.fit(model, x, y, { loss: mse, optimizer, epochs: -1 }), /fit: epochs must be a non-negative integer/],
    ['validationSplit 1', () => utils.fit(model, x, y, { loss: mse, optimizer, validationSplit: 1 }), /fit: validationSplit must be a number in \(0, 1\), got 1/],
    ['validationSplit 0', () => utils.fit(model, x, y, { loss: mse, optimizer, validationSplit: 0 }), /validationSplit must be a number in \(0, 1\)/],
    ['validationSplit too small', () => utils.fit(model, x, y, { loss: mse, optimizer, validationSplit: 0.1 }), /validationSplit 0.1 of 4 samples leaves no validation samples/],
    ['both validations', () => utils.fit(model, x, y, { loss: mse, optimizer, validationSplit: 0.5, validationData: [x, y] }), /validationSplit or validationData, not both/],
    ['validationData rows', () => utils.fit(model, x, y, { loss: mse, optimizer, validationData: [x, col([1])] }), /fit: validationData\[0\] has 4 samples but validationData\[1\] has 1/],
    ['loss missing', () => utils.fit(model, x, y, { optimizer } as unknown as utils.FitOptions), /fit: no loss: the model was not compiled/],
    ['optimizer missing', () => utils.fit(model, x, y, { loss: mse } as unknown as utils.FitOptions), /fit: no optimizer: the model was not compiled/],
    ['unknown option', () => utils.fit(model, x, y, { loss: mse, optimizer, sampleWeight: {} } as unknown as utils.FitOptions), /fit: unknown option 'sampleWeight'/],
    ['unknown callback', () => utils.fit(model, x, y, { loss: mse, optimizer, callbacks: { onEpochsEnd: () => 0 } } as unknown as utils.FitOptions), /fit: unknown callback 'onEpochsEnd'/],
    ["shuffle 'batch'", () => utils.fit(model, x, y, { loss: mse, optimizer, shuffle: 'batch' } as unknown as utils.FitOptions), /fit: shuffle must be true or false/],
    ['metric key loss', () => utils.fit(model, x, y, { loss: mse, optimizer, metrics: { loss: mae } }), /metric key 'loss' clashes/],
    ['x not a tensor', () => utils.fit(model, [1, 2] as unknown as torch.Tensor, y, { loss: mse, optimizer }), /fit: x must be a Tensor, got an array/],
    ['evaluate rows', async () => utils.evaluate(model, x, col([1]), { loss: mse }), /evaluate: x has 4 samples but y has 1/],
    ['predict batchSize', async () => utils.predict(model, x, { batchSize: -2 }), /predict: batchSize must be a positive integer, got -2/],
  ] as const)('%s', async (_name, run, message) => {
    await expect((async () => run())()).rejects.toThrow(message);
  });
});

describe('utils.fit trains bit-identically to the loop `migrate --fit loop` writes', () => {
  const ROOT = join(import.meta.dirname, '..');
  let dir: string;
  let api: RuntimeApi;
  // A fixture-like tfjs program: MLP with dropout, Adam, categorical cross-entropy, accuracy, validationSplit,
  // shuffling, an async callback; fit, evaluate and predict.
  const PROGRAM = `import * as tf from '@tensorflow/tfjs';
const xs = tf.randomNormal([50, 6]);
const ys = tf.oneHot(tf.randomUniformInt([50], 0, 3), 3).toFloat();
const model = tf.sequential();
model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [6] }));
model.add(tf.layers.dropout({ rate: 0.25 }));
model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const batchLosses: number[] = [];
const history = await model.fit(xs, ys, {
  batchSize: 8,
  epochs: 3,
  validationSplit: 0.2,
  callbacks: {
    onBatchEnd: async (batch, logs) => {
      batchLosses.push(logs?.loss ?? NaN);
    },
  },
});
const [evalLoss, evalAcc] = model.evaluate(xs, ys) as tf.Scalar[];
const probs = model.predict(xs) as tf.Tensor;
`;
  const EPILOGUE = `
export const result = {
  params: model.parameters().map((p) => Array.from(p.dataSync())),
  history: history.history, batchLosses,
  evaluate: [evalLoss.item(), evalAcc.item()], probs: Array.from(probs.dataSync()),
};
`;
  beforeAll(async () => {
    api = await loadRuntimeApi();
    mkdirSync(join(ROOT, '.test-out'), { recursive: true });
    dir = mkdtempSync(join(ROOT, '.test-out', 'fit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Result = { params: number[][]; history: Record<string, number[]>; batchLosses: number[]; evaluate: number[]; probs: number[] };
  const run = async (fit: 'loop' | 'helper'): Promise<{ code: string; result: Result }> => {
    const r = transpileSource(join(dir, 'input.ts'), PROGRAM, { layout: 'nchw', api, fit });
    expect(r.status).toBe('migrated');
    const code = r.output!.replace(/^(import .* from 'torchbridge';)$/m, '$1\ntorch.manualSeed(1234);') + EPILOGUE;
    const file = join(dir, `${fit}.ts`);
    writeFileSync(file, code);
    return { code, result: ((await import(pathToFileURL(file).href)) as { result: Result }).result };
  };

  test('same parameters, training losses and History; validation/evaluate equal up to float32 rounding', async () => {
    const loop = await run('loop');
    const helper = await run('helper');
    expect(loop.code).toContain('for (const [batchX, batchY] of loader)');
    expect(helper.code).toContain('await utils.fit(model, xs, ys, {');
    expect(helper.code).toContain('utils.evaluate(model, xs, ys, { loss: lossFn, metrics: { acc: accFn } })');
    expect(helper.code).toContain('utils.predict(model, xs)');
    expect(helper.result.params).toEqual(loop.result.params);
    expect(helper.result.batchLosses).toEqual(loop.result.batchLosses);
    expect(helper.result.batchLosses).toHaveLength(3 * 5);
    expect(helper.result.history.loss).toEqual(loop.result.history.loss);
    expect(helper.result.history.acc).toEqual(loop.result.history.acc);
    // The helper validates and evaluates in batches (tfjs), the loop on the whole set at once.
    for (const k of ['val_loss', 'val_acc']) {
      expect(helper.result.history[k]).toHaveLength(3);
      helper.result.history[k].forEach((v, i) => expect(v).toBeCloseTo(loop.result.history[k][i], 5));
    }
    helper.result.evaluate.forEach((v, i) => expect(v).toBeCloseTo(loop.result.evaluate[i], 5));
    helper.result.probs.forEach((v, i) => expect(v).toBeCloseTo(loop.result.probs[i], 6));
  });
});
