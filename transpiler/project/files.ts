/**
 * Inputs: files, folders (walked, skipping node_modules/.git/hidden folders and the output folder) and tsconfig
 * projects (their file list). Reading is defensive: binary files, non-UTF-8 text, unreadable paths and huge
 * files become per-file failures, never exceptions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.py'];

/** Where a migrated file is written: TensorFlow 2 Python (`foo.py`) becomes TypeScript next to it (`foo.ts`). */
export function migratedPath(path: string, migrated: boolean): string {
  return migrated && extname(path).toLowerCase() === '.py' ? `${path.slice(0, -3)}.ts` : path;
}

/** Where the tfjs equivalent of a Python file goes (`--emit-tfjs`): `<name>.tfjs.mjs`. */
export function tfjsPath(path: string): string {
  return `${path.slice(0, -extname(path).length)}.tfjs.mjs`;
}

export interface InputFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the inputs' common root (where it goes under --out-dir). */
  rel: string;
  source: boolean;
}

export interface Inputs {
  root: string;
  files: InputFile[];
  /** Paths that could not be listed (missing, unreadable): reported as failures. */
  problems: { path: string; message: string }[];
}

export function isSource(path: string): boolean {
  return SOURCE_EXTENSIONS.includes(extname(path).toLowerCase()) && !/\.d\.[cm]?ts$/.test(path);
}

function commonRoot(paths: string[]): string {
  if (!paths.length) return process.cwd();
  const parts = paths.map((p) => p.split(sep));
  const first = parts[0];
  let i = 0;
  while (i < first.length && parts.every((p) => p[i] === first[i])) i++;
  return first.slice(0, i).join(sep) || sep;
}

export function collectInputs(paths: string[], exclude: string[] = []): Inputs {
  const files = new Map<string, boolean>();
  const problems: Inputs['problems'] = [];
  const excluded = exclude.map((e) => resolve(e));
  const roots: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: dir, message: `cannot list the folder: ${(e as Error).message}` });
      return;
    }
    for (const ent of entries) {
      const p = join(dir, ent.name);
      if (excluded.some((x) => p === x || p.startsWith(x + sep))) continue;
      if (ent.isDirectory()) {
        if (ent.name === 'node_modules' || ent.name.startsWith('.')) continue;
        walk(p);
      } else if (ent.isFile()) files.set(p, isSource(p));
    }
  };
  for (const raw of paths) {
    const p = resolve(raw);
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      problems.push({ path: p, message: `cannot read the path: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}` });
      continue;
    }
    if (st.isDirectory()) {
      roots.push(p);
      walk(p);
    } else if (basename(p).startsWith('tsconfig') && p.endsWith('.json')) {
      const cfg = ts.readConfigFile(p, ts.sys.readFile);
      if (cfg.error) {
        problems.push({ path: p, message: `cannot read the tsconfig: ${ts.flattenDiagnosticMessageText(cfg.error.messageText, ' ')}` });
        continue;
      }
      const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, dirname(p));
      roots.push(dirname(p));
      for (const f of parsed.fileNames) if (isSource(f)) files.set(resolve(f), true);
    } else {
      roots.push(dirname(p));
      files.set(p, isSource(p));
    }
  }
  const root = commonRoot(roots);
  return {
    root,
    files: [...files.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([path, source]) => ({ path, rel: relative(root, path) || basename(path), source })),
    problems,
  };
}

export type ReadResult = { ok: true; text: string } | { ok: false; id: 'unreadable' | 'binary' | 'not-utf8' | 'too-large'; message: string };

/** Reads a source file as UTF-8 text, or says why it cannot be migrated. */
export function readSource(path: string, maxBytes: number): ReadResult {
  let buf: Buffer;
  try {
    const st = statSync(path);
    if (st.size > maxBytes) return { ok: false, id: 'too-large', message: `the file is ${(st.size / 1e6).toFixed(1)} MB, over the ${(maxBytes / 1e6).toFixed(1)} MB limit (--max-size); it was not migrated` };
    buf = readFileSync(path);
  } catch (e) {
    return { ok: false, id: 'unreadable', message: `cannot read the file: ${(e as Error).message}` };
  }
  if (buf.subarray(0, 8192).includes(0)) return { ok: false, id: 'binary', message: 'the file looks binary (it contains NUL bytes); it was not migrated' };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(buf) };
  } catch {
    return { ok: false, id: 'not-utf8', message: 'the file is not valid UTF-8 text; it was not migrated (convert it to UTF-8 first)' };
  }
}
