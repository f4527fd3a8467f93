/** Bench worker: the seed MLP on TensorFlow.js (cpu or wasm backend), same set-up; prints one JSON line. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readMnist, defaultMnistRoot } from '../../runtime/data/idx.js';

const epochs = Number(process.argv[2] ?? 3);
const backend = process.argv[3] ?? 'wasm';
await tf.setBackend(backend);
await tf.ready();

function load(train: boolean) {
  const m = readMnist(defaultMnistRoot(), train);
  const x = new Float32Array(m.count * 784);
  for (let i = 0; i < x.length; i++) x[i] = m.images[i] / 255;
  return { x: tf.tensor2d(x, [m.count, 784]), y: tf.tensor1d(Int32Array.from(m.labels), 'int32'), n: m.count };
}
const train = load(true);
const test = load(false);
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 50, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
const optimizer = tf.train.adam(1e-4);

const t0 = performance.now();
const cpu0 = process.cpuUsage();
let steps = 0;
for (let e = 0; e < epochs; e++) {
  const order = tf.util.createShuffledIndices(train.n);
  for (let b = 0; b < train.n; b += 64) {
    const idx = tf.tensor1d(Int32Array.from(order.slice(b, Math.min(b + 64, train.n))), 'int32');
    tf.tidy(() => {
      const x = tf.gather(train.x, idx);
      const y = tf.oneHot(tf.gather(train.y, idx), 10);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor) as tf.Scalar);
    });
    idx.dispose();
    steps++;
  }
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const acc = tf.tidy(() => (model.predict(test.x) as tf.Tensor).argMax(1).equal(test.y).cast('float32').mean().dataSync()[0]);
console.log(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, stepMs: (seconds * 1000) / steps, testAccuracy: acc * 100, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
