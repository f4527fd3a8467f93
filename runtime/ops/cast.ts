/** dtype and device conversion (`to`). */
import { type DType, DTYPES } from '../dtype.js';
import { type DeviceLike, Device, DEVICE_TYPES, device as toDevice } from '../device.js';
import { Tensor } from '../tensor.js';
import { castTo, checkTensor, record } from './util.js';
import { getBackend } from '../backends/backend.js';

export interface ToOptions {
  dtype?: DType;
  device?: DeviceLike;
}

/** `to('float64')`, `to('webgpu')`, `to(device)`, `to({ dtype, device })`. Returns self when nothing changes. */
export function to(x: Tensor, arg: DType | DeviceLike | ToOptions): Tensor {
  checkTensor(x, 'to');
  let dtype: DType | undefined, dev: Device | undefined;
  if (typeof arg === 'string') {
    if ((DTYPES as readonly string[]).includes(arg)) dtype = arg as DType;
    else if ((DEVICE_TYPES as readonly string[]).includes(arg.split(':')[0])) dev = toDevice(arg);
    else throw new TypeError(`to: '${arg}' is neither a dtype (${DTYPES.join(', ')}) nor a device (${DEVICE_TYPES.join(', ')})`);
  } else if (arg instanceof Device) dev = arg;
  else if (arg && typeof arg === 'object') {
    dtype = arg.dtype;
    dev = arg.device !== undefined ? toDevice(arg.device) : undefined;
  }
  let y = x;
  if (dev && dev.type !== x.storage.device) y = transfer(y, dev);
  if (dtype && dtype !== y.dtype) y = castTo(y, dtype);
  return y;
}

/** Moves data between devices; the gradient moves back. */
function transfer(x: Tensor, dev: Device): Tensor {
  const target = getBackend(dev.type);
  const host = x.dataSync();
  const out = target.fromData(host, x.shape.slice(), x.dtype);
  const from = x.storage.device;
  return record(out, 'ToDevice', [x], (g) => [transfer(g, new Device(from))]);
}
