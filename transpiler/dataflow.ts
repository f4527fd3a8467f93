/**
 * Value-kind data flow for one file: which tfjs kind (Tensor, LayersModel, Optimizer, ...) an expression holds,
 * from declarations, assignments, callers, return statements and known tf calls (the table's `returns`). Works
 * without types (plain JS); the checker is asked only where this finds nothing. FileContext owns one and
 * delegates `kindOf`, `returnKindOf`, `kindOfType` and `typeTextOf` to it.
 */
import { ts } from 'ts-morph';
import { lookup, lookupMember } from '../mappings/index.js';
import type { ValueKind } from '../mappings/schema.js';
import { receiverClass, type FileContext } from './context.js';

/** Kinds a tensor method can be called on (a parameter passed Variables and Tensors is a Tensor). */
const TENSORISH = new Set<ValueKind>(['Tensor', 'Variable']);

/** Globals whose members are never tfjs APIs. */
const PLAIN_GLOBALS = new Set(['Math', 'console', 'JSON', 'Object', 'Array', 'Promise', 'process', 'Number', 'String', 'Date', 'performance', 'Reflect', 'Symbol', 'globalThis', 'window', 'document']);

function unpromise(k: ValueKind | undefined): ValueKind | undefined {
  if (k === 'Promise<Tensor>') return 'Tensor';
  if (k === 'Promise<History>') return 'History';
  return k;
}

export class ValueKinds {
  private readonly kindMemo = new Map<ts.Node, ValueKind | undefined>();
  private readonly inProgress = new Set<ts.Node>();

  constructor(private readonly ctx: FileContext) {}

  /**
   * What kind of tfjs value an expression holds, from declarations and known tf calls (the table's `returns`).
   * Works without types (plain JS); the checker with tfjs's types is asked only where this finds nothing.
   */
  kindOf(node: ts.Node): ValueKind | undefined {
    if (this.kindMemo.has(node)) return this.kindMemo.get(node);
    if (this.inProgress.has(node)) return undefined;
    this.inProgress.add(node);
    const k = this.computeKind(node);
    this.inProgress.delete(node);
    this.kindMemo.set(node, k);
    return k;
  }

