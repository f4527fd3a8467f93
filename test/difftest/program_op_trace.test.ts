// `torchbridge diff --trace ops` end to end: real child processes (tfjs wasm reference), one step of a custom loop
// or of model.fit traced op by op on both sides. A correct migration has no diverging op; a planted wrong op is
// named with its line in the migrated program.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runMigrate } from '../../cli/migrate/run.js';
import { applyPlantedBug, PLANTED_BUGS } from '../../difftest/check/planted.js';
import { DiffUsageError, runDiff } from '../../difftest/program/run.js';
import { formatMarkdown, formatTerminal } from '../../difftest/report/index.js';
import { TraceReader } from '../../difftest/program/trace.js';
import type { ReferenceMeta } from '../../difftest/program/trace_meta.js';

const HERE = resolve('test/difftest/fixtures/op_trace');
const MLP = join(HERE, 'mlp_loop.ts');
const MLP_MIGRATED = join(HERE, 'mlp_loop.migrated.ts');
const NORM = join(HERE, 'norm_loop.ts');
const NORM_MIGRATED = join(HERE, 'norm_loop.migrated.ts');
const CUBIC = resolve('fixtures/cubic-tidy-fit/input.ts');
const CUBIC_MIGRATED = resolve('fixtures/cubic-tidy-fit/output.ts');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of a migrated fixture with one edit (the planted bug), in a temporary folder; its line of the edit. */
function planted(file: string, from: string, to: string): { path: string; line: number } {
  const src = readFileSync(file, 'utf8');
  const at = src.indexOf(from);
  expect(at, `${file} contains ${from}`).toBeGreaterThan(0);
  const dir = mkdtempSync(join(tmpdir(), 'tb-op-trace-'));
  dirs.push(dir);
  const path = join(dir, 'planted.ts');
  writeFileSync(path, src.slice(0, at) + to + src.slice(at + from.length));
  return { path, line: src.slice(0, at).split('\n').length };
}

const diff = (original: string, migrated: string, extra: { traceStep?: number; steps?: number } = {}) =>
  runDiff({ original, migrated, steps: extra.steps ?? 1, trace: 'ops', traceStep: extra.traceStep, reference: 'wasm', progress: false });

