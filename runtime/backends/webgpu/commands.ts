/// <reference types="@webgpu/types" />
/**
 * Command batching. Kernels record dispatches into one command encoder; the batch is submitted only when a
 * value is read (or the batch grows large), so a training step is a handful of submits instead of hundreds.
 *
 * Every dispatch gets its parameters (sizes, offsets, strides, scalar constants as f32 bits) in a slot of one
 * per-batch "meta" storage buffer, bound with the slot's position as a dynamic offset. The slots are written
 * with a single `queue.writeBuffer` right before the submit: a write per dispatch would land before the whole
 * batch runs (writeBuffer is ordered before the not-yet-submitted encoder), so reusing one small buffer would be
 * wrong. Because the slot is a dynamic offset, the bind group itself depends only on the buffers bound, and is
 * cached across steps (bind_groups.ts): a training step after the first creates no bind groups.
 */
import { gpuContext, throwPendingError } from './context.js';
import { recycleSubmitted } from './buffer_pool.js';
import { bindGroupFor } from './bind_groups.js';
import type { Kernel } from './pipelines.js';
import { INDEX_ERROR_BYTES, indexErrorBuffer, takeIndexChecks, throwIndexError } from './index_errors.js';

/** ints per batch's meta arena (256 KiB). */
const ARENA_INTS = 65536;
/** Submit after this many dispatches even without a read: bounds the memory held by freed-but-unsubmitted buffers. */
const MAX_DISPATCHES = 256;

let encoder: GPUCommandEncoder | null = null;
let pass: GPUComputePassEncoder | null = null;
/** The pipeline last set on `pass` (setPipeline is skipped when a run of dispatches uses one kernel). */
let passPipeline: GPUComputePipeline | null = null;
let arena: GPUBuffer | null = null;
const shadow = new Int32Array(ARENA_INTS);
let used = 0;
let dispatches = 0;

export const commandStats = { dispatches: 0, submits: 0 };

function begin(): GPUComputePassEncoder {
  const { device } = gpuContext();
  arena ??= device.createBuffer({ size: ARENA_INTS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  encoder ??= device.createCommandEncoder();
  if (!pass) {
    pass = encoder.beginComputePass();
    passPipeline = null;
  }
  return pass;
}

/** Bit pattern of an f32 as an i32, for float constants passed through the meta buffer. */
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
export function floatBits(v: number): number {
  f32[0] = v;
  return i32[0];
}

/**
 * Records one dispatch: binding 0 is the meta slot, bindings 1.. are `buffers` (whole buffers; tensor offsets
 * travel in meta). `groups` is the workgroup grid.
 */
export function dispatch(kernel: Kernel, buffers: GPUBuffer[], meta: ArrayLike<number>, groups: [number, number, number]): void {
  const { device, limits } = gpuContext();
  const align = limits.minStorageBufferOffsetAlignment / 4;
  const len = Math.max(meta.length, 1);
  if (len > ARENA_INTS) throw new Error(`webgpu: a kernel's parameter block of ${len} ints exceeds the ${ARENA_INTS}-int arena`);
  if (used + len > ARENA_INTS || dispatches >= MAX_DISPATCHES) flush();
  const p = begin();
  const slot = used;
  for (let i = 0; i < meta.length; i++) shadow[slot + i] = meta[i];
  used = Math.ceil((slot + len) / align) * align;
  if (buffers.length !== kernel.signature.length) {
    throw new Error(`webgpu: kernel '${kernel.pipeline.label}' binds ${kernel.signature.length} buffers, given ${buffers.length}`);
  }
  const bindGroup = bindGroupFor(device, kernel.layout, kernel.signature, arena!, len * 4, buffers);
  if (passPipeline !== kernel.pipeline) {
    p.setPipeline(kernel.pipeline);
    passPipeline = kernel.pipeline;
  }
  p.setBindGroup(0, bindGroup, [slot * 4]);
  p.dispatchWorkgroups(groups[0], groups[1], groups[2]);
  dispatches++;
  commandStats.dispatches++;
}

/**
 * Counts a `queue.writeBuffer` upload into a new buffer (a small fill) as one operation of the batch, so the
 * bound on buffers held until the submit (MAX_DISPATCHES) covers steps whose constants are uploaded.
 */
export function countUpload(): void {
  if (dispatches >= MAX_DISPATCHES) flush();
  dispatches++;
}

/** Records a buffer-to-buffer copy (ends the current compute pass; the next dispatch opens a new one). */
export function copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
  begin();
  pass!.end();
  pass = null;
  passPipeline = null;
  encoder!.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
}

/** Submits the batch (if any) and lets buffers freed during it return to the pool. */
export function flush(): void {
  if (encoder) {
    const { queue } = gpuContext();
    pass?.end();
    if (used > 0) queue.writeBuffer(arena!, 0, shadow.buffer, 0, used * 4);
    queue.submit([encoder.finish()]);
    commandStats.submits++;
  }
  encoder = null;
  pass = null;
  used = 0;
  dispatches = 0;
  recycleSubmitted();
}

/**
 * Copies `bytes` from `src` at `offset` back to the host (submitting the pending batch first). Throws, instead, the
 * first GPU validation error or out-of-range index (index_errors.ts) since the last read.
 */
export async function readBuffer(src: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
  const size = Math.max(4, Math.ceil(bytes / 4) * 4);
  return waitAndRead({ src, offset, size }, bytes, 'while reading a tensor');
}

/** Waits for every submitted dispatch; throws as a read would (webgpu.sync()). */
export async function waitForGpu(): Promise<void> {
  await waitAndRead(null, 0, 'at webgpu.sync()');
}

/**
 * One wait on the GPU: copies `from` (if any) into a staging buffer and, when an index kernel ran since the last
 * wait, the error record after it (clearing the record in the same submit), then maps the staging buffer.
 */
async function waitAndRead(from: { src: GPUBuffer; offset: number; size: number } | null, bytes: number, during: string): Promise<ArrayBuffer> {
  const { device, queue } = gpuContext();
  const checks = takeIndexChecks();
  if (!from && !checks) {
    flush();
    await queue.onSubmittedWorkDone();
    throwPendingError(during);
    return new ArrayBuffer(0);
  }
  // getMappedRange offsets must be multiples of 8.
  const recordAt = from ? Math.ceil(from.size / 8) * 8 : 0;
  const size = checks ? recordAt + INDEX_ERROR_BYTES : from!.size;
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  if (from) copyBuffer(from.src, from.offset, staging, 0, from.size);
  if (checks) {
    const record = indexErrorBuffer();
    copyBuffer(record, 0, staging, recordAt, INDEX_ERROR_BYTES);
    encoder!.clearBuffer(record);
  }
  flush();
  try {
    await staging.mapAsync(GPUMapMode.READ);
    throwPendingError(during);
    if (checks) throwIndexError(new Int32Array(staging.getMappedRange(recordAt, INDEX_ERROR_BYTES)), checks, during);
    return from ? staging.getMappedRange(0, from.size).slice(0, bytes) : new ArrayBuffer(0);
  } finally {
    staging.destroy();
  }
}

/** A 1-D/2-D grid of workgroups covering `n` invocations of `perGroup`, within maxComputeWorkgroupsPerDimension. */
export function grid(n: number, perGroup: number): [number, number, number] {
  const { limits } = gpuContext();
  const count = Math.max(1, Math.ceil(n / perGroup));
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [count, 1, 1];
  const y = Math.ceil(count / max);
  if (y > max) throw new RangeError(`webgpu: ${n} invocations exceed the adapter's dispatch limit (${max}² workgroups)`);
  return [max, y, 1];
}
