/**
 * utils.fit with several inputs and outputs and with classWeight (runtime/utils/fit_outputs.ts), against
 * TensorFlow.js's own model.fit in this process: the same weights, batches in order, and every epoch's logs and
 * the trained weights agree. Plus the semantics a migration could get wrong, pinned by hand computations.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { torch, nn, optim, utils } from 'torchbridge';
import { N, X1, X2, Y1, Y2, CLS, mseRows, cceRows, asLinear, TwoInTwoOut, tfjsTwoInTwoOut } from './support/two_in_two_out.js';

const data = (n: number, d: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => f(i * d + j)));

describe('utils.fit with two inputs and two outputs, against tfjs', () => {
  test('the logs (loss, reg_loss, cls_loss, val_*) and the trained weights agree with tfjs model.fit', async () => {
    await tf.setBackend('cpu');
    const ref = tfjsTwoInTwoOut();
    ref.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
    const model = new TwoInTwoOut();
    for (const [name, m] of [['a', model.a], ['b', model.b], ['reg', model.c], ['cls', model.d]] as const) asLinear(ref.getLayer(name), m);
    const args = { epochs: 2, batchSize: 4, shuffle: false, validationSplit: 0.25 };
    const h = await ref.fit([tf.tensor2d(X1), tf.tensor2d(X2)], [tf.tensor2d(Y1), tf.tensor2d(Y2)], args);
    const mine = await utils.fit(model, [torch.tensor(X1), torch.tensor(X2)], [torch.tensor(Y1), torch.tensor(Y2)], {
      ...args, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), outputNames: ['reg', 'cls'],
    });
    expect(Object.keys(mine.history).sort()).toEqual(Object.keys(h.history).sort());
    expect(Object.keys(mine.history).sort()).toEqual(['cls_loss', 'loss', 'reg_loss', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    for (const k of ['loss', 'reg_loss', 'cls_loss']) h.history[k].forEach((x, i) => expect(mine.history[k][i]).toBeCloseTo(x as number, 5));
    // tfjs's test function returns running totals [l0, l0 + l1] then [l0, l1] under the names [loss, reg_loss,
    // cls_loss], so its own val logs of a multi-output fit are shifted; utils.fit logs each under its name.
    h.history.val_loss.forEach((x, i) => expect(mine.history.val_reg_loss[i]).toBeCloseTo(x as number, 5));
    h.history.val_reg_loss.forEach((x, i) => expect(mine.history.val_loss[i]).toBeCloseTo(x as number, 5));
    h.history.val_reg_loss.forEach((x, i) => expect(mine.history.val_cls_loss[i]).toBeCloseTo((x as number) - (h.history.val_loss[i] as number), 5));
    // The total is the SUM of the outputs' losses: tfjs has no loss weights.
    expect(mine.history.loss[0]).toBeCloseTo(mine.history.reg_loss[0] + mine.history.cls_loss[0], 5);
    const k = ref.getLayer('cls').getWeights()[0].transpose().arraySync() as number[][];
    const w = model.d.weight.toArray() as number[][];
    k.forEach((row, i) => row.forEach((x, j) => expect(w[i][j]).toBeCloseTo(x, 5)));
  });

  test('one target per output: a forward returning one tensor for two targets is an error naming what to give', async () => {
    const m = new nn.Linear(3, 2);
    await expect(utils.fit(m, torch.tensor(X1), [torch.tensor(Y1), torch.tensor(Y1)], { loss: mseRows, optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) }))
      .rejects.toThrow(/2 targets were given, so model.forward must return 2 Tensors/);
    await expect(utils.fit(new TwoInTwoOut(), [torch.tensor(X1), torch.tensor(X2)], [torch.tensor(Y1), torch.tensor(Y2)], { loss: [mseRows], optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) }))
      .rejects.toThrow(/loss is an array of 1 function\(s\), but the model has 2 output\(s\)/);
  });
});

describe("classWeight keyed by output name (tfjs's other multi-output form), against tfjs", () => {
  test('{ cls: {...} } weighs the cls output only, as tfjs model.fit does; without outputNames it is an error, not dropped', async () => {
    await tf.setBackend('cpu');
    const ref = tfjsTwoInTwoOut();
    ref.compile({ optimizer: tf.train.sgd(0.2), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
    const model = new TwoInTwoOut();
    for (const [name, m] of [['a', model.a], ['b', model.b], ['reg', model.c], ['cls', model.d]] as const) asLinear(ref.getLayer(name), m);
    const classWeight = { cls: { 0: 1, 1: 4, 2: 0.25 } };
    const args = { epochs: 2, batchSize: 4, shuffle: false };
    const h = await ref.fit([tf.tensor2d(X1), tf.tensor2d(X2)], [tf.tensor2d(Y1), tf.tensor2d(Y2)], { ...args, classWeight });
    const mine = await utils.fit(model, [torch.tensor(X1), torch.tensor(X2)], [torch.tensor(Y1), torch.tensor(Y2)], {
      ...args, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.2 }), outputNames: ['reg', 'cls'], classWeight,
    });
    for (const k of ['loss', 'reg_loss', 'cls_loss']) h.history[k].forEach((x, i) => expect(mine.history[k][i], k).toBeCloseTo(x as number, 5));
    const k = ref.getLayer('cls').getWeights()[0].transpose().arraySync() as number[][];
    const w = model.d.weight.toArray() as number[][];
    k.forEach((row, i) => row.forEach((x, j) => expect(w[i][j]).toBeCloseTo(x, 5)));
    await expect(utils.fit(new TwoInTwoOut(), [torch.tensor(X1), torch.tensor(X2)], [torch.tensor(Y1), torch.tensor(Y2)], { ...args, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.2 }), classWeight }))
      .rejects.toThrow(/classWeight is keyed by output name \(cls\), but the outputs' names are not known here; pass outputNames/);
  });
});

describe('utils.fit with classWeight, against tfjs', () => {
  const X = data(N, 3, (i) => Math.sin(i * 0.61));
  const classWeight = { 0: 1, 1: 3, 2: 0.5 };

  test('the weighted losses and weights agree with tfjs model.fit({ classWeight }); validation stays unweighted', async () => {
    await tf.setBackend('cpu');
    const ref = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 3, activation: 'softmax' })] });
    ref.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Softmax(-1));
    asLinear(ref.layers[0], model.children()[0] as nn.Linear);
    const args = { epochs: 2, batchSize: 4, shuffle: false, validationSplit: 0.25 };
    const h = await ref.fit(tf.tensor2d(X), tf.tensor2d(Y2), { ...args, classWeight });
    const mine = await utils.fit(model, torch.tensor(X), torch.tensor(Y2), { ...args, loss: cceRows, optimizer: new optim.SGD(model.parameters(), { lr: 0.5 }), classWeight });
    expect(Object.keys(mine.history).sort()).toEqual(['loss', 'val_loss']);
    for (const [k, v] of Object.entries(h.history)) (v as number[]).forEach((x, i) => expect(mine.history[k][i]).toBeCloseTo(x, 5));
    const kRef = ref.layers[0].getWeights()[0].transpose().arraySync() as number[][];
    const w = (model.children()[0] as nn.Linear).weight.toArray() as number[][];
    kRef.forEach((row, i) => row.forEach((x, j) => expect(w[i][j]).toBeCloseTo(x, 5)));
  });

  test('by hand: mean(w · loss) over the batch (divided by the batch size, not by the sum of the weights)', async () => {
    // A model with no parameters that matter: the loss is the target's class index + 1, per sample.
    class Const extends nn.Module {
      p = nn.Parameter(torch.zeros([1]));
      forward(x: torch.Tensor) {
        return x.mul(this.p);
      }
    }
    const model = new Const();
    const y = torch.tensor([[1, 0], [0, 1], [0, 1]]);
    const loss = (_p: torch.Tensor, t: torch.Tensor) => t.argmax(1).to('float32').add(1).add(_p.sum(-1));
    const logs: number[] = [];
    await utils.fit(model, torch.zeros([3, 2]), y, { loss, optimizer: new optim.SGD(model.parameters(), { lr: 0 }), batchSize: 3, shuffle: false, classWeight: { 0: 2, 1: 5 }, callbacks: { onBatchEnd: (_b, l) => void logs.push(l!.loss) } });
    // (2·1 + 5·2 + 5·2) / 3, not / (2 + 5 + 5).
    expect(logs[0]).toBeCloseTo(22 / 3, 6);
  });

  test('errors: a class without a weight, a scalar loss, class weights for two outputs given as one object', async () => {
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Softmax(-1));
    const opts = { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }) };
    await expect(utils.fit(model, torch.tensor(X), torch.tensor(Y2), { ...opts, loss: cceRows, classWeight: { 0: 1, 1: 2 } })).rejects.toThrow(/class 2 is in y but not in classWeight/);
    await expect(utils.fit(model, torch.tensor(X), torch.tensor(Y2), { ...opts, loss: (p, t) => cceRows(p, t).mean(), classWeight })).rejects.toThrow(/classWeight needs the loss per sample, but loss returned a scalar/);
    // As tfjs: every class of y, the validation part's too (tfjs weighs the samples before it splits them).
    const onlyInVal = torch.tensor(CLS.map((_, i) => [0, 1, 2].map((k) => (k === (i < 9 ? i % 2 : 2) ? 1 : 0))));
    await expect(utils.fit(model, torch.tensor(X), onlyInVal, { ...opts, loss: cceRows, classWeight: { 0: 1, 1: 2 }, validationSplit: 0.25 })).rejects.toThrow(/class 2 is in y but not in classWeight/);
    await expect(utils.fit(new TwoInTwoOut(), [torch.tensor(X1), torch.tensor(X2)], [torch.tensor(Y1), torch.tensor(Y2)], { ...opts, loss: [mseRows, cceRows], classWeight })).rejects.toThrow(/classWeight must be an array with one object \(or null\) per output/);
  });
});
