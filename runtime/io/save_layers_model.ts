/**
 * `io.saveLayersModel(module, dir)`: writes `dir/model.json` and `dir/weights.bin` in TensorFlow.js's LayersModel
 * format, so that tfjs's `tf.loadLayersModel('file://dir/model.json')` (or the browser's) loads the module and
 * predicts what its forward computes.
 *
 *   const model = await io.loadLayersModel('model/model.json');   // train it in torchbridge, then
 *   await io.saveLayersModel(model, 'trained');                    // trained/model.json + trained/weights.bin
 *
 * Two kinds of module can be saved:
 *   - one that io.loadLayersModel built: the topology is written back as it was read, with the module's current
 *     weights converted back to tfjs's layouts (Dense and Conv2D kernels, BatchNorm's moving statistics);
 *   - a hand-built nn.Sequential of nn.Linear, activations and Dropout (see describe_sequential.ts); pass
 *     `{ inputShape }` (without the batch dim) when it starts with an nn.Flatten.
 * All weights are written as float32 (a quantized model is saved unquantized).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Module } from '../nn/module.js';
import { noGrad } from '../autograd/grad_mode.js';
import { originOf } from './tfjs_layers/origin.js';
import { describeSequential, type DescribedModel, type SavedWeight } from './tfjs_layers/describe_sequential.js';

export interface SaveLayersModelOptions {
  /** The input's shape without the batch dim; needed for a hand-built Sequential that starts with a Flatten. */
  inputShape?: number[];
}

/** A loaded module: its own topology, each manifest weight read from the module (or kept, if no module took it). */
function describeLoaded(module: Module): DescribedModel | null {
  const origin = originOf(module);
  if (!origin) return null;
  // A reader whose module is no longer in the model (a layer replaced after loading) would save stale weights.
  const inModel = new Set(module.modules());
  const weights: SavedWeight[] = [...origin.weights].map(([name, w]) => {
    const reader = origin.readers.get(w);
    if (reader && !inModel.has(reader.owner)) {
      throw new Error(`saveLayersModel: the ${reader.owner.constructor.name} that weight '${name}' was loaded into is no longer part of the module (was a submodule replaced?); the saved topology would not describe the module, so save the state dict with io.save(model.stateDict(), path) instead`);
    }
    return { name, shape: w.shape, read: reader ? reader.read : () => w.data };
  });
  return { topology: origin.topology as Record<string, unknown>, weights };
}

async function weightBytes(w: SavedWeight): Promise<Float32Array> {
  const t = noGrad(() => w.read());
  if (t instanceof Float32Array) return t;
  if (t.shape.join(',') !== w.shape.join(',')) {
    throw new Error(`saveLayersModel: weight '${w.name}' should be [${w.shape.join(', ')}] in tfjs's layout but the module's tensor converts to [${t.shape.join(', ')}]; a module weight was replaced with one of another shape`);
  }
  if (t.dtype !== 'float32') return Float32Array.from(await t.data() as ArrayLike<number>);
  return (await t.data()) as Float32Array;
}

/** `dir` as a plain path or a file:// URL. */
function directoryOf(dir: string): string {
  if (dir.startsWith('file://')) {
    try {
      return fileURLToPath(dir);
    } catch {
      return resolve(dir.slice('file://'.length));
    }
  }
  return resolve(dir);
}

export async function saveLayersModel(module: Module, dir: string, options: SaveLayersModelOptions = {}): Promise<void> {
  if (!(module instanceof Module)) throw new TypeError(`saveLayersModel: expected an nn.Module to save, got ${module === null ? 'null' : typeof module}`);
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`saveLayersModel: expected the directory to write model.json and weights.bin into, got ${JSON.stringify(dir)}`);
  const described = describeLoaded(module) ?? describeSequential(module, options.inputShape);
  const parts = await Promise.all(described.weights.map(weightBytes));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'torchbridge runtime',
    convertedBy: null,
    modelTopology: described.topology,
    weightsManifest: [{ paths: ['weights.bin'], weights: described.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
  };
  const where = directoryOf(dir);
  try {
    await mkdir(where, { recursive: true });
    await writeFile(join(where, 'weights.bin'), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    await writeFile(join(where, 'model.json'), JSON.stringify(json));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`saveLayersModel: cannot write model.json and weights.bin into ${where} (${code ?? String(e)}); check that the directory can be created and written`);
  }
}
