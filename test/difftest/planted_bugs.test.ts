/**
 * The planted-bug suite: each bug in difftest/check/planted.ts is planted in a correctly migrated program, and
 * `torchbridge check` (programmatically, the real program-level diff against TensorFlow.js) must fail on it with a
 * report that names the planted layer or op. The unmutated programs are checked in the same run and must pass,
 * so a catch means the bug was found, not that the check fails on everything. Few steps, small data: the whole
 * suite is one `check` run of twenty-nine entries (ten programs, nineteen bugs: seven in fit-trained sequential
 * models, five in functional graphs, five in custom loops, two in fit's outputs and class weights). The bugs that
 * say what `diff --trace ops` must name (traceOps: gradient-only bugs, whose forward values all agree) are also
 * diffed op by op at step 0.
 */
import { describe, expect, test, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { runMigrate } from '../../cli/migrate/run.js';
import { parseCheckConfig } from '../../difftest/check/config.js';
import { applyPlantedBug, PLANTED_BUGS, PLANTED_PROGRAMS, PlantError, type PlantedBug, type PlantedProgram } from '../../difftest/check/planted.js';
import { runCheck, type CheckResult, type EntryResult } from '../../difftest/check/run.js';
import { runDiff } from '../../difftest/program/run.js';

const repo = resolve(import.meta.dirname, '../..');
const STEPS = 4;
let dir: string;
const migrated = {} as Record<PlantedProgram, string>;
let result: CheckResult;
const entry = (name: string): EntryResult => result.entries.find((e) => e.entry.name === name)!;

/** Everything the report says about where the difference is: first divergence, failing layers and probes, failures. */
function named(r: EntryResult): string[] {
  const rep = r.report;
  if (!rep) return r.problems.map((p) => [p.message, ...p.fixes].join(' '));
  return [
    rep.firstDivergence?.layer ?? '',
    ...rep.layers.filter((l) => !l.pass).map((l) => l.layer),
    ...rep.failures,
  ];
}

beforeAll(async () => {
  // Inside the checkout: the seed MLP finds MNIST through its own import.meta.url, as the bundled example does.
  mkdirSync(join(repo, '.test-out'), { recursive: true });
  dir = mkdtempSync(join(repo, '.test-out', 'planted-'));
  for (const [program, path] of Object.entries(PLANTED_PROGRAMS) as [PlantedProgram, string][]) {
    const out = join(dir, 'migrated', program);
    const code = await runMigrate({ paths: [join(repo, path)], outDir: out, inPlace: false, force: false, dryRun: false, keepLayout: false, fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true, jobs: 1 });
    expect(code, `${path} migrates without TODOs`).toBe(0);
    migrated[program] = join(out, basename(path));
  }
  const entries: Record<string, unknown>[] = (Object.keys(PLANTED_PROGRAMS) as PlantedProgram[]).map((program) =>
    ({ name: `control-${program}`, original: join(repo, PLANTED_PROGRAMS[program]), migrated: migrated[program], steps: STEPS, reference: 'cpu', replay: 'step' }));
  for (const bug of PLANTED_BUGS) {
    const file = join(dir, bug.id, basename(PLANTED_PROGRAMS[bug.program]));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, applyPlantedBug(bug, readFileSync(migrated[bug.program], 'utf8')));
    entries.push({ name: bug.id, original: join(repo, PLANTED_PROGRAMS[bug.program]), migrated: file, steps: STEPS, reference: 'cpu', replay: 'step' });
  }
  const config = parseCheckConfig({ entries, reports: { junit: 'junit.xml' } }, join(dir, 'torchbridge.check.json'));
  // Two diffs at a time: the machine has two cores and each diff runs its two programs one after the other.
  result = await runCheck(config, { log: null, progress: false, jobs: 2 });
  // The catch count, for BENCHMARKS.md: a catch fails the check and names the planted layer or op.
  const caught = PLANTED_BUGS.filter((b) => !entry(b.id).pass && namesIt(b, entry(b.id)));
  const failed = PLANTED_BUGS.filter((b) => !entry(b.id).pass);
  console.log(`planted bugs caught and localized: ${caught.length} of ${PLANTED_BUGS.length} (${caught.map((b) => b.id).join(', ')}); check failed on ${failed.length} of ${PLANTED_BUGS.length}`);
  for (const b of PLANTED_BUGS) console.log(`  ${b.id}: ${entry(b.id).pass ? 'PASSED (missed)' : 'failed'}; first divergence ${JSON.stringify(entry(b.id).report?.firstDivergence ? { step: entry(b.id).report!.firstDivergence!.step, kind: entry(b.id).report!.firstDivergence!.kind, layer: entry(b.id).report!.firstDivergence!.layer } : null)}; ${entry(b.id).problems.map((p) => p.message).join(' | ')}`);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A crash the diff must place: the migrated program named, and the training step it stopped in. */
function placesCrash(bug: PlantedBug, r: EntryResult): boolean {
  const text = r.problems.map((p) => [p.message, ...p.fixes].join('\n')).join('\n');
  return /the migrated \(torchbridge\) program/.test(text) && text.includes(`in training step ${bug.expect.crash!.step} `);
}

function namesIt(bug: PlantedBug, r: EntryResult): boolean {
  if (bug.expect.crash) return placesCrash(bug, r);
  const d = r.report?.firstDivergence;
  if (bug.expect.step !== undefined && d?.step !== bug.expect.step) return false;
  if (bug.expect.layer && !(d?.layer === bug.expect.layer || named(r).some((s) => s.includes(bug.expect.layer!)))) return false;
  if (bug.expect.kind && d?.kind !== bug.expect.kind) return false;
  return true;
}

describe('planted bugs', () => {
  test('every edit applies exactly where it should, and refuses a program that does not match', () => {
    for (const bug of PLANTED_BUGS) {
      const source = readFileSync(migrated[bug.program], 'utf8');
      const planted = applyPlantedBug(bug, source);
      expect(planted).not.toBe(source);
      for (const e of bug.edits) expect(planted).toContain(e.replace);
    }
    expect(() => applyPlantedBug(PLANTED_BUGS[0], 'const nothing = 1;')).toThrow(PlantError);
  });

  test.each(Object.keys(PLANTED_PROGRAMS))('the unmutated %s passes check (the controls)', (program) => {
    const r = entry(`control-${program}`);
    expect(r.problems, JSON.stringify(r.problems, null, 2)).toEqual([]);
    expect(r.pass).toBe(true);
  });

  test.each(PLANTED_BUGS.map((b) => [b.id, b] as const))('%s: check fails and the report names the planted layer or op', (_id, bug) => {
    const r = entry(bug.id);
    expect(r.pass, `${bug.id} was not caught`).toBe(false);
    // Only the diff should object: the planted program still migrates, has no TODOs and type-checks.
    expect(r.passed).toEqual(['migrate', 'todos', 'types']);
    expect(r.problems.map((p) => p.check)).toEqual(['diff']);
    if (bug.knownGap) {
      // Caught by the final metrics, not localized (see knownGap); once the report names the layer, drop knownGap.
      expect(r.report!.final.some((f) => !f.pass)).toBe(true);
      expect(namesIt(bug, r), `${bug.id} is now localized: remove its knownGap`).toBe(false);
      return;
    }
    if (bug.expect.crash) {
      expect(placesCrash(bug, r), r.problems.map((p) => p.message).join('\n')).toBe(true);
      return;
    }
    const d = r.report?.firstDivergence;
    expect(d, 'the report has a first divergence').toBeTruthy();
    if (bug.expect.step !== undefined) expect(d!.step).toBe(bug.expect.step);
    if (bug.expect.kind) expect(d!.kind).toBe(bug.expect.kind);
    if (bug.expect.layer) expect(named(r).join('\n')).toContain(bug.expect.layer);
    if (bug.expect.layer && bug.expect.kind) expect(d!.layer).toBe(bug.expect.layer);
  });

  test.each(PLANTED_BUGS.filter((b) => b.traceOps).map((b) => [b.id, b] as const))('%s: --trace ops names the phase and the line', async (_id, bug) => {
    const file = join(dir, bug.id, basename(PLANTED_PROGRAMS[bug.program]));
    const r = await runDiff({ original: join(repo, PLANTED_PROGRAMS[bug.program]), migrated: file, steps: 1, trace: 'ops', reference: 'cpu', progress: false });
    expect(r.pass).toBe(false);
    const d = r.opTrace!.firstDivergence!;
    expect(d, r.opTrace!.summary).toBeTruthy();
    const want = bug.traceOps!;
    expect(d.phase).toBe(want.phase);
    if (want.cause) expect(d.cause).toBe(want.cause);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(want.line)) + 1;
    expect(line).toBeGreaterThan(0);
    expect(d.likely.at, r.opTrace!.summary).toMatch(new RegExp(`${basename(file).replace('.', '\\.')}:${line}$`));
    expect(r.failures.some((f) => f.startsWith('op trace: '))).toBe(true);
  }, 120_000);

  test('the check exits 1 overall, with one JUnit suite per entry', () => {
    expect(result.code).toBe(1);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).toHaveLength(Object.keys(PLANTED_PROGRAMS).length + PLANTED_BUGS.length);
  });
});
