/**
 * The diff report's formats and `writeReports`, which writes the ones asked for. Reports are outputs the user named
 * by path, so those paths are written (folders created); a path that is one of the program's own sources — an
 * input — is refused before anything is written.
 */
import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import type { DiffReport } from '../program/types.js';
import { formatHtml } from './html.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';

export { formatTerminal } from './terminal.js';
export { formatMarkdown } from './markdown.js';
export { formatJunit, junitDocument, reportSuite, type JunitSuite, type TestCase } from './junit.js';
export { formatHtml } from './html.js';
export { verdict } from './summary.js';

/** The JSON report: the DiffReport as it is (NaN losses become null, as JSON has no NaN). */
export function formatJson(report: DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export interface ReportPaths {
  json?: string;
  markdown?: string;
  html?: string;
  junit?: string;
}

export class ReportPathError extends Error {}

/** Source files of a program: what a report must never replace. */
const SOURCE_EXT = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json']);

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/**
 * Why `target` must not be written, or null. Refused: an input itself (the original or migrated program), and,
 * when an input is a folder, an existing source file inside it (a report named `src/train.ts` by a slip of the hand).
 */
export function inputClash(target: string, inputs: { role: string; path: string }[]): string | null {
  const t = real(target);
  for (const { role, path: p } of inputs) {
    if (!p) continue;
    const input = real(p);
    if (t === input) return `it is the ${role} (${p})`;
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch { /* the input is gone: nothing to protect */ }
    if (isDir && t.startsWith(input + sep) && existsSync(t) && SOURCE_EXT.has(extname(t).toLowerCase())) {
      return `it is a source file of the ${role} (${relative(process.cwd(), t) || t})`;
    }
  }
  return null;
}

const inputsOf = (report: DiffReport) => [{ role: 'original program', path: report.original }, { role: 'migrated program', path: report.migrated }];

/** Throws ReportPathError when `path` must not receive the `kind` report (an input, or a folder). */
export function assertReportPath(kind: string, path: string, inputs: { role: string; path: string }[]): void {
  const clash = inputClash(resolve(path), inputs);
  if (clash) throw new ReportPathError(`refusing to write the ${kind} report to ${path}: ${clash}. Choose another path for --${kind}.`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new ReportPathError(`the ${kind} report path ${path} is a folder; name a file`);
}

/**
 * Writes the asked-for reports and returns their paths (as given, resolved). Every path is checked before any is
 * written, so a refused one leaves nothing half-done.
 * @throws ReportPathError when a path is an input of the program, or two formats name the same file.
 */
export function writeReports(report: DiffReport, out: ReportPaths): string[] {
  const jobs: { kind: keyof ReportPaths; path: string; text: () => string }[] = [];
  const add = (kind: keyof ReportPaths, text: () => string) => {
    const p = out[kind];
    if (p) jobs.push({ kind, path: resolve(p), text });
  };
  add('json', () => formatJson(report));
  add('markdown', () => formatMarkdown(report));
  add('html', () => formatHtml(report));
  add('junit', () => formatJunit(report));
  const seen = new Map<string, string>();
  for (const j of jobs) {
    assertReportPath(j.kind, out[j.kind]!, inputsOf(report));
    const other = seen.get(real(j.path));
    if (other) throw new ReportPathError(`the ${other} and ${j.kind} reports both name ${out[j.kind]}; give each its own file`);
    seen.set(real(j.path), j.kind);
  }
  for (const j of jobs) {
    mkdirSync(dirname(j.path), { recursive: true });
    writeFileSync(j.path, j.text());
  }
  return jobs.map((j) => j.path);
}
