#!/usr/bin/env node
/**
 * Builds the npm package into dist/ (run by `npm run build` and by `prepack`, so `npm pack` / `npm publish` always
 * ship a fresh build):
 *
 *   dist/<runtime|cli|mappings|transpiler|difftest>/**.js   ES modules, one per source file (esbuild), same layout
 *   dist/**.d.ts                                             declarations (tsc --emitDeclarationOnly)
 *   dist/cjs/index.cjs (+ index.d.cts)                       the runtime as one CommonJS bundle, for require()
 *   dist/cli/bin.js                                          the `torchbridge` command
 *
 * The committed WebAssembly kernels (runtime/backends/cpu/wasm/*.wasm) are copied beside the modules that load them
 * (`new URL('./gemm.wasm', import.meta.url)`), and beside the CommonJS bundle, whose `import.meta.url` is its own file.
 * Nothing here needs the network; the whole build takes seconds.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const SOURCES = ['runtime', 'cli', 'mappings', 'transpiler', 'difftest'];
/** Development-only modules: the WASM kernels' build script (needs wabt, a devDependency). */
const DEV_ONLY = new Set(['runtime/backends/cpu/wasm/build.ts']);
/** Entry shims that exist for running from source only (they register tsx). */
const SOURCE_ONLY = new Set(['cli/bin.mjs']);

function walk(dir, out = []) {
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

const started = performance.now();
rmSync(DIST, { recursive: true, force: true });
const files = SOURCES.flatMap((d) => walk(d));
const modules = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !DEV_ONLY.has(f));
const assets = files.filter((f) => (f.endsWith('.wasm') || f.endsWith('.mjs')) && !SOURCE_ONLY.has(f));

// 1. ES modules, file for file: relative imports already name the `.js` files they become.
await build({
  entryPoints: modules.map((f) => join(ROOT, f)),
  outdir: DIST,
  outbase: ROOT,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
for (const f of assets) {
  mkdirSync(dirname(join(DIST, f)), { recursive: true });
  copyFileSync(join(ROOT, f), join(DIST, f));
}

// 2. The runtime as one CommonJS file for require('torchbridge'). `import.meta.url` becomes the bundle's own URL, so
//    the kernels are looked up beside it.
const wasm = assets.filter((f) => f.endsWith('.wasm'));
await build({
  entryPoints: [join(ROOT, 'runtime/index.ts')],
  outfile: join(DIST, 'cjs/index.cjs'),
  bundle: true,
  packages: 'external',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': '__torchbridge_import_meta_url' },
  banner: { js: "const __torchbridge_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
for (const f of wasm) copyFileSync(join(ROOT, f), join(DIST, 'cjs', f.split('/').pop()));
writeFileSync(join(DIST, 'cjs/index.d.cts'), "export * from '../runtime/index.js';\n");

// 3. The command: plain node, no loader. Its entry is one bundle of the command table and yargs (yargs as ~80 small
//    modules would cost `--help` 150 ms of module loading); each command's implementation stays a separate module,
//    imported when that command runs. Minified: parsing half the text saves `--help` a few tens of ms (the bundle is
//    yargs and the command table; the implementations stay readable modules).
await build({
  entryPoints: [join(ROOT, 'cli/main.ts')],
  outfile: join(DIST, 'cli/main.js'),
  allowOverwrite: true,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // yargs's CommonJS pieces call require(); give the bundle one.
  banner: { js: "import { createRequire as __torchbridge_createRequire } from 'node:module'; const require = __torchbridge_createRequire(import.meta.url);" },
  plugins: [{
    name: 'lazy-commands',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        // `import('../migrate/run.js')` in cli/commands/x.ts → `import('./migrate/run.js')` from dist/cli/main.js.
        const target = relative(join(ROOT, 'cli'), join(args.resolveDir, args.path)).split('\\').join('/');
        return { path: target.startsWith('.') ? target : `./${target}`, external: true };
      });
    },
  }],
  logLevel: 'warning',
});
writeFileSync(join(DIST, 'cli/bin.js'), "#!/usr/bin/env node\nimport './main.js';\n");
chmodSync(join(DIST, 'cli/bin.js'), 0o755);

// 4. Declarations.
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('build: tsc could not emit the declarations (see above)');
  process.exit(1);
}
for (const f of ['runtime/index.js', 'runtime/index.d.ts', 'cli/tools.js', 'cli/tools.d.ts', 'cjs/index.cjs']) {
  if (!existsSync(join(DIST, f))) {
    console.error(`build: ${relative(ROOT, join(DIST, f))} was not produced`);
    process.exit(1);
  }
}
console.log(`build: ${modules.length} modules, ${assets.length} assets, CommonJS runtime bundle and declarations in ${relative(process.cwd(), DIST) || 'dist'}/ (${((performance.now() - started) / 1000).toFixed(1)} s)`);
