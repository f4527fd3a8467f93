/**
 * What `serve` serves: an .onnx file as is, or a tfjs model.json loaded with io.loadLayersModel and exported to
 * ONNX in memory (traced on a zero sample shaped from the model's declared input shape), run by onnxruntime-node.
 */
import { readFileSync } from 'node:fs';
import { io, onnx, torch } from '../../runtime/index.js';
import { readSignature, type Signature } from './signature.js';

export interface Servable {
  session: onnx.OnnxSession;
  signature: Signature;
  /** Where it came from, for messages. */
  source: string;
}

export async function loadServable(path: string): Promise<Servable> {
  let bytes: Uint8Array;
  if (path.endsWith('.json')) bytes = await exportLayersModel(path);
  else {
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(`serve: cannot read '${path}': ${(e as Error).message}`);
    }
  }
  const signature = readSignature(bytes, `'${path}'`);
  const session = await onnx.loadBytes(bytes, path);
  return { session, signature, source: path };
}

async function exportLayersModel(path: string): Promise<Uint8Array> {
  const sig = declaredSignature(path);
  const module = await io.loadLayersModel(path);
  // Any values do for the trace; the batch of 2 keeps dim 0 symbolic in the graph.
  const samples = sig.inputShapes.map((s) => torch.zeros([2, ...s]));
  return onnx.exportToBytes(module, samples, { inputNames: sig.inputNames, outputNames: sig.outputNames.length ? sig.outputNames : undefined });
}

export interface DeclaredSignature {
  /** Per-example input shapes (batch_input_shape without the batch). */
  inputShapes: number[][];
  /**
   * The names a Keras/TF Serving signature gives them, which named row-format clients send: the input layers'
   * names (a Sequential without an InputLayer: '<first layer>_input'), the output layers' names.
   */
  inputNames: string[];
  outputNames: string[];
}

/** The inputs and outputs a tfjs model.json declares. */
export function declaredSignature(path: string): DeclaredSignature {
  let json: { modelTopology?: Record<string, unknown> };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`serve: cannot read '${path}' as JSON: ${(e as Error).message}`);
  }
  // tfjs writes modelTopology {class_name, config}; the Python converter nests it under model_config.
  const topo = (json.modelTopology?.model_config ?? json.modelTopology) as { class_name?: string; config?: Record<string, unknown> } | undefined;
  const config = topo?.config as { layers?: LayerJson[]; input_layers?: unknown[][] } | undefined;
  const layers: LayerJson[] = Array.isArray(config) ? (config as LayerJson[]) : config?.layers ?? [];
  const shapeOf = (l: LayerJson | undefined): number[] | null => {
    const s = l?.config?.batch_input_shape ?? l?.config?.batch_shape;
    if (!Array.isArray(s) || s.slice(1).some((d) => typeof d !== 'number')) return null;
    return s.slice(1) as number[];
  };
  const nameOf = (l: LayerJson | undefined) => String(l?.name ?? l?.config?.name ?? '');
  let shapes: (number[] | null)[];
  let inputNames: string[];
  let outputNames: string[];
  if (topo?.class_name === 'Sequential') {
    shapes = [shapeOf(layers[0])];
    inputNames = [layers[0]?.class_name === 'InputLayer' ? nameOf(layers[0]) : `${nameOf(layers[0])}_input`];
    outputNames = [nameOf(layers[layers.length - 1])];
  } else {
    inputNames = (config?.input_layers ?? []).map((ref) => String(ref[0]));
    shapes = inputNames.map((n) => shapeOf(layers.find((l) => nameOf(l) === n)));
    outputNames = ((config as { output_layers?: unknown[][] } | undefined)?.output_layers ?? []).map((ref) => String(ref[0]));
  }
  if (shapes.length === 0 || shapes.some((s) => s === null)) {
    throw new Error(`serve: '${path}' does not state a fixed input shape (batch_input_shape) for every input; export the model with onnx.export and serve the .onnx file`);
  }
  // A layer used twice as an output, or an odd name, falls back to the exporter's defaults rather than failing.
  const usable = (names: string[]) => names.every((n) => /^[A-Za-z0-9_.:/-]+$/.test(n)) && new Set(names).size === names.length;
  return {
    inputShapes: shapes as number[][],
    inputNames: usable(inputNames) ? inputNames : shapes.map((_, i) => (shapes.length === 1 ? 'input' : `input_${i}`)),
    outputNames: usable(outputNames) && outputNames.length > 0 ? outputNames : [],
  };
}

interface LayerJson {
  class_name?: string;
  name?: string;
  config?: { name?: string; batch_input_shape?: unknown[]; batch_shape?: unknown[] };
}
