/**
 * transpileSource: one file's text in, migrated text and a report out. Finds TensorFlow.js by symbol, rewrites
 * 1:1 sites from the mapping table and the rest with the named pattern rules, leaves a TODO marker where a
 * human must decide, and rewrites the imports last. Never throws for bad input: a file that cannot be
 * migrated comes back unchanged with status `failed` and a diagnostic saying why.
 */
import { collectBindings } from './bindings.js';
import { FileContext } from './context.js';
import { rewriteImports } from './imports.js';
import { elsewhereOracle, typeOracle, TypesElsewhere } from './oracle.js';
import { RuleState } from './rules/index.js';
import { walk } from './walk.js';
import type { FileResult, TranspileOptions } from './types.js';
import { transpilePython } from './python/index.js';

export type { FileResult, TranspileOptions, Diagnostic, FileStatus } from './types.js';

export function transpileSource(fileName: string, text: string, opts: TranspileOptions): FileResult {
  // TensorFlow 2 Python has its own front-end (transpiler/python), the same table and the same report.
  if (/\.py$/i.test(fileName)) return transpilePython(fileName, text, opts);
  const lines = text.length ? text.split('\n').length : 0;
  const base: FileResult = { file: fileName, status: 'unchanged', output: text, changed: false, sites: [], diagnostics: [], uncovered: [], layoutFacts: [], keepsTfImport: false, lines };
  const mentionsTf = text.includes('@tensorflow/') || (opts.reexports && opts.reexports.size > 0 && /from\s+['"]\.|require\(\s*['"]\./.test(text));
  if (!mentionsTf) return base;
  try {
    const ctx = new FileContext(fileName, text, opts);
    const errors = ctx.parseErrors();
    if (errors.length) {
      const e = errors[0];
      const lc = e.file.getLineAndCharacterOfPosition(e.start);
      const message = typeof e.messageText === 'string' ? e.messageText : e.messageText.messageText;
      return { ...base, status: 'failed', diagnostics: [{ file: fileName, line: lc.line + 1, col: lc.character + 1, severity: 'error', id: 'syntax-error', message: `syntax error: ${message} (the file was not migrated)` }] };
    }
    collectBindings(ctx);
    if (!ctx.bindingNames.size && !ctx.tfImports.length && !ctx.importedModels.size && !ctx.importedModelFactories.size) return base;
    const rules = new RuleState(ctx);
    const oracle = opts.typeChecker === false ? undefined : opts.typeChecker === 'elsewhere' ? elsewhereOracle(fileName) : typeOracle(fileName, text, () => ctx.sf);
    walk(ctx, rules, oracle);
    rules.finalize();
    ctx.runDeferred();
    rewriteImports(ctx);
    if (ctx.usedDataflow && !ctx.typescript) ctx.diagnostics.push({ file: fileName, line: 1, col: 1, severity: 'info', id: 'dataflow-types', message: 'plain JavaScript: tfjs values were followed by data flow from known tf calls (and the type checker where it could infer types)' });
    const output = ctx.edits.result();
    const todo = ctx.sites.some((s) => s.outcome === 'todo');
    ctx.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
    return {
      ...base, output, changed: output !== text, status: todo ? 'partial' : ctx.sites.length || output !== text ? 'migrated' : 'unchanged',
      sites: ctx.sites, diagnostics: ctx.diagnostics, uncovered: [...ctx.uncovered].sort(), layoutFacts: ctx.layoutFacts, keepsTfImport: ctx.tfStillReferenced,
    };
  } catch (e) {
    if (e instanceof TypesElsewhere) throw e;
    return { ...base, status: 'failed', diagnostics: [{ file: fileName, line: 1, col: 1, severity: 'error', id: 'internal-error', message: `internal error, the file was not migrated: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}` }] };
  }
}
