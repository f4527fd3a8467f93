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
 * Forward and backward ops (AlignOp.phase) never pair, and backward ops pair only when their summaries agree, as
 * Inputs do: the two sides arrange a gradient's ops differently (tfjs negates then sums where the runtime sums then
 * negates, and their backward passes then carry gradients of different intermediates, of one kind and shape), so
 * kind and shape are no evidence there. A backward pass is compared where it agrees, and a difference in it shows
 * in the step's variables, which the loop diff compares.
 *
 * A pair whose values do not agree is kept only when the dataflow backs it: one of its inputs descends from a pair
 * (through unpaired ops) on both sides. Otherwise it is a coincidence of kind and shape and is dropped (counted), so
 * an unrelated op is not reported as a divergence. Large traces are aligned within a band around the diagonal
 * (BAND_CELLS), which keeps time and memory bounded.
 */
import { kindRow } from './op_kinds.js';
import type { OpSummary } from './op_trace_log.js';

export interface AlignOp {
  kind: string;
  shape: readonly number[];
  summary: OpSummary;
  /** Indices of the events that produced the inputs (-1: none). */
  inputs: readonly number[];
  /** Ops of different phases (forward, backward) never pair. */
  phase?: string;
}

/** How the two outputs' shapes relate: equal, equal without size-1 dimensions, or NHWC (tfjs) against NCHW. */
export type ShapeRelation = 'same' | 'squeeze' | 'nhwc';

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

/** The pair's score (0: cannot pair); `pairs` tells whether the table pairs the two kinds (looked up once per pair of kinds). */
function score(r: AlignOp, c: AlignOp, pairs: (r: string, c: string) => boolean): number {
  if (r.phase !== c.phase || !pairs(r.kind, c.kind)) return 0;
  const rel = shapeRelation(r.shape, c.shape);
  if (!rel) return 0;
  const agree = summariesAgree(r.summary, c.summary);
  if ((r.kind === 'Input' || r.phase === 'backward') && !agree) return 0;
  return 2 + (rel === 'same' ? 1 : 0) + (agree ? 3 : 0);
}

/** @param cells the dynamic programme's budget (default BAND_CELLS); beyond it the alignment is banded. */
export function alignOps(reference: readonly AlignOp[], candidate: readonly AlignOp[], cells = BAND_CELLS): Alignment {
  const n = reference.length, m = candidate.length;
  if (!n || !m) return { pairs: [], dropped: 0 };
  // The table's answer per pair of kinds, cached: the programme asks it once per cell.
  const known = new Map<string, Map<string, boolean>>();
  const kinds = (r: string, c: string) => {
    let row = known.get(r);
    if (!row) known.set(r, (row = new Map()));
    let ok = row.get(c);
    if (ok === undefined) row.set(c, (ok = kindRow(r, c) !== undefined));
    return ok;
  };
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
        const s = d === NONE ? 0 : score(reference[i - 1], candidate[j - 1], kinds);
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
    const s = d === NONE ? 0 : score(reference[i - 1], candidate[j - 1], kinds);
    if (s > 0 && here === d + s) {
      raw.push({ reference: i - 1, candidate: j - 1, relation: shapeRelation(reference[i - 1].shape, candidate[j - 1].shape)!, summariesAgree: summariesAgree(reference[i - 1].summary, candidate[j - 1].summary) });
      i--;
      j--;
    } else if (at(i - 1, j) === here) {
      i--;
    } else {
      j--;
    }
  }
  raw.reverse();
  const { pairs, dropped } = backedByDataflow(raw, reference, candidate);
  return { pairs, dropped, ...(full ? {} : { band: half }) };
}

/** Keeps the pairs whose values agree, and those whose values differ when an input descends from a pair on both sides. */
function backedByDataflow(raw: readonly OpPair[], reference: readonly AlignOp[], candidate: readonly AlignOp[]): { pairs: OpPair[]; dropped: number } {
  const refPair = new Map<number, number>();
  const refNearest = nearestPaired(reference, refPair);
  const candPair = new Map<number, number>();
  const candNearest = nearestPaired(candidate, candPair);
  const pairs: OpPair[] = [];
  let dropped = 0;
  for (const p of raw) {
    // Both sides' events come in dataflow order, and the pairs in the order of both: every ancestor of p is settled.
    const backed = p.summariesAgree || [...refNearest(p.reference)].some((r) => {
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
