/**
 * Op-level check of the table itself: for every row with sample inputs, the code the row emits runs on the
 * runtime and gives tfjs's numbers (forward values, shapes and dtypes). The differential tester does this at
 * scale with gradients; this suite keeps each template honest while the table is edited.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { torch, nn, F } from '../../runtime/index.js';
import { TABLE } from '../../mappings/index.js';
import { parseParams } from '../../mappings/template.js';
import { emitRow } from '../../mappings/emit.js';
import type { ArgInfo, CallSite, Mapping, Sample, SampleValue } from '../../mappings/schema.js';

tf.env().set('PROD', true);

type TensorSample = { tensor: unknown; dtype?: 'float32' | 'int32' | 'bool' };
const isTensorSample = (v: SampleValue): v is TensorSample & SampleValue => typeof v === 'object' && v !== null && !Array.isArray(v) && 'tensor' in v;

function literalArg(v: unknown): ArgInfo {
  if (typeof v === 'number') return { text: String(v), kind: 'number', value: v, simple: false };
  if (typeof v === 'string') return { text: JSON.stringify(v), kind: 'string', value: v, simple: true };
  if (typeof v === 'boolean') return { text: String(v), kind: 'boolean', value: v, simple: true };
  if (v === null) return { text: 'null', kind: 'null', simple: true };
  const els = (v as unknown[]).map(literalArg);
  return { text: `[${els.map((e) => e.text).join(', ')}]`, kind: 'array', elements: els, simple: true };
}

interface Prepared { tfArgs: unknown[]; tfSelf?: tf.Tensor; site: CallSite; names: string[]; values: unknown[] }

function prepare(row: Mapping, sample: Sample): Prepared {
  const names: string[] = [];
  const values: unknown[] = [];
  const bindTensor = (s: TensorSample): [tf.Tensor, ArgInfo] => {
    const name = `v${names.length}`;
    const dtype = s.dtype ?? 'float32';
    names.push(name);
    values.push(torch.tensor(s.tensor as number[], { dtype }));
    return [tf.tensor(s.tensor as number[], undefined, dtype), { text: name, kind: 'identifier', simple: true, valueKind: 'Tensor' }];
  };
  const toArg = (v: SampleValue): [unknown, ArgInfo] => {
    if (isTensorSample(v)) return bindTensor(v);
    if (Array.isArray(v) && v.some((e) => isTensorSample(e as SampleValue))) {
      const parts = v.map((e) => toArg(e as SampleValue));
      return [parts.map((p) => p[0]), { text: `[${parts.map((p) => p[1].text).join(', ')}]`, kind: 'array', elements: parts.map((p) => p[1]), simple: true }];
    }
    return [v, literalArg(v)];
  };
  const specs = parseParams(row.params);
  const tfArgs: unknown[] = [];
  const args: ArgInfo[] = [];
  specs.forEach((p) => {
    if (!(p.name in sample)) {
      tfArgs.push(undefined);
      args.push({ text: 'undefined', kind: 'undefined', simple: true });
      return;
    }
    const [t, a] = toArg(sample[p.name]);
    tfArgs.push(t);
    args.push(a);
  });
  while (args.length && args[args.length - 1].kind === 'undefined') { args.pop(); tfArgs.pop(); }
  let tfSelf: tf.Tensor | undefined;
  let receiver: ArgInfo | undefined;
  if (row.kind === 'method') {
    const [t, a] = toArg(sample.self);
    tfSelf = t as tf.Tensor;
    receiver = a;
  }
  return { tfArgs, tfSelf, names, values, site: { key: row.tf, args, receiver, awaited: false, layout: 'nchw', typescript: false } };
}

function emit(row: Mapping, site: CallSite): string {
  const e = emitRow(row, site);
  if (e.kind !== 'code') throw new Error(`${row.tf}: answered ${e.kind === 'todo' ? `TODO ${e.detail}` : e.kind}`);
  return e.code;
}

const norm = (x: unknown): unknown => (Array.isArray(x) ? x.map(norm) : typeof x === 'boolean' ? Number(x) : x);

function compare(actual: unknown, expected: unknown, where: string): void {
  if (expected instanceof tf.Tensor) {
    const a = actual as InstanceType<typeof torch.Tensor>;
    expect(a, `${where}: not a runtime tensor`).toBeInstanceOf(torch.Tensor);
    expect(a.shape, `${where}: shape`).toEqual(expected.shape);
    const dt = (d: string) => (d === 'bool' ? 'bool' : d === 'int32' ? 'int32' : 'float32');
    expect(dt(a.dtype), `${where}: dtype`).toBe(dt(expected.dtype));
    const av = Array.from(a.dataSync() as ArrayLike<number>, Number);
    const ev = Array.from(expected.dataSync() as ArrayLike<number>, Number);
    ev.forEach((e, i) => {
      if (Number.isNaN(e)) expect(Number.isNaN(av[i]), `${where}[${i}]`).toBe(true);
      else expect(Math.abs(av[i] - e), `${where}[${i}]: ${av[i]} vs ${e}`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(e));
    });
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${where}: expected a list`).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => compare((actual as unknown[])[i], e, `${where}[${i}]`));
    return;
  }
  if (expected && typeof expected === 'object') {
    for (const [k, v] of Object.entries(expected)) compare((actual as Record<string, unknown>)[k], v, `${where}.${k}`);
    return;
  }
  expect(norm(actual)).toEqual(norm(expected));
}

const cases = TABLE.flatMap((row) => (row.samples ?? []).map((s, i) => [`${row.tf} #${i}`, row, s] as const));

describe('emitted code gives tfjs\'s numbers on the sample inputs', () => {
  it('has sample inputs for the op rows', () => {
    expect(cases.length).toBeGreaterThan(150);
  });
  it.each(cases)('%s', (_name, row, sample) => {
    const p = prepare(row, sample);
    const code = emit(row, p.site);
    let expected: unknown;
    if (row.kind === 'method') {
      const m = row.tf.slice('Tensor.'.length);
      expected = (p.tfSelf as unknown as Record<string, (...a: unknown[]) => unknown>)[m](...p.tfArgs);
    } else {
      const fn = row.tf.split('.').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], tf) as (...a: unknown[]) => unknown;
      expected = fn(...p.tfArgs);
    }
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const run = new Function('torch', 'nn', 'F', ...p.names, `return (${code});`);
    const actual = run(torch, nn, F, ...p.values);
    compare(actual, expected, `${row.tf}: ${code}`);
  });
});
