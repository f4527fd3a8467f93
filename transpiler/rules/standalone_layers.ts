/**
 * A tf.layers.* call no model took (a layer outside tf.sequential/tf.model): called eagerly on tensors
 * (eager_layers.ts), or applied on the runtime graph (inline `tf.layers.x(c).apply(a)`, or declared and only ever
 * applied), else a TODO saying why not.
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import { WRAPPER_LAYERS, wrappedLayerOf } from './wrapper_layers.js';
import { eagerLayer } from './eager_layers.js';
import type { ModelRegistry } from './model_registry.js';

/** Runs after the model rules' rewrites, on the layer calls none of them consumed. */
export function standaloneLayers(registry: ModelRegistry): void {
  const { ctx, facts, layerCalls, applies, consumed } = registry;
  // Innermost first: a rewrite reads the rewritten text of what it contains, so what it contains goes before it.
  const outer = (c: ts.CallExpression): ts.Node => (ts.isPropertyAccessExpression(c.parent) && ts.isCallExpression(c.parent.parent) ? c.parent.parent : c);
  // The layer a wrapper (timeDistributed, bidirectional) wraps is planned with it (or is part of its TODO), never on its own.
  for (const [call, row] of layerCalls) {
    const inner = WRAPPER_LAYERS.has(row.tf) ? wrappedLayerOf(call) : undefined;
    if (inner && ts.isCallExpression(inner) && layerCalls.has(inner)) consumed.add(inner);
  }
  for (const [call, row] of [...layerCalls].sort((a, b) => outer(a[0]).end - outer(b[0]).end || outer(b[0]).pos - outer(a[0]).pos)) {
    if (consumed.has(call)) continue;
    const eager = eagerLayer(ctx, facts, call, row, applies, consumed);
    const graph = eager === undefined ? true : layerOnGraph(registry, call, row);
    const why = graph === true ? undefined : graph ?? eager;
    if (why !== undefined) ctx.todo(call, row.tf, 'layer-standalone', `${row.tf}: a layer outside tf.sequential/tf.model: ${why}`);
  }
}

/**
 * A layer the eager rule could not take, applied on the runtime graph: inline (`tf.layers.x(c).apply(a)`) or
 * declared and only ever applied. True when done, else why not; undefined when neither form applies.
 */
function layerOnGraph(registry: ModelRegistry, call: ts.CallExpression, row: Mapping): true | string | undefined {
  const { ctx, facts, applies, consumed } = registry;
  const pa = call.parent;
  const apply = pa && ts.isPropertyAccessExpression(pa) && pa.expression === call && pa.name.text === 'apply' && ts.isCallExpression(pa.parent) && pa.parent.expression === pa ? pa.parent : undefined;
  if (apply && applies.has(apply)) {
    const why = registry.fallback().inlineApply(apply, call, row);
    if (why !== undefined) return why;
    consumed.add(call).add(apply);
    return true;
  }
  const decl = call.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== call || !ts.isIdentifier(decl.name)) return undefined;
  const sym = ctx.checker.getSymbolAtLocation(decl.name);
  if (!sym) return undefined;
  const uses: ts.CallExpression[] = [];
  for (const r of facts.refs(sym)) {
    if (r === decl.name) continue;
    const p = r.parent;
    const c = p?.parent;
    if (!ts.isPropertyAccessExpression(p) || p.expression !== r || p.name.text !== 'apply' || !c || !ts.isCallExpression(c) || c.expression !== p || !applies.has(c)) return undefined;
    uses.push(c);
  }
  if (!uses.length) return undefined;
  const why = registry.fallback().declaredLayer(call, row, uses);
  if (why !== undefined) return why;
  consumed.add(call);
  for (const u of uses) consumed.add(u);
  return true;
}
