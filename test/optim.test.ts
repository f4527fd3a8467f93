/**
 * Optimizers against hand-computed values: each expected sequence is computed here with the textbook formula in
 * plain JS numbers (not with the runtime), then compared per element.
 */
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as torch from '../runtime/torch.js';
import * as optim from '../runtime/optim/index.js';
import type { Tensor } from '../runtime/tensor.js';
import type { DType } from '../runtime/dtype.js';
import { adamStepWasm, wasmOptimAvailable, type AdamScalars } from '../runtime/backends/cpu/wasm/adam.js';

type Vec = number[];

const TOL: Record<'float32' | 'float64', number> = { float64: 1e-12, float32: 1e-6 };

function param(values: Vec, dtype: DType = 'float64'): Tensor {
  return torch.tensor(values, { dtype, requiresGrad: true });
}

function setGrad(p: Tensor, g: Vec): void {
  p.grad = torch.tensor(g, { dtype: p.dtype });
}

/** Runs one optimizer step per gradient in `grads`; returns the parameter after each step. */
function run(opt: optim.Optimizer<optim.HyperParams, object>, p: Tensor, grads: Vec[]): Vec[] {
  return grads.map((g) => {
    setGrad(p, g);
    opt.step();
    return Array.from(p.dataSync());
  });
}

function expectClose(actual: Vec[], expected: Vec[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, s) => row.forEach((v, i) => {
    const e = expected[s][i];
    if (Math.abs(v - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`step ${s + 1}, element ${i}: got ${v}, expected ${e} (|Δ| = ${Math.abs(v - e)}, tol ${tol})`);
    }
  }));
}

const P0: Vec = [1.5, -0.8];
/** |g| shrinks at step 3, so amsgrad's running max differs from v. */
const GRADS: Vec[] = [[0.3, -1.2], [-0.5, 0.7], [0.01, -0.02]];

// ---- textbook references (plain numbers) ----

interface AdamRef { lr: number; b1: number; b2: number; eps: number; wd?: number; decoupled?: boolean; amsgrad?: boolean; maximize?: boolean }
function adamRef(p0: Vec, grads: Vec[], o: AdamRef): Vec[] {
  const p = p0.slice(), m = p.map(() => 0), v = p.map(() => 0), vmax = p.map(() => 0);
  return grads.map((grad, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      if (o.wd && o.decoupled) p[i] *= 1 - o.lr * o.wd;
      else if (o.wd) g += o.wd * p[i];
      m[i] = o.b1 * m[i] + (1 - o.b1) * g;
      v[i] = o.b2 * v[i] + (1 - o.b2) * g * g;
      vmax[i] = Math.max(vmax[i], v[i]);
      const mHat = m[i] / (1 - o.b1 ** t);
      const vHat = (o.amsgrad ? vmax[i] : v[i]) / (1 - o.b2 ** t);
      p[i] -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
    return p.slice();
  });
}

interface SGDRef { lr: number; momentum: number; dampening: number; wd: number; nesterov: boolean; maximize?: boolean }
function sgdRef(p0: Vec, grads: Vec[], o: SGDRef): Vec[] {
  const p = p0.slice(), buf = p.map(() => 0);
  return grads.map((grad, s) => {
    for (let i = 0; i < p.length; i++) {
      let g = (o.maximize ? -grad[i] : grad[i]) + o.wd * p[i];
      if (o.momentum !== 0) {
        buf[i] = s === 0 ? g : o.momentum * buf[i] + (1 - o.dampening) * g;
        g = o.nesterov ? g + o.momentum * buf[i] : buf[i];
      }
      p[i] -= o.lr * g;
    }
    return p.slice();
  });
}

interface RMSpropRef { lr: number; alpha: number; eps: number; wd: number; momentum: number; centered: boolean }
function rmspropRef(p0: Vec, grads: Vec[], o: RMSpropRef): Vec[] {
  const p = p0.slice(), sq = p.map(() => 0), ga = p.map(() => 0), buf = p.map(() => 0);
  return grads.map((grad) => {
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + o.wd * p[i];
      sq[i] = o.alpha * sq[i] + (1 - o.alpha) * g * g;
      ga[i] = o.alpha * ga[i] + (1 - o.alpha) * g;
      const avg = Math.sqrt(o.centered ? sq[i] - ga[i] * ga[i] : sq[i]) + o.eps;
      if (o.momentum > 0) {
        buf[i] = o.momentum * buf[i] + g / avg;
        p[i] -= o.lr * buf[i];
      } else p[i] -= (o.lr * g) / avg;
    }
    return p.slice();
  });
}

