/**
 * A planted-bug program (test/difftest/planted_bugs.test.ts): an MLP with a square hidden Dense layer, where a
 * kernel used without its transpose still has the right shape — so the mistake runs silently and only the numbers
 * say so. Deterministic synthetic data (no randomness outside the layers' initialisers).
 */
import * as tf from '@tensorflow/tfjs';

const N = 256;
const FEATURES = 64;
const xs = tf.tensor2d(Float32Array.from({ length: N * FEATURES }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5), [N, FEATURES]);
const labels = Int32Array.from({ length: N }, (_, i) => (i * 7) % 10);
const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();

const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [FEATURES], units: 32, activation: 'relu' }));
model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

await model.fit(xs, ys, { batchSize: 32, epochs: 2, shuffle: true });
const [loss, acc] = model.evaluate(xs, ys, { batchSize: 64 }) as tf.Scalar[];
console.log(`test loss ${loss.dataSync()[0].toFixed(4)}, test accuracy ${(100 * acc.dataSync()[0]).toFixed(2)}%`);
