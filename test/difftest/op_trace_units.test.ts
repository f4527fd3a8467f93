// The op-level trace's pure parts (--trace ops): the kind table, the alignment, the verdicts and the localisation,
// and the report section built from two synthetic logs. No child processes.
import { describe, expect, test } from 'vitest';
import { alignOps, backwardShapeRelation, shapeRelation, summariesAgree, type AlignOp } from '../../difftest/program/op_alignment.js';
import { gradientCut } from '../../difftest/program/op_gradient_flow.js';
import { gradientGroups } from '../../difftest/program/op_gradient_groups.js';
import { kindRow } from '../../difftest/program/op_kinds.js';
import { judgePairs, localise, type PairComparison } from '../../difftest/program/op_localise.js';
import { summarise, type OpEvent, type OpTraceLog } from '../../difftest/program/op_trace_log.js';
import { buildOpTrace } from '../../difftest/program/op_trace_report.js';

/** An event with these output values (its summary from them). */
function ev(index: number, kind: string, shape: number[], values: number[], inputs: number[] = [], extra: Partial<OpEvent> = {}): OpEvent & { values: number[] } {
  return { index, kind, shape, dtype: 'float32', inputs, inputShapes: inputs.map(() => shape), summary: summarise(values), hasValues: true, phase: 'forward', values, ...extra };
}

const log = (events: (OpEvent & { values: number[] })[]): OpTraceLog => ({ step: 0, events, truncated: false });
const valuesOf = (e: OpEvent) => (e as OpEvent & { values: number[] }).values;

describe('op kind table', () => {
  test.each([
    ['BatchMatMul', 'MatMul', 'matmul'],
    ['_FusedMatMul', 'Linear', 'matmul'],
    ['Add', 'Binary:add', 'elementwise'],
    ['Relu', 'Unary:relu', 'elementwise'],
    ['Sum', 'Reduce:sum', 'reduction'],
    ['Transpose', 'Permute', 'layout'],
    ['Conv2D', 'Conv2d', 'conv'],
    ['Split#1', 'Slice', undefined],
  ])('%s ↔ %s', (tfjs, runtime, opClass) => {
    expect(kindRow(tfjs, runtime)?.opClass).toBe(opClass);
  });

  test('different ops do not pair', () => {
    expect(kindRow('Relu', 'Unary:sigmoid')).toBeUndefined();
    expect(kindRow('Add', 'Binary:sub')).toBeUndefined();
    expect(kindRow('Input', 'MatMul')).toBeUndefined();
  });
});

describe('shapeRelation / summariesAgree', () => {
  test('equal, size-1 dims apart, NHWC against NCHW, or none', () => {
    expect(shapeRelation([4, 2], [4, 2])).toBe('same');
    expect(shapeRelation([4], [4, 1])).toBe('squeeze');
    expect(shapeRelation([2, 5, 6, 3], [2, 3, 5, 6])).toBe('nhwc');
    expect(shapeRelation([4, 2], [2, 4])).toBeNull();
    expect(shapeRelation([6], [2, 3])).toBeNull();
  });

  test('summaries agree within 1e-3 relative, not beyond', () => {
    expect(summariesAgree(summarise([1, 2, 3]), summarise([1, 2, 3.0001]))).toBe(true);
    expect(summariesAgree(summarise([1, 2, 3]), summarise([1, 2, 3.1]))).toBe(false);
    expect(summariesAgree(summarise([1, 2, 3]), summarise([1, 2]))).toBe(false);
    expect(summariesAgree(summarise([1, NaN]), summarise([1, 1]))).toBe(false);
  });
});

const op = (kind: string, shape: number[], values: number[], inputs: number[] = [], phase = 'forward'): AlignOp => ({ kind, shape, summary: summarise(values), inputs, phase });

