/**
 * `torchbridge migrate`: collect the inputs, migrate every source file (in worker threads), then write the
 * results to the output folder (copying everything else), or over the inputs (--in-place, on a clean git tree),
 * or print a unified diff (--dry-run); print and optionally save the report. Exit code: 0 everything migrated,
 * 1 TODOs or failures remain, 2 usage error.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { cpus } from 'node:os';
import { loadRuntimeApi } from '../../mappings/runtime_api.js';
import { buildReport, reportMarkdown, reportText, type Report } from '../../transpiler/report.js';
import type { FileResult, ReexportInfo, TranspileOptions } from '../../transpiler/types.js';
import { collectInputs, migratedPath, readSource } from './files.js';
import { gitTreeState } from './git.js';
import { rewritePackageJson } from './packages.js';
import { runTasks, type Task } from './pool.js';
import { moduleKeyOf, reexportsOf } from './reexports.js';
import { unifiedDiff } from './diff.js';

export interface MigrateOptions {
  paths: string[];
  outDir?: string;
  inPlace: boolean;
  force: boolean;
  dryRun: boolean;
  report?: string;
  jobs?: number;
  keepLayout: boolean;
  /** How model.fit/evaluate/predict are migrated (default loop). */
  fit?: 'loop' | 'helper';
  typeChecker: boolean;
  maxSize: number;
  verbose: boolean;
  quiet: boolean;
}

export class UsageError extends Error {}

/** The default output folder: `<first input>-migrated` next to it (a file's name without its extension). */
export function defaultOutDir(firstPath: string): string {
  const p = resolve(firstPath).replace(/[\\/]+$/, '');
  let isDir = false;
  try {
    isDir = statSync(p).isDirectory();
  } catch { /* reported later */ }
  if (isDir) return `${p}-migrated`;
  if (basename(p).startsWith('tsconfig')) return `${dirname(p)}-migrated`;
  return join(dirname(p), `${basename(p, extname(p))}-migrated`);
}

