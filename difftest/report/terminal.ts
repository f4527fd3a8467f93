/**
 * The diff report as terminal text: header, the side-by-side loss table (long runs elided around what matters),
 * epoch rows and final metrics, the worst layers, the first divergence, notes, and a verdict with what to fix.
 * ANSI color only when asked: the text goes to logs and CI as often as to a terminal.
 */
import type { DiffReport } from '../program/types.js';
import { opTraceLines } from './op_trace.js';
import {
  epochCells, epochKeys, fmtError, fmtMetric, fmtMetricDiff, fmtSeconds, fmtValue, layerTypes, referenceLabel, replayLabel, selectRows, stepsLabel, verdict, worstLayers,
} from './summary.js';

export interface TerminalOptions {
  /** ANSI colors (default false). */
  color?: boolean;
  /** Most step rows printed before the middle is elided (default 20). */
  maxRows?: number;
  /** Most layers listed (default 8). */
  maxLayers?: number;
}

type Paint = (s: string) => string;
interface Palette { red: Paint; green: Paint; yellow: Paint; dim: Paint; bold: Paint }
const ansi = (code: number): Paint => (s) => `\x1b[${code}m${s}\x1b[0m`;
const plain: Paint = (s) => s;

/** Columns padded on the plain text, then painted, so escape codes never skew the alignment. */
function table(head: string[], rows: (string[] | string)[], right: boolean[], paintRow?: (i: number, cells: string[]) => string[]): string[] {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (typeof r === 'string' ? 0 : r[c].length))));
  // The last column is left unpadded when left-aligned: trailing blanks inside a color code would survive trimEnd.
  const last = head.length - 1;
  const pad = (cells: string[]) => cells.map((s, c) => (right[c] ? s.padStart(widths[c]) : c === last ? s : s.padEnd(widths[c])));
  const lines = [pad(head).join('  ').trimEnd(), widths.map((w) => '─'.repeat(w)).join('  ')];
  rows.forEach((r, i) => {
    if (typeof r === 'string') lines.push(r);
    else lines.push((paintRow ? paintRow(i, pad(r)) : pad(r)).join('  ').trimEnd());
  });
  return lines;
}

export function formatTerminal(report: DiffReport, opts: TerminalOptions = {}): string {
  const p: Palette = opts.color
    ? { red: ansi(31), green: ansi(32), yellow: ansi(33), dim: ansi(2), bold: ansi(1) }
    : { red: plain, green: plain, yellow: plain, dim: plain, bold: plain };
  const out: string[] = [];
  const section = (title: string) => out.push('', p.bold(title));

  out.push(p.bold(`torchbridge diff: ${report.original} ↔ ${report.migrated}`));
  out.push(`reference  ${referenceLabel(report)}`);
  for (const f of report.reference.fallbacks) out.push(`           ${p.yellow('fallback')} ${f}`);
  out.push(`candidate  torchbridge ${report.candidate.version} on ${report.candidate.device}`);
  out.push(`replay     ${replayLabel[report.replay]}`);
  out.push(`steps      ${stepsLabel(report)}; loss rtol ${report.tolerances.lossRtol}, atol ${report.tolerances.lossAtol}; metrics within ${report.tolerances.metricPoints} points`);
  const t = report.timings;
  out.push(`time       tfjs ${fmtSeconds(t.referenceSeconds)}, torchbridge ${fmtSeconds(t.candidateSeconds)} (under probes)`);

  section('Loss per step');
  if (!report.stepRows.length) out.push(p.dim('(no steps recorded)'));
  else {
    const divergenceStep = report.firstDivergence?.step;
    const picked = selectRows(report, opts.maxRows ?? 20);
    const rows = picked.map((r) => ('gap' in r
      ? p.dim(`  … ${r.gap} step${r.gap > 1 ? 's' : ''} …`)
      : [String(r.row.step), fmtValue(r.row.lossReference), fmtValue(r.row.lossCandidate), fmtError(r.row.absDiff), fmtError(r.row.relDiff),
        `${r.row.pass ? 'ok' : 'FAIL'}${r.row.step === divergenceStep ? ' ← first divergence' : ''}`]));
    const stepOf = picked.map((r) => ('gap' in r ? null : r.row));
    out.push(...table(['step', 'loss tfjs', 'loss torchbridge', '|Δ|', 'rel', 'verdict'], rows, [true, true, true, true, true, false], (i, cells) => {
      const row = stepOf[i]!;
      return [...cells.slice(0, 5), row.pass ? p.green(cells[5]) : p.red(cells[5])];
    }));
    const failed = report.stepRows.filter((r) => !r.pass).length;
    out.push(p.dim(`${report.stepRows.length} steps, ${failed} beyond tolerance`));
  }

  if (report.epochRows.length) {
    section('Per epoch');
    const keys = epochKeys(report);
    const rows = report.epochRows.flatMap((e) => keys.map((k) => {
      const r = e.reference[k] ?? NaN, c = e.candidate[k] ?? NaN;
      return [String(e.epoch), k, ...epochCells(k, r, c)];
    }));
    out.push(...table(['epoch', 'metric', 'tfjs', 'torchbridge', 'difference'], rows, [true, false, true, true, true]));
  }

  if (report.final.length) {
    section('Final metrics');
    const rows = report.final.map((f) => [f.name, fmtMetric(f.name, f.reference), fmtMetric(f.name, f.candidate), fmtMetricDiff(f.name, f.diff), f.pass ? 'ok' : 'FAIL']);
    out.push(...table(['metric', 'tfjs', 'torchbridge', 'difference', 'verdict'], rows, [false, true, true, true, false], (i, cells) =>
      [...cells.slice(0, 4), report.final[i].pass ? p.green(cells[4]) : p.red(cells[4])]));
  }

  if (report.layers.length) {
    const max = opts.maxLayers ?? 8;
    const layers = worstLayers(report, max);
    section(`Layers, worst first by error introduction rate R${report.layers.length > max ? ` (${max} of ${report.layers.length})` : ''}`);
    const rows = layers.map((l) => [l.layer, layerTypes(l), fmtError(l.maxOutputError), fmtError(l.meanIntroductionRate), fmtError(l.maxIntroductionRate), String(l.worstStep), l.pass ? 'ok' : 'FAIL']);
    out.push(...table(['layer', 'tfjs → torchbridge', 'max output err', 'mean R', 'max R', 'worst step', 'verdict'], rows,
      [false, false, true, true, true, true, false], (i, cells) => [...cells.slice(0, 6), layers[i].pass ? p.green(cells[6]) : p.red(cells[6])]));
  }

  const d = report.firstDivergence;
  if (d) {
    section('First divergence');
    out.push(`step ${d.step}, ${d.kind} of ${d.layer || 'the program'}${d.tensor ? ` (${d.tensor})` : ''}`);
    out.push(...d.message.split('\n').map((l) => `  ${l}`));
  }

  if (report.opTrace) {
    section(`Op trace (--trace ops, step ${report.opTrace.step})`);
    out.push(...opTraceLines(report.opTrace));
  }

  if (report.notes.length) {
    section('Notes (semantic differences the migration made explicit)');
    for (const n of report.notes) out.push(`- ${n}`);
  }

  const v = verdict(report);
  out.push('', p.bold(v.pass ? p.green(v.headline) : p.red(v.headline)));
  if (v.fixes.length) {
    out.push('What to fix:');
    for (const f of v.fixes) out.push(`  ${p.red('✗')} ${f}`);
  }
  return `${out.join('\n')}\n`;
}
