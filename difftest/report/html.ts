/**
 * The diff report as one self-contained HTML page: the verdict, the tables, and plots drawn by chart.js — loss
 * curves overlaid, |Δ| per step on a log scale against the allowed difference, per-layer error, accuracy per epoch.
 * chart.js is inlined from node_modules, so the page opens offline and loads nothing from anywhere.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DiffReport } from '../program/types.js';
import {
  epochCells, epochKeys, fmtError, fmtMetric, fmtMetricDiff, fmtSeconds, fmtValue, isAccuracy, layerTypes, referenceLabel, replayLabel, selectRows, stepsLabel, verdict, worstLayers,
} from './summary.js';

/** Text safe in HTML element content and quoted attributes. */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

let chartSource: string | undefined;
/**
 * chart.js's UMD build (it defines `window.Chart` from a plain <script>). Resolved the way Node resolves the
 * package, so a hoisted or nested node_modules both work; `</script` and `<!--` are neutralised so the inlined
 * code cannot end its own <script> element (chart.js 4.5 contains neither; this guards future versions).
 */
export function chartJsSource(): string {
  if (chartSource === undefined) {
    let entry: string;
    try {
      entry = createRequire(import.meta.url).resolve('chart.js');
    } catch {
      throw new Error('the HTML report needs the chart.js package (a dependency of torchbridge): run `npm ci` to install it');
    }
    // The package's CommonJS entry sits in dist/ beside the UMD build.
    const umd = join(dirname(entry), 'chart.umd.min.js');
    chartSource = readFileSync(umd, 'utf8').replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
  }
  return chartSource;
}

/** JSON inside a <script> element: `<` escaped so no string in it can close the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** Finite numbers as they are; NaN/inf become null (a gap in the chart: JSON has no NaN). */
const finite = (v: number) => (Number.isFinite(v) ? v : null);
/** For log axes: zero cannot be drawn either. */
const positive = (v: number) => (Number.isFinite(v) && v > 0 ? v : null);

/** The series the charts draw, computed here so the page's script only lays them out. */
export function chartData(report: DiffReport) {
  const tol = report.tolerances;
  const accKeys = epochKeys(report).filter(isAccuracy);
  return {
    steps: report.stepRows.map((r) => r.step),
    lossReference: report.stepRows.map((r) => finite(r.lossReference)),
    lossCandidate: report.stepRows.map((r) => finite(r.lossCandidate)),
    absDiff: report.stepRows.map((r) => positive(r.absDiff)),
    allowed: report.stepRows.map((r) => positive(tol.lossAtol + tol.lossRtol * Math.abs(r.lossReference))),
    layers: {
      names: report.layers.map((l) => l.layer),
      maxOutputError: report.layers.map((l) => finite(l.maxOutputError)),
      meanIntroductionRate: report.layers.map((l) => finite(l.meanIntroductionRate)),
    },
    epochs: {
      labels: report.epochRows.map((e) => e.epoch),
      series: accKeys.map((k) => ({
        key: k,
        reference: report.epochRows.map((e) => finite(e.reference[k] ?? NaN)),
        candidate: report.epochRows.map((e) => finite(e.candidate[k] ?? NaN)),
      })),
    },
  };
}

