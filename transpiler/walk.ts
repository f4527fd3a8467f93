/**
 * The walk: every node bottom-up (arguments before the call that takes them, so nested rewrites compose).
 * A node is a TensorFlow site when it qualifies to a tf name through the file's bindings (calls, `new`,
 * values, types) or is a member of a value whose kind is a tfjs class (by data flow or the type checker).
 * 1:1 rows are emitted here; pattern rows and layers go to the rules.
 */
import { ts } from 'ts-morph';
import { lookup, lookupMember, MEMBER_NAMES } from '../mappings/index.js';
import { emitRow } from '../mappings/emit.js';
import { LAYER_TRANSFORMERS } from '../mappings/transformers/index.js';
import { parseParams } from '../mappings/template.js';
import type { CallSite, Mapping, NoteId } from '../mappings/schema.js';
import { FileContext, receiverClass } from './context.js';
import { isNamespace } from './bindings.js';
import type { RuleState } from './rules/index.js';
import { TypesElsewhere, type TypeOracle } from './oracle.js';

export function walk(ctx: FileContext, rules: RuleState, oracle: TypeOracle | undefined): void {
  const skip = new Set<ts.Node>([...ctx.tfImports.map((i) => i.node), ...ctx.aliasDecls]);
  const visit = (node: ts.Node): void => {
    if (skip.has(node)) return;
    ts.forEachChild(node, visit);
    try {
      handle(ctx, rules, oracle, node);
    } catch (e) {
      if (e instanceof TypesElsewhere) throw e; // the whole file is migrated again where the checker is
      ctx.todo(node, '(internal)', 'no-equivalent', `internal error while rewriting this code: ${(e as Error).message}`);
    }
  };
  visit(ctx.sf);
}

const isCallee = (node: ts.Node): boolean =>
  (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent)) && node.parent.expression === node;

/** The member name of `a.b` / `a?.b`. */
const memberName = (p: ts.PropertyAccessExpression): string => p.name.text;

function handle(ctx: FileContext, rules: RuleState, oracle: TypeOracle | undefined, node: ts.Node): void {
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    if (ctx.claimed.has(node)) return;
    const callee = node.expression;
    const q = ctx.qualify(callee);
    if (q) return tfCall(ctx, rules, node, q);
    if (ts.isPropertyAccessExpression(callee) && !ctx.qualify(callee.expression)) {
      const resolved = receiverOf(ctx, oracle, callee.expression, memberName(callee));
      if (resolved) return member(ctx, rules, node, callee, resolved.cls, resolved.via);
    }
    return;
  }
  if (ts.isPropertyAccessExpression(node)) {
    if (isCallee(node) || ctx.claimed.has(node)) return;
    const q = ctx.qualify(node);
    if (q) {
      // The outermost name of a chain handles it (tf.layers → tf.layers.dense).
      if (ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node) return;
      return tfValue(ctx, node, q);
    }
    if (isAssignmentTarget(node) || ctx.qualify(node.expression)) return;
    const resolved = receiverOf(ctx, oracle, node.expression, memberName(node));
    if (resolved) return member(ctx, rules, node, node, resolved.cls, resolved.via);
    return;
  }
  if (ts.isIdentifier(node)) {
    if (!ctx.bindingNames.has(node.text) || isCallee(node) || isDeclarationName(node)) return;
    if (ts.isPropertyAccessExpression(node.parent) && (node.parent.expression === node || node.parent.name === node)) return;
    if (ts.isQualifiedName(node.parent) || ts.isTypeReferenceNode(node.parent) || ts.isExpressionWithTypeArguments(node.parent)) return;
    if (ts.isShorthandPropertyAssignment(node.parent) || ts.isPropertyAssignment(node.parent) && node.parent.name === node) return;
    const q = ctx.qualify(node);
    if (q) tfValue(ctx, node, q);
    return;
  }
  if (ts.isTypeReferenceNode(node)) {
    const q = ctx.qualify(node.typeName);
    if (q) tfType(ctx, node, q);
    return;
  }
  if (ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
    const q = ctx.qualify(ts.isTypeQueryNode(node) ? node.exprName : node.expression);
    if (!q) return;
    // `class X extends tf.layers.Layer`: a class row whose target is a runtime base class made for it; the
    // expression itself is rewritten as a value (tfValue). Any other base class or typeof has no equivalent.
    const row = lookup(q);
    const extendsClause = ts.isHeritageClause(node.parent) && node.parent.token === ts.SyntaxKind.ExtendsKeyword;
    if (extendsClause && row?.kind === 'class' && row.notes?.includes('custom-layer')) return;
    ctx.todo(node, q, 'no-equivalent', `${q} used as a base class or in typeof: rewrite by hand`);
  }
}

