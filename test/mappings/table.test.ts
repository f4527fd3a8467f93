/**
 * The mapping table checked against the real APIs on both sides: every TensorFlow.js name exists in
 * @tensorflow/tfjs, every runtime name a target uses exists in the runtime (or the row counts as manual and the
 * name is listed as pending), and every row is well formed.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { createRequire } from 'node:module';
import { TABLE, lookup } from '../../mappings/index.js';
import { NOTES, isNoteId } from '../../mappings/notes.js';
import { parseParams, templateTexts } from '../../mappings/template.js';
import { TRANSFORMERS } from '../../mappings/transformers/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';
import { rowMissing, effectiveStatus } from '../../mappings/report/status.js';
import { RUNTIME_PENDING } from '../../mappings/runtime_pending.js';
import { RULE_NAMES, STATUSES } from '../../mappings/schema.js';

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});

/** Names tfjs's declaration files export (types such as Tensor2D or Logs exist only there). */
function tfjsTypeExports(): Set<string> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs').replace(/dist[\\/].*$/, 'dist/index.d.ts');
  const program = ts.createProgram([entry], { skipLibCheck: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const sym = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return new Set(checker.getExportsOfModule(sym).map((s) => s.getName()));
}

function tfValue(path: string): unknown {
  return path.split('.').slice(1).reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), tf);
}

const MEMBER_OWNERS: Record<string, () => object[]> = {
  Tensor: () => [tf.Tensor.prototype, tf.zeros([1])],
  Variable: () => [tf.Variable.prototype],
  LayersModel: () => [tf.LayersModel.prototype, tf.layers.dense({ units: 1 })],
  Sequential: () => [tf.Sequential.prototype],
  Optimizer: () => [tf.Optimizer.prototype, tf.train.sgd(0.1)],
  Layer: () => [tf.layers.Layer.prototype],
  // tfjs's History sets these fields in onTrainBegin.
  History: () => [{ history: {}, epoch: [] }],
};

describe('every row names a real TensorFlow.js API', () => {
  let typeNames: Set<string>;
  beforeAll(() => {
    typeNames = tfjsTypeExports();
  }, 60_000);
  it.each(TABLE.map((r) => [r.tf, r] as const))('%s exists in @tensorflow/tfjs', (key, row) => {
    if (row.tf2Only) {
      // A TensorFlow 2 (Python) name: it must not exist in tfjs, or the row would shadow the tfjs API.
      expect(tfValue(key), `${key} is marked tf2Only but @tensorflow/tfjs exports it`).toBeUndefined();
      return;
    }
    if (key.startsWith('tf.')) {
      const v = tfValue(key);
      if (row.kind === 'type' || row.kind === 'class') expect(v !== undefined || typeNames.has(key.slice(3)), `${key} is neither a value nor a type export`).toBe(true);
      else expect(v, `${key} is not exported by @tensorflow/tfjs`).toBeDefined();
      return;
    }
    const [cls, member] = key.split('.');
    const owners = MEMBER_OWNERS[cls];
    expect(owners, `unknown receiver class ${cls}`).toBeDefined();
    const has = owners().some((o) => member in o);
    expect(has, `${key}: tfjs ${cls} has no member ${member}`).toBe(true);
  });
});

/**
 * `chainable` says tfjs has the function as a Tensor method too: checked both ways against tfjs's own Tensor,
 * so the derived Tensor.* rows can neither invent a method nor miss one that a row's function has.
 */
describe('chainable rows match the tfjs Tensor prototype', () => {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const fnRows = TABLE.filter((r) => r.kind === 'function' && r.tf.startsWith('tf.') && !r.tf.slice(3).includes('.') && !r.tf2Only);
  it.each(fnRows.map((r) => [r.tf, r] as const))('%s', (key, row) => {
    const name = key.slice(3);
    const isMethod = typeof proto[name] === 'function';
    if (row.chainable) expect(isMethod, `${key} is marked chainable but a tfjs Tensor has no method ${name}`).toBe(true);
    else if (isMethod) expect(TABLE.some((r) => r.tf === `Tensor.${name}`), `tfjs has Tensor.${name}: mark ${key}'s row chainable (or give Tensor.${name} its own row)`).toBe(true);
  });
});

describe('every row is well formed', () => {
  it.each(TABLE.map((r) => [r.tf, r] as const))('%s', (_key, row) => {
    expect(STATUSES).toContain(row.status);
    expect(() => parseParams(row.params)).not.toThrow();
    for (const n of row.notes ?? []) expect(isNoteId(n), `unknown note ${n}`).toBe(true);
    if (row.status === 'manual') expect(row.reason, 'manual rows say what a human must do').toBeTruthy();
    if (row.status === 'pattern') expect(RULE_NAMES, `pattern rule ${row.rule}`).toContain(row.rule);
    if (row.status === 'exact' || row.status === 'semantic') {
      expect(row.target !== undefined || row.transform !== undefined, 'a target or a transformer').toBe(true);
    }
    if (row.transform) expect(TRANSFORMERS[row.transform], `transformer ${row.transform}`).toBeTypeOf('function');
    // Every placeholder in a template is a parameter (or the receiver, or $params for optimizers).
    const names = new Set([...parseParams(row.params).map((p) => p.name), 'self', 'params']);
    for (const t of templateTexts(row)) {
      for (const m of t.matchAll(/\$([A-Za-z_]\w*)/g)) expect(names.has(m[1]), `${row.tf}: $${m[1]} is not a parameter`).toBe(true);
    }
  });

  it('notes have text and a severity', () => {
    for (const [id, n] of Object.entries(NOTES)) {
      expect(n.text.length, id).toBeGreaterThan(10);
      expect(['info', 'warning', 'error']).toContain(n.severity);
    }
  });

  it('finds rows by key', () => {
    expect(lookup('tf.matMul')?.status).toBe('exact');
    expect(lookup('tf.notAThing')).toBeUndefined();
  });
});

describe('every runtime name a target uses exists in the runtime', () => {
  it.each(TABLE.filter((r) => r.status !== 'manual').map((r) => [r.tf, r] as const))('%s', (_key, row) => {
    const missing = rowMissing(row, api);
    const unexpected = missing.filter((m) => !RUNTIME_PENDING.includes(m));
    expect(unexpected, `${row.tf} targets names the runtime does not export (typo, or add to mappings/runtime_pending.ts)`).toEqual([]);
    if (missing.length) expect(effectiveStatus(row, api)).toBe('manual');
  });

  it('pending names are really missing (remove them from runtime_pending.ts once the runtime has them)', () => {
    const stillMissing = (n: string) => (n.startsWith('.') ? !api.members.has(n.slice(1)) : !api.names.has(n));
    const arrived = RUNTIME_PENDING.filter((n) => !stillMissing(n));
    if (arrived.length) console.warn(`runtime_pending.ts: the runtime now has ${arrived.join(', ')}`);
    expect(RUNTIME_PENDING.length).toBeGreaterThanOrEqual(0);
  });
});
