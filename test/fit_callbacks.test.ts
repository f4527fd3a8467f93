/**
 * Training helpers against TensorFlow.js on the same model, weights and data: `utils.earlyStopping` (driven
 * with the same log sequences as tfjs's, and inside a fit), `model.stopTraining` from a callback, callback
 * lists, `utils.trainOnBatch`, `utils.fitDataset` (per-epoch iterators, batchesPerEpoch, an exhausted dataset,
 * validation from a dataset or tensors) and `utils.evaluateDataset`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { data, nn, optim, torch, utils, Tensor } from '../runtime/index.js';

const W0 = [0.1, -0.3];

/** y = x·w, w of shape [2, 1]: tfjs's dense(1, useBias false) with the same kernel. */
class Linear2 extends nn.Module {
  w = nn.Parameter(torch.tensor([[W0[0]], [W0[1]]]));
  forward(x: Tensor): Tensor {
    return x.matmul(this.w);
  }
}

const mse = (p: Tensor, t: Tensor) => p.sub(t).pow(2).mean();
const mae = (p: Tensor, t: Tensor) => p.sub(t).abs().mean();

/** 10 deterministic samples; `target` is the w that generates y. */
function rows(n: number, target: number[], offset = 0): { x: number[]; y: number[] }[] {
  return Array.from({ length: n }, (_, i) => {
    const x = [Math.sin(i + 1 + offset) * 2, Math.cos(2 * i + offset) * 1.5];
    return { x, y: [x[0] * target[0] + x[1] * target[1]] };
  });
}
const TRAIN = rows(10, [1.5, -2]);
// Validation targets sit halfway to the training ones: val loss falls, then rises as w passes them.
const VAL = rows(6, [0.75, -1], 100);

function tfModel(lr: number, metrics = true): tf.Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, useBias: false, inputShape: [2] })] });
  m.layers[0].setWeights([tf.tensor2d(W0.map((v) => [v]))]);
  m.compile({ optimizer: tf.train.sgd(lr), loss: 'meanSquaredError', metrics: metrics ? ['mae'] : [] });
  return m;
}

function ours(lr: number): { model: Linear2; opts: { loss: typeof mse; optimizer: optim.SGD; metrics: { mae: typeof mae } } } {
  const model = new Linear2();
  return { model, opts: { loss: mse, optimizer: new optim.SGD(model.parameters(), { lr }), metrics: { mae } } };
}

const tfXY = (r: { x: number[]; y: number[] }[]) => [tf.tensor2d(r.map((s) => s.x)), tf.tensor2d(r.map((s) => s.y))] as const;
const ourXY = (r: { x: number[]; y: number[] }[]) => [torch.tensor(r.map((s) => s.x)), torch.tensor(r.map((s) => s.y))] as const;
const elements = (r: { x: number[]; y: number[] }[]) => r.map((s) => ({ xs: s.x, ys: s.y }));

function expectSameHistory(ours: utils.History, ref: tf.History): void {
  expect(ours.epoch).toEqual(ref.epoch);
  expect(Object.keys(ours.history).sort()).toEqual(Object.keys(ref.history).sort());
  for (const [k, vs] of Object.entries(ref.history)) {
    ours.history[k].forEach((v, i) => expect(v, `${k}[${i}]`).toBeCloseTo(vs[i] as number, 5));
  }
}

afterEach(() => vi.restoreAllMocks());

