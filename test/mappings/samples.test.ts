/**
 * Op-level check of the table itself: for every row with sample inputs, the code the row emits runs on the
 * runtime and gives tfjs's numbers (forward values, shapes and dtypes), one test per sample so that a failing
 * template is named while the table is edited. The machinery is difftest/op_level.ts, which also compares
 * gradients (test/difftest/op_level.test.ts, `torchbridge mappings --verify`).
 */
import { describe, expect, it } from 'vitest';
import { TABLE } from '../../mappings/index.js';
import { verifySample } from '../../difftest/op_level.js';

const cases = TABLE.flatMap((row) => (row.samples ?? []).map((s, i) => [`${row.tf} #${i}`, row, s, i] as const));

describe('emitted code gives tfjs\'s numbers on the sample inputs', () => {
  it('has sample inputs for the op rows', () => {
    expect(cases.length).toBeGreaterThan(150);
  });
  it.each(cases)('%s', (_name, row, sample, i) => {
    const r = verifySample(row, sample, i);
    expect(r.error, r.code).toBeNull();
    const failed = r.forward.filter((c) => !c.pass).map((c) => c.message);
    expect(failed, `${row.tf}: ${r.code}`).toEqual([]);
  });
});
