/**
 * Gradients. Part 1: every op case marked `grad: true` through torch.autograd.gradcheck (central finite
 * differences in float64). Part 2: the autograd engine itself — accumulation, retainGraph, noGrad, detach,
 * higher order, autograd.grad, version counters — and deterministic memory under tidy.
 */
import { bugLabel } from '../support/op_case.js';
import { describe, expect, test } from 'vitest';
import * as torch from '../../runtime/torch.js';
import type { Tensor } from '../../runtime/tensor.js';
import { cases } from './cases.js';
import * as F from '../../runtime/ops/activation.js';
import { runGradCase } from '../support/run_case.js';
import { assertClose } from '../support/assert_close.js';

const showBugs = !!process.env.TORCHBRIDGE_SHOW_KNOWN_BUGS;

describe('gradcheck (float64 central differences)', () => {
  for (const c of cases.filter((k) => k.grad)) {
    const bug = c.knownGradBug ?? c.knownBug;
    const run = () => { runGradCase(c); };
    if (bug && !showBugs) test.fails(`${c.name} [${bugLabel(bug)}]`, run);
    else test(c.name, run);
  }
});

const f64 = (v: number[], shape?: number[]) => torch.tensor(v, { dtype: 'float64', requiresGrad: true, ...(shape ? { shape } : {}) });

describe('gradcheck itself', () => {
  test('catches a wrong gradient rule', () => {
    // d/dx (x·detach(x)) is detach(x) for autograd, 2x for finite differences.
    const x = torch.tensor([0.5, -1.5, 2], { dtype: 'float64' });
    expect(() => torch.autograd.gradcheck((a) => a.mul(a.detach()), [x])).toThrow(/gradcheck: input 0, element 0/);
  });

  test('accepts a right one and returns a small error', () => {
    const x = torch.tensor([0.5, -1.5, 2], { dtype: 'float64' });
    expect(torch.autograd.gradcheck((a) => a.mul(a), [x])).toBeLessThan(1e-6);
  });

  test('rejects float32 inputs', () => {
    expect(() => torch.autograd.gradcheck((a) => a.exp(), [torch.ones(2)])).toThrow(/float64/);
  });

  const nanGradient = () => {
    // sqrt(x²) at 0: the analytical gradient is 0/0 = NaN, the numerical one 0. gradcheck must fail, not pass.
    const x = torch.tensor([0], { dtype: 'float64' });
    torch.autograd.gradcheck((a) => a.square().sqrt(), [x]);
  };
  test('fails on a NaN analytical gradient', () => expect(nanGradient).toThrow(/analytical gradient NaN/));
});

describe('gradients at ties and kinks (PyTorch conventions)', () => {
  test('amax: tied maxima share the gradient evenly', () => {
    const x = f64([1, 3, 3, 2]);
    x.amax().backward();
    assertClose(x.grad!, torch.tensor([0, 0.5, 0.5, 0], { dtype: 'float64' }));
  });

  test('max(dim): the gradient goes to the first index of the maximum', () => {
    const x = f64([3, 1, 3, 5, 5, 0], [2, 3]);
    x.max(1).values.sum().backward();
    assertClose(x.grad!, torch.tensor([[1, 0, 0], [1, 0, 0]], { dtype: 'float64' }));
  });

  test('maximum / minimum: a tie splits 0.5 / 0.5', () => {
    const a = f64([1, 2]), b = f64([1, 3]);
    a.maximum(b).sum().backward();
    assertClose(a.grad!, torch.tensor([0.5, 0], { dtype: 'float64' }));
    assertClose(b.grad!, torch.tensor([0.5, 1], { dtype: 'float64' }));
  });

  test('relu and abs have gradient 0 at 0; clamp passes gradient at the bounds', () => {
    const x = f64([0, -1, 2]);
    x.relu().sum().backward();
    assertClose(x.grad!, torch.tensor([0, 0, 1], { dtype: 'float64' }));
    const y = f64([0, -1, 2]);
    y.abs().sum().backward();
    assertClose(y.grad!, torch.tensor([0, -1, 1], { dtype: 'float64' }));
    const z = f64([-1, 0.5, 1]);
    z.clamp(-1, 1).sum().backward();
    assertClose(z.grad!, torch.tensor([1, 1, 1], { dtype: 'float64' }));
  });

  test('pow: d/db a^b at a = 0 is 0, not NaN', () => {
    const a = f64([0, 2]), b = f64([2, 3]);
    a.pow(b).sum().backward();
    assertClose(b.grad!, torch.tensor([0, 8 * Math.log(2)], { dtype: 'float64' }));
  });
});

