/// <reference types="@webgpu/types" />
/** GPU tensors: allocation of a Storage backed by a pooled GPUBuffer, and access to a tensor's buffer. */
import type { DType } from '../../dtype.js';
import { Storage } from '../../storage.js';
import { Tensor } from '../../tensor.js';
import { fmtShape, numel } from '../../shape.js';
import { allocBuffer, type GpuBuffer } from './buffer_pool.js';
import { storageType } from './wgsl.js';

/** Every GPU element is 4 bytes (f32, i32, or u32 for bool). */
export const ELEMENT_BYTES = 4;

/** A new contiguous tensor on the GPU with unspecified contents. */
export function emptyGpu(shape: number[], dtype: DType, op: string): Tensor {
  storageType(dtype); // float64 → a clear error before anything is allocated
  const n = numel(shape);
  const buf = allocBuffer(n * ELEMENT_BYTES, `${op}: a ${dtype} tensor of shape ${fmtShape(shape)}`);
  return new Tensor(new Storage(null, dtype, 'webgpu', buf, n), shape);
}

export function bufferOf(t: Tensor): GPUBuffer {
  const g = t.storage.gpu as GpuBuffer | null;
  if (!g) throw new Error(`webgpu: tensor of shape ${fmtShape(t.shape)} is on '${t.storage.device}', not on the GPU`);
  return (g as GpuBuffer).buffer;
}
