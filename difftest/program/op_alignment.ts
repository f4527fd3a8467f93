/**
 * `alignOps(reference, candidate)`: pairs the ops of one traced step on the two sides (op_trace_log.ts), as PaDiff
 * pairs Paddle's and PyTorch's: in order, by kind (op_kinds.ts) and output shape, skipping ops on either side that
 * have no counterpart (a composite's pieces, a fused kernel's, a gradient computed another way). Pure: events in,
 * pairs out.
 *
 * The alignment is a weighted longest common subsequence: a pair scores when its kinds are in one row of the table
 * and its shapes agree — equal, equal but for size-1 dimensions (a sum with and without keepdims), or tfjs's NHWC
 * against the runtime's NCHW — more when the shapes are equal, and more again when the two outputs' summaries
 * (mean, mean |x|, min, max) agree, so that among several ops of one kind and shape (a backward pass is full of
 * `mul`s) the pair that computes the same thing wins. An `Input` (a tensor no traced op made) pairs only with one of
 * the same values: such tensors carry no structure to pair them by.
 *
 * Forward and backward ops (AlignOp.phase) never pair. The two sides arrange a gradient's ops differently (tfjs
 * negates then sums where the runtime sums then negates, and their backward passes then carry gradients of
 * different intermediates, of one kind and shape), so across the backward pass kind and shape are no evidence. A
 * backward op attributed to the forward op whose gradient it computes (AlignOp.gradOf, op_gradient_groups.ts) is
 * therefore paired in a second pass, only with the other side's ops for the same forward pair, where kind and shape
 * are evidence again (and that attribution backs the pair, as dataflow backs a forward one), so a gradient computed
 * differently is paired and its difference found. Within such a group the order is no evidence (tfjs sums a bias's
 * gradient before it multiplies out the kernel's; the runtime the other way round): the best-scoring pairs are
 * taken first, ties to the nearest in order. A backward op
 * with no attribution (the seed gradient, an accumulation) pairs only when the summaries agree, as Inputs do. A
 * backward pair may also relate a 2-D shape to its transpose: a Dense kernel's gradient [in, out] against a Linear
 * weight's [out, in].
 *
 * A pair whose values do not agree is kept only when the dataflow backs it: one of its inputs descends from a pair
 * (through unpaired ops) on both sides. Otherwise it is a coincidence of kind and shape and is dropped (counted), so
 * an unrelated op is not reported as a divergence. Large traces are aligned within a band around the diagonal
 * (BAND_CELLS), which keeps time and memory bounded.
 */
import { gradientGroups } from './op_gradient_groups.js';
import { kindRow, movesOnly } from './op_kinds.js';
import type { OpSummary } from './op_trace_log.js';

export interface AlignOp {
  kind: string;
  shape: readonly number[];
  summary: OpSummary;
  /** Indices of the events that produced the inputs (-1: none). */
  inputs: readonly number[];
  /** Ops of different phases (forward, backward) never pair. */
  phase?: string;
  /** Backward ops: the forward event whose gradient rule ran it (op_trace_log.ts). */
  gradOf?: number;
  /** A later event reported this one's output again (op_trace_log.ts). */
  sameAs?: number;
}

/**
 * How the two outputs' shapes relate: equal, equal without size-1 dimensions, NHWC (tfjs) against NCHW, or (backward
 * pairs only) a 2-D shape against its transpose.
 */
export type ShapeRelation = 'same' | 'squeeze' | 'nhwc' | 'transpose';

export interface OpPair {
  reference: number;
  candidate: number;
  relation: ShapeRelation;
  /** The summaries agreed (the values themselves are compared afterwards). */
  summariesAgree: boolean;
}

export interface Alignment {
  pairs: OpPair[];
  /** Pairs of one kind and shape whose values differed and that the dataflow did not back: dropped. */
  dropped: number;
  /** The band the alignment was held to (columns either side of the diagonal), when the trace was too large for all. */
  band?: number;
}

/** Cells the dynamic programme may use (about 100 MB of Int32). */
export const BAND_CELLS = 25_000_000;

