/**
 * From the paired ops of a traced step (op_alignment.ts) and each pair's comparison, the verdicts and the place the
 * step first goes wrong. Pure: events, pairs and comparisons in, verdicts and a localisation out.
 *
 * Verdict. A pair passes when its outputs agree within the tolerance of its op class (tolerance.ts), or when its
 * error is no more than what its inputs carried in (10× the largest relative L2 error among the pairs its inputs
 * descend from): rounding that a correct op passes on from a matmul before it is not this op's error, while a wrong
 * op's error (relative L2 of order 1) is far beyond it.
 *
 * Localisation. The first failing pair, in order (forward ops before backward ones), is where a difference first shows in an output both sides have.
 * What caused it lies between it and the agreeing pairs its inputs descend from: the unpaired ops on that path (the
 * gap). On the candidate side, the gap's ops are what the migrated program computes there and the original does not
 * (a different activation, an op the table does not pair); their line is the likely cause. An empty gap means the
 * op itself computes differently from agreeing inputs; a gap of `Input`s (and ops that only move values: views,
 * casts) means it reads tensors no traced op made (data, constants) whose values differ between the sides.
 */
import type { OpPair } from './op_alignment.js';
import { movesOnly } from './op_kinds.js';
import type { OpEvent } from './op_trace_log.js';

export interface PairComparison {
  /** Within the op class's tolerance. */
  pass: boolean;
  relativeL2: number;
  maxAbsError: number;
  maxRelError: number;
  message: string | null;
  /** Compared by summary only (an output above the value cap on either side). */
  bySummary?: boolean;
}

export interface Verdict {
  pass: boolean;
  /** Passed only because its error is what its inputs carried in. */
  carried: boolean;
  /**
   * Beyond tolerance, but every pair that reads it (nearest, through unpaired ops) agrees: the two sides arranged a
   * composite differently (tfjs sums a negation where the runtime negates a sum), so this pair matched two
   * different intermediates. Not a divergence.
   */
  healed?: boolean;
  /**
   * Beyond tolerance, but no gradient flows back through the candidate's output, a module's forward computed it, and
   * no later op of the step reads it: it only updates the module's state for later steps (a running statistic, which the runtime computes as
   * `(1 − m)·r + m·x` under noGrad where tfjs computes `r − (r − x)·(1 − m)`, so the pair may hold different
   * intermediates). It cannot have changed this step's loss or gradients, so it is not judged (the report says how
   * many there were).
   */
  stateOnly?: boolean;
}

/** How much error a correct op may pass on from its inputs. */
const CARRY_FACTOR = 10;
/**
 * A pair that passed with a larger relative L2 error passed by the absolute tolerance alone: its values are ~0
 * (a softmax gradient's row sums) and say nothing about agreement, so it neither excuses the ops that read it (as
 * carried error) nor heals the ones it reads.
 */
const EVIDENCE_L2 = 1e-2;

export function judgePairs(candidate: readonly OpEvent[], pairs: readonly OpPair[], comparisons: readonly PairComparison[]): Verdict[] {
  const pairOf = new Map<number, number>(pairs.map((p, k) => [p.candidate, k]));
  // The largest relative L2 error carried into each candidate event from passing pairs, through unpaired ops (a
  // failing pair passes nothing on: what reads it is judged on its own, so a wrong op's error cannot excuse the
  // ops after it).
  const carried = new Float64Array(candidate.length);
  // For each candidate event, the pairs it reads nearest (through unpaired ops).
  const nearest: Set<number>[] = candidate.map(() => new Set<number>());
  const verdicts: Verdict[] = new Array(pairs.length);
  // An event whose output a later one reported again (a composite over its last piece: OpEvent.sameAs) is read
  // through that one: to the healing below, the later event reads it.
  const alsoReads = new Map<number, number[]>();
  for (const e of candidate) if (e.sameAs !== undefined && e.sameAs > e.index) alsoReads.set(e.sameAs, [...(alsoReads.get(e.sameAs) ?? []), e.index]);
  for (const e of candidate) {
    let inbound = 0;
    for (const p of [...e.inputs, ...(alsoReads.get(e.index) ?? [])]) {
      if (p < 0 || p >= e.index) continue;
      const k = pairOf.get(p);
      if (k !== undefined) nearest[e.index].add(k);
      else for (const q of nearest[p]) nearest[e.index].add(q);
      const err = k !== undefined ? (verdicts[k].pass && comparisons[k].relativeL2 <= EVIDENCE_L2 ? comparisons[k].relativeL2 : 0) : carried[p];
      if (Number.isFinite(err)) inbound = Math.max(inbound, err);
    }
    const k = pairOf.get(e.index);
    if (k === undefined) {
      carried[e.index] = inbound;
      continue;
    }
    const c = comparisons[k];
    const inherited = !c.pass && inbound > 0 && Number.isFinite(c.relativeL2) && c.relativeL2 <= CARRY_FACTOR * inbound;
    verdicts[k] = { pass: c.pass || inherited, carried: inherited };
  }
  const readers = pairs.map(() => [] as number[]);
  pairs.forEach((p, k) => {
    for (const a of nearest[p.candidate]) readers[a].push(k);
  });
  // Last reader first, so a pair whose readers were healed heals too.
  const agrees = (r: number) => verdicts[r].pass && (verdicts[r].healed || comparisons[r].relativeL2 <= EVIDENCE_L2);
  for (let k = pairs.length - 1; k >= 0; k--) {
    if (!verdicts[k].pass && readers[k].length && readers[k].every(agrees)) verdicts[k] = { pass: true, carried: false, healed: true };
  }
  // Not judged: the pairs whose candidate output only feeds state (see Verdict.stateOnly).
  const readBy: number[][] = candidate.map(() => []);
  for (const e of candidate) for (const i of [...e.inputs, ...(alsoReads.get(e.index) ?? [])]) if (i >= 0 && i < e.index) readBy[i].push(e.index);
  pairs.forEach((p, k) => {
    if (!verdicts[k].pass && !readers[k].length && onlyState(candidate, readBy, pairOf, p.candidate)) verdicts[k] = { pass: true, carried: false, stateOnly: true };
  });
  return verdicts;
}