describe('alignOps', () => {
  test('pairs a forward pass op for op, across names', () => {
    const ref = [op('Input', [2], [1, 2]), op('BatchMatMul', [2], [3, 4], [0]), op('Add', [2], [4, 5], [1]), op('Relu', [2], [4, 5], [2])];
    const cand = [op('Input', [2], [1, 2]), op('MatMul', [2], [3, 4], [0]), op('Binary:add', [2], [4, 5], [1]), op('Unary:relu', [2], [4, 5], [2])];
    const a = alignOps(ref, cand);
    expect(a.pairs.map((p) => [p.reference, p.candidate])).toEqual([[0, 0], [1, 1], [2, 2], [3, 3]]);
    expect(a.pairs.every((p) => p.summariesAgree && p.relation === 'same')).toBe(true);
    expect(a.dropped).toBe(0);
  });

  test('skips a composite\'s pieces: tfjs Softmax pairs with the division that ends the runtime\'s', () => {
    const x = [0.1, 0.5, 0.4];
    const ref = [op('Input', [3], x), op('Softmax', [3], [0.3, 0.4, 0.3], [0])];
    const cand = [op('Input', [3], x), op('Reduce:max', [1], [0.5], [0]), op('Binary:sub', [3], [-0.4, 0, -0.1], [0, 1]), op('Unary:exp', [3], [0.67, 1, 0.9], [2]), op('Reduce:sum', [1], [2.57], [3]), op('Binary:div', [3], [0.3, 0.4, 0.3], [3, 4])];
    expect(alignOps(ref, cand).pairs.map((p) => [p.reference, p.candidate])).toEqual([[0, 0], [1, 5]]);
  });

  test('among ops of one kind and shape, the one with the same values wins', () => {
    const ref = [op('Input', [2], [1, 1]), op('Multiply', [2], [7, 8], [0])];
    const cand = [op('Input', [2], [1, 1]), op('Binary:mul', [2], [5, 5], [0]), op('Binary:mul', [2], [7, 8], [0])];
    expect(alignOps(ref, cand).pairs.map((p) => [p.reference, p.candidate])).toEqual([[0, 0], [1, 2]]);
    const before = [op('Input', [2], [1, 1]), op('Binary:mul', [2], [7, 8], [0]), op('Binary:mul', [2], [5, 5], [0])];
    expect(alignOps(ref, before).pairs.map((p) => [p.reference, p.candidate])).toEqual([[0, 0], [1, 1]]);
  });

  test('a differing pair is kept when the dataflow backs it, dropped when nothing does', () => {
    // Backed: both read the paired Input.
    const backed = alignOps([op('Input', [2], [1, 2]), op('Relu', [2], [1, 2], [0])], [op('Input', [2], [1, 2]), op('Unary:relu', [2], [9, 9], [0])]);
    expect(backed.pairs.map((p) => [p.reference, p.candidate, p.summariesAgree])).toEqual([[0, 0, true], [1, 1, false]]);
    // Unbacked: the two read unrelated tensors (Inputs of different values never pair).
    const loose = alignOps([op('Input', [2], [1, 2]), op('Relu', [2], [1, 2], [0])], [op('Input', [2], [3, 4]), op('Unary:relu', [2], [3, 4], [0])]);
    expect(loose.pairs).toEqual([]);
    expect(loose.dropped).toBe(1);
  });

  test('NHWC pairs with NCHW; forward never with backward; backward only by agreeing values', () => {
    const conv = alignOps([op('Conv2D', [1, 2, 2, 3], Array(12).fill(1))], [op('Conv2d', [1, 3, 2, 2], Array(12).fill(1))]);
    expect(conv.pairs.map((p) => p.relation)).toEqual(['nhwc']);
    expect(alignOps([op('Multiply', [2], [1, 2], [], 'forward')], [op('Binary:mul', [2], [1, 2], [], 'backward')]).pairs).toEqual([]);
    expect(alignOps([op('Multiply', [2], [1, 2], [], 'backward')], [op('Binary:mul', [2], [1, 3], [], 'backward')]).pairs).toEqual([]);
    expect(alignOps([op('Multiply', [2], [1, 2], [], 'backward')], [op('Binary:mul', [2], [1, 2], [], 'backward')]).pairs).toHaveLength(1);
  });

  test('a banded alignment of a long trace finds the same pairs as the full one', () => {
    const ref: AlignOp[] = [];
    const cand: AlignOp[] = [];
    for (let i = 0; i < 300; i++) {
      ref.push(op(i % 2 ? 'Add' : 'Relu', [2], [i, i + 1], i ? [i - 1] : []));
      // The runtime runs an extra piece every tenth op.
      if (i % 10 === 0) cand.push(op('Reduce:max', [1], [i], cand.length ? [cand.length - 1] : []));
      cand.push(op(i % 2 ? 'Binary:add' : 'Unary:relu', [2], [i, i + 1], cand.length ? [cand.length - 1] : []));
    }
    const full = alignOps(ref, cand);
    const banded = alignOps(ref, cand, 20_000);
    expect(full.band).toBeUndefined();
    expect(banded.band).toBeGreaterThan(0);
    expect(full.pairs).toHaveLength(300);
    expect(banded.pairs).toEqual(full.pairs);
  });
});