function isDeclarationName(node: ts.Identifier): boolean {
  const p = node.parent;
  return (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isBindingElement(p) ||
    ts.isImportSpecifier(p) || ts.isNamespaceImport(p) || ts.isImportClause(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) && (p as ts.NamedDeclaration).name === node;
}

function isAssignmentTarget(node: ts.Node): boolean {
  return ts.isBinaryExpression(node.parent) && node.parent.left === node && node.parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

/** The tfjs class of a receiver: data flow first, then the type checker (with tfjs's types), if enabled. */
function receiverOf(ctx: FileContext, oracle: TypeOracle | undefined, recv: ts.Expression, name: string): { cls: string; via: 'types' | 'dataflow' } | undefined {
  const kind = ctx.kindOf(recv);
  const k = receiverClass(kind);
  if (k) {
    ctx.usedDataflow = true;
    return { cls: k, via: 'dataflow' };
  }
  // Known not to be a tfjs object, or a member no tfjs class has: no need for the (slow) type checker.
  if (kind || !MEMBER_NAMES.has(name) || !oracle || !ctx.bindingNames.size) return undefined;
  const cls = oracle.classOf(recv);
  return cls ? { cls, via: 'types' } : undefined;
}

/** A call whose callee is a tf name: `tf.add(a, b)`, `dense({...})`, `new tf.X()`. */
function tfCall(ctx: FileContext, rules: RuleState, node: ts.CallExpression | ts.NewExpression, q: string): void {
  const row = lookup(q);
  if (!row) {
    if (isNamespace(q)) ctx.todo(node, q, 'unmapped', `${q} is a namespace, not a function`);
    else ctx.todo(node, q, 'unmapped', `${q} is not in the mapping table`);
    return;
  }
  if (row.status === 'pattern') return rules.patternSite(node, row, q);
  if (row.transform && LAYER_TRANSFORMERS.has(row.transform) && ts.isCallExpression(node)) return rules.layerSite(node, row);
  // `new tf.EarlyStopping(args)`: a class row names the runtime class; the arguments stay (rewritten themselves).
  if (row.kind === 'class' && ts.isNewExpression(node) && row.status !== 'manual' && typeof row.target === 'string') {
    const target = row.target;
    ctx.defer(node, () => outcome(ctx, node, row, q, { kind: 'code', code: `new ${target}(${(node.arguments ?? []).map((a) => ctx.rewritten(a)).join(', ')})` }));
    return;
  }
  ctx.defer(node, () => {
    const site = ctx.callSite(q, node);
    if (row.transform === 'optimizer') site.paramsCode = rules.optimizerParams(node);
    outcome(ctx, node, row, q, emitRow(row, site), undefined, site);
  });
}

function outcome(ctx: FileContext, node: ts.Node, row: Mapping, key: string, e: ReturnType<typeof emitRow>, via?: 'types' | 'dataflow', site?: CallSite): void {
  if (e.kind === 'code') {
    const notes: NoteId[] = [...(row.notes ?? []), ...(e.notes ?? [])];
    let code = e.code;
    // A chained call keeps its layout: `x\n  .sum()` stays on two lines.
    const access = ts.isCallExpression(node) ? node.expression : node;
    if (site?.receiver && ts.isPropertyAccessExpression(access)) {
      const recv = site.receiver.text;
      const gap = ctx.text.slice(access.expression.getEnd(), access.name.getStart(ctx.sf) - 1);
      if (/\n/.test(gap) && /^\s*$/.test(gap) && code.startsWith(`${recv}.`)) code = `${recv}${gap}${code.slice(recv.length)}`;
    }
    if (code === ctx.original(node) || code === ctx.rewritten(node)) {
      ctx.record(node, key, 'rewritten', via);
      return;
    }
    const userTexts = site ? [...site.args.map((a) => a.text), ...(site.receiver ? [site.receiver.text] : [])] : [];
    ctx.rewrite(node, key, code, notes, via, userTexts);
  } else if (e.kind === 'todo') ctx.todo(node, key, e.note, e.detail);
  else ctx.todo(node, key, 'layer-standalone', `${key}: a layer outside tf.sequential/tf.model`);
}

/** A member of a tfjs value: `x.add(y)`, `t.rank`, `model.fit(...)`, `optimizer.minimize(f)`. */
function member(ctx: FileContext, rules: RuleState, node: ts.Node, access: ts.PropertyAccessExpression, cls: string, via: 'types' | 'dataflow'): void {
  const name = memberName(access);
  const row = lookupMember(cls, name);
  const key = `${cls}.${name}`;
  if (!row) {
    // A name no tfjs class has (the runtime's own toArray on an already migrated value) is not a TF use.
    if (MEMBER_NAMES.has(name)) ctx.todo(node, key, 'unmapped', `${key} is not in the mapping table`);
    return;
  }
  if (row.status === 'pattern') return rules.patternSite(node, row, row.tf, access.expression);
  const call = ts.isCallExpression(node) ? node : undefined;
  if (row.kind === 'property' && call) {
    ctx.todo(node, key, 'unmapped', `${key} is a property, called here`);
    return;
  }
  ctx.defer(node, () => {
    const site = ctx.callSite(row.tf, call, access.expression);
    outcome(ctx, node, row, row.tf, emitRow(row, site), via, site);
  });
}

/** A tf name used as a value: a class (`x instanceof tf.Tensor`), a function passed along (`xs.map(tf.square)`). */
function tfValue(ctx: FileContext, node: ts.Node, q: string): void {
  const row = lookup(q);
  if (!row) {
    ctx.todo(node, q, 'unmapped', isNamespace(q) ? `the ${q} namespace is used as a value; migrate its uses by hand` : `${q} is not in the mapping table`);
    return;
  }
  if (row.status === 'manual' || row.status === 'pattern') {
    ctx.todo(node, q, row.notes?.[0] ?? 'no-equivalent', `${q}: ${row.reason ?? 'used as a value; rewrite the call site by hand'}`);
    return;
  }
  if (row.kind === 'class' || row.kind === 'type') {
    ctx.defer(node, () => outcome(ctx, node, row, q, { kind: 'code', code: String(row.target) }));
    return;
  }
  // A function passed as a value becomes an arrow function over its required parameters.
  const required = parseParams(row.params).filter((p) => !p.optional && !p.rest).map((p) => p.name);
  const args = required.map((n) => ({ text: n, kind: 'identifier' as const, simple: true }));
  const site = { key: q, args, awaited: false, layout: ctx.opts.layout, typescript: ctx.typescript };
  ctx.defer(node, () => {
    const e = emitRow(row, site);
    if (e.kind !== 'code') return outcome(ctx, node, row, q, e);
    outcome(ctx, node, row, q, { kind: 'code', code: `(${required.join(', ')}) => ${e.code}`, notes: e.notes });
  });
}

/** A tf type in a type position: the whole reference (type arguments included) becomes the runtime type. */
function tfType(ctx: FileContext, node: ts.TypeReferenceNode, q: string): void {
  // Inside the type arguments of a tf type that is replaced whole (tf.Tensor<tf.Rank.R2>): nothing to do.
  for (let p: ts.Node = node.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isTypeReferenceNode(p)) {
      const outer = ctx.qualify(p.typeName);
      const r = outer ? lookup(outer) : undefined;
      if (r && r.status !== 'manual' && typeof r.target === 'string') return;
    }
  }
  const row = lookup(q);
  if (!row || row.status === 'manual' || typeof row.target !== 'string') {
    ctx.todo(node, q, row ? (row.notes?.[0] ?? 'no-equivalent') : 'unmapped', `type ${q}: ${row?.reason ?? 'not in the mapping table'}`);
    return;
  }
  if (!ctx.typescript) return;
  // Type names (torch.DType) are not runtime values: the fixtures' type-check covers them instead.
  ctx.replace(node, row.target);
  ctx.record(node, q, 'rewritten');
}
