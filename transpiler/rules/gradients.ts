/**
 * Pattern rules for training steps written with tfjs's gradient APIs:
 * - `const { value, grads } = tf.variableGrads(f); optimizer.applyGradients(grads);`
 *   → `optimizer.zeroGrad(); const value = torch.tidy(() => f()); value.backward(); ... optimizer.step();`
 * - `optimizer.minimize(f)` → `optimizer.zeroGrad(); torch.tidy(() => f().backward()); optimizer.step();`
 *   (with returnCost: `const loss = torch.tidy(() => f()); loss.backward();` between the two).
 * The tidy is tfjs's own memory semantics: both APIs run f in a tidy scope and keep only the value. It does not
 * cut the gradient: the graph holds what backward needs until backward frees it (runtime/MEMORY.md).
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import { type FileContext, skipParensUp } from '../context.js';
import type { Facts } from './facts.js';
import { noPatternRule, type PatternRule } from './pattern_site.js';

/** The variableGrads rule: `tf.variableGrads(f)` with the `optimizer.applyGradients(grads)` it pairs with. */
export const variableGrads: PatternRule = (site) => {
  const { node, row, key, rules } = site;
  // An applyGradients the rule paired is claimed before the walk reaches it: one that gets here has no pair.
  if (row.tf === 'Optimizer.applyGradients') {
    rules.ctx.todo(node, key, 'variable-grads-values', 'optimizer.applyGradients without a tf.variableGrads the transpiler could pair it with: call loss.backward() and optimizer.step()');
    return;
  }
  if (ts.isCallExpression(node)) return variableGradsStep(rules.ctx, rules.facts, node, row);
  noPatternRule(site);
};

/** The minimize rule: `optimizer.minimize(f)`. */
export const minimize: PatternRule = (site) => {
  const { node, row, receiver, rules } = site;
  if (ts.isCallExpression(node) && receiver) return minimizeStep(rules.ctx, node, row, receiver);
  noPatternRule(site);
};

/** The code that evaluates a loss closure: its expression body, or a call of it. */
export function callOf(ctx: FileContext, f: ts.Expression): string {
  const inner = ts.isParenthesizedExpression(f) ? f.expression : f;
  if (ts.isArrowFunction(inner) && !ts.isBlock(inner.body) && inner.parameters.length === 0) {
    const body = ts.isParenthesizedExpression(inner.body) ? inner.body.expression : inner.body;
    return ctx.rewritten(body);
  }
  const t = ctx.rewritten(f);
  return ts.isIdentifier(f) || ts.isPropertyAccessExpression(f) ? `${t}()` : `(${t})()`;
}

const receiverText = (t: string, node: ts.Expression) => (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) ? t : `(${t})`);

/** Is this a pure, cheap expression (safe to write twice)? */
function pure(node: ts.Expression): boolean {
  return ts.isIdentifier(node) || (ts.isPropertyAccessExpression(node) && pure(node.expression)) || node.kind === ts.SyntaxKind.ThisKeyword;
}

function variableGradsStep(ctx: FileContext, facts: Facts, call: ts.CallExpression, row: Mapping): void {
  const key = row.tf;
  const top = skipParensUp(call);
  const decl = top.parent;
  const fail = (why: string) => ctx.todo(call, key, 'variable-grads-values', `tf.variableGrads: ${why}; use loss.backward() and optimizer.step(), or torch.autograd.grad(loss, params)`);
  if (!ts.isVariableDeclaration(decl) || !ts.isObjectBindingPattern(decl.name) || (decl.parent as ts.VariableDeclarationList).declarations.length !== 1) return fail('the result is not destructured into { value, grads }');
  const stmt = decl.parent.parent;
  if (!ts.isVariableStatement(stmt) || !(ts.isBlock(stmt.parent) || ts.isSourceFile(stmt.parent))) return fail('unsupported position');
  let valueName: string | undefined;
  let gradsId: ts.Identifier | undefined;
  for (const el of decl.name.elements) {
    const prop = (el.propertyName ?? el.name) as ts.Identifier;
    if (!ts.isIdentifier(el.name)) return fail('nested destructuring');
    if (prop.text === 'value') valueName = el.name.text;
    else if (prop.text === 'grads') gradsId = el.name;
  }
  if (!gradsId) return fail('grads is not used');
  const gsym = ctx.checker.getSymbolAtLocation(gradsId)!;
  const all = facts.refs(gsym).filter((r) => r !== gradsId);
  // `tf.dispose(grads)` / `tf.dispose([xs, ys, grads])`: the program frees the map; after the migration the
  // gradients are the parameters' .grad (freed by the next zeroGrad), so the disposal of the map is dropped.
  const disposals = all.map((u) => disposalOf(ctx, u));
  const uses = all.filter((_, i) => !disposals[i]);
  const apply = uses.map((u) => {
    const c = u.parent;
    if (ts.isCallExpression(c) && c.arguments[0] === u && ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'applyGradients' && ts.isExpressionStatement(c.parent)) return c;
    return undefined;
  });
  if (uses.length !== 1 || !apply[0]) return fail('the gradients are used as values (not only passed to optimizer.applyGradients)');
  const applyCall = apply[0];
  const opt = applyCall.expression as ts.PropertyAccessExpression;
  if (!pure(opt.expression)) return fail('the optimizer is not a plain name');
  const f = call.arguments[0];
  if (!f) return fail('no loss function');
  ctx.claimed.add(applyCall);
  for (const d of disposals) if (d) dropDisposal(ctx, d);
  ctx.defer(stmt, () => {
    const optText = receiverText(ctx.rewritten(opt.expression), opt.expression);
    const indent = ctx.indent(stmt);
    const loss = callOf(ctx, f);
    const lines = [`${optText}.zeroGrad();`];
    if (valueName) lines.push(`const ${valueName} = torch.tidy(() => ${loss});`, `${valueName}.backward();`);
    else lines.push(`torch.tidy(() => ${/^[\w$.]+\(.*\)$/s.test(loss) ? loss : `(${loss})`}.backward());`);
    if (!ctx.rewrite(stmt, key, lines.join(`\n${indent}`), ['variable-grads-step'], undefined, [optText, loss])) return;
    ctx.rewrite(applyCall.parent, 'Optimizer.applyGradients', `${optText}.step();`, ['variable-grads-step'], undefined, [optText]);
  });
}

