/**
 * Builds an ONNX GraphProto piece by piece (nodes, initializers, inputs/outputs) and encodes the ModelProto with
 * the maintained `onnx-proto` package (protobufjs code generated from onnx.proto). `onnx-proto` is required
 * lazily so that importing the runtime does not load protobufjs.
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import type { DType } from '../dtype.js';

type Onnx = typeof OnnxNs;
let onnxModule: Onnx | null = null;

/** The generated `onnx` namespace of onnx-proto. */
export function onnxProto(): Onnx {
  if (!onnxModule) onnxModule = (createRequire(import.meta.url)('onnx-proto') as { onnx: Onnx }).onnx;
  return onnxModule;
}

/** TensorProto.DataType numbers (onnx.proto). */
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, int32: 6, bool: 9, float64: 11 } as Record<DType, number>;
export const ONNX_INT64 = 7;

/** A dim of a graph input/output: a number, or a named symbolic size (the dynamic batch). */
export type OnnxDim = number | string;

export type AttrValue = number | number[] | string | { float: number } | { tensor: OnnxNs.ITensorProto };

export class GraphBuilder {
  readonly nodes: OnnxNs.INodeProto[] = [];
  readonly initializers: OnnxNs.ITensorProto[] = [];
  readonly inputs: OnnxNs.IValueInfoProto[] = [];
  readonly outputs: OnnxNs.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A value name not used yet, derived from `hint`. */
  fresh(hint: string): string {
    let name = hint.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'v';
    if (this.used.has(name)) name = `${name}_${this.counter++}`;
    while (this.used.has(name)) name = `${hint}_${this.counter++}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns its output names (fresh unless given). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: number | string[] = 1, nameHint = opType): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(`${nameHint}_out`)) : outputs;
    const attribute = Object.entries(attrs).map(([name, v]) => attributeProto(name, v));
    this.nodes.push({ opType, input: inputs, output: outs, name: this.fresh(`${nameHint}_${this.nodes.length}`), attribute });
    return outs;
  }

  /** Adds an initializer (row-major values) and returns its name. */
  initializer(hint: string, dtype: DType | 'int64', shape: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(hint);
    this.initializers.push(tensorProto(name, dtype, shape, values));
    return name;
  }

  /** An int64 1-D initializer (shapes, axes, starts/ends for Reshape/Slice/Squeeze...). */
  int64s(hint: string, values: readonly number[]): string {
    return this.initializer(hint, 'int64', [values.length], values);
  }

  addInput(name: string, dtype: DType, dims: readonly OnnxDim[]): void {
    this.inputs.push(valueInfo(name, dtype, dims));
  }

  addOutput(name: string, dtype: DType, dims: readonly OnnxDim[]): void {
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  /** The encoded ModelProto. */
  encode(opset: number, graphName: string, docString: string): Uint8Array {
    const onnx = onnxProto();
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'torchbridge',
      producerVersion: '0',
      docString,
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    const err = onnx.ModelProto.verify(model);
    if (err) throw new Error(`onnx.export: internal error, the model does not verify: ${err}`);
    return onnx.ModelProto.encode(model).finish();
  }
}

export function tensorProto(name: string, dtype: DType | 'int64', shape: readonly number[], values: ArrayLike<number>): OnnxNs.ITensorProto {
  const dims = shape.slice();
  let raw: Uint8Array;
  let dataType: number;
  const n = values.length;
  if (dtype === 'int64') {
    dataType = ONNX_INT64;
    const a = new BigInt64Array(n);
    for (let i = 0; i < n; i++) a[i] = BigInt(Math.trunc(values[i]));
    raw = new Uint8Array(a.buffer);
  } else if (dtype === 'float32') {
    dataType = ONNX_DTYPE.float32;
    raw = new Uint8Array(Float32Array.from(values).buffer);
  } else if (dtype === 'float64') {
    dataType = ONNX_DTYPE.float64;
    raw = new Uint8Array(Float64Array.from(values).buffer);
  } else if (dtype === 'int32') {
    dataType = ONNX_DTYPE.int32;
    raw = new Uint8Array(Int32Array.from(values).buffer);
  } else if (dtype === 'bool') {
    dataType = ONNX_DTYPE.bool;
    raw = Uint8Array.from(values, (v) => (v ? 1 : 0));
  } else {
    throw new TypeError(`onnx.export: no ONNX type for dtype '${String(dtype)}'`);
  }
  // NOTE: raw_data is little-endian by the spec; typed arrays are in host order, little-endian on every platform
  // Node supports.
  return { name, dims, dataType, rawData: raw };
}

function valueInfo(name: string, dtype: DType, dims: readonly OnnxDim[]): OnnxNs.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attributeProto(name: string, v: AttrValue): OnnxNs.IAttributeProto {
  // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, INTS 7.
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`onnx.export: internal error, attribute ${name}=${v} must be an integer (use { float })`);
    return { name, type: 2, i: v };
  }
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v.slice() };
  if ('float' in v) return { name, type: 1, f: v.float };
  return { name, type: 4, t: v.tensor };
}