describe('autograd engine', () => {
  test('.grad accumulates on leaves across two backward calls', () => {
    const x = f64([1, 2, 3]);
    x.square().sum().backward();
    x.square().sum().backward();
    assertClose(x.grad!, torch.tensor([4, 8, 12], { dtype: 'float64' }));
  });

  test('a leaf used twice in one graph gets both contributions', () => {
    const x = f64([1, 2]);
    x.mul(x).add(x).sum().backward();
    assertClose(x.grad!, torch.tensor([3, 5], { dtype: 'float64' }));
  });

  test('retainGraph: a second backward works with it and accumulates', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    assertClose(x.grad!, torch.tensor([2 * Math.E, 2 * Math.exp(2)], { dtype: 'float64' }));
  });

  test('retainGraph: a second backward without it throws a message that names retainGraph', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/second time[\s\S]*retainGraph: true/);
  });

  test('backward of a non-scalar needs an explicit gradient', () => {
    const x = f64([1, 2]);
    const y = x.mul(3);
    expect(() => y.backward()).toThrow(/scalar outputs.*shape \[2\]/);
    y.backward(torch.tensor([1, 10], { dtype: 'float64' }));
    assertClose(x.grad!, torch.tensor([3, 30], { dtype: 'float64' }));
  });

  test('noGrad: nothing is recorded; grad mode is restored afterwards (even after a throw)', () => {
    const x = f64([1, 2]);
    const y = torch.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(torch.isGradEnabled()).toBe(true);
    expect(() => torch.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
    const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
  });

  test('detach: shares storage, requires no grad, blocks the gradient', () => {
    const x = f64([1, 2]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(x.storage);
    x.mul(d).sum().backward();
    assertClose(x.grad!, torch.tensor([1, 2], { dtype: 'float64' }));
    torch.noGrad(() => d.add_(1));
    assertClose(x.detach(), torch.tensor([2, 3], { dtype: 'float64' }));
  });

  test('requiresGrad_: turns a leaf on and off; refuses int tensors and non-leaves', () => {
    const x = torch.ones(2);
    expect(x.requiresGrad_().requiresGrad).toBe(true);
    x.mul(2).sum().backward();
    assertClose(x.grad!, [2, 2]);
    expect(x.requiresGrad_(false).requiresGrad).toBe(false);
    expect(() => torch.tensor([1, 2]).requiresGrad_()).toThrow(/floating-point.*int32/);
    const y = torch.ones(2, { requiresGrad: true }).mul(2);
    expect(() => y.requiresGrad_(false)).toThrow(/leaf/);
  });

  test('retainGrad keeps .grad on a non-leaf', () => {
    const x = f64([1, 2]);
    const y = x.mul(3).retainGrad();
    y.square().sum().backward();
    assertClose(y.grad!, torch.tensor([6, 12], { dtype: 'float64' }));
  });

  test('higher order: d²/dx² of x³ via autograd.grad with createGraph equals 6x', () => {
    const x = f64([-1.5, 0.5, 2]);
    const [dx] = torch.autograd.grad(x.pow(3).sum(), x, { createGraph: true });
    assertClose(dx!, x.detach().square().mul(3));
    expect(dx!.requiresGrad).toBe(true);
    const [d2x] = torch.autograd.grad(dx!.sum(), x);
    assertClose(d2x!, x.detach().mul(6));
    expect(x.grad).toBeNull();
  });

  test('higher order: third derivative of sin is -cos', () => {
    const x = f64([0.3, 1.1]);
    const [g1] = torch.autograd.grad(x.sin().sum(), x, { createGraph: true });
    const [g2] = torch.autograd.grad(g1!.sum(), x, { createGraph: true });
    const [g3] = torch.autograd.grad(g2!.sum(), x);
    assertClose(g3!, x.detach().cos().neg());
  });

  test('autograd.grad with respect to a non-leaf input, without touching .grad', () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    const z = y.square().sum();
    const [gy] = torch.autograd.grad(z, y);
    assertClose(gy!, y.detach().mul(2));
    expect(x.grad).toBeNull();
  });

  test('autograd.grad with several inputs and outputs, gradOutputs weights', () => {
    const a = f64([1, 2]), b = f64([3]);
    const [ga, gb] = torch.autograd.grad([a.mul(b), b.square()], [a, b], { gradOutputs: [torch.tensor([1, 10], { dtype: 'float64' }), null] });
    assertClose(ga!, torch.tensor([3, 30], { dtype: 'float64' }));
    assertClose(gb!, torch.tensor([1 + 20 + 6], { dtype: 'float64' }));
  });

  test('autograd.grad: an unused input throws unless allowUnused, which gives null', () => {
    const x = f64([1, 2]), unused = f64([5]);
    const y = x.square().sum();
    expect(() => torch.autograd.grad(y, [x, unused], { retainGraph: true })).toThrow(/inputs\[1\].*not used.*allowUnused/);
    const [gx, gu] = torch.autograd.grad(y, [x, unused], { allowUnused: true });
    assertClose(gx!, torch.tensor([2, 4], { dtype: 'float64' }));
    expect(gu).toBeNull();
  });

  test('autograd.grad: an input that does not require grad is refused', () => {
    const x = torch.ones(2);
    expect(() => torch.autograd.grad(torch.ones(1, { requiresGrad: true }).sum(), x)).toThrow(/inputs\[0\].*does not require grad/);
  });

  test('version counter: a saved non-leaf modified in place makes backward throw', () => {
    const x = f64([0.5, -1]);
    const y = x.mul(2);
    const z = y.sigmoid(); // saves y
    y.add_(1);
    expect(y.version).toBe(1);
    expect(() => z.sum().backward()).toThrow(/modified by an in-place operation/);
  });

  test('version counter: an in-place change of a view bumps the shared version', () => {
    const x = f64([0.5, -1, 2]);
    const y = x.mul(1);
    const z = y.exp(); // saves y (and its output)
    y.narrow(0, 0, 1).detach().add_(1); // touches y's storage through a view
    expect(() => z.sum().backward()).toThrow(/modified by an in-place operation/);
  });

  test('in-place on a leaf that requires grad throws; under noGrad it is the optimizer update', () => {
    const w = f64([1, 2]);
    expect(() => w.add_(1)).toThrow(/leaf tensor that requires grad.*noGrad/);
    torch.noGrad(() => w.sub_(0.5));
    assertClose(w.detach(), torch.tensor([0.5, 1.5], { dtype: 'float64' }));
  });

  test('in-place on a non-leaf records the op: add_ keeps the gradient flowing', () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    h.add_(1);
    h.sum().backward();
    assertClose(x.grad!, torch.tensor([3, 3], { dtype: 'float64' }));
  });

  const reluInplace = () => {
    const x = f64([1, -2, 3]);
    const h = x.mul(1);
    h.relu_();
    h.sum().backward();
    assertClose(x.grad!, torch.tensor([1, 0, 1], { dtype: 'float64' }));
  };
  test('in-place relu_ on a non-leaf backpropagates (PyTorch pattern)', reluInplace);

  test('in-place through a view of a tensor that requires grad: refused with a clear message', () => {
    // NOTE: PyTorch supports this (view + base rebase); the runtime refuses it explicitly instead.
    const h = f64([1, 2, 3]).mul(2);
    expect(() => h.narrow(0, 0, 2).mul_(2)).toThrow(/view of a tensor that requires grad.*clone\(\)/);
  });

  test('integer and bool outputs are not differentiable', () => {
    const x = f64([1.5, 2.5]);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.gt(2).requiresGrad).toBe(false);
    expect(x.int().requiresGrad).toBe(false);
  });

  test('dtype casts between floats carry the gradient back in the input dtype', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    x.double().square().sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    assertClose(x.grad!, [2, 4]);
  });
});