interface AdagradRef { lr: number; lrDecay: number; wd: number; init: number; eps: number }
function adagradRef(p0: Vec, grads: Vec[], o: AdagradRef): Vec[] {
  const p = p0.slice(), sum = p.map(() => o.init);
  return grads.map((grad, s) => {
    const clr = o.lr / (1 + s * o.lrDecay);
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + o.wd * p[i];
      sum[i] += g * g;
      p[i] -= (clr * g) / (Math.sqrt(sum[i]) + o.eps);
    }
    return p.slice();
  });
}

function adamaxRef(p0: Vec, grads: Vec[], o: { lr: number; b1: number; b2: number; eps: number; wd: number }): Vec[] {
  const p = p0.slice(), m = p.map(() => 0), u = p.map(() => 0);
  return grads.map((grad, s) => {
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + o.wd * p[i];
      m[i] = o.b1 * m[i] + (1 - o.b1) * g;
      u[i] = Math.max(o.b2 * u[i], Math.abs(g) + o.eps);
      p[i] -= (o.lr / (1 - o.b1 ** (s + 1))) * (m[i] / u[i]);
    }
    return p.slice();
  });
}

function adadeltaRef(p0: Vec, grads: Vec[], o: { lr: number; rho: number; eps: number; wd: number }): Vec[] {
  const p = p0.slice(), v = p.map(() => 0), u = p.map(() => 0);
  return grads.map((grad) => {
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + o.wd * p[i];
      v[i] = o.rho * v[i] + (1 - o.rho) * g * g;
      const delta = (Math.sqrt(u[i] + o.eps) / Math.sqrt(v[i] + o.eps)) * g;
      u[i] = o.rho * u[i] + (1 - o.rho) * delta * delta;
      p[i] -= o.lr * delta;
    }
    return p.slice();
  });
}

// ---- update rules ----

describe.each(['float64', 'float32'] as const)('update rules match the textbook formulas (%s)', (dtype) => {
  const tol = TOL[dtype];
  const adam = { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8 };

  it('Adam, 2 steps', () => {
    const p = param(P0, dtype);
    expectClose(run(new optim.Adam([p], { lr: 0.1 }), p, GRADS.slice(0, 2)), adamRef(P0, GRADS.slice(0, 2), adam), tol);
  });

  it('Adam with L2 weight decay and maximize', () => {
    const p = param(P0, dtype);
    const opt = new optim.Adam([p], { lr: 0.1, weightDecay: 0.1, maximize: true });
    expectClose(run(opt, p, GRADS), adamRef(P0, GRADS, { ...adam, wd: 0.1, maximize: true }), tol);
  });

  it('AdamW (weight decay 0.1, decoupled)', () => {
    const p = param(P0, dtype);
    expectClose(run(new optim.AdamW([p], { lr: 0.1, weightDecay: 0.1 }), p, GRADS), adamRef(P0, GRADS, { ...adam, wd: 0.1, decoupled: true }), tol);
  });

  it('Adam amsgrad', () => {
    const p = param(P0, dtype);
    // A fast-moving second moment (β2 0.6) so that the running max clearly matters at step 3.
    const o = { ...adam, b2: 0.6 };
    const got = run(new optim.Adam([p], { lr: 0.1, betas: [0.9, 0.6], amsgrad: true }), p, GRADS);
    expectClose(got, adamRef(P0, GRADS, { ...o, amsgrad: true }), tol);
    expect(Math.abs(got[2][0] - adamRef(P0, GRADS, o)[2][0])).toBeGreaterThan(1e-3);
  });

  it('SGD with momentum, dampening and weight decay, 3 steps', () => {
    const p = param(P0, dtype);
    const o = { lr: 0.1, momentum: 0.9, dampening: 0.3, wd: 0.05, nesterov: false };
    const opt = new optim.SGD([p], { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.wd });
    expectClose(run(opt, p, GRADS), sgdRef(P0, GRADS, o), tol);
  });

  it('SGD with Nesterov momentum and weight decay, 3 steps', () => {
    const p = param(P0, dtype);
    const o = { lr: 0.1, momentum: 0.9, dampening: 0, wd: 0.05, nesterov: true };
    expectClose(run(new optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.05 }), p, GRADS), sgdRef(P0, GRADS, o), tol);
  });

  it('SGD plain and maximize', () => {
    const p = param(P0, dtype);
    expectClose(run(new optim.SGD([p], { lr: 0.5, maximize: true }), p, GRADS),
      sgdRef(P0, GRADS, { lr: 0.5, momentum: 0, dampening: 0, wd: 0, nesterov: false, maximize: true }), tol);
  });

  it('RMSprop centered with momentum and weight decay', () => {
    const p = param(P0, dtype);
    const o = { lr: 0.01, alpha: 0.9, eps: 1e-8, wd: 0.1, momentum: 0.5, centered: true };
    const opt = new optim.RMSprop([p], { lr: 0.01, alpha: 0.9, weightDecay: 0.1, momentum: 0.5, centered: true });
    expectClose(run(opt, p, GRADS), rmspropRef(P0, GRADS, o), tol);
  });

  it('RMSprop with defaults', () => {
    const p = param(P0, dtype);
    expectClose(run(new optim.RMSprop([p]), p, GRADS),
      rmspropRef(P0, GRADS, { lr: 0.01, alpha: 0.99, eps: 1e-8, wd: 0, momentum: 0, centered: false }), tol);
  });

  it('Adagrad with lrDecay, initial accumulator and weight decay', () => {
    const p = param(P0, dtype);
    const opt = new optim.Adagrad([p], { lr: 0.1, lrDecay: 0.5, weightDecay: 0.1, initialAccumulatorValue: 0.1 });
    expectClose(run(opt, p, GRADS), adagradRef(P0, GRADS, { lr: 0.1, lrDecay: 0.5, wd: 0.1, init: 0.1, eps: 1e-10 }), tol);
  });

  it('Adamax (defaults and weight decay)', () => {
    const p = param(P0, dtype);
    expectClose(run(new optim.Adamax([p], { weightDecay: 0.1 }), p, GRADS), adamaxRef(P0, GRADS, { lr: 2e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1 }), tol);
  });

  it('Adadelta (defaults and weight decay)', () => {
    const p = param(P0, dtype);
    expectClose(run(new optim.Adadelta([p], { weightDecay: 0.1 }), p, GRADS), adadeltaRef(P0, GRADS, { lr: 1, rho: 0.9, eps: 1e-6, wd: 0.1 }), tol);
  });
});

