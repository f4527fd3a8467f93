/** dtype and device conversion (`to`). */
import { type DType, DTYPES } from '../dtype.js';
import { type DeviceLike, Device, DEVICE_TYPES, device as toDevice } from '../device.js';
import { Tensor } from '../tensor.js';
import { castTo, checkTensor, record } from './util.js';
import { getBackend } from '../backends/backend.js';
import { fmtShape } from '../shape.js';

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

/** `await toAsync(t, 'cpu')`: `to` for a device whose reads are asynchronous (webgpu → cpu). No autograd. */
export async function toAsync(x: Tensor, arg: DType | DeviceLike | ToOptions): Promise<Tensor> {
  checkTensor(x, 'toAsync');
  const dev = typeof arg === 'string' && !(DTYPES as readonly string[]).includes(arg) ? toDevice(arg) : arg instanceof Device ? arg : typeof arg === 'object' && arg.device !== undefined ? toDevice(arg.device) : null;
  if (!dev || dev.type === x.storage.device || x.storage.device === 'cpu') return to(x, arg);
  const host = getBackend('cpu').fromData(await x.data(), x.shape.slice(), x.dtype);
  const dtype = typeof arg === 'object' && !(arg instanceof Device) ? arg.dtype : undefined;
  return dtype && dtype !== host.dtype ? to(host, dtype) : dev.type === 'cpu' ? host : to(host, dev);
}

/** Moves data between devices; the gradient moves back. */
function transfer(x: Tensor, dev: Device): Tensor {
  const target = getBackend(dev.type);
  if (x.storage.device !== 'cpu') {
    // NOTE: reading device memory is asynchronous (WebGPU maps buffers with a promise); a synchronous .to()
    // cannot wait for it.
    throw new Error(`to: moving a tensor (shape ${fmtShape(x.shape)}) from '${x.storage.device}' to '${dev.type}' needs an asynchronous read; use \`await t.data()\` (values) or \`await torch.toAsync(t, '${dev.type}')\``);
  }
  const host = x.dataSync();
  const out = target.fromData(host, x.shape.slice(), x.dtype);
  const from = x.storage.device;
  return record(out, 'ToDevice', [x], (g) => [transfer(g, new Device(from))]);
}
