/**
 * DataLoader: batches of a dataset, optionally shuffled by a seeded generator, iterable with for...of.
 * Datasets with a batched fetch (`getItems`: TensorDataset, MNIST) give a whole batch at once; others are
 * collated item by item with stack.
 */
import { Tensor } from '../tensor.js';
import { Generator, defaultGenerator } from '../random.js';
import { Dataset } from './dataset.js';
import { stack } from '../ops/join.js';
import type { DeviceLike } from '../device.js';
import { Prefetcher } from './prefetch.js';
import { openScope, closeScope } from '../memory.js';

export interface DataLoaderOptions<T> {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** The generator shuffling draws from; defaults to the global one (torch.manualSeed). */
  generator?: Generator;
  /** Batches are moved here before they are yielded. */
  device?: DeviceLike;
  collateFn?: (items: T[]) => Tensor[];
  /**
   * Free each batch when the loop asks for the next one (default true), so its buffers are reused instead of
   * left to the garbage collector: fresh 200 KB arrays cost ~100 µs each in page faults, more than a training
   * step's matmuls. To hold a batch across iterations, `torch.keep(t)` it or `clone()` it. Each iteration is
   * also a memory generation: the step's tensors that backward() spent (loss, logits) are freed with it
   * (runtime/MEMORY.md); `false` turns both off.
   */
  recycle?: boolean;
  /**
   * 1 prepares the next batches on a worker thread while the loop trains (datasets with a `workerRecipe()`,
   * e.g. MNIST; others load in-process with a warning). 0 (default) loads in the loop, as PyTorch's default.
   */
  numWorkers?: number;
}

const RECYCLED =
  'the DataLoader when the loop moved to the next batch or ended (batches are recycled); to hold a batch longer, ' +
  'torch.keep() or clone() it, or create the DataLoader with { recycle: false }';

const SPENT =
  'the DataLoader when the loop moved to the next batch: backward() had freed its graph, and tensors a step ' +
  'made and differentiated are freed with the step; keep the number with .item(), or hold the tensor with ' +
  'torch.keep() or .detach() (or create the DataLoader with { recycle: false })';

const SPENT_LAST =
  'the DataLoader when its next pass began: backward() had freed its graph in the previous pass\'s last step, and ' +
  'such tensors live until the loader is iterated again; keep the number with .item(), or hold the tensor with ' +
  'torch.keep() or .detach() (or create the DataLoader with { recycle: false })';

const spent = (t: Tensor): boolean => !t.kept && !t.isDisposed && t.gradFn !== null && t.gradFn.backward === null;

/**
 * Ends one loop iteration's memory generation. Freed: tensors the step made that backward() has spent (their
 * graph node was freed: the model's outputs, the loss) and views of the recycled batch (`x.reshape(...)`),
 * which would otherwise keep its buffer from reuse. Everything else the body made (metrics, detached values)
 * lives on, as it would in PyTorch; a tensor still in a live graph is released with that graph. The spent
 * tensors of the last iteration are returned, not freed: code after the loop may read them (`let loss` printed
 * after the loop); the loader frees them when it is iterated again (the next epoch), so epochs do not pile up.
 */
function endIteration(body: Set<Tensor>, batch: Tensor[], last: boolean): Tensor[] {
  const left: Tensor[] = [];
  closeScope(body, (t) => {
    if (t.kept) return null;
    if (t.gradFn && t.gradFn.backward === null) {
      if (!last) return SPENT;
      left.push(t);
      return null;
    }
    for (const b of batch) if (t.storage === b.storage && !b.kept) return RECYCLED;
    return null;
  });
  return left;
}

