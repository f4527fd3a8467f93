/** LR schedulers against PyTorch's sequences (hand-computed here) and closed forms. */
import { describe, it, expect } from 'vitest';
import * as torch from '../runtime/torch.js';
import * as optim from '../runtime/optim/index.js';

const sgd = (lr = 1, groups = 1) =>
  new optim.SGD(Array.from({ length: groups }, () => ({ params: [torch.zeros(1, { requiresGrad: true })] })), { lr });

/** lr after construction (epoch 0) and after each of `steps` further step() calls. */
function lrs(s: optim.LRScheduler, steps: number, group = 0): number[] {
  const out = [s.getLastLr()[group]];
  for (let i = 0; i < steps; i++) {
    s.step();
    out.push(s.getLastLr()[group]);
  }
  return out;
}

function expectSeq(actual: number[], expected: number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    if (Math.abs(v - expected[i]) > tol) throw new Error(`epoch ${i}: got ${v}, expected ${expected[i]}`);
  });
}

describe('LRScheduler basics', () => {
  it('construction records initialLr and performs the initial step (lastEpoch 0)', () => {
    const opt = sgd(0.1);
    const s = new optim.StepLR(opt, { stepSize: 2 });
    expect(opt.paramGroups[0].initialLr).toBe(0.1);
    expect(s.lastEpoch).toBe(0);
    expect(s.baseLrs).toEqual([0.1]);
    expect(s.getLastLr()).toEqual([0.1]);
  });

  it('the optimizer steps with the scheduled lr', () => {
    const p = torch.tensor([0], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const s = new optim.ExponentialLR(opt, { gamma: 0.5 });
    for (let epoch = 0; epoch < 3; epoch++) {
      p.grad = torch.tensor([1], { dtype: 'float64' });
      opt.step();
      s.step();
    }
    expect(p.item()).toBe(-(1 + 0.5 + 0.25));
  });

  it('rejects what is not an optimizer, and resuming without initialLr', () => {
    expect(() => new optim.StepLR({} as never, { stepSize: 1 })).toThrow('StepLR: Object is not an Optimizer');
    expect(() => new optim.StepLR(sgd(), { stepSize: 1, lastEpoch: 4 })).toThrow("param 'initialLr' is not specified in paramGroups[0]");
    expect(() => new optim.StepLR(sgd(), { stepSize: 0 })).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new optim.CosineAnnealingLR(sgd(), { tMax: 0 })).toThrow('CosineAnnealingLR: tMax must be a positive number');
  });
});

describe('schedules', () => {
  it('StepLR: ×0.1 every 2 epochs', () => {
    expectSeq(lrs(new optim.StepLR(sgd(1), { stepSize: 2, gamma: 0.1 }), 7), [1, 1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  });

  it('MultiStepLR: a repeated milestone decays twice', () => {
    expectSeq(lrs(new optim.MultiStepLR(sgd(1), { milestones: [5, 2, 5] }), 6), [1, 1, 0.1, 0.1, 0.1, 0.001, 0.001]);
  });

  it('ExponentialLR: initialLr · gamma^epoch', () => {
    expectSeq(lrs(new optim.ExponentialLR(sgd(0.2), { gamma: 0.9 }), 10), Array.from({ length: 11 }, (_, t) => 0.2 * 0.9 ** t));
  });

  it.each([[10, 0], [7, 0.001], [1, 0.01]])('CosineAnnealingLR (tMax %d, etaMin %d) follows the cosine for 2·tMax epochs', (tMax, etaMin) => {
    const base = 0.1;
    const got = lrs(new optim.CosineAnnealingLR(sgd(base), { tMax, etaMin }), 2 * tMax);
    // t ≤ tMax: PyTorch's documented closed form; past tMax the lr climbs back along the same cosine.
    const closed = Array.from({ length: 2 * tMax + 1 }, (_, t) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
    expectSeq(got, closed, 1e-12);
    expect(got[tMax]).toBeCloseTo(etaMin, 15);
  });

  it('LambdaLR: one function, or one per group', () => {
    expectSeq(lrs(new optim.LambdaLR(sgd(0.5), (e) => 1 / (e + 1)), 3), [0.5, 0.25, 0.5 / 3, 0.125]);
    const s = new optim.LambdaLR(sgd(1, 2), { lrLambda: [(e) => e, (e) => 2 ** e] });
    s.step();
    s.step();
    expect(s.getLastLr()).toEqual([2, 4]);
    expect(() => new optim.LambdaLR(sgd(1, 2), [(e) => e])).toThrow('LambdaLR: Expected 2 lr_lambdas, but got 1');
  });

  it('recursive forms carry over a hand-made lr change, as in PyTorch', () => {
    const opt = sgd(1);
    const s = new optim.ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    opt.paramGroups[0].lr = 10;
    s.step();
    expect(s.getLastLr()).toEqual([5]);
  });
});

describe('state dicts', () => {
  it('a scheduler restored from stateDict() continues identically', () => {
    const optA = sgd(0.1);
    const a = new optim.CosineAnnealingLR(optA, { tMax: 6, etaMin: 0.001 });
    for (let i = 0; i < 4; i++) a.step();
    const sd = a.stateDict();
    expect(sd).toMatchObject({ lastEpoch: 4, tMax: 6, etaMin: 0.001, baseLrs: [0.1] });
    expect(sd).not.toHaveProperty('optimizer');

    const optB = sgd(0.1);
    optB.loadStateDict(optA.stateDict());
    const b = new optim.CosineAnnealingLR(optB, { tMax: 6, etaMin: 0.001 });
    b.loadStateDict(sd);
    expect(b.getLastLr()).toEqual(a.getLastLr());
    for (let i = 0; i < 8; i++) {
      a.step();
      b.step();
      expect(optB.paramGroups[0].lr).toBe(optA.paramGroups[0].lr);
    }
  });

  it('LambdaLR leaves its functions out of the state dict', () => {
    const s = new optim.LambdaLR(sgd(), (e) => e);
    expect(s.stateDict()).not.toHaveProperty('lrLambdas');
    expect(s.stateDict()).toHaveProperty('lastEpoch', 0);
  });
});
