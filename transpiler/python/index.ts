/**
 * transpilePython: one TensorFlow 2 Python file in, TypeScript on the runtime out (`<name>.ts`), with the same
 * FileResult (sites, diagnostics, TODO markers, uncovered names) as the TypeScript path. A file with a syntax
 * error is reported (file:line:col) and not migrated.
 */
import type { FileResult, TranspileOptions } from '../types.js';
import { firstSyntaxError, lineCol, parsePython } from './parse.js';
import { PyEmitter, Todo } from './emitter.js';

export { PY_NAMES } from './names.js';

const NAMESPACES = ['torch', 'nn', 'F', 'optim', 'data', 'io', 'utils', 'compat'];

export function transpilePython(fileName: string, text: string, opts: TranspileOptions): FileResult {
  const lines = text.length ? text.split('\n').length : 0;
  const base: FileResult = { file: fileName, status: 'unchanged', output: text, changed: false, sites: [], diagnostics: [], uncovered: [], layoutFacts: [], keepsTfImport: false, lines };
  // Python that does not use TensorFlow (or Keras) is not ours to migrate: it stays as it is.
  if (!/^[ \t]*(?:import|from)[ \t]+(?:tensorflow|keras)\b/m.test(text)) return base;
  try {
    const parsed = parsePython(text);
    const err = firstSyntaxError(parsed);
    if (err) {
      const { line, col } = lineCol(parsed, err.pos);
      return { ...base, status: 'failed', diagnostics: [{ file: fileName, line, col, severity: 'error', id: 'syntax-error', message: `syntax error: ${err.message} (the file was not migrated)` }] };
    }
    const r = new PyEmitter(fileName, parsed, opts.api).run();
    const used = NAMESPACES.filter((ns) => r.used.has(ns));
    const header = [`// Migrated from TensorFlow 2 Python by torchbridge (transpiler/python): ${fileName.split(/[\\/]/).pop()}`];
    if (used.length) header.push(`import { ${used.join(', ')} } from 'torchbridge';`);
    const body = r.lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '');
    const output = `${header.join('\n')}\n\n${body}\n`;
    const todo = r.sites.some((s) => s.outcome === 'todo');
    r.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
    return {
      ...base, output, changed: true, status: todo ? 'partial' : 'migrated', sites: r.sites.sort((a, b) => a.line - b.line || a.col - b.col),
      diagnostics: r.diagnostics, uncovered: [...r.uncovered].sort(),
    };
  } catch (e) {
    if (e instanceof Todo) throw e;
    return { ...base, status: 'failed', diagnostics: [{ file: fileName, line: 1, col: 1, severity: 'error', id: 'internal-error', message: `internal error, the file was not migrated: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}` }] };
  }
}
