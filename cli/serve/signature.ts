/**
 * The serving signature of an ONNX model, read from its graph (onnx-proto): each input and output with its
 * element type and dims (a symbolic dim is -1, as TF Serving's metadata writes an unknown size).
 */
import { onnxProto } from '../../runtime/onnx/graph.js';

export type ServedDType = 'float32' | 'float64' | 'int32' | 'bool';

export interface TensorSpec {
  name: string;
  dtype: ServedDType;
  /** -1 where the model leaves the size open. */
  dims: number[];
}

export interface Signature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** TensorProto.DataType → the dtypes the server feeds (through runtime tensors). */
const ELEM_TYPES: Record<number, ServedDType> = { 1: 'float32', 6: 'int32', 9: 'bool', 11: 'float64' };
const ELEM_NAMES: Record<number, string> = { 1: 'float', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'double', 8: 'string' };

/** TF Serving's DataType names for the metadata response. */
export const TF_DTYPE: Record<ServedDType, string> = { float32: 'DT_FLOAT', float64: 'DT_DOUBLE', int32: 'DT_INT32', bool: 'DT_BOOL' };

export function readSignature(bytes: Uint8Array, what: string): Signature {
  const P = onnxProto().ModelProto;
  let model: ReturnType<typeof P.toObject>;
  try {
    model = P.toObject(P.decode(bytes), { longs: Number, defaults: true });
  } catch (e) {
    throw new Error(`serve: ${what} is not an ONNX model (${(e as Error).message})`);
  }
  const graph = model.graph as { input: ValueInfo[]; output: ValueInfo[]; initializer: { name: string }[] } | undefined;
  if (!graph) throw new Error(`serve: ${what} has no graph`);
  const inits = new Set(graph.initializer.map((i) => i.name));
  const spec = (v: ValueInfo, kind: string): TensorSpec => {
    const t = v.type?.tensorType;
    if (!t) throw new Error(`serve: ${kind} '${v.name}' of ${what} is not a tensor`);
    const dtype = ELEM_TYPES[t.elemType];
    if (!dtype) throw new Error(`serve: ${kind} '${v.name}' of ${what} has the element type ${ELEM_NAMES[t.elemType] ?? t.elemType}; the server feeds float, double, int32 and bool tensors`);
    const dims = (t.shape?.dim ?? []).map((d) => (d.dimParam || !d.dimValue ? -1 : d.dimValue));
    return { name: v.name, dtype, dims };
  };
  return {
    // Older exporters list initializers among the inputs too; they are not fed.
    inputs: graph.input.filter((v) => !inits.has(v.name)).map((v) => spec(v, 'input')),
    outputs: graph.output.map((v) => spec(v, 'output')),
  };
}

interface ValueInfo {
  name: string;
  type?: { tensorType?: { elemType: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}
