/**
 * Probes over scalars: a step's loss and the program's final metrics, as ProbeResults beside the tensor probes, so
 * a report (and the first divergence) can point at "the loss of step 12" or "evaluate acc" the way it points at a
 * layer's output. The tensor probes' metrics are computed by compare.ts over arrays; for one number they reduce to
 * |Δ|, |Δ|/|reference| and whether the signs agree, written out here.
 */
import type { ErrorMetrics } from '../compare.js';
import type { DiffReport, ProbeResult, StepRow } from './types.js';

/** The error metrics of one candidate number against one reference number (`pass` decides the mismatch count). */
export function scalarMetrics(reference: number, candidate: number, pass: boolean): ErrorMetrics {
  const abs = Math.abs(candidate - reference);
  const rel = reference === 0 ? (candidate === 0 ? 0 : Infinity) : abs / Math.abs(reference);
  const bothFinite = Number.isFinite(reference) && Number.isFinite(candidate);
  return {
    numel: 1,
    mismatchCount: pass ? 0 : 1,
    mismatchPercent: pass ? 0 : 100,
    maxAbsError: bothFinite ? abs : Infinity,
    maxAbsIndex: [],
    maxRelError: bothFinite ? rel : Infinity,
    maxRelIndex: [],
    meanAbsError: bothFinite ? abs : Infinity,
    rmse: bothFinite ? abs : Infinity,
    relativeL2: bothFinite ? rel : Infinity,
    // For two scalars the cosine is the agreement of their signs.
    cosineSimilarity: reference === 0 && candidate === 0 ? 1 : Math.sign(reference) * Math.sign(candidate),
  };
}

/** A step's loss as a probe (kind 'loss', program-wide: layer ''), judged by the per-step loss tolerance. */
export function lossProbe(row: StepRow, tol: { lossRtol: number; lossAtol: number }): ProbeResult {
  return {
    step: row.step,
    kind: 'loss',
    layer: '',
    candidateName: 'loss',
    tensor: 'loss',
    shape: [],
    metrics: scalarMetrics(row.lossReference, row.lossCandidate, row.pass),
    pass: row.pass,
    message: row.pass ? null : `loss ${row.lossCandidate} vs ${row.lossReference}: |Δ| ${row.absDiff.toExponential(3)}, rel ${row.relDiff.toExponential(3)} > rtol ${tol.lossRtol}${tol.lossAtol ? ` + atol ${tol.lossAtol}` : ''}`,
  };
}

/** The final metrics (evaluate results) as probes (kind 'metric') at the last step; accuracies are in points. */
export function metricProbes(final: DiffReport['final'], lastStep: number, metricPoints: number): ProbeResult[] {
  return final.map((f) => ({
    step: lastStep,
    kind: 'metric' as const,
    layer: '',
    candidateName: f.name,
    tensor: f.name,
    shape: [],
    metrics: scalarMetrics(f.reference, f.candidate, f.pass),
    pass: f.pass,
    message: f.pass ? null : `${f.name}: ${f.candidate.toFixed(4)} vs ${f.reference.toFixed(4)} (|Δ| ${f.diff.toFixed(4)}${/points/.test(f.name) ? ` > ${metricPoints} points` : ` > ${metricPoints}% of the reference`})`,
  }));
}
