/** What the fit report (compare_traces.ts) and the custom-loop report (compare_loop.ts) write the same way. */
import type { ReportInputs } from './compare_traces.js';
import type { DiffReport, StepRow } from './types.js';

/** The report's identity: the two programs, the reference backend actually used, the candidate, replay, steps. */
export function reportHeader(inp: ReportInputs) {
  const rm = inp.reference.meta;
  return {
    version: 1 as const,
    original: inp.original,
    migrated: inp.migrated,
    reference: { backend: (rm.backend === 'tensorflow' ? inp.requestedBackend : rm.backend) as DiffReport['reference']['backend'], fallbacks: rm.fallbacks, version: rm.version, ...(rm.tfjsPath ? { path: rm.tfjsPath } : {}) },
    candidate: { device: inp.device, version: inp.candidateVersion, path: inp.candidatePath },
    replay: inp.replay,
    steps: rm.steps.length,
  };
}

/** The failure line for step losses beyond tolerance, or null when every row passed. */
export function lossFailure(rows: readonly StepRow[], total: number, rtol: number): string | null {
  const failed = rows.filter((r) => !r.pass);
  if (!failed.length) return null;
  const w = failed.reduce((a, b) => (b.relDiff > a.relDiff ? b : a));
  return `loss: ${failed.length} of ${total} steps beyond rtol ${rtol} (first at step ${failed[0].step}, worst rel ${w.relDiff.toExponential(2)} at step ${w.step})`;
}
