/**
 * `io.save(stateDict, path)` / `io.load(path)`: state dicts as safetensors files, readable by the Python
 * `safetensors` library (and so by PyTorch's `load_file`). Tensors are stored contiguous, in their own dtype
 * (float32 → F32, float64 → F64, int32 → I32, bool → BOOL); int32 is written as I32, not PyTorch's I64.
 */
import { existsSync } from 'node:fs';
import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { readSafetensors, writeSafetensors, type StDtype, type StEntry } from './safetensors.js';

const TO_ST: Record<DType, StDtype> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

export interface SaveOptions {
  /** Free-form string metadata stored in the header (`__metadata__`). */
  metadata?: Record<string, string>;
  /** Refuse to replace an existing file unless true (default true, as torch.save). */
  overwrite?: boolean;
}

export function save(stateDict: Record<string, Tensor>, path: string, opts: SaveOptions = {}): void {
  if (opts.overwrite === false && existsSync(path)) {
    throw new Error(`save: ${path} already exists; pass { overwrite: true } or choose another path`);
  }
  const entries: Record<string, StEntry> = {};
  for (const [name, t] of Object.entries(stateDict)) {
    if (!(t instanceof Tensor)) throw new TypeError(`save: state dict entry '${name}' is not a Tensor`);
    t.assertAlive('save', name);
    entries[name] = { dtype: TO_ST[t.dtype], shape: t.shape.slice(), data: t.dataSync() };
  }
  writeSafetensors(path, entries, opts.metadata);
}

/** Reads a safetensors file into a state dict; F16/BF16 load as float32, I64/I16/I8/U8 as int32. */
export function load(path: string): Record<string, Tensor> {
  const file = readSafetensors(path);
  const out: Record<string, Tensor> = {};
  for (const [name, e] of Object.entries(file.tensors)) {
    let dtype: DType;
    let data = e.data;
    switch (e.dtype) {
      case 'F64': dtype = 'float64'; break;
      case 'F32': case 'F16': case 'BF16': dtype = 'float32'; break;
      case 'BOOL': dtype = 'bool'; break;
      default:
        dtype = 'int32';
        if (!(data instanceof Int32Array)) data = Int32Array.from(data as ArrayLike<number>);
    }
    out[name] = Tensor.fromData(data as Float32Array, e.shape.slice(), dtype);
  }
  return out;
}

export function loadMetadata(path: string): Record<string, string> {
  return readSafetensors(path).metadata;
}
