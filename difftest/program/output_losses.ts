/**
 * A multi-output fit's per-output losses, step by step, as probes beside the total loss. The total is the sum of
 * the outputs' losses, so a migration that gets one output's loss wrong can move the total by less than its
 * tolerance (a small loss beside a large one) or not at all (two errors that cancel); each output's own loss,
 * judged by the same per-step criterion as the total (|Δ| ≤ atol + rtol·|reference|), names the output that is off.
 *
 * Both sides log them per batch: the reference under tfjs's `<output layer name>_loss` (its metricsNames), the
 * candidate (utils.fit) under the same key when the migration passed outputNames, else `output<i>_loss` in the
 * model's output order. A probe is `{ kind: 'loss', layer: <output layer>, tensor: 'loss' }`.
 *
 * Each output's metrics likewise (tfjs's collectMetrics: `<output>_<metric>`, e.g. `cls_acc`), as
 * `{ kind: 'metric', layer: <output>, tensor: <metric> }` probes: a migration that computes one output's metric wrong
 * (the wrong accuracy for its shape, a metric on the other output) is named by output and metric. An accuracy holds
 * within `metricPoints` points per step, any other metric by the loss criterion.
 */
import { compareSeries } from '../series.js';
import { scalarMetrics } from './scalar_probes.js';
import type { StepLog } from './trace_meta.js';
import type { ProbeResult } from './types.js';

export interface OutputLosses {
  /** Every output's loss probe at every step both sides ran, in step order, outputs in model order. */
  probes: ProbeResult[];
  /** The failure line, or null when every output's loss held at every step. */
  failure: string | null;
  /** Outputs the candidate logs no loss for (not compared; a note says so). */
  missing: string[];
  /** Per-output metrics the candidate logs under neither key (not compared; a note says so). */
  missingMetrics: string[];
}

export function compareOutputLosses(outputs: readonly string[], reference: readonly StepLog[], candidate: readonly StepLog[], tol: { lossRtol: number; lossAtol: number; metricPoints?: number }): OutputLosses {
  const out: OutputLosses = { probes: [], failure: null, missing: [], missingMetrics: [] };
  if (outputs.length < 2) return out;
  const n = Math.min(reference.length, candidate.length);
  const failed: { output: string; step: number; rel: number }[] = [];
  outputs.forEach((output, i) => {
    const refKey = `${output}_loss`;
    if (!reference.slice(0, n).every((s) => Number.isFinite(s.metrics[refKey]))) return;
    const candKey = [refKey, `output${i + 1}_loss`].find((k) => candidate.slice(0, n).every((s) => typeof s.metrics[k] === 'number'));
    if (!candKey) {
      out.missing.push(output);
      return;
    }
    const series = compareSeries(reference.slice(0, n).map((s) => s.metrics[refKey]), candidate.slice(0, n).map((s) => s.metrics[candKey]), { rtol: tol.lossRtol, atol: tol.lossAtol });
    series.steps.forEach((s, k) => {
      const step = reference[k].step;
      if (!s.pass) failed.push({ output, step, rel: s.relDiff });
      out.probes.push({
        step, kind: 'loss', layer: output, candidateName: candKey, tensor: 'loss', shape: [],
        metrics: scalarMetrics(s.reference, s.candidate, s.pass), pass: s.pass,
        message: s.pass ? null : `${refKey} ${s.candidate} vs ${s.reference}: |Δ| ${s.absDiff.toExponential(3)}, rel ${s.relDiff.toExponential(3)} > rtol ${tol.lossRtol}${tol.lossAtol ? ` + atol ${tol.lossAtol}` : ''}`,
      });
    });
  });
  const metricFailure = compareOutputMetrics(outputs, reference.slice(0, n), candidate.slice(0, n), tol, out);
  // In step order, then the outputs' order within a step (the order localization reads them in).
  out.probes.sort((a, b) => a.step - b.step);
  if (failed.length) {
    const byOutput = new Map<string, { steps: number; first: number; worst: number }>();
    for (const f of failed) {
      const e = byOutput.get(f.output) ?? { steps: 0, first: f.step, worst: 0 };
      byOutput.set(f.output, { steps: e.steps + 1, first: Math.min(e.first, f.step), worst: Math.max(e.worst, f.rel) });
    }
    out.failure = `output losses: ${[...byOutput].map(([o, e]) => `${o}_loss beyond rtol ${tol.lossRtol} at ${e.steps} of ${n} steps (first at step ${e.first}, worst rel ${e.worst.toExponential(2)})`).join('; ')}`;
  }
  if (metricFailure) out.failure = out.failure ? `${out.failure}; ${metricFailure}` : metricFailure;
  return out;
}

