/**
 * The written loop of a fit with two inputs and two outputs (writeFitLoop's `several` form, fit_steps.ts) run as
 * it stands beside utils.fit on the same model and data: the same callback events with the same logs (loss,
 * reg_loss, cls_loss), the same History (val_* included, from a validationSplit) and bit-identical parameters —
 * batched by the DataLoader and by hand. utils.fit itself is checked against tfjs in fit_outputs.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { torch, optim, utils, data } from 'torchbridge';
import { writeFitLoop, type LoopNames } from '../runtime/utils/fit_steps.js';
import { X1, X2, Y1, Y2, TwoInTwoOut } from './support/two_in_two_out.js';

/** The batch-mean losses migrate's compile writes (mse, cce on probabilities). */
const mse = (p: torch.Tensor, t: torch.Tensor) => p.sub(t).pow(2).mean();
const cce = (p: torch.Tensor, t: torch.Tensor) => torch.neg(torch.mul(t, torch.log(torch.clamp(torch.div(p, torch.sum(p, -1, true)), 1e-7, 1 - 1e-7))).sum(-1)).mean();
const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'];

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

function names(loader: boolean): LoopNames {
  return {
    model: 'model', x: '[x1, x2]', y: '[y1, y2]', loss: 'lossFn', optimizer: 'opt', metrics: [],
    batchSize: '4', epochs: '2', shuffle: 'false', validationSplit: '0.25',
    callbacks: { text: 'cbs', hooks: HOOKS }, history: { name: 'history', kw: 'const' },
    await: true, typed: false, loader, indent: '',
    several: { inputs: 2, outputs: 2, outputNames: ['reg', 'cls'], lossPerOutput: true },
  };
}

async function both(loader: boolean) {
  const [x1, x2, y1, y2] = [X1, X2, Y1, Y2].map((v) => torch.tensor(v));
  const results = [];
  for (const form of ['utils.fit', 'written'] as const) {
    torch.manualSeed(3);
    const model = new TwoInTwoOut();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const events: unknown[][] = [];
    const cbs = Object.fromEntries(HOOKS.map((h) => [h, (...a: unknown[]) => void events.push([h, ...a.map((v) => (v && typeof v === 'object' ? { ...v } : v))])]));
    let history: { history: Record<string, number[]> };
    if (form === 'utils.fit') {
      history = await utils.fit(model, [x1, x2], [y1, y2], { loss: [mse, cce], optimizer: opt, outputNames: ['reg', 'cls'], batchSize: 4, epochs: 2, shuffle: false, validationSplit: 0.25, callbacks: cbs });
    } else {
      const code = writeFitLoop(names(loader));
      const run = new AsyncFunction('torch', 'data', 'model', 'x1', 'x2', 'y1', 'y2', 'lossFn', 'opt', 'cbs', `${code}\nreturn history;`);
      history = (await run(torch, data, model, x1, x2, y1, y2, [mse, cce], opt, cbs)) as typeof history;
    }
    results.push({ events, history: history.history, params: model.parameters().map((p) => Array.from(p.dataSync() as Float32Array)) });
  }
  return results;
}

describe('the written loop with two inputs and two outputs and utils.fit', () => {
  test.each([['the DataLoader', true], ['batches by hand', false]])('batched by %s: the same events, logs, History and parameters', async (_name, loader) => {
    const [fit, written] = await both(loader as boolean);
    expect(written.events.map((e) => e.slice(0, 2))).toEqual(fit.events.map((e) => e.slice(0, 2)));
    // 9 training samples in batches of 4: 3 batches an epoch.
    expect(fit.events.filter((e) => e[0] === 'onBatchEnd')).toHaveLength(6);
    const batchEnd = written.events.find((e) => e[0] === 'onBatchEnd')![2] as Record<string, number>;
    expect(Object.keys(batchEnd).sort()).toEqual(['batch', 'cls_loss', 'loss', 'reg_loss', 'size']);
    expect(batchEnd.loss).toBeCloseTo(batchEnd.reg_loss + batchEnd.cls_loss, 6);
    fit.events.forEach((a, i) => {
      const b = written.events[i];
      if (a[2]) for (const [k, v] of Object.entries(a[2] as Record<string, number>)) expect((b[2] as Record<string, number>)[k], `${a[0]} ${k}`).toBeCloseTo(v, 6);
    });
    expect(Object.keys(written.history).sort()).toEqual(['cls_loss', 'loss', 'reg_loss', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    expect(Object.keys(written.history).sort()).toEqual(Object.keys(fit.history).sort());
    for (const [k, v] of Object.entries(fit.history)) v.forEach((x, i) => expect(written.history[k][i], k).toBeCloseTo(x, 6));
    // The steps are the same tensor ops in the same order: bit-identical parameters.
    expect(written.params).toEqual(fit.params);
  });

  test('one loss for every output; an output name that is not an identifier is quoted', () => {
    const code = writeFitLoop({ ...names(true), loss: 'mse', several: { inputs: 2, outputs: 2, outputNames: ['dense_Dense3', 'my-head'], lossPerOutput: false } });
    expect(code).toContain('const outputLosses = [mse(preds[0], batchYs[0]), mse(preds[1], batchYs[1])];');
    expect(code).toContain("dense_Dense3_loss: batchOutputLosses[0], 'my-head_loss': batchOutputLosses[1]");
    expect(code).toContain("logs['val_my-head_loss'] = valLosses[1].item();");
  });
});
