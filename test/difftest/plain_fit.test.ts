/**
 * The candidate's overhead baseline (`diff --measure-plain`, difftest/program/plain_fit.ts) trains as many steps
 * as the probed run (--steps), with one input or several: counted by the batches utils.fit reports to a callback,
 * with the batch sizes and the validation set the program asked for.
 */
import { describe, expect, test } from 'vitest';
import { torch, nn, optim, type utils } from 'torchbridge';
import { plainFit } from '../../difftest/program/plain_fit.js';
import { X1, X2, Y1, Y2, mseRows, cceRows, TwoInTwoOut } from '../support/two_in_two_out.js';

/** The sizes of the batches a fit ran, and the epochs' logs. */
function counting(): { sizes: number[]; epochs: Record<string, number>[]; callbacks: utils.FitCallbacks } {
  const sizes: number[] = [];
  const epochs: Record<string, number>[] = [];
  return { sizes, epochs, callbacks: { onBatchEnd: (_b, logs) => void sizes.push(logs!.size), onEpochEnd: (_e, logs) => void epochs.push({ ...logs! }) } };
}

describe('plainFit honours --steps', () => {
  // 12 samples, validationSplit 0.25: 9 train in batches of 4 (4, 4, 1), 3 validate.
  const base = { batchSize: 4, validationSplit: 0.25, shuffle: false };

  test('two inputs and two outputs: 4 steps over 3 epochs are a whole epoch then one batch, each epoch validated on the tail', async () => {
    const model = new TwoInTwoOut();
    const c = counting();
    const h = await plainFit(model, [torch.tensor(X1), torch.tensor(X2)], [torch.tensor(Y1), torch.tensor(Y2)], {
      ...base, epochs: 3, loss: [mseRows, cceRows], optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), outputNames: ['reg', 'cls'], callbacks: c.callbacks,
    }, { steps: 4 });
    expect(c.sizes).toEqual([4, 4, 1, 4]);
    expect(h.epoch).toEqual([0, 1]);
    // The second epoch, cut to one batch, still validates on the program's 3 held-out samples, under tfjs's keys.
    expect(Object.keys(c.epochs[1]).sort()).toEqual(['cls_loss', 'loss', 'reg_loss', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    expect(c.epochs[1].val_loss).toBeCloseTo(c.epochs[1].val_reg_loss + c.epochs[1].val_cls_loss, 5);
  });

  test('one input: the same cut; without --steps, --epochs whole epochs', async () => {
    const model = new nn.Linear(3, 2);
    const opts = { ...base, loss: mseRows, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }) };
    const c = counting();
    await plainFit(model, torch.tensor(X1), torch.tensor(Y1), { ...opts, epochs: 5, callbacks: c.callbacks }, { steps: 5 });
    expect(c.sizes).toEqual([4, 4, 1, 4, 4]);
    const whole = counting();
    await plainFit(model, torch.tensor(X1), torch.tensor(Y1), { ...opts, epochs: 5, callbacks: whole.callbacks }, { epochs: 2 });
    expect(whole.sizes).toEqual([4, 4, 1, 4, 4, 1]);
  });
});
