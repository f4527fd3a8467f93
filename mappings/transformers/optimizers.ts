/** tf.train.*: the optimizer template, with `$params` — what it updates — found by the transpiler. */
import type { Transformer } from '../schema.js';
import { codeArg, render } from '../template.js';
import { code, todo } from './util.js';

export const optimizer: Transformer = (site, row) => {
  if (!site.paramsCode) {
    return todo('optimizer-params-unknown', `${row.tf}: pass the parameters to train (model.parameters() or [w, b]) when creating the optimizer`);
  }
  const r = render(row, site, { params: codeArg(site.paramsCode) });
  if (r.ok) return code(r.code);
  if (r.unsupported) return todo('no-equivalent', `${row.tf}: ${row.reason ?? `argument '${r.unsupported}' has no runtime equivalent`}`);
  return todo('no-equivalent', `${row.tf}: missing argument ${r.missing}`);
};
