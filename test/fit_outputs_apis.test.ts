/**
 * Several inputs and outputs beyond fit: utils.evaluate, utils.trainOnBatch, utils.fitDataset and
 * utils.evaluateDataset against TensorFlow.js's own model.evaluate / trainOnBatch / fitDataset / evaluateDataset
 * in this process, on one two-input two-output model built on both sides with the same weights
 * (test/support/two_in_two_out.ts). What each returns must be tfjs's list, value for value.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { torch, optim, utils, data, type Tensor } from 'torchbridge';
import { N, X1, X2, Y1, Y2, mseRows, cceRows, twoInTwoOutPair, weightsOf, TwoInTwoOut, tfX, tfY, ourX, ourY, values, ours, closeAll } from './support/two_in_two_out.js';


describe('utils.evaluate with two inputs and two outputs', () => {
  test("returns tfjs's list: the running totals [l1, l1 + l2], then [l1, l2]", async () => {
    await tf.setBackend('cpu');
    const { ref, model } = twoInTwoOutPair(0.1);
    const want = values(ref.evaluate(tfX(), tfY(), { batchSize: 5 }) as tf.Scalar[]);
    const got = ours(utils.evaluate(model, ourX(), ourY(), { loss: [mseRows, cceRows], batchSize: 5 }));
    expect(want.length).toBe(4);
    closeAll(got, want);
    // The layout, by hand: the second value is the total, the last two each output's loss.
    expect(got[1]).toBeCloseTo(got[2] + got[3], 5);
    expect(got[0]).toBeCloseTo(got[2], 6);
  });

  test('one loss for every output; a metrics list of the wrong length is an error naming evaluate', () => {
    const { model } = twoInTwoOutPair(0.1);
    const r = ours(utils.evaluate(model, ourX(), ourY(), { loss: mseRows }));
    expect(r.length).toBe(4);
    expect(() => utils.evaluate(model, ourX(), ourY(), { loss: [mseRows, cceRows], metrics: [{ m: mseRows }] })).toThrow(/evaluate: metrics is an array of 1 object\(s\), but the model has 2 output\(s\)/);
    expect(() => utils.evaluate(model, ourX(), [torch.tensor(Y1)], { loss: mseRows })).toThrow(/1 targets were given|must return one Tensor/);
  });
});

describe('utils.trainOnBatch with two inputs and two outputs', () => {
  test("returns tfjs's [loss, reg_loss, cls_loss] each step and trains the same weights", async () => {
    await tf.setBackend('cpu');
    const { ref, model } = twoInTwoOutPair(0.2);
    const opt = new optim.SGD(model.parameters(), { lr: 0.2 });
    for (let step = 0; step < 3; step++) {
      const want = (await ref.trainOnBatch(tfX(), tfY())) as number[];
      const got = (await utils.trainOnBatch(model, ourX(), ourY(), { loss: [mseRows, cceRows], optimizer: opt })) as number[];
      expect(want.length).toBe(3);
      closeAll(got, want);
      expect(got[0]).toBeCloseTo(got[1] + got[2], 5);
    }
    const w = weightsOf(ref, model);
    closeAll(w.ours, w.ref);
  });

  test('a loss list of the wrong length is an error naming trainOnBatch and loss', async () => {
    const { model } = twoInTwoOutPair(0.1);
    await expect(utils.trainOnBatch(model, ourX(), ourY(), { loss: [mseRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }) }))
      .rejects.toThrow(/trainOnBatch: loss is an array of 1 function\(s\), but the model has 2 output\(s\)/);
  });
});

describe('utils.fitDataset / evaluateDataset with two inputs and two outputs', () => {
  const rows = Array.from({ length: N }, (_, i) => ({ xs: { in1: X1[i], in2: X2[i] }, ys: { reg: Y1[i], cls: Y2[i] } }));
  const names = { inputNames: ['in1', 'in2'], outputNames: ['reg', 'cls'] };

  test('elements keyed by layer name: the History (loss, reg_loss, cls_loss, val_*) and weights agree with tfjs', async () => {
    await tf.setBackend('cpu');
    const { ref, model } = twoInTwoOutPair(0.1);
    const h = await ref.fitDataset(tf.data.array(rows).batch(4), { epochs: 2, validationData: tf.data.array(rows.slice(0, 6)).batch(4), verbose: 0 });
    const mine = await utils.fitDataset(model, data.fromArray(rows).batch(4), {
      epochs: 2, validationData: data.fromArray(rows.slice(0, 6)).batch(4), loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), ...names,
    });
    expect(Object.keys(mine.history).sort()).toEqual(Object.keys(h.history).sort());
    for (const k of ['loss', 'reg_loss', 'cls_loss']) closeAll(mine.history[k], h.history[k] as number[]);
    // tfjs's own val logs are its test function's list under the names [loss, reg_loss, cls_loss] (shifted):
    // val_loss holds l1, val_reg_loss the total l1 + l2, val_cls_loss l1 again. Ours are each under its name.
    closeAll(mine.history.val_loss, h.history.val_reg_loss as number[]);
    closeAll(mine.history.val_reg_loss, h.history.val_loss as number[]);
    closeAll(mine.history.val_cls_loss, (h.history.val_reg_loss as number[]).map((t, i) => t - (h.history.val_loss[i] as number)));
    const w = weightsOf(ref, model);
    closeAll(w.ours, w.ref);
  });

  test('elements with xs and ys as arrays, validation from [x, y] tensor lists; evaluateDataset returns tfjs list', async () => {
    await tf.setBackend('cpu');
    const { ref, model } = twoInTwoOutPair(0.1);
    type Row = { xs: Record<string, unknown>; ys: Record<string, unknown> };
    const toArrays = (e: unknown) => ({ xs: [(e as Row).xs.in1, (e as Row).xs.in2], ys: [(e as Row).ys.reg, (e as Row).ys.cls] });
    const h = await ref.fitDataset(tf.data.array(rows).batch(5).map(toArrays as never), { epochs: 2, validationData: [tfX(), tfY()] as never, validationBatchSize: 5, verbose: 0 });
    const mine = await utils.fitDataset(model, data.fromArray(rows).batch(5).map(toArrays), {
      epochs: 2, validationData: [ourX(), ourY()], validationBatchSize: 5, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), outputNames: ['reg', 'cls'],
    });
    for (const k of ['loss', 'reg_loss', 'cls_loss']) closeAll(mine.history[k], h.history[k] as number[]);
    closeAll(mine.history.val_loss, h.history.val_reg_loss as number[]);
    const want = values((await ref.evaluateDataset(tf.data.array(rows).batch(5) as never, {})) as tf.Scalar[]);
    const got = ours(await utils.evaluateDataset(model, data.fromArray(rows).batch(5), { loss: [mseRows, cceRows], ...names }));
    expect(want.length).toBe(4);
    closeAll(got, want);
  });

  test('errors: an object without the names option, a missing key, a changing number of outputs', async () => {
    const model = new TwoInTwoOut();
    const opts = { epochs: 1, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }) };
    await expect(utils.fitDataset(model, data.fromArray(rows).batch(4), opts)).rejects.toThrow(/fitDataset: an element's xs is an object keyed by input name \(in1, in2\); give options.inputNames/);
    await expect(utils.fitDataset(model, data.fromArray(rows).batch(4), { ...opts, inputNames: ['in1', 'nope'], outputNames: ['reg', 'cls'] })).rejects.toThrow(/lacks the input key 'nope'/);
    // The first batch has both targets, the next only one.
    type Batch = { xs: Record<string, Tensor>; ys: Record<string, Tensor> };
    let i = 0;
    const shifting = data.fromArray(rows).batch(4).map((e) => {
      const { xs, ys } = e as Batch;
      return { xs: [xs.in1, xs.in2], ys: i++ === 0 ? [ys.reg, ys.cls] : [ys.reg] };
    });
    await expect(utils.fitDataset(model, shifting, { ...opts, loss: mseRows })).rejects.toThrow(/an element has 2 input\(s\) and 1 target\(s\), but the dataset's first had 2 and 2/);
    // Two losses, one target per element: the count is named, not a crash inside the step.
    const oneTarget = data.fromArray(rows).batch(4).map((e) => ({ xs: [(e as Batch).xs.in1, (e as Batch).xs.in2], ys: (e as Batch).ys.reg }));
    await expect(utils.fitDataset(model, oneTarget, opts)).rejects.toThrow(/fitDataset: an element has 1 target\(s\), but loss gives 2 output\(s\)/);
    await expect(utils.fitDataset(model, oneTarget, { ...opts, outputNames: ['reg', 'cls'] })).rejects.toThrow(/an element's ys is one Tensor, but outputNames gives 2/);
  });
});

describe('utils.compile with several outputs', () => {
  test('its losses and outputNames serve a fit, trainOnBatch and evaluate elsewhere (the same numbers as tfjs)', async () => {
    await tf.setBackend('cpu');
    const { ref, model } = twoInTwoOutPair(0.1);
    utils.compile(model, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss: [mseRows, cceRows], outputNames: ['reg', 'cls'] });
    const h = await ref.fit(tfX(), tfY(), { epochs: 1, batchSize: 6, shuffle: false });
    const mine = await utils.fit(model, ourX(), ourY(), { epochs: 1, batchSize: 6, shuffle: false });
    expect(Object.keys(mine.history).sort()).toEqual(['cls_loss', 'loss', 'reg_loss']);
    for (const k of ['loss', 'reg_loss', 'cls_loss']) closeAll(mine.history[k], h.history[k] as number[]);
    closeAll((await utils.trainOnBatch(model, ourX(), ourY())) as number[], (await ref.trainOnBatch(tfX(), tfY())) as number[]);
    closeAll(ours(utils.evaluate(model, ourX(), ourY())), values(ref.evaluate(tfX(), tfY()) as tf.Scalar[]));
  });

  test('outputNames of another length than the losses is an error naming compile', () => {
    const { model } = twoInTwoOutPair(0.1);
    expect(() => utils.compile(model, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss: [mseRows, cceRows], outputNames: ['reg'] })).toThrow(/compile: outputNames must be one string per output \(2, as many as the losses\)/);
  });
});

