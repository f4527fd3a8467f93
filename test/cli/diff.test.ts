/**
 * `torchbridge diff` failures through the CLI: a message naming the program and what to do, with the child's own
 * error line, and the exit code — not the toolkit's stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tb-cli-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const diff = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'diff', ...args], { encoding: 'utf8', cwd: repo });

describe('torchbridge diff errors', () => {
  test('an original that crashes: exit 2, the program named, its own error kept, no toolkit stack trace', () => {
    const original = join(dir, 'crashes.ts');
    writeFileSync(original, [
      "import * as tf from '@tensorflow/tfjs';",
      'const w = tf.variable(tf.scalar(1));',
      "const optimizer = tf.train.sgd(0.1);",
      "if (w.dataSync()[0] === 1) throw new Error('the data file is missing');",
      'optimizer.minimize(() => w.square() as tf.Scalar);',
      '',
    ].join('\n'));
    const r = diff(original, '--migrated', original, '--replay', 'none', '--work-dir', join(dir, 'w'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^torchbridge diff: the original \\(tfjs\\) program ${original.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} exited with code 1 before completing a training step under torchbridge diff; run it on its own \\(npx tsx `));
    expect(r.stderr).toContain('Error: the data file is missing');
    expect(r.stderr).toMatch(/crashes\.ts:4:\d+\)/);
    // tfjs's wasm bundle rethrows the error: its one-line source is not shown.
    expect(r.stderr).not.toMatch(/WasmBackendModule/);
    // None of the toolkit's frames: neither the parent's (runChild, the CLI) nor the child's probe modules.
    expect(r.stderr).not.toMatch(/at .*difftest[\\/]program[\\/]/);
    expect(r.stderr).not.toMatch(/ChildFailedError|at runChild|cli[\\/]commands/);
  }, 60_000);

  test('a migrated program that crashes: exit 2 (it cannot run; 1 is for numbers that differ), named as the migrated one, its error line with the program\'s own line number', () => {
    const migrated = join(dir, 'migrated-crashes.ts');
    const lines = readFileSync(join(repo, 'fixtures/cubic-tidy-fit/output.ts'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('for (let i'));
    lines.splice(at, 0, "if (optimizer) throw new Error('the migrated loop blew up');");
    writeFileSync(migrated, lines.join('\n'));
    const r = diff(join(repo, 'fixtures/cubic-tidy-fit/input.ts'), '--migrated', migrated, '--steps', '2', '--replay', 'none', '--work-dir', join(dir, 'w3'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^torchbridge diff: the migrated \(torchbridge\) program \S*migrated-crashes\.ts exited with code \d+ before completing a training step under torchbridge diff; run it on its own/);
    expect(r.stderr).toContain('Error: the migrated loop blew up');
    expect(r.stderr).toContain(`migrated-crashes.ts:${at + 1}:`);
    expect(r.stderr).not.toMatch(/at .*difftest[\\/]program[\\/]|ChildFailedError/);
  }, 60_000);

  test('a program with nothing to probe: exit 2 and one line saying what to point the diff at', () => {
    const original = join(dir, 'nothing.ts');
    writeFileSync(original, "import * as tf from '@tensorflow/tfjs';\nconsole.log(tf.scalar(1).dataSync());\n");
    const r = diff(original, '--migrated', original, '--work-dir', join(dir, 'w2'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`torchbridge diff: ${original}: found nothing to probe: no model.fit(x, y, ...) call and no custom training loop (optimizer.minimize, or tf.variableGrads with optimizer.applyGradients, or tf.grads / tf.valueAndGrads / tf.variableGrads with variable.assign, or model.trainOnBatch / model.fitDataset); torchbridge diff compares programs that train one of these ways — point it at the program's training entry file`);
  }, 60_000);
});

describe('torchbridge diff --trace ops through the CLI', () => {
  const MLP = 'test/difftest/fixtures/op_trace/mlp_loop.ts';
  const MIGRATED = 'test/difftest/fixtures/op_trace/mlp_loop.migrated.ts';

  test('a planted wrong op: exit 1, the op trace section names it and its line; --json carries it', () => {
    const src = readFileSync(join(repo, MIGRATED), 'utf8');
    expect(src).toContain('torch.relu(');
    const planted = join(dir, 'sigmoid.ts');
    writeFileSync(planted, src.replace('torch.relu(', 'torch.sigmoid('));
    const json = join(dir, 'trace.json');
    const r = diff(MLP, '--migrated', planted, '--trace', 'ops', '--steps', '1', '--reference', 'wasm', '--json', json);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Op trace \(--trace ops, step 0\)/);
    expect(r.stdout).toMatch(/likely cause: Unary:sigmoid \[4, 5\] at .*sigmoid\.ts:12/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.opTrace.firstDivergence.likely).toMatchObject({ kind: 'Unary:sigmoid', shape: [4, 5] });
  }, 60_000);

  test('--trace-step below 0: exit 2 before anything runs', () => {
    const r = diff(MLP, '--migrated', MIGRATED, '--trace', 'ops', '--trace-step', '-1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--trace-step takes a step number from 0; got -1/);
  });
});
