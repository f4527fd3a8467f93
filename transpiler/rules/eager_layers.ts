/**
 * Layers used eagerly, outside any model: `const dense = tf.layers.dense({ units: 8 }); const y = dense.apply(x)`
 * where `x` is a tensor. The layer becomes the module(s) it stands for (a lazy one when its input size is only
 * known at the first call, as tfjs builds the layer then), TensorFlow's initialisation follows the declaration,
 * and each `apply(x)` becomes `forward(x)`. Only layers that work in tfjs's layout qualify (dense, activations,
 * dropout, …): a channels-first one (conv, pooling) would need permutes around every call, and stays a TODO.
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import type { Facts } from './facts.js';
import { buildChain, FieldNames, initLoop } from './model_code.js';

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
  // What the layer becomes does not depend on its uses (so a second migration says the same).
  const chain = buildChain([{ row, site: ctx.callSite(row.tf, call) }], null, ctx.opts.layout, ctx.opts.api, new FieldNames(new Set()), name);
  if ('error' in chain) return chain.error;
  if (!chain.modulesOnly || chain.inputPermute || chain.steps.some((s) => s.permute)) {
    return `${row.tf} works channels-first in the runtime, so applied eagerly it would need permutes around every call; build it into a model (tf.sequential) instead`;
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
    const kind = ctx.kindOf(c.arguments[0]);
    if (kind !== 'Tensor' && kind !== 'Variable') return `${name}.apply on a value that is not known to be a tensor (symbolic inputs belong in a tf.model)`;
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
    ctx.edits.insert(nl === -1 ? ctx.text.length : nl + 1, `${init.join('\n')}\n`);
  }
  for (const u of uses) {
    const arg = ctx.rewritten(u.arguments[0]);
    ctx.rewrite(u, 'Layer.apply', `${name}.forward(${arg})`, ['eager-layer'], undefined, [arg]);
    consumed.add(u);
  }
  return undefined;
}