const cmp = (relativeL2: number, pass: boolean): PairComparison => ({ pass, relativeL2, maxAbsError: relativeL2, maxRelError: relativeL2, message: pass ? null : 'differs' });

describe('judgePairs / localise', () => {
  // x → matmul → add → relu; the runtime's add carries the matmul's rounding.
  const ref = [ev(0, 'Input', [2], [1, 2]), ev(1, 'BatchMatMul', [2], [3, 4], [0]), ev(2, 'Add', [2], [4, 5], [1]), ev(3, 'Relu', [2], [4, 5], [2])];
  const cand = [ev(0, 'Input', [2], [1, 2]), ev(1, 'MatMul', [2], [3, 4], [0]), ev(2, 'Binary:add', [2], [4, 5], [1]), ev(3, 'Unary:relu', [2], [4, 5], [2])];
  const pairs = [0, 1, 2, 3].map((i) => ({ reference: i, candidate: i, relation: 'same' as const, summariesAgree: true }));

  test('an error no larger than what the inputs carried in passes; a larger one fails', () => {
    const carried = judgePairs(cand, pairs, [cmp(0, true), cmp(1e-6, true), cmp(5e-6, false), cmp(5e-6, true)]);
    expect(carried.map((v) => [v.pass, v.carried])).toEqual([[true, false], [true, false], [true, true], [true, false]]);
    const beyond = judgePairs(cand, pairs, [cmp(0, true), cmp(1e-6, true), cmp(1e-3, false), cmp(1e-3, false)]);
    expect(beyond.map((v) => v.pass)).toEqual([true, true, false, false]);
  });

  test('a failing pair whose readers all agree is healed (a composite arranged differently)', () => {
    const v = judgePairs(cand, pairs, [cmp(0, true), cmp(0.5, false), cmp(0, true), cmp(0, true)]);
    expect(v[1]).toEqual({ pass: true, carried: false, healed: true });
  });

  test('a reader that passes only by the absolute tolerance (values ~0, a large relative error) heals nothing and excuses nothing', () => {
    const events = [ev(0, 'Input', [2], [1, 2]), ev(1, 'Binary:mul', [2], [2, 4], [0]), ev(2, 'Reduce:sum', [], [1e-9], [1]), ev(3, 'Binary:add', [2], [3, 5], [1])];
    const pairs = [0, 1, 2, 3].map((i) => ({ reference: i, candidate: i, relation: 'same' as const, summariesAgree: i !== 1 }));
    const ok = (relativeL2: number): PairComparison => ({ pass: true, relativeL2, maxAbsError: 0, maxRelError: 0, message: null });
    const bad: PairComparison = { pass: false, relativeL2: 0.5, maxAbsError: 1, maxRelError: 0.5, message: 'x' };
    // Pair 1 fails; its one reader (pair 2) passes with relative L2 0.8, by atol: no heal.
    const onlyNoise = judgePairs(events.slice(0, 3), pairs.slice(0, 3), [ok(0), bad, ok(0.8)]);
    expect(onlyNoise[1].pass).toBe(false);
    // A reader that agrees (relative L2 1e-7) heals it, as before.
    expect(judgePairs(events.slice(0, 3), pairs.slice(0, 3), [ok(0), bad, ok(1e-7)])[1]).toMatchObject({ pass: true, healed: true });
    // And a noise pass carries no error into what reads it: pair 3 (reading 1 and, through it, nothing else) fails alone.
    const carried = judgePairs(events, pairs, [ok(0.8), ok(0.8), ok(0.8), bad]);
    expect(carried[3].pass).toBe(false);
  });

  test('localise: an op whose inputs agree is itself the cause', () => {
    const v = judgePairs(cand, pairs, [cmp(0, true), cmp(0, true), cmp(0.5, false), cmp(0.5, false)]);
    expect(localise(ref, cand, pairs, v)).toMatchObject({ pair: 2, cause: 'op', candidateGap: [], referenceGap: [], phase: 'forward' });
  });

  test('localise: unpaired ops before the first diverging pair are the gap, the last of them the likely cause', () => {
    const r = [ev(0, 'Input', [2], [1, 2]), ev(1, 'Relu', [2], [1, 2], [0]), ev(2, 'BatchMatMul', [2], [3, 4], [1])];
    const c = [ev(0, 'Input', [2], [1, 2]), ev(1, 'Unary:sigmoid', [2], [0.7, 0.8], [0]), ev(2, 'MatMul', [2], [2, 3], [1])];
    const p = [{ reference: 0, candidate: 0, relation: 'same' as const, summariesAgree: true }, { reference: 2, candidate: 2, relation: 'same' as const, summariesAgree: false }];
    const v = judgePairs(c, p, [cmp(0, true), cmp(0.4, false)]);
    expect(localise(r, c, p, v)).toMatchObject({ pair: 1, cause: 'gap', candidateGap: [1], referenceGap: [1] });
  });

  test('localise: an input that differs, reached through ops that only move values, is the cause', () => {
    // tfjs one-hots its labels; the runtime unsqueezes them and scatters: the labels (drawn at random) differ.
    const r = [ev(0, 'Input', [2], [1, 0]), ev(1, 'OneHot', [2, 2], [0, 1, 1, 0], [0])];
    const c = [ev(0, 'Input', [2], [0, 1]), ev(1, 'Unsqueeze', [2, 1], [0, 1], [0]), ev(2, 'Scatter', [2, 2], [1, 0, 0, 1], [1])];
    const p = [{ reference: 1, candidate: 2, relation: 'same' as const, summariesAgree: false }];
    const found = localise(r, c, p, judgePairs(c, p, [cmp(1, false)]));
    expect(found).toMatchObject({ cause: 'input', candidateGap: [1], candidateInputs: [0], referenceInputs: [0] });
    const t = buildOpTrace(log(r), log(c), valuesOf, valuesOf);
    expect(t.firstDivergence).toMatchObject({ cause: 'input', likely: { kind: 'Input', shape: [2] } });
    expect(t.summary).toMatch(/a tensor no traced op made .* differs; likely cause: Input/);
  });

  test('localise: nothing fails, nothing to localise', () => {
    expect(localise(ref, cand, pairs, judgePairs(cand, pairs, pairs.map(() => cmp(0, true))))).toBeNull();
  });
});

