/**
 * The TODO gate: the transpiler leaves `// torchbridge: TODO(<id>) <tf name>: <reason>` above every site a human must
 * finish (transpiler/context.ts). `check` fails on any marker the config does not allow by its note id
 * (`no-equivalent`) or its TensorFlow name (`tf.unique`). Read from the migrated text itself, so a committed migrated
 * program that someone edited is gated the same way as a fresh migration.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { parseTodoMarker } from '../../transpiler/todo_marker.js';

export interface TodoMarker {
  file: string;
  line: number;
  /** The mapping note id in the parentheses. */
  id: string;
  /** The TensorFlow name the reason starts with (`tf.unique:`), or '' when it does not start with one. */
  name: string;
  reason: string;
}

const SOURCE = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);

export function findTodos(file: string, text: string): TodoMarker[] {
  const out: TodoMarker[] = [];
  text.split('\n').forEach((line, i) => {
    const m = parseTodoMarker(line);
    if (!m) return;
    out.push({ file, line: i + 1, id: m.id, name: /^([\w$.]+):/.exec(m.reason)?.[1] ?? '', reason: m.reason });
  });
  return out;
}

/** Source files under a file or folder (node_modules and dot-folders skipped, as migrate skips them). */
export function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const ent of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, ent.name);
    if (ent.isDirectory()) {
      if (ent.name !== 'node_modules' && !ent.name.startsWith('.')) out.push(...sourceFiles(p));
    } else if (ent.isFile() && SOURCE.has(extname(ent.name))) out.push(p);
  }
  return out.sort();
}

export interface TodoGate {
  all: TodoMarker[];
  /** Markers neither their id nor their TensorFlow name allowed. */
  disallowed: TodoMarker[];
}

export function todoGate(files: string[], allowed: readonly string[]): TodoGate {
  const all = files.flatMap((f) => findTodos(f, readFileSync(f, 'utf8')));
  const ok = new Set(allowed);
  return { all, disallowed: all.filter((t) => !ok.has(t.id) && !(t.name && ok.has(t.name))) };
}

export const formatTodo = (t: TodoMarker, cwd = process.cwd()): string =>
  `${relative(cwd, t.file) || t.file}:${t.line} TODO(${t.id}) ${t.reason}`;
