// The fifth user program in the repository: a CNN reading Fashion-MNIST IDX files beside itself, fit with
// validationSplit (fixtures/user-programs/fashion-cnn). test/package.test.ts runs it from a user's project too.
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';

const FIXTURE = resolve('fixtures/user-programs/fashion-cnn');
const dir = mkdtempSync(join(tmpdir(), 'tb-fashion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fashion-cnn', () => {
  test('migrated on the fly: PASS over the whole epoch, the migrated copy reading the data beside the original', async () => {
    const r = await runDiff({ original: join(FIXTURE, 'input.ts'), progress: false });
    expect(r.pass).toBe(true);
    // 1000 images, 10 % held out: 900 in batches of 32.
    expect(r.steps).toBe(29);
    expect(r.epochRows[0].reference).toHaveProperty('val_acc');
    expect(r.final.filter((f) => !f.pass)).toEqual([]);
    expect(r.reference.path).toBe(realpathSync(resolve('node_modules/@tensorflow/tfjs')));
  });

  test('the IDX reader is the program\'s: a file with the wrong magic number stops the original, exit named', async () => {
    cpSync(FIXTURE, dir, { recursive: true });
    // Labels where the images should be: magic 2049, not 2051.
    writeFileSync(join(dir, 'data/train-images-idx3-ubyte.gz'), readFileSync(join(dir, 'data/train-labels-idx1-ubyte.gz')));
    await expect(runDiff({ original: join(dir, 'input.ts'), progress: false })).rejects.toThrow(/the original \(tfjs\) program \S*input\.ts exited with code 1[^]*magic number 2049, expected 2051/);
  });
});