export function shapeRelation(ref: readonly number[], cand: readonly number[]): ShapeRelation | null {
  if (ref.length === cand.length && ref.every((d, i) => d === cand[i])) return 'same';
  if (ref.length === 4 && cand.length === 4 && ref[0] === cand[0] && ref[3] === cand[1] && ref[1] === cand[2] && ref[2] === cand[3]) return 'nhwc';
  const a = ref.filter((d) => d !== 1);
  const b = cand.filter((d) => d !== 1);
  if (a.length === b.length && a.every((d, i) => d === b[i])) return 'squeeze';
  return null;
}

/** Summaries within 1e-3 relative (of the larger mean |x|) plus 1e-6: close enough to prefer the pair, no verdict. */
export function summariesAgree(a: OpSummary, b: OpSummary): boolean {
  if (a.numel !== b.numel || a.nonFinite !== b.nonFinite) return false;
  const tol = 1e-3 * Math.max(a.absMean, b.absMean) + 1e-6;
  return Math.abs(a.mean - b.mean) <= tol && Math.abs(a.absMean - b.absMean) <= tol && Math.abs(a.min - b.min) <= 10 * tol && Math.abs(a.max - b.max) <= 10 * tol;
}

/** Backward pairs may relate a 2-D shape to its transpose (a Dense kernel's gradient against a Linear weight's). */
export function backwardShapeRelation(ref: readonly number[], cand: readonly number[]): ShapeRelation | null {
  const a = ref.filter((d) => d !== 1);
  const b = cand.filter((d) => d !== 1);
  return shapeRelation(ref, cand) ?? (a.length === 2 && b.length === 2 && a[0] === b[1] && a[1] === b[0] ? 'transpose' : null);
}

const attributed = (e: AlignOp) => e.phase === 'backward' && e.gradOf !== undefined;

/**
 * The first pass's score (0: cannot pair): forward ops, and backward ops the second pass does not take (one side
 * not attributed) when their summaries agree. `pairs` tells whether the table pairs the two kinds.
 */
function score(r: AlignOp, c: AlignOp, pairs: (r: string, c: string) => boolean): number {
  if (r.phase !== c.phase || !pairs(r.kind, c.kind)) return 0;
  if (attributed(r) && attributed(c)) return 0;
  const rel = shapeRelation(r.shape, c.shape);
  if (!rel) return 0;
  const agree = summariesAgree(r.summary, c.summary);
  if ((r.kind === 'Input' || r.phase === 'backward') && !agree) return 0;
  return 2 + (rel === 'same' ? 1 : 0) + (agree ? 3 : 0);
}

/** The table's answer per pair of kinds, cached: the programme asks it once per cell. */
function kindCache(): (r: string, c: string) => boolean {
  const known = new Map<string, Map<string, boolean>>();
  return (r: string, c: string) => {
    let row = known.get(r);
    if (!row) known.set(r, (row = new Map()));
    let ok = row.get(c);
    if (ok === undefined) row.set(c, (ok = kindRow(r, c) !== undefined));
    return ok;
  };
}