describe('buildOpTrace', () => {
  const at = (line: number, file = '/p/migrated.ts') => ({ at: { file, line } });
  const ref = log([
    ev(0, 'Input', [2, 2], [1, -2, 3, -4], [], at(5, '/p/original.ts')),
    ev(1, 'Input', [2, 2], [0.5, 0.5, 0.5, 0.5], [], at(5, '/p/original.ts')),
    ev(2, 'BatchMatMul', [2, 2], [-0.5, -0.5, -0.5, -0.5], [0, 1], at(6, '/p/original.ts')),
    ev(3, 'Relu', [2, 2], [0, 0, 0, 0], [2], at(7, '/p/original.ts')),
    ev(4, 'Sum', [], [0], [3], at(8, '/p/original.ts')),
  ]);
  const candEvents = (activation: string, values: number[]) => log([
    ev(0, 'Input', [2, 2], [1, -2, 3, -4], [], at(5)),
    ev(1, 'Input', [2, 2], [0.5, 0.5, 0.5, 0.5], [], at(5)),
    ev(2, 'MatMul', [2, 2], [-0.5, -0.5, -0.5, -0.5], [0, 1], at(6)),
    ev(3, activation, [2, 2], values, [2], at(7)),
    ev(4, 'Reduce:sum', [], [values.reduce((a, b) => a + b, 0)], [3], at(8)),
  ]);

  test('a correct migration: every pair agrees, no divergence', () => {
    const t = buildOpTrace(ref, candEvents('Unary:relu', [0, 0, 0, 0]), valuesOf, valuesOf);
    expect(t).toMatchObject({ paired: 5, agreeing: 5, firstDivergence: null, unsure: null });
    expect(t.summary).toMatch(/no op diverges/);
  });

  test('a planted activation: the first diverging output, the unpaired op before it and its line', () => {
    const t = buildOpTrace(ref, candEvents('Unary:sigmoid', [0.38, 0.38, 0.38, 0.38]), valuesOf, valuesOf);
    const d = t.firstDivergence!;
    expect(d).toMatchObject({ phase: 'forward', cause: 'gap', reference: { kind: 'Sum' }, candidate: { kind: 'Reduce:sum' } });
    expect(d.likely).toMatchObject({ kind: 'Unary:sigmoid', shape: [2, 2] });
    expect(d.likely.at).toMatch(/migrated\.ts:7$/);
    expect(d.referenceGap.map((o) => o.kind)).toEqual(['Relu']);
    expect(d.maxAbsError).toBeCloseTo(1.52, 5);
    expect(t.summary).toMatch(/likely cause: Unary:sigmoid at .*migrated\.ts:7/);
  });

  test('too few pairs: the alignment says it is unsure', () => {
    const t = buildOpTrace(log([ev(0, 'Relu', [3], [1, 2, 3])]), log([ev(0, 'Unary:relu', [3], [1, 2, 3])]), valuesOf, valuesOf);
    expect(t.unsure).toMatch(/only 1 of 1 ops paired/);
  });

  test('outputs over the value cap are compared by their summaries', () => {
    const big = (v: number) => ({ ...ev(0, 'Relu', [3], [v, 2, 3]), hasValues: false });
    const r = log([ev(0, 'Input', [3], [1, 2, 3]), { ...big(1), index: 1, inputs: [0] }]);
    const c = log([ev(0, 'Input', [3], [1, 2, 3]), { ...big(9), kind: 'Unary:relu', index: 1, inputs: [0] }]);
    const t = buildOpTrace(r, c, (e) => (e.hasValues ? valuesOf(e) : undefined), (e) => (e.hasValues ? valuesOf(e) : undefined));
    expect(t.firstDivergence?.message).toMatch(/summaries differ/);
  });
});

