import { type DType, type TypedArray, isFloating } from './dtype.js';
import { Device, type DeviceType } from './device.js';
import { contiguousStrides, isContiguous, numel, fmtShape } from './shape.js';
import { Storage, stats } from './storage.js';
import { trackTensor } from './memory.js';
import type { GradNode } from './autograd/node.js';
import { formatTensor } from './format.js';
import { getBackend } from './backends/backend.js';
import { traceHooks } from './compile/hooks.js';

/** Keeps torch.memory() right for tensors that were never disposed: a safety net, not the mechanism. */
const finalizer = new FinalizationRegistry<Storage>((storage) => {
  stats.tensors--;
  if (--storage.refs === 0) storage.release();
});

/**
 * A strided view of a Storage with autograd metadata. Methods (add, matmul, sum, ...) are attached in
 * tensor_methods.ts so that this file stays about the object itself.
 */
export class Tensor {
  storage: Storage;
  shape: number[];
  strides: number[];
  offset: number;
  readonly dtype: DType;
  requiresGrad = false;
  /** Accumulated gradient (leaves, and non-leaves after retainGrad()). */
  grad: Tensor | null = null;
  /** The recorded op that produced this tensor; null for leaves. */
  gradFn: GradNode | null = null;
  /** Set by retainGrad(): keep .grad on a non-leaf. */
  retainsGrad = false;
  /** The tensor this one is a view of (in-place edits through a view must see the base's autograd state). */
  base: Tensor | null = null;
  /** Set by keep(): the tensor outlives tidy scopes and DataLoader batch recycling. */
  kept = false;
  /** The tidy scope that will dispose this tensor, if any. */
  scope: Set<Tensor> | null = null;
  /**
   * Graph nodes (and running backward passes) that still read this tensor. While it is above 0, dispose()
   * only drops the caller's reference: the release waits for the last holder (autograd owns what it saved).
   */
  holds = 0;
  private _disposed = false;
  /** dispose() was called while holders remained; released when `holds` reaches 0. */
  private _dropped = false;
  private _finalized = false;

