/**
 * The migration report: per site a diagnostic object (file, line, column, severity, code, the tfjs API, message),
 * per-file status, totals (sites found / rewritten / TODO), every uncovered TF name; as text
 * (`file:line:col SEVERITY code message`), JSON and Markdown.
 */
import type { Severity } from '../mappings/schema.js';
import type { Diagnostic, FileResult, FileStatus, LayoutFact } from './types.js';

/** One diagnostic as the JSON report carries it: fields, not a preformatted string. */
export interface ReportDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  /** A note id (mappings/notes.ts, explained in MAPPINGS.md) or one of the engine's own (syntax-error, unreadable, ...). */
  code: string;
  /** The TensorFlow.js API the diagnostic is about, when there is one (`tf.topk`). */
  tfjs?: string;
  message: string;
}

export interface FileSummary {
  file: string;
  status: FileStatus;
  lines: number;
  sites: { found: number; rewritten: number; todo: number };
  uncovered: string[];
  diagnostics: ReportDiagnostic[];
  layoutFacts: LayoutFact[];
  keepsTfImport: boolean;
}

export interface Report {
  /** 2: diagnostics are objects (1 had preformatted strings). */
  version: 2;
  options: Record<string, unknown>;
  files: FileSummary[];
  totals: {
    files: number;
    byStatus: Record<FileStatus, number>;
    lines: number;
    sites: { found: number; rewritten: number; todo: number };
    diagnostics: { error: number; warning: number; info: number };
  };
  /** Every TF name left as TODO, with how many sites. */
  uncovered: Record<string, number>;
}

export function formatDiagnostic(d: Diagnostic, file = d.file): string {
  return `${file}:${d.line}:${d.col} ${d.severity.toUpperCase()} ${d.id} ${d.message}`;
}

/** `file:line:col SEVERITY code message`, the text form of a report diagnostic. */
export function formatReportDiagnostic(d: ReportDiagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity.toUpperCase()} ${d.code} ${d.message}`;
}

function reportDiagnostic(d: Diagnostic, file: string): ReportDiagnostic {
  return { file, line: d.line, column: d.col, severity: d.severity, code: d.id, ...(d.key ? { tfjs: d.key } : {}), message: d.message };
}

export function summarize(r: FileResult, file = r.file, withInfo = true): FileSummary {
  const todo = r.sites.filter((s) => s.outcome === 'todo').length;
  return {
    file, status: r.status, lines: r.lines,
    sites: { found: r.sites.length, rewritten: r.sites.length - todo, todo },
    uncovered: r.uncovered,
    diagnostics: r.diagnostics.filter((d) => withInfo || d.severity !== 'info').map((d) => reportDiagnostic(d, file)),
    layoutFacts: r.layoutFacts, keepsTfImport: r.keepsTfImport,
  };
}

export function buildReport(results: { result: FileResult; file: string }[], options: Record<string, unknown>): Report {
  const files = results.map(({ result, file }) => summarize(result, file));
  const byStatus: Record<FileStatus, number> = { migrated: 0, partial: 0, unchanged: 0, failed: 0 };
  const diagnostics = { error: 0, warning: 0, info: 0 };
  const uncovered: Record<string, number> = {};
  const sites = { found: 0, rewritten: 0, todo: 0 };
  let lines = 0;
  for (const { result } of results) {
    byStatus[result.status]++;
    lines += result.lines;
    for (const d of result.diagnostics) diagnostics[d.severity]++;
    for (const s of result.sites) {
      sites.found++;
      if (s.outcome === 'todo') {
        sites.todo++;
        uncovered[s.key] = (uncovered[s.key] ?? 0) + 1;
      } else sites.rewritten++;
    }
  }
  return { version: 2, options, files, totals: { files: results.length, byStatus, lines, sites, diagnostics }, uncovered };
}

export function reportText(report: Report, verbose = false): string {
  const out: string[] = [];
  for (const f of report.files) {
    if (f.status === 'unchanged' && !verbose) continue;
    out.push(`${f.file}: ${f.status} (${f.sites.rewritten}/${f.sites.found} sites rewritten${f.sites.todo ? `, ${f.sites.todo} TODO` : ''})`);
    for (const d of f.diagnostics) {
      if (!verbose && d.severity === 'info') continue;
      out.push(`  ${formatReportDiagnostic(d)}`);
    }
  }
  const t = report.totals;
  out.push('');
  out.push(`files: ${t.files} (migrated ${t.byStatus.migrated}, with TODOs ${t.byStatus.partial}, unchanged ${t.byStatus.unchanged}, failed ${t.byStatus.failed})`);
  out.push(`sites: ${t.sites.found} found, ${t.sites.rewritten} rewritten, ${t.sites.todo} TODO`);
  out.push(`diagnostics: ${t.diagnostics.error} errors, ${t.diagnostics.warning} warnings, ${t.diagnostics.info} info`);
  const unc = Object.entries(report.uncovered).sort((a, b) => b[1] - a[1]);
  if (unc.length) out.push(`uncovered: ${unc.map(([k, n]) => `${k} (${n})`).join(', ')}`);
  return out.join('\n');
}

export function reportMarkdown(report: Report): string {
  const t = report.totals;
  const out = ['# torchbridge migration report', ''];
  out.push(`| files | migrated | with TODOs | unchanged | failed | sites | rewritten | TODO |`, '|---|---|---|---|---|---|---|---|');
  out.push(`| ${t.files} | ${t.byStatus.migrated} | ${t.byStatus.partial} | ${t.byStatus.unchanged} | ${t.byStatus.failed} | ${t.sites.found} | ${t.sites.rewritten} | ${t.sites.todo} |`, '');
  const unc = Object.entries(report.uncovered).sort((a, b) => b[1] - a[1]);
  if (unc.length) {
    out.push('## Uncovered TensorFlow.js APIs', '', '| API | sites |', '|---|---|');
    for (const [k, n] of unc) out.push(`| \`${k}\` | ${n} |`);
    out.push('');
  }
  out.push('## Files', '');
  for (const f of report.files) {
    if (f.status === 'unchanged') continue;
    out.push(`### ${f.file} — ${f.status}`, '', `${f.sites.rewritten}/${f.sites.found} sites rewritten, ${f.sites.todo} TODO.`, '');
    const important = f.diagnostics.filter((d) => d.severity !== 'info');
    if (important.length) {
      out.push('| where | severity | id | message |', '|---|---|---|---|');
      for (const d of important) out.push(`| ${d.line}:${d.column} | ${d.severity.toUpperCase()} | ${d.code} | ${d.message.replace(/\|/g, '\\|')} |`);
      out.push('');
    }
    if (f.layoutFacts.length) {
      out.push('Layout facts (for moving tfjs weights):', '');
      for (const l of f.layoutFacts) out.push(`- ${l.model}: ${l.detail}`);
      out.push('');
    }
  }
  return out.join('\n');
}
