/**
 * Metrics on a model with several outputs: utils.fit (batch and epoch logs, History, validation), utils.evaluate,
 * utils.trainOnBatch, utils.fitDataset and utils.evaluateDataset against TensorFlow.js's own fit / evaluate /
 * trainOnBatch / fitDataset on one two-input two-output model built on both sides with the same weights
 * (test/support/two_in_two_out.ts). tfjs's collectMetrics: `metrics: [...]` is every output's, `{ <output>: ... }`
 * one output's; each logged as `<output>_<metric>`, output by output, after the `<output>_loss` keys.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { torch, optim, utils, data, type Tensor } from 'torchbridge';
import { N, X1, X2, Y1, Y2, mseRows, cceRows, twoInTwoOutPair, weightsOf, tfX, tfY, ourX, ourY, values, ours, closeAll } from './support/two_in_two_out.js';


// tfjs's metrics written on the runtime: 'accuracy' on an output of 2 or 3 units under mse/cce is categorical
// accuracy (training.ts picks binary only for 1 unit or binaryCrossentropy); 'mse' is meanSquaredError.
const catAcc = (p: Tensor, t: Tensor) => torch.eq(torch.argmax(t, -1), torch.argmax(p, -1)).float().mean();
const mse = (p: Tensor, t: Tensor) => torch.sub(p, t).square().mean();
// Per sample, as tfjs's metrics return them (the loops take the mean).
const maeRows = (p: Tensor, t: Tensor) => torch.sub(p, t).abs().mean(-1);

function compiled(lr: number, metrics: unknown) {
  const pair = twoInTwoOutPair(lr);
  pair.ref.compile({ optimizer: tf.train.sgd(lr), loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: metrics as string[] });
  return { ...pair, opt: new optim.SGD(pair.model.parameters(), { lr }) };
}

describe('utils.fit: metrics on every output and on one', () => {
  test("metrics: ['accuracy', 'mse'] on both outputs: tfjs's batch logs, History keys and values, and weights", async () => {
    await tf.setBackend('cpu');
    const { ref, model, opt } = compiled(0.1, ['accuracy', 'mse']);
    const refBatches: Record<string, number>[] = [];
    const ourBatches: Record<string, number>[] = [];
    const h = await ref.fit(tfX(), tfY(), { epochs: 2, batchSize: 5, shuffle: false, callbacks: { onBatchEnd: async (_b, l) => void refBatches.push({ ...(l as Record<string, number>) }) } });
    const mine = await utils.fit(model, ourX(), ourY(), {
      loss: [mseRows, cceRows], optimizer: opt, metrics: { acc: catAcc, mse }, outputNames: ['reg', 'cls'], epochs: 2, batchSize: 5, shuffle: false,
      callbacks: { onBatchEnd: (_b, l) => void ourBatches.push({ ...l }) },
    });
    const keys = ['loss', 'reg_loss', 'cls_loss', 'reg_acc', 'reg_mse', 'cls_acc', 'cls_mse'];
    expect(ref.metricsNames).toEqual(keys);
    expect(Object.keys(mine.history)).toEqual(keys);
    expect(Object.keys(h.history).sort()).toEqual([...keys].sort());
    for (const k of keys) closeAll(mine.history[k], h.history[k] as number[]);
    expect(ourBatches.length).toBe(refBatches.length);
    ourBatches.forEach((b, i) => closeAll(keys.map((k) => b[k]), keys.map((k) => refBatches[i][k])));
    // The metrics are not one value copied: each output's mse is its own.
    expect(Math.abs(mine.history.reg_mse[0] - mine.history.cls_mse[0])).toBeGreaterThan(1e-4);
    const w = weightsOf(ref, model);
    closeAll(w.ours, w.ref);
  });

  test("the per-output form ({ cls: 'accuracy' } in tfjs, [null, { acc }] here) and validation each under its name", async () => {
    await tf.setBackend('cpu');
    const { ref, model, opt } = compiled(0.1, { cls: 'accuracy' });
    const valX = () => [tf.tensor2d(X1.slice(0, 7)), tf.tensor2d(X2.slice(0, 7))];
    const valY = () => [tf.tensor2d(Y1.slice(0, 7)), tf.tensor2d(Y2.slice(0, 7))];
    const h = await ref.fit(tfX(), tfY(), { epochs: 1, batchSize: 4, shuffle: false, validationData: [valX(), valY()] });
    const mine = await utils.fit(model, ourX(), ourY(), {
      loss: [mseRows, cceRows], optimizer: opt, metrics: [null, { acc: catAcc }], outputNames: ['reg', 'cls'], epochs: 1, batchSize: 4, shuffle: false,
      validationData: [[torch.tensor(X1.slice(0, 7)), torch.tensor(X2.slice(0, 7))], [torch.tensor(Y1.slice(0, 7)), torch.tensor(Y2.slice(0, 7))]],
    });
    expect(ref.metricsNames).toEqual(['loss', 'reg_loss', 'cls_loss', 'cls_acc']);
    expect(Object.keys(mine.history)).toEqual(['loss', 'reg_loss', 'cls_loss', 'cls_acc', 'val_loss', 'val_reg_loss', 'val_cls_loss', 'val_cls_acc']);
    for (const k of ['loss', 'reg_loss', 'cls_loss', 'cls_acc']) closeAll(mine.history[k], h.history[k] as number[]);
    // Validation ran with the final weights (one epoch): tfjs's evaluate list [l1, l1 + l2, l1, l2, acc] is
    // what both read. Ours are each under its name; tfjs's own val logs are that list under its 4 names (shifted).
    const list = values(ref.evaluate(valX(), valY(), { batchSize: 4 }) as tf.Scalar[]);
    expect(list.length).toBe(5);
    closeAll([mine.history.val_loss[0], mine.history.val_reg_loss[0], mine.history.val_cls_loss[0], mine.history.val_cls_acc[0]], [list[1], list[2], list[3], list[4]]);
    closeAll(['val_loss', 'val_reg_loss', 'val_cls_loss', 'val_cls_acc'].map((k) => (h.history[k] as number[])[0]), list.slice(0, 4));
  });

  test('errors name the API and the argument', async () => {
    const { model, opt } = compiled(0.1, []);
    const base = { loss: [mseRows, cceRows], optimizer: opt, outputNames: ['reg', 'cls'] };
    await expect(utils.fit(model, ourX(), ourY(), { ...base, metrics: [{ acc: catAcc }] })).rejects.toThrow(/fit: metrics is an array of 1 object\(s\), but the model has 2 output\(s\)/);
    await expect(utils.fit(model, ourX(), ourY(), { ...base, metrics: [null, { acc: 3 as never }] })).rejects.toThrow(/fit: metrics\[1\]\.acc must be a function/);
    await expect(utils.fit(model, ourX(), ourY(), { ...base, outputNames: ['a', 'a_x'], metrics: [{ x_loss: catAcc }, null] })).rejects.toThrow(/fit: two logs would be named 'a_x_loss'/);
  });
});

describe('utils.evaluate and utils.trainOnBatch with metrics on two outputs', () => {
  test("evaluate returns tfjs's list: running totals, each output's loss, then the metrics output by output", async () => {
    await tf.setBackend('cpu');
    const { ref, model } = compiled(0.1, ['mae', 'accuracy']);
    const want = values(ref.evaluate(tfX(), tfY(), { batchSize: 5 }) as tf.Scalar[]);
    const got = ours(utils.evaluate(model, ourX(), ourY(), { loss: [mseRows, cceRows], metrics: { mae: maeRows, acc: catAcc }, batchSize: 5 }));
    expect(want.length).toBe(8);
    closeAll(got, want);
  });

  test("trainOnBatch returns tfjs's [loss, reg_loss, cls_loss, reg_mse, cls_acc] each step", async () => {
    await tf.setBackend('cpu');
    const { ref, model, opt } = compiled(0.2, { reg: 'mse', cls: 'acc' });
    for (let step = 0; step < 3; step++) {
      const want = (await ref.trainOnBatch(tfX(), tfY())) as number[];
      const got = (await utils.trainOnBatch(model, ourX(), ourY(), { loss: [mseRows, cceRows], optimizer: opt, metrics: [{ mse }, { acc: catAcc }] })) as number[];
      expect(want.length).toBe(5);
      closeAll(got, want);
    }
  });
});

describe('utils.fitDataset / evaluateDataset with metrics on two outputs', () => {
  const rows = Array.from({ length: N }, (_, i) => ({ xs: { in1: X1[i], in2: X2[i] }, ys: { reg: Y1[i], cls: Y2[i] } }));
  const names = { inputNames: ['in1', 'in2'], outputNames: ['reg', 'cls'] };

  test("the History's train logs are tfjs's; val_* each under its name (tfjs's own are shifted); evaluateDataset's list", async () => {
    await tf.setBackend('cpu');
    const { ref, model, opt } = compiled(0.1, ['accuracy']);
    const h = await ref.fitDataset(tf.data.array(rows).batch(4), { epochs: 1, validationData: tf.data.array(rows.slice(0, 6)).batch(4), verbose: 0 });
    const mine = await utils.fitDataset(model, data.fromArray(rows).batch(4), {
      epochs: 1, validationData: data.fromArray(rows.slice(0, 6)).batch(4), loss: [mseRows, cceRows], optimizer: opt, metrics: { acc: catAcc }, ...names,
    });
    expect(Object.keys(mine.history).sort()).toEqual(Object.keys(h.history).sort());
    for (const k of ['loss', 'reg_loss', 'cls_loss', 'reg_acc', 'cls_acc']) closeAll(mine.history[k], h.history[k] as number[]);
    const list = values((await ref.evaluateDataset(tf.data.array(rows.slice(0, 6)).batch(4) as never, {})) as tf.Scalar[]);
    expect(list.length).toBe(6);
    closeAll(['val_loss', 'val_reg_loss', 'val_cls_loss', 'val_reg_acc', 'val_cls_acc'].map((k) => mine.history[k][0]), [list[1], list[2], list[3], list[4], list[5]]);
    const got = ours(await utils.evaluateDataset(model, data.fromArray(rows.slice(0, 6)).batch(4), { loss: [mseRows, cceRows], metrics: { acc: catAcc }, ...names }));
    closeAll(got, list);
  });
});
