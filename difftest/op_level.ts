/**
 * The op-level differential test: every mapping row with sample inputs runs on @tensorflow/tfjs (cpu) and — through
 * the very code the transpiler emits for it (`emitRow`) — on the runtime; outputs and gradients are compared with
 * compare.ts under the row's op class (op_class.ts).
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
import { torch, nn, F } from '../runtime/index.js';
import { TABLE } from '../mappings/index.js';
import { NOTES, type NoteId } from '../mappings/notes.js';
import { parseParams } from '../mappings/template.js';
import { emitRow } from '../mappings/emit.js';
import type { ArgInfo, CallSite, Mapping, NestedNumbers, Sample, SampleValue, Status } from '../mappings/schema.js';
import { compareTensors, type CompareDType, type HostTensorData, type TensorComparison } from './compare.js';
import { accumulates, toleranceFor, type OpClass } from './tolerance.js';
import { opClassOf } from './op_class.js';

tf.env().set('PROD', true);

type RtTensor = InstanceType<typeof torch.Tensor>;
type LeafDType = 'float32' | 'int32' | 'bool';
interface TensorSample { tensor: NestedNumbers; dtype?: LeafDType }
const isTensorSample = (v: SampleValue): v is TensorSample & SampleValue =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'tensor' in v;

/** A sample bound to a call site: its tensor leaves, the emitted code's parameter names, and the tfjs call. */
export interface PreparedSample {
  leaves: { values: NestedNumbers; dtype: LeafDType }[];
  /** `v0`, `v1`…: the identifiers the emitted code uses for the leaves. */
  names: string[];
  site: CallSite;
  /** Calls the tfjs API with these tensors in place of the leaves. */
  callTf(leaves: tf.Tensor[]): unknown;
}

function literalArg(v: unknown): ArgInfo {
  if (typeof v === 'number') return { text: String(v), kind: 'number', value: v, simple: false };
  if (typeof v === 'string') return { text: JSON.stringify(v), kind: 'string', value: v, simple: true };
  if (typeof v === 'boolean') return { text: String(v), kind: 'boolean', value: v, simple: true };
  if (v === null) return { text: 'null', kind: 'null', simple: true };
  const els = (v as unknown[]).map(literalArg);
  return { text: `[${els.map((e) => e.text).join(', ')}]`, kind: 'array', elements: els, simple: true };
}

type Build = (leaves: tf.Tensor[]) => unknown;

export function prepareSample(row: Mapping, sample: Sample): PreparedSample {
  const leaves: PreparedSample['leaves'] = [];
  const names: string[] = [];
  const toArg = (v: SampleValue): [Build, ArgInfo] => {
    if (isTensorSample(v)) {
      const i = leaves.length;
      leaves.push({ values: v.tensor, dtype: v.dtype ?? 'float32' });
      names.push(`v${i}`);
      return [(ts) => ts[i], { text: `v${i}`, kind: 'identifier', simple: true, valueKind: 'Tensor' }];
    }
    if (Array.isArray(v) && v.some((e) => isTensorSample(e as SampleValue))) {
      const parts = v.map((e) => toArg(e as SampleValue));
      return [(ts) => parts.map((p) => p[0](ts)), { text: `[${parts.map((p) => p[1].text).join(', ')}]`, kind: 'array', elements: parts.map((p) => p[1]), simple: true }];
    }
    return [() => v, literalArg(v)];
  };
  const builds: Build[] = [];
  const args: ArgInfo[] = [];
  for (const p of parseParams(row.params)) {
    if (!(p.name in sample)) {
      builds.push(() => undefined);
      args.push({ text: 'undefined', kind: 'undefined', simple: true });
      continue;
    }
    const [b, a] = toArg(sample[p.name]);
    builds.push(b);
    args.push(a);
  }
  while (args.length && args[args.length - 1].kind === 'undefined') { args.pop(); builds.pop(); }
  let self: [Build, ArgInfo] | undefined;
  if (row.kind === 'method') self = toArg(sample.self);
  const callTf = (ts: tf.Tensor[]): unknown => {
    const tfArgs = builds.map((b) => b(ts));
    if (self) {
      const method = row.tf.slice(row.tf.indexOf('.') + 1);
      const receiver = self[0](ts) as unknown as Record<string, (...a: unknown[]) => unknown>;
      return receiver[method](...tfArgs);
    }
    const fn = row.tf.split('.').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], tf) as (...a: unknown[]) => unknown;
    return fn(...tfArgs);
  };
  const site: CallSite = { key: row.tf, args, receiver: self?.[1], awaited: false, layout: 'nchw', typescript: false };
  return { leaves, names, site, callTf };
}