  private computeKind(node: ts.Node): ValueKind | undefined {
    // Literals and plain objects are certainly not tfjs values (no need to ask the type checker).
    if (ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node) || ts.isStringLiteral(node) || ts.isNumericLiteral(node) ||
      ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return 'other';
    if (ts.isIdentifier(node) && PLAIN_GLOBALS.has(node.text) && !this.ctx.bindingNames.has(node.text)) return 'other';
    if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) return this.kindOf(node.expression);
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) return this.kindOfType(node.type) ?? this.kindOf(node.expression);
    if (ts.isAwaitExpression(node)) return unpromise(this.kindOf(node.expression));
    if (ts.isConditionalExpression(node)) return this.kindOf(node.whenTrue) ?? this.kindOf(node.whenFalse);
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const q = this.ctx.qualify(node.expression);
      if (q) {
        const r = lookup(q)?.returns;
        if (r === 'Arg0') return node.arguments?.[0] ? this.kindOf(node.arguments[0]) : undefined;
        if (r === 'FnResult') {
          const fn = [...(node.arguments ?? [])].reverse().find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
          return fn ? this.returnKindOf(fn as ts.ArrowFunction) : undefined;
        }
        return r;
      }
      if (ts.isPropertyAccessExpression(node.expression)) {
        const rc = receiverClass(this.kindOf(node.expression.expression));
        if (rc) return lookupMember(rc, node.expression.name.text)?.returns;
      }
      const callee = ts.isIdentifier(node.expression) ? this.ctx.checker.getSymbolAtLocation(node.expression) : undefined;
      if (callee && this.ctx.importedModelFactories.has(callee)) return 'LayersModel';
      return this.returnKindOfCallee(node.expression);
    }
    if (ts.isElementAccessExpression(node)) {
      const k = this.kindOf(node.expression);
      return k === 'Tensor[]' ? 'Tensor' : k === 'TensorMap' ? 'Tensor' : undefined;
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
      if (ts.isPropertyAccessExpression(node)) {
        const q = this.ctx.qualify(node);
        if (q) return undefined;
        const objKind = this.kindOf(node.expression);
        if (objKind === 'TensorMap') return 'Tensor';
        const rc = receiverClass(objKind);
        if (rc) return lookupMember(rc, node.name.text)?.kind === 'property' ? lookupMember(rc, node.name.text)?.returns : undefined;
      }
      const sym = this.ctx.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node) ? node.name : node);
      if (sym && this.ctx.importedModels.has(sym)) return 'LayersModel';
      const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
      if (!decl) return undefined;
      return this.kindOfDeclaration(decl);
    }
    return undefined;
  }

  private kindOfDeclaration(decl: ts.Declaration): ValueKind | undefined {
    if (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isParameter(decl) || ts.isPropertySignature(decl)) {
      const t = decl.type ? this.kindOfType(decl.type) : undefined;
      if (t) return t;
      if ('initializer' in decl && decl.initializer) return this.kindOf(decl.initializer);
      if (ts.isParameter(decl)) return this.kindFromCallers(decl);
      if (ts.isVariableDeclaration(decl)) return this.kindFromAssignments(decl);
      return undefined;
    }
    if (ts.isPropertyAssignment(decl)) return this.kindOf(decl.initializer);
    if (ts.isShorthandPropertyAssignment(decl)) return undefined;
    if (ts.isBindingElement(decl)) {
      const pattern = decl.parent;
      const holder = pattern.parent;
      const init = ts.isVariableDeclaration(holder) ? holder.initializer : undefined;
      if (!init) return undefined;
      const whole = this.kindOf(init);
      if (ts.isArrayBindingPattern(pattern)) return whole === 'Tensor[]' ? 'Tensor' : undefined;
      const prop = (decl.propertyName ?? decl.name) as ts.Node;
      const name = ts.isIdentifier(prop) ? prop.text : undefined;
      if (whole === 'TensorMap') return name === 'grads' ? 'TensorMap' : 'Tensor';
      // `const { xs, ys } = makeData()`: the property of the object the function returns.
      return name && ts.isCallExpression(init) ? this.returnedProperty(init.expression, name) : undefined;
    }
    return undefined;
  }

  /**
   * A variable declared without an initializer or a type (`let model;` at module level, assigned in a function):
   * the kind every `name = value` assignment in the file gives it, when all of them give the same known tfjs kind.
   * An assignment of anything else (or of an unknown kind), or another write, leaves it unknown. Only `let`/`var`
   * in this file: an exported variable may be assigned elsewhere.
   */
  private kindFromAssignments(decl: ts.VariableDeclaration): ValueKind | undefined {
    if (!ts.isIdentifier(decl.name) || decl.initializer || decl.type) return undefined;
    const stmt = decl.parent.parent;
    if (ts.isVariableStatement(stmt) && stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
    const sym = this.ctx.checker.getSymbolAtLocation(decl.name);
    if (!sym) return undefined;
    let kind: ValueKind | undefined;
    let ok = true;
    const visit = (n: ts.Node): void => {
      if (!ok) return;
      if (ts.isIdentifier(n) && n !== decl.name && n.text === decl.name.getText(this.ctx.sf) && this.ctx.checker.getSymbolAtLocation(n) === sym) {
        const p = n.parent;
        const writes = (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) ||
          ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && p.operand === n);
        if (writes) {
          const k = ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken ? this.kindOf(p.right) : undefined;
          if (!k || k === 'other' || (kind !== undefined && k !== kind)) ok = false;
          else kind = k;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(this.ctx.sf);
    return ok ? kind : undefined;
  }

  /**
   * An untyped parameter of a local function (`function predict(x)` in plain JS): the kind every call site
   * passes in its place, when all of them pass the same known tfjs kind. Any other use of the function (passed
   * as a value, exported, called with a spread or an unknown argument) leaves it unknown: the code stays as
   * written rather than being rewritten on a guess.
   */
  private kindFromCallers(param: ts.ParameterDeclaration): ValueKind | undefined {
    const fn = param.parent;
    if (!ts.isIdentifier(param.name) || param.dotDotDotToken) return undefined;
    let nameNode: ts.Node | undefined;
    if (ts.isFunctionDeclaration(fn) && fn.name) nameNode = fn.name;
    else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn && ts.isIdentifier(fn.parent.name)) nameNode = fn.parent.name;
    if (!nameNode) return undefined;
    // Exported: callers in other files are not seen.
    const holder = ts.isFunctionDeclaration(fn) ? fn : fn.parent.parent.parent;
    if (ts.canHaveModifiers(holder) && ts.getModifiers(holder)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
    const sym = this.ctx.checker.getSymbolAtLocation(nameNode);
    if (!sym) return undefined;
    const index = fn.parameters.indexOf(param);
    const calls = this.referencesOf(sym).filter((r) => r !== nameNode);
    if (!calls.length) return undefined;
    let kind: ValueKind | undefined;
    for (const r of calls) {
      const call = r.parent;
      if (!ts.isCallExpression(call) || call.expression !== r) return undefined;
      const arg = call.arguments[index];
      if (!arg || call.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return undefined;
      const k = this.kindOf(arg);
      if (!k || !TENSORISH.has(k)) return undefined;
      if (kind && kind !== k) kind = 'Tensor';
      else kind = k;
    }
    if (kind) this.ctx.usedDataflow = true;
    return kind;
  }

  private refIndex: Map<ts.Symbol, ts.Identifier[]> | undefined;

  /** Every identifier in the file that names `sym`. */
  private referencesOf(sym: ts.Symbol): ts.Identifier[] {
    if (!this.refIndex) {
      const index = new Map<ts.Symbol, ts.Identifier[]>();
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) {
          const s = ts.isShorthandPropertyAssignment(n.parent) && n.parent.name === n ? this.ctx.checker.getShorthandAssignmentValueSymbol(n.parent) : this.ctx.checker.getSymbolAtLocation(n);
          if (s) index.set(s, [...(index.get(s) ?? []), n]);
        }
        ts.forEachChild(n, visit);
      };
      visit(this.ctx.sf);
      this.refIndex = index;
    }
    return this.refIndex.get(sym) ?? [];
  }

  private returnKindOfCallee(callee: ts.Expression): ValueKind | undefined {
    const sym = this.ctx.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
    const decl = sym?.valueDeclaration;
    if (!decl) return undefined;
    let fn: ts.SignatureDeclaration | undefined;
    if (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) fn = decl;
    else if (ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) fn = decl.initializer;
    if (!fn) return undefined;
    return this.returnKindOf(fn);
  }

  /** The kind of property `name` of the object literal a function returns (`return { xs, ys }`). */
  private returnedProperty(callee: ts.Expression, name: string): ValueKind | undefined {
    const decl = this.ctx.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee)?.valueDeclaration;
    let fn: ts.FunctionLikeDeclarationBase | undefined;
    if (decl && (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl))) fn = decl;
    else if (decl && ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) fn = decl.initializer;
    const body = fn?.body;
    if (!body) return undefined;
    const objects: ts.ObjectLiteralExpression[] = [];
    if (!ts.isBlock(body)) {
      const e = ts.isParenthesizedExpression(body) ? body.expression : body;
      if (ts.isObjectLiteralExpression(e)) objects.push(e);
    } else {
      const visit = (n: ts.Node): void => {
        if (ts.isFunctionLike(n)) return;
        if (ts.isReturnStatement(n) && n.expression && ts.isObjectLiteralExpression(n.expression)) objects.push(n.expression);
        ts.forEachChild(n, visit);
      };
      ts.forEachChild(body, visit);
    }
    for (const o of objects) {
      for (const p of o.properties) {
        if (!p.name || !ts.isIdentifier(p.name) || p.name.text !== name) continue;
        if (ts.isPropertyAssignment(p)) return this.kindOf(p.initializer);
        if (ts.isShorthandPropertyAssignment(p)) {
          const d = this.ctx.checker.getShorthandAssignmentValueSymbol(p)?.valueDeclaration;
          return d ? this.kindOfDeclaration(d) : undefined;
        }
      }
    }
    return undefined;
  }

  /** The kind a function returns: its annotation, else its expression body or first return statement. */
  returnKindOf(fn: ts.SignatureDeclaration): ValueKind | undefined {
    if (fn.type) return unpromise(this.kindOfType(fn.type));
    const body = (fn as ts.FunctionLikeDeclarationBase).body;
    if (!body) return undefined;
    if (!ts.isBlock(body)) return this.kindOf(body);
    let found: ValueKind | undefined;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isFunctionLike(n)) return;
      if (ts.isReturnStatement(n) && n.expression) found = this.kindOf(n.expression);
      else ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
    return found;
  }

  /** The kind a type annotation names (`tf.Tensor2D`, `Tensor[]`, `Promise<tf.LayersModel>`). */
  kindOfType(type: ts.TypeNode): ValueKind | undefined {
    if (ts.isTypeReferenceNode(type)) {
      const q = this.ctx.qualify(type.typeName);
      if (q) return lookup(q)?.returns;
      if (ts.isIdentifier(type.typeName) && type.typeName.text === 'Promise' && type.typeArguments?.[0]) {
        const inner = this.kindOfType(type.typeArguments[0]);
        return inner === 'Tensor' ? 'Promise<Tensor>' : inner === 'History' ? 'Promise<History>' : inner;
      }
      return undefined;
    }
    if (ts.isArrayTypeNode(type)) return this.kindOfType(type.elementType) === 'Tensor' ? 'Tensor[]' : undefined;
    if (ts.isUnionTypeNode(type)) {
      for (const t of type.types) {
        const k = this.kindOfType(t);
        if (k) return k;
      }
    }
    if (ts.isParenthesizedTypeNode(type)) return this.kindOfType(type.type);
    return undefined;
  }

  /** A type-text hint for an argument (number vs number[], typed-array kinds), from declarations. */
  typeTextOf(node: ts.Expression): string | undefined {
    if (ts.isIdentifier(node)) {
      const decl = this.ctx.checker.getSymbolAtLocation(node)?.valueDeclaration;
      if (decl && (ts.isVariableDeclaration(decl) || ts.isParameter(decl))) {
        if (decl.type) return decl.type.getText(this.ctx.sf);
        if (decl.initializer) return this.typeTextOf(decl.initializer);
      }
      return undefined;
    }
    if (ts.isNumericLiteral(node) || (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand))) return 'number';
    if (ts.isArrayLiteralExpression(node)) {
      const els = node.elements.map((e) => this.typeTextOf(e));
      return els.length && els.every((e) => e === 'number') ? 'number[]' : els.every((e) => e === 'number[]') && els.length ? 'number[][]' : 'unknown[]';
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) return node.expression.text;
    if (ts.isAsExpression(node)) return node.type.getText(this.ctx.sf);
    return undefined;
  }
}
