/**
 * compat.slice / compat.pad: tf.slice and tf.pad with begin/size/paddings known only at run time (what the migration emits),
 * against @tensorflow/tfjs itself on every argument form tfjs accepts, its errors, and the gradient (a view).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compat, torch } from '../runtime/index.js';

const X = [[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], [[13, 14, 15, 16], [17, 18, 19, 20], [21, 22, 23, 24]]]; // [2, 3, 4]

describe('compat.slice ≡ tf.slice', () => {
  const forms: [string, number | number[], (number | number[])?][] = [
    ['lists', [0, 1, 1], [2, 2, 3]],
    ['-1 to the end', [1, 0, 2], [-1, -1, -1]],
    ['a number begin and size (first axis)', 1, 1],
    ['short lists padded (begin with 0, size with -1)', [0, 1], [1]],
    ['no size', [1, 2, 1]],
    ['a size of 0', [0, 0, 0], [2, 0, 4]],
  ];
  it.each(forms)('%s', (_name, begin, size) => {
    const ref = tf.slice(tf.tensor(X), begin, size);
    const out = compat.slice(torch.tensor(X), begin, size);
    expect(out.shape).toEqual(ref.shape);
    // (tfjs's arraySync of an empty tensor is [] whatever its shape; the values are compared flat.)
    expect(Array.from(out.contiguous().dataSync())).toEqual(Array.from(ref.dataSync()));
  });

  it("refuses what tfjs refuses, naming the argument", () => {
    const x = torch.tensor(X);
    expect(() => tf.slice(tf.tensor(X), [0, 2, 0], [1, 2, 1])).toThrow(/would overflow input.shape\[1\]/);
    expect(() => compat.slice(x, [0, 2, 0], [1, 2, 1])).toThrow(/begin\[1\] \+ size\[1\] \(4\) would overflow input.shape\[1\] \(3\)/);
    expect(() => compat.slice(x, [0, 0, 0], [1, -2, 1])).toThrow(/negative size values should be exactly -1 but got -2 for the slice\(\) size at index 1/);
    expect(() => compat.slice(x, [-1])).toThrow(/does not support negative begin indexing/);
    expect(() => compat.slice(x, [0, 0, 0, 0])).toThrow(/begin \[0, 0, 0, 0\] has more entries than the rank/);
  });

  it('passes gradients back to the sliced positions only', () => {
    const x = torch.tensor(X, { dtype: 'float32' }).requiresGrad_();
    compat.slice(x, [1, 1], [-1, 2]).sum().backward();
    const g = tf.grad((t: tf.Tensor) => tf.slice(t, [1, 1], [-1, 2]).sum())(tf.tensor(X));
    expect(x.grad!.toArray()).toEqual(g.arraySync());
  });
});

describe('compat.pad ≡ tf.pad', () => {
  it.each([
    [[[1, 0], [0, 2]], 0],
    [[[0, 1], [2, 1]], 7],
  ])('paddings %j, value %d', (paddings, value) => {
    const x = [[1, 2, 3], [4, 5, 6]];
    const ref = tf.pad(tf.tensor(x), paddings as [number, number][], value);
    const out = compat.pad(torch.tensor(x, { dtype: 'float32' }), paddings, value);
    expect(out.shape).toEqual(ref.shape);
    expect(out.toArray()).toEqual(ref.arraySync());
  });

  it('refuses paddings that are not one pair per axis', () => {
    expect(() => compat.pad(torch.zeros([2, 3]), [[1, 1]])).toThrow(/one \[before, after\] pair of non-negative integers per axis of the tensor \[2, 3\]/);
    expect(() => compat.pad(torch.zeros([2]), [[1, -1]])).toThrow(/compat.pad: paddings must be/);
  });
});