describe('the backward pass, attributed to the forward (gradOf)', () => {
  // x · w (forward), then its gradient: the backward ops carry gradOf, the forward event whose gradient they compute.
  const back = (kind: string, shape: number[], values: number[], gradOf: number | undefined, inputs: number[] = []): AlignOp => ({ ...op(kind, shape, values, inputs, 'backward'), ...(gradOf !== undefined ? { gradOf } : {}) });

  test('gradientGroups: a paired event is its own group; an unpaired piece joins the paired op that reads it or reports its output again', () => {
    const events = [op('Input', [2], [1, 2]), op('MatMul', [2], [3, 4], [0]), { ...op('Binary:add', [2], [4, 5], [1]), sameAs: 3 }, op('Linear', [2], [4, 5], [0]), op('Unary:relu', [2], [4, 5], [3]), back('MatMul', [2], [1, 1], 3)];
    expect(gradientGroups(events, new Set([3, 4]))).toEqual([3, 3, 3, 3, 4, -1]);
    expect(gradientGroups(events, new Set([4]))).toEqual([4, 4, 4, 4, 4, -1]);
    expect(gradientGroups(events, new Set())).toEqual([-1, -1, -1, -1, -1, -1]);
  });

  test('attributed backward ops pair within the gradient of one forward pair, values differing or not, in either order', () => {
    const ref = [op('Input', [2, 3], [1, 2, 3, 4, 5, 6]), op('Tanh', [2, 3], [1, 1, 1, 2, 2, 2], [0]), op('Relu', [2, 3], [3, 3, 3, 4, 4, 4], [1]),
      back('Multiply', [2, 3], [9, 9, 9, 9, 9, 9], 2), back('Sum', [3], [7, 8, 9], 1), back('Multiply', [2, 3], [5, 5, 5, 5, 5, 5], 1)];
    const cand = [op('Input', [2, 3], [1, 2, 3, 4, 5, 6]), op('Unary:tanh', [2, 3], [1, 1, 1, 2, 2, 2], [0]), op('Unary:relu', [2, 3], [3, 3, 3, 4, 4, 4], [1]),
      back('Binary:mul', [2, 3], [9, 9, 9, 9, 9, 9], 2), back('Binary:mul', [2, 3], [6, 6, 6, 6, 6, 6], 1), back('Reduce:sum', [1, 3], [7, 8, 9], 1)];
    const { pairs } = alignOps(ref, cand);
    const backward = pairs.filter((p) => p.reference >= 3).map((p) => [p.reference, p.candidate]);
    // Tanh's gradient: the Sum with the sum (though the runtime runs it last), the Multiply with the mul whose values
    // differ (paired by the attribution, not by its values); Relu's gradient with Relu's.
    expect(backward).toEqual([[3, 3], [5, 4], [4, 5]]);
  });

  test('attributed backward ops of different forward pairs never pair; ops that only move values pair only when they agree', () => {
    const ref = [op('Input', [4], [1, 2, 3, 4]), op('Tanh', [4], [1, 1, 1, 1], [0]), op('Relu', [4], [2, 2, 2, 2], [1]), back('Multiply', [4], [3, 3, 3, 3], 1), back('Reshape', [4], [1, 1, 1, 1], 2)];
    const cand = [op('Input', [4], [1, 2, 3, 4]), op('Unary:tanh', [4], [1, 1, 1, 1], [0]), op('Unary:relu', [4], [2, 2, 2, 2], [1]), back('Binary:mul', [4], [3, 3, 3, 3], 2), back('Reshape', [4], [5, 5, 5, 5], 2)];
    expect(alignOps(ref, cand).pairs.filter((p) => p.reference >= 3)).toEqual([]);
  });

  test('a backward pair may relate a 2-D shape to its transpose (a Dense kernel gradient against a Linear weight gradient)', () => {
    expect(backwardShapeRelation([16, 12], [12, 16])).toBe('transpose');
    expect(backwardShapeRelation([1, 16, 12], [12, 16])).toBe('transpose');
    expect(backwardShapeRelation([4, 2], [4, 2])).toBe('same');
    expect(backwardShapeRelation([4, 2], [8])).toBeNull();
    const k = [1, 2, 3, 4, 5, 6];
    const ref = [op('Input', [2, 3], k), op('BatchMatMul', [2, 3], [1, 1, 1, 1, 1, 1], [0]), back('BatchMatMul', [2, 3], k, 1)];
    const cand = [op('Input', [2, 3], k), op('MatMul', [2, 3], [1, 1, 1, 1, 1, 1], [0]), back('MatMul', [3, 2], [1, 4, 2, 5, 3, 6], 1)];
    const r = buildOpTrace(log(ref.map((e, i) => ev(i, e.kind, [...e.shape], i === 2 ? k : [1, 1, 1, 1, 1, 1].slice(0, 6), [...e.inputs], { phase: e.phase as OpEvent['phase'], ...(i === 2 ? { gradOf: 1 } : {}) }))),
      log(cand.map((e, i) => ev(i, e.kind, [...e.shape], i === 2 ? [1, 4, 2, 5, 3, 6] : [1, 1, 1, 1, 1, 1], [...e.inputs], { phase: e.phase as OpEvent['phase'], ...(i === 2 ? { gradOf: 1 } : {}) }))), valuesOf, valuesOf);
    expect(r.paired).toBe(3);
    expect(r.firstDivergence).toBeNull();
  });
});

