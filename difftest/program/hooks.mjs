/**
 * Node module hooks for the diff's child processes (registered by register.mjs, after tsx's, so they run first).
 *
 * - load: the program's entry file and the local modules it imports (local_modules.ts) are served instrumented (probe
 *   calls inserted by instrument.ts, compiled with esbuild) under their ORIGINAL URLs, so their relative imports,
 *   `import.meta.url` and package resolution behave exactly as when the user runs it; nothing is written next to the
 *   user's files.
 * - resolve: `torchbridge` is always the runtime the probes use (this package's own: the repository's sources, or the
 *   installed build), so the program and the probe module share one runtime; `@tensorflow/tfjs-node(-gpu)` falls back
 *   to `@tensorflow/tfjs` when it is not installed (tfjs-node's API is tfjs's plus file IO); `@tensorflow/tfjs` falls
 *   back to the copy beside torchbridge when the program's folder cannot resolve it (a migrated copy in a temporary
 *   folder), so the program and the probe module share one tfjs engine.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `modules`: real-path file URL → { instrumentedFile, format } for each instrumented module (the entry first). */
let state = { modules: {}, role: 'reference', anchorUrl: '', runtimeUrl: '' };

export async function initialize(data) {
  state = data;
}

const TFJS_NODE = /^@tensorflow\/tfjs-node(-gpu)?$/;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'torchbridge') return nextResolve(state.runtimeUrl, context);
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    if (TFJS_NODE.test(specifier) || specifier === '@tensorflow/tfjs') {
      return nextResolve('@tensorflow/tfjs', { ...context, parentURL: state.anchorUrl });
    }
    throw e;
  }
}

export async function load(url, context, nextLoad) {
  const moduleUrl = url.split('?')[0];
  const served = Object.hasOwn(state.modules, moduleUrl) ? state.modules[moduleUrl] : undefined;
  if (served) {
    const { transformSync } = await import('esbuild');
    const source = readFileSync(served.instrumentedFile, 'utf8');
    const banner = served.format === 'commonjs' ? commonjsScope(moduleUrl) : '';
    const out = transformSync(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: fileURLToPath(moduleUrl), sourcemap: 'inline', banner });
    return { format: 'module', source: out.code, shortCircuit: true };
  }
  return nextLoad(url, context);
}

/**
 * What a CommonJS program has in scope, for its instrumented copy served as an ES module (one line, so the source
 * map stays exact): `require` from the program's own folder — except that `torchbridge` is the probes' runtime (the
 * same instance the probe module drives) and an absent tfjs-node falls back to tfjs — and `module`, `exports`,
 * `__filename`, `__dirname`.
 */
function commonjsScope(entryUrl) {
  const file = fileURLToPath(entryUrl);
  const runtime = state.role === 'candidate' ? `import * as __tbRuntime from ${JSON.stringify(state.runtimeUrl)}; ` : 'const __tbRuntime = undefined; ';
  return `import { createRequire as __tbCreateRequire } from 'node:module'; ${runtime}`
    + `const __tbRequire = __tbCreateRequire(${JSON.stringify(entryUrl)}); `
    + `const require = Object.assign((id) => { if (id === 'torchbridge' && __tbRuntime) return __tbRuntime; `
    + `try { return __tbRequire(id); } catch (e) { if (e && e.code === 'MODULE_NOT_FOUND' && ${TFJS_NODE}.test(id)) { `
    + `try { return __tbRequire('@tensorflow/tfjs'); } catch { return __tbCreateRequire(${JSON.stringify(state.anchorUrl)})('@tensorflow/tfjs'); } } throw e; } }, `
    + `{ resolve: __tbRequire.resolve, cache: __tbRequire.cache }); `
    + `const module = { exports: {}, filename: ${JSON.stringify(file)}, id: '.', require }; const exports = module.exports; `
    + `const __filename = ${JSON.stringify(file)}; const __dirname = ${JSON.stringify(dirname(file))};`;
}