function progress(enabled: boolean, total: number): { tick(file: string): void; done(): void } {
  if (!enabled) return { tick() {}, done() {} };
  let n = 0;
  const width = 30;
  return {
    tick(file) {
      n++;
      const filled = Math.round((n / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${n}/${total} files ${file.slice(-40).padEnd(40)}`);
    },
    done() {
      process.stderr.write('\r\x1b[2K');
    },
  };
}

/** What a migration did: the report the CLI prints, and what it wrote. */
export interface MigrateResult {
  /** 0 everything migrated; 1 TODO markers or failed files remain. */
  code: 0 | 1;
  /** The report (per file and per site, totals): what `--report x.json` writes. */
  report: Report;
  /** The output folder (null with inPlace or dryRun). */
  outDir: string | null;
  /** Files written (migrated, or rewritten in place) and copied unchanged. */
  written: number;
  copied: number;
  /** With dryRun: the unified diff of every change ('' when nothing would change). */
  diff: string;
  /** Lines about other files (package.json dependency rewrites). */
  messages: string[];
  /** The closing lines: where the files went, how many TODOs and failures remain, where the report is. */
  summary: string[];
}

/** `torchbridge migrate`, printing as the CLI does (nothing but the dry run's diff with `quiet`); returns the exit code. */
export async function runMigrate(o: MigrateOptions): Promise<number> {
  const r = await migrateFiles(o);
  const log = (s: string) => { if (!o.quiet) console.log(s); };
  for (const m of r.messages) log(m);
  if (r.diff) process.stdout.write(r.diff);
  if (!o.quiet) {
    const text = reportText(r.report, o.verbose);
    if (o.dryRun) process.stderr.write(`${text}\n`);
    else console.log(text);
  }
  (o.dryRun ? (s: string) => process.stderr.write(`${s}\n`) : log)(r.summary.join('\n'));
  return r.code;
}

/** Migrates as `torchbridge migrate` does and returns what happened; prints nothing (the report file is written if asked). */
export async function migrateFiles(o: MigrateOptions): Promise<MigrateResult> {
  if (!o.paths.length) throw new UsageError('name at least one file, folder or tsconfig.json to migrate');
  if (o.inPlace && o.outDir) throw new UsageError('--in-place and --out-dir exclude each other');
  if (o.inPlace && o.dryRun) throw new UsageError('--in-place and --dry-run exclude each other (--dry-run writes nothing)');
  const outDir = o.inPlace || o.dryRun ? undefined : resolve(o.outDir ?? defaultOutDir(o.paths[0]));
  const inputs = collectInputs(o.paths, outDir ? [outDir] : []);
  if (outDir && o.paths.some((p) => resolve(p) === outDir)) throw new UsageError(`--out-dir ${outDir} is one of the inputs; choose another folder`);
  if (o.inPlace && !o.force) {
    const first = resolve(o.paths[0]);
    const state = gitTreeState(o.paths.map((p) => resolve(p)), existsSync(first) && statSync(first).isDirectory() ? first : dirname(first));
    if (!state.clean) throw new UsageError(`--in-place refuses to run: ${state.why}. Commit or stash first, or pass --force.`);
  }
  const api = await loadRuntimeApi();
  const messages: string[] = [];

  // Read every source file (bad ones become failures) and find local re-exports of tfjs.
  const tasks: Task[] = [];
  const taskOf = new Map<string, number>();
  const early: { file: string; result: FileResult }[] = [];
  const reexports = new Map<string, ReexportInfo>();
  for (const f of inputs.files) {
    if (!f.source) continue;
    const r = readSource(f.path, o.maxSize);
    if (!r.ok) {
      early.push({ file: f.rel, result: { file: f.path, status: 'failed', changed: false, sites: [], uncovered: [], layoutFacts: [], keepsTfImport: false, lines: 0, diagnostics: [{ file: f.path, line: 1, col: 1, severity: 'error', id: r.id, message: r.message }] } });
      continue;
    }
    const info = reexportsOf(f.path, r.text);
    if (info) reexports.set(moduleKeyOf(f.path), info);
    taskOf.set(f.path, tasks.length);
    tasks.push({ path: f.path, text: r.text });
  }
  for (const p of inputs.problems) {
    early.push({ file: relative(process.cwd(), p.path) || p.path, result: { file: p.path, status: 'failed', changed: false, sites: [], uncovered: [], layoutFacts: [], keepsTfImport: false, lines: 0, diagnostics: [{ file: p.path, line: 1, col: 1, severity: 'error', id: 'unreadable', message: p.message }] } });
  }
  const opts: TranspileOptions = { layout: o.keepLayout ? 'keep' : 'nchw', api, reexports, typeChecker: o.typeChecker, fit: o.fit ?? 'loop' };
  const jobs = Math.max(1, o.jobs ?? Math.min(4, cpus().length));
  const bar = progress(!o.quiet && process.stderr.isTTY && tasks.length >= 20, tasks.length);
  const results = await runTasks(tasks, opts, tasks.length >= 8 ? jobs : 1, (i) => bar.tick(relative(inputs.root, tasks[i].path)));
  bar.done();

  const byPath = new Map(results.map((r, i) => [tasks[i].path, r]));
  const keepTf = results.some((r) => r.keepsTfImport);
  let written = 0;
  let copied = 0;
  const diffs: string[] = [];
  for (const f of inputs.files) {
    const r = byPath.get(f.path);
    const isPkg = basename(f.path) === 'package.json';
    let newText: string | undefined;
    if (r) newText = r.output;
    else if (isPkg) {
      const original = readFileSync(f.path, 'utf8');
      const pk = rewritePackageJson(original, keepTf);
      if (pk && pk.text !== original) {
        newText = pk.text;
        messages.push(`${f.rel}: dependencies ${pk.removed.length ? `${pk.removed.join(', ')} removed, ` : ''}torchbridge added${keepTf ? ' (tfjs kept: TODO sites still use it)' : ''}`);
      }
    }
    if (o.dryRun) {
      if (newText !== undefined) {
        const before = readFileSync(f.path, 'utf8');
        const d = unifiedDiff(before, newText, f.rel);
        if (d) diffs.push(d);
      }
      continue;
    }
    // A migrated Python file is written as <name>.ts (the .py is left as it is).
    const converted = !!r && r.changed && r.status !== 'failed' && r.status !== 'unchanged';
    if (o.inPlace) {
      if (newText !== undefined && (!r || r.changed || isPkg)) {
        writeFileSync(migratedPath(f.path, converted), newText);
        written++;
      }
      continue;
    }
    const dest = join(outDir!, migratedPath(f.rel, converted));
    mkdirSync(dirname(dest), { recursive: true });
    if (newText !== undefined) {
      writeFileSync(dest, newText);
      written++;
    } else {
      copyFileSync(f.path, dest);
      copied++;
    }
  }
  const all = [...early, ...results.map((r, i) => ({ file: relative(inputs.root, tasks[i].path), result: r }))];
  const report = buildReport(all, { layout: opts.layout, outDir: outDir ? relative(process.cwd(), outDir) || '.' : null, inPlace: o.inPlace, dryRun: o.dryRun, jobs });
  if (o.report) {
    const path = resolve(o.report);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, path.endsWith('.md') ? reportMarkdown(report) : `${JSON.stringify(report, null, 2)}\n`);
  }
  const where = o.dryRun ? 'dry run: nothing written' : o.inPlace ? `${written} file(s) rewritten in place` : `${written} file(s) written and ${copied} copied to ${relative(process.cwd(), outDir!) || outDir}`;
  const t = report.totals;
  const problems = t.byStatus.failed + t.sites.todo;
  const summary = [where];
  if (t.sites.todo) summary.push(`${t.sites.todo} TODO marker(s) need a human: search for "torchbridge: TODO" (each names the mapping note to read in MAPPINGS.md)`);
  if (t.byStatus.failed) summary.push(`${t.byStatus.failed} file(s) could not be migrated (see the ERROR lines above); they were left unchanged`);
  if (o.report) summary.push(`report: ${relative(process.cwd(), resolve(o.report))}`);
  return { code: problems ? 1 : 0, report, outDir: outDir ?? null, written, copied, diff: diffs.join(''), messages, summary };
}