/** @param cells the dynamic programme's budget (default BAND_CELLS); beyond it the alignment is banded. */
export function alignOps(reference: readonly AlignOp[], candidate: readonly AlignOp[], cells = BAND_CELLS): Alignment {
  if (!reference.length || !candidate.length) return { pairs: [], dropped: 0 };
  const kinds = kindCache();
  const first = lcs(reference, candidate, (r, c) => score(reference[r], candidate[c], kinds), cells, shapeRelation);
  // Second pass: the attributed backward ops, each only against the other side's for the same forward pair.
  const forwardPairs = new Map(first.pairs.filter((p) => reference[p.reference].phase !== 'backward').map((p) => [p.reference, p.candidate]));
  const refGroup = gradientGroups(reference, new Set(forwardPairs.keys()));
  const candGroup = gradientGroups(candidate, new Set(forwardPairs.values()));
  const byGroup = new Map<number, { ref: number[]; cand: number[] }>();
  reference.forEach((e, i) => {
    const g = attributed(e) ? refGroup[e.gradOf!] : -1;
    if (g < 0 || !forwardPairs.has(g)) return;
    let entry = byGroup.get(g);
    if (!entry) byGroup.set(g, (entry = { ref: [], cand: [] }));
    entry.ref.push(i);
  });
  const refOf = new Map([...forwardPairs].map(([r, c]) => [c, r]));
  candidate.forEach((e, i) => {
    const g = attributed(e) ? refOf.get(candGroup[e.gradOf!]) : undefined;
    if (g !== undefined) byGroup.get(g)?.cand.push(i);
  });
  const grouped = [...byGroup.values()].flatMap((g) => matchGroup(reference, candidate, g.ref, g.cand, kinds));
  // Third pass: attributed backward ops outside every group that paired (the gradient of a forward op the first pass
  // left unpaired), by their values alone.
  const inGroup = (events: readonly AlignOp[], group: number[], side: 'ref' | 'cand') => events.flatMap((e, i) => (attributed(e) && !(side === 'ref' ? forwardPairs.has(group[e.gradOf!]) : refOf.has(group[e.gradOf!])) ? [i] : []));
  const refRest = inGroup(reference, refGroup, 'ref');
  const candRest = inGroup(candidate, candGroup, 'cand');
  const third = lcs(refRest.map((i) => reference[i]), candRest.map((i) => candidate[i]), (a, b) => {
    const r = reference[refRest[a]], c = candidate[candRest[b]];
    return kinds(r.kind, c.kind) && shapeRelation(r.shape, c.shape) && summariesAgree(r.summary, c.summary) ? 6 : 0;
  }, cells, shapeRelation).pairs.map((p) => ({ ...p, reference: refRest[p.reference], candidate: candRest[p.candidate] }));
  const raw = [...first.pairs, ...grouped, ...third].sort((a, b) => a.candidate - b.candidate);
  const { pairs, dropped } = backedByDataflow(raw, reference, candidate, new Set(grouped));
  return { pairs, dropped, ...(first.band !== undefined ? { band: first.band } : {}) };
}

/** Groups larger than this (either side) are left to the first pass: the matching is quadratic in their sizes. */
const GROUP_CAP = 2_000;

/** One group's backward ops paired, best score first (ties: nearest in relative order), each op at most once. */
function matchGroup(reference: readonly AlignOp[], candidate: readonly AlignOp[], refs: number[], cands: number[], kinds: (r: string, c: string) => boolean): OpPair[] {
  if (!refs.length || !cands.length || refs.length > GROUP_CAP || cands.length > GROUP_CAP) return [];
  const options: { r: number; c: number; score: number; distance: number; relation: ShapeRelation; agree: boolean }[] = [];
  refs.forEach((r, a) => cands.forEach((c, b) => {
    const re = reference[r], ce = candidate[c];
    if (!kinds(re.kind, ce.kind)) return;
    const relation = backwardShapeRelation(re.shape, ce.shape);
    if (!relation) return;
    const agree = summariesAgree(re.summary, ce.summary);
    // Tensors no traced op made carry no structure to pair them by, here as anywhere; an op that only moves values
    // (a reshape, a transpose) is never where a gradient first goes wrong, and a group has several of one shape.
    if ((re.kind === 'Input' || movesOnly(re.kind)) && !agree) return;
    options.push({ r, c, relation, agree, score: 2 + (relation === 'same' ? 1 : 0) + (agree ? 3 : 0), distance: Math.abs(a / refs.length - b / cands.length) });
  }));
  options.sort((x, y) => y.score - x.score || x.distance - y.distance);
  const usedR = new Set<number>(), usedC = new Set<number>();
  const pairs: OpPair[] = [];
  for (const o of options) {
    if (usedR.has(o.r) || usedC.has(o.c)) continue;
    usedR.add(o.r);
    usedC.add(o.c);
    pairs.push({ reference: o.r, candidate: o.c, relation: o.relation, summariesAgree: o.agree });
  }
  return pairs;
}

