/** A row's status once the runtime is taken into account: a target naming something missing is `manual`. */
import type { Mapping, Status } from '../schema.js';
import { templateTexts } from '../template.js';
import { missingNames, type RuntimeApi } from '../runtime_api.js';

/** Runtime names a row's targets and examples use that the runtime does not export. */
export function rowMissing(row: Mapping, api: RuntimeApi): string[] {
  // Type-only targets (torch.DType) are not runtime values, and pattern targets are descriptions; both are
  // checked where they are emitted (the fixtures type-check against the runtime).
  if (row.kind === 'type' || row.status === 'pattern') return [];
  // A property read that stays as it is (`t.shape`) names nothing new.
  if (row.kind === 'property' && row.target === `$self.${row.tf.slice(row.tf.indexOf('.') + 1)}`) return [];
  const texts = [...templateTexts(row), ...(row.transform ? (row.examples ?? []).map((e) => e.torch) : [])];
  return [...new Set(texts.flatMap((t) => missingNames(t, api)))];
}

export function effectiveStatus(row: Mapping, api: RuntimeApi): Status {
  if (row.status === 'manual') return 'manual';
  return rowMissing(row, api).length ? 'manual' : row.status;
}
