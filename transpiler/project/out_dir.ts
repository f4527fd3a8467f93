/** Where a migration goes when no output folder is named. */
import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/** The default output folder: `<first input>-migrated` next to it (a file's name without its extension). */
export function defaultOutDir(firstPath: string): string {
  const p = resolve(firstPath).replace(/[\\/]+$/, '');
  let isDir = false;
  try {
    isDir = statSync(p).isDirectory();
  } catch { /* reported later */ }
  if (isDir) return `${p}-migrated`;
  if (basename(p).startsWith('tsconfig')) return `${dirname(p)}-migrated`;
  return join(dirname(p), `${basename(p, extname(p))}-migrated`);
}
