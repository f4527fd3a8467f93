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
  const shapes = declaredInputShapes(path);
  const module = await io.loadLayersModel(path);
  // Any values do for the trace; the batch of 2 keeps dim 0 symbolic in the graph.
  const samples = shapes.map((s) => torch.zeros([2, ...s]));
  return onnx.exportToBytes(module, samples);
}

/** The per-example input shapes a tfjs model.json declares (batch_input_shape without the batch). */
export function declaredInputShapes(path: string): number[][] {
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
  let shapes: (number[] | null)[];
  if (topo?.class_name === 'Sequential') shapes = [shapeOf(layers[0])];
  else {
    const names = (config?.input_layers ?? []).map((ref) => ref[0]);
    shapes = names.map((n) => shapeOf(layers.find((l) => (l.name ?? l.config?.name) === n)));
  }
  if (shapes.length === 0 || shapes.some((s) => s === null)) {
    throw new Error(`serve: '${path}' does not state a fixed input shape (batch_input_shape) for every input; export the model with onnx.export and serve the .onnx file`);
  }
  return shapes as number[][];
}

interface LayerJson {
  name?: string;
  config?: { name?: string; batch_input_shape?: unknown[]; batch_shape?: unknown[] };
}
