/** Edge values through the branch-free CPU kernels (relu, comparisons, bool casts). */
import { expect, test } from 'vitest';
import * as torch from '../../runtime/torch.js';

test('relu: -inf → 0, NaN → NaN, +inf → inf, negatives → +0 (not -0)', () => {
  const out = torch.tensor([-Infinity, NaN, Infinity, -2, -0, 3]).relu().toArray() as number[];
  expect(out[0]).toBe(0);
  expect(Number.isNaN(out[1])).toBe(true);
  expect(out[2]).toBe(Infinity);
  expect(Object.is(out[3], 0)).toBe(true);
  expect(out[5]).toBe(3);
});

test('comparisons and logical ops treat NaN as PyTorch does', () => {
  const x = torch.tensor([NaN, 1, 0]);
  expect(x.gt(0).toArray()).toEqual([false, true, false]);
  expect(x.eq(x).toArray()).toEqual([false, true, true]);
  expect(x.ne(x).toArray()).toEqual([true, false, false]);
  expect(x.bool().toArray()).toEqual([true, true, false]);
  expect(x.logicalNot().toArray()).toEqual([false, false, true]);
  expect(x.logicalAnd(torch.tensor([1, 0, 1])).toArray()).toEqual([true, false, false]);
  expect(x.logicalXor(torch.tensor([1, 0, 1])).toArray()).toEqual([false, true, true]);
});
