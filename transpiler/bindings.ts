/**
 * Finds TensorFlow.js by symbol: imports (namespace, default, named, type-only), `import x = require()`,
 * `require()` / `await import()` (whole or destructured), re-exports of local modules that re-export tfjs,
 * side-effect imports (backends, tfjs-node), and aliases (`const L = tf.layers`, `const { dense } = tf.layers`).
 */
import { ts } from 'ts-morph';
import { dirname, resolve } from 'node:path';
import { lookup } from '../mappings/index.js';
import { TF_NAMESPACES, TF_PACKAGE, TF_SIDE_EFFECT_PACKAGE } from '../mappings/packages.js';
import type { FileContext } from './context.js';
import type { ReexportInfo } from './types.js';

const isTfModule = (spec: string) => TF_PACKAGE.test(spec) || TF_SIDE_EFFECT_PACKAGE.test(spec);

/** `require('x')` or `await import('x')` / `import('x')`: the module name. */
export function requiredModule(expr: ts.Expression | undefined): string | undefined {
  let e = expr;
  if (e && ts.isAwaitExpression(e)) e = e.expression;
  if (e && ts.isCallExpression(e) && e.arguments.length === 1 && ts.isStringLiteral(e.arguments[0])) {
    if ((ts.isIdentifier(e.expression) && e.expression.text === 'require') || e.expression.kind === ts.SyntaxKind.ImportKeyword) return e.arguments[0].text;
  }
  return undefined;
}

/** Absolute path without extension, the key of the re-export index. */
export function moduleKey(fromFile: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return resolve(dirname(fromFile), spec).replace(/\.(?:[cm]?[jt]s|tsx|jsx)$/, '').replace(/\/index$/, '');
}

function reexportFor(ctx: FileContext, spec: string): ReexportInfo | undefined {
  const key = moduleKey(ctx.fileName, spec);
  if (!key || !ctx.opts.reexports) return undefined;
  return ctx.opts.reexports.get(key) ?? ctx.opts.reexports.get(`${key}/index`);
}

function bindNamed(ctx: FileContext, name: ts.Identifier, imported: string, info: ReexportInfo | undefined): boolean {
  if (!info) {
    ctx.bind(name, `tf.${imported}`);
    return true;
  }
  if (info.namespaces.includes(imported)) ctx.bind(name, 'tf');
  else if (info.named[imported]) ctx.bind(name, info.named[imported]);
  else if (info.star) ctx.bind(name, `tf.${imported}`);
  else return false;
  return true;
}

/** The local module re-exports some of tfjs itself (not only models it built). */
function reexportsTf(info: ReexportInfo): boolean {
  return info.star || info.namespaces.length > 0 || Object.keys(info.named).length > 0;
}

/**
 * `import model from './model.js'` / `import { createModel } from './model.js'` of a local module that exports a
 * tfjs model (or a function returning one): the imported names are known to hold models, so `model.fit(...)` is
 * a site here even without a tfjs import.
 */
function bindModels(ctx: FileContext, node: ts.ImportDeclaration, info: ReexportInfo): void {
  const clause = node.importClause;
  if (!clause) return;
  const mark = (name: ts.Identifier, exported: string) => {
    const sym = ctx.checker.getSymbolAtLocation(name);
    if (!sym) return;
    if (info.models?.includes(exported)) ctx.importedModels.add(sym);
    if (info.modelFactories?.includes(exported)) ctx.importedModelFactories.add(sym);
  };
  if (clause.name) mark(clause.name, 'default');
  const nb = clause.namedBindings;
  if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) mark(el.name, (el.propertyName ?? el.name).text);
}

