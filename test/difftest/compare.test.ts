import { describe, expect, it } from 'vitest';
import { compareTensors, type HostTensorData } from '../../difftest/compare.js';
import { toleranceFor } from '../../difftest/tolerance.js';
import { compareSeries } from '../../difftest/series.js';

const f32 = (data: number[], shape: number[]): HostTensorData => ({ data, shape, dtype: 'float32' });
const i32 = (data: number[], shape: number[]): HostTensorData => ({ data, shape, dtype: 'int32' });

describe('compareTensors: metrics with known answers', () => {
  // Δ = [0.5, 0, 0, 0, 0, 1]: the largest absolute error is at (1, 2), the largest relative one (0.5/1) at (0, 0).
  const ref = f32([1, 2, 3, 4, 5, 6], [2, 3]);
  const cand = f32([1.5, 2, 3, 4, 5, 7], [2, 3]);
  const c = compareTensors(ref, cand, { opClass: 'elementwise', logits: true });
  const m = c.metrics!;

  it.each([
    ['numel', m.numel, 6],
    ['mismatchCount', m.mismatchCount, 2],
    ['mismatchPercent', m.mismatchPercent, 100 / 3],
    ['maxAbsError', m.maxAbsError, 1],
    ['maxRelError', m.maxRelError, 0.5],
    ['meanAbsError', m.meanAbsError, 0.25],
    ['rmse', m.rmse, Math.sqrt(1.25 / 6)],
    ['relativeL2', m.relativeL2, Math.sqrt(1.25 / 91)],
    ['cosineSimilarity', m.cosineSimilarity, 97.5 / Math.sqrt(91 * 105.25)],
    ['argmaxAgreement', m.argmaxAgreement, 1],
  ])('%s', (_name, got, want) => {
    expect(got).toBeCloseTo(want as number, 12);
  });

  it('indexes are multi-dimensional', () => {
    expect(m.maxAbsIndex).toEqual([1, 2]);
    expect(m.maxRelIndex).toEqual([0, 0]);
  });

  it('fails by tolerance with assert_close\'s message', () => {
    expect(c.pass).toBe(false);
    expect(c.rule).toBe('tolerance');
    expect(c.shapeMatch && c.dtypeMatch && c.nanMask.match && c.infMask.match).toBe(true);
    expect(c.tolerance).toMatchObject({ rtol: 1.3e-6, atol: 1e-5 });
    expect(c.message).toBe(
      'Tensor-likes are not close!\n\n' +
        'Mismatched elements: 2 / 6 (33.3%)\n' +
        'Greatest absolute difference: 1.0 at index (1, 2) (up to 1e-05 allowed)\n' +
        'Greatest relative difference: 0.5 at index (0, 0) (up to 1.3e-06 allowed)',
    );
  });

  it('argmax agreement counts rows of the last dimension', () => {
    const r = compareTensors(ref, f32([3, 2, 1, 4, 5, 6], [2, 3]), { opClass: 'elementwise', logits: true });
    expect(r.metrics!.argmaxAgreement).toBe(0.5);
    expect(compareTensors(ref, ref, { opClass: 'elementwise' }).metrics!.argmaxAgreement).toBeUndefined();
  });

  it('passes within assert_close float32 tolerances, and reports the zero metrics', () => {
    const r = compareTensors(ref, f32([1 + 1e-6, 2, 3, 4, 5, 6 + 1e-5], [2, 3]), { opClass: 'layout' });
    expect(r).toMatchObject({ pass: true, rule: 'tolerance', message: null });
    const same = compareTensors(ref, ref, { opClass: 'elementwise' }).metrics!;
    expect(same).toMatchObject({ maxAbsError: 0, maxRelError: 0, rmse: 0, relativeL2: 0, cosineSimilarity: 1, mismatchCount: 0 });
  });

  it('relative error against a zero reference is infinite', () => {
    const r = compareTensors(f32([0, 1], [2]), f32([1, 1], [2]), { opClass: 'elementwise' });
    expect(r.metrics!.maxRelError).toBe(Infinity);
    expect(r.metrics!.maxRelIndex).toEqual([0]);
    expect(r.message).toContain('Greatest relative difference: inf at index (0,)');
  });
});

