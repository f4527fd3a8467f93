/**
 * The backends the op table runs on. A backend only means: move the inputs with `.to(device)`, create with
 * `{ device }`, and read results with `await t.data()`. WebGPU joins the list when an adapter exists (Mesa's
 * lavapipe in CI); otherwise its rows are reported as skipped, with the reason, never dropped silently.
 */
import type { DeviceType } from '../../runtime/device.js';
import type { Tensor } from '../../runtime/tensor.js';
import type { HostTensor } from './assert_close.js';
import * as webgpu from '../../runtime/webgpu.js';
import type { OpCase } from './op_case.js';

export const backends: DeviceType[] = ['cpu'];
/** Backends that exist in the runtime but not on this machine, with the reason. */
export const skippedBackends: { device: DeviceType; reason: string }[] = [];

const gpu = await webgpu.init({ quiet: true });
if (gpu.ok) backends.push('webgpu');
else skippedBackends.push({ device: 'webgpu', reason: gpu.reason ?? 'unavailable' });

/**
 * Cases that cannot run on WebGPU, each with the reason (reported in the test name as a skip). Ops whose
 * output shape depends on values need a synchronous read, which the GPU does not have.
 */
const WEBGPU_UNSUPPORTED: [RegExp, string][] = [
  [/^(maskedSelect|nonzero):/, 'output shape depends on values: needs a synchronous read (CPU only)'],
  [/^oneHot: inferred numClasses/, 'inferring numClasses reads max() synchronously (CPU only; pass numClasses on the GPU)'],
  [/cpu\(\) brings values back/, "a synchronous .cpu() cannot read GPU memory (use await torch.toAsync(t, 'cpu'))"],
  [/^(sin|cos|tan): edge values/, 'arguments near 1e30 need Payne-Hanek reduction; the WGSL kernels reduce exactly only up to ~1e5'],
];

/** Why a case cannot run on a device (null when it can): float64 is CPU-only, as on PyTorch's MPS. */
export function unsupportedOn(c: OpCase, device: DeviceType): string | null {
  if (device !== 'webgpu') return null;
  for (const [re, why] of WEBGPU_UNSUPPORTED) if (re.test(c.name)) return why;
  if (c.inputs().some((s) => s.dtype === 'float64') || /float64|double/.test(c.name + c.run.toString())) return 'float64 is CPU-only (WGSL has no f64)';
  return null;
}

export function toBackend(t: Tensor, device: DeviceType): Tensor {
  return t.storage.device === device ? t : t.to(device);
}

/** Reads a result the way every backend supports: asynchronously. */
export async function readHost(t: Tensor): Promise<HostTensor> {
  const data = await t.data();
  return { data, shape: t.shape.slice(), dtype: t.dtype };
}
