/** Small builders that keep the area tables readable; every row is still a plain `Mapping` object. */
import type { Mapping, NestedNumbers, Sample, SampleValue } from '../schema.js';

/** A tensor sample value (float32 unless said otherwise). */
export const T = (tensor: NestedNumbers, dtype?: 'float32' | 'int32' | 'bool'): SampleValue => (dtype ? { tensor, dtype } : { tensor });

/** Common sample inputs. */
export const S = {
  m2x3: T([[1, -2, 3], [-4, 5, -6]]),
  m2x3b: T([[0.5, 2, -1], [3, -0.25, 4]]),
  pos2x3: T([[0.5, 1, 2], [3, 4, 0.25]]),
  unit2x3: T([[0.1, -0.5, 0.9], [-0.3, 0.7, 0.2]]),
  v4: T([1.5, -2, 0.25, 3]),
  m3x2: T([[1, 2], [3, 4], [5, 6]]),
  m2x2: T([[1, 2], [3, 4]]),
} as const;

export const samples = (...s: Sample[]): Sample[] => s;

/** A `manual` row: the reason is what the TODO marker says. */
/** Marks a tf.* row whose op tfjs also has as a Tensor method, `x.<name>(...rest)` (see table/tensor_methods.ts). */
export function chainable(row: Mapping): Mapping {
  return { ...row, chainable: true };
}

export function manual(tf: string, reason: string, extra: Partial<Mapping> = {}): Mapping {
  return { tf, kind: tf.startsWith('tf.') ? 'function' : 'method', status: 'manual', reason, notes: ['no-equivalent'], ...extra };
}
