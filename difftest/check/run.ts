/**
 * `torchbridge check`, the CI gate. Per config entry, four checks in order:
 *
 *   migrate    the original is migrated (`--fit helper`, so the diff's probes can hook training) unless the entry
 *              names a committed migrated program;
 *   todos      no `// torchbridge: TODO(...)` marker outside `allowedTodos`;
 *   types      the migrated program type-checks against the runtime;
 *   diff       `runDiff` finds the two programs numerically equal within the tolerances.
 *
 * One entry's failure never stops the others. The result says, per entry, which check failed and what to fix
 * (which step, which layer); reports are written as configured. Exit code: 0 every check held, 1 otherwise.
 */
import { shardEntries, type Shard } from './shard.js';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve, dirname, sep } from 'node:path';
import type { DiffOptions, DiffReport } from '../program/types.js';
import { assertReportPath, formatTerminal, junitDocument, reportSuite, verdict, writeReports, type JunitSuite, type TestCase } from '../report/index.js';
import { ConfigError, type CheckConfig, type CheckEntry } from './config.js';
import { formatTodo, sourceFiles, todoGate, type TodoGate } from './todos.js';
import { checkerOptions, formatTypeProblem, typeCheck, type TypeProblem } from './typecheck.js';
import { formatReportDiagnostic, type FileSummary } from '../../transpiler/report.js';

export type CheckName = 'migrate' | 'todos' | 'types' | 'diff';
export const CHECKS: readonly CheckName[] = ['migrate', 'todos', 'types', 'diff'];

export interface CheckProblem {
  check: CheckName;
  /** One line: what failed. */
  message: string;
  /** What to fix, one line each. */
  fixes: string[];
}

export interface EntryResult {
  entry: CheckEntry;
  /** The migrated entry file that was checked (null when migration failed). */
  migrated: string | null;
  todos: TodoGate | null;
  typeProblems: TypeProblem[];
  report: DiffReport | null;
  problems: CheckProblem[];
  /** Checks that ran and held. */
  passed: CheckName[];
  reportPaths: string[];
  pass: boolean;
}

export interface CheckResult {
  code: 0 | 1;
  entries: EntryResult[];
  /** Every report file written (per-entry formats and the one JUnit file). */
  reportPaths: string[];
}

export type DiffRunner = (opts: DiffOptions) => Promise<DiffReport>;

export interface RunCheckOptions {
  /** Progress lines on stderr and the diff's progress bars (default: when stderr is a TTY). */
  progress?: boolean;
  color?: boolean;
  /** Only the entries with these names. */
  only?: string[];
  /** Only this shard's entries (shard.ts), after `only`. */
  shard?: Shard;
  /** Where the summary goes (default console.log); null prints nothing. */
  log?: ((line: string) => void) | null;
  /** Entries diffed at once (default 1; each diff's two programs run one after the other). */
  jobs?: number;
  /** The program-level diff (default difftest/program/run.ts's runDiff); tests may pass another. */
  runDiff?: DiffRunner;
}

