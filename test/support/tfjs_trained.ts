/**
 * The tfjs-trained models the ONNX and serve tests start from: an MLP and a small NHWC CNN, each trained for a few
 * epochs by tfjs's own fit (so the weights are what training produced, not an initializer's) and saved as tfjs's
 * file:// handler writes them (model.json + weights.bin).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInput } from './tfjs_models.js';

export interface TrainedModel {
  model: tf.LayersModel;
  /** The model.json path. */
  path: string;
  /** Shape of one input row (without the batch). */
  rowShape: number[];
}

/** Writes the model as tfjs's file:// saver does; returns the model.json path. */
export async function saveAsFiles(model: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const json = {
      modelTopology: a.modelTopology,
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
      convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

async function train(model: tf.LayersModel, rowShape: number[], classes: number, seed: number): Promise<void> {
  const n = 32;
  const x = tf.tensor(randomInput([n, ...rowShape], seed), [n, ...rowShape]);
  const labels = Array.from(randomInput([n], seed + 1), (v) => Math.floor((v + 1) * classes / 2) % classes);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
}

/** Dense(16, relu) → Dense(4, softmax) on 10 features. */
export async function trainedMlp(dir: string): Promise<TrainedModel> {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [10], units: 16, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  await train(m, [10], 4, 11);
  return { model: m, path: await saveAsFiles(m, dir), rowShape: [10] };
}

/** Conv2D(same, relu) → MaxPooling2D → Conv2D(valid) → Flatten → Dense(3) on 9×8×3 NHWC images. */
export async function trainedCnn(dir: string): Promise<TrainedModel> {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [9, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: [2, 3], padding: 'valid' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3 }));
  await train(m, [9, 8, 3], 3, 23);
  return { model: m, path: await saveAsFiles(m, dir), rowShape: [9, 8, 3] };
}

/** tfjs's predict on row-major input data. */
export function predictTf(model: tf.LayersModel, x: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(x, shape)) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}