/** The code the transpiler writes for this row at this call site; throws when it would write a TODO. */
export function emitCode(row: Mapping, site: CallSite): string {
  const e = emitRow(row, site);
  if (e.kind !== 'code') throw new Error(`${row.tf}: emits ${e.kind === 'todo' ? `a TODO (${e.detail})` : `a ${e.kind}, not code`}`);
  return e.code;
}

/** Runs emitted code on the runtime with the given leaf tensors. */
export function runEmitted(code: string, names: readonly string[], leaves: readonly RtTensor[]): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function('torch', 'nn', 'F', ...names, `return (${code});`) as (...a: unknown[]) => unknown;
  return run(torch, nn, F, ...leaves);
}

/** One compared value: a tensor pair, or a plain value pair (numbers, strings) compared for equality. */
export interface OutputPair {
  path: string;
  reference: unknown;
  candidate: unknown;
}

/** Walks tfjs's result and the runtime's side by side (tensors, arrays, objects of tensors). */
export function pairOutputs(reference: unknown, candidate: unknown, path = 'out'): OutputPair[] {
  if (reference instanceof tf.Tensor) return [{ path, reference, candidate }];
  if (Array.isArray(reference)) {
    const c = Array.isArray(candidate) ? candidate : [];
    if (c.length !== reference.length) return [{ path, reference, candidate }];
    return reference.flatMap((r, i) => pairOutputs(r, c[i], `${path}[${i}]`));
  }
  if (reference && typeof reference === 'object') {
    const c = (candidate ?? {}) as Record<string, unknown>;
    return Object.entries(reference).flatMap(([k, v]) => pairOutputs(v, c[k], `${path}.${k}`));
  }
  return [{ path, reference, candidate }];
}

/** Every tensor (tfjs or runtime) or plain value in a result, with its path (`out[1]`, `out.mean`). */
export function flattenOutputs(x: unknown, path = 'out'): { path: string; value: unknown }[] {
  if (x instanceof tf.Tensor || isRt(x)) return [{ path, value: x }];
  if (Array.isArray(x)) return x.flatMap((v, i) => flattenOutputs(v, `${path}[${i}]`));
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => flattenOutputs(v, `${path}.${k}`));
  return [{ path, value: x }];
}

const hostDtype = (d: string): CompareDType => (d === 'bool' || d === 'int32' || d === 'float64' ? d : 'float32');
const tfHost = (t: tf.Tensor): HostTensorData => ({ data: t.dataSync() as ArrayLike<number>, shape: t.shape, dtype: hostDtype(t.dtype) });
const rtHost = (t: RtTensor): HostTensorData => ({ data: t.dataSync() as ArrayLike<number>, shape: t.shape, dtype: hostDtype(t.dtype) });
const isRt = (x: unknown): x is RtTensor => x instanceof torch.Tensor;
const norm = (x: unknown): unknown => (Array.isArray(x) ? x.map(norm) : typeof x === 'boolean' ? Number(x) : x);

/** The outcome of comparing one output or one gradient. */
export interface ValueCheck {
  /** `out`, `out[1]`, `out.mean`, `grad v0`. */
  what: string;
  pass: boolean;
  /** Max abs error (NaN when not computable: shapes differ, not a tensor). */
  maxAbsError: number;
  comparison?: TensorComparison;
  message: string | null;
  /**
   * A gradient that failed where tfjs's own gradient disagrees with central finite differences of tfjs's forward
   * and the runtime's agrees: the reference, not the candidate, is wrong (see finiteDifferenceArbiter).
   */
  referenceSuspect?: boolean;
}

function checkPair(p: OutputPair, opClass: OpClass, k: number, f64?: ArrayLike<number>): ValueCheck {
  if (p.reference instanceof tf.Tensor) {
    if (!isRt(p.candidate)) {
      return { what: p.path, pass: false, maxAbsError: NaN, message: `${p.path}: expected a runtime tensor, got ${describe(p.candidate)}` };
    }
    const reference = tfHost(p.reference);
    const float64Reference = f64 && plausibleTruth(reference, f64, opClass, k) ? f64 : undefined;
    const c = compareTensors(reference, rtHost(p.candidate), { opClass, reductionLength: k, float64Reference });
    return { what: p.path, pass: c.pass, maxAbsError: c.metrics?.maxAbsError ?? NaN, comparison: c, message: c.message && `${p.path}: ${c.message}` };
  }
  const same = JSON.stringify(norm(p.reference)) === JSON.stringify(norm(isRt(p.candidate) ? Array.from(p.candidate.dataSync() as ArrayLike<number>) : p.candidate));
  return { what: p.path, pass: same, maxAbsError: same ? 0 : NaN, message: same ? null : `${p.path}: ${describe(p.candidate)} != ${describe(p.reference)}` };
}

