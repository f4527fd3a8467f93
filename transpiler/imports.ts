/**
 * Imports last: once every site is known, the tfjs imports/requires become one import of the runtime
 * namespaces the new code uses. A tfjs import stays only while TODO sites still use it.
 */
import { ts } from 'ts-morph';
import { NAMESPACES, type Namespace } from '../mappings/runtime_api.js';
import { requiredModule } from './bindings.js';
import type { FileContext } from './context.js';

export const RUNTIME_PACKAGE = 'torchbridge';

/** Runtime namespaces named in emitted code. */
export function namespacesUsed(code: readonly string[]): Namespace[] {
  const joined = code.join('\n');
  return NAMESPACES.filter((ns) => new RegExp(`(?<![\\w$.])${ns}\\.`).test(joined));
}

function existingRuntimeImport(ctx: FileContext): { node: ts.Statement; names: string[]; cjs: boolean } | undefined {
  for (const st of ctx.sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text === RUNTIME_PACKAGE) {
      const nb = st.importClause?.namedBindings;
      if (nb && ts.isNamedImports(nb) && !st.importClause?.name) return { node: st, names: nb.elements.map((e) => e.name.text), cjs: false };
    }
    if (ts.isVariableStatement(st) && st.declarationList.declarations.length === 1) {
      const d = st.declarationList.declarations[0];
      if (requiredModule(d.initializer) === RUNTIME_PACKAGE && ts.isObjectBindingPattern(d.name)) {
        return { node: st, names: d.name.elements.map((e) => (e.name as ts.Identifier).text), cjs: true };
      }
    }
  }
  return undefined;
}

export function rewriteImports(ctx: FileContext): void {
  // A namespace the file declares a name for itself (a variable called `data`) is the user's: not imported.
  const declared = ctx.declaredNames();
  const needed = namespacesUsed(ctx.emitted).filter((ns) => !declared.has(ns));
  const existing = existingRuntimeImport(ctx);
  const names = [...new Set([...(existing?.names ?? []), ...needed])].sort((a, b) => NAMESPACES.indexOf(a as Namespace) - NAMESPACES.indexOf(b as Namespace));
  const keep = ctx.tfStillReferenced;
  const imports = ctx.tfImports.filter((i) => i.kind === 'import' || i.kind === 'require');
  const cjs = existing ? existing.cjs : imports.length > 0 && imports.every((i) => i.kind === 'require' && ts.isVariableStatement(i.node));
  const stmt = names.length ? (cjs ? `const { ${names.join(', ')} } = require('${RUNTIME_PACKAGE}');` : `import { ${names.join(', ')} } from '${RUNTIME_PACKAGE}';`) : '';

  for (const i of ctx.tfImports) {
    if (i.kind === 'side-effect') {
      ctx.removeStatement(i.node);
      ctx.note(i.node, 'import-side-effect');
    } else if (i.kind === 'export') {
      const e = i.node as ts.ExportDeclaration;
      if (!e.exportClause || ts.isNamespaceExport(e.exportClause)) {
        ctx.edits.replace(e.moduleSpecifier!.getStart(ctx.sf), e.moduleSpecifier!.getEnd(), `'${RUNTIME_PACKAGE}'`);
        ctx.note(e, 're-export');
        ctx.record(e, 'tf', 'rewritten');
      } else {
        ctx.todo(e, 'tf', 're-export', 'named re-exports of tfjs APIs cannot be mapped to the runtime\'s namespaces; re-export what importers need from \'torchbridge\'');
      }
    }
  }
  for (const a of ctx.aliasDecls) {
    if (keep && ctx.referencesTf(a)) continue;
    ctx.removeStatement(a);
  }
  if (existing) {
    if (stmt && names.join() !== existing.names.join()) ctx.edits.replace(existing.node.getStart(ctx.sf), existing.node.getEnd(), stmt);
    if (!keep) for (const i of imports) ctx.removeStatement(i.node);
    return;
  }
  if (!imports.length) {
    if (stmt) ctx.edits.insert(insertionPoint(ctx), `${stmt}\n`, { first: true });
    return;
  }
  if (keep) {
    const last = imports[imports.length - 1].node;
    if (stmt) ctx.edits.insert(lineEnd(ctx, last.getEnd()), `${stmt}\n`, { first: true });
    ctx.note(imports[0].node, 'import-kept');
    return;
  }
  const [first, ...rest] = imports;
  if (stmt) ctx.edits.replace(first.node.getStart(ctx.sf), first.node.getEnd(), stmt);
  else ctx.removeStatement(first.node);
  for (const i of rest) ctx.removeStatement(i.node);
}

function lineEnd(ctx: FileContext, pos: number): number {
  const nl = ctx.text.indexOf('\n', pos);
  return nl === -1 ? ctx.text.length : nl + 1;
}

/** After leading comments/shebang and existing imports. */
function insertionPoint(ctx: FileContext): number {
  let pos = 0;
  for (const st of ctx.sf.statements) {
    if (ts.isImportDeclaration(st)) pos = lineEnd(ctx, st.getEnd());
    else break;
  }
  if (pos === 0 && ctx.sf.statements.length) pos = ctx.text.lastIndexOf('\n', ctx.sf.statements[0].getStart(ctx.sf) - 1) + 1;
  return pos;
}
