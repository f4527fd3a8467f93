// The program-level diff on programs split across modules: every local module is instrumented, on both sides.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runMigrate } from '../../cli/migrate/run.js';
import { instrumentModules, InstrumentError } from '../../difftest/program/instrument.js';
import { localModules } from '../../difftest/program/local_modules.js';
import { runDiff } from '../../difftest/program/run.js';

const repo = resolve(import.meta.dirname, '../..');
const SPLIT = resolve('fixtures/project-split/src');
const MNIST_SPLIT = resolve('fixtures/corpus/mnist-node-split/src');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tb-modules-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const diffCli = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'diff', ...args], { encoding: 'utf8', cwd: repo });

async function migrateFolder(src: string): Promise<string> {
  const out = join(tmp(), 'migrated');
  await runMigrate({ paths: [src], outDir: out, inPlace: false, force: false, dryRun: false, keepLayout: false, fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true });
  return out;
}

describe('localModules', () => {
  test.each([
    ['project-split (TypeScript, ./x.js specifiers naming .ts files)', join(SPLIT, 'main.ts'), ['main.ts', 'model.ts', 'train.ts']],
    ['mnist-node-split (JavaScript, a default export)', join(MNIST_SPLIT, 'main.js'), ['main.js', 'data.js', 'model.js']],
  ])('%s: the entry first, then its local imports', (_name, entry, expected) => {
    expect(localModules(entry).map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual(expected);
  });
});

describe('instrumentModules', () => {
  const probe = 'file:///probe.ts';
  test('fit in one module, evaluate in another: one probe import per module, line numbers kept', () => {
    const files = localModules(join(SPLIT, 'main.ts')).map((f) => ({ fileName: f, text: readFileSync(f, 'utf8') }));
    const out = instrumentModules(files, 'reference', probe);
    expect([out.fitCalls, out.evaluateCalls, out.customLoop]).toEqual([1, 1, false]);
    expect(out.modules.map((m) => [m.fitCalls, m.evaluateCalls])).toEqual([[0, 1], [0, 0], [1, 0]]);
    out.modules.forEach((m, i) => {
      expect(m.text.split(`import ${JSON.stringify(probe)};`)).toHaveLength(2);
      expect(m.text.split('\n')).toHaveLength(files[i].text.split('\n').length);
    });
    expect(out.modules[2].text).toContain('await __tb.fit(model, xs, ys, { epochs, batchSize: 16, shuffle: false })');
  });

  test('nothing to probe in any module: the error names every file looked at', () => {
    const files = [
      { fileName: '/p/main.ts', text: "import { m } from './model.js';\nconsole.log(m);\n" },
      { fileName: '/p/model.ts', text: "import * as tf from '@tensorflow/tfjs';\nexport const m = tf.sequential();\n" },
    ];
    expect(() => instrumentModules(files, 'reference', probe)).toThrow(InstrumentError);
    expect(() => instrumentModules(files, 'reference', probe)).toThrow(/^\/p\/main\.ts \(and the local modules it imports, looked at too: \/p\/model\.ts\): found nothing to probe: no model\.fit/);
  });

  test('a custom loop split across modules (backward in one, step in another) counts as one', () => {
    const files = [
      { fileName: 'main.ts', text: "import { torch } from 'torchbridge';\nloss.backward();\n" },
      { fileName: 'step.ts', text: 'export const go = () => opt.step();\n' },
    ];
    expect(instrumentModules(files, 'candidate', probe).customLoop).toBe(true);
  });
});

describe('runDiff on split programs', () => {
  test('project-split, migrated on the fly (the entry and its modules): the CLI exits 0', () => {
    const r = diffCli(join(SPLIT, 'main.ts'), '--steps', '8');
    expect(r.stderr).not.toMatch(/found nothing to probe/);
    expect(r.stdout).toMatch(/PASS: the migrated program matches TensorFlow\.js/);
    expect(r.status).toBe(0);
  }, 120_000);

  test('mnist-node-split (JavaScript), migrated with torchbridge migrate: agrees', async () => {
    const migrated = await migrateFolder(MNIST_SPLIT);
    const r = await runDiff({ original: join(MNIST_SPLIT, 'main.js'), migrated: join(migrated, 'main.js'), progress: false });
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
    expect(r.steps).toBeGreaterThan(0);
    expect(r.final.map((f) => f.name)).toHaveLength(2);
  }, 180_000);

  test('a wrong learning rate planted in the migrated model.ts (not the entry) is caught and placed: step 0, an update', async () => {
    const migrated = await migrateFolder(SPLIT);
    const model = join(migrated, 'model.ts');
    const src = readFileSync(model, 'utf8');
    expect(src).toContain('lr: 0.02,');
    writeFileSync(model, src.replace('lr: 0.02,', 'lr: 0.03,'));
    const r = await runDiff({ original: join(SPLIT, 'main.ts'), migrated: join(migrated, 'main.ts'), steps: 5, progress: false });
    expect(r.pass).toBe(false);
    expect(r.stepRows[0].pass).toBe(true);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'dense_Dense1', tensor: 'kernel' });
    expect(r.failures.join('\n')).toMatch(/first divergence: step 0, parameter of dense_Dense1\/kernel — look at how that parameter is updated \(optimizer settings\)/);
    const cli = diffCli(join(SPLIT, 'main.ts'), '--migrated', join(migrated, 'main.ts'), '--steps', '5');
    expect(cli.status).toBe(1);
  }, 180_000);
});