  constructor(storage: Storage, shape: number[], strides?: number[], offset = 0, base: Tensor | null = null) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.dtype = storage.dtype;
    this.base = base;
    storage.refs++;
    stats.tensors++;
    if (!trackTensor(this)) this.ensureFinalizer();
  }

  /** Registers the garbage-collection safety net (once); tensors inside tidy() skip it until they escape. */
  ensureFinalizer(): void {
    if (this._finalized || this._disposed) return;
    this._finalized = true;
    finalizer.register(this, this.storage, this);
  }

  /** A new contiguous tensor owning `data`. */
  static fromData(data: TypedArray, shape: number[], dtype: DType, device: DeviceType = 'cpu'): Tensor {
    if (device !== 'cpu') return getBackend(device).fromData(data, shape, dtype);
    return new Tensor(new Storage(data, dtype, device), shape);
  }

  get __isTensor(): true {
    return true;
  }
  get device(): Device {
    return new Device(this.storage.device);
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  /** size() → the shape; size(d) → one dimension (negative d counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    const d = dim < 0 ? dim + this.ndim : dim;
    if (d < 0 || d >= this.ndim) throw new RangeError(`size: dim=${dim} is out of range for a tensor of shape ${fmtShape(this.shape)}`);
    return this.shape[d];
  }
  numel(): number {
    return numel(this.shape);
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** True once dispose() (or tidy) let go of it, even while a graph node still holds its data. */
  get isDisposed(): boolean {
    return this._disposed || this._dropped;
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }
  /** The version counter of the underlying storage (PyTorch's `_version`). */
  get version(): number {
    return this.storage.version;
  }

  /**
   * Makes this tensor object view `src`'s data (PyTorch's `param.data = src`): same object, new storage,
   * shape and dtype. Used by Module.to() so optimizers holding the parameter keep working. No autograd.
   */
  setData_(src: Tensor): this {
    src.assertAlive('setData_', 'src');
    if (src.storage === this.storage && src.offset === this.offset) return this;
    const old = this.storage;
    src.storage.refs++;
    this.storage = src.storage;
    this.shape = src.shape.slice();
    this.strides = src.strides.slice();
    this.offset = src.offset;
    (this as { dtype: DType }).dtype = src.storage.dtype;
    // The finalizer must release the storage this object holds now, not the one it was created with.
    if (this._finalized) {
      finalizer.unregister(this);
      finalizer.register(this, this.storage, this);
    }
    if (--old.refs === 0) old.release();
    return this;
  }

  /** Throws a clear error if the tensor was disposed; every op calls this on its inputs. */
  assertAlive(op: string, arg = 'input'): void {
    if (this._disposed || this.storage.disposed) {
      throw new Error(
        `${op}: ${arg} (shape ${fmtShape(this.shape)}, ${this.dtype}) was disposed` +
          (this.disposedBy ? ` by ${this.disposedBy}` : '; keep it out of tidy() or call keep() on it'),
      );
    }
  }

  /** Who freed the tensor, when it was not the user (shown by the "was disposed" error). */
  disposedBy?: string;

  /**
   * Frees this tensor's reference to its storage now. Views keep the storage alive until they are disposed
   * too, and a graph node that saved the tensor for backward keeps it until the node is freed.
   */
  dispose(by?: string): void {
    if (this._disposed || this._dropped) return;
    if (by) this.disposedBy = by;
    if (this.scope) {
      this.scope.delete(this);
      this.scope = null;
    }
    if (this.holds > 0) {
      this._dropped = true;
      // Out of every scope now: the finalizer is the net should the whole graph be dropped unreleased.
      this.ensureFinalizer();
      return;
    }
    this.release();
  }

  /** A holder (graph node, backward pass) is done with the tensor; releases it if it was already disposed. */
  unhold(): void {
    if (--this.holds === 0 && this._dropped) this.release();
  }

  private release(): void {
    this._disposed = true;
    this._dropped = false;
    if (this._finalized) finalizer.unregister(this);
    stats.tensors--;
    if (--this.storage.refs === 0) this.storage.release();
    this.setGradFn(null);
  }

  /** Points `gradFn` at `node`, keeping the nodes' owner counts: a node nobody owns any more is freed. */
  setGradFn(node: GradNode | null): void {
    const old = this.gradFn;
    if (old === node) return;
    if (node) node.owners++;
    this.gradFn = node;
    if (old && --old.owners === 0) old.free();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Values as a typed array in row-major order (a copy). CPU only; on the GPU use `await t.data()`. */
  dataSync(): TypedArray {
    this.assertAlive('dataSync');
    if (traceHooks.tracer) traceHooks.tracer.onHostRead(this, 'dataSync()');
    if (this.storage.device !== 'cpu') {
      throw new Error(`dataSync: the tensor is on '${this.storage.device}', where reads are asynchronous; use \`await t.data()\` (or \`await t.itemAsync()\` for one value)`);
    }
    const n = this.numel();
    if (this.isContiguous()) return this.storage.data.slice(this.offset, this.offset + n);
    return (this as unknown as { contiguous(): Tensor }).contiguous().storage.data.slice(0, n);
  }

  /** Values as a typed array in row-major order (a copy); works on every device. */
  async data(): Promise<TypedArray> {
    this.assertAlive('data');
    if (this.storage.device === 'cpu') return this.dataSync();
    return getBackend(this.storage.device).read!(this);
  }

  /**
   * The single value of a one-element tensor. Synchronous, so CPU-only: on the GPU it throws, naming
   * `await t.itemAsync()` and `await t.data()`.
   *
   * NOTE: why not make `item()` itself asynchronous (the issue's `await t.item()`)? A `Promise<number>` return
   * would break every CPU caller that uses the number directly (`loss.item() < best`, PyTorch-ported code,
   * the transpiler's output), and `number | Promise<number>` would type-check neither way. Keeping `item()`
   * synchronous and throwing on the GPU turns a forgotten `await` into an immediate error that says what to call
   * instead, not a silent `[object Promise]`. `await t.item()` still works wherever item() does (CPU).
   */
  item(): number {
    const n = this.numel();
    if (n !== 1) throw new RangeError(`item: a tensor with ${n} elements (shape ${fmtShape(this.shape)}) cannot be converted to a number; index or reduce it first`);
    this.assertAlive('item');
    if (traceHooks.tracer) traceHooks.tracer.onHostRead(this, 'item()');
    if (this.storage.device !== 'cpu') {
      throw new Error(`item: the tensor is on '${this.storage.device}', where reads are asynchronous; use \`await t.itemAsync()\` or \`await t.data()\``);
    }
    return this.storage.data[this.offset];
  }

  /** item() on any device (await it; on the GPU reading a value waits for the queued work). */
  async itemAsync(): Promise<number> {
    if (this.storage.device === 'cpu') return this.item();
    const n = this.numel();
    if (n !== 1) throw new RangeError(`itemAsync: a tensor with ${n} elements (shape ${fmtShape(this.shape)}) cannot be converted to a number; index or reduce it first`);
    return (await this.data())[0];
  }

  /** Nested JS arrays (PyTorch's tolist(); tfjs's arraySync()). Bool tensors give booleans. */
  toArray(): NestedArray {
    const flat = this.dataSync();
    const isBool = this.dtype === 'bool';
    const build = (dim: number, start: number): NestedArray => {
      if (dim === this.ndim) return (isBool ? flat[start] !== 0 : flat[start]) as unknown as NestedArray;
      const n = this.shape[dim];
      let step = 1;
      for (let d = dim + 1; d < this.ndim; d++) step *= this.shape[d];
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, start + i * step);
      return out as NestedArray;
    };
    return build(0, 0);
  }

  tolist(): NestedArray {
    return this.toArray();
  }

  toString(): string {
    if (this._disposed) return `tensor(<disposed>, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export type NestedArray = number | boolean | NestedArray[];
