/**
 * What every report format says the same way: number text, which step rows to show when a run is long, the worst
 * layers, how final metrics read, and the verdict with what to fix. The formats (terminal, Markdown, HTML, JUnit)
 * only lay these out, so they can never disagree about a run.
 */
import type { DiffReport, LayerSummary, StepRow } from '../program/types.js';
import { pyFloat } from '../format.js';

/** A loss or metric value: 6 significant digits, exponent form outside [1e-3, 1e5). NaN and ±inf spelled out. */
export function fmtValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(6)));
  return v.toExponential(3);
}

/** An error (|Δ|, rel, R): always exponent form so columns of small numbers compare at a glance. */
export function fmtError(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  return v.toExponential(2);
}

export function fmtSeconds(s: number): string {
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}

/** Accuracies are reported in points (DiffReport.final); their difference reads as points, not as a ratio. */
export const isAccuracy = (name: string): boolean => /acc/i.test(name);

export function fmtMetric(name: string, v: number): string {
  return isAccuracy(name) && Number.isFinite(v) ? `${v.toFixed(2)}%` : fmtValue(v);
}

export function fmtMetricDiff(name: string, d: number): string {
  return isAccuracy(name) && Number.isFinite(d) ? `${d.toFixed(2)} points` : fmtValue(d);
}

/** A row to print, or a gap standing for `count` elided rows. */
export type RowOrGap = { row: StepRow } | { gap: number };

/**
 * The step rows to show when there are more than `maxRows`: the first few, the rows around the first divergence
 * (the loss series' own and the probes'), the worst row, and the last few, the head and tail grown up to the budget;
 * the rest become gaps. The divergence and the last rows survive any budget.
 */
export function selectRows(report: DiffReport, maxRows: number): RowOrGap[] {
  const rows = report.stepRows;
  if (rows.length <= maxRows) return rows.map((row) => ({ row }));
  const keep = new Set<number>();
  const head = Math.max(1, Math.min(3, Math.floor(maxRows / 4)));
  const tail = Math.max(1, Math.min(3, Math.floor(maxRows / 4)));
  for (let i = 0; i < head; i++) keep.add(i);
  for (let i = rows.length - tail; i < rows.length; i++) keep.add(i);
  const around = (step: number) => {
    const i = rows.findIndex((r) => r.step === step);
    if (i < 0) return;
    for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < rows.length) keep.add(j);
  };
  const firstFail = rows.find((r) => !r.pass);
  if (firstFail) around(firstFail.step);
  if (report.firstDivergence) around(report.firstDivergence.step);
  // The worst row by relative difference says how bad it got; keep it too.
  let worst = -1;
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i].relDiff;
    if (!Number.isNaN(v) && (worst < 0 || v > rows[worst].relDiff)) worst = i;
  }
  if (worst >= 0 && rows[worst].relDiff > 0) keep.add(worst);
  // Fill what is left of the budget by growing the head and tail blocks in turn: contiguous rows read better than
  // scattered ones, and the table keeps at most a gap or two.
  let lo = 0, hi = rows.length - 1;
  for (let turn = 0; keep.size < maxRows && lo <= hi; turn++) {
    if (turn % 2 === 0) {
      while (lo <= hi && keep.has(lo)) lo++;
      if (lo <= hi) keep.add(lo);
    } else {
      while (hi >= lo && keep.has(hi)) hi--;
      if (hi >= lo) keep.add(hi);
    }
  }
  const out: RowOrGap[] = [];
  let skipped = 0;
  for (let i = 0; i < rows.length; i++) {
    if (keep.has(i)) {
      if (skipped) out.push({ gap: skipped });
      skipped = 0;
      out.push({ row: rows[i] });
    } else skipped++;
  }
  if (skipped) out.push({ gap: skipped });
  return out;
}

/** Layers ordered worst first: failing before passing, then by mean error introduction rate, then by output error. */
export function worstLayers(report: DiffReport, n = Infinity): LayerSummary[] {
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  return [...report.layers]
    .sort((a, b) => Number(a.pass) - Number(b.pass)
      || key(b.meanIntroductionRate) - key(a.meanIntroductionRate)
      || key(b.maxOutputError) - key(a.maxOutputError))
    .slice(0, n);
}

export const layerTypes = (l: LayerSummary): string => `${l.referenceType || '?'} → ${l.candidateType || '?'}`;

/** The reference side with its fallbacks, e.g. `tfjs 4.22.0 (wasm; 1 fallback)`. */
export function referenceLabel(report: DiffReport): string {
  const fb = report.reference.fallbacks.length;
  return `tfjs ${report.reference.version} on ${report.reference.backend}${fb ? ` (${fb} fallback${fb > 1 ? 's' : ''})` : ''}`;
}

/** `12 (2 epochs)`; a custom loop's steps are its optimizer's, with no epochs (compare_loop.ts). */
export function stepsLabel(report: DiffReport): string {
  if (report.epochs === 0 && report.nameMap?.length && !report.layers.length) return `${report.steps} optimizer steps (custom loop)`;
  return `${report.steps} (${report.epochs} epoch${report.epochs === 1 ? '' : 's'})`;
}

export const replayLabel: Record<DiffReport['replay'], string> = {
  none: 'none (same start, free-running: errors accumulate)',
  step: 'step (parameters re-synchronised before every step)',
  layer: 'layer (every layer fed the reference\'s input)',
};

