/// <reference types="@webgpu/types" />
/**
 * Adapter and device initialisation for the WebGPU backend (Dawn's Node binding, the optional `webgpu` package).
 *
 * The package is imported dynamically so a machine without it (or without an adapter) still runs everything
 * on the CPU. The object returned by `create([])` is kept in a module variable for the life of the process:
 * a local one was garbage-collected mid-run and took Node down with it.
 */

export interface GpuContext {
  device: GPUDevice;
  queue: GPUQueue;
  /** The limits the device was created with: the adapter's real ones, not WebGPU's conservative defaults. */
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupsPerDimension: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupStorageSize: number;
    minStorageBufferOffsetAlignment: number;
  };
  adapterName: string;
}

/** Why the backend is unavailable, or null once it is up. */
export interface InitResult { ok: boolean; reason: string | null; adapterName?: string }

// NOTE: module-level on purpose (see the file comment): Dawn's GPU object must outlive every device it made.
let gpuInstance: unknown = null;
let context: GpuContext | null = null;
let pending: Promise<InitResult> | null = null;
let lost: string | null = null;
let firstError: string | null = null;

/** Throws (once) the first GPU validation error since the last call. */
export function throwPendingError(during: string): void {
  if (firstError === null) return;
  const m = firstError;
  firstError = null;
  throw new Error(`webgpu: a kernel failed validation (found ${during}): ${m}`);
}

export function gpuContext(): GpuContext {
  if (!context) throw new Error(`webgpu: the device is not initialised${lost ? ` (${lost})` : ''}; call \`await webgpu.init()\` (or \`await webgpu.isAvailable()\`) first`);
  return context;
}

export function hasContext(): boolean {
  return context !== null;
}

/** Requests an adapter and a device once; later calls return the first answer. */
export function initContext(): Promise<InitResult> {
  pending ??= doInit();
  return pending;
}

async function doInit(): Promise<InitResult> {
  let mod: { create: (o: string[]) => GPU; globals: object };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    return { ok: false, reason: `the optional 'webgpu' package is not installed (${(e as Error).message.split('\n')[0]}); run \`npm install webgpu\`` };
  }
  try {
    // Dawn's GPU* classes and enums (GPUBufferUsage, GPUMapMode, ...) as globals, as in a browser.
    Object.assign(globalThis, mod.globals);
    const gpu = mod.create([]);
    gpuInstance = gpu;
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return {
        ok: false,
        reason: 'no WebGPU adapter found (no Vulkan/Metal/D3D12 driver; on Linux without a GPU install Mesa lavapipe ' +
          "— Debian 12: `apt-get install -t bookworm-backports mesa-vulkan-drivers` — and set XDG_RUNTIME_DIR)",
      };
    }
    const a = adapter.limits;
    const wanted = {
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
    };
    const device = await adapter.requestDevice({ requiredLimits: wanted });
    const info = adapter.info as GPUAdapterInfo | undefined;
    const adapterName = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
    // Validation errors (a bad shader, a bad binding) would otherwise only be logged: keep the first one so the
    // next read throws it instead of returning zeros.
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      firstError ??= err.message;
    });
    device.lost.then((l) => {
      lost = `device lost: ${l.message}`;
      context = null;
    }).catch(() => {});
    context = {
      device,
      queue: device.queue,
      limits: {
        maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
        maxBufferSize: device.limits.maxBufferSize,
        maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
        maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
        minStorageBufferOffsetAlignment: device.limits.minStorageBufferOffsetAlignment,
      },
      adapterName,
    };
    return { ok: true, reason: null, adapterName };
  } catch (e) {
    return { ok: false, reason: `WebGPU initialisation failed: ${(e as Error).message}` };
  }
}

/** For tests: whether Dawn's instance is still referenced (it must be, for the life of the process). */
export function instanceAlive(): boolean {
  return gpuInstance !== null;
}
