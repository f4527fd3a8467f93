// Custom loops with several models and optimizers (issue 12, GAN-style): a generator and a discriminator, two
// tf.sequential models, two Adams, optimizer.minimize(f, true, varList) each step. `torchbridge migrate` writes the
// whole migration (each optimizer created with its model's parameters: transpiler/rules/model_weights.ts); the bugs
// are planted in it. Real child processes, tfjs wasm.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runMigrate } from '../../cli/migrate/run.js';
import { runDiff } from '../../difftest/program/run.js';

const GAN = resolve('test/difftest/fixtures/gan_two_optimizers.ts');
let GAN_MIGRATED: string;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tb-gan-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  const dir = tmp();
  const code = await runMigrate({ paths: [GAN], outDir: dir, inPlace: false, force: false, dryRun: false, report: join(dir, 'report.json'), keepLayout: false, fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true });
  // 0: every site rewritten, no TODO left (both optimizers' parameter lists included).
  expect(code).toBe(0);
  GAN_MIGRATED = join(dir, basename(GAN));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function planted(edits: [string, string][]): string {
  let src = readFileSync(GAN_MIGRATED, 'utf8');
  for (const [from, to] of edits) {
    expect(src, `the migrated GAN contains ${from}`).toContain(from);
    src = src.replace(from, to);
  }
  const path = join(tmp(), 'planted.ts');
  writeFileSync(path, src);
  return path;
}

// tfjs creates the generator's weights first (dense_Dense1, dense_Dense2), then the discriminator's; the
// discriminator's optimizer steps first.
const G_VARS = ['dense_Dense1/kernel', 'dense_Dense1/bias', 'dense_Dense2/kernel', 'dense_Dense2/bias'];
const D_VARS = ['dense_Dense3/kernel', 'dense_Dense3/bias', 'dense_Dense4/kernel', 'dense_Dense4/bias'];

describe('runDiff on a GAN-style loop (two models, two optimizers)', () => {
  test('migrate creates each optimizer with its own model\'s parameters (no TODO left)', () => {
    const src = readFileSync(GAN_MIGRATED, 'utf8');
    expect(src).toContain('const dOptimizer = new optim.Adam(discriminator.parameters(), { lr: 0.01, eps: 1e-7 });');
    expect(src).toContain('const gOptimizer = new optim.Adam(generator.parameters(), { lr: 0.02, eps: 1e-7 });');
    expect(src).toContain('const dVars = [...discriminator.parameters()];');
    expect(src).not.toMatch(/torchbridge: TODO|@tensorflow/);
  });

  test('the migration, made on the fly by the diff: each migrated optimizer pairs with its tfjs optimizer, every step agrees', async () => {
    const r = await runDiff({ original: GAN, steps: 4, reference: 'wasm', progress: false });
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
    expect(r.steps).toBe(4);
    // The discriminator's optimizer was built first (optimizer #0), the generator's second.
    expect(r.nameMap).toEqual([
      ...G_VARS.map((reference, i) => ({ reference, candidate: `optimizer #1 params[${i}]` })),
      ...D_VARS.map((reference, i) => ({ reference, candidate: `optimizer #0 params[${i}]` })),
    ]);
    // Steps alternate: the discriminator's updates its four variables, the generator's its four.
    const updated = (step: number) => r.probes.filter((p) => p.step === step && p.kind === 'parameter').map((p) => p.layer);
    expect(updated(0)).toEqual(D_VARS);
    expect(updated(1)).toEqual(G_VARS);
    expect(r.probes.filter((p) => !p.pass)).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/8 variable\(s\) of 2 optimizers; each migrated optimizer pairs with one of the original's/);
  }, 120_000);

  test("the generator's optimizer with a wrong learning rate: the first divergence is its first step and variable", async () => {
    const r = await runDiff({ original: GAN, migrated: planted([['lr: 0.02, eps', 'lr: 0.01, eps']]), steps: 4, reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.stepRows[0].pass).toBe(true);
    expect(r.firstDivergence).toMatchObject({ step: 1, kind: 'parameter', variable: { index: 0, name: 'dense_Dense1/kernel' } });
  }, 120_000);

  test("the optimizers given each other's models: the discriminator's first step is wrong at once", async () => {
    const r = await runDiff({
      original: GAN,
      migrated: planted([['new optim.Adam(discriminator.parameters(), { lr: 0.01', 'new optim.Adam(generator.parameters(), { lr: 0.01'], ['new optim.Adam(generator.parameters(), { lr: 0.02', 'new optim.Adam(discriminator.parameters(), { lr: 0.02']]),
      steps: 4,
      reference: 'wasm',
      progress: false,
    });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'parameter', layer: 'dense_Dense3/kernel' });
  }, 120_000);

  test('--trace ops through the two models: a planted activation is named with its module and line', async () => {
    const file = planted([['discriminator.append(new nn.Linear(2, 4)).append(new nn.ReLU());', 'discriminator.append(new nn.Linear(2, 4)).append(new nn.Tanh());']]);
    const r = await runDiff({ original: GAN, migrated: file, steps: 2, trace: 'ops', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.likely).toMatchObject({ kind: 'Unary:tanh', module: 'Tanh' });
    // The program's line is where it calls the discriminator (the module's own line is in the runtime).
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('const onReal = discriminator.eval().forward(real)')) + 1;
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${line}$`));
    expect(d.referenceGap.map((o) => o.kind)).toContain('Relu');
  }, 120_000);
});
