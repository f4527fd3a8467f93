/**
 * Turns the two traces into the DiffReport: per-step losses (compareSeries), every recorded probe
 * (compareTensors, in the candidate's layout), CRADLE per-layer error introduction, epoch rows, final metrics, the
 * first divergence and the verdict.
 *
 * Tolerances per probe (compare.ts / tolerance.ts give the per-op-class rules):
 * - a layer's output: its op class — Dense `matmul` with K = fan-in, Conv `conv` with K = kh·kw·cin, BatchNorm and
 *   average pools `reduction`, max pools / Flatten / Dropout `layout`, activations `elementwise`. The last layer's
 *   output is also checked for argmax agreement (logits);
 * - a gradient: `reduction` with K = the batch size (a weight's gradient sums one term per sample);
 * - a parameter after a step: `elementwise` (the optimizer's update is elementwise given the gradient).
 * Isolated outputs (`--replay layer`) are the layer's own error; chained ones also carry the error of the layers
 * before, which is what the CRADLE rate R = (δ_L − δ_in)/(δ_in + 1e-7) separates (δ = relative L2 error).
 *
 * The verdict: under `--replay step|layer` every step's loss (and, with several outputs, each output's loss:
 * output_losses.ts), every probe and the final metrics must hold. Under
 * `--replay none` (free run) float error accumulates by design, so the per-step rows and probes are reported but
 * the verdict is the final metrics' (accuracy within `metricPoints` points; losses within metricPoints % relative),
 * falling back to the per-step losses when the program evaluates nothing.
 */
import { compareTensors, type OpClass } from '../compare.js';
import { compareSeries } from '../series.js';
import { buildLoopReport } from './compare_loop.js';
import { activationToCandidate, weightToCandidate } from './layout.js';
import { lossProbe, metricProbes } from './scalar_probes.js';
import { compareOutputLosses } from './output_losses.js';
import { gradientNoise, setAsideNoise, updateNoise } from './gradient_noise.js';
import { lossFailure, reportHeader } from './report_common.js';
import { asFloat32, EVAL_OUTPUT, traceKey, type TraceReader } from './trace.js';
import type { CandidateMeta, LayerMapping, ReferenceLayer, ReferenceMeta } from './trace_meta.js';
import type { DiffReport, Divergence, LayerSummary, ProbeKind, ProbeResult, ReplayMode, StepRow } from './types.js';

export interface ReportInputs {
  reference: TraceReader<ReferenceMeta>;
  candidate: TraceReader<CandidateMeta>;
  original: string;
  migrated: string;
  replay: ReplayMode;
  tolerances: { lossRtol: number; lossAtol: number; metricPoints: number };
  requestedBackend: DiffReport['reference']['backend'];
  device: 'cpu' | 'webgpu';
  candidateVersion: string;
  /** The torchbridge package folder the candidate's runtime came from. */
  candidatePath?: string;
  notes: string[];
  timings: DiffReport['timings'];
}

function outputOpClass(layer: ReferenceLayer): { opClass: OpClass; k: number } {
  const kernel = layer.weights.find((w) => w.tensor === 'kernel');
  switch (layer.className) {
    case 'Dense':
      return { opClass: 'matmul', k: kernel?.shape[0] ?? 1 };
    case 'Conv1D':
    case 'Conv2D':
      return { opClass: 'conv', k: kernel ? kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1 };
    case 'Conv2DTranspose':
      // Each output sums at most kh·kw taps of every input channel (fewer where the stride skips them): a bound.
      return { opClass: 'conv', k: kernel ? kernel.shape[0] * kernel.shape[1] * kernel.shape[3] : 1 };
    case 'BatchNormalization':
    case 'LayerNormalization':
    case 'AveragePooling2D':
    case 'GlobalAveragePooling2D':
      return { opClass: 'reduction', k: 1 };
    case 'MaxPooling2D':
    case 'MaxPooling1D':
    case 'Flatten':
    case 'Dropout':
      return { opClass: 'layout', k: 1 };
    default:
      return { opClass: 'elementwise', k: 1 };
  }
}

