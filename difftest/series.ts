/**
 * `compareSeries(reference, candidate, tol)`: two per-step scalar series (losses, accuracies, a probe's norm)
 * step by step — |Δ|, relative difference and a verdict per step, and the first step that diverges. The program-level
 * diff's side-by-side table (step, loss tfjs, loss torchbridge, |Δ|, rel, verdict) is one row per entry.
 */
export interface SeriesStep {
  step: number;
  reference: number;
  candidate: number;
  absDiff: number;
  /** |Δ| / |reference| (Infinity when the reference is 0 and the candidate is not). */
  relDiff: number;
  pass: boolean;
}

export interface SeriesComparison {
  steps: SeriesStep[];
  /** The first step beyond tolerance (or where only one side has a value); null when every step holds. */
  firstDivergence: number | null;
  maxAbsDiff: number;
  maxRelDiff: number;
  pass: boolean;
}

/**
 * Close ⇔ |Δ| ≤ atol + rtol·|reference|, or both NaN; a step present on one side only fails.
 * @param tol rtol (default 1e-4, the per-step loss criterion of issue 4) and atol (default 0).
 */
export function compareSeries(reference: readonly number[], candidate: readonly number[], tol: { rtol?: number; atol?: number } = {}): SeriesComparison {
  const rtol = tol.rtol ?? 1e-4;
  const atol = tol.atol ?? 0;
  const steps: SeriesStep[] = [];
  let firstDivergence: number | null = null, maxAbsDiff = 0, maxRelDiff = 0;
  for (let i = 0; i < Math.max(reference.length, candidate.length); i++) {
    const r = reference[i] ?? NaN, c = candidate[i] ?? NaN;
    const missing = i >= reference.length || i >= candidate.length;
    const absDiff = Math.abs(c - r);
    const relDiff = absDiff === 0 ? 0 : absDiff / Math.abs(r);
    const pass = !missing && (r === c || (Number.isNaN(r) && Number.isNaN(c)) || absDiff <= atol + rtol * Math.abs(r));
    if (!pass && firstDivergence === null) firstDivergence = i;
    if (absDiff > maxAbsDiff) maxAbsDiff = absDiff;
    if (relDiff > maxRelDiff) maxRelDiff = relDiff;
    steps.push({ step: i, reference: r, candidate: c, absDiff, relDiff, pass });
  }
  return { steps, firstDivergence, maxAbsDiff, maxRelDiff, pass: firstDivergence === null };
}