// The page's own script: builds the charts from the embedded data (no network, no animation: it is a report).
const pageScript = `
const d = JSON.parse(document.getElementById('diff-data').textContent);
Chart.defaults.animation = false;
const tf = '#e8710a', tb = '#1a73e8';
const line = (label, data, color, extra) => ({ label, data, borderColor: color, backgroundColor: color, pointRadius: d.steps.length > 60 ? 0 : 2, borderWidth: 1.5, spanGaps: false, ...extra });
new Chart(document.getElementById('chart-loss'), { type: 'line', data: { labels: d.steps, datasets: [line('loss tfjs', d.lossReference, tf), line('loss torchbridge', d.lossCandidate, tb, { borderDash: [4, 3] })] },
  options: { plugins: { title: { display: true, text: 'Loss per step' } }, scales: { x: { title: { display: true, text: 'step' } } } } });
new Chart(document.getElementById('chart-diff'), { type: 'line', data: { labels: d.steps, datasets: [line('|Δ| loss', d.absDiff, '#d93025'), line('allowed (atol + rtol·|loss tfjs|)', d.allowed, '#888', { borderDash: [2, 2] })] },
  options: { plugins: { title: { display: true, text: '|Δ| per step (log scale; steps with |Δ| = 0 are not drawn)' } }, scales: { x: { title: { display: true, text: 'step' } }, y: { type: 'logarithmic' } } } });
if (d.layers.names.length) new Chart(document.getElementById('chart-layers'), { type: 'bar', data: { labels: d.layers.names, datasets: [
    { label: 'max output error (relative L2)', data: d.layers.maxOutputError, backgroundColor: '#d93025', yAxisID: 'y' },
    { label: 'mean error introduction rate R', data: d.layers.meanIntroductionRate, backgroundColor: '#9334e6', yAxisID: 'r' }] },
  options: { plugins: { title: { display: true, text: 'Error per layer' } }, scales: { y: { position: 'left', title: { display: true, text: 'max output error' } }, r: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'mean R' } } } } });
if (d.epochs.series.length) new Chart(document.getElementById('chart-epochs'), { type: 'line', data: { labels: d.epochs.labels, datasets: d.epochs.series.flatMap((s, i) => [
    { label: s.key + ' tfjs', data: s.reference, borderColor: tf, backgroundColor: tf, borderDash: i ? [6, 3] : [] },
    { label: s.key + ' torchbridge', data: s.candidate, borderColor: tb, backgroundColor: tb, borderDash: i ? [6, 3] : [] }]) },
  options: { plugins: { title: { display: true, text: 'Accuracy per epoch' } }, scales: { x: { title: { display: true, text: 'epoch' } } } } });
`;

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #202124; }
h1 { font-size: 1.3em; word-break: break-all; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; } th, td { border-bottom: 1px solid #ddd; padding: .2em .7em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .fail { color: #c5221f; font-weight: 600; } .ok { color: #188038; }
tr.gap td { color: #888; font-style: italic; } tr.div td { background: #fce8e6; }
.verdict { padding: .7em 1em; border-radius: 6px; font-weight: 600; } .verdict.pass { background: #e6f4ea; } .verdict.failed { background: #fce8e6; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; } .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
.charts div { position: relative; min-height: 300px; }
`;

export function formatHtml(report: DiffReport, opts: { maxRows?: number } = {}): string {
  const e = htmlEscape;
  const v = verdict(report);
  const verdictCell = (pass: boolean) => (pass ? '<td class="ok">ok</td>' : '<td class="fail">FAIL</td>');
  const table = (head: string[], rows: string[]) => `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
  const n = (s: string) => `<td class="n">${e(s)}</td>`;
  const parts: string[] = [];

  parts.push(`<h1>torchbridge diff: ${e(report.original)} ↔ ${e(report.migrated)}</h1>`);
  parts.push(`<p class="verdict ${v.pass ? 'pass' : 'failed'}">${e(v.headline)}</p>`);
  if (v.fixes.length) parts.push(`<h2>What to fix</h2><ul>${v.fixes.map((f) => `<li>${e(f)}</li>`).join('')}</ul>`);
  const t = report.timings;
  parts.push(table(['', ''], [
    ['reference', referenceLabel(report)],
    ['candidate', `torchbridge ${report.candidate.version} on ${report.candidate.device}`],
    ['replay', replayLabel[report.replay]],
    ['steps', stepsLabel(report)],
    ['tolerances', `loss rtol ${report.tolerances.lossRtol}, atol ${report.tolerances.lossAtol}; metrics within ${report.tolerances.metricPoints} points`],
    ['time (under probes)', `tfjs ${fmtSeconds(t.referenceSeconds)}, torchbridge ${fmtSeconds(t.candidateSeconds)}`],
    ...report.reference.fallbacks.map((f) => ['reference fallback', f]),
  ].map(([k, val]) => `<tr><th>${e(k)}</th><td>${e(val)}</td></tr>`)));

  parts.push('<h2>Plots</h2><div class="charts">');
  parts.push('<div><canvas id="chart-loss"></canvas></div><div><canvas id="chart-diff"></canvas></div>');
  if (report.layers.length) parts.push('<div><canvas id="chart-layers"></canvas></div>');
  if (chartData(report).epochs.series.length) parts.push('<div><canvas id="chart-epochs"></canvas></div>');
  parts.push('</div>');

  if (report.final.length) {
    parts.push('<h2>Final metrics</h2>', table(['metric', 'tfjs', 'torchbridge', 'difference', 'verdict'], report.final.map((f) =>
      `<tr><td>${e(f.name)}</td>${n(fmtMetric(f.name, f.reference))}${n(fmtMetric(f.name, f.candidate))}${n(fmtMetricDiff(f.name, f.diff))}${verdictCell(f.pass)}</tr>`)));
  }
  const d = report.firstDivergence;
  if (d) {
    parts.push('<h2>First divergence</h2>', `<p>Step ${d.step}, ${e(d.kind)} of <code>${e(d.layer || 'the program')}</code>${d.tensor ? ` (${e(d.tensor)})` : ''}:</p>`, `<pre>${e(d.message)}</pre>`);
  }
  if (report.layers.length) {
    parts.push('<h2>Layers (worst first by error introduction rate R)</h2>', table(['layer', 'tfjs → torchbridge', 'max output err', 'mean R', 'max R', 'worst step', 'verdict'],
      worstLayers(report).map((l) => `<tr><td><code>${e(l.layer)}</code></td><td>${e(layerTypes(l))}</td>${n(fmtError(l.maxOutputError))}${n(fmtError(l.meanIntroductionRate))}${n(fmtError(l.maxIntroductionRate))}${n(String(l.worstStep))}${verdictCell(l.pass)}</tr>`)));
  }
  if (report.epochRows.length) {
    const keys = epochKeys(report);
    parts.push('<h2>Per epoch</h2>', table(['epoch', 'metric', 'tfjs', 'torchbridge', 'difference'], report.epochRows.flatMap((row) => keys.map((k) => {
      const r = row.reference[k] ?? NaN, c = row.candidate[k] ?? NaN;
      return `<tr>${n(String(row.epoch))}<td>${e(k)}</td>${epochCells(k, r, c).map(n).join('')}</tr>`;
    }))));
  }
  parts.push('<h2>Loss per step</h2>');
  if (!report.stepRows.length) parts.push('<p>No steps recorded.</p>');
  else {
    parts.push(table(['step', 'loss tfjs', 'loss torchbridge', '|Δ|', 'rel', 'verdict'], selectRows(report, opts.maxRows ?? 200).map((r) => {
      if ('gap' in r) return `<tr class="gap"><td colspan="6">… ${r.gap} step${r.gap > 1 ? 's' : ''} (all are in the plots) …</td></tr>`;
      const row = r.row;
      const div = row.step === d?.step;
      return `<tr${div ? ' class="div" title="first divergence"' : ''}>${n(String(row.step))}${n(fmtValue(row.lossReference))}${n(fmtValue(row.lossCandidate))}${n(fmtError(row.absDiff))}${n(fmtError(row.relDiff))}${verdictCell(row.pass)}</tr>`;
    })));
  }
  if (report.notes.length) parts.push('<h2>Notes</h2>', `<ul>${report.notes.map((x) => `<li>${e(x)}</li>`).join('')}</ul>`);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`torchbridge diff: ${report.migrated} — ${v.pass ? 'PASS' : 'FAIL'}`)}</title>
<style>${style}</style>
</head>
<body>
${parts.join('\n')}
<script type="application/json" id="diff-data">${scriptJson(chartData(report))}</script>
<script>${chartJsSource()}</script>
<script>${pageScript}</script>
</body>
</html>
`;
}
