/** Devices. `cpu` is always present; `webgpu` is provided by the WebGPU backend when an adapter exists. */
export type DeviceType = 'cpu' | 'webgpu';
export const DEVICE_TYPES: readonly DeviceType[] = ['cpu', 'webgpu'];

export class Device {
  constructor(readonly type: DeviceType) {}
  toString(): string {
    return this.type;
  }
}

export type DeviceLike = Device | DeviceType | string;

/** `torch.device('cpu')`. Unknown names are an error that lists the known ones. */
export function device(d: DeviceLike): Device {
  if (d instanceof Device) return d;
  const type = String(d).split(':')[0];
  if (!(DEVICE_TYPES as readonly string[]).includes(type)) {
    throw new TypeError(`device: unknown device '${d}'; expected one of ${DEVICE_TYPES.join(', ')}`);
  }
  return new Device(type as DeviceType);
}
