/**
 * `torchbridge diff --timeout <s>`: the program still running when the time is spent is stopped; exit 2 and a
 * message naming that side, how far it got, its last output and what to try.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tb-cli-timeout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const diff = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'diff', ...args], { encoding: 'utf8', cwd: repo });
const CUBIC = join(repo, 'fixtures/cubic-tidy-fit/input.ts');

describe('torchbridge diff --timeout', () => {
  test('an original that never ends: stopped, exit 2, named as the original, with what to try', () => {
    const original = join(dir, 'hangs.ts');
    writeFileSync(original, [
      "import * as tf from '@tensorflow/tfjs';",
      'const w = tf.variable(tf.scalar(1));',
      'const optimizer = tf.train.sgd(0.1);',
      "console.error('loading data...');",
      'await new Promise((r) => setTimeout(r, 600_000));',
      'optimizer.minimize(() => w.square() as tf.Scalar);',
      '',
    ].join('\n'));
    const r = diff(original, '--migrated', original, '--timeout', '30', '--work-dir', join(dir, 'w1'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^torchbridge diff: the original \(tfjs\) program \S*hangs\.ts did not finish within the diff's --timeout \(\d+(\.\d)? s left for it\) and was stopped before completing a training step under torchbridge diff; raise --timeout, or diff fewer steps \(--steps N\)/);
    expect(r.stderr).toContain('loading data...');
  }, 60_000);

  test('a migrated program that stalls after two steps: the migrated side named, with the step it stalled in', () => {
    const migrated = join(dir, 'stalls.ts');
    const src = readFileSync(join(repo, 'fixtures/cubic-tidy-fit/output.ts'), 'utf8');
    const step = '  optimizer.step();\n';
    expect(src.split(step)).toHaveLength(2);
    writeFileSync(migrated, src.replace(step, `${step}  if (i === 1) { console.error('waiting for the next shard...'); await new Promise((r) => setTimeout(r, 600_000)); }\n`));
    // Enough for the reference's 300 steps and the candidate's start, not for the stall.
    const r = diff(CUBIC, '--migrated', migrated, '--timeout', '45', '--steps', '5', '--replay', 'none', '--work-dir', join(dir, 'w2'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^torchbridge diff: the migrated \(torchbridge\) program \S*stalls\.ts did not finish within the diff's --timeout \(\d+(\.\d)? s left for it\) and was stopped in training step 2 \(after 2 completed steps\)/);
    expect(r.stderr).toContain('waiting for the next shard...');
  }, 120_000);

  test('a --timeout that is no positive number is a usage error', () => {
    const r = diff(CUBIC, '--timeout', '0');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('torchbridge diff: --timeout takes a number of seconds above 0; got 0');
  });
});
