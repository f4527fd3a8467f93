/**
 * transpilePython: one TensorFlow 2 Python file in, TypeScript on the runtime out (`<name>.ts`), with the same
 * FileResult (sites, diagnostics, TODO markers, uncovered names) as the TypeScript path. A file with a syntax
 * error is reported (file:line:col) and not migrated.
 */
import type { FileResult, TranspileOptions } from '../types.js';
import { firstSyntaxError, lineCol, parsePython } from './parse.js';
import { PyEmitter, Todo } from './emitter.js';
import { TfjsEmitter } from './emit_tfjs.js';
import { tfjsHeader } from './tfjs_prelude.js';
import type { Diagnostic } from '../types.js';

export { PY_NAMES } from './names.js';

const NAMESPACES = ['torch', 'nn', 'F', 'optim', 'data', 'io', 'utils', 'compat'];
/** Python that does not import TensorFlow (or Keras) is not ours to translate. */
const USES_TENSORFLOW = /^[ \t]*(?:import|from)[ \t]+(?:tensorflow|keras)\b/m;

/** The parse tree, or the first syntax error as a diagnostic (`what` says what was not written). */
function parseOrError(fileName: string, text: string, what: string): { parsed: ReturnType<typeof parsePython> } | { error: Diagnostic } {
  const parsed = parsePython(text);
  const err = firstSyntaxError(parsed);
  if (!err) return { parsed };
  const { line, col } = lineCol(parsed, err.pos);
  return { error: { file: fileName, line, col, severity: 'error', id: 'syntax-error', message: `syntax error: ${err.message} (${what})` } };
}

export function transpilePython(fileName: string, text: string, opts: TranspileOptions): FileResult {
  const lines = text.length ? text.split('\n').length : 0;
  const base: FileResult = { file: fileName, status: 'unchanged', output: text, changed: false, sites: [], diagnostics: [], uncovered: [], layoutFacts: [], keepsTfImport: false, lines };
  if (!USES_TENSORFLOW.test(text)) return base;
  try {
    const p = parseOrError(fileName, text, 'the file was not migrated');
    if ('error' in p) return { ...base, status: 'failed', diagnostics: [p.error] };
    const r = new PyEmitter(fileName, p.parsed, opts.api).run();
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

/** The tfjs program `--emit-tfjs` writes for one Python file: its text and the TODOs left in it. */
export interface TfjsResult {
  file: string;
  status: 'migrated' | 'partial' | 'failed' | 'unchanged';
  /** The JavaScript program (ESM, importing @tensorflow/tfjs), or null when the file was not translated. */
  output: string | null;
  /** TODO markers (errors) and syntax/internal errors, file:line:col. */
  diagnostics: Diagnostic[];
}

/**
 * transpilePythonToTfjs: one TensorFlow 2 Python file → the equivalent TensorFlow.js program (emit_tfjs.ts), the
 * reference `torchbridge diff` runs against the migrated TypeScript. Python without TensorFlow is not translated.
 */
export function transpilePythonToTfjs(fileName: string, text: string, opts: TranspileOptions): TfjsResult {
  const base: TfjsResult = { file: fileName, status: 'unchanged', output: null, diagnostics: [] };
  if (!USES_TENSORFLOW.test(text)) return base;
  try {
    const p = parseOrError(fileName, text, 'no tfjs program was written');
    if ('error' in p) return { ...base, status: 'failed', diagnostics: [p.error] };
    const e = new TfjsEmitter(fileName, p.parsed, opts.api);
    const r = e.run();
    const body = r.lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '');
    const output = `${tfjsHeader(fileName, e).join('\n')}\n\n${body}\n`;
    const todos = r.diagnostics.filter((d) => d.severity === 'error').sort((a, b) => a.line - b.line || a.col - b.col);
    return { ...base, status: todos.length ? 'partial' : 'migrated', output, diagnostics: todos };
  } catch (e) {
    if (e instanceof Todo) throw e;
    return { ...base, status: 'failed', diagnostics: [{ file: fileName, line: 1, col: 1, severity: 'error', id: 'internal-error', message: `internal error, no tfjs program was written: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}` }] };
  }
}
