/**
 * RMSprop with `epsInside` against TensorFlow.js's tf.train.rmsprop, step by step (tfjs on its CPU backend, both
 * in float32). The same gradients are fed to both (tfjs through applyGradients), so only the update rule is compared.
 * Each case also checks that PyTorch's placement (the default) gives different numbers on these gradients, so the
 * comparison really depends on where eps goes.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as torch from '../runtime/torch.js';
import * as optim from '../runtime/optim/index.js';

type Vec = number[];

const P0 = [1, -2, 0.5, 3, -0.25, 0];
/** Mixed magnitudes: the tiny ones make √(v + eps) and √v + eps disagree; signs flip so the centered variance is > eps. */
const GRADS: Vec[] = [
  [0.3, -1e-4, 2, 1e-3, -0.05, 5e-4],
  [-0.2, 2e-4, 1.5, -2e-3, 0.07, -4e-4],
  [0.25, -3e-4, -1, 3e-3, -0.06, 6e-4],
  [-0.1, 1e-4, 0.5, -1e-3, 0.04, -5e-4],
  [0.15, -2e-4, 2.5, 2e-3, -0.08, 3e-4],
  [-0.3, 3e-4, -2, -3e-3, 0.05, -6e-4],
];

/**
 * tfjs's centered form is √(v − ḡ² − eps): a variance below eps gives NaN there, so the centered cases use gradients
 * of at least 5e-3 (variance ≥ decay·(1 − decay)·g² ≈ 2e-6 after the first step, still close enough to eps to matter).
 */
const CENTERED_GRADS: Vec[] = GRADS.map((row) => row.map((v) => Math.sign(v) * Math.max(Math.abs(v), 5e-3)));

interface Case { name: string; lr: number; decay: number; momentum: number; epsilon: number; centered: boolean }
const CASES: Case[] = [
  { name: 'plain', lr: 0.01, decay: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  { name: 'momentum', lr: 0.01, decay: 0.9, momentum: 0.8, epsilon: 1e-7, centered: false },
  { name: 'centered', lr: 0.01, decay: 0.9, momentum: 0, epsilon: 1e-7, centered: true },
  { name: 'centered with momentum', lr: 0.005, decay: 0.8, momentum: 0.5, epsilon: 1e-7, centered: true },
  { name: 'plain, large epsilon', lr: 0.01, decay: 0.95, momentum: 0, epsilon: 1e-3, centered: false },
];

/** tfjs's parameter after each step. */
const gradsOf = (c: Case): Vec[] => (c.centered ? CENTERED_GRADS : GRADS);

function tfjsSteps(c: Case): Vec[] {
  const x = tf.variable(tf.tensor1d(P0), true, `rmsprop_${c.name.replace(/\W/g, '_')}_${Math.random().toString(36).slice(2)}`);
  const opt = tf.train.rmsprop(c.lr, c.decay, c.momentum, c.epsilon, c.centered);
  const out = gradsOf(c).map((g) => {
    const grad = tf.tensor1d(g);
    opt.applyGradients({ [x.name]: grad });
    grad.dispose();
    return Array.from(x.dataSync());
  });
  opt.dispose();
  x.dispose();
  return out;
}

/** The runtime's parameter after each step. */
function runtimeSteps(c: Case, epsInside: boolean): Vec[] {
  const p = torch.tensor(P0, { dtype: 'float32', requiresGrad: true });
  const opt = new optim.RMSprop([p], { lr: c.lr, alpha: c.decay, eps: c.epsilon, momentum: c.momentum, centered: c.centered, epsInside });
  return gradsOf(c).map((g) => {
    p.grad = torch.tensor(g, { dtype: 'float32' });
    opt.step();
    return Array.from(p.dataSync());
  });
}

/** Largest |a − b| / max(1, |b|) over all steps and elements. */
function maxRelDiff(a: Vec[], b: Vec[]): number {
  let m = 0;
  a.forEach((row, s) => row.forEach((v, i) => { m = Math.max(m, Math.abs(v - b[s][i]) / Math.max(1, Math.abs(b[s][i]))); }));
  return m;
}

// float32 rounding in a different order (addcdiv vs tfjs's div then sub), a few ulps over six steps.
const TOL = 2e-6;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('RMSprop({ epsInside: true }) matches tf.train.rmsprop step by step', () => {
  it.each(CASES)('$name', (c) => {
    const theirs = tfjsSteps(c);
    const ours = runtimeSteps(c, true);
    for (const row of theirs) for (const v of row) expect(Number.isFinite(v)).toBe(true);
    ours.forEach((row, s) => row.forEach((v, i) => {
      const e = theirs[s][i];
      if (Math.abs(v - e) > TOL * Math.max(1, Math.abs(e))) {
        throw new Error(`${c.name}: step ${s + 1}, element ${i}: runtime ${v}, tfjs ${e} (|Δ| = ${Math.abs(v - e)})`);
      }
    }));
    // PyTorch's placement (the default) is measurably different on the same gradients.
    expect(maxRelDiff(runtimeSteps(c, false), theirs)).toBeGreaterThan(10 * TOL);
  });
});

describe('RMSprop epsInside option', () => {
  it('defaults to PyTorch\'s placement and is validated', () => {
    const p = torch.tensor([1.5], { requiresGrad: true });
    expect(new optim.RMSprop([p]).defaults.epsInside).toBe(false);
    expect(() => new optim.RMSprop([p], { epsInside: 1 as unknown as boolean })).toThrow(/RMSprop.*epsInside/);
  });
});