/** A per-entry report path: the configured one, or with several entries `diff.html` → `diff.<entry>.html`. */
export function entryReportPath(path: string, entry: string, many: boolean): string {
  if (!many) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${entry}${ext}`);
}

/** Migrates the entry's folder into the work folder (the entry's relative imports come along) and returns the migrated entry. */
async function migrateEntry(entry: CheckEntry, outDir: string): Promise<{ migrated: string | null; problem: CheckProblem | null }> {
  const { migrateProject } = await import('../../transpiler/project/migrate_project.js');
  rmSync(outDir, { recursive: true, force: true });
  const source = dirname(entry.original);
  const result = await migrateProject({
    paths: [source], outDir, inPlace: false, force: false, dryRun: false, keepLayout: entry.keepLayout,
    fit: 'helper', typeChecker: true, maxSize: 5_000_000, jobs: 1,
  });
  const first = (f: FileSummary) => (f.diagnostics[0] ? formatReportDiagnostic(f.diagnostics[0]) : undefined);
  const migrated = join(outDir, relative(source, entry.original));
  const failed = result.report.files.filter((f) => f.status === 'failed');
  const own = failed.find((f) => resolve(source, f.file) === entry.original || f.file === basename(entry.original));
  if (own || !existsSync(migrated)) {
    const why = (own && first(own)) ?? 'the migrated file was not written';
    return {
      migrated: null,
      problem: { check: 'migrate', message: `${rel(entry.original)} could not be migrated: ${why}`, fixes: [`fix what the diagnostic names in ${rel(entry.original)}, or migrate it by hand and set "migrated" in the config`] },
    };
  }
  if (failed.length) {
    return {
      migrated,
      problem: { check: 'migrate', message: `${failed.length} other file(s) beside the entry could not be migrated: ${failed.map((f) => `${f.file} (${first(f) ?? 'failed'})`).join('; ')}`, fixes: ['fix those files or move them out of the entry\'s folder'] },
    };
  }
  return { migrated, problem: null };
}

const rel = (p: string) => relative(process.cwd(), p) || p;

/** What the diff's failure says to fix, with the entry's context. */
function diffProblem(report: DiffReport): CheckProblem {
  const v = verdict(report);
  return { check: 'diff', message: v.headline.replace(/^FAIL: /, ''), fixes: v.fixes };
}

export async function runCheck(config: CheckConfig, opts: RunCheckOptions = {}): Promise<CheckResult> {
  const log = opts.log === null ? () => {} : opts.log ?? ((s: string) => console.log(s));
  const progress = opts.progress ?? Boolean(process.stderr.isTTY);
  const note = (s: string) => { if (progress) process.stderr.write(`${s}\n`); };
  const selected = opts.only?.length ? config.entries.filter((e) => opts.only!.includes(e.name)) : config.entries;
  const entries = opts.shard ? shardEntries(selected, opts.shard) : selected;
  // Per-entry report names stay those of the whole config on every shard.
  const many = (opts.shard ? selected : entries).length > 1;
  const shardNote = opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count}: ${entries.length} of ${selected.length} entries)` : '';
  if (opts.shard && !entries.length) {
    log(`check: shard ${opts.shard.index}/${opts.shard.count} has no entries (the config selects ${selected.length}); nothing to check`);
    return { code: 0, entries: [], reportPaths: [] };
  }
  // Report paths are checked before anything runs: a report aimed at a program's source is a config mistake.
  for (const e of entries) {
    const inputs = [{ role: 'original program', path: e.original }, { role: 'migrated program', path: e.migrated ?? '' }];
    for (const kind of ['json', 'markdown', 'html', 'junit'] as const) {
      const path = config.reports[kind];
      if (!path) continue;
      try {
        assertReportPath(kind, kind === 'junit' ? path : entryReportPath(path, e.name, many), inputs);
      } catch (err) {
        throw new ConfigError(`${rel(config.file)}: $.reports.${kind}: ${(err as Error).message.replace(/ Choose another path for --\w+\.$/, '')}; choose another path`);
      }
    }
  }
  const results: EntryResult[] = entries.map((entry) => ({ entry, migrated: null, todos: null, typeProblems: [], report: null, problems: [], passed: [], reportPaths: [], pass: false }));

  // 1. migrate, 2. TODO gate: per entry.
  for (const [i, r] of results.entries()) {
    const e = r.entry;
    note(`[${i + 1}/${results.length}] ${e.name}: ${e.migrated ? 'reading the migrated program' : 'migrating'}`);
    try {
      // A migrated folder holds the entry under the original's file name.
      if (e.migrated) r.migrated = statSync(e.migrated).isDirectory() ? join(e.migrated, basename(e.original)) : e.migrated;
      else {
        const m = await migrateEntry(e, join(config.workDir, e.name, 'migrated'));
        r.migrated = m.migrated;
        if (m.problem) r.problems.push(m.problem);
      }
      if (r.migrated && !r.problems.some((p) => p.check === 'migrate')) r.passed.push('migrate');
      if (r.migrated) {
        const files = sourceFiles(e.migrated ?? join(config.workDir, e.name, 'migrated'));
        r.todos = todoGate(files, config.allowedTodos);
        if (r.todos.disallowed.length) {
          const d = r.todos.disallowed;
          r.problems.push({
            check: 'todos',
            message: `${d.length} TODO marker(s) not in allowedTodos`,
            fixes: [...d.slice(0, 10).map((t) => `${formatTodo(t)} — finish it by hand, or add "${t.name || t.id}" to allowedTodos in ${rel(config.file)}`),
              ...(d.length > 10 ? [`… and ${d.length - 10} more`] : [])],
          });
        } else r.passed.push('todos');
      }
    } catch (err) {
      r.problems.push({ check: 'migrate', message: `migration failed: ${(err as Error).message}`, fixes: ['see the error above; set "migrated" to a hand-migrated program to skip migration'] });
    }
  }

  // 3. Type-check every migrated entry in one compiler program (loading the runtime's types once is the slow part).
  const checkable = results.filter((r) => r.migrated);
  if (checkable.length) {
    note(`type-checking ${checkable.length} migrated program(s)`);
    try {
      const files = checkable.map((r) => r.migrated!);
      const problems = typeCheck(files, checkerOptions(files[0]));
      for (const r of checkable) {
        // The entry's own problems: its file and the files beside or below it that it imports.
        // (Another entry's file in the same folder is that entry's.)
        const scope = dirname(resolve(r.migrated!)) + sep;
        const others = new Set(files.map((f) => resolve(f)).filter((f) => f !== resolve(r.migrated!)));
        r.typeProblems = problems.filter((p) => resolve(p.file) === resolve(r.migrated!) || (resolve(p.file).startsWith(scope) && !others.has(resolve(p.file))));
        if (r.typeProblems.length) {
          r.problems.push({
            check: 'types',
            message: `${r.typeProblems.length} type error(s) in the migrated program`,
            fixes: [...r.typeProblems.slice(0, 8).map((p) => formatTypeProblem(p)), ...(r.typeProblems.length > 8 ? [`… and ${r.typeProblems.length - 8} more`] : [])],
          });
        } else r.passed.push('types');
      }
    } catch (err) {
      for (const r of checkable) r.problems.push({ check: 'types', message: `the type-check could not run: ${(err as Error).message}`, fixes: [] });
    }
  }

  // 4. Diff (up to `jobs` entries at a time: each diff is two child processes run one after the other), then this
  // entry's reports. The traces go to temporary folders runDiff removes (they run to hundreds of MB).
  const runDiff = opts.runDiff ?? (await import('../program/run.js')).runDiff;
  const jobs = Math.max(1, opts.jobs ?? 1);
  const diffOne = async (i: number): Promise<void> => {
    const r = results[i], e = r.entry;
    if (!r.migrated) return;
    note(`[${i + 1}/${results.length}] ${e.name}: diffing against TensorFlow.js`);
    try {
      r.report = await runDiff({
        original: e.original, migrated: r.migrated, steps: e.steps, epochs: e.epochs, reference: e.reference, device: e.device, replay: e.replay,
        tolerances: e.tolerances, progress: progress && jobs === 1, seed: e.seed, keepLayout: e.keepLayout,
      });
      if (r.report.pass) r.passed.push('diff');
      else r.problems.push(diffProblem(r.report));
    } catch (err) {
      r.problems.push({ check: 'diff', message: `the diff could not run: ${(err as Error).message.split('\n')[0]}`, fixes: (err as Error).message.split('\n').slice(1, 6).filter(Boolean) });
    }
  };
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(jobs, results.length) }, async () => {
    while (next < results.length) await diffOne(next++);
  }));
  const allPaths: string[] = [];
  for (const r of results) {
    const e = r.entry;
    r.pass = r.problems.length === 0 && r.passed.length === CHECKS.length;
    if (r.report) {
      const out = {
        json: config.reports.json && entryReportPath(config.reports.json, e.name, many),
        markdown: config.reports.markdown && entryReportPath(config.reports.markdown, e.name, many),
        html: config.reports.html && entryReportPath(config.reports.html, e.name, many),
      };
      try {
        r.reportPaths = writeReports(r.report, out);
        allPaths.push(...r.reportPaths);
      } catch (err) {
        r.problems.push({ check: 'diff', message: `reports not written: ${(err as Error).message}`, fixes: [`change "reports" in ${rel(config.file)}`] });
        r.pass = false;
      }
    }
  }
  if (config.reports.junit) {
    const junit = config.reports.junit;
    assertReportPath('junit', junit, results.flatMap((r) => [{ role: 'original program', path: r.entry.original }, { role: 'migrated program', path: r.migrated ?? '' }]));
    mkdirSync(dirname(junit), { recursive: true });
    writeFileSync(junit, junitDocument(results.map(checkSuite)));
    allPaths.push(resolve(junit));
  }

  for (const r of results) log(summaryOf(r, opts.color ?? false));
  const failed = results.filter((r) => !r.pass);
  log('');
  log(failed.length
    ? `check: ${failed.length} of ${results.length} entr${results.length === 1 ? 'y' : 'ies'} failed${shardNote} (${failed.map((r) => r.entry.name).join(', ')}): fix what is listed above, then rerun \`torchbridge check\``
    : `check: ${results.length === 1 ? 'the entry' : `all ${results.length} entries`} passed${shardNote} (migrate, TODO markers, types, diff)`);
  if (allPaths.length) log(`reports: ${allPaths.map(rel).join(', ')}`);
  return { code: failed.length ? 1 : 0, entries: results, reportPaths: allPaths };
}

