/**
 * One sample of a mapping row, bound to a call site: its tensor leaves, the code the transpiler emits for it, that
 * code run on the runtime (in float32 or float64, with the gradients of Σ sum(out · W) when asked), and the walk
 * that pairs tfjs's outputs with the runtime's.
 */
import * as tf from '@tensorflow/tfjs';
import { torch, nn, F, compat } from '../runtime/index.js';
import { parseParams } from '../mappings/template.js';
import { emitRow } from '../mappings/emit.js';
import type { ArgInfo, CallSite, Mapping, NestedNumbers, Sample, SampleValue } from '../mappings/schema.js';

export type RtTensor = InstanceType<typeof torch.Tensor>;
export const isRt = (x: unknown): x is RtTensor => x instanceof torch.Tensor;
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
  // compat: the rows whose target is a tfjs-exact runtime helper (compat.image, compat.conv2dTranspose, ...).
  const run = new Function('torch', 'nn', 'F', 'compat', ...names, `return (${code});`) as (...a: unknown[]) => unknown;
  return run(torch, nn, F, compat, ...leaves);
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

/** What the gradient needs: the float outputs' paths and, per output, its fixed weights W. */
export interface GradientSpec {
  floatOutputs: string[];
  w: number[][];
}

/** Runtime side of one sample: forward outputs and (when asked) the gradients of Σ sum(out · W), in one dtype. */
export function runRuntime(prep: PreparedSample, code: string, float: 'float32' | 'float64', grad: GradientSpec | null) {
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
