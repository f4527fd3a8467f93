/**
 * The diff report as Markdown (a PR comment, a CI summary): the terminal report's content as tables. Every step row
 * is kept unless `maxRows` asks for elision (a file is not a screen); messages go in fenced blocks.
 */
import type { DiffReport } from '../program/types.js';
import { opTraceLines } from './op_trace.js';
import {
  epochCells, epochKeys, fmtError, fmtMetric, fmtMetricDiff, fmtSeconds, fmtValue, layerTypes, referenceLabel, replayLabel, selectRows, stepsLabel, verdict, worstLayers,
} from './summary.js';

/** A table cell: pipes escaped, line breaks as <br>, so one value can never break the table. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function mdTable(head: string[], rows: string[][], right: boolean[]): string[] {
  return [
    `| ${head.map(mdCell).join(' | ')} |`,
    `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ];
}

/** A fenced block whose fence is longer than any backtick run inside, so a message cannot close it early. */
export function mdFence(text: string): string[] {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}text`, text, fence];
}

const code = (s: string) => {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const tick = '`'.repeat(longest + 1);
  return `${tick}${longest ? ` ${s} ` : s}${tick}`;
};

export function formatMarkdown(report: DiffReport, opts: { maxRows?: number } = {}): string {
  const v = verdict(report);
  const out: string[] = [];
  out.push(`# torchbridge diff: ${code(report.original)} ↔ ${code(report.migrated)}`, '');
  out.push(`**${v.pass ? '✅' : '❌'} ${mdCell(v.headline)}**`, '');
  out.push(...mdTable(['', ''], [
    ['reference', referenceLabel(report)],
    ['candidate', `torchbridge ${report.candidate.version} on ${report.candidate.device}`],
    ['replay', replayLabel[report.replay]],
    ['steps', stepsLabel(report)],
    ['tolerances', `loss rtol ${report.tolerances.lossRtol}, atol ${report.tolerances.lossAtol}; metrics within ${report.tolerances.metricPoints} points`],
    ['time (under probes)', `tfjs ${fmtSeconds(report.timings.referenceSeconds)}, torchbridge ${fmtSeconds(report.timings.candidateSeconds)}`],
  ], [false, false]));
  if (report.reference.fallbacks.length) {
    out.push('', '**Reference fallbacks**', '', ...report.reference.fallbacks.map((f) => `- ${mdCell(f)}`));
  }
  if (v.fixes.length) out.push('', '## What to fix', '', ...v.fixes.map((f) => `- ${mdCell(f)}`));

  out.push('', '## Loss per step', '');
  if (!report.stepRows.length) out.push('_No steps recorded._');
  else {
    const rows: string[][] = [];
    for (const r of selectRows(report, opts.maxRows ?? Infinity)) {
      if ('gap' in r) rows.push(['…', `${r.gap} steps elided`, '', '', '', '']);
      else rows.push([String(r.row.step), fmtValue(r.row.lossReference), fmtValue(r.row.lossCandidate), fmtError(r.row.absDiff), fmtError(r.row.relDiff),
        `${r.row.pass ? 'ok' : '**FAIL**'}${r.row.step === report.firstDivergence?.step ? ' ← first divergence' : ''}`]);
    }
    out.push(...mdTable(['step', 'loss tfjs', 'loss torchbridge', '|Δ|', 'rel', 'verdict'], rows, [true, true, true, true, true, false]));
  }

  if (report.epochRows.length) {
    const keys = epochKeys(report);
    out.push('', '## Per epoch', '');
    out.push(...mdTable(['epoch', 'metric', 'tfjs', 'torchbridge', 'difference'], report.epochRows.flatMap((e) => keys.map((k) => {
      const r = e.reference[k] ?? NaN, c = e.candidate[k] ?? NaN;
      return [String(e.epoch), k, ...epochCells(k, r, c)];
    })), [true, false, true, true, true]));
  }
  if (report.final.length) {
    out.push('', '## Final metrics', '');
    out.push(...mdTable(['metric', 'tfjs', 'torchbridge', 'difference', 'verdict'],
      report.final.map((f) => [f.name, fmtMetric(f.name, f.reference), fmtMetric(f.name, f.candidate), fmtMetricDiff(f.name, f.diff), f.pass ? 'ok' : '**FAIL**']),
      [false, true, true, true, false]));
  }
  if (report.layers.length) {
    out.push('', '## Layers (worst first by error introduction rate R)', '');
    out.push(...mdTable(['layer', 'tfjs → torchbridge', 'max output err', 'mean R', 'max R', 'worst step', 'verdict'],
      worstLayers(report).map((l) => [l.layer, layerTypes(l), fmtError(l.maxOutputError), fmtError(l.meanIntroductionRate), fmtError(l.maxIntroductionRate), String(l.worstStep), l.pass ? 'ok' : '**FAIL**']),
      [false, false, true, true, true, true, false]));
  }
  const d = report.firstDivergence;
  if (d) {
    out.push('', '## First divergence', '', `Step ${d.step}, ${d.kind} of ${d.layer ? code(d.layer) : 'the program'}${d.tensor ? ` (${mdCell(d.tensor)})` : ''}:`, '', ...mdFence(d.message));
  }
  if (report.opTrace) out.push('', `## Op trace (step ${report.opTrace.step})`, '', ...mdFence(opTraceLines(report.opTrace).join('\n')));
  if (report.notes.length) out.push('', '## Notes', '', ...report.notes.map((n) => `- ${mdCell(n)}`));
  return `${out.join('\n')}\n`;
}