/** The entry's JUnit suite: its gates as test cases, then the diff report's own cases. */
function checkSuite(r: EntryResult): JunitSuite {
  const gate = (check: CheckName, name: string): TestCase => {
    const p = r.problems.find((x) => x.check === check);
    if (p) return { name, failure: { message: p.message, detail: [p.message, ...p.fixes].join('\n'), type: `Check.${check}` } };
    if (!r.passed.includes(check)) return { name, failure: { message: 'not run: an earlier check failed', detail: 'not run: an earlier check failed', type: `Check.${check}` } };
    return { name };
  };
  const gates = [gate('migrate', 'migrate'), gate('todos', 'TODO markers'), gate('types', 'type-check')];
  const base = { name: `torchbridge check ${r.entry.name}`, classname: `torchbridge.check.${r.entry.name}` };
  if (r.report) {
    const s = reportSuite(r.report);
    return { ...s, ...base, cases: [...gates, ...s.cases] };
  }
  return { ...base, cases: [...gates, gate('diff', 'diff')], properties: [['original', r.entry.original]], systemOut: '', seconds: 0 };
}

/** The entry's summary: one line when it passed, the failing checks and what to fix otherwise. */
function summaryOf(r: EntryResult, color: boolean): string {
  const paint = (code: number) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const red = paint(31), green = paint(32);
  const e = r.entry;
  const todos = r.todos ? `${r.todos.all.length} TODO marker(s)${r.todos.all.length ? ` (${r.todos.all.length - r.todos.disallowed.length} allowed)` : ''}` : '';
  if (r.pass) {
    const rep = r.report!;
    const finals = rep.final.map((f) => `${f.name} Δ ${f.diff.toFixed(2)}`).join(', ');
    return green(`✓ ${e.name}`) + `: migrated, ${todos}, types ok, diff PASS (${rep.stepRows.length} steps${finals ? `, ${finals}` : ''})`;
  }
  const lines = [red(`✗ ${e.name}`) + `: ${rel(e.original)}${r.migrated ? ` → ${rel(r.migrated)}` : ''}`];
  for (const p of r.problems) {
    lines.push(`    ${red(p.check)}: ${p.message}`);
    // A failed diff's fixes end its report below; list them once.
    if (p.check === 'diff' && r.report && !r.report.pass) continue;
    for (const f of p.fixes) lines.push(`      - ${f}`);
  }
  if (r.report && !r.report.pass) lines.push(formatTerminal(r.report, { color, maxRows: 12, maxLayers: 5 }).trimEnd().split('\n').map((l) => `    ${l}`).join('\n'));
  return lines.join('\n');
}
