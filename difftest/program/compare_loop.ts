/**
 * The DiffReport of a custom-loop diff (loop_probe_tfjs.ts / loop_probe_runtime.ts): per step the loss, then every
 * variable the reference's step updated, after the update, against its paired candidate tensor (loop_pairing.ts).
 * A loop has no layers, epochs or evaluations, so those parts of the report stay empty and the verdict is the
 * steps': the same number of steps, every variable paired, every step's loss within the loss tolerance and every
 * variable within the elementwise tolerance (the update is elementwise given the gradient) — in a free run too,
 * since nothing else (no final metric) could decide it. The loss has an absolute floor (below).
 */
import { compareTensors } from '../compare.js';
import { compareSeries } from '../series.js';
import type { ReportInputs } from './compare_traces.js';
import { LOOP_LAYER } from './loop_keys.js';
import { variableLabel } from './loop_pairing.js';
import { lossProbe } from './scalar_probes.js';
import { traceKey } from './trace.js';
import { lossFailure, reportHeader } from './report_common.js';
import type { DiffReport, Divergence, ProbeResult, StepRow } from './types.js';

export function buildLoopReport(inp: ReportInputs): DiffReport {
  const ref = inp.reference;
  const cand = inp.candidate;
  const rm = ref.meta;
  const cm = cand.meta;
  const variables = rm.loop!.variables;
  const pairs = cm.loop?.pairs ?? [];
  const problems = cm.loop?.problems ?? ['the migrated program ran no optimizer the probes could pair with the original\'s variables'];
  const pairOf = new Map(pairs.map((p) => [p.refIndex, p]));

  // A loop often trains its loss down to float32 noise (the cubic fit: 0.04 → 1e-15), where a relative error says
  // nothing: an absolute floor of rtol/100 × the run's largest reference loss (~1e-6 of it at the default rtol;
  // float32 rounding alone puts the loss's absolute error near 1e-6 of its starting size).
  const largest = rm.steps.reduce((m, s) => (Number.isFinite(s.loss) ? Math.max(m, Math.abs(s.loss)) : m), 0);
  const lossAtol = Math.max(inp.tolerances.lossAtol, (inp.tolerances.lossRtol / 100) * largest);
  const series = compareSeries(rm.steps.map((s) => s.loss), cm.steps.map((s) => s.loss), { rtol: inp.tolerances.lossRtol, atol: lossAtol });
  const stepRows: StepRow[] = series.steps.map((s, i) => {
    const r = rm.steps[i] ?? cm.steps[i];
    return { step: r.step, epoch: 0, batch: r.step, lossReference: s.reference, lossCandidate: s.candidate, absDiff: s.absDiff, relDiff: s.relDiff, pass: s.pass };
  });

  // Step order; within a step the loss (computed before the update) then the variables in creation order.
  const probes: ProbeResult[] = [];
  const unpairedReported = new Set<number>();
  for (const row of stepRows) {
    const step = row.step;
    probes.push(lossProbe(row, { lossRtol: inp.tolerances.lossRtol, lossAtol }));
    variables.forEach((v, i) => {
      const r = ref.get(traceKey(step, 'parameter', LOOP_LAYER, v.name));
      if (!r) return;
      const pair = pairOf.get(i);
      const c = pair ? cand.get(traceKey(step, 'parameter', LOOP_LAYER, v.name)) : undefined;
      const base = { step, kind: 'parameter' as const, layer: v.label ?? v.name, candidateName: pair?.candidate ?? '(none)', tensor: `#${i}`, shape: r.shape };
      if (!c) {
        // Once per variable: the pairing problem says the rest.
        if (unpairedReported.has(i) || step >= cm.steps.length) return;
        unpairedReported.add(i);
        probes.push({ ...base, metrics: null, pass: false, message: `variable ${variableLabel(v, i)}: the migrated program has no counterpart for it (${problems.join('; ') || 'not paired'})` });
        return;
      }
      const cmp = compareTensors({ data: r.data, shape: r.shape, dtype: 'float32' }, { data: c.data, shape: c.shape, dtype: 'float32' }, { opClass: 'elementwise' });
      const message = cmp.pass ? null : `variable ${variableLabel(v, i)} after step ${step}${pair && !pair.inOptimizer ? ' (not in the migrated optimizer\'s params)' : ''}: ${cmp.message}`;
      probes.push({ ...base, metrics: cmp.metrics, pass: cmp.pass, message });
    });
  }

  const first = probes.find((p) => !p.pass);
  const firstIndex = first && first.kind === 'parameter' ? Number(first.tensor.slice(1)) : undefined;
  const firstDivergence: Divergence | null = first
    ? { step: first.step, kind: first.kind, layer: first.layer, tensor: first.tensor, message: first.message ?? '', ...(firstIndex !== undefined ? { variable: { index: firstIndex, name: variables[firstIndex].name, label: variables[firstIndex].label } } : {}) }
    : null;

  const failures: string[] = [];
  if (rm.steps.length !== cm.steps.length) failures.push(`steps: the original ran ${rm.steps.length} optimizer steps, the migrated program ${cm.steps.length}`);
  for (const p of problems) failures.push(`variables: ${p}`);
  const lossLine = lossFailure(stepRows, stepRows.length, inp.tolerances.lossRtol);
  if (lossLine) failures.push(lossLine);
  const failedVars = probes.filter((p) => p.kind === 'parameter' && !p.pass);
  if (failedVars.length) {
    const byVar = new Map<string, number>();
    for (const p of failedVars) byVar.set(`${p.layer}`, (byVar.get(p.layer) ?? 0) + 1);
    failures.push(`variables: ${failedVars.length} of ${probes.filter((p) => p.kind === 'parameter').length} step values beyond tolerance (${[...byVar].slice(0, 6).map(([k, n]) => `${k} ×${n}`).join(', ')})`);
  }
  if (firstDivergence) {
    const what = firstDivergence.variable
      ? `variable ${variableLabel(variables[firstDivergence.variable.index], firstDivergence.variable.index)} — look at how it is updated (the optimizer's settings, and whether the optimizer is given it)`
      : firstDivergence.step === 0
        // Step 0's loss comes from the same initial values: the difference is in the forward, the loss or the data.
        ? 'the loss, before any update — look at how the prediction and loss are computed, and at the data they are computed on (data drawn at random, e.g. tf.randomUniform, differs between tfjs and the runtime)'
        : 'the loss, with every variable agreeing after the step before — look at how the loss is computed';
    failures.push(`first divergence: step ${firstDivergence.step}, ${what}`);
  }

  const pass = !failures.length && stepRows.length > 0;
  return {
    ...reportHeader(inp),
    epochs: 0,
    tolerances: inp.tolerances,
    notes: loopNotes(inp, variables.length, lossAtol),
    stepRows,
    probes,
    layers: [],
    epochRows: [],
    final: [],
    firstDivergence,
    pass,
    failures,
    timings: inp.timings,
    nameMap: variables.map((v, i) => ({ reference: v.label ? `${v.label} (${v.name})` : v.name, candidate: pairOf.get(i)?.candidate ?? '(none)' })),
  };
}

