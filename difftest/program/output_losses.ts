/**
 * A multi-output fit's per-output losses, step by step, as probes beside the total loss. The total is the sum of
 * the outputs' losses, so a migration that gets one output's loss wrong can move the total by less than its
 * tolerance (a small loss beside a large one) or not at all (two errors that cancel); each output's own loss,
 * judged by the same per-step criterion as the total (|Δ| ≤ atol + rtol·|reference|), names the output that is off.
 *
 * Both sides log them per batch: the reference under tfjs's `<output layer name>_loss` (its metricsNames), the
 * candidate (utils.fit) under the same key when the migration passed outputNames, else `output<i>_loss` in the
 * model's output order. A probe is `{ kind: 'loss', layer: <output layer>, tensor: 'loss' }`.
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
}

export function compareOutputLosses(outputs: readonly string[], reference: readonly StepLog[], candidate: readonly StepLog[], tol: { lossRtol: number; lossAtol: number }): OutputLosses {
  const out: OutputLosses = { probes: [], failure: null, missing: [] };
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
  return out;
}
