/**
 * Builds gemm.wasm from the generated WAT (see gen.ts) and optim.wasm (see optim_wat.ts) with the `wabt` npm
 * package.
 *
 *   npx tsx runtime/backends/cpu/wasm/build.ts [out.wasm] [--wat out.wat] [--optim optim-out.wasm]
 *
 * Default outputs: gemm.wasm and optim.wasm next to this file. The build is deterministic (no names section,
 * canonical LEBs), so test/gemm.test.ts can check the committed binary equals a fresh build.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { generateWat, DEFAULT_GEN_OPTIONS, type GenOptions } from './gen.js';
import { generateOptimWat } from './optim_wat.js';

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

export async function buildOptimWasm(): Promise<Uint8Array> {
  return compileWat(generateOptimWat(), 'optim.wat');
}

async function main(argv: string[]): Promise<void> {
  let out = fileURLToPath(new URL('./gemm.wasm', import.meta.url));
  let optimOut = fileURLToPath(new URL('./optim.wasm', import.meta.url));
  let watOut: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--wat') watOut = argv[++i];
    else if (argv[i] === '--optim') optimOut = argv[++i];
    else out = argv[i];
  }
  const bin = await buildWasm();
  writeFileSync(out, bin);
  if (watOut) writeFileSync(watOut, generateWat());
  console.log(`wrote ${out} (${bin.length} bytes)`);
  const optim = await buildOptimWasm();
  writeFileSync(optimOut, optim);
  console.log(`wrote ${optimOut} (${optim.length} bytes)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
