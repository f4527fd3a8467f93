/**
 * Pre-pass over the inputs: local modules that re-export TensorFlow.js (`export * from '@tensorflow/tfjs'`),
 * so their importers are recognised too.
 */
import ts from 'typescript';
import { TF_PACKAGE } from '../../mappings/packages.js';
import type { ReexportInfo } from '../../transpiler/types.js';

export function reexportsOf(path: string, text: string): ReexportInfo | undefined {
  if (!/export[\s\S]{0,200}?from\s+['"]@tensorflow\//.test(text)) return undefined;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, false);
  const info: ReexportInfo = { star: false, namespaces: [], named: {} };
  let any = false;
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
