// Realistic tfjs programs on MNIST (fixtures/user-programs/<name>/input.*), migrated on the fly and diffed against
// TensorFlow.js with `torchbridge diff` semantics (runDiff, real child processes, --steps 30). Each must end PASS:
// every step's loss and every probe (outputs, gradients, parameters) within tolerance.
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';

const program = (name: string, ext = 'ts') => resolve(`fixtures/user-programs/${name}/input.${ext}`);

describe('user programs end PASS under torchbridge diff', () => {
  test.each([
    // tf.variableGrads + applyGradients with tf.dispose([xs, ys, value, grads]): 2048 images / 64 = 32 steps, 30 diffed.
    { name: 'mnist-raw-loop', ext: 'ts', steps: 30 },
    // Plain JS, sgd.minimize(() => tf.tidy(...)), predict(x) with an untyped x: 3 epochs × 8 batches.
    { name: 'regression-minimize', ext: 'js', steps: 24 },
  ])('$name', async ({ name, ext, steps }) => {
    const r = await runDiff({ original: program(name, ext), steps: 30, progress: false });
    expect(r.steps).toBe(steps);
    expect(r.stepRows.filter((s) => !s.pass)).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
  }, 180_000);
});
