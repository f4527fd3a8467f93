/**
 * The user's own modules a program loads: the entry, then (breadth first) every file reached from it through a
 * relative `import` / `export ... from` / `import('...')` with a literal specifier, so the diff can instrument a
 * program split across modules (model built in one, trained in another). Only code files, not packages;
 * packages and files the imports cannot be resolved to are left out, as are CommonJS modules other than the entry
 * (they are loaded by `require`, which the diff's ESM hooks do not see).
 *
 * Resolution follows what tsx accepts: the exact file, a `.js`/`.mjs`/`.cjs`/`.jsx` specifier naming its TypeScript
 * source (`./model.js` → `model.ts`), an extension-less specifier, a folder's `index`.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ts } from 'ts-morph';

const CODE = /\.([cm]?[jt]s|[jt]sx)$/;
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const TS_FOR_JS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/** Absolute paths: the entry first, then the local modules it imports, transitively (each once). */
export function localModules(entry: string): string[] {
  const first = resolve(entry);
  const seen = new Set<string>([realpathSync(first)]);
  const out = [first];
  // Packages are left out: a file deeper in node_modules than the entry (an entry may itself sit under
  // node_modules, a --work-dir there, and its modules are the user's).
  const depth = (p: string) => p.split(sep).filter((part) => part === 'node_modules').length;
  const entryDepth = depth(first);
  for (let i = 0; i < out.length; i++) {
    const file = out[i];
    const text = readFileSync(file, 'utf8');
    for (const spec of ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)) {
      if (!isLocal(spec) || isRequired(text, spec)) continue;
      const target = resolveLocal(dirname(file), spec);
      if (!target || depth(target) > entryDepth) continue;
      const real = realpathSync(target);
      if (seen.has(real)) continue;
      seen.add(real);
      if (/\.c[jt]s$/.test(target)) continue;
      out.push(target);
    }
  }
  return out;
}

function isLocal(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || spec.startsWith('file:');
}

/** Only `require('spec')` in the file, no import of it: left out (see the header). */
function isRequired(text: string, spec: string): boolean {
  const quoted = `(['"\`])${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`;
  return new RegExp(`\\brequire\\s*\\(\\s*${quoted}`).test(text) && !new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(?\\s*)${quoted}`).test(text);
}

function resolveLocal(dir: string, spec: string): string | undefined {
  const base = spec.startsWith('file:') ? fileURLToPath(spec) : resolve(dir, spec);
  const candidates = [base];
  const ext = extname(base);
  for (const alt of TS_FOR_JS[ext] ?? []) candidates.push(base.slice(0, -ext.length) + alt);
  for (const e of EXTENSIONS) candidates.push(base + e);
  for (const e of EXTENSIONS) candidates.push(`${base}${sep}index${e}`);
  return candidates.find((c) => CODE.test(c) && existsSync(c) && statSync(c).isFile());
}
