/**
 * Transfer learning's cut of a loaded model:
 *
 *   const mobilenet = await tf.loadLayersModel(url);
 *   const layer = mobilenet.getLayer('conv_pw_13_relu');
 *   truncated = tf.model({ inputs: mobilenet.inputs, outputs: layer.output });
 *
 * becomes `io.getLayer(mobilenet, 'conv_pw_13_relu')` and `io.modelUpTo(mobilenet, layer)` (runtime/io/
 * layers_model_cut.ts: the loaded graph from its inputs to that layer's output, sharing its modules). Only a model
 * the file loads with tf.loadLayersModel has layers by tfjs name at run time; getLayer on a model the file builds
 * (its layers are fields named by the migration) stays a TODO.
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';

const unwrap = (e: ts.Expression): ts.Expression => {
  while (ts.isAwaitExpression(e) || ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
};

/** The variable behind `e` when it is a name declared `const|let m = await tf.loadLayersModel(...)`. */
export function loadedModel(ctx: FileContext, e: ts.Expression): ts.Symbol | undefined {
  const id = unwrap(e);
  if (!ts.isIdentifier(id)) return undefined;
  const sym = ctx.checker.getSymbolAtLocation(id);
  const d = sym?.valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
  const init = unwrap(d.initializer);
  return ts.isCallExpression(init) && ctx.qualify(init.expression) === 'tf.loadLayersModel' ? sym : undefined;
}

/** `m.getLayer(name)` on a loaded model → `io.getLayer(m, name)`; elsewhere a TODO saying what to do instead. */
export function getLayerSite(ctx: FileContext, call: ts.CallExpression, row: Mapping): void {
  const access = call.expression;
  const recv = ts.isPropertyAccessExpression(access) ? access.expression : undefined;
  if (!recv || !loadedModel(ctx, recv)) {
    ctx.todo(call, row.tf, 'no-equivalent', `${row.tf}: access the submodule by field name or getSubmodule() (io.getLayer finds layers by name only in a model tf.loadLayersModel loaded)`);
    return;
  }
  const arg = call.arguments[0];
  if (call.arguments.length !== 1 || !arg || ts.isSpreadElement(arg)) {
    ctx.todo(call, row.tf, 'no-equivalent', `${row.tf}: getLayer by index (or with no name) has no counterpart; name the layer as in the model.json`);
    return;
  }
  const r = ctx.rewritten(recv);
  const a = ctx.rewritten(arg);
  ctx.rewrite(call, row.tf, `io.getLayer(${r}, ${a})`, ['loaded-model-cut'], undefined, [r, a]);
}

/**
 * `tf.model({ inputs: m.inputs, outputs: l.output | [l1.output, ...] })` where m is a loaded model and each l is
 * `m.getLayer(...)` (inline, or a const holding it): `io.modelUpTo(m, l)`. Returns the code, or undefined when the
 * call is not that shape (the functional rule then takes it).
 */
export function loadedModelCut(ctx: FileContext, call: ts.CallExpression): string | undefined {
  const cfg = call.arguments[0];
  if (call.arguments.length !== 1 || !cfg || !ts.isObjectLiteralExpression(cfg)) return undefined;
  const props = new Map<string, ts.Expression>();
  for (const p of cfg.properties) {
    if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return undefined;
    props.set(p.name.text, p.initializer);
  }
  // A `name` (or anything else) would be dropped: not this rule's shape.
  if (props.size !== 2 || !props.has('inputs') || !props.has('outputs')) return undefined;
  const inputs = unwrap(props.get('inputs')!);
  if (!ts.isPropertyAccessExpression(inputs) || inputs.name.text !== 'inputs') return undefined;
  const model = loadedModel(ctx, inputs.expression);
  if (!model) return undefined;
  const outs = unwrap(props.get('outputs')!);
  const list = ts.isArrayLiteralExpression(outs) ? [...outs.elements] : [outs];
  const layers: string[] = [];
  for (const o of list) {
    const e = unwrap(o);
    if (!ts.isPropertyAccessExpression(e) || e.name.text !== 'output') return undefined;
    const layer = unwrap(e.expression);
    if (!isGetLayerOf(ctx, layer, model)) return undefined;
    layers.push(ctx.rewritten(layer));
  }
  const m = ctx.rewritten(inputs.expression);
  return `io.modelUpTo(${m}, ${ts.isArrayLiteralExpression(outs) ? `[${layers.join(', ')}]` : layers[0]})`;
}

/** `model.getLayer(...)` of that very model, inline or the initializer of the const `e` names. */
function isGetLayerOf(ctx: FileContext, e: ts.Expression, model: ts.Symbol): boolean {
  let call: ts.Expression = e;
  if (ts.isIdentifier(e)) {
    const d = ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !(d.parent.flags & ts.NodeFlags.Const)) return false;
    call = unwrap(d.initializer);
  }
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'getLayer') return false;
  return loadedModel(ctx, call.expression.expression) === model;
}
