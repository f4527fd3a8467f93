/**
 * The parameter probe's gradient-noise rule (difftest/program/gradient_noise.ts), on synthetic Adam first steps:
 * a sign flip of a cancellation-dominated ~0 gradient fails the plain elementwise comparison and passes with the
 * rule; Adam's epsilon changed (1e-8 vs 1e-7) still fails with it.
 */
import { describe, expect, test } from 'vitest';
import { compareTensors } from '../../difftest/compare.js';
import { gradientNoise, setAsideNoise, updateNoise } from '../../difftest/program/gradient_noise.js';

const N = 2048;
const BATCH = 32;
const LR = 1e-3;

/** A deterministic spread of weights and of gradients at a ~1e-2 scale, a few of them small but well determined. */
function fixture(): { p0: Float32Array; g: Float32Array } {
  const p0 = Float32Array.from({ length: N }, (_, i) => Math.sin(i * 0.7) * 0.25);
  const g = Float32Array.from({ length: N }, (_, i) => Math.cos(i * 1.3) * 1e-2 + (i % 2 ? 1e-4 : -1e-4));
  // Small gradients both sides compute alike (a pixel seen by one sample): the elements the epsilon bug moves.
  for (const i of [5, 77, 300, 901, 1500]) g[i] = 2e-7;
  return { p0, g };
}

/** Adam's first step: p − lr · m̂ / (√v̂ + eps) with m̂ = g, √v̂ = |g|. */
function adamFirstStep(p0: Float32Array, g: Float32Array, eps: number): Float32Array {
  return Float32Array.from(p0, (p, i) => p - (LR * g[i]) / (Math.abs(g[i]) + eps));
}

function judge(pRef: Float32Array, pCand: Float32Array, gRef: Float32Array, gCand: Float32Array): { oldPass: boolean; newPass: boolean; setAside: number } {
  const shape = [N];
  const opts = { opClass: 'elementwise' as const };
  const old = compareTensors({ data: pRef, shape, dtype: 'float32' }, { data: pCand, shape, dtype: 'float32' }, opts);
  const aside = setAsideNoise(pRef, pCand, gradientNoise(gRef, gCand, BATCH));
  const now = compareTensors({ data: pRef, shape, dtype: 'float32' }, { data: aside.candidate, shape, dtype: 'float32' }, opts);
  return { oldPass: old.pass, newPass: now.pass, setAside: aside.setAside };
}

describe('gradient noise in parameter probes', () => {
  test('a ~0 gradient rounded to opposite signs on the two sides is set aside, and counted', () => {
    const { p0, g } = fixture();
    const gRef = Float32Array.from(g);
    const gCand = Float32Array.from(g);
    // Cancellation leftovers: tiny, opposite signs (each side's float noise around a true 0), plus a few ulps
    // of ordinary disagreement elsewhere.
    for (const i of [10, 1234]) {
      gRef[i] = 4e-9;
      gCand[i] = -3e-9;
    }
    gCand[20] = g[20] * (1 + 2e-7);
    const r = judge(adamFirstStep(p0, gRef, 1e-7), adamFirstStep(p0, gCand, 1e-7), gRef, gCand);
    expect(r.oldPass).toBe(false);
    expect(r.newPass).toBe(true);
    expect(r.setAside).toBe(2);
  });

  test("Adam's epsilon 1e-8 instead of 1e-7 still fails (small gradients are well determined, not noise)", () => {
    const { p0, g } = fixture();
    const gCand = Float32Array.from(g);
    gCand[20] = g[20] * (1 + 2e-7);
    const r = judge(adamFirstStep(p0, g, 1e-7), adamFirstStep(p0, gCand, 1e-8), g, gCand);
    expect(r.oldPass).toBe(false);
    expect(r.newPass).toBe(false);
    expect(r.setAside).toBe(0);
  });

  test('a wrong learning rate fails: every element moves and no gradient is near zero', () => {
    const { p0, g } = fixture();
    const r = judge(adamFirstStep(p0, g, 1e-7), Float32Array.from(p0, (p, i) => p - (2 * LR * g[i]) / (Math.abs(g[i]) + 1e-7)), g, g);
    expect(r.newPass).toBe(false);
  });

  test('τ is the larger of the float32 floor at the gradient scale and the observed disagreement', () => {
    const floor = gradientNoise([1, -0.5, 0], [1, -0.5, 0], 16);
    expect(floor.threshold).toBeCloseTo(2 ** -23 * 4, 12);
    expect([...floor.undetermined]).toEqual([0, 0, 1]);
    const observed = gradientNoise([1, 1e-3, 0], [1, -1e-3, 0], 16);
    expect(observed.threshold).toBeCloseTo(2e-3, 9);
    expect([...observed.undetermined]).toEqual([0, 1, 1]);
    expect([...gradientNoise([NaN, 0], [NaN, 0], 4).undetermined]).toEqual([0, 0]);
    expect(() => gradientNoise([1, 2], [1], 4)).toThrow(/2 elements, the candidate's 1/);
  });

  describe('updateNoise: an update that differs only as much as its gradient does', () => {
    test('a gradient near eps with a 6% rounding difference (the two-branch-bn kernel element) is set aside; the same update with equal gradients is not', () => {
      const p0 = new Float32Array([0.1]);
      const [gr, gc] = [new Float32Array([1.02e-7]), new Float32Array([9.6e-8])];
      const pr = adamFirstStep(p0, gr, 1e-7);
      const pc = adamFirstStep(p0, gc, 1e-7);
      expect(Math.abs(pr[0] - pc[0])).toBeGreaterThan(1e-5); // beyond the parameter tolerance
      expect([...updateNoise(pr, pc, p0, gr, gc)]).toEqual([1]);
      expect([...updateNoise(pr, pc, p0, gr, gr)]).toEqual([0]);
    });
    test("optimizer bugs change the update where gradients agree: wrong lr, Adam's eps, a parameter left out", () => {
      const { p0, g } = fixture();
      const ref = adamFirstStep(p0, g, 1e-7);
      const count = (a: Uint8Array) => a.reduce((n, v) => n + v, 0);
      const wrongLr = Float32Array.from(p0, (p, i) => p - (2 * LR * g[i]) / (Math.abs(g[i]) + 1e-7));
      expect(count(updateNoise(ref, wrongLr, p0, g, g))).toBe(0);
      const eps = adamFirstStep(p0, g, 1e-8);
      const moved = [...eps].map((v, i) => v !== ref[i]);
      const aside = updateNoise(ref, eps, p0, g, g);
      expect(moved.some((m, i) => m && aside[i])).toBe(false);
      expect(count(updateNoise(ref, p0, p0, g, g))).toBe(0);
    });
    test('a pure-noise gradient (opposite signs) allows any two updates, NaN never', () => {
      expect([...updateNoise([0.099], [0.101], [0.1], [1e-9], [-1e-9])]).toEqual([1]);
      expect([...updateNoise([NaN], [0.1], [0.1], [1], [1])]).toEqual([0]);
      expect(() => updateNoise([1], [1], [1, 2], [1], [1])).toThrow(/differ in size/);
    });
  });
});

