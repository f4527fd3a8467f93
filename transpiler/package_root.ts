/**
 * Where torchbridge's own files are. From source (the repository, run by tsx or vitest) they are `.ts` files under
 * the repository; from the build (an installed package) they are `.js` files of the same names under `dist/`. This is
 * the one module that knows the two layouts; everything else asks it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding runtime/, cli/, difftest/ …: the repository, or the package's dist/. */
export const CODE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The folder with torchbridge's package.json: the repository, or node_modules/torchbridge (dist/'s parent). */
export const PACKAGE_ROOT = existsSync(join(CODE_ROOT, 'package.json')) ? CODE_ROOT : dirname(CODE_ROOT);
/** `.ts` when running from source, `.js` when running from the build. */
export const CODE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** Whether this is the compiled package (dist/) rather than the TypeScript sources. */
export const FROM_BUILD = CODE_EXT === '.js';

/** One of torchbridge's own modules by its extensionless path from the code root: `codePath('runtime/index')`. */
export const codePath = (rel: string): string => join(CODE_ROOT, `${rel}${CODE_EXT}`);

/** The runtime's type entry: its source from the repository, its declarations from the build. */
export const runtimeTypes = (): string => join(CODE_ROOT, FROM_BUILD ? 'runtime/index.d.ts' : 'runtime/index.ts');

/** torchbridge's version, from its package.json ('unknown' if that cannot be read). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