function loopNotes(inp: ReportInputs, variables: number, lossAtol: number): string[] {
  const notes = [
    // The fit path's record-every note does not apply: a loop's variables are recorded at every step.
    ...inp.notes.filter((n) => !n.startsWith('layer outputs and gradients recorded every')),
    ...inp.reference.meta.notes,
    ...inp.candidate.meta.notes,
    `custom loop: ${variables} variable(s) paired by creation order and shape; the migrated program starts from the original's initial values`,
  ];
  const optimizers = inp.reference.meta.loop?.optimizers?.length ?? 0;
  if (optimizers > 1) notes[notes.length - 1] = `custom loop: ${variables} variable(s) of ${optimizers} optimizers; each migrated optimizer pairs with one of the original's (in the order of their first steps) by its params' shapes, and its params with that optimizer's variables in order; the migrated program starts from the original's initial values; steps are every optimizer's, in the order they ran`;
  if (inp.replay === 'layer') notes.push('replay layer: a custom loop has no layers to feed; it ran as --replay step');
  if (lossAtol > inp.tolerances.lossAtol) {
    notes.push(`loss: also within tolerance when |Δ| ≤ ${lossAtol.toExponential(2)} (rtol/100 × the largest reference loss: a loss trained down to float32 noise has no relative precision left)`);
  }
  return [...new Set(notes)];
}
