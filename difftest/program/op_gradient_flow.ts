/**
 * `gradientCut(reference, candidate, pairs)`: where the migrated program's gradient stops short of the original's.
 * A gradient-only bug of this kind — a `detach()` in the forward, a value computed under `noGrad` — leaves every
 * forward value as it was and computes no wrong backward op: the ops that would carry the gradient back are simply
 * not run, so no pair's values can differ. What does differ is which trained variables each forward output depends
 * on differentiably, which each side's trace records (OpEvent.differentiable, gradLeaf).
 *
 * A cut is claimed only for variables the original's loss (its last differentiable forward output) reaches and the
 * migrated program's loss does not: they get no gradient at all. A value one side detaches on purpose — the
 * runtime's log-softmax subtracts a max it computes without grad, whose gradient cancels — leaves every variable
 * reached through other paths, and is no cut. The place is the first forward pair, in the candidate's order, whose
 * output the original differentiates with respect to one of those variables and the migrated program's does not.
 * A cut that leaves a variable reached another way (`x + f(x).detach()`) changes its gradient's value instead, which
 * the backward pairs show. Pure: events and pairs in, the cut out.
 *
 * Variables are matched by their Input events' pairing where the alignment paired them, else by their sizes (a
 * Dense kernel [in, out] and a Linear weight [out, in] hold as many numbers, and do not pair by shape): the
 * candidate's must be a strict sub-multiset of the reference's. Where the candidate's reach is unknown (an Input that requires grad without being a leaf: an output
 * its op did not report) no claim is made, nor when a side recorded no autograd state at all.
 */
import { summariesAgree, type OpPair } from './op_alignment.js';
import type { OpEvent } from './op_trace_log.js';

export interface GradientCut {
  /** Index into pairs of the first forward pair whose candidate output reaches fewer trained variables. */
  pair: number;
  /** The reference's Input events of the trained variables the candidate's output does not reach (by size). */
  lost: number[];
  /** The candidate event where the gradient stops: the pair's own, or the input of it that no longer requires grad. */
  cutAt: number;
}

type Leaves = Set<number> | null;

/** For each forward event, the trained variables (their Input events) it depends on differentiably; null: unknown. */
function leavesOf(events: readonly OpEvent[]): Leaves[] {
  const out: Leaves[] = new Array(events.length).fill(null);
  const none = new Set<number>();
  for (const e of events) {
    if (e.phase !== 'forward') continue;
    if (e.kind === 'Input') {
      // A differentiable Input without gradLeaf: an unreported op's output, whose variables are unknown.
      out[e.index] = e.gradLeaf ? new Set([e.index]) : e.differentiable ? null : none;
      continue;
    }
    if (!e.differentiable) {
      out[e.index] = none;
      continue;
    }
    let acc: Set<number> | null = new Set<number>();
    for (const i of e.inputs) {
      if (i < 0 || i >= e.index) continue;
      const l = out[i];
      if (l === null) {
        acc = null;
        break;
      }
      for (const v of l) acc.add(v);
    }
    out[e.index] = acc;
  }
  return out;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * The reference's variables the candidate's set lacks, when the candidate's is a strict sub-multiset: each candidate
 * variable takes its paired reference variable (`paired`: candidate Input → reference Input) if there, else one of
 * its size.
 */
function lostVariables(reference: readonly OpEvent[], ref: Set<number>, candidate: readonly OpEvent[], cand: Set<number>, paired: ReadonlyMap<number, number>): number[] | null {
  if (cand.size >= ref.size) return null;
  const left = new Set(ref);
  const unmatched: number[] = [];
  for (const v of cand) {
    const r = paired.get(v);
    if (r !== undefined && left.has(r)) left.delete(r);
    else unmatched.push(v);
  }
  for (const v of unmatched) {
    const same = [...left].find((r) => numel(reference[r].shape) === numel(candidate[v].shape) && ![...paired.values()].includes(r));
    if (same === undefined) return null;
    left.delete(same);
  }
  return [...left].sort((a, b) => a - b);
}

export function gradientCut(reference: readonly OpEvent[], candidate: readonly OpEvent[], pairs: readonly OpPair[]): GradientCut | null {
  const recorded = (events: readonly OpEvent[]) => events.some((e) => e.phase === 'forward' && e.differentiable !== undefined);
  if (!recorded(reference) || !recorded(candidate)) return null;
  const refLeaves = leavesOf(reference);
  const candLeaves = leavesOf(candidate);
  const loss = (events: readonly OpEvent[]) => [...events].reverse().find((e) => e.phase === 'forward' && e.differentiable && e.kind !== 'Input');
  const refLoss = loss(reference), candLoss = loss(candidate);
  const r0 = refLoss && refLeaves[refLoss.index], c0 = candLoss && candLeaves[candLoss.index];
  if (!r0 || !c0) return null;
  const paired = new Map(pairs.filter((p) => candidate[p.candidate].kind === 'Input').map((p) => [p.candidate, p.reference]));
  const untrained = new Set(lostVariables(reference, r0, candidate, c0, paired) ?? []);
  if (!untrained.size) return null;
  const order = pairs.map((p, k) => ({ p, k })).filter(({ p }) => candidate[p.candidate].phase === 'forward').sort((a, b) => a.p.candidate - b.p.candidate);
  for (const { p, k } of order) {
    const r = refLeaves[p.reference], c = candLeaves[p.candidate];
    if (!r || !c) continue;
    const lost = lostVariables(reference, r, candidate, c, paired)?.filter((v) => untrained.has(v));
    if (lost?.length) return { pair: k, lost, cutAt: cutInput(reference, candidate, p) };
  }
  return null;
}

/**
 * The candidate event the gradient stops at: an input of the pair's candidate op that does not require grad while
 * holding the values of an output the original differentiates (a detached copy), else the pair's own event.
 */
function cutInput(reference: readonly OpEvent[], candidate: readonly OpEvent[], p: OpPair): number {
  const c = candidate[p.candidate];
  if (!c.differentiable) return p.candidate;
  const refAncestors = new Set<number>();
  const stack = [...reference[p.reference].inputs];
  while (stack.length && refAncestors.size < 64) {
    const i = stack.pop()!;
    if (i < 0 || refAncestors.has(i)) continue;
    refAncestors.add(i);
    stack.push(...reference[i].inputs);
  }
  for (const i of c.inputs) {
    const e = candidate[i];
    if (!e || e.differentiable || e.dtype !== 'float32') continue;
    if ([...refAncestors].some((a) => reference[a].differentiable && summariesAgree(reference[a].summary, e.summary))) return i;
  }
  return p.candidate;
}
