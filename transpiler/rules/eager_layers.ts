/**
 * Layers used eagerly, outside any model: `const dense = tf.layers.dense({ units: 8 }); const y = dense.apply(x)`
 * where `x` is a tensor. The layer becomes the module(s) it stands for (a lazy one when its input size is only
 * known at the first call, as tfjs builds the layer then), TensorFlow's initialisation follows the declaration,
 * and each `apply(x)` becomes `forward(x)` — for a channels-first layer (conv, pooling) with tfjs's NHWC input
 * permuted in and the output permuted back, so the values the program sees keep tfjs's layout.
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import type { Facts } from './facts.js';
import { buildChain, FieldNames, initLoop, permutes } from './model_code.js';

/** Why the layer cannot be migrated eagerly (undefined: it was). The nodes it rewrote go into `consumed`. */
export function eagerLayer(ctx: FileContext, facts: Facts, call: ts.CallExpression, row: Mapping, applies: ReadonlyMap<ts.CallExpression, Mapping>, consumed: Set<ts.Node>): string | undefined {
  const decl = call.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== call || !ts.isIdentifier(decl.name)) return 'declare the layer with `const layer = tf.layers.x(...)` to use it outside a model';
  const list = decl.parent;
  const stmt = list.parent;
  if (!ts.isVariableDeclarationList(list) || list.declarations.length !== 1 || !ts.isVariableStatement(stmt)) return 'declare the layer in a statement of its own';
  const sym = ctx.checker.getSymbolAtLocation(decl.name);
  if (!sym) return 'the layer variable has no symbol';
  const name = decl.name.text;
  // What the layer becomes does not depend on its uses (so a second migration says the same). A 1-D or 2-D
  // spatial layer's rank is known from its kind even when its sizes are not.
  const rank = /(?:2d|2D)(?:Transpose)?$/.test(row.tf) ? 3 : /(?:1d|1D)$/.test(row.tf) ? 2 : undefined;
  const site = ctx.callSite(row.tf, call);
  const own = buildChain([{ row, site }], null, ctx.opts.layout, ctx.opts.api, new FieldNames(new Set()), name);
  const chain = 'error' in own && rank ? buildChain([{ row, site }], Array(rank).fill(null), ctx.opts.layout, ctx.opts.api, new FieldNames(new Set()), name) : own;
  if ('error' in chain) return chain.error;
  // A channels-first layer (conv, pooling) gets tfjs's NHWC input permuted in and its output permuted back.
  const perm = chain.inputPermute && rank ? permutes(rank + 1) : undefined;
  if (!chain.modulesOnly || chain.steps.some((s) => s.permute) || (chain.inputPermute && !perm)) {
    return `${row.tf} needs a layout the transpiler cannot give it outside a model; build it into a model (tf.sequential) instead`;
  }
  // Every use must be `layer.apply(tensor)`.
  const uses: ts.CallExpression[] = [];
  for (const r of facts.refs(sym)) {
    if (r === decl.name) continue;
    const pa = r.parent;
    const c = pa?.parent;
    if (!ts.isPropertyAccessExpression(pa) || pa.expression !== r || pa.name.text !== 'apply' || !c || !ts.isCallExpression(c) || c.expression !== pa || !applies.has(c)) {
      return `'${name}' is used other than as ${name}.apply(tensor) (a model, a symbolic input or a layer property)`;
    }
    if (c.arguments.length !== 1) return `${name}.apply with more than one argument`;
    if (!isTensor(ctx, c.arguments[0], applies)) return `${name}.apply on a value that is not known to be a tensor (symbolic inputs belong in a tf.model)`;
    uses.push(c);
  }
  if (!uses.length) return `'${name}' is never applied`;
  const code = chain.fields.length === 1 ? chain.fields[0].code : `new nn.Sequential(${chain.fields.map((f) => f.code).join(', ')})`;
  const user = ctx.callSite(row.tf, call).args.flatMap((a) => [a.text, ...Object.values(a.props ?? {}).map((p) => p.text)]);
  if (!ctx.rewrite(call, row.tf, code, [...chain.notes, 'eager-layer'], undefined, user)) return undefined;
  consumed.add(call);
  const indent = ctx.indent(stmt);
  const init = initLoop(chain.fields, name, indent);
  if (init.length) {
    const nl = ctx.text.indexOf('\n', stmt.getEnd());
    ctx.insert(nl === -1 ? ctx.text.length : nl + 1, `${init.join('\n')}\n`);
  }
  for (const u of uses) {
    const arg = ctx.rewritten(u.arguments[0]);
    const input = perm ? `${/^[\w$.]+$/.test(arg) ? arg : `(${arg})`}.permute(${perm.toCf})` : arg;
    const code = perm ? `${name}.forward(${input}).permute(${perm.toTf})` : `${name}.forward(${arg})`;
    ctx.rewrite(u, 'Layer.apply', code, perm ? ['eager-layer', 'nhwc-nchw'] : ['eager-layer'], undefined, [arg]);
    consumed.add(u);
  }
  return undefined;
}

/** A tensor value: known as one, or another layer applied to one (`pool.apply(conv.apply(x))`). */
function isTensor(ctx: FileContext, e: ts.Expression, applies: ReadonlyMap<ts.CallExpression, Mapping>): boolean {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) {
    if (ts.isAsExpression(e)) {
      const k = ctx.kindOf(e);
      if (k === 'Tensor' || k === 'Variable') return true;
    }
    e = e.expression;
  }
  const kind = ctx.kindOf(e);
  if (kind === 'Tensor' || kind === 'Variable') return true;
  return ts.isCallExpression(e) && applies.has(e) && e.arguments.length === 1 && isTensor(ctx, e.arguments[0], applies);
}
