/**
 * One row, one call site → code or a TODO: receiver-first method rows are sent to their function row, a
 * transformer runs when the row names one, otherwise the template is rendered. The transpiler and the
 * table's own tests both emit through here.
 */
import type { CallSite, Emit, Mapping } from './schema.js';
import { render } from './template.js';
import { TRANSFORMERS } from './transformers/index.js';
import { lookup } from './index.js';

export function emitRow(row: Mapping, site: CallSite): Emit {
  if (row.receiverAs && site.receiver) {
    const fn = lookup(row.receiverAs);
    if (fn) return emitRow(fn, { ...site, key: fn.tf, args: [site.receiver, ...site.args], receiver: undefined });
  }
  if (row.status === 'manual') return { kind: 'todo', note: row.notes?.[0] ?? 'no-equivalent', detail: `${row.tf}: ${row.reason ?? 'no runtime equivalent'}` };
  if (row.transform) {
    const t = TRANSFORMERS[row.transform];
    if (!t) return { kind: 'todo', note: 'unmapped', detail: `${row.tf}: transformer '${row.transform}' is not registered` };
    return t(site, row);
  }
  const r = render(row, site);
  if (r.ok) return { kind: 'code', code: r.code, notes: r.dropped.includes('seed') ? ['random-seed-arg'] : undefined };
  if (r.unsupported) return { kind: 'todo', note: 'no-equivalent', detail: `${row.tf}: ${row.reason ?? `argument '${r.unsupported}' has no runtime equivalent`}` };
  return { kind: 'todo', note: 'no-equivalent', detail: `${row.tf}: cannot rewrite this call (${r.missing})` };
}