describe('compareTensors: masks, shapes and dtypes', () => {
  it('NaN positions must match; the first mismatch is named', () => {
    const r = compareTensors(f32([1, NaN, 3, NaN], [2, 2]), f32([1, 2, 3, NaN], [2, 2]), { opClass: 'elementwise' });
    expect(r.pass).toBe(false);
    expect(r.rule).toBe('nan-mask');
    expect(r.nanMask).toEqual({ match: false, firstMismatch: [0, 1] });
    expect(r.metrics!.mismatchCount).toBe(1);
    expect(r.message).toContain('Mismatched elements: 1 / 4 (25.0%)');
    expect(r.message).toContain('NaN positions differ, first at index (0, 1)');
  });

  it('NaN in the same positions is equal', () => {
    const r = compareTensors(f32([1, NaN], [2]), f32([1, NaN], [2]), { opClass: 'elementwise' });
    expect(r).toMatchObject({ pass: true, nanMask: { match: true, firstMismatch: null } });
  });

  it('infinities must match in position and sign', () => {
    const r = compareTensors(f32([1, Infinity, -Infinity], [3]), f32([1, Infinity, Infinity], [3]), { opClass: 'elementwise' });
    expect(r.rule).toBe('inf-mask');
    expect(r.infMask.firstMismatch).toEqual([2]);
    expect(compareTensors(f32([Infinity], [1]), f32([Infinity], [1]), { opClass: 'elementwise' }).pass).toBe(true);
  });

  it('shapes must match (no metrics then)', () => {
    const r = compareTensors(f32([1, 2, 3, 4, 5, 6], [2, 3]), f32([1, 2, 3, 4, 5, 6], [3, 2]), { opClass: 'layout' });
    expect(r).toMatchObject({ pass: false, rule: 'shape', shapeMatch: false, metrics: null });
    expect(r.message).toBe("The values for attribute 'shape' do not match: torch.Size([3, 2]) != torch.Size([2, 3]).");
  });

  it('dtypes must match', () => {
    const r = compareTensors(f32([1, 2], [2]), i32([1, 2], [2]), { opClass: 'elementwise' });
    expect(r).toMatchObject({ pass: false, rule: 'dtype', dtypeMatch: false });
    expect(r.message).toBe("The values for attribute 'dtype' do not match: torch.int32 != torch.float32.");
  });

  it('integers compare exactly, with "not equal" and no allowance', () => {
    const r = compareTensors(i32([1, 2, 3], [3]), i32([1, 2, 4], [3]), { opClass: 'reduction', reductionLength: 100 });
    expect(r.tolerance).toMatchObject({ rtol: 0, atol: 0 });
    expect(r.message).toBe(
      'Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\n' +
        'Greatest absolute difference: 1 at index (2,)\nGreatest relative difference: 0.3333333333333333 at index (2,)',
    );
  });

  it('rtol and atol come together or not at all', () => {
    expect(() => compareTensors(f32([1], [1]), f32([1], [1]), { opClass: 'elementwise', rtol: 1e-3 })).toThrow(/both 'rtol' and 'atol'/);
    expect(compareTensors(f32([1], [1]), f32([1.0005], [1]), { opClass: 'elementwise', rtol: 1e-3, atol: 0 }).pass).toBe(true);
  });
});

describe('tolerances by op class', () => {
  it.each([
    ['elementwise', 9, 1.3e-6, 1e-5],
    ['layout', 9, 1.3e-6, 1e-5],
    ['reduction', 9, 3.9e-6, 3e-5],
    ['matmul', 16, 5.2e-6, 4e-5],
    ['conv', 4, 5.2e-6, 4e-5],
  ] as const)('%s with K=%i: rtol %f, atol %f', (opClass, k, rtol, atol) => {
    const t = toleranceFor('float32', opClass, k);
    expect(t.rtol).toBeCloseTo(rtol, 12);
    expect(t.atol).toBeCloseTo(atol, 12);
  });
});

describe('float64 tie-breaker', () => {
  // Σ [2^24, 1, 1, 1, 1, -2^24] = 4. Adding left to right in float32 (as a naive kernel does) loses every 1:
  // 2^24 + 1 rounds back to 2^24. A compensated or float64-accumulating kernel gets 4 exactly.
  const xs = [2 ** 24, 1, 1, 1, 1, -(2 ** 24)];
  const naive = xs.reduce((a, b) => Math.fround(a + b), 0);
  const exact = xs.reduce((a, b) => a + b, 0);

  it('passes a reduction that fails plain tolerance but is closer to float64 than the reference', () => {
    expect(naive).toBe(0);
    const opts = { opClass: 'reduction' as const, reductionLength: xs.length };
    const plain = compareTensors(f32([naive], [1]), f32([exact], [1]), opts);
    expect(plain).toMatchObject({ pass: false, rule: 'tolerance' });
    const r = compareTensors(f32([naive], [1]), f32([exact], [1]), { ...opts, float64Reference: new Float64Array([exact]) });
    expect(r).toMatchObject({ pass: true, rule: 'float64-tiebreak', message: null });
    expect(r.tieBreak).toEqual({ candidateRmse: 0, referenceRmse: 4, passed: true });
  });

  it('fails a candidate further from float64 than 2x the reference, and says so', () => {
    const r = compareTensors(f32([exact], [1]), f32([naive], [1]), { opClass: 'reduction', reductionLength: xs.length, float64Reference: [exact] });
    expect(r).toMatchObject({ pass: false, rule: 'float64-tiebreak' });
    expect(r.message).toMatch(/^Tensor-likes are not close!\n\nMismatched elements: 1 \/ 1 \(100\.0%\)\n/);
    expect(r.message).toContain('float64 tie-breaker: candidate RMSE 4.0 > 2 × reference RMSE 0.0 to the float64 result');
  });

  it('does not apply to elementwise ops', () => {
    const r = compareTensors(f32([naive], [1]), f32([exact], [1]), { opClass: 'elementwise', float64Reference: [exact] });
    expect(r).toMatchObject({ pass: false, rule: 'tolerance' });
  });
});

describe('compareSeries', () => {
  it('reports per-step differences and the first divergent step', () => {
    const s = compareSeries([2, 1, 0.5, 0.25], [2, 1.00001, 0.6, 0.25]);
    expect(s.steps.map((x) => x.pass)).toEqual([true, true, false, true]);
    expect(s.firstDivergence).toBe(2);
    expect(s.maxAbsDiff).toBeCloseTo(0.1, 12);
    expect(s.maxRelDiff).toBeCloseTo(0.2, 12);
    expect(s.pass).toBe(false);
  });

  it('a step missing on one side diverges', () => {
    expect(compareSeries([1, 2], [1]).firstDivergence).toBe(1);
    expect(compareSeries([1, 2], [1, 2]).pass).toBe(true);
  });
});
