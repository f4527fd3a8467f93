/** assertClose: torch.testing.assert_close's rules and message format (the tool every op test relies on). */
import { describe, expect, test } from 'vitest';
import * as torch from '../../runtime/torch.js';
import { assertClose, closeMismatch, pyFloat, pyIndex, AssertCloseError } from '../support/assert_close.js';

describe('assertClose', () => {
  test('the message format of assert_close: count, percentage, greatest differences with index and tolerance', () => {
    const actual = torch.tensor([[0, 1, 2, 3], [4, 5, 6.5, 7], [8, 9, 10, 11]], { dtype: 'float32' });
    const expected = torch.tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9.25, 10, 12]], { dtype: 'float32' });
    expect(closeMismatch(actual, expected)).toBe(
      'Tensor-likes are not close!\n\n' +
        'Mismatched elements: 3 / 12 (25.0%)\n' +
        'Greatest absolute difference: 1.0 at index (2, 3) (up to 1e-05 allowed)\n' +
        'Greatest relative difference: 0.08333333333333333 at index (1, 2) (up to 1.3e-06 allowed)',
    );
    expect(() => assertClose(actual, expected)).toThrow(AssertCloseError);
  });

  test('integers compare exactly: "not equal" and no tolerance text', () => {
    expect(closeMismatch(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 5]))).toBe(
      'Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 2 at index (2,)\nGreatest relative difference: 0.4 at index (2,)',
    );
    expect(closeMismatch(torch.tensor([true, false]), [true, false])).toBeNull();
  });

  test('float32 defaults: atol 1e-5 + rtol 1.3e-6·|expected|', () => {
    expect(closeMismatch({ data: [9e-6], shape: [1], dtype: 'float32' }, { data: [0], shape: [1], dtype: 'float32' })).toBeNull();
    expect(closeMismatch({ data: [2e-5], shape: [1], dtype: 'float32' }, { data: [0], shape: [1], dtype: 'float32' })).toContain('not close');
    expect(closeMismatch({ data: [1000.001], shape: [1], dtype: 'float32' }, { data: [1000], shape: [1], dtype: 'float32' })).toBeNull();
    expect(closeMismatch({ data: [1000.002], shape: [1], dtype: 'float32' }, { data: [1000], shape: [1], dtype: 'float32' })).toContain('not close');
  });

  test('float64 defaults are tighter: 1e-7 / 1e-7', () => {
    const a = torch.tensor([1 + 5e-8], { dtype: 'float64' });
    expect(closeMismatch(a, torch.tensor([1], { dtype: 'float64' }))).toBeNull();
    expect(closeMismatch(torch.tensor([1 + 5e-7], { dtype: 'float64' }), torch.tensor([1], { dtype: 'float64' }))).toContain('(up to 1e-07 allowed)');
  });

  test('NaN positions must match (equalNan on by default); equalNan false rejects NaN == NaN', () => {
    expect(closeMismatch([NaN, 1], [NaN, 1])).toBeNull();
    expect(closeMismatch([NaN, 1], [1, 1])).toContain('Greatest absolute difference: nan at index (0,)');
    expect(closeMismatch([1, 1], [1, NaN])).toContain('Mismatched elements: 1 / 2');
    expect(closeMismatch([NaN], [NaN], { equalNan: false })).toContain('Mismatched elements: 1 / 1 (100.0%)');
  });

  test('infinities must match exactly', () => {
    expect(closeMismatch([Infinity, -Infinity], [Infinity, -Infinity])).toBeNull();
    expect(closeMismatch([Infinity], [-Infinity])).toContain('not close');
    expect(closeMismatch([3e38], [Infinity])).toContain('not close');
  });

  test('shape and dtype are checked (dtype optionally)', () => {
    expect(closeMismatch(torch.zeros(2, 3), torch.zeros(3, 2))).toBe("The values for attribute 'shape' do not match: [2, 3] != [3, 2].");
    expect(closeMismatch(torch.zeros(2), torch.zeros([2], { dtype: 'float64' }))).toBe("The values for attribute 'dtype' do not match: float32 != float64.");
    expect(closeMismatch(torch.zeros(2), torch.zeros([2], { dtype: 'float64' }), { checkDtype: false })).toBeNull();
    expect(closeMismatch(torch.zeros([]), torch.zeros([1]))).toContain("'shape'");
  });

  test('accepts Tensors, nested arrays, typed arrays and { data, shape } on either side', () => {
    const t = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
    assertClose(t, [[1, 2], [3, 4]]);
    assertClose(t, { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
    assertClose(new Float32Array([1, 2]), new Float32Array([1, 2]));
    assertClose([[1, 2]], t.narrow(0, 0, 1));
    assertClose(t.T, [[1, 3], [2, 4]]);
    expect(() => assertClose(t, [1, 2, 3, 4])).toThrow("'shape'");
  });

  test('custom tolerances, given together; a message prefix', () => {
    assertClose([1.05], [1], { rtol: 0, atol: 0.1 });
    expect(() => assertClose([1], [1], { rtol: 0.1 })).toThrow(/both 'rtol' and 'atol'/);
    expect(closeMismatch([2], [1], { rtol: 0, atol: 0.5, msg: 'output 0' })).toMatch(/^output 0: Tensor-likes are not close!/);
  });

  test("Python's float and index repr", () => {
    expect([1e-5, 1.3e-6, 0.5, 2, 1e16, 123.25, -0.0001, Infinity, NaN].map(pyFloat)).toEqual(['1e-05', '1.3e-06', '0.5', '2.0', '1e+16', '123.25', '-0.0001', 'inf', 'nan']);
    expect([pyIndex([]), pyIndex([3]), pyIndex([1, 2])]).toEqual(['()', '(3,)', '(1, 2)']);
  });
});
