// model.trainOnBatch and model.fitDataset (tf.data.array and tf.data.generator) in the program-level diff: followed
// step by step through their optimizer.minimize, the model's weights in the runtime's layout. Real child processes.
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';
import { plantedCopies } from '../support/planted_copy.js';

const TOB = resolve('test/difftest/fixtures/train_on_batch.ts');
const FD = resolve('test/difftest/fixtures/fit_dataset.ts');
const planted = plantedCopies('tb-styles-test-');
/** A copy of `file` with `find` (found exactly once) replaced by `replace`, in a temporary folder. */
const edited = (file: string, find: string, replace: string): string => planted(file, [find, replace]);

describe('runDiff on trainOnBatch and fitDataset', () => {
  test('trainOnBatch in the program\'s loop: 8 steps, every weight after every step agrees (free run)', async () => {
    const r = await runDiff({ original: TOB, migrated: resolve('test/difftest/fixtures/train_on_batch.migrated.ts'), replay: 'none', reference: 'wasm', progress: false });
    expect(r.steps).toBe(8);
    expect(r.stepRows.filter((s) => !s.pass)).toEqual([]);
    const params = r.probes.filter((p) => p.kind === 'parameter');
    expect(params).toHaveLength(4 * 8);
    expect(params.filter((p) => !p.pass)).toEqual([]);
    // Dense kernels recorded as Linear weights: [out, in].
    expect(params.slice(0, 4).map((p) => [p.layer, p.shape])).toEqual([['dense_Dense1/kernel', [10, 6]], ['dense_Dense1/bias', [10]], ['dense_Dense2/kernel', [3, 10]], ['dense_Dense2/bias', [3]]]);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('fitDataset over tf.data.array (2 epochs of 5 batches) then tf.data.generator (4 batches): 14 steps agree, under replay step too', async () => {
    for (const replay of ['none', 'step'] as const) {
      const r = await runDiff({ original: FD, migrated: resolve('test/difftest/fixtures/fit_dataset.migrated.ts'), replay, reference: 'wasm', progress: false });
      expect(r.steps).toBe(14);
      expect(r.failures).toEqual([]);
      expect(r.nameMap).toEqual([
        { reference: 'dense_Dense1/kernel', candidate: 'params[0]' }, { reference: 'dense_Dense1/bias', candidate: 'params[1]' },
        { reference: 'dense_Dense2/kernel', candidate: 'params[2]' }, { reference: 'dense_Dense2/bias', candidate: 'params[3]' },
      ]);
      expect(r.pass).toBe(true);
    }
  }, 180_000);

  test('fitDataset: a learning rate migrated wrong is pinned to step 0 and the first layer\'s kernel', async () => {
    const migrated = edited(resolve('test/difftest/fixtures/fit_dataset.migrated.ts'), '{ lr: 0.3 }', '{ lr: 0.25 }');
    const r = await runDiff({ original: FD, migrated, steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.stepRows[0].pass).toBe(true);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'dense_Dense1/kernel' });
  }, 120_000);

  test('trainOnBatch: a batch taken from the wrong rows is pinned to step 0\'s loss', async () => {
    const migrated = edited(resolve('test/difftest/fixtures/train_on_batch.migrated.ts'), 'model.forward(xs.narrow(0, start, 12))', 'model.forward(xs.narrow(0, (start + 12) % N, 12))');
    const r = await runDiff({ original: TOB, migrated, steps: 2, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'loss' });
  }, 120_000);
});