/** A weighted longest common subsequence of the two lists under `score` (0: cannot pair), banded beyond `cells`. */
function lcs(reference: readonly AlignOp[], candidate: readonly AlignOp[], scoreOf: (r: number, c: number) => number, cells: number, relation: (r: readonly number[], c: readonly number[]) => ShapeRelation | null): { pairs: OpPair[]; band?: number } {
  const n = reference.length, m = candidate.length;
  if (!n || !m) return { pairs: [] };
  // Row i may use columns lo(i)..lo(i)+width-1, around the proportional diagonal.
  const full = (n + 1) * (m + 1) <= cells;
  const half = full ? m + 1 : Math.max(Math.ceil(m / n) + 2, Math.floor(cells / (n + 1) / 2));
  const width = full ? m + 1 : Math.min(m + 1, 2 * half + 1);
  const lo = (i: number) => (full ? 0 : Math.max(0, Math.min(m + 1 - width, Math.round((i * m) / n) - half)));
  const NONE = -1;
  const dp = new Int32Array((n + 1) * width).fill(NONE);
  const at = (i: number, j: number) => {
    const k = j - lo(i);
    return k < 0 || k >= width ? NONE : dp[i * width + k];
  };
  for (let i = 0; i <= n; i++) {
    const l = lo(i);
    for (let j = l; j < l + width; j++) {
      let best = i === 0 || j === 0 ? 0 : NONE;
      if (i > 0) best = Math.max(best, at(i - 1, j));
      if (j > l) best = Math.max(best, dp[i * width + (j - 1 - l)]);
      if (i > 0 && j > 0) {
        const d = at(i - 1, j - 1);
        const s = d === NONE ? 0 : scoreOf(i - 1, j - 1);
        if (s > 0) best = Math.max(best, d + s);
      }
      dp[i * width + (j - l)] = best;
    }
  }
  const raw: OpPair[] = [];
  let i = n, j = m;
  while (i > 0 && j > 0) {
    const here = at(i, j);
    const d = at(i - 1, j - 1);
    const s = d === NONE ? 0 : scoreOf(i - 1, j - 1);
    if (s > 0 && here === d + s) {
      raw.push({ reference: i - 1, candidate: j - 1, relation: relation(reference[i - 1].shape, candidate[j - 1].shape)!, summariesAgree: summariesAgree(reference[i - 1].summary, candidate[j - 1].summary) });
      i--;
      j--;
    } else if (at(i - 1, j) === here) {
      i--;
    } else {
      j--;
    }
  }
  raw.reverse();
  return { pairs: raw, ...(full ? {} : { band: half }) };
}

/**
 * Keeps the pairs whose values agree, those `attributedPairs` (backed by the forward pair whose gradient they
 * compute), and those whose values differ when an input descends from a pair on both sides.
 */
function backedByDataflow(raw: readonly OpPair[], reference: readonly AlignOp[], candidate: readonly AlignOp[], attributedPairs: ReadonlySet<OpPair>): { pairs: OpPair[]; dropped: number } {
  const refPair = new Map<number, number>();
  const refNearest = nearestPaired(reference, refPair);
  const candPair = new Map<number, number>();
  const candNearest = nearestPaired(candidate, candPair);
  const pairs: OpPair[] = [];
  let dropped = 0;
  for (const p of raw) {
    // Both sides' events come in dataflow order, and the pairs in the order of both: every ancestor of p is settled.
    const backed = p.summariesAgree || attributedPairs.has(p) || [...refNearest(p.reference)].some((r) => {
      const c = refPair.get(r);
      return c !== undefined && candNearest(p.candidate).has(c);
    });
    if (!backed) {
      dropped++;
      continue;
    }
    pairs.push(p);
    refPair.set(p.reference, p.candidate);
    candPair.set(p.candidate, p.reference);
  }
  return { pairs, dropped };
}

/**
 * For an event, the paired events its inputs descend from through unpaired ones (at most 16), computed on demand
 * from the pairs settled so far.
 */
function nearestPaired(events: readonly AlignOp[], paired: ReadonlyMap<number, number>): (index: number) => Set<number> {
  const memo = new Map<number, Set<number>>();
  const of = (index: number): Set<number> => {
    const known = memo.get(index);
    if (known) return known;
    const out = new Set<number>();
    for (const p of events[index].inputs) {
      if (p < 0 || p >= index) continue;
      if (paired.has(p)) out.add(p);
      else for (const q of of(p)) if (out.size < 16) out.add(q);
    }
    memo.set(index, out);
    return out;
  };
  return of;
}