/**
 * The float64 result here is the candidate's own code run in float64, not an independent implementation: a mistake
 * in the emitted code (softmax on the wrong axis) is reproduced in it exactly and would "confirm" the candidate.
 * So it arbitrates only where tfjs agrees with it to within 10× the op class's tolerance — all three compute the same
 * math and differ in rounding alone, which is the dispute the tie-breaker exists for.
 */
function plausibleTruth(reference: HostTensorData, f64: ArrayLike<number>, opClass: OpClass, k: number): boolean {
  if (f64.length !== reference.data.length) return false;
  const t = toleranceFor(reference.dtype, opClass, k);
  const truth: HostTensorData = { data: f64, shape: reference.shape, dtype: reference.dtype };
  return compareTensors(truth, reference, { opClass, rtol: 10 * t.rtol, atol: 10 * t.atol }).pass;
}

function describe(x: unknown): string {
  if (isRt(x)) return `Tensor(shape [${x.shape.join(', ')}], ${x.dtype})`;
  if (x instanceof tf.Tensor) return `tf.Tensor(shape [${x.shape.join(', ')}], ${x.dtype})`;
  try { return JSON.stringify(x) ?? String(x); } catch { return String(x); }
}

/** Deterministic weights in [-1, 1] (mulberry32), so both sides and every rerun see the same loss. */
function weights(n: number, seed: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.round((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2e6 - 1e6) / 1e6;
  });
}

/** Runtime side of one sample: forward outputs and (when asked) the gradients of Σ sum(out · W), in one dtype. */
function runRuntime(prep: PreparedSample, code: string, float: 'float32' | 'float64', grad: { floatOutputs: string[]; w: number[][] } | null) {
  const leaves = prep.leaves.map((l) => {
    const t = torch.tensor(l.values as number[], { dtype: l.dtype === 'float32' ? float : l.dtype });
    return grad && l.dtype === 'float32' ? t.requiresGrad_() : t;
  });
  const out = runEmitted(code, prep.names, leaves);
  if (!grad) return { out, grads: null };
  const byPath = new Map(flattenOutputs(out).map((p) => [p.path, p.value]));
  let loss: RtTensor | null = null;
  grad.floatOutputs.forEach((path, i) => {
    const o = byPath.get(path);
    if (!isRt(o)) throw new Error(`runtime output ${path} is not a tensor`);
    const term = o.mul(torch.tensor(grad.w[i], { dtype: o.dtype }).reshape(o.shape)).sum();
    loss = loss ? loss.add(term) : term;
  });
  const inputs = leaves.filter((t) => t.requiresGrad);
  const l = loss as RtTensor | null;
  // An output that does not depend on the inputs (zerosLike) has no graph: its gradients are zero.
  const grads = l && l.requiresGrad ? torch.autograd.grad(l, inputs, { allowUnused: true }) : inputs.map(() => null);
  return { out, grads: grads.map((g, i) => g ?? torch.zerosLike(inputs[i])) };
}

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

    const floatOut = pairs.filter((p) => p.reference instanceof tf.Tensor && p.reference.dtype === 'float32');
    if (!floatLeafIdx.length) result.gradientSkipped = 'no float tensor inputs';
    else if (!floatOut.length) result.gradientSkipped = 'output is not float (int32/bool or not a tensor)';
    const w = floatOut.map((p, i) => weights((p.reference as tf.Tensor).size, 0x5eed + 7919 * i));
    const lossTf = (...xs: tf.Tensor[]) => {
      const leaves = tfLeaves.slice();
      floatLeafIdx.forEach((li, j) => { leaves[li] = xs[j]; });
      const byPath = new Map(flattenOutputs(prep.callTf(leaves)).map((p) => [p.path, p.value as tf.Tensor]));
      return floatOut
        .map((p, i) => { const o = byPath.get(p.path) as tf.Tensor; return tf.sum(tf.mul(o, tf.tensor(w[i], o.shape))); })
        .reduce((a, b) => tf.add(a, b)) as tf.Scalar;
    };
    let refGrads: tf.Tensor[] = [];
    if (!result.gradientSkipped) {
      stage = 'tfjs gradient';
      try {
        refGrads = tf.grads(lossTf)(floatLeafIdx.map((i) => tfLeaves[i]));
      } catch (e) {
        result.gradientSkipped = `tfjs computes no gradient here (${(e as Error).message.split('\n')[0]})`;
      }
    }
    if (!result.gradientSkipped) {
      stage = 'runtime gradient';
      const spec = { floatOutputs: floatOut.map((p) => p.path), w };
      const { grads } = runRuntime(prep, result.code, 'float32', spec);
      result.gradient = refGrads.map((g, j) => checkPair({ path: `grad ${prep.names[floatLeafIdx[j]]}`, reference: g, candidate: grads?.[j] }, opClass, k));
      // The float64 tie-breaker, only where it can decide: an accumulating op that failed plain tolerance.
      if (accumulates(opClass) && [...result.forward, ...result.gradient].some((c) => !c.pass && c.comparison?.rule === 'tolerance')) {
        const f64 = float64Run(prep, result.code, spec);
        if (f64) {
          result.forward = pairs.map((p, i) => (result.forward[i].comparison?.rule === 'tolerance' ? checkPair(p, opClass, k, f64.forward.get(p.path)) : result.forward[i]));
          result.gradient = result.gradient.map((c, j) => (c.comparison?.rule === 'tolerance'
            ? checkPair({ path: c.what, reference: refGrads[j], candidate: grads?.[j] }, opClass, k, f64.grads[j]) : c));
        }
      }
      result.gradient.forEach((c, j) => {
        if (c.pass || !isRt(grads?.[j])) return;
        const arbiter = finiteDifferenceArbiter(lossTf, floatLeafIdx.map((i) => tfLeaves[i]), j, refGrads[j], grads[j] as RtTensor);
        if (arbiter) { c.referenceSuspect = true; c.message = `${c.message}\n${arbiter}`; }
      });
    } else if (accumulates(opClass) && result.forward.some((c) => !c.pass && c.comparison?.rule === 'tolerance')) {
      const f64 = float64Run(prep, result.code, null);
      if (f64) result.forward = pairs.map((p, i) => (result.forward[i].comparison?.rule === 'tolerance' ? checkPair(p, opClass, k, f64.forward.get(p.path)) : result.forward[i]));
    }
  } catch (e) {
    result.error = `${stage}: ${(e as Error).message.split('\n')[0]}`;
  }
  return result;
}

