/**
 * A planted-bug program (test/difftest/planted_bugs.test.ts): a small CNN with a 'same'-padded convolution,
 * BatchNormalization and Dropout — the layers whose migration has conventions to get right (padding fill, running
 * statistics momentum, dropout only in training). Small deterministic synthetic images so a run takes seconds.
 */
import * as tf from '@tensorflow/tfjs';

/** n images and labels; `offset` shifts the pattern, so the test set is not the training set. */
function images(n: number, offset: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const pixels = Float32Array.from({ length: n * 8 * 8 }, (_, i) => Math.cos((i + offset) * 0.11) * 0.5 + 0.5 + ((i % 64) < 8 ? 0.5 : 0));
  const labels = Int32Array.from({ length: n }, (_, i) => ((i + offset) * 3) % 4);
  return { x: tf.tensor4d(pixels, [n, 8, 8, 1]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 4).toFloat() as tf.Tensor2D };
}
const { x: xs, y: ys } = images(64, 0);
// A test set large enough that dropout left on in evaluation moves the loss by more than chance would.
const { x: testXs, y: testYs } = images(512, 7);

const model = tf.sequential();
// No bias before BatchNormalization (it would be cancelled by the normalisation; Adam would then amplify its
// near-zero gradient into noise). 4 filters, so the pooled activation is [4, 4, 4]: h = w = c, where only the
// programs' stated layouts (not the shapes) tell NHWC from NCHW.
model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', useBias: false, activation: 'relu' }));
model.add(tf.layers.batchNormalization());
model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
model.add(tf.layers.flatten());
model.add(tf.layers.dropout({ rate: 0.5 }));
model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

await model.fit(xs, ys, { batchSize: 16, epochs: 2, shuffle: true });
const [loss, acc] = model.evaluate(testXs, testYs, { batchSize: 128 }) as tf.Scalar[];
console.log(`test loss ${loss.dataSync()[0].toFixed(4)}, test accuracy ${(100 * acc.dataSync()[0]).toFixed(2)}%`);
