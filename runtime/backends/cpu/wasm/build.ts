/**
 * Builds the committed WebAssembly modules from their generated WAT with the `wabt` npm package:
 * gemm.wasm (gen.ts), optim.wasm (optim_wat.ts), convert.wasm (convert_wat.ts), linear.wasm (linear_wat.ts).
 *
 *   npx tsx runtime/backends/cpu/wasm/build.ts [--out-dir dir] [--wat]
 *
 * Default: next to this file; `--wat` also writes each .wat. The build is deterministic (no names section,
 * canonical LEBs), so test/gemm.test.ts can check the committed binaries equal a fresh build.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { generateWat, DEFAULT_GEN_OPTIONS, type GenOptions } from './gen.js';
import { generateOptimWat } from './optim_wat.js';
import { generateConvertWat } from './convert_wat.js';
import { generateLinearWat } from './linear_wat.js';

/** Every module this folder ships: file name and WAT generator. */
export const WASM_MODULES: readonly { file: string; wat: () => string }[] = [
  { file: 'gemm.wasm', wat: () => generateWat() },
  { file: 'optim.wasm', wat: generateOptimWat },
  { file: 'convert.wasm', wat: generateConvertWat },
  { file: 'linear.wasm', wat: generateLinearWat },
];

export async function compileWat(wat: string, filename = 'gemm.wat'): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(filename, wat, { simd: true });
  try {
    mod.resolveNames();
    mod.validate();
    const { buffer } = mod.toBinary({ log: false, canonicalize_lebs: true, relocatable: false, write_debug_names: false });
    return new Uint8Array(buffer);
  } finally {
    mod.destroy();
  }
}

export async function buildWasm(opts: GenOptions = DEFAULT_GEN_OPTIONS): Promise<Uint8Array> {
  return compileWat(generateWat(opts));
}

async function main(argv: string[]): Promise<void> {
  let outDir = fileURLToPath(new URL('.', import.meta.url));
  let wat = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out-dir') outDir = argv[++i];
    else if (argv[i] === '--wat') wat = true;
    else throw new Error(`build.ts: unknown argument '${argv[i]}' (expected --out-dir <dir> or --wat)`);
  }
  for (const m of WASM_MODULES) {
    const text = m.wat();
    const bin = await compileWat(text, m.file.replace('.wasm', '.wat'));
    const out = join(outDir, m.file);
    writeFileSync(out, bin);
    if (wat) writeFileSync(out.replace(/\.wasm$/, '.wat'), text);
    console.log(`wrote ${out} (${bin.length} bytes)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