/** torch.testing.assert_close's message for two scalars, so a loss step reads like any other tensor failure. */
export function scalarMessage(row: StepRow, tol: DiffReport['tolerances']): string {
  if (Number.isNaN(row.lossReference) !== Number.isNaN(row.lossCandidate)) {
    return `Scalars are not close!\n\nExpected ${pyFloat(row.lossReference)} but got ${pyFloat(row.lossCandidate)}.\nNaN on one side only (step ${row.step}, epoch ${row.epoch}, batch ${row.batch})`;
  }
  return `Scalars are not close!\n\nExpected ${pyFloat(row.lossReference)} but got ${pyFloat(row.lossCandidate)}.\n`
    + `Absolute difference: ${pyFloat(row.absDiff)} (up to ${pyFloat(tol.lossAtol)} allowed)\n`
    + `Relative difference: ${pyFloat(row.relDiff)} (up to ${pyFloat(tol.lossRtol)} allowed)\n`
    + `(step ${row.step}, epoch ${row.epoch}, batch ${row.batch})`;
}

export interface Verdict {
  pass: boolean;
  /** One line: PASS/FAIL and why. */
  headline: string;
  /** What to fix, most useful first (empty on a pass). */
  fixes: string[];
}

/**
 * The verdict. The runner's own `failures` lines come first (they say what to look at); where it left none, they
 * are derived from the report, so a failing report always says what failed.
 */
export function verdict(report: DiffReport): Verdict {
  const failedSteps = report.stepRows.filter((r) => !r.pass);
  const nanSteps = report.stepRows.filter((r) => Number.isNaN(r.lossCandidate) && !Number.isNaN(r.lossReference));
  const failedFinal = report.final.filter((f) => !f.pass);
  const failedLayers = worstLayers(report).filter((l) => !l.pass);
  if (report.pass) {
    const what = [`${report.stepRows.length} step${report.stepRows.length === 1 ? '' : 's'} within loss rtol ${pyFloat(report.tolerances.lossRtol)}`];
    if (report.final.length) what.push(`${report.final.length} final metric${report.final.length > 1 ? 's' : ''} within ${report.tolerances.metricPoints} points`);
    if (report.layers.length) what.push(`${report.layers.length} layers checked`);
    return { pass: true, headline: `PASS: the migrated program matches TensorFlow.js (${what.join(', ')})`, fixes: [] };
  }
  const fixes = [...report.failures];
  const d = report.firstDivergence;
  if (!fixes.length) {
    if (d) fixes.push(`step ${d.step}: ${d.kind} of ${d.layer || 'the program'}${d.tensor ? ` (${d.tensor})` : ''} diverges first — compare that ${d.layer ? 'layer' : 'value'}'s migrated code with the original`);
    if (nanSteps.length) fixes.push(`the migrated loss is NaN from step ${nanSteps[0].step} (${nanSteps.length} step${nanSteps.length > 1 ? 's' : ''}) — look for a log of 0 or a division by 0 (e.g. a loss without clipping)`);
    else if (failedSteps.length) fixes.push(`${failedSteps.length} of ${report.stepRows.length} steps exceed loss rtol ${pyFloat(report.tolerances.lossRtol)}, first at step ${failedSteps[0].step}`);
    for (const l of failedLayers.slice(0, 3)) fixes.push(`layer ${l.layer} (${layerTypes(l)}) introduces error: mean R ${fmtError(l.meanIntroductionRate)}, worst at step ${l.worstStep}`);
    for (const f of failedFinal) fixes.push(`${f.name}: tfjs ${fmtMetric(f.name, f.reference)} vs torchbridge ${fmtMetric(f.name, f.candidate)} (difference ${fmtMetricDiff(f.name, f.diff)}, allowed ${report.tolerances.metricPoints})`);
    if (!fixes.length) fixes.push('the report failed without a recorded reason (see the runner\'s output)');
  }
  const where = d
    ? `first divergence at step ${d.step}${d.layer ? ` in ${d.layer}` : ''} (${d.kind}${d.tensor && d.tensor !== d.kind ? ` ${d.tensor}` : ''})`
    : failedSteps.length ? `${failedSteps.length} step(s) beyond tolerance, first at step ${failedSteps[0].step}`
      : failedFinal.length ? `${failedFinal.map((f) => f.name).join(', ')} beyond tolerance` : 'see below';
  return { pass: false, headline: `FAIL: the migrated program differs from TensorFlow.js — ${where}`, fixes };
}

/**
 * One epoch row's metric as [tfjs, torchbridge, difference] text. Epoch rows carry what the programs log (tfjs's
 * `logs.acc` is a fraction); an accuracy whose values are both within [0, 1] is read as a fraction and shown in
 * percent with its difference in points, like the final metrics.
 */
export function epochCells(key: string, reference: number, candidate: number): [string, string, string] {
  const fraction = isAccuracy(key) && Math.abs(reference) <= 1 && Math.abs(candidate) <= 1;
  const r = fraction ? reference * 100 : reference, c = fraction ? candidate * 100 : candidate;
  if (!isAccuracy(key)) return [fmtValue(r), fmtValue(c), fmtValue(c - r)];
  return [fmtMetric(key, r), fmtMetric(key, c), fmtMetricDiff(key, c - r)];
}

/** The accuracy-like keys of the epoch rows (for the per-epoch accuracy chart), in first-seen order. */
export function epochKeys(report: DiffReport): string[] {
  const keys: string[] = [];
  for (const e of report.epochRows) {
    for (const k of [...Object.keys(e.reference), ...Object.keys(e.candidate)]) if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}
