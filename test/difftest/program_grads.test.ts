// Hand-written updates in the program-level diff: tf.grads / tf.valueAndGrads then variable.assign on the tfjs side,
// torch.autograd.grad then copy_ on the migrated side, compared step by step. Real child processes, tfjs wasm.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runMigrate } from '../../cli/migrate/run.js';
import { runDiff } from '../../difftest/program/run.js';

const GRADS = resolve('test/difftest/fixtures/grads_assign.ts');
const VALUE_AND_GRADS = resolve('test/difftest/fixtures/value_and_grads.ts');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tb-grads-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function migrated(original: string, edit?: [string, string]): Promise<string> {
  const dir = tmp();
  await runMigrate({ paths: [original], outDir: dir, inPlace: false, force: false, dryRun: false, report: join(dir, 'report.json'), keepLayout: false, fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true });
  const file = join(dir, basename(original));
  if (!edit) return file;
  const src = readFileSync(file, 'utf8');
  expect(src.split(edit[0])).toHaveLength(2);
  writeFileSync(file, src.replace(edit[0], edit[1]));
  return file;
}

describe('runDiff on tf.grads / tf.valueAndGrads + assign loops', () => {
  test('tf.grads + assign, migrated on the fly: every step of 40 agrees, free run; variables named as the program names them', async () => {
    const r = await runDiff({ original: GRADS, replay: 'none', reference: 'wasm', progress: false });
    expect(r.steps).toBe(40);
    expect(r.stepRows).toHaveLength(40);
    expect(r.stepRows.filter((s) => !s.pass)).toEqual([]);
    // Step 0's loss is computed from the same initial values.
    expect(r.stepRows[0].relDiff).toBeLessThan(1e-6);
    const params = r.probes.filter((p) => p.kind === 'parameter');
    expect(params).toHaveLength(2 * 40);
    expect(params.filter((p) => !p.pass)).toEqual([]);
    expect(r.nameMap).toEqual([{ reference: expect.stringMatching(/^a \(\d+\)$/), candidate: 'leaf #0' }, { reference: expect.stringMatching(/^b \(\d+\)$/), candidate: 'leaf #1' }]);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('tf.valueAndGrads with update state in untrainable variables: all four paired, agrees under replay step and free run', async () => {
    const file = await migrated(VALUE_AND_GRADS);
    for (const replay of ['none', 'step'] as const) {
      const r = await runDiff({ original: VALUE_AND_GRADS, migrated: file, replay, reference: 'wasm', progress: false });
      expect(r.steps).toBe(30);
      expect(r.failures).toEqual([]);
      expect(r.nameMap!.map((n) => [n.reference.split(' ')[0], n.candidate])).toEqual([['w', 'leaf #0'], ['bias', 'leaf #1'], ['sqW', 'state #0'], ['sqB', 'state #1']]);
      expect(r.pass).toBe(true);
    }
  }, 180_000);

  test('--steps stops both sides after as many hand-written steps', async () => {
    const r = await runDiff({ original: GRADS, steps: 7, replay: 'step', reference: 'wasm', progress: false });
    expect(r.steps).toBe(7);
    expect(r.stepRows).toHaveLength(7);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('a wrong learning rate in the hand-written update is pinned to step 0 and the first variable', async () => {
    const file = await migrated(GRADS, ['const lr = 0.01;', 'const lr = 0.011;']);
    const r = await runDiff({ original: GRADS, migrated: file, steps: 5, replay: 'none', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.stepRows[0].pass).toBe(true);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'a', variable: { index: 0, label: 'a' } });
  }, 120_000);
});

test('the migrated variables take the original\'s initial values before the first forward: other literals still agree', async () => {
  const file = await migrated(GRADS, ['torch.tensor(0.3,', 'torch.tensor(0.9,']);
  const r = await runDiff({ original: GRADS, migrated: file, steps: 5, replay: 'none', reference: 'wasm', progress: false });
  expect(r.probes.filter((p) => !p.pass)).toEqual([]);
  expect(r.pass).toBe(true);
}, 120_000);