/** Registers every tf binding of the file and the statements that import tfjs. */
export function collectBindings(ctx: FileContext): void {
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      const info = isTfModule(spec) ? undefined : reexportFor(ctx, spec);
      if (!isTfModule(spec) && !info) return;
      if (info) bindModels(ctx, node, info);
      if (info && !reexportsTf(info)) return;
      const clause = node.importClause;
      if (!clause) {
        ctx.tfImports.push({ node, kind: 'side-effect' });
        return;
      }
      if (clause.name && !info?.models?.includes('default') && !info?.modelFactories?.includes('default')) ctx.bind(clause.name, 'tf');
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) ctx.bind(nb.name, 'tf');
      if (nb && ts.isNamedImports(nb)) {
        for (const el of nb.elements) bindNamed(ctx, el.name, (el.propertyName ?? el.name).text, info);
      }
      ctx.tfImports.push({ node, kind: 'import' });
      return;
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      if (!isTfModule(node.moduleReference.expression.text)) return;
      ctx.bind(node.name, 'tf');
      ctx.tfImports.push({ node, kind: 'require' });
      return;
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && isTfModule(node.moduleSpecifier.text)) {
      ctx.tfImports.push({ node, kind: 'export' });
      return;
    }
    if (ts.isVariableStatement(node)) {
      const decls = node.declarationList.declarations;
      const tfDecls = decls.filter((d) => {
        const m = requiredModule(d.initializer);
        return m !== undefined && (isTfModule(m) || reexportFor(ctx, m) !== undefined);
      });
      if (tfDecls.length) {
        for (const d of tfDecls) {
          const m = requiredModule(d.initializer)!;
          const info = isTfModule(m) ? undefined : reexportFor(ctx, m);
          if (ts.isIdentifier(d.name)) ctx.bind(d.name, 'tf');
          else if (ts.isObjectBindingPattern(d.name)) {
            for (const el of d.name.elements) {
              if (!ts.isIdentifier(el.name)) continue;
              const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
              bindNamed(ctx, el.name, prop, info);
            }
          }
        }
        if (tfDecls.length === decls.length) ctx.tfImports.push({ node, kind: 'require' });
        return;
      }
    }
    if (ts.isExpressionStatement(node)) {
      const m = requiredModule(node.expression);
      if (m && isTfModule(m)) {
        ctx.tfImports.push({ node, kind: 'side-effect' });
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sf);
  collectAliases(ctx);
}

/**
 * `const L = tf.layers`, `const { dense } = tf.layers`, `const relu = tf.relu`: the declared names stand for tf
 * names. Statements made only of such aliases are removed once their uses are rewritten.
 */
function collectAliases(ctx: FileContext): void {
  if (!ctx.bindingNames.size) return;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableStatement(node) && !ctx.tfImports.some((i) => i.node === node)) {
      let all = true;
      let any = false;
      for (const d of node.declarationList.declarations) {
        const q = d.initializer ? aliasTarget(ctx, d.initializer) : undefined;
        if (!q) {
          all = false;
          continue;
        }
        if (ts.isIdentifier(d.name)) {
          ctx.bind(d.name, q);
          any = true;
        } else if (ts.isObjectBindingPattern(d.name)) {
          for (const el of d.name.elements) {
            if (!ts.isIdentifier(el.name)) continue;
            const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
            ctx.bind(el.name, `${q}.${prop}`);
            any = true;
          }
        } else all = false;
      }
      if (any && all) ctx.aliasDecls.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sf);
}

/** The tf name an alias initializer stands for: a namespace, or a row that is not called here. */
function aliasTarget(ctx: FileContext, init: ts.Expression): string | undefined {
  if (!ts.isIdentifier(init) && !ts.isPropertyAccessExpression(init)) return undefined;
  const q = ctx.qualify(init);
  if (!q) return undefined;
  if (q === 'tf') return q;
  const row = lookup(q);
  if (row) return row.kind === 'function' || row.kind === 'class' || row.kind === 'type' ? q : undefined;
  // A namespace (tf.layers, tf.train, ...): some row key starts with it.
  return isNamespace(q) ? q : undefined;
}

export function isNamespace(q: string): boolean {
  return TF_NAMESPACES.has(q);
}
