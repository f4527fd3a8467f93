/**
 * A mapping row's op class, which picks its tolerance (tolerance.ts). Derived from the row, not written in it:
 *
 * 1. by name, for ops whose area does not say how they compute (the `Tensor.` prefix of a method is dropped first):
 *    matMul/dot/outerProduct → `matmul`; convolutions and pooling (window sums) → `conv`; softmax, logSoftmax,
 *    cumsum/cumprod and moments (each output sums along an axis) → `reduction`;
 * 2. by the area of the row (for a `Tensor.x` method, the area of `tf.x`): Reductions, Losses and Metrics →
 *    `reduction`; Tensor creation, Shape and indexing, Memory/values, Classes and types → `layout`; Layers and
 *    Models → `matmul` (Dense is the common case; conv layers are caught by rule 1); everything else (math,
 *    neural-network ops, gradients, optimizers, initializers) → `elementwise`;
 * 3. a Tensor method with no function row (flatten, as1D, clone…) → `layout`.
 */
import { AREAS } from '../mappings/index.js';
import type { Mapping } from '../mappings/schema.js';
import type { OpClass } from './tolerance.js';

const BY_NAME: Record<string, OpClass> = {
  matMul: 'matmul', dot: 'matmul', outerProduct: 'matmul',
  conv1d: 'conv', conv2d: 'conv', conv3d: 'conv', conv2dTranspose: 'conv', depthwiseConv2d: 'conv', separableConv2d: 'conv',
  maxPool: 'conv', avgPool: 'conv', pool: 'conv', maxPool3d: 'conv', avgPool3d: 'conv',
  softmax: 'reduction', logSoftmax: 'reduction', cumsum: 'reduction', cumprod: 'reduction', moments: 'reduction',
};

const BY_AREA: Record<string, OpClass> = {
  'Tensor creation': 'layout',
  'Arithmetic and math': 'elementwise',
  Reductions: 'reduction',
  'Shape and indexing': 'layout',
  'Neural-network ops': 'elementwise',
  Gradients: 'elementwise',
  Optimizers: 'elementwise',
  Losses: 'reduction',
  Metrics: 'reduction',
  Layers: 'matmul',
  Initializers: 'elementwise',
  Models: 'matmul',
  'Memory, values and environment': 'layout',
  'Classes and types': 'layout',
};

const areaOf = new Map<string, string>();
for (const a of AREAS) for (const r of a.rows) if (!areaOf.has(r.tf)) areaOf.set(r.tf, a.name);

export function opClassOf(row: Pick<Mapping, 'tf'>): OpClass {
  const isMethod = row.tf.startsWith('Tensor.');
  const name = row.tf.split('.').pop() as string;
  if (BY_NAME[name]) return BY_NAME[name];
  const area = areaOf.get(isMethod ? `tf.${name}` : row.tf);
  if (area && area !== 'Tensor methods') return BY_AREA[area] ?? 'elementwise';
  return 'layout';
}