/**
 * Whether no gradient flows back through event `index`, it runs inside a module's forward, and what reads it
 * (through later events) are only unpaired ops like it: a module's state update (a running statistic) that nothing
 * in the step computes from.
 */
function onlyState(candidate: readonly OpEvent[], readBy: readonly number[][], pairOf: ReadonlyMap<number, number>, index: number): boolean {
  const seen = new Set<number>();
  const stack = [index];
  while (stack.length) {
    const j = stack.pop()!;
    if (seen.has(j)) continue;
    seen.add(j);
    const e = candidate[j];
    // Inside a module's forward (BatchNorm2d's running statistics): a program's own update of its state (a custom
    // loop's hand-written step, written under noGrad) is the program's computation and is judged.
    if (e.phase !== 'forward' || e.differentiable !== false || !e.at?.module || (j !== index && pairOf.has(j))) return false;
    stack.push(...readBy[j]);
  }
  return true;
}

export interface Localisation {
  /** Index into pairs of the first failing pair (of the forward ops, else of the backward ones). */
  pair: number;
  phase: 'forward' | 'backward';
  /** The candidate's unpaired ops between it and the agreeing pairs it descends from, in order (Inputs apart). */
  candidateGap: number[];
  candidateInputs: number[];
  referenceGap: number[];
  referenceInputs: number[];
  /** `op`: its inputs agree, the op differs; `gap`: ops only one side has lie before it; `input`: tensors no op made differ. */
  cause: 'op' | 'gap' | 'input';
}

export function localise(reference: readonly OpEvent[], candidate: readonly OpEvent[], pairs: readonly OpPair[], verdicts: readonly Verdict[]): Localisation | null {
  // A forward difference first: what the backward pass computes descends from it (and is paired with less trust).
  const failing = (phase: string) => verdicts.findIndex((v, k) => !v.pass && candidate[pairs[k].candidate].phase === phase);
  const forward = failing('forward');
  const first = forward >= 0 ? forward : failing('backward');
  if (first < 0) return null;
  const p = pairs[first];
  // Two Inputs paired by their summaries whose values differ: the data itself.
  if (candidate[p.candidate].kind === 'Input') return { pair: first, phase: candidate[p.candidate].phase, candidateGap: [], candidateInputs: [p.candidate], referenceGap: [], referenceInputs: [p.reference], cause: 'input' };
  const cand = gap(candidate, p.candidate, new Set(pairs.map((q) => q.candidate)));
  const ref = gap(reference, p.reference, new Set(pairs.map((q) => q.reference)));
  // Ops that only move values (a view, a cast) are not a cause while a computing op or a differing input is there.
  const computes = [...cand.ops.map((i) => candidate[i]), ...ref.ops.map((i) => reference[i])].some((e) => !movesOnly(e.kind));
  const inputs = cand.inputs.length > 0 || ref.inputs.length > 0;
  const cause = computes ? 'gap' : inputs ? 'input' : cand.ops.length || ref.ops.length ? 'gap' : 'op';
  return { pair: first, phase: candidate[p.candidate].phase, candidateGap: cand.ops, candidateInputs: cand.inputs, referenceGap: ref.ops, referenceInputs: ref.inputs, cause };
}

/** The unpaired ancestors of `index` reached without passing through a paired event, split into ops and Inputs. */
function gap(events: readonly OpEvent[], index: number, paired: ReadonlySet<number>): { ops: number[]; inputs: number[] } {
  const seen = new Set<number>();
  const stack = [...events[index].inputs];
  while (stack.length) {
    const i = stack.pop()!;
    if (i < 0 || i >= index || seen.has(i) || paired.has(i)) continue;
    seen.add(i);
    stack.push(...events[i].inputs);
  }
  const all = [...seen].sort((a, b) => a - b);
  return { ops: all.filter((i) => events[i].kind !== 'Input'), inputs: all.filter((i) => events[i].kind === 'Input') };
}
