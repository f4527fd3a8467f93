import { type DType, type TypedArray, itemSize, releaseArray } from './dtype.js';
import type { DeviceType } from './device.js';

/**
 * A flat buffer shared by a tensor and all of its views. It carries the version counter autograd uses to
 * detect in-place changes of saved tensors, and a reference count so `dispose()` on a view never frees the
 * data its base still uses.
 */
export class Storage {
  /** Bumped by every in-place write; autograd compares it with the version seen when a tensor was saved. */
  version = 0;
  refs = 0;
  readonly bytes: number;

  constructor(
    public data: TypedArray,
    readonly dtype: DType,
    readonly device: DeviceType = 'cpu',
  ) {
    this.bytes = data.length * itemSize(dtype);
    stats.storages++;
    stats.bytes += this.bytes;
  }

  get disposed(): boolean {
    return this.data === EMPTY;
  }

  release(): void {
    if (this.data === EMPTY) return;
    stats.storages--;
    stats.bytes -= this.bytes;
    if (this.device === 'cpu') releaseArray(this.dtype, this.data);
    this.data = EMPTY;
  }
}

const EMPTY = new Float32Array(0) as TypedArray;

/** Live counters behind `torch.memory()`. */
export const stats = { tensors: 0, storages: 0, bytes: 0 };
