/// <reference types="@webgpu/types" />
/**
 * GPU buffer pool. A training step allocates the same sizes every time, and creating a GPUBuffer costs far more
 * than a kernel launch, so freed buffers wait here, bucketed by size, for the next allocation of that bucket.
 *
 * A freed buffer is not reusable at once: commands recorded in the current (unsubmitted) batch may still read
 * it, and an upload through `queue.writeBuffer` runs before that batch. Freed buffers therefore join the pool
 * only when the batch is submitted (see commands.ts), which keeps every reuse ordered after its last use.
 *
 * Each free list is kept in one canonical order (by buffer id), so a step that starts from the same free set
 * gets the same buffers in the same places as the step before: the bind groups cached for that step
 * (bind_groups.ts) then all hit. A plain stack would hand them out in a permuted order every step.
 */
import { gpuContext } from './context.js';
import { bufferId, forgetBuffer } from './bind_groups.js';

/** A storage buffer owned by one tensor Storage; `release()` hands it back to the pool. */
export class GpuBuffer {
  constructor(
    readonly buffer: GPUBuffer,
    /** Bytes the tensor uses (the buffer itself may be a larger bucket). */
    readonly bytes: number,
  ) {}

  release(): void {
    freeBuffer(this.buffer);
  }
}

const free = new Map<number, GPUBuffer[]>();
let awaitingSubmit: GPUBuffer[] = [];
let pooledBytes = 0;
/** Above this many idle bytes, freed buffers are destroyed instead of pooled. */
const POOL_LIMIT_BYTES = 512 * 1024 * 1024;

export const poolStats = {
  /** Bytes in live GPUBuffers created by the pool (in use or idle). */
  allocatedBytes: 0,
  /** createBuffer calls (a flat count over training steps means the pool serves every allocation). */
  created: 0,
  reused: 0,
};

/** Size buckets: multiples of 256 B up to 64 KiB, then steps of 1/8 of the power of two (≤ 12.5% waste). */
export function bucketSize(bytes: number): number {
  const b = Math.max(bytes, 4);
  if (b <= 65536) return Math.ceil(b / 256) * 256;
  const p = 2 ** Math.floor(Math.log2(b));
  const step = p / 8;
  return Math.ceil(b / step) * step;
}

/** A STORAGE | COPY_SRC | COPY_DST buffer of at least `bytes`; throws a clear error past the adapter's limits. */
export function allocBuffer(bytes: number, what: string): GpuBuffer {
  const ctx = gpuContext();
  const { maxStorageBufferBindingSize, maxBufferSize } = ctx.limits;
  if (bytes > maxStorageBufferBindingSize || bytes > maxBufferSize) {
    throw new RangeError(
      `webgpu: ${what} needs ${bytes} bytes, more than this adapter allows in one buffer ` +
        `(maxStorageBufferBindingSize ${maxStorageBufferBindingSize}, maxBufferSize ${maxBufferSize}); ` +
        'split the tensor (e.g. process it in batches) or keep it on the cpu',
    );
  }
  const size = Math.min(bucketSize(bytes), maxStorageBufferBindingSize);
  const list = free.get(size);
  if (list && list.length) {
    poolStats.reused++;
    pooledBytes -= size;
    return new GpuBuffer(list.pop()!, bytes);
  }
  const buffer = ctx.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  poolStats.created++;
  poolStats.allocatedBytes += size;
  return new GpuBuffer(buffer, bytes);
}

function freeBuffer(buffer: GPUBuffer): void {
  awaitingSubmit.push(buffer);
}

/** Called by the batcher right after a submit: buffers freed before it may be reused by later work. */
export function recycleSubmitted(): void {
  const touched = new Set<GPUBuffer[]>();
  for (const b of awaitingSubmit) {
    if (pooledBytes + b.size > POOL_LIMIT_BYTES) {
      poolStats.allocatedBytes -= b.size;
      forgetBuffer(b);
      b.destroy();
      continue;
    }
    let list = free.get(b.size);
    if (!list) free.set(b.size, (list = []));
    list.push(b);
    touched.add(list);
    pooledBytes += b.size;
  }
  awaitingSubmit = [];
  // Descending, so pop() hands out the lowest id first.
  for (const list of touched) list.sort((x, y) => bufferId(y) - bufferId(x));
}

/** Destroys every idle pooled buffer (webgpu.emptyCache(), PyTorch's torch.cuda.empty_cache()). */
export function emptyPool(): void {
  for (const list of free.values()) for (const b of list) { poolStats.allocatedBytes -= b.size; forgetBuffer(b); b.destroy(); }
  free.clear();
  pooledBytes = 0;
}

export function pooledByteCount(): number {
  return pooledBytes;
}
