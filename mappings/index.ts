/**
 * The mapping table: every row from every area, keyed by fully qualified TensorFlow.js name. This module is
 * the only way the transpiler learns a TensorFlow name.
 */
import type { Mapping } from './schema.js';
import { creation } from './table/creation.js';
import { math } from './table/math.js';
import { reduction } from './table/reduction.js';
import { shape } from './table/shape.js';
import { nnOps } from './table/nn_ops.js';
import { gradients } from './table/gradients.js';
import { optimizers } from './table/optimizers.js';
import { losses } from './table/losses.js';
import { metrics } from './table/metrics.js';
import { layers } from './table/layers.js';
import { model } from './table/model.js';
import { memoryIo } from './table/memory_io.js';
import { types } from './table/types.js';
import { initializers } from './table/initializers.js';
import { utilRows } from './table/util.js';
import { dataRows } from './table/data.js';
import { image } from './table/image.js';
import { methodOf, tensorOnly } from './table/tensor_methods.js';

export type { Mapping } from './schema.js';

const functionRows = [...creation, ...math, ...reduction, ...shape, ...nnOps];

/** The Tensor methods that are a tf.* function with the receiver first: one per row marked `chainable`. */
function chainable(): Mapping[] {
  return functionRows.filter((r) => r.chainable).map((fn) => methodOf(fn, fn.tf.slice('tf.'.length)))
    .sort((a, b) => (a.tf < b.tf ? -1 : 1));
}

/** The table, by area (the order MAPPINGS.md uses). */
export const AREAS: readonly { name: string; rows: readonly Mapping[] }[] = [
  { name: 'Tensor creation', rows: creation },
  { name: 'Arithmetic and math', rows: math },
  { name: 'Reductions', rows: reduction },
  { name: 'Shape and indexing', rows: shape },
  { name: 'Neural-network ops', rows: nnOps },
  { name: 'Gradients', rows: gradients },
  { name: 'Optimizers', rows: optimizers },
  { name: 'Losses', rows: losses },
  { name: 'Metrics', rows: metrics },
  { name: 'Layers', rows: layers },
  { name: 'Initializers', rows: initializers },
  { name: 'Models', rows: model },
  { name: 'Memory, values and environment', rows: memoryIo },
  { name: 'tf.util and tf.nextFrame', rows: utilRows },
  { name: 'tf.data', rows: dataRows },
  { name: 'tf.image and tf.browser', rows: image },
  { name: 'Tensor methods', rows: [...chainable(), ...tensorOnly] },
  { name: 'Classes and types', rows: types },
];

export const TABLE: readonly Mapping[] = AREAS.flatMap((a) => a.rows);

const byKey = new Map<string, Mapping>();
for (const row of TABLE) {
  if (byKey.has(row.tf)) throw new Error(`mappings: duplicate row ${row.tf}`);
  byKey.set(row.tf, row);
}

/** The row for a fully qualified name, if any. */
export function lookup(key: string): Mapping | undefined {
  return byKey.get(key);
}

/**
 * Method/property rows for a receiver class, falling back along tfjs's class hierarchy: a Variable is a
 * Tensor, a Sequential is a LayersModel.
 */
const PARENT: Record<string, string> = { Variable: 'Tensor', Sequential: 'LayersModel' };
export function lookupMember(receiverClass: string, member: string): Mapping | undefined {
  for (let c: string | undefined = receiverClass; c; c = PARENT[c]) {
    const row = byKey.get(`${c}.${member}`);
    if (row) return row;
  }
  return undefined;
}

/** Every member name that some row maps on some receiver class (the transpiler only type-checks these). */
export const MEMBER_NAMES: ReadonlySet<string> = new Set(
  TABLE.filter((r) => !r.tf.startsWith('tf.')).map((r) => r.tf.slice(r.tf.indexOf('.') + 1)),
);
