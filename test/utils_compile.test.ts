// utils.compile: tfjs's model.compile as a record on the model, used by utils.fit / utils.evaluate where their
// options leave loss, optimizer or metrics out; explicit options win; an uncompiled model is a clear error.
import { describe, expect, it } from 'vitest';
import { torch, nn, optim, F, utils } from '../runtime/index.js';

function setup() {
  torch.manualSeed(5);
  const model = new nn.Linear(2, 1);
  const x = torch.randn(32, 2);
  const y = x.matmul(torch.tensor([[1.5], [-2]])).add(0.25);
  return { model, x, y };
}

describe('utils.compile', () => {
  it('fit with the record trains exactly as fit with the same options passed', async () => {
    const a = setup();
    const optA = new optim.SGD(a.model.parameters(), { lr: 0.1 });
    utils.compile(a.model, { optimizer: optA, loss: (p, t) => F.mseLoss(p, t), metrics: { mae: (p, t) => p.sub(t).abs().mean() } });
    const hA = await utils.fit(a.model, a.x, a.y, { epochs: 3, batchSize: 8, shuffle: false });
    const b = setup();
    const optB = new optim.SGD(b.model.parameters(), { lr: 0.1 });
    const hB = await utils.fit(b.model, b.x, b.y, { loss: (p, t) => F.mseLoss(p, t), optimizer: optB, metrics: { mae: (p, t) => p.sub(t).abs().mean() }, epochs: 3, batchSize: 8, shuffle: false });
    expect(hA.history).toEqual(hB.history);
    expect(Object.keys(hA.history)).toEqual(['loss', 'mae']);
    expect(Array.from(a.model.weight.dataSync())).toEqual(Array.from(b.model.weight.dataSync()));
    const [loss, mae] = utils.evaluate(a.model, a.x, a.y) as torch.Tensor[];
    expect(loss.item()).toBeCloseTo(F.mseLoss(a.model.forward(a.x), a.y).item(), 6);
    expect(mae.item()).toBeGreaterThan(0);
  });

  it('explicit options win over the record', () => {
    const { model, x, y } = setup();
    utils.compile(model, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss: (p, t) => F.mseLoss(p, t) });
    const l1 = utils.evaluate(model, x, y, { loss: (p, t) => F.l1Loss(p, t) }) as torch.Tensor;
    expect(l1.item()).toBeCloseTo(F.l1Loss(model.forward(x), y).item(), 6);
  });

  it('an uncompiled model is an error that says what to do, and compile checks its config', async () => {
    const { model, x, y } = setup();
    await expect(utils.fit(model, x, y, { epochs: 1 })).rejects.toThrow(/fit: no loss: the model was not compiled .*call utils\.compile\(model, \{ optimizer, loss \}\) first/);
    expect(() => utils.evaluate(model, x, y)).toThrow(/evaluate: no loss: the model was not compiled/);
    expect(() => utils.compile(model, { optimizer: {} as never, loss: (p, t) => F.mseLoss(p, t) })).toThrow(/compile: optimizer must be an optimizer/);
    expect(() => utils.compile(model, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss: 'mse' as never })).toThrow(/compile: loss must be a function/);
    expect(() => utils.compile(model, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss: (p: torch.Tensor, t: torch.Tensor) => F.mseLoss(p, t), lossWeights: [1] } as never)).toThrow(/compile: unknown option 'lossWeights'/);
  });
});