describe('gradientCut: a gradient that stops short', () => {
  // The original trains a and b: loss = a·x + b. The migrated program detaches a (its Input no longer requires grad).
  const trained = { differentiable: true, gradLeaf: true };
  const data = { differentiable: false, gradLeaf: false };
  const reference = [
    ev(0, 'Input', [], [2], [], trained), ev(1, 'Input', [3], [1, 2, 3], [], data), ev(2, 'Multiply', [3], [2, 4, 6], [0, 1], { differentiable: true }),
    ev(3, 'Input', [], [1], [], trained), ev(4, 'Add', [3], [3, 5, 7], [2, 3], { differentiable: true }),
  ];
  const candidate = (aTrained: boolean) => [
    ev(0, 'Input', [], [2], [], aTrained ? trained : data), ev(1, 'Input', [3], [1, 2, 3], [], data), ev(2, 'Binary:mul', [3], [2, 4, 6], [0, 1], { differentiable: aTrained }),
    ev(3, 'Input', [], [1], [], trained), ev(4, 'Binary:add', [3], [3, 5, 7], [2, 3], { differentiable: true }),
  ];

  test('a detached variable: the first pair whose output the original differentiates with respect to it', () => {
    const c = candidate(false);
    const { pairs } = alignOps(reference, c);
    const cut = gradientCut(reference, c, pairs)!;
    expect(cut).not.toBeNull();
    expect(pairs[cut.pair]).toMatchObject({ reference: 0, candidate: 0 });
    expect(cut.lost).toEqual([0]);
    expect(cut.cutAt).toBe(0);
    const r = buildOpTrace(log(reference), log(c), valuesOf, valuesOf);
    expect(r.firstDivergence).toMatchObject({ phase: 'backward', cause: 'no-gradient', likely: { index: 0, kind: 'Input' } });
    expect(r.summary).toMatch(/the migrated program's gradient stops at Input \[\]/);
  });

  test('no cut when the migrated loss reaches every variable the original trains', () => {
    const c = candidate(true);
    expect(gradientCut(reference, c, alignOps(reference, c).pairs)).toBeNull();
    expect(buildOpTrace(log(reference), log(c), valuesOf, valuesOf).firstDivergence).toBeNull();
  });

  test('a value detached on purpose, its variable reached another way (a max subtracted for stability): no cut', () => {
    // loss = (a·x) − stop(max(a·x)): a still reaches the loss through the product.
    const ref = [...reference.slice(0, 3), ev(3, 'Max', [], [6], [2], { differentiable: true }), ev(4, 'Sub', [3], [-4, -2, 0], [2, 3], { differentiable: true })];
    const cand = [...candidate(true).slice(0, 3), ev(3, 'Reduce:max', [], [6], [2], { differentiable: false }), ev(4, 'Binary:sub', [3], [-4, -2, 0], [2, 3], { differentiable: true })];
    expect(gradientCut(ref, cand, alignOps(ref, cand).pairs)).toBeNull();
  });

  test('no claim where the migrated side cannot say (an unreported op\'s output requiring grad) or recorded no autograd state', () => {
    // b no longer trained, but the loss also reads an unreported op's output that requires grad: which variables
    // that one reaches is unknown, so no variable can be said to be lost.
    const unknown = candidate(true).map((e) => (e.index === 0 ? { ...e, gradLeaf: undefined } : e.index === 3 ? { ...e, ...data } : e));
    const known = candidate(true).map((e) => (e.index === 3 ? { ...e, ...data } : e));
    expect(gradientCut(reference, known, alignOps(reference, known).pairs)?.lost).toEqual([3]);
    expect(gradientCut(reference, unknown, alignOps(reference, unknown).pairs)).toBeNull();
    const bare = candidate(false).map(({ differentiable: _d, gradLeaf: _g, ...e }) => e as OpEvent);
    expect(gradientCut(reference, bare, alignOps(reference, bare).pairs)).toBeNull();
  });
});