/** The same emitted code in float64 (float leaves and weights), for the tie-breaker; null when it cannot run so. */
function float64Run(prep: PreparedSample, code: string, spec: { floatOutputs: string[]; w: number[][] } | null) {
  try {
    const { out, grads } = runRuntime(prep, code, 'float64', spec);
    const forward = new Map<string, ArrayLike<number>>();
    for (const p of flattenOutputs(out)) if (isRt(p.value) && p.value.dtype === 'float64') forward.set(p.path, p.value.dataSync() as ArrayLike<number>);
    return { forward, grads: (grads ?? []).map((g) => (g.dtype === 'float64' ? (g.dataSync() as ArrayLike<number>) : undefined)) };
  } catch {
    return null;
  }
}

/**
 * When a gradient comparison fails, tfjs's analytical gradient is checked against central finite differences of
 * tfjs's own forward, (L(x + h·e_i) − L(x − h·e_i)) / 2h with h = 1e-2 (float32: rounding error ~1e-5, truncation
 * ~h²), within 1e-2 + 1e-2·|fd|. Returns the explanation when tfjs disagrees with its own forward and the runtime
 * agrees, null otherwise (then the runtime is blamed as usual).
 */
function finiteDifferenceArbiter(loss: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[], j: number, tfGrad: tf.Tensor, rtGrad: RtTensor): string | null {
  const h = 1e-2;
  const base = xs[j].dataSync().slice();
  const at = (i: number, d: number) => {
    const v = base.slice();
    v[i] += d;
    const args = xs.slice();
    args[j] = tf.tensor(v, xs[j].shape, 'float32');
    return loss(...args).dataSync()[0];
  };
  const fd = Array.from(base, (_, i) => (at(i, h) - at(i, -h)) / (2 * h));
  const close = (g: ArrayLike<number>) => fd.every((f, i) => Math.abs(Number(g[i]) - f) <= 1e-2 + 1e-2 * Math.abs(f));
  if (close(rtGrad.dataSync() as ArrayLike<number>) && !close(tfGrad.dataSync() as ArrayLike<number>)) {
    return `tfjs's gradient disagrees with finite differences of tfjs's own forward (${fd.map((f) => f.toPrecision(4)).join(', ')}); the runtime's agrees: a tfjs gradient bug, not a mapping or runtime bug`;
  }
  return null;
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