describe('Adam: fused kernel and tensor-op fallback', () => {
  // A transposed leaf is not contiguous, so the update takes the tensor-op path; it must give the same numbers.
  const W0 = [[1, -2, 0.5], [0.25, 3, -1]];
  const G = [[[0.1, -0.2, 0.3], [0.4, -0.5, 0.6]], [[-0.3, 0.1, 0.2], [0.05, 0.5, -0.6]], [[0.01, 0.01, -0.01], [0.02, -0.02, 0.02]]];

  it.each([
    ['Adam', (p: Tensor) => new optim.Adam([p], { lr: 0.05, weightDecay: 0.1, amsgrad: true })],
    ['AdamW', (p: Tensor) => new optim.AdamW([p], { lr: 0.05, amsgrad: true, maximize: true })],
  ] as const)('%s: strided parameter == contiguous parameter', (_name, make) => {
    const dense = torch.tensor(W0, { dtype: 'float64', requiresGrad: true });
    const strided = torch.tensor([[1, 0.25], [-2, 3], [0.5, -1]], { dtype: 'float64' }).t().requiresGrad_();
    expect(strided.isContiguous()).toBe(false);
    const a = make(dense), b = make(strided);
    for (const g of G) {
      dense.grad = torch.tensor(g, { dtype: 'float64' });
      strided.grad = torch.tensor(g, { dtype: 'float64' });
      a.step();
      b.step();
    }
    expectClose([Array.from(strided.contiguous().dataSync())], [Array.from(dense.dataSync())], 1e-12);
  });

  it('matches tf.train.adam minimizing the same quadratic for 5 steps', async () => {
    await tf.setBackend('cpu');
    const x0 = [1, -2, 3.5, 0.25];
    const target = [0.5, 0.5, -1, 2];
    const tfX = tf.variable(tf.tensor1d(x0));
    const tfTarget = tf.tensor1d(target);
    const tfOpt = tf.train.adam(0.1, 0.9, 0.999, 1e-7);
    const x = param(x0, 'float32');
    const t = torch.tensor(target);
    const opt = new optim.Adam([x], { lr: 0.1, eps: 1e-7 });
    for (let step = 0; step < 5; step++) {
      tfOpt.minimize(() => tfX.sub(tfTarget).square().sum() as tf.Scalar);
      opt.zeroGrad();
      x.sub(t).square().sum().backward();
      opt.step();
    }
    const ours = Array.from(x.dataSync());
    const theirs = Array.from(tfX.dataSync());
    tf.dispose([tfX, tfTarget]);
    tfOpt.dispose();
    ours.forEach((v, i) => expect(Math.abs(v - theirs[i])).toBeLessThan(1e-5));
    // And it moved: 5 steps of ~lr each.
    expect(Math.abs(ours[0] - x0[0])).toBeGreaterThan(0.1);
  });
});

