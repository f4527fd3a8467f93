/**
 * Facts gathered before the walk that rules need at a site: which tensors are trainable variables, and what
 * each optimizer will update (a runtime optimizer takes its parameters when it is created).
 */
import { ts } from 'ts-morph';
import { lookup } from '../../mappings/index.js';
import type { FileContext } from '../context.js';
import { trainableWeightsModel } from './model_weights.js';

export interface Facts {
  /** Names of `const w = tf.variable(...)` (trainable) in the file, in order. */
  trainableVars: string[];
  /** Optimizer creation call → the code of the parameters it updates (undefined: unknown). */
  optimizerParams: Map<ts.Node, string | undefined>;
  /** Identifier references by symbol. */
  refs(sym: ts.Symbol): ts.Identifier[];
}

export function computeFacts(ctx: FileContext): Facts {
  const trainableVars: string[] = [];
  const optimizerCalls: ts.CallExpression[] = [];
  let refIndex: Map<ts.Symbol, ts.Identifier[]> | undefined;
  const refs = (sym: ts.Symbol): ts.Identifier[] => {
    if (!refIndex) {
      refIndex = new Map();
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) {
          // `{ optimizer }`: the name is a reference to the variable too (the checker gives the property's symbol).
          const s = ts.isShorthandPropertyAssignment(n.parent) && n.parent.name === n ? ctx.checker.getShorthandAssignmentValueSymbol(n.parent) : ctx.checker.getSymbolAtLocation(n);
          if (s) refIndex!.set(s, [...(refIndex!.get(s) ?? []), n]);
        }
        ts.forEachChild(n, visit);
      };
      visit(ctx.sf);
    }
    return refIndex.get(sym) ?? [];
  };
  if (ctx.bindingNames.size) {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const q = ctx.qualify(n.expression);
        const row = q ? lookup(q) : undefined;
        if (q === 'tf.variable' && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name)) {
          const trainable = n.arguments[1];
          if (!trainable || trainable.kind !== ts.SyntaxKind.FalseKeyword) trainableVars.push(n.parent.name.text);
        }
        if (row?.transform === 'optimizer') optimizerCalls.push(n);
      }
      ts.forEachChild(n, visit);
    };
    visit(ctx.sf);
  }
  const facts: Facts = { trainableVars, optimizerParams: new Map(), refs };
  for (const call of optimizerCalls) facts.optimizerParams.set(call, paramsFor(ctx, facts, call));
  return facts;
}

/** `X.compile({ optimizer: <node> })` or `X.compile({ optimizer })` → X. */
function compileReceiver(node: ts.Node): ts.Expression | undefined {
  const pa = node.parent;
  if (!pa || !(ts.isPropertyAssignment(pa) || ts.isShorthandPropertyAssignment(pa)) || !ts.isIdentifier(pa.name) || pa.name.text !== 'optimizer') return undefined;
  const obj = pa.parent;
  const call = obj.parent;
  if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'compile' && call.arguments[0] === obj) {
    return call.expression.expression;
  }
  return undefined;
}

/**
 * The optimizer's parameters from the minimize call's varList (or every trainable tf.variable), written where the
 * optimizer is created (`optimizerCall`): a name declared after that point would be read before its declaration
 * (a TDZ ReferenceError), so then nothing is known and the optimizer says so.
 */
function varsFor(ctx: FileContext, facts: Facts, minimizeCall: ts.CallExpression | undefined, optimizerCall: ts.CallExpression): string | undefined {
  const varList = minimizeCall?.arguments[2];
  const at = optimizerCall.getStart(ctx.sf);
  if (varList) {
    // A list of a model's weights (`m.trainableWeights.map((w) => w.read())`, inline or in a name declared later):
    // the model's parameters, when the model exists where the optimizer is created (model_weights.ts).
    const weightsOf = modelWeightsList(ctx, varList);
    if (weightsOf && !declaredAfter(ctx, weightsOf, at)) return `${ctx.original(weightsOf)}.parameters()`;
    const laterName = (n: ts.Node): boolean => {
      if (ts.isIdentifier(n)) {
        const decl = ctx.checker.getSymbolAtLocation(n)?.valueDeclaration;
        if (decl && decl.getSourceFile() === ctx.sf && !ts.isParameter(decl) && decl.getStart(ctx.sf) > at) return true;
      }
      return ts.forEachChild(n, laterName) ?? false;
    };
    return laterName(varList) ? undefined : ctx.original(varList);
  }
  return facts.trainableVars.length ? `[${facts.trainableVars.join(', ')}]` : undefined;
}

/** The model whose weights list `varList` is: the expression itself, or a `const` name initialised with it. */
function modelWeightsList(ctx: FileContext, varList: ts.Expression): ts.Expression | undefined {
  const direct = trainableWeightsModel(ctx, varList);
  if (direct || !ts.isIdentifier(varList)) return direct;
  const decl = ctx.checker.getSymbolAtLocation(varList)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return undefined;
  return trainableWeightsModel(ctx, decl.initializer);
}

/** Whether a name in `expr` is declared in this file after position `at` (read there, it would be in its TDZ). */
function declaredAfter(ctx: FileContext, expr: ts.Node, at: number): boolean {
  if (ts.isIdentifier(expr)) {
    const decl = ctx.checker.getSymbolAtLocation(expr)?.valueDeclaration;
    if (decl && decl.getSourceFile() === ctx.sf && !ts.isParameter(decl) && decl.getStart(ctx.sf) > at) return true;
  }
  return ts.forEachChild(expr, (n) => declaredAfter(ctx, n, at) || undefined) ?? false;
}

function paramsFor(ctx: FileContext, facts: Facts, call: ts.CallExpression): string | undefined {
  const model = compileReceiver(call);
  if (model) return `${ctx.original(model)}.parameters()`;
  if (ts.isPropertyAccessExpression(call.parent) && call.parent.expression === call) {
    const m = call.parent.name.text;
    if (m === 'minimize' || m === 'applyGradients') return varsFor(ctx, facts, ts.isCallExpression(call.parent.parent) ? call.parent.parent : undefined, call);
  }
  const decl = call.parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) {
    // A property initializer (this.optimizer = ...): follow uses of the property name in the file.
    return undefined;
  }
  const sym = ctx.checker.getSymbolAtLocation(decl.name);
  if (!sym) return undefined;
  for (const ref of facts.refs(sym)) {
    if (ref === decl.name) continue;
    const m = compileReceiver(ref);
    if (m) {
      const msym = ts.isIdentifier(m) ? ctx.checker.getSymbolAtLocation(m) : undefined;
      const mdecl = msym?.valueDeclaration;
      // The model must exist where the optimizer is created.
      if (mdecl && mdecl.getStart(ctx.sf) > call.getStart(ctx.sf) && !ts.isParameter(mdecl)) return undefined;
      return `${ctx.original(m)}.parameters()`;
    }
    if (ts.isPropertyAccessExpression(ref.parent) && ref.parent.expression === ref) {
      const name = ref.parent.name.text;
      if (name === 'minimize' || name === 'applyGradients') {
        return varsFor(ctx, facts, ts.isCallExpression(ref.parent.parent) ? ref.parent.parent : undefined, call);
      }
    }
  }
  return undefined;
}