/** The output a reference log key `<output>_<metric>` belongs to (the longest output name that prefixes it). */
function ownerOf(key: string, outputs: readonly string[]): number {
  let best = -1;
  outputs.forEach((o, i) => {
    if (key.startsWith(`${o}_`) && key !== `${o}_loss` && (best < 0 || o.length > outputs[best].length)) best = i;
  });
  return best;
}

/** Each output's metrics, step by step, into `out.probes`; the failure line (or null). */
function compareOutputMetrics(outputs: readonly string[], reference: readonly StepLog[], candidate: readonly StepLog[], tol: { lossRtol: number; lossAtol: number; metricPoints?: number }, out: OutputLosses): string | null {
  if (!reference.length) return null;
  const points = tol.metricPoints ?? 1;
  const failed: { key: string; steps: number; first: number; worst: number; acc: boolean }[] = [];
  for (const key of Object.keys(reference[0].metrics)) {
    const i = ownerOf(key, outputs);
    // An output's own loss is compared above; a key of another output's loss (a longer name) is not a metric.
    if (i < 0 || outputs.some((o) => key === `${o}_loss`)) continue;
    const output = outputs[i];
    const metric = key.slice(output.length + 1);
    if (!reference.every((s) => Number.isFinite(s.metrics[key]))) continue;
    const candKey = [key, `output${i + 1}_${metric}`].find((k) => candidate.every((s) => typeof s.metrics[k] === 'number'));
    if (!candKey) {
      out.missingMetrics.push(key);
      continue;
    }
    const acc = /acc/i.test(metric);
    const series = compareSeries(reference.map((s) => s.metrics[key]), candidate.map((s) => s.metrics[candKey]), acc ? { rtol: 0, atol: points / 100 } : { rtol: tol.lossRtol, atol: tol.lossAtol });
    let bad: (typeof failed)[number] | undefined;
    series.steps.forEach((st, k) => {
      const step = reference[k].step;
      if (!st.pass) {
        bad ??= { key, steps: 0, first: step, worst: 0, acc };
        bad.steps++;
        bad.worst = Math.max(bad.worst, acc ? st.absDiff * 100 : st.relDiff);
      }
      const why = acc ? `|Δ| ${(st.absDiff * 100).toFixed(2)} points > ${points}` : `|Δ| ${st.absDiff.toExponential(3)}, rel ${st.relDiff.toExponential(3)} > rtol ${tol.lossRtol}${tol.lossAtol ? ` + atol ${tol.lossAtol}` : ''}`;
      out.probes.push({
        step, kind: 'metric', layer: output, candidateName: candKey, tensor: metric, shape: [],
        metrics: scalarMetrics(st.reference, st.candidate, st.pass), pass: st.pass,
        message: st.pass ? null : `${key} ${st.candidate} vs ${st.reference}: ${why}`,
      });
    });
    if (bad) failed.push(bad);
  }
  if (!failed.length) return null;
  return `output metrics: ${failed.map((f) => `${f.key} beyond ${f.acc ? `${points} points` : `rtol ${tol.lossRtol}`} at ${f.steps} of ${reference.length} steps (first at step ${f.first}, worst ${f.acc ? `${f.worst.toFixed(1)} points` : `rel ${f.worst.toExponential(2)}`})`).join('; ')}`;
}
