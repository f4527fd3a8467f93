import { describe, expect, it } from 'vitest';
import { verifyTable } from '../../difftest/op_level.js';
import { formatVerifyReport } from '../../difftest/op_level_report.js';
import { opClassOf } from '../../difftest/op_class.js';

describe('op-level differential test over the whole mapping table', () => {
  const report = verifyTable();

  it('verifies every row with samples, forward and (where differentiable) gradients', () => {
    expect(report.totals.rows).toBeGreaterThan(200);
    expect(report.totals.samples).toBeGreaterThan(300);
    expect(report.totals.gradientsCompared).toBeGreaterThan(200);
  });

  it('has no unexpected failures', () => {
    const detail = report.unexpected.map((r) => `${r.row} (${r.verdict}):\n  ${r.failures.join('\n  ')}`).join('\n');
    expect(report.unexpected.map((r) => r.row), detail).toEqual([]);
  });

  it('blames tfjs where its gradient disagrees with finite differences of its own forward (tfjs 4.22)', () => {
    // avgPool 'same' backward divides by the full window, not the valid count its forward uses; softmaxCrossEntropy's
    // gradient with respect to the labels is not −log softmax. The runtime agrees with finite differences on both.
    const blamed = report.rows.filter((r) => r.verdict === 'reference-bug');
    expect(blamed.map((r) => r.row).sort()).toEqual(['Tensor.avgPool', 'tf.avgPool', 'tf.losses.softmaxCrossEntropy']);
    for (const r of blamed) expect(r.failures.join('\n')).toContain("tfjs's gradient disagrees with finite differences");
  });

  it('says why each skipped gradient was skipped', () => {
    const skipped = report.rows.flatMap((r) => r.samples.filter((s) => s.gradient.length === 0));
    expect(skipped.length).toBeGreaterThan(0);
    for (const s of skipped) expect(s.gradientSkipped ?? s.error).toBeTruthy();
  });

  it('prints one table line per row and the totals', () => {
    const text = formatVerifyReport(report);
    expect(text.split('\n').filter((l) => /^(tf|Tensor)\.\S+ +(exact|semantic)/.test(l))).toHaveLength(report.totals.rows);
    expect(text).toMatch(/\d+ rows, \d+ samples \(\d+ with gradients compared\): \d+ pass, 0 fail, 0 error/);
  });
});

describe('planted bugs are caught and the row is named', () => {
  it('softmax on the wrong axis (forward)', () => {
    const r = verifyTable({ only: ['tf.softmax'], overrides: { 'tf.softmax': { target: 'torch.softmax($logits:t, 0)' } } });
    expect(r.unexpected.map((x) => x.row)).toEqual(['tf.softmax']);
    const row = r.rows[0];
    expect(row.verdict).toBe('fail');
    expect(row.failures[0]).toMatch(/^#0 out: Tensor-likes are not close!\n\nMismatched elements: 6 \/ 6 \(100\.0%\)/);
    expect(formatVerifyReport(r)).toContain('unexpected failures: tf.softmax');
  });

  it('a gradient cut off (forward equal, gradient wrong)', () => {
    const r = verifyTable({ only: ['tf.relu'], overrides: { 'tf.relu': { target: 'torch.relu($x:t.detach())' } } });
    const row = r.rows[0];
    expect(row.verdict).toBe('fail');
    expect(row.forwardMaxError).toBe(0);
    expect(row.failures.join('\n')).toContain('grad v0: Tensor-likes are not close!');
  });

  it('emitted code that throws is an error, not a pass', () => {
    const r = verifyTable({ only: ['tf.exp'], overrides: { 'tf.exp': { target: 'torch.noSuchOp($x:t)' } } });
    expect(r.rows[0].verdict).toBe('error');
    expect(r.unexpected.map((x) => x.row)).toEqual(['tf.exp']);
  });

  it('a semantic row whose notes document a difference reports it as expected, with the note id', () => {
    const r = verifyTable({ only: ['tf.gather'], overrides: { 'tf.gather': { target: 'torch.indexSelect($x:t, $axis, $indices:i).neg()' } } });
    expect(r.rows[0]).toMatchObject({ verdict: 'expected-difference', noteIds: ['gather-1d-indices'] });
    expect(r.unexpected).toEqual([]);
  });

  it('an exact row is never excused', () => {
    const r = verifyTable({ only: ['tf.argMax'], overrides: { 'tf.argMax': { target: 'torch.argmin($x:t, $axis)' } } });
    expect(r.rows[0].verdict).toBe('fail');
    expect(r.rows[0].failures[0]).toContain('Tensor-likes are not equal!');
  });
});

describe('op classes', () => {
  it.each([
    ['tf.add', 'elementwise'], ['tf.reshape', 'layout'], ['tf.tensor', 'layout'], ['tf.sum', 'reduction'], ['tf.softmax', 'reduction'],
    ['tf.matMul', 'matmul'], ['Tensor.matMul', 'matmul'], ['tf.conv2d', 'conv'], ['tf.maxPool', 'conv'], ['Tensor.sum', 'reduction'],
    ['Tensor.relu', 'elementwise'], ['Tensor.flatten', 'layout'], ['tf.losses.meanSquaredError', 'reduction'],
  ])('%s is %s', (tf, cls) => {
    expect(opClassOf({ tf })).toBe(cls);
  });
});
