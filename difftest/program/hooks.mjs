/**
 * Node module hooks for the diff's child processes (registered by register.mjs, after tsx's, so they run first).
 *
 * - load: the program's entry file is served instrumented (probe calls inserted by instrument.ts, compiled with
 *   esbuild) under its ORIGINAL URL, so its relative imports, `import.meta.url` and package resolution behave
 *   exactly as when the user runs it; nothing is written next to the user's files.
 * - resolve: `torchbridge` is always the runtime the probes use (this package's own: the repository's sources, or the
 *   installed build), so the program and the probe module share one runtime; `@tensorflow/tfjs-node(-gpu)` falls back
 *   to `@tensorflow/tfjs` when it is not installed (tfjs-node's API is tfjs's plus file IO); `@tensorflow/tfjs` falls
 *   back to the copy beside torchbridge when the program's folder cannot resolve it (a migrated copy in a temporary
 *   folder), so the program and the probe module share one tfjs engine.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let state = { entryUrl: '', entryFormat: 'module', role: 'reference', instrumentedFile: '', anchorUrl: '', runtimeUrl: '' };

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
  if (url.split('?')[0] === state.entryUrl) {
    const { transformSync } = await import('esbuild');
    const source = readFileSync(state.instrumentedFile, 'utf8');
    const banner = state.entryFormat === 'commonjs' ? commonjsScope() : '';
    const out = transformSync(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: fileURLToPath(state.entryUrl), sourcemap: 'inline', banner });
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
function commonjsScope() {
  const file = fileURLToPath(state.entryUrl);
  const runtime = state.role === 'candidate' ? `import * as __tbRuntime from ${JSON.stringify(state.runtimeUrl)}; ` : 'const __tbRuntime = undefined; ';
  return `import { createRequire as __tbCreateRequire } from 'node:module'; ${runtime}`
    + `const __tbRequire = __tbCreateRequire(${JSON.stringify(state.entryUrl)}); `
    + `const require = Object.assign((id) => { if (id === 'torchbridge' && __tbRuntime) return __tbRuntime; `
    + `try { return __tbRequire(id); } catch (e) { if (e && e.code === 'MODULE_NOT_FOUND' && ${TFJS_NODE}.test(id)) { `
    + `try { return __tbRequire('@tensorflow/tfjs'); } catch { return __tbCreateRequire(${JSON.stringify(state.anchorUrl)})('@tensorflow/tfjs'); } } throw e; } }, `
    + `{ resolve: __tbRequire.resolve, cache: __tbRequire.cache }); `
    + `const module = { exports: {}, filename: ${JSON.stringify(file)}, id: '.', require }; const exports = module.exports; `
    + `const __filename = ${JSON.stringify(file)}; const __dirname = ${JSON.stringify(dirname(file))};`;
}
