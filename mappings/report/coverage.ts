/**
 * Coverage against the real @tensorflow/tfjs module: every export of the top level, tf.layers, tf.train,
 * tf.losses, tf.metrics, tf.initializers, and the members of Tensor/Variable/LayersModel/Optimizer, enumerated
 * from the module objects at run time, each with the status its row gives it (or `unmapped`).
 */
import type { Status } from '../schema.js';
import { lookup, lookupMember } from '../index.js';
import { effectiveStatus } from './status.js';
import type { RuntimeApi } from '../runtime_api.js';
import { ORDINARY } from './ordinary.js';
import { TF_NAMESPACES } from '../packages.js';

export type CoverageStatus = Status | 'unmapped' | 'internal';

export interface CoverageEntry {
  section: string;
  /** The row key: `tf.add`, `tf.layers.dense`, `Tensor.add`. */
  key: string;
  status: CoverageStatus;
  /** Why an export is `internal` (kernel-name constant, namespace, private helper). */
  why?: string;
}

export interface Coverage {
  entries: CoverageEntry[];
  /** Public API only (internal excluded): mapped = exact + semantic + pattern. */
  overall: { total: number; mapped: number; exactOrSemantic: number };
  ordinary: { total: number; exactOrSemantic: number; missing: string[] };
}

// tfjs-layers/tfjs-core members that are implementation details, not API a program calls.
const INTERNAL_MEMBER = /^(check|standardize|testLoop|predictLoop|getDeduped|make|fitLoop|retrieve|getLoss|getMetric|getTraining|loadTraining|setUserDefined|getUserDefined|getNamedWeights|incrementIterations|saveIterations|extractIterations|iterations$|dataId$|scopeId$|kept$|rankType$|kerasMask$|strides$|id$)/;

function names(obj: object, own = false): string[] {
  const ks = own ? Object.getOwnPropertyNames(obj) : Object.keys(obj);
  return ks.filter((k) => !['length', 'name', 'prototype', 'constructor', 'default'].includes(k)).sort();
}

function protoNames(ctor: { prototype: object }): string[] {
  return names(ctor.prototype, true);
}

export async function coverage(api: RuntimeApi): Promise<Coverage> {
  const tf = (await import('@tensorflow/tfjs')) as unknown as Record<string, unknown>;
  // Keeps tfjs's "install tfjs-node" banner out of the listing.
  (tf.env as () => { set(k: string, v: boolean): void })().set('PROD', true);
  const entries: CoverageEntry[] = [];
  const statusOf = (key: string): CoverageStatus => {
    const row = lookup(key);
    return row ? effectiveStatus(row, api) : 'unmapped';
  };
  for (const k of names(tf)) {
    const v = tf[k];
    const key = `tf.${k}`;
    if (typeof v === 'string') entries.push({ section: 'tf', key, status: 'internal', why: 'kernel-name constant' });
    else if (k.startsWith('_')) entries.push({ section: 'tf', key, status: 'internal', why: 'private' });
    else if (((v && typeof v === 'object') || TF_NAMESPACES.has(key)) && !lookup(key)) entries.push({ section: 'tf', key, status: 'internal', why: 'namespace' });
    else entries.push({ section: 'tf', key, status: statusOf(key) });
  }
  for (const ns of ['layers', 'train', 'losses', 'metrics', 'initializers']) {
    const obj = tf[ns] as object;
    for (const k of names(obj, ns === 'train')) {
      if (ns === 'layers' && /^[A-Z]/.test(k)) {
        entries.push({ section: `tf.${ns}`, key: `tf.${ns}.${k}`, status: 'internal', why: 'base class' });
        continue;
      }
      entries.push({ section: `tf.${ns}`, key: `tf.${ns}.${k}`, status: statusOf(`tf.${ns}.${k}`) });
    }
  }
  const t = (tf.zeros as (s: number[]) => object)([1]);
  const members: Record<string, string[]> = {
    Tensor: [...new Set([...protoNames(tf.Tensor as { prototype: object }), ...Object.keys(t)])].sort(),
    Variable: protoNames(tf.Variable as { prototype: object }),
    LayersModel: [...new Set([...protoNames(tf.LayersModel as { prototype: object }), 'countParams'])].sort(),
    Optimizer: [...new Set([...protoNames(tf.Optimizer as { prototype: object }), 'applyGradients'])].sort(),
  };
  for (const [cls, ms] of Object.entries(members)) {
    for (const m of ms) {
      const key = `${cls}.${m}`;
      if (INTERNAL_MEMBER.test(m) || m.startsWith('_') || (cls === 'Variable' && m === 'dispose')) {
        entries.push({ section: cls, key, status: 'internal', why: 'implementation detail' });
        continue;
      }
      const row = lookupMember(cls, m);
      entries.push({ section: cls, key, status: row ? effectiveStatus(row, api) : 'unmapped' });
    }
  }
  const pub = entries.filter((e) => e.status !== 'internal');
  const mapped = pub.filter((e) => e.status === 'exact' || e.status === 'semantic' || e.status === 'pattern').length;
  const exactOrSemantic = pub.filter((e) => e.status === 'exact' || e.status === 'semantic').length;
  const ordinaryMissing: string[] = [];
  let ordinaryOk = 0;
  for (const key of ORDINARY) {
    const row = key.startsWith('tf.') ? lookup(key) : lookupMember(key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1));
    const s = row ? effectiveStatus(row, api) : 'unmapped';
    if (s === 'exact' || s === 'semantic') ordinaryOk++;
    else ordinaryMissing.push(`${key} (${s})`);
  }
  return {
    entries,
    overall: { total: pub.length, mapped, exactOrSemantic },
    ordinary: { total: ORDINARY.length, exactOrSemantic: ordinaryOk, missing: ordinaryMissing },
  };
}

