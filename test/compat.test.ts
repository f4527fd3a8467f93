/**
 * runtime/compat: tfjs's tf.util helpers and tf.nextFrame with tfjs's exact semantics, checked against
 * @tensorflow/tfjs itself — including the random ones, with Math.random replaced by the same fixed sequence on
 * both sides, so "the same shuffle as tfjs" is an equality, not a statistic.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compat } from 'torchbridge';

/** Math.random returning a fixed sequence (restarted for each side). */
function fixedRandom(): void {
  let i = 0;
  const seq = [0.71, 0.05, 0.93, 0.42, 0.18, 0.66, 0.37, 0.99, 0.01, 0.5, 0.25, 0.8];
  vi.spyOn(Math, 'random').mockImplementation(() => seq[i++ % seq.length]);
}
afterEach(() => vi.restoreAllMocks());

describe('compat.util gives tf.util\'s results', () => {
  it('shuffle, shuffleCombo, createShuffledIndices, randUniform: the same permutation/value for the same Math.random draws', () => {
    const run = (u: typeof tf.util | typeof compat.util) => {
      fixedRandom();
      const a = [1, 2, 3, 4, 5, 6, 7];
      u.shuffle(a);
      const [b, c] = [['a', 'b', 'c', 'd'], [1, 2, 3, 4]];
      u.shuffleCombo(b, c);
      const idx = Array.from(u.createShuffledIndices(9));
      const r = u.randUniform(-2, 3);
      vi.restoreAllMocks();
      return { a, b, c, idx, r };
    };
    const ours = run(compat.util);
    expect(ours).toEqual(run(tf.util));
    expect([...ours.a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(compat.util.createShuffledIndices(4)).toBeInstanceOf(Uint32Array);
  });

  it.each([
    ['sizeFromShape', [[2, 3, 4]]], ['sizeFromShape', [[]]], ['arraysEqual', [[1, 2], [1, 2]]], ['arraysEqual', [[1, 2], [2, 1]]],
    ['flatten', [[[1, [2, [3]]], 4, new Float32Array([5, 6])]]], ['clamp', [0, 7, 5]], ['sum', [[1, 2, 3.5]]],
    ['distSquared', [[1, 2], [4, 6]]],
  ] as [keyof typeof compat.util, unknown[]][])('%s(%j)', (name, args) => {
    const ours = (compat.util[name] as (...a: unknown[]) => unknown)(...args);
    const theirs = (tf.util[name as keyof typeof tf.util] as (...a: unknown[]) => unknown)(...args);
    expect(ours).toEqual(theirs);
  });

  it('assert and assertShapesMatch throw tfjs\'s messages (lazy or string)', () => {
    const msg = (f: () => void) => { try { f(); return null; } catch (e) { return (e as Error).message; } };
    for (const u of [compat.util, tf.util]) expect(msg(() => u.assert(true, () => { throw new Error('not built'); }))).toBeNull();
    expect(msg(() => compat.util.assert(0, () => 'lazy'))).toBe(msg(() => tf.util.assert(false, () => 'lazy')));
    expect(msg(() => compat.util.assert(false, 'plain'))).toBe('plain');
    expect(msg(() => compat.util.assertShapesMatch([2, 3], [3, 2], 'x:'))).toBe(msg(() => tf.util.assertShapesMatch([2, 3], [3, 2], 'x:')));
  });

  it('encodeString/decodeString round-trip UTF-8 as tfjs', () => {
    const bytes = compat.util.encodeString('héllo ✓');
    expect(Array.from(bytes)).toEqual(Array.from(tf.util.encodeString('héllo ✓')));
    expect(compat.util.decodeString(bytes)).toBe('héllo ✓');
  });
});

describe('compat.nextFrame', () => {
  it('resolves asynchronously (setImmediate in Node, as tfjs), never synchronously', async () => {
    const order: string[] = [];
    const p = compat.nextFrame().then(() => order.push('frame'));
    order.push('sync');
    await p;
    expect(order).toEqual(['sync', 'frame']);
  });
});
