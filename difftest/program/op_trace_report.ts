/**
 * `--trace ops`, the report's side: reads the traced step's events from both traces (op_trace_log.ts), pairs them
 * (op_alignment.ts), compares each pair's outputs with the diff's tolerance rules (compare.ts / tolerance.ts: the
 * pair's op class from op_kinds.ts, K from the input shapes), judges and localises (op_localise.ts), and writes the
 * result into the DiffReport: its `opTrace` section, and a failure line when an op diverges, so the exit code says
 * so (1) as for any other divergence.
 */
import { relative } from 'node:path';
import { compareTensors, type CompareDType } from '../compare.js';
import { activationToCandidate } from './layout.js';
import { alignOps, summariesAgree, type OpPair } from './op_alignment.js';
import { kindRow, movesOnly } from './op_kinds.js';
import { gradientCut, type GradientCut } from './op_gradient_flow.js';
import { gradientGroups } from './op_gradient_groups.js';
import { judgePairs, localise, type PairComparison } from './op_localise.js';
import { opKey, type OpEvent, type OpTraceLog } from './op_trace_log.js';
import type { TraceReader } from './trace.js';
import type { DiffReport, OpTraceReport, TracedOpRef } from './types.js';

/** Fewer pairs than this share of the shorter side's ops (or fewer than MIN_PAIRS) and the alignment is unsure. */
const UNSURE_SHARE = 0.25;
const MIN_PAIRS = 3;

/**
 * Adds the section to `report`; returns what made a trace impossible (a usage problem: a step the programs never
 * reached, a side that recorded nothing), or null. Custom loops and model.fit programs alike: each side's probe
 * recorded the step's ops (loop_probe_*.ts, fit_op_trace.ts).
 */
export function addOpTrace(report: DiffReport, reference: TraceReader<{ opTrace?: OpTraceLog }>, candidate: TraceReader<{ opTrace?: OpTraceLog }>, step: number): string | null {
  const r = reference.meta.opTrace;
  const c = candidate.meta.opTrace;
  if (!r || !c) return `--trace ops: ${!r ? 'the original' : 'the migrated program'} recorded no op trace`;
  const missing = r.missing ?? c.missing;
  if (missing) return `--trace-step ${step}: ${missing} (it ran ${report.steps} step${report.steps === 1 ? '' : 's'}: pick a step below that, or raise --steps)`;
  const trace = buildOpTrace(r, c, (e) => values(reference, r.step, e), (e) => values(candidate, c.step, e));
  report.opTrace = trace;
  const d = trace.firstDivergence;
  if (!d) return null;
  // The backward passes are arranged differently on the two sides (a gradient op pairs by kind and shape with one that
  // computes another intermediate), so a backward difference fails the diff only when the step's own comparison
  // (losses, variables after the update) failed too; otherwise it is a note. A gradient that stops short is no
  // pairing's claim but autograd's own (a variable the original trains gets none): it fails the diff either way.
  if (d.phase === 'forward' || d.cause === 'no-gradient' || !report.pass) {
    report.failures.push(`op trace: ${trace.summary}`);
    report.pass = false;
  } else {
    report.notes.push(`--trace ops: a backward op differs (${trace.summary}), but every loss and variable after the step agrees: the two sides compute that gradient with differently arranged ops`);
  }
  return null;
}

const values = (trace: TraceReader, step: number, e: OpEvent) => (e.hasValues ? trace.get(opKey(step, e.index))?.data : undefined);

type Values = (e: OpEvent) => ArrayLike<number> | undefined;