/** Where `u` (the gradient map) is only disposed: the dispose statement, or the array element inside one. */
type Disposal = { statement: ts.ExpressionStatement } | { array: ts.ArrayLiteralExpression; element: ts.Identifier };

function disposalOf(ctx: FileContext, u: ts.Identifier): Disposal | undefined {
  const isDispose = (c: ts.Node): c is ts.CallExpression => ts.isCallExpression(c) && c.arguments.length === 1 && ctx.qualify(c.expression) === 'tf.dispose';
  const p = u.parent;
  if (isDispose(p) && p.arguments[0] === u && ts.isExpressionStatement(p.parent)) return { statement: p.parent };
  if (ts.isArrayLiteralExpression(p) && isDispose(p.parent) && p.parent.arguments[0] === p) return { array: p, element: u };
  return undefined;
}

function dropDisposal(ctx: FileContext, d: Disposal): void {
  if ('statement' in d) {
    ctx.note(d.statement, 'variable-grads-dispose', 'tf.dispose');
    ctx.removeStatement(d.statement);
    return;
  }
  const els = d.array.elements;
  const i = els.indexOf(d.element);
  ctx.note(d.element, 'variable-grads-dispose', 'tf.dispose');
  // The element and the comma that joins it to its neighbour (the one before it; the one after for the first).
  if (els.length === 1) ctx.edits.replace(d.element.getStart(ctx.sf), d.element.getEnd(), '');
  else if (i > 0) ctx.edits.replace(els[i - 1].getEnd(), d.element.getEnd(), '');
  else ctx.edits.replace(d.element.getStart(ctx.sf), els[1].getStart(ctx.sf), '');
}

function minimizeStep(ctx: FileContext, call: ts.CallExpression, row: Mapping, receiver: ts.Expression): void {
  const key = row.tf;
  if (!pure(receiver)) {
    ctx.todo(call, key, 'minimize-step', 'optimizer.minimize on an expression: bind the optimizer to a const first');
    return;
  }
  const f = call.arguments[0];
  if (!f) {
    ctx.todo(call, key, 'minimize-step', 'optimizer.minimize without a loss function');
    return;
  }
  const parent = skipParensUp(call).parent;
  const target = ts.isExpressionStatement(parent) || ts.isReturnStatement(parent) ? parent : ts.isVariableDeclaration(parent) ? parent.parent.parent : call;
  ctx.defer(target, () => minimizeNow(ctx, call, row, receiver, f, parent));
}

function minimizeNow(ctx: FileContext, call: ts.CallExpression, row: Mapping, receiver: ts.Expression, f: ts.Expression, parent: ts.Node): void {
  const key = row.tf;
  const opt = receiverText(ctx.rewritten(receiver), receiver);
  const loss = callOf(ctx, f);
  const user = [opt, loss];
  // The name for the loss value must not capture a name the loss expression uses (`const loss = loss(p, y)`).
  const v = /(?<![\w$.])loss(?![\w$])/.test(loss) ? 'lossValue' : 'loss';
  if (ts.isExpressionStatement(parent) && (ts.isBlock(parent.parent) || ts.isSourceFile(parent.parent) || ts.isCaseClause(parent.parent))) {
    const indent = ctx.indent(parent);
    const backward = /^[\w$.]+\(.*\)$/s.test(loss) && !loss.includes('\n') ? `${loss}.backward()` : `(${loss}).backward()`;
    ctx.rewrite(parent, key, [`${opt}.zeroGrad();`, `torch.tidy(() => ${backward});`, `${opt}.step();`].join(`\n${indent}`), row.notes, undefined, user);
    return;
  }
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && (parent.parent as ts.VariableDeclarationList).declarations.length === 1 && ts.isVariableStatement(parent.parent.parent)) {
    const stmt = parent.parent.parent;
    const indent = ctx.indent(stmt);
    const kw = parent.parent.flags & ts.NodeFlags.Const ? 'const' : 'let';
    const name = parent.name.text;
    ctx.rewrite(stmt, key, [`${opt}.zeroGrad();`, `${kw} ${name} = torch.tidy(() => ${loss});`, `${name}.backward();`, `${opt}.step();`].join(`\n${indent}`), row.notes, undefined, user);
    return;
  }
  if (ts.isReturnStatement(parent) && ts.isBlock(parent.parent)) {
    const indent = ctx.indent(parent);
    ctx.rewrite(parent, key, [`${opt}.zeroGrad();`, `const ${v} = torch.tidy(() => ${loss});`, `${v}.backward();`, `${opt}.step();`, `return ${v};`].join(`\n${indent}`), row.notes, undefined, user);
    return;
  }
  // Inside an expression (an arrow body): an immediately invoked step that returns the loss.
  ctx.rewrite(call, key, `(() => { ${opt}.zeroGrad(); const ${v} = torch.tidy(() => ${loss}); ${v}.backward(); ${opt}.step(); return ${v}; })()`, row.notes, undefined, user);
}
