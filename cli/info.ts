import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { wasmAvailable } from '../runtime/backends/cpu/wasm/gemm.js';
import { defaultMnistRoot, mnistFiles } from '../runtime/data/idx.js';
import { packageVersion } from '../transpiler/package_root.js';

export async function runInfo(): Promise<Record<string, string>> {
  const require = createRequire(import.meta.url);
  let mnist: string;
  try {
    const root = defaultMnistRoot();
    const f = mnistFiles(root, true);
    mnist = existsSync(f.images) ? root : 'missing';
  } catch (e) {
    mnist = `missing (${(e as Error).message.split('\n')[0]})`;
  }
  let tfjs = 'not installed';
  try {
    tfjs = (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  } catch { /* optional */ }
  return {
    torchbridge: packageVersion(),
    node: process.version,
    backends: 'cpu',
    cpuGemm: wasmAvailable ? 'WebAssembly SIMD' : 'JavaScript (WebAssembly SIMD unavailable)',
    mnist,
    tfjsReference: tfjs,
  };
}