describe('memory: tidy, dispose, flat training loops', () => {
  test('tidy disposes intermediates but returns results and keeps .grad', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    let inner: Tensor[] = [];
    const out = torch.tidy(() => {
      const y = x.mul(2);
      const z = y.exp();
      inner = [y, z];
      const s = z.sum();
      s.backward();
      return { s, parts: [z.mean()] };
    });
    expect(inner.every((t) => t.isDisposed)).toBe(true);
    expect(out.s.isDisposed).toBe(false);
    expect(out.parts[0].isDisposed).toBe(false);
    assertClose(out.s, torch.tensor(Math.exp(2) + Math.exp(4) + Math.exp(6)), { rtol: 1e-6, atol: 1e-4 });
    expect(x.grad!.isDisposed).toBe(false);
    assertClose(x.grad!, [2, 4, 6].map((v) => 2 * Math.exp(v)), { rtol: 1e-6, atol: 1e-4 });
  });

  test('memory(): counts before/after tidy (only the results and .grad survive)', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const before = torch.memory();
    const out = torch.tidy(() => {
      const loss = x.mul(2).sigmoid().sum();
      loss.backward();
      return loss;
    });
    const after = torch.memory();
    // New: out (4 bytes) and x.grad (12 bytes).
    expect(after.numTensors - before.numTensors).toBe(2);
    expect(after.numStorages - before.numStorages).toBe(2);
    expect(after.numBytes - before.numBytes).toBe(16);
    torch.dispose([out, x.grad, x]);
    const end = torch.memory();
    expect(before.numTensors - end.numTensors).toBe(1);
    expect(before.numBytes - end.numBytes).toBe(12);
  });

  test('tidy: nested scopes; keep() rescues a tensor; a Promise is refused', () => {
    const before = torch.memory().numTensors;
    let kept: Tensor | null = null;
    const r = torch.tidy(() => {
      const a = torch.ones(3);
      const b = torch.tidy(() => { kept = torch.keep(a.mul(5)); return a.add(1); });
      a.mul(10);
      return b.mul(2);
    });
    expect(torch.memory().numTensors - before).toBe(2);
    assertClose(r, [4, 4, 4]);
    assertClose(kept!, [5, 5, 5]);
    torch.dispose([r, kept]);
    expect(torch.memory().numTensors).toBe(before);
    expect(() => torch.tidy(() => Promise.resolve(1) as unknown as number)).toThrow(/Promise/);
  });

  test('dispose of a view does not free the base (and the base outlives neither)', () => {
    const before = torch.memory();
    const base = torch.arange(0, 4, 1, { dtype: 'float32' });
    const v = base.narrow(0, 1, 2);
    v.dispose();
    expect(v.isDisposed).toBe(true);
    expect(() => v.dataSync()).toThrow(/dataSync.*disposed/);
    assertClose(base, [0, 1, 2, 3]);
    expect(torch.memory().numStorages - before.numStorages).toBe(1);
    // The other way round: the storage lives while a view still uses it.
    const v2 = base.narrow(0, 2, 2);
    base.dispose();
    assertClose(v2, [2, 3]);
    expect(torch.memory().numBytes - before.numBytes).toBe(16);
    v2.dispose();
    expect(torch.memory().numBytes).toBe(before.numBytes);
    expect(torch.memory().numTensors).toBe(before.numTensors);
  });

  test('1,000 training steps of linear regression under tidy: numTensors and numBytes flat', () => {
    torch.manualSeed(0);
    const X = torch.randn([64, 3]);
    const trueW = torch.tensor([[2], [-3], [0.5]]);
    const y = X.matmul(trueW).add(0.7);
    const w = torch.zeros([3, 1], { requiresGrad: true });
    const b = torch.zeros([1], { requiresGrad: true });
    const lr = 0.1;
    let at100: ReturnType<typeof torch.memory> | null = null;
    let firstLoss = 0, lastLoss = 0;
    for (let step = 1; step <= 1000; step++) {
      const loss = torch.tidy(() => {
        const l = X.matmul(w).add(b).sub(y).square().mean();
        l.backward();
        torch.noGrad(() => {
          w.sub_(w.grad!.mul(lr));
          b.sub_(b.grad!.mul(lr));
        });
        w.grad!.zero_();
        b.grad!.zero_();
        return l.item();
      });
      if (step === 1) firstLoss = loss;
      lastLoss = loss;
      if (step === 100) at100 = torch.memory();
    }
    const at1000 = torch.memory();
    expect(at1000.numTensors).toBe(at100!.numTensors);
    expect(at1000.numBytes).toBe(at100!.numBytes);
    expect(lastLoss).toBeLessThan(1e-8 * firstLoss + 1e-10);
    assertClose(w.detach(), trueW, { rtol: 1e-4, atol: 1e-4 });
    assertClose(b.detach(), [0.7], { rtol: 1e-4, atol: 1e-4 });
  });
});

