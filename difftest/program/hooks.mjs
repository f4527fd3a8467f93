/**
 * Node module hooks for the diff's child processes (registered by register.mjs, after tsx's, so they run first).
 *
 * - load: the program's entry file and the local modules it imports (local_modules.ts) are served instrumented (probe
 *   calls inserted by instrument.ts, compiled with esbuild) under their ORIGINAL URLs, so their relative imports,
 *   `import.meta.url` and package resolution behave exactly as when the user runs it; nothing is written next to the
 *   user's files.
 * - resolve: `torchbridge` is always the runtime the probes use (this package's own: the repository's sources, or the
 *   installed build), so the program and the probe module share one runtime. The probe modules' own imports of tfjs
 *   (`@tensorflow/tfjs`, `-core`, `-layers`, `-backend-wasm`, `-node(-gpu)`) resolve as the program's entry would
 *   resolve them, so the probes use the very tfjs the program's model is built with — the user's own copy when their
 *   project has one. (tfjs's copies share one engine and kernel registry through a global, but not their classes: the
 *   probes of a second copy would not recognise the program's model as a LayersModel, and its fit would run
 *   unprobed.) Only when the program's folder resolves none, the copy beside torchbridge. `@tensorflow/tfjs-node(-gpu)` falls back to `@tensorflow/tfjs` when it is not installed (tfjs-node's
 *   API is tfjs's plus file IO): the program's own tfjs first, else the copy beside torchbridge (a migrated copy in a
 *   temporary folder).
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `modules`: real-path file URL → { instrumentedFile, format, sourceFile? } for each instrumented module (the entry
 * first); `sourceFile` names the migrated file served under an original's URL (child.ts), for stack traces.
 * `entryUrl`: the program's entry, from which the probes' tfjs imports resolve.
 */
let state = { modules: {}, role: 'reference', anchorUrl: '', runtimeUrl: '', entryUrl: '' };

export async function initialize(data) {
  state = data;
}

const TFJS_NODE = /^@tensorflow\/tfjs-node(-gpu)?$/;
/** What the probes import of tfjs: resolved from the program's entry (see the header). */
const TFJS_PACKAGES = /^@tensorflow\/tfjs(-core|-layers|-backend-wasm|-backend-cpu|-node|-node-gpu)?$/;
/** The probe modules' folder (this file's): an import from here is the toolkit's, not the program's. */
const PROBES_URL = new URL('.', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'torchbridge') return nextResolve(state.runtimeUrl, context);
  // NOTE: Node merges the context passed to nextResolve into the one its chain holds, so after a try with another
  // parentURL every later try names its own.
  const parentURL = context.parentURL;
  if (state.entryUrl && TFJS_PACKAGES.test(specifier) && parentURL?.startsWith(PROBES_URL)) {
    try {
      return await nextResolve(specifier, { ...context, parentURL: state.entryUrl });
    } catch {
      // The program's folder has no such package: the copy beside torchbridge, below.
    }
    // No tfjs-node stand-in for the probes: `--reference node` must find the real one or say it is not installed.
    if (TFJS_NODE.test(specifier)) return nextResolve(specifier, { ...context, parentURL });
  }
  try {
    return await nextResolve(specifier, { ...context, parentURL });
  } catch (e) {
    if (TFJS_NODE.test(specifier) || specifier === '@tensorflow/tfjs') {
      if (specifier !== '@tensorflow/tfjs') {
        try {
          return await nextResolve('@tensorflow/tfjs', { ...context, parentURL });
        } catch {
          // No tfjs beside the program either.
        }
      }
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
    const out = transformSync(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: served.sourceFile ?? fileURLToPath(moduleUrl), sourcemap: 'inline', banner });
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
