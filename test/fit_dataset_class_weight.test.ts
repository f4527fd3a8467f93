/**
 * utils.fitDataset with classWeight against TensorFlow.js's own fitDataset: tfjs weighs each batch's samples by
 * their class (training_dataset.ts: standardizeClassWeights + standardizeWeights per batch), the loss then
 * mean(w · loss); the weights of one output of two, a class without a weight an error naming fitDataset.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { optim, utils, data } from 'torchbridge';
import { N, X1, X2, Y1, Y2, mseRows, cceRows, twoInTwoOutPair, weightsOf } from './support/two_in_two_out.js';

const closeAll = (got: number[], want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i], `value ${i}`).toBeCloseTo(w, digits));
};
const rows = Array.from({ length: N }, (_, i) => ({ xs: { in1: X1[i], in2: X2[i] }, ys: { reg: Y1[i], cls: Y2[i] } }));
const names = { inputNames: ['in1', 'in2'], outputNames: ['reg', 'cls'] };

describe('utils.fitDataset with classWeight', () => {
  test("the cls output's class weights: tfjs's History (loss, reg_loss, cls_loss) and weights, batch by batch", async () => {
    await tf.setBackend('cpu');
    const { ref, model } = twoInTwoOutPair(0.1);
    const classWeight = [null, { 0: 1, 1: 3, 2: 0.5 }];
    const h = await ref.fitDataset(tf.data.array(rows).batch(5), { epochs: 2, classWeight: classWeight as never, verbose: 0 });
    const mine = await utils.fitDataset(model, data.fromArray(rows).batch(5), { epochs: 2, classWeight, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), ...names });
    for (const k of ['loss', 'reg_loss', 'cls_loss']) closeAll(mine.history[k], h.history[k] as number[]);
    const w = weightsOf(ref, model);
    closeAll(w.ours, w.ref);
    // Not the unweighted fit: the weights moved the loss.
    const { model: plain } = twoInTwoOutPair(0.1);
    const unweighted = await utils.fitDataset(plain, data.fromArray(rows).batch(5), { epochs: 1, loss: [mseRows, cceRows], optimizer: new optim.SGD(plain.parameters(), { lr: 0.1 }), ...names });
    expect(Math.abs(unweighted.history.cls_loss[0] - mine.history.cls_loss[0])).toBeGreaterThan(1e-3);
  });

  test('a class of a batch without a weight is an error naming fitDataset and classWeight, as in tfjs', async () => {
    await tf.setBackend('cpu');
    const { ref, model } = twoInTwoOutPair(0.1);
    const classWeight = [null, { 0: 1, 1: 3 }];
    await expect(ref.fitDataset(tf.data.array(rows).batch(5), { epochs: 1, classWeight: classWeight as never, verbose: 0 })).rejects.toThrow(/classWeight must contain all classes/);
    await expect(utils.fitDataset(model, data.fromArray(rows).batch(5), { epochs: 1, classWeight, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), ...names }))
      .rejects.toThrow(/fitDataset: classWeight\[1\] must give a weight to every class in the training data; class 2 is in y\[1\]/);
  });
});