export class DataLoader<T = Tensor[]> implements Iterable<Tensor[]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator;
  private prefetcher: Prefetcher | null = null;
  /** The spent tensors of the last pass's final step (see endIteration), freed when the next pass begins. */
  private leftover: Tensor[] = [];

  constructor(readonly dataset: Dataset<T>, private readonly opts: DataLoaderOptions<T> = {}) {
    this.batchSize = opts.batchSize ?? 1;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator ?? defaultGenerator;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) {
      throw new RangeError(`DataLoader: batchSize should be a positive integer, got ${opts.batchSize}`);
    }
    if (!(dataset instanceof Dataset) && typeof (dataset as Dataset<T>)?.getItem !== 'function') {
      throw new TypeError('DataLoader: dataset must be a Dataset (with length and getItem)');
    }
    const workers = opts.numWorkers ?? 0;
    if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`DataLoader: numWorkers should be a non-negative integer, got ${workers}`);
    if (workers > 0) {
      if (typeof dataset.workerRecipe === 'function' && !opts.collateFn) {
        this.prefetcher = new Prefetcher(dataset.workerRecipe(), dataset.length, this.batchSize);
      } else {
        console.warn(`DataLoader: numWorkers=${workers} ignored: ${dataset.constructor.name} has no workerRecipe() (or a collateFn is set); loading in-process`);
      }
    }
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The index order of one epoch (a fresh permutation per epoch when shuffling). */
  private order(): Int32Array {
    const n = this.dataset.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (this.shuffle) {
      const g = this.generator;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(g.uniform() * (i + 1));
        const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
      }
    }
    return idx;
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const order = this.order();
    const count = this.length;
    const recycle = this.opts.recycle ?? true;
    let prev: Tensor[] = [];
    const pf = this.prefetcher;
    let finished = false;
    pf?.start(order, count);
    // The loop body between two batches is one memory generation (recycling only): see endIteration.
    let body: Set<Tensor> | null = null;
    for (const t of this.leftover) if (spent(t)) t.dispose(SPENT_LAST);
    this.leftover = [];
    try {
      for (let b = 0; b < count; b++) {
        const ids = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
        // The previous batch (and its step's spent tensors) is freed only now, when the loop has asked for the
        // next one, and before the next is built, so its buffers are reused for it.
        if (body) endIteration(body, prev, false);
        if (recycle) for (const t of prev) if (!t.kept) t.dispose(RECYCLED);
        const batch = pf ? this.onDevice(pf.take(b, ids.length)) : this.batch(ids);
        prev = batch;
        if (recycle) body = openScope();
        yield batch;
      }
      finished = true;
    } finally {
      // The loop ended (or broke out): its last batch goes too.
      if (body) this.leftover = endIteration(body, prev, true);
      if (recycle) for (const t of prev) if (!t.kept) t.dispose(RECYCLED);
      if (pf && !finished) pf.cancel();
    }
  }

  private batch(ids: Int32Array): Tensor[] {
    const ds = this.dataset;
    let out: Tensor[];
    if (ds.getItems && !this.opts.collateFn) {
      out = ds.getItems(ids);
    } else {
      const items = Array.from(ids, (i) => ds.getItem(i));
      if (this.opts.collateFn) out = this.opts.collateFn(items);
      else out = collate(items as unknown[]);
    }
    return this.onDevice(out);
  }

  /**
   * Moves a batch to the loader's device. With recycling the host copy is freed at once (the same contract as
   * the batch itself: the loader's, not the user's), rather than left to the garbage collector every step.
   */
  private onDevice(out: Tensor[]): Tensor[] {
    if (!this.opts.device) return out;
    const recycle = this.opts.recycle ?? true;
    return out.map((t) => {
      const moved = t.to(this.opts.device!);
      if (recycle && moved !== t && !t.kept) t.dispose();
      return moved;
    });
  }
}

/** Default collation: items are Tensor[] (or a single Tensor / number each); fields are stacked. */
function collate(items: unknown[]): Tensor[] {
  const first = items[0];
  const fields = Array.isArray(first) ? first.length : 1;
  const result: Tensor[] = [];
  for (let f = 0; f < fields; f++) {
    const col = items.map((it) => (Array.isArray(it) ? it[f] : it));
    if (col[0] instanceof Tensor) result.push(stack(col as Tensor[]));
    else if (typeof col[0] === 'number') {
      const allInt = (col as number[]).every(Number.isInteger);
      result.push(Tensor.fromData(allInt ? Int32Array.from(col as number[]) : Float32Array.from(col as number[]), [col.length], allInt ? 'int32' : 'float32'));
    } else throw new TypeError(`DataLoader: cannot collate items of type ${typeof col[0]}; pass collateFn`);
  }
  return result;
}
