/**
 * Pre-pass over the inputs: local modules that re-export TensorFlow.js (`export * from '@tensorflow/tfjs'`),
 * so their importers are recognised too.
 */
import ts from 'typescript';
import { TF_PACKAGE } from '../../mappings/packages.js';
import type { ReexportInfo } from '../types.js';

export function reexportsOf(path: string, text: string): ReexportInfo | undefined {
  if (!text.includes('@tensorflow/')) return undefined;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, false);
  const info: ReexportInfo = { star: false, namespaces: [], named: {} };
  let any = false;
  const models = modelExportsOf(sf);
  if (models.models.length) info.models = models.models;
  if (models.factories.length) info.modelFactories = models.factories;
  if (models.models.length || models.factories.length) any = true;
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier) || !TF_PACKAGE.test(st.moduleSpecifier.text)) continue;
    any = true;
    if (!st.exportClause) info.star = true;
    else if (ts.isNamespaceExport(st.exportClause)) info.namespaces.push(st.exportClause.name.text);
    else for (const el of st.exportClause.elements) info.named[el.name.text] = `tf.${(el.propertyName ?? el.name).text}`;
  }
  return any ? info : undefined;
}

export function moduleKeyOf(path: string): string {
  return path.replace(/\.(?:[cm]?[jt]s|tsx|jsx)$/, '').replace(/\/index$/, '');
}

const MODEL_CALL = /^(?:await\s+)?[\w$]+\.(?:sequential|model|loadLayersModel)\(/;

/**
 * The module's exports that hold a tfjs model, found syntactically (this runs before any file is migrated, and
 * for plain JavaScript there are no types): `export default model` / `export { model }` / `export const model =`
 * where `model` is initialised by `<tf>.sequential(...)`, `<tf>.model(...)` or `await <tf>.loadLayersModel(...)`,
 * and exported functions that return such a variable. Importers then know what they hold without a tf import.
 */
function modelExportsOf(sf: ts.SourceFile): { models: string[]; factories: string[] } {
  const modelVars = new Set<string>();
  const isModelInit = (e: ts.Expression | undefined) => !!e && MODEL_CALL.test(e.getText(sf));
  const returnsModel = (body: ts.Node | undefined): boolean => {
    if (!body) return false;
    const local = new Set<string>();
    let found = false;
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && isModelInit(n.initializer)) local.add(n.name.text);
      if (ts.isReturnStatement(n) && n.expression && ((ts.isIdentifier(n.expression) && local.has(n.expression.text)) || isModelInit(n.expression))) found = true;
      if (!ts.isFunctionLike(n) || n === body.parent) ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
    return found;
  };
  const exported = (st: ts.Statement) => ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (st: ts.Statement) => ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  const models: string[] = [];
  const factories: string[] = [];
  const factoryFns = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        if (isModelInit(d.initializer)) {
          modelVars.add(d.name.text);
          if (exported(st)) models.push(d.name.text);
        }
        const f = d.initializer;
        if (f && (ts.isArrowFunction(f) || ts.isFunctionExpression(f)) && returnsModel(f.body)) {
          factoryFns.add(d.name.text);
          if (exported(st)) factories.push(d.name.text);
        }
      }
    } else if (ts.isFunctionDeclaration(st) && st.name && returnsModel(st.body)) {
      factoryFns.add(st.name.text);
      if (exported(st)) factories.push(isDefault(st) ? 'default' : st.name.text);
    }
  }
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st) && !st.isExportEquals && ts.isIdentifier(st.expression)) {
      if (modelVars.has(st.expression.text)) models.push('default');
      if (factoryFns.has(st.expression.text)) factories.push('default');
    }
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        const local = (el.propertyName ?? el.name).text;
        if (modelVars.has(local)) models.push(el.name.text);
        if (factoryFns.has(local)) factories.push(el.name.text);
      }
    }
  }
  return { models, factories };
}