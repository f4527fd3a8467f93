/**
 * The op-level differential test: every mapping row with sample inputs runs on @tensorflow/tfjs (cpu) and — through
 * the very code the transpiler emits for it (`emitRow`) — on the runtime; outputs and gradients are compared with
 * compare.ts under the row's op class (op_class.ts). The sample machinery is sample.ts, one comparison
 * value_check.ts, the gradients gradient.ts (float64.ts and finite_difference.ts settle disputes).
 *
 * Gradients: for a row with a float output and float tensor inputs, both sides differentiate
 * L = Σ_outputs sum(output · W) with respect to every float tensor input, W fixed pseudo-random weights in [-1, 1]
 * (the same on both sides; random rather than ones so that a transposed or mis-ordered output cannot hide).
 * tfjs uses `tf.grads`, the runtime `torch.autograd.grad`. Int/bool outputs, rows with no float tensor inputs, and
 * ops tfjs has no gradient for are skipped, with the reason.
 *
 * Verdicts: `pass`; `fail` (a comparison failed); `error` (emitting or running threw); `expected-difference` — a
 * `semantic` row that fails, whose notes include a `warning` (notes.ts: "numbers or behaviour differ in a documented
 * way"); the note ids are reported. `exact` rows are never excused by notes. `reference-bug` — every failure is a
 * gradient where tfjs's own gradient disagrees with finite differences of tfjs's forward and the runtime's agrees
 * (finiteDifferenceArbiter); reported, not counted as a failure of the migration.
 */
import * as tf from '@tensorflow/tfjs';
import { TABLE } from '../mappings/index.js';
import { NOTES, type NoteId } from '../mappings/notes.js';
import type { Mapping, Sample, Status } from '../mappings/schema.js';
import { compareGradients } from './gradient.js';
import { float64Run } from './float64.js';
import { accumulates, type OpClass } from './tolerance.js';
import { opClassOf } from './op_class.js';
import { emitCode, pairOutputs, prepareSample, runRuntime } from './sample.js';
import { checkPair, type ValueCheck } from './value_check.js';

export { emitCode, flattenOutputs, pairOutputs, prepareSample, runEmitted } from './sample.js';
export type { OutputPair, PreparedSample } from './sample.js';
export type { ValueCheck } from './value_check.js';

tf.env().set('PROD', true);

export interface SampleResult {
  index: number;
  code: string;
  forward: ValueCheck[];
  gradient: ValueCheck[];
  /** Why gradients were not compared (null when they were). */
  gradientSkipped: string | null;
  /** What threw, when something did. */
  error: string | null;
}

export type RowVerdict = 'pass' | 'fail' | 'error' | 'expected-difference' | 'reference-bug';

export interface RowResult {
  row: string;
  status: Status;
  opClass: OpClass;
  verdict: RowVerdict;
  /** Max abs error over every sample's outputs (NaN: not computable; null: nothing compared). */
  forwardMaxError: number | null;
  gradientMaxError: number | null;
  /** For expected differences: the notes that document them. */
  noteIds: NoteId[];
  /** Failure messages, one per failing output/gradient, prefixed with the sample. */
  failures: string[];
  samples: SampleResult[];
}

export function verifySample(row: Mapping, sample: Sample, index: number, opClass: OpClass = opClassOf(row)): SampleResult {
  const result: SampleResult = { index, code: '', forward: [], gradient: [], gradientSkipped: null, error: null };
  let stage = 'emit';
  try {
    const prep = prepareSample(row, sample);
    result.code = emitCode(row, prep.site);
    stage = 'tfjs';
    const tfLeaves = prep.leaves.map((l) => tf.tensor(l.values as number[], undefined, l.dtype));
    const expected = prep.callTf(tfLeaves);
    stage = 'runtime';
    const { out } = runRuntime(prep, result.code, 'float32', null);
    const pairs = pairOutputs(expected, out);
    const floatLeafIdx = prep.leaves.flatMap((l, i) => (l.dtype === 'float32' ? [i] : []));
    // K for accumulating ops: the largest operand's size bounds the terms any output element sums (op_class.ts).
    const k = Math.max(1, ...tfLeaves.map((t) => t.size));
    result.forward = pairs.map((p) => checkPair(p, opClass, k));
    compareGradients(result, { prep, tfLeaves, pairs, floatLeafIdx, opClass, k }, (s) => { stage = s; });
    if (result.gradientSkipped && accumulates(opClass) && result.forward.some((c) => !c.pass && c.comparison?.rule === 'tolerance')) {
      const f64 = float64Run(prep, result.code, null);
      if (f64) result.forward = pairs.map((p, i) => (result.forward[i].comparison?.rule === 'tolerance' ? checkPair(p, opClass, k, f64.forward.get(p.path)) : result.forward[i]));
    }
  } catch (e) {
    result.error = `${stage}: ${(e as Error).message.split('\n')[0]}`;
  }
  return result;
}

