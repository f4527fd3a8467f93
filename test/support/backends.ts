/**
 * The backends the op table runs on. A backend only means: move the inputs with `.to(device)`, create with
 * `{ device }`, and read results with `await t.data()`. The WebGPU backend joins this list when it lands.
 */
import type { DeviceType } from '../../runtime/device.js';
import type { Tensor } from '../../runtime/tensor.js';
import type { HostTensor } from './assert_close.js';

export const backends: DeviceType[] = ['cpu'];

export function toBackend(t: Tensor, device: DeviceType): Tensor {
  return t.storage.device === device ? t : t.to(device);
}

/** Reads a result the way every backend supports: asynchronously. */
export async function readHost(t: Tensor): Promise<HostTensor> {
  const data = await t.data();
  return { data, shape: t.shape.slice(), dtype: t.dtype };
}
