/**
 * runtime/utils/fit_steps.ts describes fit once: utils.fit runs its steps, writeFitLoop writes them out. Here the
 * written loop is executed as it stands (JavaScript) beside utils.fit on the same model and data: the callbacks
 * see the same events in the same order with the same logs, a callback's `model.stopTraining` ends both at the
 * same place (skipping the epoch's validation when it stops before the last batch, as tfjs does), and both end
 * with the same parameter and History. The file imports types only, so the transpiler can load it without the runtime.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ts } from 'ts-morph';
import { torch, nn, optim, utils, data } from 'torchbridge';
import { writeFitLoop, LOOP_CALLBACKS, type LoopNames } from '../runtime/utils/fit_steps.js';

class Scale extends nn.Module {
  w: torch.Tensor;
  constructor() {
    super();
    this.w = nn.Parameter(torch.tensor([0.5], { dtype: 'float32' }));
  }
  forward(x: torch.Tensor): torch.Tensor {
    return x.mul(this.w);
  }
}

const col = (v: number[]) => torch.tensor(v.map((a) => [a]), { dtype: 'float32' });
const mse = (p: torch.Tensor, t: torch.Tensor) => p.sub(t).pow(2).mean();
const mae = (p: torch.Tensor, t: torch.Tensor) => p.sub(t).abs().mean();
const HOOKS = Object.keys(LOOP_CALLBACKS).filter((k) => k !== 'onYield');

type Event = [string, ...unknown[]];

/** Callbacks that record every event; `stop(event, epoch)` true sets model.stopTraining in that event. */
function recorder(model: nn.Module, stop?: (ev: Event, epoch: number) => boolean): { cbs: Record<string, (...a: unknown[]) => void>; events: Event[] } {
  const events: Event[] = [];
  const cbs: Record<string, (...a: unknown[]) => void> = {};
  let epoch = -1;
  for (const h of HOOKS) {
    cbs[h] = (...args: unknown[]) => {
      const ev: Event = [h, ...args.map((a) => (a && typeof a === 'object' ? { ...(a as object) } : a))];
      events.push(ev);
      if (h === 'onEpochBegin') epoch = args[0] as number;
      if (stop?.(ev, epoch)) model.stopTraining = true;
    };
  }
  return { cbs, events };
}

const NAMES: LoopNames = {
  model: 'model', x: 'x', y: 'y', loss: 'lossFn', optimizer: 'opt', metrics: [{ key: 'mae', fn: 'maeFn' }],
  batchSize: '2', epochs: '3', shuffle: 'false', validationData: { pair: ['vx', 'vy'], text: '[vx, vy]' },
  callbacks: { text: 'cbs', hooks: HOOKS }, history: { name: 'history', kw: 'const' },
  await: true, typed: false, loader: true, indent: '',
};

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

async function both(stop?: (ev: Event, epoch: number) => boolean) {
  const x = col([1, 2, 3, 4, 5]);
  const y = col([2, 4, 6, 8, 10]);
  const vx = col([6, 7]);
  const vy = col([12, 14]);
  const results = [];
  for (const form of ['utils.fit', 'written'] as const) {
    const model = new Scale();
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const { cbs, events } = recorder(model, stop);
    let history: { history: Record<string, number[]> };
    if (form === 'utils.fit') {
      history = await utils.fit(model, x, y, { loss: mse, optimizer: opt, metrics: { mae }, batchSize: 2, epochs: 3, shuffle: false, validationData: [vx, vy], callbacks: cbs });
    } else {
      const run = new AsyncFunction('torch', 'data', 'model', 'x', 'y', 'lossFn', 'opt', 'maeFn', 'vx', 'vy', 'cbs', `${writeFitLoop(NAMES)}\nreturn history;`);
      history = (await run(torch, data, model, x, y, mse, opt, mae, vx, vy, cbs)) as typeof history;
    }
    results.push({ events, history: history.history, w: model.w.item() });
  }
  return results;
}

describe('the written loop and utils.fit: one description', () => {
  test('same callback events, logs, History and parameter', async () => {
    const [fit, written] = await both();
    expect(written.events.map((e) => e[0])).toEqual(fit.events.map((e) => e[0]));
    expect(fit.events.filter((e) => e[0] === 'onBatchEnd')).toHaveLength(9);
    for (let i = 0; i < fit.events.length; i++) {
      const [a, b] = [fit.events[i], written.events[i]];
      expect(b[1]).toEqual(a[1]);
      if (a[2]) for (const [k, v] of Object.entries(a[2] as Record<string, number>)) expect((b[2] as Record<string, number>)[k], `${a[0]} ${k}`).toBeCloseTo(v, 5);
    }
    expect(written.w).toBe(fit.w);
    expect(Object.keys(written.history).sort()).toEqual(Object.keys(fit.history).sort());
    expect(fit.history.val_loss).toHaveLength(3);
  });

  test.each([
    ["epoch 1's first onBatchEnd (before the last batch: that epoch has no validation)", (ev: Event, epoch: number) => ev[0] === 'onBatchEnd' && epoch === 1 && ev[1] === 0, 2, 1],
    ["epoch 1's last onBatchEnd (validation kept)", (ev: Event, epoch: number) => ev[0] === 'onBatchEnd' && epoch === 1 && ev[1] === 2, 2, 2],
    ["epoch 0's onEpochEnd", (ev: Event) => ev[0] === 'onEpochEnd' && ev[1] === 0, 1, 1],
  ])('a callback setting model.stopTraining in %s ends both at the same place', async (_name, stop, epochs, validated) => {
    const [fit, written] = await both(stop);
    expect(written.events.map((e) => e.slice(0, 2))).toEqual(fit.events.map((e) => e.slice(0, 2)));
    expect(fit.events.at(-1)?.[0]).toBe('onTrainEnd');
    expect(fit.history.loss).toHaveLength(epochs);
    expect(written.history.loss).toHaveLength(epochs);
    expect(fit.history.val_loss).toHaveLength(validated);
    expect(written.history.val_loss).toHaveLength(validated);
    written.history.val_loss.forEach((v, i) => expect(v).toBeCloseTo(fit.history.val_loss[i], 5));
    expect(written.w).toBe(fit.w);
  });

  test('the file imports types only (the transpiler loads it without the runtime)', () => {
    const file = join(import.meta.dirname, '..', 'runtime', 'utils', 'fit_steps.ts');
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const imports = sf.statements.filter(ts.isImportDeclaration);
    expect(imports.length).toBeGreaterThan(0);
    for (const i of imports) expect(i.importClause?.isTypeOnly, i.getText(sf)).toBe(true);
  });
});
