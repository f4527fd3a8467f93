/** package.json: drops @tensorflow/* dependencies (unless migrated files still import tfjs) and adds torchbridge. */
import { TF_ANY_PACKAGE } from '../../mappings/packages.js';
import { packageVersion } from '../package_root.js';

export function runtimeVersion(): string {
  return `^${packageVersion()}`;
}

/** The rewritten package.json text, or null when it is not valid JSON (then it is copied unchanged). */
export function rewritePackageJson(text: string, keepTf: boolean): { text: string; removed: string[] } | null {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  const removed: string[] = [];
  let hadTf = false;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const deps = pkg[field] as Record<string, string> | undefined;
    if (!deps || typeof deps !== 'object') continue;
    for (const name of Object.keys(deps)) {
      if (!TF_ANY_PACKAGE.test(name)) continue;
      hadTf = true;
      if (!keepTf) {
        delete deps[name];
        removed.push(name);
      }
    }
  }
  if (!hadTf) return { text, removed };
  const deps = (pkg.dependencies ??= {}) as Record<string, string>;
  deps.torchbridge ??= runtimeVersion();
  const indent = /^\{\s*\n(\s+)/.exec(text)?.[1] ?? '  ';
  return { text: `${JSON.stringify(pkg, null, indent)}${text.endsWith('\n') ? '\n' : ''}`, removed };
}
