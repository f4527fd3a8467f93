// The program-level diff end to end: real child processes, tfjs wasm reference, tens of steps.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';

const FIT_INPUT = resolve('fixtures/mnist-mlp-fit/input.ts');
const FIT_HELPER = resolve('fixtures/mnist-mlp-fit-helper/output.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'tb-diff-test-'));

describe('runDiff', () => {
  test('seed MNIST MLP (real MNIST, migrated on the fly), replay step: every step\'s loss within rel 1e-4, probes pass', async () => {
    // No work dir: the traces and the migrated copy (in the temporary work dir) are removed after the run.
    const r = await runDiff({ original: 'examples/tfjs/mnist-mlp.ts', steps: 12, replay: 'step', reference: 'wasm', recordEvery: 4, progress: false });
    expect(r.steps).toBe(12);
    expect(r.stepRows).toHaveLength(12);
    for (const row of r.stepRows) expect(row.relDiff).toBeLessThanOrEqual(1e-4);
    expect(r.probes.length).toBeGreaterThan(0);
    expect(r.probes.filter((p) => !p.pass)).toEqual([]);
    expect(r.firstDivergence).toBeNull();
    expect(r.pass).toBe(true);
    expect(r.nameMap).toContainEqual({ reference: 'dense_Dense1/kernel', candidate: '0.weight' });
    expect(r.notes.some((n) => /Adam epsilon/.test(n))).toBe(true);
    // The on-the-fly migration's warnings (semantic differences the mapping flags) are listed with the report.
    expect(r.notes).toContainEqual(expect.stringMatching(/^migration warning categorical-crossentropy-clip: /));
    // The program's real MNIST is the same on both sides: nothing replaced.
    expect(r.notes.some((n) => /training data differs/.test(n))).toBe(false);
    expect(r.final.find((f) => /acc/.test(f.name))?.pass).toBe(true);
    // The loss is a probe at every recorded step (0, 4, 8), the final metrics are probes at the last step.
    expect(r.probes.filter((p) => p.kind === 'loss').map((p) => p.step)).toEqual([0, 4, 8]);
    expect(r.probes.filter((p) => p.kind === 'metric').map((p) => [p.step, p.tensor])).toEqual([[11, 'evaluate loss'], [11, 'evaluate acc (points)']]);
  });

  test('a wrong learning rate fails and is pinned to step 0, the first Dense\'s parameters', async () => {
    const dir = tmp();
    const wrong = join(dir, 'wrong-lr.ts');
    const src = readFileSync(FIT_HELPER, 'utf8');
    expect(src).toContain('lr: 1e-3');
    writeFileSync(wrong, src.replace('lr: 1e-3', 'lr: 2e-3'));
    const r = await runDiff({ original: FIT_INPUT, migrated: wrong, steps: 4, replay: 'step', workDir: join(dir, 'w'), progress: false });
    expect(r.pass).toBe(false);
    // Same initial weights and batch: the step-0 forward, loss and gradients agree; the update does not.
    expect(r.stepRows[0].pass).toBe(true);
    expect(r.probes.filter((p) => p.step === 0 && p.kind !== 'parameter').every((p) => p.pass)).toBe(true);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'dense_Dense1', tensor: 'kernel' });
    expect(r.failures.join('\n')).toMatch(/first divergence: step 0, parameter of dense_Dense1\/kernel/);
    // Under replay each step's loss is taken at the reference's parameters, so the wrong update never shows there.
    expect(r.probes.filter((p) => p.kind === 'loss').map((p) => p.pass)).toEqual([true, true, true, true]);
  });

  test('without a work dir, the traces and the on-the-fly migration are removed after the run', async () => {
    // os.tmpdir() follows TMPDIR: a fresh one shows exactly what the run left there (other runs may share /tmp).
    const tmpRoot = tmp();
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmpRoot;
    try {
      const r = await runDiff({ original: FIT_INPUT, steps: 2, replay: 'step', reference: 'wasm', progress: false });
      expect(r.pass).toBe(true);
      // The migration goes to the run's temporary work dir, not into the program's tree (its node_modules included).
      expect(r.migrated.startsWith(tmpRoot)).toBe(true);
      expect(existsSync(dirname(r.migrated))).toBe(false);
      // (tsx keeps its compile cache there, as tsx-<uid>: not ours.)
      expect(readdirSync(tmpRoot).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
      expect(r.notes.join('\n')).toMatch(/removed after the run/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  test('a program importing @tensorflow/tfjs-node runs on @tensorflow/tfjs, and the report says so', async () => {
    const dir = tmp();
    const original = join(dir, 'node-program.ts');
    writeFileSync(original, readFileSync(FIT_INPUT, 'utf8').replace("from '@tensorflow/tfjs'", "from '@tensorflow/tfjs-node'"));
    const r = await runDiff({ original, migrated: FIT_HELPER, steps: 3, replay: 'none', reference: 'cpu', workDir: join(dir, 'w'), progress: false });
    expect(r.notes).toContain('@tensorflow/tfjs-node is not installed: the original\'s import of it was served by @tensorflow/tfjs');
    expect(r.steps).toBe(3);
    expect(r.pass).toBe(true);
    // The synthetic data differs between the two programs, the validation split's included: the candidate
    // validates on the reference's recorded validation data, so the epoch's val_* figures agree.
    expect(r.notes.join('\n')).toMatch(/validation data differs/);
    const { reference: ref, candidate: cand } = r.epochRows[0];
    expect(cand.val_acc).toBe(ref.val_acc);
    expect(Math.abs(cand.val_loss - ref.val_loss) / ref.val_loss).toBeLessThan(1e-5);
  });

  test('no --reference: a program importing an installed @tensorflow/tfjs-node runs its reference there', async () => {
    const dir = tmp();
    // A stand-in tfjs-node (the real one needs libtensorflow, not on this machine): tfjs with the cpu kernels
    // registered again as the backend 'tensorflow', which is what tfjs-node adds.
    const pkg = join(dir, 'node_modules/@tensorflow/tfjs-node');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '0.0.0-stand-in', main: 'index.js' }));
    const tfjs = createRequire(import.meta.url).resolve('@tensorflow/tfjs');
    writeFileSync(join(pkg, 'index.js'), [
      `const tf = require(${JSON.stringify(tfjs)});`,
      "tf.registerBackend('tensorflow', tf.findBackendFactory('cpu'), 3);",
      "for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });",
      // Re-exported the way Node's CommonJS lexer sees names through (tfjs-node's __exportStar does the same).
      `module.exports = require(${JSON.stringify(tfjs)});`,
      '',
    ].join('\n'));
    const original = join(dir, 'node-program.ts');
    writeFileSync(original, readFileSync(FIT_INPUT, 'utf8').replace("from '@tensorflow/tfjs'", "from '@tensorflow/tfjs-node'"));
    const r = await runDiff({ original, migrated: FIT_HELPER, steps: 2, replay: 'step', workDir: join(dir, 'w'), progress: false });
    expect(r.reference.backend).toBe('node');
    expect(r.notes.join('\n')).toMatch(/the original imports @tensorflow\/tfjs-node, installed at \S*node_modules\/@tensorflow\/tfjs-node\/index\.js: it ran there/);
    expect(r.notes.join('\n')).not.toMatch(/is not installed/);
    expect(r.pass).toBe(true);
  });

  test('the CNN fixture, replay layer: NHWC → NCHW, Flatten order and dropout masks line up; the wasm fallback is reported', async () => {
    const workDir = tmp();
    const r = await runDiff({ original: 'fixtures/cnn-fit/input.ts', steps: 2, replay: 'layer', reference: 'wasm', workDir, progress: false });
    expect(r.reference.fallbacks.join('\n')).toMatch(/Conv2DBackpropFilter: not registered for backend 'wasm'/);
    expect(r.probes.some((p) => p.tensor === 'isolated')).toBe(true);
    expect(r.probes.filter((p) => !p.pass)).toEqual([]);
    expect(r.layers.map((l) => l.referenceType)).toContain('Flatten');
    expect(r.pass).toBe(true);
    // A named work dir is kept, and so is the migrated copy in it (the user asked).
    expect(existsSync(join(workDir, 'reference', 'index.json'))).toBe(true);
    expect(r.migrated.startsWith(workDir)).toBe(true);
    expect(existsSync(r.migrated)).toBe(true);
  });

  test('the keep-layout CNN trained with tf.train.rmsprop, free run: agrees from step 0 (RMSprop migrates with epsInside)', async () => {
    // Before the mapping passed epsInside: true (tfjs's eps inside the square root) this diverged at step 0.
    const r = await runDiff({ original: 'fixtures/cnn-keep-layout/input.ts', keepLayout: true, steps: 3, replay: 'none', reference: 'cpu', workDir: tmp(), progress: false });
    expect(r.notes.join('\n')).not.toMatch(/rmsprop/i);
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
    rmSync(dirname(r.migrated), { recursive: true, force: true });
  });
});