describe('gradient edge cases found while building nn', () => {
  test('two leaves fed by one add never share a .grad object (second backward accumulates correctly)', () => {
    const a = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const c = torch.tensor([2, 2], { dtype: 'float64' });
    a.add(b).mul(c).sum().backward();
    expect(a.grad).not.toBe(b.grad);
    a.add(b).mul(c).sum().backward();
    expect(a.grad!.toArray()).toEqual([4, 4]);
    expect(b.grad!.toArray()).toEqual([4, 4]);
  });

  test('norm() of a zero vector has gradient 0 (subgradient), elsewhere x/‖x‖', () => {
    const z = torch.zeros([3], { dtype: 'float64', requiresGrad: true });
    z.norm().backward();
    expect(z.grad!.toArray()).toEqual([0, 0, 0]);
    const x = torch.tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    x.norm().backward();
    expect(x.grad!.toArray()).toEqual([0.6, 0.8]);
  });

  test('softplus has gradient sigmoid(x): 0.5 at 0', () => {
    const x = torch.tensor([0, 1], { dtype: 'float64', requiresGrad: true });
    F.softplus(x).sum().backward();
    expect((x.grad!.toArray() as number[])[0]).toBeCloseTo(0.5, 12);
    expect((x.grad!.toArray() as number[])[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });

  test('hardtanh/relu6 have gradient 0 at the boundaries; clamp has 1 (PyTorch)', () => {
    const x = torch.tensor([0, 3, 6], { dtype: 'float64', requiresGrad: true });
    F.relu6(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 0]);
    const y = torch.tensor([0, 3, 6], { dtype: 'float64', requiresGrad: true });
    y.clamp(0, 6).sum().backward();
    expect(y.grad!.toArray()).toEqual([1, 1, 1]);
  });
});