describe('diff --trace ops', () => {
  test('a correct migration of an MLP loop: every paired op agrees, no divergence', async () => {
    const r = await diff(MLP, MLP_MIGRATED);
    expect(r.pass).toBe(true);
    const t = r.opTrace!;
    expect(t.step).toBe(0);
    expect(t.firstDivergence).toBeNull();
    expect(t.unsure).toBeNull();
    // The forward (matmul, add, relu, matmul, add, log-softmax pieces) and the agreeing part of the backward.
    expect(t.paired).toBeGreaterThanOrEqual(20);
    expect(t.agreeing).toBe(t.paired);
    expect(formatTerminal(r, { color: false })).toMatch(/Op trace \(--trace ops, step 0\)\n.*paired.*\nno op diverges beyond tolerance/);
  }, 120_000);

  test('a planted wrong activation (sigmoid for relu) is named, with its line in the migrated program', async () => {
    const bug = planted(MLP_MIGRATED, 'torch.relu(', 'torch.sigmoid(');
    const r = await diff(MLP, bug.path);
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.phase).toBe('forward');
    expect(d.cause).toBe('gap');
    expect(d.likely.kind).toBe('Unary:sigmoid');
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    // What the original ran there instead, at its own line.
    expect(d.referenceGap.map((o) => o.kind)).toContain('Relu');
    expect(d.referenceGap.find((o) => o.kind === 'Relu')!.at).toMatch(/mlp_loop\.ts:13$/);
    // The first output both sides have that differs: the second matmul, which reads the activation.
    expect(d.candidate).toMatchObject({ kind: 'MatMul', shape: [4, 2] });
    expect(d.reference).toMatchObject({ kind: 'BatchMatMul', shape: [4, 2] });
    expect(d.maxAbsError).toBeGreaterThan(1e-2);
    expect(r.failures.join('\n')).toMatch(new RegExp(`op trace: step 0: first divergence at MatMul \\[4, 2\\].*likely cause: Unary:sigmoid at .*planted\\.ts:${bug.line}`));
    expect(formatMarkdown(r)).toContain('## Op trace (step 0)');
  }, 120_000);

  test('a misplaced epsilon (outside the square root) is pinned to its line', async () => {
    const bug = planted(NORM_MIGRATED, 'torch.sqrt(torch.add(variance, 1e-3))', 'torch.add(torch.sqrt(variance), 1e-3)');
    const r = await diff(NORM, bug.path);
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.candidate.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    expect(d.reference.at).toMatch(/norm_loop\.ts:13$/);
    expect(['Unary:sqrt', 'Binary:add']).toContain(d.likely.kind);
  }, 120_000);

  test('--trace-step: a later step of a correct loop (momentum, tidy) agrees op for op; a wrong constant there is an input that differs', async () => {
    const ok = await diff(CUBIC, CUBIC_MIGRATED, { steps: 3, traceStep: 2 });
    expect(ok.pass).toBe(true);
    expect(ok.opTrace).toMatchObject({ step: 2, firstDivergence: null });
    expect(ok.opTrace!.paired).toBeGreaterThan(10);
    const bug = planted(CUBIC_MIGRATED, 'a.mul(x.pow(3))', 'a.mul(x.pow(2))');
    const r = await diff(CUBIC, bug.path, { steps: 3, traceStep: 2 });
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.candidate.kind).toBe('Binary:pow');
    expect(d.candidate.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    expect(d.cause).toBe('input');
    expect(d.candidateGap.map((o) => o.kind)).toEqual(['Input']);
  }, 120_000);

  test('a gradient-only bug, a detached variable (every forward value agrees): the op where its gradient stops, with its line', async () => {
    const bug = planted(CUBIC_MIGRATED, 'a.mul(x.pow(3))', 'a.detach().mul(x.pow(3))');
    const r = await diff(CUBIC, bug.path, { steps: 2 });
    expect(r.pass).toBe(false);
    const t = r.opTrace!;
    const d = t.firstDivergence!;
    expect(d).toMatchObject({ phase: 'backward', cause: 'no-gradient' });
    expect(d.maxAbsError).toBe(0);
    // The detached copy of `a`, read where the prediction reads it; the variable the original trains and it does not.
    expect(d.likely).toMatchObject({ kind: 'Input', shape: [] });
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    expect(d.referenceGap).toHaveLength(1);
    expect(d.referenceGap[0].at).toMatch(/cubic-tidy-fit\/input\.ts:11$/);
    expect(r.failures.join('\n')).toMatch(/op trace: step 0: .*the migrated program's gradient stops at Input \[\]/);
    expect(formatTerminal(r, { color: false })).toMatch(/the gradient does not flow where the original's does/);
  }, 120_000);

  test('a gradient-only bug, a relu whose gradient passes straight through: the first backward op that differs, and the relu', async () => {
    const bug = planted(MLP_MIGRATED, '  const hidden = torch.relu(torch.add(torch.matmul(x, w1), b1));\n', '  const pre = torch.add(torch.matmul(x, w1), b1);\n  const hidden = pre.sub(pre.sub(torch.relu(pre)).detach());\n');
    const r = await diff(MLP, bug.path);
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.phase).toBe('backward');
    expect(d.cause).toBe('gap');
    // b1's gradient (the sum over the batch), at the line of the add whose gradient it is.
    expect(d.candidate).toMatchObject({ kind: 'Reduce:sum' });
    expect(d.candidate.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    expect(d.maxAbsError).toBeGreaterThan(1e-2);
    // The original runs relu's gradient (Step, Multiply) there; the migrated relu (its line) gets none.
    expect(d.referenceGap.map((o) => o.kind)).toEqual(expect.arrayContaining(['Step', 'Multiply']));
    expect(d.likely.kind).toBe('Unary:relu');
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${bug.line + 1}$`));
  }, 120_000);

  test('what cannot be traced is a usage error naming why: a step never reached, the GPU', async () => {
    const late = diff(MLP, MLP_MIGRATED, { steps: 2, traceStep: 5 });
    await expect(late).rejects.toThrow(DiffUsageError);
    await expect(late).rejects.toThrow(/--trace-step 5: the original program did not reach step 5 \(it ran 2 steps/);
    await expect(runDiff({ original: MLP, migrated: MLP_MIGRATED, trace: 'ops', device: 'webgpu', progress: false })).rejects.toThrow(/--trace ops .* needs the migrated program on the CPU: run it with --device cpu/);
  }, 120_000);
});

describe('diff --trace ops on model.fit programs', () => {
  // Migrated as the diff migrates on the fly (--fit helper: utils.fit, which the candidate's probe drives).
  const TWO_BRANCH = resolve('fixtures/functional-two-branch/input.ts');
  const SQUARE = resolve('test/difftest/planted/mlp_square.ts');
  const CNN = resolve('test/difftest/planted/cnn.ts');
  const migrated: Record<string, string> = {};
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'tb-op-trace-fit-'));
    dirs.push(out);
    for (const original of [TWO_BRANCH, SQUARE, CNN]) {
      const code = await runMigrate({ paths: [original], outDir: join(out, basename(original, '.ts')), inPlace: false, force: false, dryRun: false, keepLayout: false, fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true, jobs: 1 });
      expect(code).toBe(0);
      migrated[original] = join(out, basename(original, '.ts'), basename(original));
      expect(readFileSync(migrated[original], 'utf8')).toContain('utils.fit(');
    }
  }, 120_000);

  test('a correct functional model (two branches, SGD): the step\'s forward, loss and backward agree op for op', async () => {
    const r = await diff(TWO_BRANCH, migrated[TWO_BRANCH]);
    expect(r.pass).toBe(true);
    const t = r.opTrace!;
    expect(t).toMatchObject({ step: 0, firstDivergence: null, unsure: null });
    expect(t.paired).toBeGreaterThanOrEqual(30);
    expect(t.agreeing).toBe(t.paired);
  }, 120_000);

  test('--trace-step 1 under replay, a sequential model with a metric (Adam): no op diverges, backward included', async () => {
    // The candidate's parameters are the reference's before step 1 (written by the probe, not the program); the
    // reference's accuracy metric, which its probe evaluates inside the differentiated function, is not recorded.
    const workDir = mkdtempSync(join(tmpdir(), 'tb-op-trace-work-'));
    dirs.push(workDir);
    const r = await runDiff({ original: SQUARE, migrated: migrated[SQUARE], steps: 2, trace: 'ops', traceStep: 1, reference: 'wasm', progress: false, workDir });
    expect(r.pass).toBe(true);
    const t = r.opTrace!;
    expect(t).toMatchObject({ step: 1, firstDivergence: null, unsure: null });
    const reference = new TraceReader<ReferenceMeta>(join(workDir, 'reference'));
    const kinds = reference.meta.opTrace!.events.map((e) => e.kind);
    reference.close();
    expect(kinds).toContain('Softmax');
    expect(kinds).not.toContain('ArgMax');
    // The backward pass too: its weight gradients pair with the square Dense kernel's ([in, out] against [out, in]).
    expect(t.paired).toBeGreaterThanOrEqual(40);
    expect(t.agreeing).toBe(t.paired);
  }, 120_000);

  test('a correct CNN (conv, batch norm, max pool, flatten, dropout): no op diverges; the running statistics are not judged, and say so', async () => {
    // tfjs's NHWC maps against the runtime's NCHW ([16, 4, 4, 4] either way), its (h, w, c) flatten order against
    // (c, h, w) in the flatten, the Dropout mask and the next Dense's kernel gradient.
    const r = await diff(CNN, migrated[CNN], { steps: 2, traceStep: 1 });
    expect(r.pass).toBe(true);
    const t = r.opTrace!;
    expect(t.firstDivergence).toBeNull();
    expect(t.paired).toBeGreaterThanOrEqual(60);
    expect(t.unsure).toMatch(/^2 pairs that only update state .* were not judged$/);
    expect(t.agreeing).toBe(t.paired - 2);
  }, 120_000);

  test('a planted wrong activation in a migrated forward (sigmoid for tanh) is named with its line', async () => {
    const bug = planted(migrated[TWO_BRANCH], 'const deep1 = torch.tanh(', 'const deep1 = torch.sigmoid(');
    const r = await diff(TWO_BRANCH, bug.path);
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.phase).toBe('forward');
    expect(d.likely.kind).toBe('Unary:sigmoid');
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    expect(d.referenceGap.map((o) => o.kind)).toContain('Tanh');
    // The first output both have that differs: the next Dense, which reads the activation.
    expect(d.candidate).toMatchObject({ kind: 'Linear', shape: [8, 6] });
    expect(r.failures.join('\n')).toMatch(new RegExp(`op trace: step 0: first divergence at Linear \\[8, 6\\].*likely cause: Unary:sigmoid at .*planted\\.ts:${bug.line}`));
  }, 120_000);

  test('a gradient-only bug in a fit program, a detached branch: where the gradient stops, and the variables it no longer reaches', async () => {
    const bug = planted(migrated[TWO_BRANCH], 'this.dense3.forward(deep1)', 'this.dense3.forward(deep1.detach())');
    const r = await diff(TWO_BRANCH, bug.path);
    expect(r.pass).toBe(false);
    // The step's own comparison: the deep branch's first Dense gets no gradient.
    expect(r.firstDivergence).toMatchObject({ kind: 'gradient', layer: 'dense_Dense2' });
    const d = r.opTrace!.firstDivergence!;
    expect(d).toMatchObject({ phase: 'backward', cause: 'no-gradient' });
    expect(d.candidate).toMatchObject({ kind: 'Linear', shape: [8, 6] });
    expect(d.likely).toMatchObject({ kind: 'Input', shape: [8, 12] });
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${bug.line}$`));
    // dense_Dense2's kernel and bias.
    expect(d.referenceGap.map((o) => o.shape)).toEqual([[16, 12], [12]]);
  }, 120_000);

  test('a bias the migrated Dense lacks (zero-initialised, so step 0\'s forward agrees): the op trace alone fails the diff', async () => {
    const bug = planted(migrated[TWO_BRANCH], 'dense2 = new nn.Linear(16, 12);', 'dense2 = new nn.Linear(16, 12, { bias: false });');
    const r = await diff(TWO_BRANCH, bug.path);
    expect(r.pass).toBe(false);
    // Nothing else fails: the candidate has no bias to compare.
    expect(r.failures.filter((f) => !f.startsWith('op trace: '))).toEqual([]);
    const d = r.opTrace!.firstDivergence!;
    expect(d).toMatchObject({ phase: 'backward', cause: 'no-gradient', candidate: { kind: 'Linear', shape: [8, 12] } });
    expect(d.referenceGap.map((o) => o.shape)).toEqual([[12]]);
  }, 120_000);

  test('a gradient-only bug in a fit program, a straight-through relu: named with its line', async () => {
    const bug = planted(migrated[TWO_BRANCH], '    const deep2 = torch.relu(this.dense3.forward(deep1));\n', '    const pre2 = this.dense3.forward(deep1);\n    const deep2 = pre2.sub(pre2.sub(torch.relu(pre2)).detach());\n');
    const r = await diff(TWO_BRANCH, bug.path);
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.phase).toBe('backward');
    expect(d.likely.kind).toBe('Unary:relu');
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${bug.line + 1}$`));
  }, 120_000);

  test('a planted untransposed kernel in a sequential model\'s own Dense class is named with its line', async () => {
    // The planted suite's dense-kernel-not-transposed: a Linear subclass computing x·W + b with W [out, in].
    const bugDef = PLANTED_BUGS.find((b) => b.id === 'dense-kernel-not-transposed')!;
    const dir = mkdtempSync(join(tmpdir(), 'tb-op-trace-'));
    dirs.push(dir);
    const path = join(dir, 'planted.ts');
    const source = applyPlantedBug(bugDef, readFileSync(migrated[SQUARE], 'utf8'));
    writeFileSync(path, source);
    const line = source.split('\n').findIndex((l) => l.includes('return torch.add(torch.matmul(x, this.weight)')) + 1;
    const r = await diff(SQUARE, path);
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d.phase).toBe('forward');
    // The square weight pairs with tfjs's kernel by kind and shape (the op trace knows no weight layouts), so the
    // first difference shows where the class's forward reads it: its line.
    expect(d.candidate.shape).toEqual([32, 32]);
    expect(d.candidate.at).toMatch(new RegExp(`planted\\.ts:${line}$`));
    expect(d.likely.at).toMatch(new RegExp(`planted\\.ts:${line}$`));
  }, 120_000);
});
