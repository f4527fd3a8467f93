/**
 * onnx.load: an ONNX model run by onnxruntime-node, with runtime tensors in and out. onnxruntime-node is an
 * optional peer dependency, imported on the first load so the runtime works (and installs) without it.
 */
import { readFileSync } from 'node:fs';
import { Tensor } from '../tensor.js';
import { tensor as makeTensor } from '../ops/creation.js';
import type { DType } from '../dtype.js';

// The parts of onnxruntime-node's API used here (its own types are not needed to type-check without it).
interface OrtTensor { readonly type: string; readonly data: ArrayLike<number | bigint | boolean>; readonly dims: readonly number[] }
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(model: Uint8Array, opts?: object): Promise<OrtSession> };
  Tensor: new (type: string, data: ArrayLike<number> | ArrayLike<boolean> | BigInt64Array, dims: readonly number[]) => OrtTensor;
}

let ortPromise: Promise<Ort> | null = null;

/** onnxruntime-node, or a clear error saying how to get it. */
export function onnxRuntime(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: Ort }).default ?? (m as unknown as Ort)),
    (e: unknown) => {
      ortPromise = null;
      const code = (e as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
        throw new Error('onnx.load: onnxruntime-node is not installed; it is an optional peer dependency: npm install onnxruntime-node');
      }
      throw new Error(`onnx.load: onnxruntime-node failed to load: ${(e as Error).message}`);
    },
  );
  return ortPromise;
}

export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model. Inputs positionally (in inputNames order) or by name; one output comes back as a Tensor,
   * several as an array in outputNames order.
   */
  run(...inputs: Tensor[] | [Record<string, Tensor>]): Promise<Tensor | Tensor[]>;
  /** Like run, always an array of outputs. */
  runAll(...inputs: Tensor[] | [Record<string, Tensor>]): Promise<Tensor[]>;
  release(): Promise<void>;
}

/** Loads an .onnx file for onnxruntime-node. */
export async function load(path: string): Promise<OnnxSession> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`onnx.load: cannot read '${path}': ${(e as Error).message}`);
  }
  return loadBytes(bytes, path);
}

/** Loads an ONNX model from bytes (`what` names it in errors). */
export async function loadBytes(bytes: Uint8Array, what = 'the model bytes'): Promise<OnnxSession> {
  const ort = await onnxRuntime();
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (e) {
    throw new Error(`onnx.load: '${what}' is not a valid ONNX model (onnxruntime-node: ${(e as Error).message.split('\n')[0]})`);
  }
  const feeds = (inputs: Tensor[] | [Record<string, Tensor>]): Record<string, OrtTensor> => {
    const named: Record<string, Tensor> = {};
    if (inputs.length === 1 && !(inputs[0] instanceof Tensor)) Object.assign(named, inputs[0]);
    else {
      if (inputs.length !== session.inputNames.length) {
        throw new RangeError(`onnx session run: the model takes ${session.inputNames.length} input(s) (${session.inputNames.join(', ')}), got ${inputs.length}`);
      }
      session.inputNames.forEach((n, i) => (named[n] = inputs[i] as Tensor));
    }
    const out: Record<string, OrtTensor> = {};
    for (const n of session.inputNames) {
      const t = named[n];
      if (!(t instanceof Tensor)) throw new TypeError(`onnx session run: input '${n}' is missing or not a Tensor (inputs: ${session.inputNames.join(', ')})`);
      out[n] = toOrt(ort, t, n);
    }
    for (const n of Object.keys(named)) {
      if (!session.inputNames.includes(n)) throw new RangeError(`onnx session run: the model has no input '${n}' (inputs: ${session.inputNames.join(', ')})`);
    }
    return out;
  };
  const runAll = async (...inputs: Tensor[] | [Record<string, Tensor>]): Promise<Tensor[]> => {
    const result = await session.run(feeds(inputs));
    return session.outputNames.map((n) => fromOrt(result[n], n));
  };
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    runAll,
    async run(...inputs) {
      const outs = await runAll(...inputs);
      return outs.length === 1 ? outs[0] : outs;
    },
    release: () => session.release(),
  };
}

const ORT_TYPE: Partial<Record<DType, string>> = { float32: 'float32', float64: 'float64', int32: 'int32', bool: 'bool' };

function toOrt(ort: Ort, t: Tensor, name: string): OrtTensor {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new TypeError(`onnx session run: input '${name}' has dtype ${t.dtype}, which has no ONNX counterpart here`);
  const data = t.storage.device === 'cpu' ? t.dataSync() : null;
  if (!data) throw new Error(`onnx session run: input '${name}' is on '${t.storage.device}'; move it with .to('cpu')`);
  return new ort.Tensor(type, t.dtype === 'bool' ? Array.from(data, (v) => v !== 0) : data, t.shape);
}

function fromOrt(o: OrtTensor, name: string): Tensor {
  const dims = [...o.dims].map(Number);
  switch (o.type) {
    case 'float32': return makeTensor(Float32Array.from(o.data as ArrayLike<number>)).reshape(dims);
    case 'float64': return makeTensor(Float64Array.from(o.data as ArrayLike<number>), { dtype: 'float64' }).reshape(dims);
    case 'int32': return makeTensor(Int32Array.from(o.data as ArrayLike<number>), { dtype: 'int32' }).reshape(dims);
    case 'int64': {
      const src = o.data as ArrayLike<bigint>;
      const a = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = Number(src[i]);
        if (v > 2147483647 || v < -2147483648) throw new RangeError(`onnx session run: output '${name}' holds the int64 ${src[i]}, outside the runtime's int32`);
        a[i] = v;
      }
      return makeTensor(a, { dtype: 'int32' }).reshape(dims);
    }
    case 'bool': return makeTensor(Array.from(o.data as ArrayLike<boolean>, (v) => (v ? 1 : 0)), { dtype: 'bool' }).reshape(dims);
    default: throw new TypeError(`onnx session run: output '${name}' has the ONNX type '${o.type}', which the runtime has no dtype for`);
  }
}