// ---- optimizer mechanics ----

describe('zeroGrad', () => {
  it('setToNone (default) drops and frees the gradient', () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    setGrad(p, [1, 1]);
    const g = p.grad!;
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
    // A parameter without a gradient is skipped by step().
    opt.step();
    expect(Array.from(p.dataSync())).toEqual([1, 2]);
  });

  it('setToNone: false zeroes the same tensor in place', () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.sum().mul(3).backward();
    const g = p.grad!;
    const version = g.version;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
    expect(g.version).toBeGreaterThan(version);
    expect(g.requiresGrad).toBe(false);
    // The next backward accumulates into the zeroed gradient.
    p.sum().backward();
    expect(Array.from(p.grad!.dataSync())).toEqual([1, 1]);
  });
});

describe('parameter groups', () => {
  it('each group uses its own lr and inherits the other defaults', () => {
    const a = param([1, 1]), b = param([1, 1]);
    const opt = new optim.SGD([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.01, momentum: 0.5 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[0.1, 0.5], [0.01, 0.5]]);
    for (let i = 0; i < 2; i++) {
      setGrad(a, [1, -1]);
      setGrad(b, [1, -1]);
      opt.step();
    }
    // buf: 1, then 1.5 → a moves 0.1·2.5, b 0.01·2.5
    expectClose([Array.from(a.dataSync()), Array.from(b.dataSync())], [[0.75, 1.25], [0.975, 1.025]], 1e-12);
  });

  it('lr changed on a group takes effect at the next step; addParamGroup adds parameters', () => {
    const a = param([0]), c = param([0]);
    const opt = new optim.SGD([a], { lr: 1 });
    opt.paramGroups[0].lr = 0.5;
    opt.addParamGroup({ params: c, lr: 2 });
    setGrad(a, [1]);
    setGrad(c, [1]);
    opt.step();
    expect([a.item(), c.item()]).toEqual([-0.5, -2]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('SGD: some parameters appear in more than one parameter group');
  });

  it('accepts any iterable of tensors (e.g. a generator)', () => {
    const a = param([1]), b = param([2]);
    function* gen() { yield a; yield b; }
    expect(new optim.Adam(gen()).paramGroups[0].params).toEqual([a, b]);
  });
});

describe('hyper-parameter validation', () => {
  const p = () => [param([1])];
  it.each([
    ['SGD lr', () => new optim.SGD(p(), { lr: -1 }), 'SGD: Invalid learning rate: -1'],
    ['Adam lr', () => new optim.Adam(p(), { lr: -1 }), 'Adam: Invalid learning rate: -1'],
    ['Adam lr NaN', () => new optim.Adam(p(), { lr: NaN }), 'Adam: Invalid learning rate: NaN'],
    ['Adam eps', () => new optim.Adam(p(), { eps: -1e-8 }), 'Adam: Invalid epsilon value: -1e-8'],
    ['Adam beta1', () => new optim.Adam(p(), { betas: [1.0, 0.999] }), 'Adam: Invalid beta parameter at index 0: 1'],
    ['Adam beta2', () => new optim.Adam(p(), { betas: [0.9, -0.1] }), 'Adam: Invalid beta parameter at index 1: -0.1'],
    ['AdamW weight decay', () => new optim.AdamW(p(), { weightDecay: -0.1 }), 'AdamW: Invalid weight_decay value: -0.1'],
    ['SGD momentum', () => new optim.SGD(p(), { momentum: -0.5 }), 'SGD: Invalid momentum value: -0.5'],
    ['SGD weight decay', () => new optim.SGD(p(), { weightDecay: -1 }), 'SGD: Invalid weight_decay value: -1'],
    ['SGD nesterov without momentum', () => new optim.SGD(p(), { nesterov: true }), 'SGD: Nesterov momentum requires a momentum and zero dampening'],
    ['SGD nesterov with dampening', () => new optim.SGD(p(), { nesterov: true, momentum: 0.9, dampening: 0.1 }), 'SGD: Nesterov momentum requires a momentum and zero dampening'],
    ['RMSprop alpha', () => new optim.RMSprop(p(), { alpha: -1 }), 'RMSprop: Invalid alpha value: -1'],
    ['RMSprop momentum', () => new optim.RMSprop(p(), { momentum: -1 }), 'RMSprop: Invalid momentum value: -1'],
    ['RMSprop eps', () => new optim.RMSprop(p(), { eps: -1 }), 'RMSprop: Invalid epsilon value: -1'],
    ['Adagrad lrDecay', () => new optim.Adagrad(p(), { lrDecay: -1 }), 'Adagrad: Invalid lr_decay value: -1'],
    ['Adagrad accumulator', () => new optim.Adagrad(p(), { initialAccumulatorValue: -1 }), 'Adagrad: Invalid initial_accumulator_value value: -1'],
    ['Adamax beta', () => new optim.Adamax(p(), { betas: [0.9, 1] }), 'Adamax: Invalid beta parameter at index 1: 1'],
    ['Adadelta rho', () => new optim.Adadelta(p(), { rho: 1.5 }), 'Adadelta: Invalid rho value: 1.5'],
    ['a group override', () => new optim.SGD([{ params: p(), lr: -1 }]), 'SGD: Invalid learning rate: -1'],
    ['empty list', () => new optim.SGD([]), 'SGD: optimizer got an empty parameter list'],
    ['a bare tensor', () => new optim.SGD(param([1]) as never), 'SGD: params should be an iterable of Tensors'],
    ['a non-leaf', () => new optim.SGD([param([1]).mul(2)]), "SGD: can't optimize a non-leaf Tensor"],
    ['an integer tensor', () => new optim.SGD([torch.tensor([1, 2])]), 'only floating-point tensors can be optimized'],
    ['a non-tensor', () => new optim.SGD([[1, 2]] as never), 'SGD: parameter group 0 must be an object'],
    ['snake_case option', () => new optim.SGD(p(), { weight_decay: 1 } as never), "SGD: unknown option 'weight_decay' in the options; did you mean 'weightDecay'?"],
    ['duplicate parameter', () => { const a = param([1]); return new optim.SGD([a, a]); }, 'contains the same tensor more than once'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('uses PyTorch defaults', () => {
    expect(new optim.SGD(p()).defaults).toEqual({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    expect(new optim.Adam(p()).defaults).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new optim.AdamW(p()).defaults.weightDecay).toBe(1e-2);
    // Each optimizer owns its arrays: changing one's betas leaves the module defaults alone.
    new optim.Adam(p()).paramGroups[0].betas[0] = 0.5;
    (new optim.Adam(p()).defaults.betas as number[])[0] = 0.5;
    expect(optim.ADAM_DEFAULTS.betas).toEqual([0.9, 0.999]);
    expect(new optim.RMSprop(p()).defaults).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, epsInside: false });
    expect(new optim.Adagrad(p()).defaults).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
    expect(new optim.Adamax(p()).defaults).toMatchObject({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8 });
    expect(new optim.Adadelta(p()).defaults).toMatchObject({ lr: 1, rho: 0.9, eps: 1e-6 });
  });

  it('a gradient of the wrong shape is an error naming both shapes', () => {
    const a = param([1, 2]);
    const opt = new optim.SGD([a]);
    a.grad = torch.tensor([1, 2, 3], { dtype: 'float64' });
    expect(() => opt.step()).toThrow('SGD.step: the gradient of params[0] of parameter group 0 has shape [3], but the parameter has shape [2]');
  });
});

describe('state', () => {
  it('state buffers have the parameter dtype and survive tidy scopes; memory stays flat over steps', () => {
    const w = param([0.5, -1, 2], 'float32');
    const target = torch.tensor([1, 1, 1]);
    const opt = new optim.Adam([w], { lr: 0.01, amsgrad: true });
    const trainStep = () => torch.tidy(() => {
      opt.zeroGrad();
      w.sub(target).square().sum().backward();
      opt.step();
    });
    trainStep();
    const st = opt.state.get(w)!;
    expect(st.step).toBe(1);
    for (const b of [st.expAvg, st.expAvgSq, st.maxExpAvgSq!]) {
      expect(b.isDisposed).toBe(false);
      expect(b.dtype).toBe('float32');
      expect(b.shape).toEqual([3]);
    }
    trainStep();
    const before = torch.memory().numTensors;
    for (let i = 0; i < 20; i++) trainStep();
    expect(torch.memory().numTensors).toBe(before);
    expect(st.step).toBe(22);
  });

  it.each([
    ['SGD', (p: Tensor) => new optim.SGD([p], { lr: 0.1, momentum: 0.9 })],
    ['RMSprop', (p: Tensor) => new optim.RMSprop([p], { momentum: 0.9, centered: true })],
  ] as const)('%s: tensor-op updates inside tidy leak nothing', (_name, make) => {
    const w = param([0.5, -1, 2], 'float32');
    const opt = make(w);
    const trainStep = () => torch.tidy(() => {
      opt.zeroGrad();
      w.square().sum().backward();
      opt.step();
    });
    trainStep();
    trainStep();
    const before = torch.memory().numTensors;
    for (let i = 0; i < 10; i++) trainStep();
    expect(torch.memory().numTensors).toBe(before);
  });

  it('stateDict round trip: a restored optimizer continues identically', () => {
    const make = (p: Tensor[]) => new optim.Adam([{ params: [p[0]] }, { params: [p[1]], lr: 0.05 }], { lr: 0.1, amsgrad: true });
    const a = [param([1, -2]), param([0.5])];
    const optA = make(a);
    const grads = [[[0.3, -0.4], [1]], [[0.2, 0.1], [-0.5]], [[-0.1, 0.05], [0.25]], [[0.4, 0.4], [0.1]]];
    const stepWith = (opt: optim.Adam, ps: Tensor[], g: Vec[]) => { ps.forEach((p, i) => setGrad(p, g[i])); opt.step(); };
    stepWith(optA, a, grads[0]);
    stepWith(optA, a, grads[1]);
    optA.paramGroups[1].lr = 0.02;

    const sd = optA.stateDict();
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(sd.paramGroups[1].lr).toBe(0.02);
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    expect(sd.state[0].step).toBe(2);

    const b = a.map((p) => p.detach().clone().requiresGrad_());
    const optB = make(b);
    optB.loadStateDict(sd);
    expect(optB.paramGroups[1].lr).toBe(0.02);
    expect(optB.paramGroups[1].params[0]).toBe(b[1]);
    // Copies, not the same buffers.
    expect(optB.state.get(b[0])!.expAvg).not.toBe(optA.state.get(a[0])!.expAvg);
    for (const g of grads.slice(2)) {
      stepWith(optA, a, g);
      stepWith(optB, b, g);
    }
    a.forEach((p, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(p.dataSync())));
  });

  it('stateDict round trip for SGD momentum; mismatched groups are rejected', () => {
    const a = param([1, 2]);
    const optA = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    setGrad(a, [1, 1]);
    optA.step();
    const b = a.detach().clone().requiresGrad_();
    const optB = new optim.SGD([b], { lr: 0.1, momentum: 0.9 });
    optB.loadStateDict(optA.stateDict());
    for (const [p, o] of [[a, optA], [b, optB]] as const) { setGrad(p, [0.5, -0.5]); o.step(); }
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));

    const two = new optim.SGD([{ params: [param([1])] }, { params: [param([1])] }]);
    expect(() => two.loadStateDict(optA.stateDict())).toThrow('loaded state dict has a different number of parameter groups');
    const wide = new optim.SGD([param([1]), param([2])]);
    expect(() => wide.loadStateDict(optA.stateDict())).toThrow("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
  });
});

describe('version counter', () => {
  it.each([
    ['Adam (fused kernel)', (p: Tensor) => new optim.Adam([p])],
    ['SGD (tensor ops)', (p: Tensor) => new optim.SGD([p])],
  ] as const)('%s: stepping a parameter saved for backward makes backward fail', (_name, make) => {
    const p = param([1, 2, 3]);
    const opt = make(p);
    const loss = p.square().sum();
    setGrad(p, [1, 1, 1]);
    const version = p.version;
    opt.step();
    expect(p.version).toBe(version + 1);
    expect(() => loss.backward()).toThrow('modified by an in-place operation');
  });

  it('the fused kernel bumps the state buffers too', () => {
    const p = param([1, 2]);
    const opt = new optim.Adam([p], { amsgrad: true });
    setGrad(p, [1, 1]);
    opt.step();
    const st = opt.state.get(p)!;
    expect([st.expAvg.version, st.expAvgSq.version, st.maxExpAvgSq!.version]).toEqual([1, 1, 1]);
  });
});

describe('step(closure)', () => {
  it('evaluates the closure with grad enabled and returns its loss', () => {
    const p = param([3]);
    const opt = new optim.SGD([p], { lr: 0.25 });
    const loss = torch.noGrad(() => opt.step(() => {
      opt.zeroGrad();
      const l = p.square().sum();
      l.backward();
      return l;
    })) as Tensor;
    expect(loss.item()).toBe(9);
    expect(p.item()).toBe(3 - 0.25 * 6);
  });
});

describe('Adam: the WebAssembly SIMD kernel (runtime/backends/cpu/wasm/adam.ts)', () => {
  // Every operation rounded to float32, as the f32x4 kernel computes: the kernel must match this bit for bit.
  function referenceStep(P: Float32Array, G: Float32Array, M: Float32Array, V: Float32Array, s: AdamScalars): void {
    const f = Math.fround;
    for (let i = 0; i < P.length; i++) {
      const g = f(G[i] + f(f(s.l2) * P[i]));
      const p = f(f(s.decay) * P[i]);
      const m = f(f(f(s.beta1) * M[i]) + f(f(1 - s.beta1) * g));
      const v = f(f(f(s.beta2) * V[i]) + f(f(f(1 - s.beta2) * g) * g));
      M[i] = m;
      V[i] = v;
      P[i] = f(p - f(f(f(s.stepSize) * m) / f(f(Math.sqrt(v) * f(s.invSqrtBc2)) + f(s.eps))));
    }
  }
  const rand = (n: number, scale: number, seed: number) => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(seed + i * 12.9898));

  it.each([
    ['Adam, n not a multiple of 4', 1003, { l2: 0, decay: 1 }],
    ['Adam with L2 weight decay', 64, { l2: 0.01, decay: 1 }],
    ['AdamW (decoupled decay)', 37, { l2: 0, decay: 1 - 1e-3 * 0.01 }],
  ])('%s matches float32 arithmetic exactly', (_name, n, decay) => {
    expect(wasmOptimAvailable).toBe(true);
    const s: AdamScalars = { beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / (1 - 0.9 ** 3), invSqrtBc2: 1 / Math.sqrt(1 - 0.999 ** 3), eps: 1e-7, ...decay };
    const P = rand(n, 1, 1), G = rand(n, 0.1, 2), M = rand(n, 0.01, 3), V = rand(n, 0.001, 4).map(Math.abs);
    const [P2, G2, M2, V2] = [P, G, M, V].map((a) => a.slice());
    expect(adamStepWasm(P, G, M, V, s)).toBe(true);
    referenceStep(P2, G2, M2, V2, s);
    expect(Array.from(P)).toEqual(Array.from(P2));
    expect(Array.from(M)).toEqual(Array.from(M2));
    expect(Array.from(V)).toEqual(Array.from(V2));
    expect(Array.from(G)).toEqual(Array.from(G2)); // the gradient is read, never written
  });

  it('works on views into a larger buffer and leaves the rest alone', () => {
    const buf = rand(20, 1, 5), P = buf.subarray(3, 13);
    const before = buf.slice();
    // Step 1 with lr 0.1: stepSize = lr / (1 − β1), invSqrtBc2 = 1 / √(1 − β2).
    const s: AdamScalars = { beta1: 0.9, beta2: 0.999, stepSize: 0.1 / 0.1, invSqrtBc2: 1 / Math.sqrt(0.001), eps: 1e-8, l2: 0, decay: 1 };
    expect(adamStepWasm(P, rand(10, 1, 6), new Float32Array(10), new Float32Array(10), s)).toBe(true);
    expect(Array.from(buf.subarray(0, 3))).toEqual(Array.from(before.subarray(0, 3)));
    expect(Array.from(buf.subarray(13))).toEqual(Array.from(before.subarray(13)));
    // First step from zero moments: each element moves by ~stepSize·sign(g).
    for (let i = 0; i < 10; i++) expect(Math.abs(P[i] - before[3 + i])).toBeCloseTo(0.1, 3);
  });
});
