/**
 * torchbridge's tools as functions (`import { migrate, diff, check } from 'torchbridge/tools'`), as eslint and
 * jscodeshift offer theirs: each does what its CLI command does and returns the report object the command prints,
 * printing nothing itself. Bad input throws the error class the CLI turns into exit code 2 (`UsageError`,
 * `DiffUsageError`, `ConfigError`), with a message naming the input.
 *
 * ```ts
 * import { migrate, diff, check } from 'torchbridge/tools';
 * const m = await migrate({ paths: ['src/'], outDir: 'migrated/' });   // m.report.totals, m.code
 * const d = await diff({ original: 'src/train.ts', steps: 50 });       // d.pass, d.firstDivergence
 * const c = await check({ config: 'torchbridge.check.json' });         // c.code, c.entries[i].problems
 * ```
 */
import { join, resolve } from 'node:path';
import type { CheckConfig } from '../difftest/check/config.js';
import type { CheckResult, RunCheckOptions } from '../difftest/check/run.js';
import type { DiffOptions, DiffReport } from '../difftest/program/types.js';
import type { MigrateOptions, MigrateResult } from './migrate/run.js';

export type { MigrateResult } from './migrate/run.js';
export type { Report as MigrationReport, FileSummary } from '../transpiler/report.js';
export type { DiffOptions, DiffReport } from '../difftest/program/types.js';
export type { CheckConfig, CheckEntry, Tolerances } from '../difftest/check/config.js';
export type { CheckResult, EntryResult, CheckProblem, CheckName } from '../difftest/check/run.js';
export { UsageError } from './migrate/run.js';
export { DiffUsageError } from '../difftest/program/run.js';
export { ConfigError } from '../difftest/check/config.js';
export { formatTerminal, formatMarkdown, formatJunit, formatHtml, formatJson, writeReports } from '../difftest/report/index.js';
export { reportText, reportMarkdown } from '../transpiler/report.js';

/** `migrate`'s options: the CLI's flags, camelCased; everything but `paths` has the CLI's default. */
export interface MigrateApiOptions {
  /** Files, folders or tsconfig.json projects (one path or several). */
  paths: string | string[];
  /** Where migrated files go (default `<first input>-migrated`); other files are copied; the inputs are never touched. */
  outDir?: string;
  /** Rewrite the inputs themselves (refused on a dirty git tree unless `force`). */
  inPlace?: boolean;
  force?: boolean;
  /** Write nothing; the result's `diff` holds the unified diff. */
  dryRun?: boolean;
  /** Also write the report to this file (.json or .md). */
  report?: string;
  /** Worker threads (default: up to 4). */
  jobs?: number;
  /** Keep tfjs's NHWC layout between layers (default false: NCHW after one permute at the model input). */
  keepLayout?: boolean;
  /** `loop` (default): model.fit becomes an explicit training loop; `helper`: calls to the runtime's utils.fit. */
  fit?: 'loop' | 'helper';
  /** Use the TypeScript checker with tfjs's types where data flow cannot tell a value's type (default true). */
  typeChecker?: boolean;
  /** Skip source files larger than this many bytes (default 5,000,000; reported). */
  maxSize?: number;
}

/**
 * Migrates TensorFlow.js code onto the runtime (`torchbridge migrate`). Resolves to the migration report and what
 * was written; `code` is the CLI's exit code (1 when TODO markers or failed files remain).
 */
export async function migrate(options: MigrateApiOptions): Promise<MigrateResult> {
  const { migrateFiles } = await import('./migrate/run.js');
  const paths = typeof options.paths === 'string' ? [options.paths] : options.paths;
  const o: MigrateOptions = {
    paths, outDir: options.outDir, inPlace: options.inPlace ?? false, force: options.force ?? false, dryRun: options.dryRun ?? false,
    report: options.report, jobs: options.jobs, keepLayout: options.keepLayout ?? false, fit: options.fit ?? 'loop',
    typeChecker: options.typeChecker ?? true, maxSize: options.maxSize ?? 5_000_000, verbose: false, quiet: true,
  };
  return migrateFiles(o);
}

/**
 * Runs the TensorFlow.js program and its migration side by side under probes (`torchbridge diff`) and resolves to
 * the diff report (`pass`, the per-step table, the first divergence and its layer). Without `migrated` the original
 * is migrated on the fly (`fit: 'helper'`). Progress bars are off unless `progress: true`.
 */
export async function diff(options: DiffOptions): Promise<DiffReport> {
  const { runDiff } = await import('../difftest/program/run.js');
  return runDiff({ ...options, progress: options.progress ?? false });
}

/** `check`'s options: the config (a file, or an object as the file would hold it) and the CLI's flags. */
export interface CheckApiOptions {
  /** The check config file (default `torchbridge.check.json` in the working directory), or its JSON content. */
  config?: string | Record<string, unknown>;
  /** With an object config: the folder its paths are relative to (default: the working directory). */
  cwd?: string;
  /** Check only these entries (by name). */
  only?: string[];
  /** Entries diffed at once (default 1). */
  jobs?: number;
  /** Where the summary lines go (default: nowhere). */
  log?: RunCheckOptions['log'];
  /** Progress lines and training bars on stderr (default false). */
  progress?: boolean;
}

/**
 * The CI gate (`torchbridge check`): per config entry, migrate, the TODO gate, the type check and the diff.
 * Resolves to the result the CLI summarises (`code` 0 or 1, per entry the checks that held and the problems with
 * what to fix); reports are written as the config says. A bad config or `only` name throws `ConfigError`.
 */
export async function check(options: CheckApiOptions = {}): Promise<CheckResult> {
  const { loadCheckConfig, parseCheckConfig, ConfigError, DEFAULT_CONFIG } = await import('../difftest/check/config.js');
  const { runCheck } = await import('../difftest/check/run.js');
  const source = options.config ?? DEFAULT_CONFIG;
  const config: CheckConfig = typeof source === 'string'
    ? loadCheckConfig(source)
    // Paths in an object config resolve against `cwd`, as if it were a file there.
    : parseCheckConfig(source as Parameters<typeof parseCheckConfig>[0], join(resolve(options.cwd ?? '.'), DEFAULT_CONFIG));
  const names = config.entries.map((e) => e.name);
  const unknown = (options.only ?? []).filter((n) => !names.includes(n));
  if (unknown.length) throw new ConfigError(`only: ${unknown.join(' ')}: no such entr${unknown.length > 1 ? 'ies' : 'y'} in ${config.file} (entries: ${names.join(', ')})`);
  return runCheck(config, { only: options.only, jobs: options.jobs, color: false, progress: options.progress ?? false, log: options.log ?? null });
}