/** Where to look, per kind of the first probe that diverged. */
const LOOK_AT: Record<ProbeKind, string> = {
  output: 'look at how that layer computes its output',
  gradient: "look at that layer's backward (or the loss)",
  parameter: 'look at how that parameter is updated (optimizer settings)',
  loss: 'look at how the loss is computed',
  metric: 'every step held, so the difference built up over the run: look at the per-epoch rows, or rerun with --replay step',
};

export function buildReport(inp: ReportInputs): DiffReport {
  // A custom loop (no fit) has variables and steps, no layers: compare_loop.ts.
  if (inp.reference.meta.loop) return buildLoopReport(inp);
  const ref = inp.reference;
  const cand = inp.candidate;
  const rm = ref.meta;
  const cm = cand.meta;
  const mapping = cm.mapping;
  const layerInfo = new Map(rm.layers.map((l) => [l.name, l]));

  // Per-step losses.
  const n = Math.min(rm.steps.length, cm.steps.length);
  const series = compareSeries(rm.steps.map((s) => s.loss), cm.steps.map((s) => s.loss), { rtol: inp.tolerances.lossRtol, atol: inp.tolerances.lossAtol });
  const stepRows: StepRow[] = series.steps.map((s, i) => {
    const r = rm.steps[i] ?? cm.steps[i];
    return { step: r.step, epoch: r.epoch, batch: r.batch, lossReference: s.reference, lossCandidate: s.candidate, absDiff: s.absDiff, relDiff: s.relDiff, pass: s.pass };
  });

  // A multi-output fit's per-output losses, every step (output_losses.ts): before the total in each step.
  const outputLosses = compareOutputLosses(rm.modelOutputs ?? [], rm.steps, cm.steps, inp.tolerances);

  // Probes, step by step in localization order: outputs (isolated first), loss, gradients, parameters.
  const probes: ProbeResult[] = [];
  const ordered: ProbeResult[] = [];
  const deltas = new Map<string, { step: number; delta: number }[]>();
  const recorded = [...new Set(cm.recordedSteps)].sort((a, b) => a - b);
  const lastLayer = mapping[mapping.length - 1]?.layer;
  // Per weight: the largest relative gradient disagreement per element so far (updateNoise; steps in order).
  const carried = new Map<string, Float64Array>();
  for (const step of recorded) {
    const batchSize = rm.steps.find((s) => s.step === step)?.size ?? 1;
    for (const tensor of ['isolated', 'output']) {
      for (const m of mapping) {
        const r = ref.get(traceKey(step, 'output', m.layer, 'output'));
        const c = cand.get(traceKey(step, 'output', m.layer, tensor));
        if (!r || !c) continue;
        const rc = activationToCandidate(r.data, r.shape, m.output);
        const { opClass, k } = outputOpClass(layerInfo.get(m.layer)!);
        const cmp = compareTensors({ data: rc.data, shape: rc.shape, dtype: 'float32' }, { data: c.data, shape: c.shape, dtype: 'float32' }, { opClass, reductionLength: k, logits: m.layer === lastLayer });
        const probe: ProbeResult = { step, kind: 'output', layer: m.layer, candidateName: m.modules.join('+'), tensor, shape: c.shape, metrics: cmp.metrics, pass: cmp.pass, message: cmp.pass ? null : cmp.message };
        probes.push(probe);
        ordered.push(probe);
        if (tensor === 'output' && cmp.metrics) (deltas.get(m.layer) ?? deltas.set(m.layer, []).get(m.layer)!).push({ step, delta: cmp.metrics.relativeL2 });
      }
    }
    const row = stepRows.find((r) => r.step === step);
    for (const probe of outputLosses.probes.filter((p) => p.step === step)) {
      probes.push(probe);
      ordered.push(probe);
    }
    if (row) {
      const probe = lossProbe(row, inp.tolerances);
      probes.push(probe);
      ordered.push(probe);
    }
    for (const kind of ['gradient', 'parameter'] as const) {
      for (const m of mapping) {
        for (const w of m.weights) {
          const r = ref.get(traceKey(step, kind, m.layer, w.tensor));
          const c = cand.get(traceKey(step, kind, m.layer, w.tensor));
          if (!r || !c) continue;
          const rc = weightToCandidate(r.data, r.shape, w.layout);
          const opts = kind === 'gradient' ? { opClass: 'reduction' as const, reductionLength: batchSize } : { opClass: 'elementwise' as const };
          const refData = { data: rc.data, shape: rc.shape, dtype: 'float32' as const };
          let cmp = compareTensors(refData, { data: c.data, shape: c.shape, dtype: 'float32' }, opts);
          // A parameter element whose gradient is float noise around zero has an undetermined update direction:
          // judged without those elements, and their count reported (gradient_noise.ts).
          let setAside: number | undefined;
          if (kind === 'parameter' && !cmp.pass && rc.data.length === c.data.length) {
            const rg = ref.get(traceKey(step, 'gradient', m.layer, w.tensor));
            const cg = cand.get(traceKey(step, 'gradient', m.layer, w.tensor));
            if (rg && cg && rg.data.length === cg.data.length && cg.data.length === c.data.length) {
              const gRefData = weightToCandidate(rg.data, rg.shape, w.layout).data;
              const noise = gradientNoise(gRefData, cg.data, batchSize);
              // Where both sides started the step from the same recorded parameters (replay), an update that differs
              // only as much as its gradient does is noise too (gradient_noise.ts, updateNoise).
              const prev = inp.replay !== 'none' ? ref.get(step === 0 ? traceKey('-', 'init', m.layer, w.tensor) : traceKey(step - 1, 'parameter', m.layer, w.tensor)) : undefined;
              if (prev && prev.data.length === c.data.length) {
                const before = weightToCandidate(prev.data, prev.shape, w.layout).data;
                const key = `${m.layer}/${w.tensor}`;
                const carry = carried.get(key) ?? carried.set(key, new Float64Array(c.data.length)).get(key)!;
                const byUpdate = updateNoise(rc.data, c.data, before, gRefData, cg.data, carry);
                for (let i = 0; i < byUpdate.length; i++) noise.undetermined[i] ||= byUpdate[i];
              }
              const aside = setAsideNoise(rc.data, asFloat32(c.data), noise);
              if (aside.setAside > 0) {
                setAside = aside.setAside;
                cmp = compareTensors(refData, { data: aside.candidate, shape: c.shape, dtype: 'float32' }, opts);
              }
            }
          }
          const probe: ProbeResult = { step, kind, layer: m.layer, candidateName: w.candidateName, tensor: w.tensor, shape: c.shape, metrics: cmp.metrics, pass: cmp.pass, message: cmp.pass ? null : cmp.message };
          if (setAside !== undefined) probe.noiseSetAside = setAside;
          probes.push(probe);
          ordered.push(probe);
        }
      }
    }
  }
  // A step whose loss failed but that recorded no tensors still localizes (to its loss): the first such step is a
  // probe too (later ones are in stepRows; one probe per step would repeat the loss table).
  const firstUnrecordedFailure = stepRows.find((r) => !r.pass && !recorded.includes(r.step));
  // Likewise an output's loss: the first unrecorded step where one failed (all its outputs' probes).
  const outputFailureStep = outputLosses.probes.find((p) => !p.pass && !recorded.includes(p.step))?.step;
  for (const probe of outputLosses.probes.filter((p) => p.step === outputFailureStep)) {
    probes.push(probe);
    ordered.push(probe);
  }
  if (firstUnrecordedFailure) {
    const probe = lossProbe(firstUnrecordedFailure, inp.tolerances);
    probes.push(probe);
    ordered.push(probe);
  }

  const layers: LayerSummary[] = mapping.map((m, i) => {
    const own = deltas.get(m.layer) ?? [];
    // The error coming in: the previous layer's, or (mapped by graph) the first layer feeding this one.
    const from = m.inbound ? m.inbound[0] : i > 0 ? mapping[i - 1].layer : undefined;
    const prev = from !== undefined ? deltas.get(from) ?? [] : [];
    const rates = own.map(({ step, delta }) => {
      const dIn = prev.find((p) => p.step === step)?.delta ?? 0;
      return { step, r: (delta - dIn) / (dIn + 1e-7) };
    });
    const worst = rates.reduce((a, b) => (b.r > a.r ? b : a), { step: -1, r: -Infinity });
    const layerProbes = probes.filter((p) => p.layer === m.layer && p.kind === 'output');
    return {
      layer: m.layer,
      referenceType: m.referenceType,
      candidateType: m.candidateType,
      maxOutputError: own.reduce((a, b) => Math.max(a, b.delta), 0),
      meanIntroductionRate: rates.length ? rates.reduce((a, b) => a + b.r, 0) / rates.length : 0,
      maxIntroductionRate: rates.length ? worst.r : 0,
      worstStep: worst.step,
      pass: layerProbes.every((p) => p.pass),
    };
  });

  const epochRows = rm.epochs.map((e, i) => ({ epoch: e.epoch, reference: e.logs, candidate: cm.epochs[i]?.logs ?? {} }));

  const final: DiffReport['final'] = [];
  rm.evaluations.forEach((ev, i) => {
    const ce = cm.evaluations[i];
    ev.names.forEach((name, j) => {
      const r = ev.values[j];
      const c = ce?.values[ce.names.indexOf(name) >= 0 ? ce.names.indexOf(name) : j] ?? NaN;
      const label = rm.evaluations.length > 1 ? `evaluate#${i} ${name}` : `evaluate ${name}`;
      if (/acc/i.test(name)) {
        const diff = Math.abs(c - r) * 100;
        final.push({ name: `${label} (points)`, reference: r * 100, candidate: c * 100, diff, pass: diff <= inp.tolerances.metricPoints });
      } else {
        const diff = Math.abs(c - r);
        final.push({ name: label, reference: r, candidate: c, diff, pass: diff <= (inp.tolerances.metricPoints / 100) * Math.abs(r) + inp.tolerances.lossAtol });
      }
    });
  });

  // The final metrics last: they diverge "first" only when every step's probes held.
  const lastStep = rm.steps.length ? rm.steps[rm.steps.length - 1].step : 0;
  const metrics = metricProbes(final, lastStep, inp.tolerances.metricPoints);
  // A stable sort: within a step, the order pushed (outputs, loss, gradients, parameters) is localization order.
  ordered.sort((a, b) => a.step - b.step);
  // After training, before the metrics: the layer outputs of the first evaluation batch, in layer order, so a layer
  // that computes differently only in evaluation (Dropout left on) is where the evaluation first diverges.
  for (const m of mapping) {
    const r = ref.get(traceKey('-', 'output', m.layer, EVAL_OUTPUT));
    const c = cand.get(traceKey('-', 'output', m.layer, EVAL_OUTPUT));
    if (!r || !c) continue;
    const rc = activationToCandidate(r.data, r.shape, m.output);
    const { opClass, k } = outputOpClass(layerInfo.get(m.layer)!);
    const cmp = compareTensors({ data: rc.data, shape: rc.shape, dtype: 'float32' }, { data: c.data, shape: c.shape, dtype: 'float32' }, { opClass, reductionLength: k, logits: m.layer === lastLayer });
    const probe: ProbeResult = { step: lastStep, kind: 'output', layer: m.layer, candidateName: m.modules.join('+'), tensor: EVAL_OUTPUT, shape: c.shape, metrics: cmp.metrics, pass: cmp.pass, message: cmp.pass ? null : cmp.message };
    probes.push(probe);
    ordered.push(probe);
  }
  probes.push(...metrics);
  ordered.push(...metrics);
  const first = ordered.find((p) => !p.pass);
  const firstDivergence: Divergence | null = first ? { step: first.step, kind: first.kind, layer: first.layer, tensor: first.tensor, message: first.message ?? '' } : null;

  const failures: string[] = [];
  if (rm.steps.length !== cm.steps.length) failures.push(`steps: the reference ran ${rm.steps.length} steps, the candidate ${cm.steps.length}`);
  const failedRows = stepRows.filter((r) => !r.pass);
  const lossLine = lossFailure(stepRows, n, inp.tolerances.lossRtol);
  if (lossLine) failures.push(lossLine);
  if (outputLosses.failure) failures.push(outputLosses.failure);
  // Loss and metric probes have their own failure lines above and below.
  const failedProbes = probes.filter((p) => !p.pass && p.kind !== 'loss' && p.kind !== 'metric');
  if (failedProbes.length) {
    const byLayer = new Map<string, number>();
    for (const p of failedProbes) byLayer.set(`${p.kind} ${p.layer}/${p.tensor}`, (byLayer.get(`${p.kind} ${p.layer}/${p.tensor}`) ?? 0) + 1);
    failures.push(`probes: ${failedProbes.length} of ${probes.filter((p) => p.kind !== 'loss' && p.kind !== 'metric').length} beyond tolerance (${[...byLayer].slice(0, 6).map(([k, v]) => `${k} ×${v}`).join(', ')})`);
  }
  for (const f of final.filter((f) => !f.pass)) failures.push(`final ${f.name}: ${f.candidate.toFixed(4)} vs ${f.reference.toFixed(4)} (|Δ| ${f.diff.toFixed(4)})`);
  if (firstDivergence) {
    const what = firstDivergence.kind === 'loss' && firstDivergence.layer
      ? `the loss of output ${firstDivergence.layer} (${firstDivergence.layer}_loss)`
      : firstDivergence.kind === 'metric' && firstDivergence.layer
        ? `the metric ${firstDivergence.tensor} of output ${firstDivergence.layer} (${firstDivergence.layer}_${firstDivergence.tensor})`
        : `${firstDivergence.kind} of ${firstDivergence.layer ? `${firstDivergence.layer}/${firstDivergence.tensor}` : firstDivergence.kind === 'metric' ? firstDivergence.tensor : 'the program'}`;
    const look = firstDivergence.kind === 'metric' && firstDivergence.layer ? "look at how that output's metric is computed (the losses and weights held)" : LOOK_AT[firstDivergence.kind];
    failures.push(`first divergence: step ${firstDivergence.step}, ${what} — ${look}`);
  }

  const stepsPass = !failedRows.length && !outputLosses.failure && rm.steps.length === cm.steps.length && rm.steps.length > 0;
  const finalsPass = final.every((f) => f.pass);
  const pass = inp.replay === 'none'
    ? (final.length ? finalsPass : stepsPass)
    : stepsPass && !failedProbes.length && finalsPass;
  if (inp.replay === 'none' && pass && failures.length) failures.unshift('free run (--replay none): per-step differences are reported but only the final metrics decide');

  return {
    ...reportHeader(inp),
    epochs: rm.epochs.length,
    tolerances: inp.tolerances,
    notes: [...new Set([...inp.notes, ...rm.notes, ...cm.notes, ...noiseNote(probes), ...outputLosses.missing.map((o) => `output ${o}: the candidate logs no loss for it (neither ${o}_loss nor output<i>_loss), so its per-step loss was not compared; only the total was`), ...outputLosses.missingMetrics.map((k) => `metric ${k}: the candidate logs no such per-output metric (neither ${k} nor output<i>_<metric>), so it was not compared`)])],
    stepRows,
    probes,
    layers,
    epochRows,
    final,
    firstDivergence,
    pass,
    failures,
    timings: inp.timings,
    nameMap: mapping.flatMap((m) => m.weights.map((w) => ({ reference: `${m.layer}/${w.tensor}`, candidate: w.candidateName }))),
  };
}

/** One note for the parameter elements set aside as gradient noise (gradient_noise.ts), when there were any. */
function noiseNote(probes: ProbeResult[]): string[] {
  const hit = probes.filter((p) => p.noiseSetAside);
  if (!hit.length) return [];
  const total = hit.reduce((a, p) => a + p.noiseSetAside!, 0);
  const where = hit.slice(0, 4).map((p) => `step ${p.step} ${p.layer}/${p.tensor} ×${p.noiseSetAside}`).join(', ');
  return [`parameters: ${total} element(s) differed where the gradient is within float32 noise of zero on both sides (the update's sign is undetermined there), or where the update differs no more than the gradient already does (its own probe judges it), and were not counted as failures (${where}${hit.length > 4 ? ', ...' : ''})`];
}
