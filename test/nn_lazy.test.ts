// Lazy modules (nn.LazyLinear, LazyConv1d/2d, LazyConvTranspose2d, LazyBatchNorm1d/2d): sized by their first call, same parameter
// objects before and after (optimizers built early keep working), PyTorch's init once sized, whenMaterialized
// for custom initialisation, loadStateDict materializes, and placeholders refuse to be read or initialised.
import { describe, expect, it } from 'vitest';
import { torch, nn, optim, F } from '../runtime/index.js';
import { backends } from './support/backends.js';

const values = async (t: torch.Tensor) => Array.from(await t.data());

describe('nn.LazyLinear', () => {
  it('takes inFeatures from the first input and becomes an nn.Linear initialised as one', () => {
    const x = torch.randn(5, 7);
    torch.manualSeed(3);
    const eager = new nn.Linear(7, 4);
    torch.manualSeed(3);
    const lazy = new nn.LazyLinear(4);
    const [w, b] = lazy.parameters();
    expect(w.shape).toEqual([4, 0]);
    expect(nn.isLazy(lazy)).toBe(true);
    expect(nn.isUninitialized(w)).toBe(true);
    const y = lazy.forward(x);
    expect(y.shape).toEqual([5, 4]);
    expect(lazy.parameters()[0]).toBe(w); // same objects: an optimizer built before the call holds the real ones
    expect(lazy.parameters()[1]).toBe(b);
    expect(w.shape).toEqual([4, 7]);
    expect(lazy.inFeatures).toBe(7);
    expect(lazy).toBeInstanceOf(nn.Linear);
    expect(lazy).not.toBeInstanceOf(nn.LazyLinear);
    expect(nn.isLazy(lazy)).toBe(false);
    expect(lazy.toString()).toBe('Linear(in_features=7, out_features=4, bias=True)');
    expect(Array.from(w.dataSync())).toEqual(Array.from(eager.weight.dataSync()));
    expect(Array.from(b.dataSync())).toEqual(Array.from(eager.bias!.dataSync()));
    expect(Array.from(y.dataSync())).toEqual(Array.from(eager.forward(x).dataSync()));
  });

  it('trains with an optimizer built before the first call, with the gradients of an eager Linear', () => {
    torch.manualSeed(0);
    const lazy = new nn.Sequential(new nn.LazyLinear(8), new nn.ReLU(), new nn.LazyLinear(3));
    const opt = new optim.Adam(lazy.parameters(), { lr: 0.05 });
    const x = torch.randn(16, 5);
    const target = torch.randint(0, 3, [16]);
    lazy.forward(x);
    const eager = new nn.Sequential(new nn.Linear(5, 8), new nn.ReLU(), new nn.Linear(8, 3));
    eager.loadStateDict(lazy.stateDict());
    const eagerOpt = new optim.Adam(eager.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      for (const [m, o] of [[lazy, opt], [eager, eagerOpt]] as const) {
        o.zeroGrad();
        const loss = F.crossEntropy(m.forward(x), target);
        loss.backward();
        o.step();
        if (m === lazy) losses.push(loss.item());
      }
    }
    const lp = lazy.parameters(), ep = eager.parameters();
    for (let i = 0; i < lp.length; i++) expect(Array.from(lp[i].dataSync())).toEqual(Array.from(ep[i].dataSync()));
    expect(losses[19]).toBeLessThan(losses[0] * 0.8);
  });

  it('whenMaterialized runs now for sized modules and after the first call for lazy ones, once', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.LazyLinear(2));
    const seen: string[] = [];
    nn.whenMaterialized(model, (m) => {
      if (m instanceof nn.Linear) {
        seen.push(`${m.inFeatures}->${m.outFeatures}`);
        nn.init.constant_(m.weight, 0.5);
      }
    });
    expect(seen).toEqual(['3->4']);
    const y = model.forward(torch.ones(1, 3));
    expect(seen).toEqual(['3->4', '4->2']);
    // constant 0.5 kernels: layer 1 gives 1.5 + b1 per unit, layer 2 sums four of those
    const b1 = Array.from((model.at(0) as nn.Linear).bias!.dataSync());
    const b2 = Array.from((model.at(1) as nn.Linear).bias!.dataSync());
    const h = b1.reduce((s, v) => s + 0.5 * (1.5 + v), 0);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(h + b2[i], 5));
    model.forward(torch.ones(1, 3));
    expect(seen).toHaveLength(2);
  });

  it('refuses to initialise or multiply a placeholder, naming the module', () => {
    const lazy = new nn.LazyLinear(4);
    expect(() => nn.init.xavierUniform_(lazy.weight)).toThrow(/xavierUniform_: LazyLinear\.weight is an uninitialized parameter of a lazy module.*whenMaterialized/);
    expect(() => nn.init.calculateFanInAndFanOut(lazy.weight)).toThrow(/LazyLinear\.weight/);
    expect(() => lazy.forward(torch.tensor(3))).toThrow(/LazyLinear: expected an input of at least 1 dimensions/);
  });

  it('loadStateDict materializes from the checkpoint shapes and values', () => {
    const src = new nn.Sequential(new nn.Linear(6, 3), new nn.BatchNorm1d(3));
    const dst = new nn.Sequential(new nn.LazyLinear(3), new nn.LazyBatchNorm1d());
    dst.loadStateDict(src.stateDict());
    expect(dst.at(0)).toBeInstanceOf(nn.Linear);
    expect((dst.at(0) as nn.Linear).inFeatures).toBe(6);
    expect((dst.at(1) as nn.BatchNorm1d).numFeatures).toBe(3);
    const x = torch.randn(4, 6);
    src.eval(); dst.eval();
    expect(Array.from(dst.forward(x).dataSync())).toEqual(Array.from(src.forward(x).dataSync()));
    // A wrong checkpoint is still an error after materialization.
    expect(() => new nn.Sequential(new nn.LazyLinear(5)).loadStateDict(src.stateDict(), { strict: false })).toThrow(/size mismatch for 0\.weight/);
  });
});

