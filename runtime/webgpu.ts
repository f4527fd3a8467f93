/**
 * `webgpu`: the public face of the WebGPU backend.
 *
 *   import { torch, webgpu } from 'torchbridge';
 *   const device = (await webgpu.isAvailable()) ? 'webgpu' : 'cpu';
 *   const x = torch.randn(64, 784).to(device);
 *   console.log(await x.sum().itemAsync());   // reads on the GPU are asynchronous
 *
 * Nothing touches the GPU until `init()`/`isAvailable()` is awaited; without the optional `webgpu` package
 * or without an adapter they say why, and the runtime stays on 'cpu'.
 */
import { registerBackend } from './backends/backend.js';
import { type InitResult, gpuContext, hasContext, initContext } from './backends/webgpu/context.js';
import { emptyPool, poolStats, pooledByteCount } from './backends/webgpu/buffer_pool.js';
import { commandStats, flush, waitForGpu } from './backends/webgpu/commands.js';
import { pipelineStats } from './backends/webgpu/pipelines.js';
import { bindGroupStats, cachedBindGroupCount } from './backends/webgpu/bind_groups.js';

let registered = false;
let warned = false;

/**
 * Initialises the adapter and device once and registers the `webgpu` device. Resolves to `{ ok, reason }`;
 * never rejects. With `{ quiet: false }` (the default) an unavailable GPU is reported once on stderr.
 */
export async function init(opts: { quiet?: boolean } = {}): Promise<InitResult> {
  const r = await initContext();
  if (r.ok && !registered) {
    const { webgpuBackend } = await import('./backends/webgpu/index.js');
    registerBackend(webgpuBackend);
    registered = true;
  }
  if (!r.ok && !opts.quiet && !warned) {
    warned = true;
    console.warn(`torchbridge: WebGPU unavailable, staying on 'cpu': ${r.reason}`);
  }
  return r;
}

/** True once a WebGPU device is up (initialising it on first call); false, with the reason in `init()`, otherwise. */
export async function isAvailable(): Promise<boolean> {
  return (await init({ quiet: true })).ok;
}

/** Why WebGPU is unavailable (null when it is available). */
export async function unavailableReason(): Promise<string | null> {
  return (await init({ quiet: true })).reason;
}

/** The adapter's name and the limits the device runs with (after init). */
export function info(): { adapter: string; limits: ReturnType<typeof gpuContext>['limits'] } {
  const c = gpuContext();
  return { adapter: c.adapterName, limits: { ...c.limits } };
}

/** Submits queued GPU work now (reads do this on their own); does not wait for it (see `sync`). */
export function synchronize(): void {
  if (hasContext()) flush();
}

/**
 * Submits queued GPU work and waits until it has run (torch.cuda.synchronize()). Rejects, as the next read would,
 * with the first error the GPU recorded since the last wait: a kernel that failed validation, or an out-of-range
 * index in gather / indexSelect / embedding / scatter (kernels cannot throw, so these surface at a wait).
 */
export async function sync(): Promise<void> {
  if (hasContext()) await waitForGpu();
}

/** Frees the GPU buffers the pool holds for reuse (PyTorch's torch.cuda.empty_cache()). */
export function emptyCache(): void {
  if (!hasContext()) return;
  flush();
  emptyPool();
}

/** Backend counters: pool traffic, pipelines compiled, bind groups created/reused/held, dispatches and submits. */
export function stats(): {
  allocatedBytes: number; pooledBytes: number; buffersCreated: number; buffersReused: number; pipelinesCompiled: number;
  bindGroupsCreated: number; bindGroupsReused: number; bindGroupsCached: number; dispatches: number; submits: number;
} {
  return {
    allocatedBytes: poolStats.allocatedBytes,
    pooledBytes: pooledByteCount(),
    buffersCreated: poolStats.created,
    buffersReused: poolStats.reused,
    pipelinesCompiled: pipelineStats.compiled,
    bindGroupsCreated: bindGroupStats.created,
    bindGroupsReused: bindGroupStats.hits,
    bindGroupsCached: cachedBindGroupCount(),
    dispatches: commandStats.dispatches,
    submits: commandStats.submits,
  };
}
