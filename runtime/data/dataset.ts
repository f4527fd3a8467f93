/** Datasets: anything with a length and an indexed item, as torch.utils.data.Dataset. */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import type { WorkerRecipe } from './prefetch.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../memory.js';

export abstract class Dataset<T = Tensor[]> {
  abstract get length(): number;
  abstract getItem(index: number): T;
  /**
   * Optional batched fetch (PyTorch's `__getitems__`): the DataLoader calls it with a batch's indices instead
   * of collating getItem results one by one.
   */
  getItems?(indices: Int32Array): Tensor[];
  /** Optional: how a worker thread can build batches (enables DataLoader({ numWorkers: 1 })). */
  workerRecipe?(): WorkerRecipe;
}

/**
 * Wraps tensors sharing their first dimension; item i is [t0[i], t1[i], ...].
 * The DataLoader batches a TensorDataset by slicing, not item by item.
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError('TensorDataset: expected at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new RangeError(`TensorDataset: size mismatch between tensors: tensors[0] has ${n} rows but tensors[${i}] has shape ${fmtShape(t.shape)}`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`TensorDataset: index ${index} is out of range for ${this.length} items`);
    }
    return this.tensors.map((t) => t.select(0, index));
  }

  getItems(indices: Int32Array): Tensor[] {
    // tidy: indexSelect's intermediate views are freed now rather than left to the garbage collector.
    return tidy(() => {
      const index = Tensor.fromData(Int32Array.from(indices), [indices.length], 'int32');
      return noGrad(() => this.tensors.map((t) => t.indexSelect(0, index)));
    });
  }
}

/** A random split into non-overlapping subsets of the given lengths (torch.utils.data.random_split). */
export class Subset<T> extends Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: number[]) {
    super();
  }
  get length(): number {
    return this.indices.length;
  }
  getItem(index: number): T {
    return this.dataset.getItem(this.indices[index]);
  }
}