describe('utils.earlyStopping decides as tfjs does', () => {
  const SEQ = [1, 0.9, 0.95, 0.8, 0.85, 0.86, 0.79, 0.87, 0.88];
  const CASES: [string, Parameters<typeof tf.callbacks.earlyStopping>[0], number[]][] = [
    ['defaults (val_loss, patience 0)', {}, SEQ],
    ['patience 1', { patience: 1 }, SEQ],
    ['patience 2', { patience: 2 }, SEQ],
    ['minDelta 0.06, patience 1', { minDelta: 0.06, patience: 1 }, SEQ],
    ['negative minDelta counts as its size', { minDelta: -0.06, patience: 1 }, SEQ],
    ['mode max', { mode: 'max', patience: 1 }, SEQ],
    ["auto on an 'acc' monitor is max", { monitor: 'val_acc', patience: 1 }, SEQ],
    ['baseline never beaten', { baseline: 0.5, patience: 2 }, SEQ],
    ['baseline beaten', { baseline: 0.92, patience: 1 }, SEQ],
    ['monotone improvement never stops', { patience: 0 }, [5, 4, 3, 2, 1]],
  ];
  it.each(CASES)('%s', async (_name, args, seq) => {
    const monitor = args?.monitor ?? 'val_loss';
    const stopEpoch = async (cb: { setModel(m: never): void; onTrainBegin(l?: unknown): unknown; onEpochEnd(e: number, l: Record<string, number>): unknown }, model: { stopTraining: boolean }) => {
      model.stopTraining = false;
      cb.setModel(model as never);
      await cb.onTrainBegin();
      for (let e = 0; e < seq.length; e++) {
        await cb.onEpochEnd(e, { [monitor]: seq[e], loss: 0 });
        if (model.stopTraining) return e;
      }
      return -1;
    };
    const ref = await stopEpoch(tf.callbacks.earlyStopping(args) as never, tfModel(0.1));
    const got = await stopEpoch(utils.earlyStopping(args as utils.EarlyStoppingArgs), new Linear2() as never);
    expect(got).toBe(ref);
  });

  it('refuses restoreBestWeights (as tfjs) and warns, as tfjs, when the metric is missing', async () => {
    expect(() => tf.callbacks.earlyStopping({ restoreBestWeights: true })).toThrow();
    expect(() => utils.earlyStopping({ restoreBestWeights: true })).toThrow(/restoreBestWeights is not supported/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cb = utils.earlyStopping();
    cb.setModel(new Linear2());
    cb.onTrainBegin();
    cb.onEpochEnd(0, { loss: 1 });
    expect(warn).toHaveBeenCalledWith('Metric for EarlyStopping val_loss is not available. Available metrics are: loss');
  });
});

describe('utils.fit with callbacks, as tfjs model.fit', () => {
  it('earlyStopping on val_loss stops at the epoch tfjs stops at, with the same history', async () => {
    const [tx, ty] = tfXY(TRAIN);
    const [tvx, tvy] = tfXY(VAL);
    const ref = await tfModel(0.01).fit(tx, ty, { epochs: 30, batchSize: 4, shuffle: false, validationData: [tvx, tvy], verbose: 0, callbacks: [tf.callbacks.earlyStopping({ patience: 1 })] });
    const [x, y] = ourXY(TRAIN);
    const [vx, vy] = ourXY(VAL);
    const { model, opts } = ours(0.01);
    const got = await utils.fit(model, x, y, { ...opts, epochs: 30, batchSize: 4, shuffle: false, validationData: [vx, vy], callbacks: [utils.earlyStopping({ patience: 1 })] });
    expect(ref.epoch.length).toBeGreaterThan(2); // it stopped after improving for a while ...
    expect(ref.epoch.length).toBeLessThan(30); // ... and before the end
    expectSameHistory(got, ref);
  });

  // tfjs validates inside the last batch: a stop there keeps val_ logs, a stop before it drops them.
  it.each([
    ['in the last batch of an epoch', 1, 2],
    ['in a middle batch', 1, 1],
  ])('model.stopTraining set %s ends the fit where tfjs ends it', async (_name, stopEpoch, stopBatch) => {
    // The tfjs way: a plain hooks object closing over the model; a list of two keeps list order.
    const run = async (model: { stopTraining: boolean }, fit: (callbacks: object[]) => Promise<unknown>) => {
      const calls: string[] = [];
      let epochs = 0;
      const history = await fit([
        {
          onEpochEnd: () => void epochs++,
          onBatchEnd: (b: number) => {
            calls.push(`a${epochs}.${b}`);
            if (epochs === stopEpoch && b === stopBatch) model.stopTraining = true;
          },
        },
        { onBatchEnd: (b: number) => void calls.push(`b${epochs}.${b}`), onTrainEnd: () => void calls.push('end') },
      ]);
      return { history, calls };
    };
    const [tx, ty] = tfXY(TRAIN);
    const [tvx, tvy] = tfXY(VAL);
    const refModel = tfModel(0.05);
    const ref = await run(refModel, (callbacks) => refModel.fit(tx, ty, { epochs: 5, batchSize: 4, shuffle: false, validationData: [tvx, tvy], verbose: 0, callbacks: callbacks as never }));
    const [x, y] = ourXY(TRAIN);
    const [vx, vy] = ourXY(VAL);
    const { model, opts } = ours(0.05);
    const got = await run(model as never, (callbacks) => utils.fit(model, x, y, { ...opts, epochs: 5, batchSize: 4, shuffle: false, validationData: [vx, vy], callbacks: callbacks as never }));
    expect(got.calls).toEqual(ref.calls);
    expect(got.calls.at(-1)).toBe('end');
    expectSameHistory(got.history as utils.History, ref.history as tf.History);
    expect((got.history as utils.History).history.val_loss).toHaveLength(stopBatch === 2 ? 2 : 1);
  });

  it('setModel hands a class callback the model it may stop (EarlyStopping relies on it)', async () => {
    const seen: unknown[] = [];
    const { model, opts } = ours(0.05);
    const [x, y] = ourXY(TRAIN);
    class StopAtOnce { m?: { stopTraining?: boolean }; setModel(m: unknown) { seen.push(m); this.m = m as never; } onBatchEnd() { this.m!.stopTraining = true; } }
    const h = await utils.fit(model, x, y, { ...opts, epochs: 3, batchSize: 4, callbacks: [new StopAtOnce()] });
    expect(seen).toEqual([model]);
    expect(h.epoch).toEqual([0]);
    // The next fit starts again (stopTraining is reset), as tfjs resets stopTraining_.
    const h2 = await utils.fit(model, x, y, { ...opts, epochs: 2, batchSize: 4 });
    expect(h2.epoch).toEqual([0, 1]);
  });
});

describe('utils.trainOnBatch, as tfjs model.trainOnBatch', () => {
  it('returns [loss, ...metrics] (or the loss alone) step after step', async () => {
    const ref = tfModel(0.1);
    const refPlain = tfModel(0.1, false);
    const { model, opts } = ours(0.1);
    const plain = ours(0.1);
    for (const part of [TRAIN.slice(0, 4), TRAIN.slice(4, 7), TRAIN.slice(7)]) {
      const [tx, ty] = tfXY(part);
      const [x, y] = ourXY(part);
      const r = (await ref.trainOnBatch(tx, ty)) as number[];
      const g = (await utils.trainOnBatch(model, x, y, opts)) as number[];
      expect(g).toHaveLength(2);
      g.forEach((v, i) => expect(v).toBeCloseTo(r[i], 5));
      const rp = (await refPlain.trainOnBatch(tx, ty)) as number;
      const gp = await utils.trainOnBatch(plain.model, x, y, { loss: mse, optimizer: plain.opts.optimizer });
      expect(typeof gp).toBe('number');
      expect(gp as number).toBeCloseTo(rp, 5);
    }
    expect(model.training).toBe(true);
  });

  it('uses the utils.compile record and names a missing optimizer', async () => {
    const { model, opts } = ours(0.1);
    const [x, y] = ourXY(TRAIN);
    await expect(utils.trainOnBatch(model, x, y, { loss: mse })).rejects.toThrow(/trainOnBatch: .*optimizer/);
    utils.compile(model, opts);
    expect(typeof (await utils.trainOnBatch(model, x, y))).not.toBe('undefined');
  });
});

describe('utils.fitDataset / evaluateDataset, as tfjs', () => {
  const tfDs = (r = TRAIN, b = 4) => tf.data.array(elements(r)).batch(b);
  const ourDs = (r = TRAIN, b = 4) => data.fromArray(elements(r)).batch(b);

  it('one pass per epoch, validation from a dataset', async () => {
    const ref = await tfModel(0.05).fitDataset(tfDs(), { epochs: 3, validationData: tfDs(VAL, 4), verbose: 0 });
    const { model, opts } = ours(0.05);
    const got = await utils.fitDataset(model, ourDs(), { ...opts, epochs: 3, validationData: ourDs(VAL, 4) });
    expectSameHistory(got, ref);
  });

  it('validation from [x, y] tensors in batches of validationBatchSize', async () => {
    const [tvx, tvy] = tfXY(VAL);
    const ref = await tfModel(0.05).fitDataset(tfDs(), { epochs: 2, validationData: [tvx, tvy], validationBatchSize: 4, verbose: 0 });
    const [vx, vy] = ourXY(VAL);
    const { model, opts } = ours(0.05);
    const got = await utils.fitDataset(model, ourDs(), { ...opts, epochs: 2, validationData: [vx, vy], validationBatchSize: 4 });
    expectSameHistory(got, ref);
  });

  it('batchesPerEpoch reads one iterator across epochs (a repeated dataset)', async () => {
    const ref = await tfModel(0.05).fitDataset(tfDs(TRAIN, 3).repeat(), { epochs: 3, batchesPerEpoch: 3, verbose: 0 });
    const { model, opts } = ours(0.05);
    const got = await utils.fitDataset(model, ourDs(TRAIN, 3).repeat(), { ...opts, epochs: 3, batchesPerEpoch: 3 });
    expectSameHistory(got, ref);
  });

  it('an exhausted dataset under batchesPerEpoch warns each epoch as tfjs and trains on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ref = await tfModel(0.05).fitDataset(tfDs(TRAIN, 4), { epochs: 4, batchesPerEpoch: 2, validationData: tfDs(VAL), verbose: 0 });
    const refWarnings = warn.mock.calls.map((c) => c[0]);
    warn.mockClear();
    const { model, opts } = ours(0.05);
    const got = await utils.fitDataset(model, ourDs(TRAIN, 4), { ...opts, epochs: 4, batchesPerEpoch: 2, validationData: ourDs(VAL) });
    expect(warn.mock.calls.map((c) => c[0])).toEqual(refWarnings);
    expect(refWarnings.length).toBeGreaterThan(0);
    expectSameHistory(got, ref);
  });

  it('earlyStopping inside fitDataset', async () => {
    const ref = await tfModel(0.05).fitDataset(tfDs(), { epochs: 30, validationData: tfDs(VAL), verbose: 0, callbacks: [tf.callbacks.earlyStopping({ patience: 1 })] });
    const { model, opts } = ours(0.05);
    const got = await utils.fitDataset(model, ourDs(), { ...opts, epochs: 30, validationData: ourDs(VAL), callbacks: utils.earlyStopping({ patience: 1 }) });
    expect(ref.epoch.length).toBeLessThan(30);
    expectSameHistory(got, ref);
  });

  it.each([[undefined], [2]])('evaluateDataset (batches %s) is the size-weighted mean', async (batches) => {
    const ref = tfModel(0.05);
    const r = (await ref.evaluateDataset(tfDs(TRAIN, 3) as never, batches ? { batches } : {})) as tf.Scalar[];
    const { model, opts } = ours(0.05);
    const g = (await utils.evaluateDataset(model, ourDs(TRAIN, 3), { ...opts, optimizer: undefined, batches } as never)) as Tensor[];
    expect(g.map((t) => t.item())).toEqual(r.map((t) => expect.closeTo(t.dataSync()[0], 5)));
  });

  it('[xs, ys] elements train as { xs, ys } do, and dataset elements are disposed', async () => {
    const { model, opts } = ours(0.05);
    const a = await utils.fitDataset(model, ourDs(), { ...opts, epochs: 2 });
    const other = ours(0.05);
    const before = torch.memory().numTensors;
    const zipped = data.zip([data.fromArray(TRAIN.map((s) => s.x)).batch(4), data.fromArray(TRAIN.map((s) => s.y)).batch(4)]);
    const b = await utils.fitDataset(other.model, zipped as never, { ...other.opts, epochs: 2 });
    expect(b.history.loss).toEqual(a.history.loss);
    // Every batch's xs and ys were freed after its step; what stays is the parameter's .grad from the first backward.
    expect(torch.memory().numTensors).toBe(before + 1);
  });

  it('errors name the option', async () => {
    const { model, opts } = ours(0.05);
    await expect(utils.fitDataset(model, ourDs(), { ...opts } as never)).rejects.toThrow(/fitDataset: epochs must be a positive integer/);
    await expect(utils.fitDataset(model, ourDs(), { ...opts, epochs: 1, validationSplit: 0.2 } as never)).rejects.toThrow(/validationSplit is not supported/);
    await expect(utils.fitDataset(model, [1, 2] as never, { ...opts, epochs: 1 })).rejects.toThrow(/dataset must be a dataset/);
    await expect(utils.fitDataset(model, data.fromArray([1, 2]), { ...opts, epochs: 1 })).rejects.toThrow(/elements \{ xs, ys \}/);
    await expect(utils.fitDataset(model, ourDs(), { ...opts, epochs: 1, batchesPerEpoch: 0 })).rejects.toThrow(/batchesPerEpoch must be a positive integer/);
    await expect(utils.fitDataset(model, ourDs(), { ...opts, epochs: 1, callbacks: { onEpochEnds: () => {} } as never })).rejects.toThrow(/unknown callback 'onEpochEnds'/);
  });
});
