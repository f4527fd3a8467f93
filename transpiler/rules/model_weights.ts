/**
 * `model.trainableWeights` as a list of the variables an optimizer updates: the one use of it that has a rewrite.
 *
 *   const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);   // tfjs
 *   const dVars = [...discriminator.parameters()];                                      // runtime
 *
 * tfjs's trainableWeights are LayerVariables (read(), name, trainable); `.map((w) => w.read())` makes them the
 * variables `optimizer.minimize(f, true, varList)` takes. The migrated model's parameters are those tensors, in the
 * same order (each layer's kernel, then bias, layer by layer: the order both sides create them in). Any other use
 * (the LayerVariables themselves, `.name`, `.trainable`) stays a TODO: no one rewrite covers what is done with them.
 *
 * facts.ts reads the same shape to give an optimizer its parameters where its minimize names such a list declared
 * after it (a GAN's two optimizers, each with its model's weights).
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import { receiverClass, type FileContext } from '../context.js';
import { noPatternRule, type PatternRule } from './pattern_site.js';

const TODO_REASON = 'LayersModel.trainableWeights: use [...model.parameters()] (Parameters, which are tensors: drop .read())';

/** The `x.map((w) => w.read())` call around `access` (`as T` and parentheses allowed around the read). */
function readMapAround(access: ts.Node): ts.CallExpression | undefined {
  const pa = access.parent;
  if (!pa || !ts.isPropertyAccessExpression(pa) || pa.expression !== access || pa.name.text !== 'map') return undefined;
  const call = pa.parent;
  if (!ts.isCallExpression(call) || call.expression !== pa || call.arguments.length !== 1) return undefined;
  const fn = call.arguments[0];
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters.length !== 1 || !ts.isIdentifier(fn.parameters[0].name)) return undefined;
  const param = fn.parameters[0].name.text;
  let body: ts.Node = fn.body;
  if (ts.isBlock(body)) {
    const only = body.statements.length === 1 ? body.statements[0] : undefined;
    if (!only || !ts.isReturnStatement(only) || !only.expression) return undefined;
    body = only.expression;
  }
  while (ts.isParenthesizedExpression(body) || ts.isAsExpression(body) || ts.isTypeAssertionExpression(body) || ts.isNonNullExpression(body)) body = body.expression;
  if (!ts.isCallExpression(body) || body.arguments.length !== 0 || !ts.isPropertyAccessExpression(body.expression) || body.expression.name.text !== 'read') return undefined;
  const on = body.expression.expression;
  return ts.isIdentifier(on) && on.text === param ? call : undefined;
}

/**
 * The model of `M.trainableWeights.map((w) => w.read())` (or of `M.trainableWeights` itself) when M is a tfjs model
 * (by data flow); undefined otherwise.
 */
export function trainableWeightsModel(ctx: FileContext, expr: ts.Expression): ts.Expression | undefined {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
  let access: ts.Expression = e;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map') {
    access = e.expression.expression;
    if (readMapAround(access) !== e) return undefined;
  }
  if (!ts.isPropertyAccessExpression(access) || access.name.text !== 'trainableWeights') return undefined;
  const cls = receiverClass(ctx.kindOf(access.expression));
  return cls === 'LayersModel' || cls === 'Sequential' ? access.expression : undefined;
}

/** The `LayersModel.trainableWeights` pattern site: `node` is the property access, `receiver` the model. */
/** The pattern rule: a `model.trainableWeights` read (the receiver is the model). */
export const trainableWeights: PatternRule = (site) => {
  if (site.receiver) trainableWeightsRead(site.rules.ctx, site.node, site.row, site.receiver);
  else noPatternRule(site);
};

function trainableWeightsRead(ctx: FileContext, node: ts.Node, row: Mapping, receiver: ts.Expression): void {
  const call = readMapAround(node);
  if (!call) return void ctx.todo(node, row.tf, 'no-equivalent', TODO_REASON);
  ctx.defer(call, () => {
    const model = ctx.rewritten(receiver);
    ctx.rewrite(call, row.tf, `[...${model}.parameters()]`, row.notes ?? [], undefined, [model]);
  });
}