describe('nn.LazyConv1d / LazyConv2d', () => {
  it('take inChannels from dim -3 (2d) / -2 (1d) and match the eager convolution', () => {
    const x = torch.randn(2, 3, 8, 8);
    torch.manualSeed(9);
    const eager = new nn.Conv2d(3, 4, 3, { padding: 1 });
    torch.manualSeed(9);
    const lazy = new nn.LazyConv2d(4, 3, { padding: 1 });
    const y = lazy.forward(x);
    expect(lazy).toBeInstanceOf(nn.Conv2d);
    expect(lazy.inChannels).toBe(3);
    expect(lazy.weight.shape).toEqual([4, 3, 3, 3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(eager.forward(x).dataSync()));
    const c1 = new nn.LazyConv1d(6, 2, { groups: 2 });
    expect(c1.forward(torch.randn(1, 4, 5)).shape).toEqual([1, 6, 4]);
    expect(c1.weight.shape).toEqual([6, 2, 2]);
    expect(() => new nn.LazyConv1d(6, 2, { groups: 2 }).forward(torch.randn(1, 3, 5))).toThrow(/LazyConv1d: the input's 3 channels must be divisible by groups \(2\)/);
  });
});

describe('nn.LazyConvTranspose2d', () => {
  it('takes inChannels from dim -3, weight [in, out/groups, kH, kW], matches the eager module and its gradients', () => {
    const x = torch.randn(2, 3, 5, 5);
    torch.manualSeed(4);
    const eager = new nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 });
    torch.manualSeed(4);
    const lazy = new nn.LazyConvTranspose2d(4, 3, { stride: 2, padding: 1, outputPadding: 1 });
    const opt = new optim.SGD(lazy.parameters(), { lr: 0.1 });
    const y = lazy.forward(x);
    expect(lazy).toBeInstanceOf(nn.ConvTranspose2d);
    expect(lazy).not.toBeInstanceOf(nn.LazyConvTranspose2d);
    expect(lazy.inChannels).toBe(3);
    expect(lazy.weight.shape).toEqual([3, 4, 3, 3]);
    expect(y.shape).toEqual([2, 4, 10, 10]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(eager.forward(x).dataSync()));
    y.sum().backward();
    eager.forward(x).sum().backward();
    expect(Array.from(lazy.weight.grad!.dataSync())).toEqual(Array.from(eager.weight.grad!.dataSync()));
    opt.step(); // the optimizer built before the first call holds the materialized parameters
    expect(Array.from(lazy.weight.dataSync())).not.toEqual(Array.from(eager.weight.dataSync()));
    expect(() => new nn.LazyConvTranspose2d(4, 2, { groups: 2 }).forward(torch.randn(1, 3, 4, 4))).toThrow(/LazyConvTranspose2d: the input's 3 channels must be divisible by groups \(2\)/);
  });

  it('loadStateDict takes inChannels from dim 0 of the checkpoint weight', () => {
    const src = new nn.ConvTranspose2d(5, 2, 2);
    const dst = new nn.LazyConvTranspose2d(2, 2);
    dst.loadStateDict(src.stateDict());
    expect(dst.inChannels).toBe(5);
    const x = torch.randn(1, 5, 3, 3);
    expect(Array.from(dst.forward(x).dataSync())).toEqual(Array.from(src.forward(x).dataSync()));
  });
});

describe('nn.LazyBatchNorm1d / LazyBatchNorm2d', () => {
  it('size weight, bias and running statistics from dim 1 and normalise as the eager layer', () => {
    const x = torch.randn(6, 5, 3, 3);
    const eager = new nn.BatchNorm2d(5);
    const lazy = new nn.LazyBatchNorm2d();
    expect(lazy.runningMean!.shape).toEqual([0]);
    const y = lazy.forward(x);
    expect(lazy).toBeInstanceOf(nn.BatchNorm2d);
    expect(lazy.numFeatures).toBe(5);
    expect(Array.from(y.dataSync())).toEqual(Array.from(eager.forward(x).dataSync()));
    expect(Array.from(lazy.runningVar!.dataSync())).toEqual(Array.from(eager.runningVar!.dataSync()));
    expect(() => new nn.LazyBatchNorm1d().forward(torch.randn(2, 3, 4, 5))).toThrow(/BatchNorm1d: expected 2D or 3D input/);
  });
});

describe.each(backends)('lazy modules on %s', (device) => {
  it('materialize on the device the placeholders were moved to', async () => {
    torch.manualSeed(1);
    const lazy = new nn.Sequential(new nn.LazyLinear(3), new nn.Tanh()).to(device);
    const opt = new optim.SGD(lazy.parameters(), { lr: 0.1 });
    const x = torch.randn(4, 2).to(device);
    const loss = lazy.forward(x).square().mean();
    loss.backward();
    opt.step();
    const w = lazy.parameters()[0];
    expect(w.device.type).toBe(device);
    expect(w.shape).toEqual([3, 2]);
    expect((await values(w)).every(Number.isFinite)).toBe(true);
    expect(await values(w.grad!)).not.toEqual([0, 0, 0, 0, 0, 0]);
  });
});
