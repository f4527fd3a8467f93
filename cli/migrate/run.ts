/**
 * `torchbridge migrate` as the CLI prints it: the engine (transpiler/project) migrates and returns structured
 * results; this module draws the progress bar, prints the report, the package.json rewrites and the closing
 * summary. Exit code: 0 everything migrated, 1 TODOs or failures remain, 2 usage error.
 */
import { relative } from 'node:path';
import { reportText } from '../../transpiler/report.js';
import { migrateProject } from '../../transpiler/project/migrate_project.js';
import type { ProjectOptions, ProjectResult } from '../../transpiler/project/types.js';
import { progressBar } from './progress.js';

export { UsageError } from '../../transpiler/project/usage_error.js';
export { defaultOutDir } from '../../transpiler/project/out_dir.js';

export interface MigrateOptions extends Omit<ProjectOptions, 'onFileDone'> {
  verbose: boolean;
  quiet: boolean;
}

/** What a migration did (the engine's result) with the lines the CLI prints about it. */
export interface MigrateResult extends ProjectResult {
  /** Lines about other files (package.json dependency rewrites). */
  messages: string[];
  /** The closing lines: where the files went, how many TODOs and failures remain, where the report is. */
  summary: string[];
}

const fromCwd = (p: string) => relative(process.cwd(), p) || p;

/** The engine's result with the CLI's lines about it. */
function describe(r: ProjectResult, o: MigrateOptions): MigrateResult {
  const messages = r.packages.map((p) => `${p.file}: dependencies ${p.removed.length ? `${p.removed.join(', ')} removed, ` : ''}torchbridge added${p.keptTf ? ' (tfjs kept: TODO sites still use it)' : ''}`);
  for (const t of r.tfjs) {
    const what = t.output ? `tfjs program ${fromCwd(t.output)}` : o.dryRun ? 'tfjs program (dry run: not written)' : 'no tfjs program written';
    messages.push(`${fromCwd(t.input)}: ${what}${t.diagnostics.length ? `, ${t.diagnostics.length} TODO/error(s):` : ''}`);
    for (const d of t.diagnostics) messages.push(`  ${d}`);
  }
  if (r.tfjs.some((t) => t.output)) messages.push('compare: torchbridge diff <name>.tfjs.mjs --migrated <name>.ts (the tfjs program is the reference)');
  const where = o.dryRun ? 'dry run: nothing written' : o.inPlace ? `${r.written} file(s) rewritten in place` : `${r.written} file(s) written and ${r.copied} copied to ${fromCwd(r.outDir!)}`;
  const t = r.report.totals;
  const summary = [where];
  if (t.sites.todo) summary.push(`${t.sites.todo} TODO marker(s) need a human: search for "torchbridge: TODO" (each names the mapping note to read in MAPPINGS.md)`);
  if (t.byStatus.failed) summary.push(`${t.byStatus.failed} file(s) could not be migrated (see the ERROR lines above); they were left unchanged`);
  if (r.reportPath) summary.push(`report: ${relative(process.cwd(), r.reportPath)}`);
  return { ...r, messages, summary };
}

/** Migrates as `torchbridge migrate` does and returns what happened with the CLI's lines; prints nothing but the progress bar (on a TTY, unless quiet). */
export async function migrateFiles(o: MigrateOptions): Promise<MigrateResult> {
  const bar = progressBar(!o.quiet && process.stderr.isTTY);
  try {
    return describe(await migrateProject({ ...o, onFileDone: bar.tick }), o);
  } finally {
    bar.done();
  }
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