/** Notes whose text says the numbers or behaviour differ by design. */
const differenceNotes = (row: Mapping): NoteId[] => (row.notes ?? []).filter((id) => NOTES[id]?.severity === 'warning');

const maxOf = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b))) : null);

export function verifyRow(row: Mapping): RowResult {
  const opClass = opClassOf(row);
  // Printing ops (tf.print) would write into the report; their output is not what is compared.
  const log = console.log;
  console.log = () => {};
  let samples: SampleResult[];
  try {
    samples = (row.samples ?? []).map((s, i) => {
      let r: SampleResult | undefined;
      tf.tidy(() => { r = verifySample(row, s, i, opClass); });
      return r as SampleResult;
    });
  } finally {
    console.log = log;
  }
  const failures = samples.flatMap((s) => [
    ...(s.error ? [`#${s.index} ${s.error}`] : []),
    ...[...s.forward, ...s.gradient].filter((c) => !c.pass).map((c) => `#${s.index} ${c.message}`),
  ]);
  const errored = samples.some((s) => s.error);
  const notes = differenceNotes(row);
  const failed = samples.flatMap((s) => [...s.forward, ...s.gradient].filter((c) => !c.pass));
  const verdict: RowVerdict = errored ? 'error'
    : failures.length === 0 ? 'pass'
    : failed.every((c) => c.referenceSuspect) ? 'reference-bug'
    : row.status === 'semantic' && notes.length ? 'expected-difference' : 'fail';
  return {
    row: row.tf, status: row.status, opClass, verdict,
    forwardMaxError: maxOf(samples.flatMap((s) => s.forward.map((c) => c.maxAbsError))),
    gradientMaxError: maxOf(samples.flatMap((s) => s.gradient.map((c) => c.maxAbsError))),
    noteIds: verdict === 'expected-difference' ? notes : [],
    failures,
    samples,
  };
}

export interface VerifyOptions {
  /** Rows to verify (default: the whole table). */
  rows?: readonly Mapping[];
  /** Per-row replacements merged over the table's row (by key) — for planting bugs in tests. */
  overrides?: Readonly<Record<string, Partial<Mapping>>>;
  /** Only rows whose key is listed. */
  only?: readonly string[];
}

export interface VerifyReport {
  rows: RowResult[];
  totals: Record<RowVerdict, number> & { rows: number; samples: number; gradientsCompared: number };
  /** exact/semantic rows that failed or errored: what makes `mappings --verify` exit 1. */
  unexpected: RowResult[];
}

export function verifyTable(opts: VerifyOptions = {}): VerifyReport {
  const rows = (opts.rows ?? TABLE)
    .filter((r) => r.samples?.length && (!opts.only || opts.only.includes(r.tf)))
    .map((r) => (opts.overrides?.[r.tf] ? { ...r, ...opts.overrides[r.tf] } : r));
  const results = rows.map(verifyRow);
  const count = (v: RowVerdict) => results.filter((r) => r.verdict === v).length;
  return {
    rows: results,
    totals: {
      rows: results.length, pass: count('pass'), fail: count('fail'), error: count('error'), 'expected-difference': count('expected-difference'),
      'reference-bug': count('reference-bug'),
      samples: results.reduce((n, r) => n + r.samples.length, 0),
      gradientsCompared: results.reduce((n, r) => n + r.samples.filter((s) => s.gradient.length).length, 0),
    },
    unexpected: results.filter((r) => (r.verdict === 'fail' || r.verdict === 'error') && (r.status === 'exact' || r.status === 'semantic')),
  };
}
