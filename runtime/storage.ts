import { type DType, type TypedArray, itemSize, releaseArray } from './dtype.js';
import type { DeviceType } from './device.js';

/** Memory a device backend owns for a Storage (a GPU buffer): its size and how to give it back. */
export interface DeviceAllocation {
  readonly bytes: number;
  release(): void;
}

/**
 * A flat buffer shared by a tensor and all of its views. It carries the version counter autograd uses to
 * detect in-place changes of saved tensors, and a reference count so `dispose()` on a view never frees the
 * data its base still uses. CPU storages hold a typed array in `data`; device storages hold their memory in
 * `gpu` (and `data` is an empty array there).
 */
export class Storage {
  /** Bumped by every in-place write; autograd compares it with the version seen when a tensor was saved. */
  version = 0;
  refs = 0;
  /** Creation order (torch.compile tells storages made before a trace from those made during it). */
  readonly serial = nextSerial++;
  readonly bytes: number;
  /** Element count (for device storages, where `data` is empty). */
  readonly length: number;
  data: TypedArray;
  private released = false;

  constructor(
    data: TypedArray | null,
    readonly dtype: DType,
    readonly device: DeviceType = 'cpu',
    public gpu: DeviceAllocation | null = null,
    length?: number,
  ) {
    this.data = data ?? DEVICE_RESIDENT;
    this.length = length ?? this.data.length;
    this.bytes = gpu ? gpu.bytes : this.data.length * itemSize(dtype);
    stats.storages++;
    stats.bytes += this.bytes;
  }

  get disposed(): boolean {
    return this.released;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    stats.storages--;
    stats.bytes -= this.bytes;
    if (this.gpu) {
      this.gpu.release();
      this.gpu = null;
    } else if (this.device === 'cpu') releaseArray(this.dtype, this.data);
    this.data = EMPTY;
  }
}

let nextSerial = 0;
/** The serial the next Storage will get. */
export function nextStorageSerial(): number {
  return nextSerial;
}

const EMPTY = new Float32Array(0) as TypedArray;
/** The `data` of a storage whose elements live on a device. */
const DEVICE_RESIDENT = new Float32Array(0) as TypedArray;

/** Live counters behind `torch.memory()`. */
export const stats = { tensors: 0, storages: 0, bytes: 0 };