/** The section itself, from the two logs and their values (separate from the trace files for the tests). */
export function buildOpTrace(r: OpTraceLog, c: OpTraceLog, refValues: Values, candValues: Values): OpTraceReport {
  const alignment = alignOps(r.events, c.events);
  const { pairs } = alignment;
  const flattened = flattenedMaps(r.events);
  const comparisons = pairs.map((p) => comparePair(r.events[p.reference], c.events[p.candidate], p, refValues, candValues, flattened));
  const verdicts = judgePairs(c.events, pairs, comparisons);
  const found = localise(r.events, c.events, pairs, verdicts);
  // A forward difference comes first; then a gradient that stops short (no backward op can differ there: the
  // migrated program runs none), which explains the backward differences after it.
  const cut = !found || found.phase === 'backward' ? gradientCut(r.events, c.events, pairs) : null;
  const ref = (e: OpEvent): TracedOpRef => ({ index: e.index, kind: e.kind, shape: e.shape, ...(e.at ? { at: `${relative(process.cwd(), e.at.file) || e.at.file}:${e.at.line}` } : {}), ...(e.at?.module ? { module: e.at.module } : {}) });

  const reasons: string[] = [];
  const shorter = Math.min(r.events.length, c.events.length);
  if (pairs.length < MIN_PAIRS || pairs.length < UNSURE_SHARE * shorter) reasons.push(`only ${pairs.length} of ${shorter} ops paired`);
  if (r.truncated || c.truncated) reasons.push(`the step ran more ops than the trace keeps (${r.truncated ? 'original' : 'migrated'}); the rest are not compared`);
  if (alignment.band !== undefined) reasons.push(`the traces were aligned within ${alignment.band} ops of the diagonal`);
  const agreeing = verdicts.filter((v) => v.pass && !v.stateOnly).length;
  const stateOnly = verdicts.filter((v) => v.stateOnly).length;
  if (stateOnly) reasons.push(`${stateOnly} pair${stateOnly === 1 ? '' : 's'} that only update state (no gradient through them, nothing later in the step reads them: a running statistic) differ and were not judged`);
  const base = { step: r.step, referenceOps: r.events.length, candidateOps: c.events.length, paired: pairs.length, agreeing, dropped: alignment.dropped, unsure: reasons.length ? reasons.join('; ') : null };
  const counts = `${pairs.length} of ${r.events.length} tfjs kernels and ${c.events.length} runtime ops paired`;
  if (cut) return { ...base, ...cutSection(r, c, pairs[cut.pair], comparisons[cut.pair], cut, ref, base.unsure) };
  if (!found) {
    return { ...base, firstDivergence: null, summary: `step ${r.step}: no op diverges (${counts}, all within tolerance)${base.unsure ? `; unsure: ${base.unsure}` : ''}` };
  }
  const p = pairs[found.pair];
  const cmp = comparisons[found.pair];
  const candidateGap = [...found.candidateGap, ...found.candidateInputs].filter((i) => i !== p.candidate).sort((a, b) => a - b).map((i) => ref(c.events[i]));
  const referenceGap = [...found.referenceGap, ...found.referenceInputs].filter((i) => i !== p.reference).sort((a, b) => a - b).map((i) => ref(r.events[i]));
  // The likely cause: the last op of the candidate's gap that computes (else its last op); for a differing input, the
  // input (recorded where the program first reads it); else the diverging op itself.
  const gapOps = found.candidateGap.map((i) => c.events[i]);
  const computing = [...gapOps].reverse().find((e) => !movesOnly(e.kind));
  // A backward pair whose candidate gap computes nothing where the original's does: the original computes the
  // gradient of some forward op there that the migrated program does not; that op's counterpart is the likely cause.
  const missing = found.phase === 'backward' && found.cause === 'gap' && !computing ? missingGradientOf(r.events, c.events, pairs, found.referenceGap) : undefined;
  const last = missing ?? (found.cause === 'gap' && gapOps.length
    ? computing ?? gapOps[gapOps.length - 1]
    : found.cause === 'input' && found.candidateInputs.length ? c.events[found.candidateInputs[0]] : c.events[p.candidate]);
  const likely = ref(last);
  const rr = ref(r.events[p.reference]);
  const cc = ref(c.events[p.candidate]);
  const list = (ops: TracedOpRef[]) => ops.slice(-4).map(describe).join(', ') + (ops.length > 4 ? ` (and ${ops.length - 4} before)` : '');
  const why = found.cause === 'op'
    ? 'its inputs agree, so this op computes differently'
    : found.cause === 'input' && c.events[p.candidate].kind === 'Input'
      ? `a tensor no traced op made (data, a constant; recorded where the program first reads it) differs`
      : found.cause === 'input'
      ? `it reads tensors no traced op made (data, constants) whose values differ: ${list(candidateGap)} in the migrated program, ${list(referenceGap) || 'none'} in the original`
      : `before it the migrated program runs ${list(candidateGap.filter((o) => o.kind !== 'Input')) || 'no op'} where the original runs ${list(referenceGap.filter((o) => o.kind !== 'Input')) || 'no kernel'}, with no counterpart on the other side${missing ? ` (the gradient of the original's counterpart of ${describe(ref(missing))}, which the migrated program does not compute)` : ''}`;
  const summary = `step ${r.step}: first divergence${found.phase === 'backward' ? ' (backward pass; the forward ops agree)' : ''} at ${describe(cc)} ↔ tfjs ${describe(rr)}: max abs err ${fmt(cmp.maxAbsError)}, max rel err ${fmt(cmp.maxRelError)}${cmp.bySummary ? ' (by summary: outputs above the value cap)' : ''}; ${why}; likely cause: ${likely.kind}${likely.module ? ` in ${likely.module}.forward` : ''} at ${likely.at ?? '(no program line on the stack)'}${base.unsure ? `; unsure: ${base.unsure}` : ''}`;
  return {
    ...base,
    firstDivergence: { phase: found.phase, reference: rr, candidate: cc, maxAbsError: cmp.maxAbsError, maxRelError: cmp.maxRelError, relativeL2: cmp.relativeL2, message: cmp.message ?? '', cause: found.cause, candidateGap, referenceGap, likely },
    summary,
  };
}

/**
 * The candidate's forward op whose gradient the original computes in `referenceGap` and the migrated program does
 * not: the counterpart (by the forward pairs, through gradient groups) of the gap's last computing op's forward op.
 */
function missingGradientOf(reference: readonly OpEvent[], candidate: readonly OpEvent[], pairs: readonly OpPair[], referenceGap: readonly number[]): OpEvent | undefined {
  const forward = new Map(pairs.filter((p) => reference[p.reference].phase === 'forward').map((p) => [p.reference, p.candidate]));
  const groups = gradientGroups(reference, new Set(forward.keys()));
  const op = [...referenceGap].reverse().map((i) => reference[i]).find((e) => !movesOnly(e.kind) && e.kind !== 'Input' && e.gradOf !== undefined);
  if (!op) return undefined;
  // The forward op itself when it is paired, else the pair its gradient belongs to.
  const own = forward.get(op.gradOf!) ?? forward.get(groups[op.gradOf!]);
  return own === undefined ? undefined : candidate[own];
}

/** The section for a gradient that stops short in the migrated program (op_gradient_flow.ts). */
function cutSection(r: OpTraceLog, c: OpTraceLog, p: OpPair, cmp: PairComparison, cut: GradientCut, ref: (e: OpEvent) => TracedOpRef, unsure: string | null): Pick<OpTraceReport, 'firstDivergence' | 'summary'> {
  const rr = ref(r.events[p.reference]);
  const cc = ref(c.events[p.candidate]);
  const likely = ref(c.events[cut.cutAt]);
  const lost = cut.lost.map((i) => ref(r.events[i]));
  const variables = `${lost.length} trained variable${lost.length === 1 ? '' : 's'} (${lost.slice(0, 4).map((o) => `[${o.shape.join(', ')}]`).join(', ')}${lost.length > 4 ? ', ...' : ''})`;
  const summary = `step ${r.step}: first divergence (backward pass; the forward ops agree): the migrated program's gradient stops at ${describe(likely)}: the original differentiates ${describe(rr)} with respect to ${variables} that the migrated ${describe(cc)} does not reach (a detach(), a value computed without grad, or a variable it does not have); likely cause: ${likely.kind}${likely.module ? ` in ${likely.module}.forward` : ''} at ${likely.at ?? '(no program line on the stack)'}${unsure ? `; unsure: ${unsure}` : ''}`;
  return {
    firstDivergence: { phase: 'backward', reference: rr, candidate: cc, maxAbsError: cmp.maxAbsError, maxRelError: cmp.maxRelError, relativeL2: cmp.relativeL2, message: '', cause: 'no-gradient', candidateGap: cut.cutAt === p.candidate ? [] : [likely], referenceGap: lost, likely },
    summary,
  };
}

const describe = (o: TracedOpRef) => `${o.kind} [${o.shape.join(', ')}]${o.module ? ` in ${o.module}.forward` : ''}${o.at ? ` (${o.at})` : ''}`;
const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * The feature maps tfjs flattened in the traced step, by the flattened shape (`N,K` → [N, H, W, C]): a 2-D tensor
 * of that shape (the flatten's output, a Dropout mask after it, the Dropout's output) holds its values in (h, w, c)
 * order, the runtime's in (c, h, w).
 */
function flattenedMaps(events: readonly OpEvent[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const e of events) {
    const from = e.inputShapes[0];
    if (e.phase === 'forward' && movesOnly(e.kind) && e.shape.length === 2 && from?.length === 4 && from[0] === e.shape[0] && from[1] * from[2] * from[3] === e.shape[1] && from[3] > 1 && from[1] * from[2] > 1) out.set(e.shape[1], from);
  }
  return out;
}

/**
 * 2-D values (size-1 dimensions apart) with the axis of length K (a flattened [H, W, C] map) reordered from tfjs's
 * (h, w, c) to the runtime's (c, h, w): a flatten's output along its columns, the next Dense's kernel gradient
 * along its rows. Undefined when no axis is such a length.
 */
function unflattenOrder(values: ArrayLike<number>, shape: readonly number[], flattened: ReadonlyMap<number, number[]>): Float64Array | undefined {
  const [rows, cols] = shape.filter((d) => d !== 1);
  if (cols === undefined) return undefined;
  const axis = flattened.has(cols) ? 1 : flattened.has(rows) ? 0 : -1;
  if (axis < 0) return undefined;
  const [, h, w, ch] = flattened.get(axis === 1 ? cols : rows)!;
  // The runtime's position k = c·H·W + y·W + x holds tfjs's y·W·C + x·C + c.
  const from = new Int32Array(h * w * ch);
  for (let c = 0; c < ch; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) from[c * h * w + y * w + x] = y * w * ch + x * ch + c;
  const out = new Float64Array(values.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = axis === 1 ? values[i * cols + from[j]] : values[from[i] * cols + j];
  return out;
}

function comparePair(r: OpEvent, c: OpEvent, p: OpPair, refValues: Values, candValues: Values, flattened: ReadonlyMap<number, number[]>): PairComparison {
  const rv = refValues(r);
  const cv = candValues(c);
  if (!rv || !cv) {
    const agree = summariesAgree(r.summary, c.summary);
    const d = Math.abs(r.summary.mean - c.summary.mean);
    const rel = d / Math.max(r.summary.absMean, 1e-12);
    return { pass: agree, relativeL2: agree ? 0 : rel, maxAbsError: d, maxRelError: rel, message: agree ? null : `summaries differ: mean ${r.summary.mean} (tfjs) vs ${c.summary.mean}, mean |x| ${r.summary.absMean} vs ${c.summary.absMean}`, bySummary: true };
  }
  const data = p.relation === 'nhwc' ? activationToCandidate(rv, r.shape, { kind: 'nhwc-to-nchw' }).data : p.relation === 'transpose' ? transpose2d(rv, r.shape) : rv;
  const exact = (d: string) => d === 'int32' || d === 'bool';
  const dtype: CompareDType = exact(r.dtype) && exact(c.dtype) ? 'int32' : 'float32';
  const row = kindRow(r.kind, c.kind);
  const compare = (ref: ArrayLike<number>) => compareTensors({ data: ref, shape: c.shape, dtype }, { data: cv, shape: c.shape, dtype }, { opClass: row?.opClass ?? 'elementwise', reductionLength: reductionLength(r, row?.opClass) });
  let cmp = compare(data);
  // A square weight (an Input) or weight gradient (backward) in the other side's layout: a Dense kernel [in, out]
  // holds the Linear weight [out, in] transposed, and so do their gradients.
  const dims = r.shape.filter((d) => d !== 1);
  const square = dims.length === 2 && dims[0] === dims[1] && (p.relation === 'same' || p.relation === 'squeeze');
  if (!cmp.pass && square && (r.kind === 'Input' || r.phase === 'backward')) {
    const t = compare(transpose2d(rv, r.shape));
    if (t.pass) cmp = t;
  }
  // tfjs flattens an NHWC feature map in (h, w, c) order, the runtime an NCHW one in (c, h, w): the same values in
  // another order, in the flatten's output and what is computed elementwise from it (a Dropout's mask and output);
  // the Dense after it has its kernel rows permuted to match (layout.ts).
  const reordered = !cmp.pass && flattened.size ? unflattenOrder(data, c.shape, flattened) : undefined;
  if (reordered) {
    const t = compare(reordered);
    if (t.pass) cmp = t;
  }
  // A 4-D shape NHWC and NCHW alike ([16, 4, 4, 4]: H = W = C) pairs as `same`; tfjs's is NHWC all the same.
  const [, h, w, ch] = r.shape;
  if (!cmp.pass && p.relation === 'same' && r.shape.length === 4 && h === c.shape[2] && w === c.shape[3] && ch === c.shape[1]) {
    const t = compare(activationToCandidate(rv, r.shape, { kind: 'nhwc-to-nchw' }).data);
    if (t.pass) cmp = t;
  }
  const m = cmp.metrics;
  return { pass: cmp.pass, relativeL2: m?.relativeL2 ?? Infinity, maxAbsError: m?.maxAbsError ?? Infinity, maxRelError: m?.maxRelError ?? Infinity, message: cmp.message };
}

/** `values` of a shape that is 2-D but for size-1 dimensions ([1, 16, 12]), transposed. */
function transpose2d(values: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const [rows, cols] = shape.filter((d) => d !== 1);
  const out = new Float64Array(values.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j];
  return out;
}

/** K, the terms summed into one output element, from the tfjs kernel's input shapes. */
function reductionLength(r: OpEvent, opClass: string | undefined): number {
  const [a, b] = r.inputShapes;
  if (!a || !r.shape.length) return a ? numel(a) : 1;
  if (opClass === 'matmul') return Math.max(1, (numel(a) * r.shape[r.shape.length - 1]) / Math.max(1, numel(r.shape)));
  if (opClass === 'conv' && b) return Math.max(1, numel(b) / Math.max(1, b[b.length - 1]));
  if (opClass === 'reduction') return Math.max(1, numel(a) / Math.max(1, numel(r.shape)));
  return 1;
}
