/**
 * Streaming datasets: PyTorch's IterableDataset with TensorFlow.js's `tf.data` API and semantics, so migrated
 * `tf.data` pipelines keep their method chains (`map`, `filter`, `batch`, `shuffle`, `take`, `skip`, `repeat`,
 * `prefetch`, `concatenate`, `forEachAsync`, `toArray`, `iterator()`) and produce the same elements in the same
 * order:
 * - `batch` stacks tensors, turns numbers/arrays into a float32 tensor (booleans: bool, Int32Array rows: int32)
 *   and recurses into objects key by key; arrays are leaves, as in tfjs (`[x, y]` elements are not zipped);
 * - `shuffle(bufferSize, seed)` is tfjs's windowed shuffle drawing from the same Alea generator, so a seeded
 *   shuffle gives tfjs's exact order (unseeded: seeded from `performance.now()`, as tfjs seeds from `util.now()`);
 * - memory as in tfjs: elements of `fromArray` are clones (the caller's tensors survive the pipeline), `map` and
 *   `filter` run under `tidy`, and the tensors of an element a stage consumes (mapped from, skipped, filtered
 *   out, batched, passed to `forEachAsync`) are disposed unless the stage's result holds them.
 * A dataset is re-iterable: each `iterator()` (or `for await`) starts over from its source.
 */
import { Tensor } from '../tensor.js';
import { tidy } from '../memory.js';
import { stack } from '../ops/join.js';
import { tensor } from '../ops/creation.js';
import { noGrad } from '../autograd/grad_mode.js';
import { alea } from './alea.js';

/** What `iterator()` returns: tfjs's LazyIterator surface (`next`, `toArray`, `forEachAsync`). */
export interface DatasetIterator<T> {
  next(): Promise<IteratorResult<T, null>>;
  toArray(): Promise<T[]>;
  forEachAsync(f: (x: T) => unknown): Promise<void>;
}

type NextFn<T> = () => Promise<IteratorResult<T, null>>;
const DONE: IteratorResult<never, null> = { value: null, done: true };

function iteratorOf<T>(next: NextFn<T>): DatasetIterator<T> {
  // Reads are serialized (tfjs's SerialIterator): a caller that fires next() twice gets elements in order.
  let last: Promise<unknown> = Promise.resolve();
  const serial: NextFn<T> = () => {
    const p = last.then(next);
    last = p.catch(() => undefined);
    return p;
  };
  return {
    next: serial,
    async toArray() {
      const out: T[] = [];
      for (let r = await serial(); !r.done; r = await serial()) out.push(r.value);
      return out;
    },
    async forEachAsync(f) {
      for (let r = await serial(); !r.done; r = await serial()) {
        const v = r.value;
        f(v);
        disposeTensors(v, null);
      }
    },
  };
}

/** Tensors anywhere in an element (arrays, plain objects, Maps), as tfjs's getTensorsInContainer. */
function tensorsIn(x: unknown, out: Set<Tensor> = new Set(), depth = 0): Set<Tensor> {
  if (x instanceof Tensor) out.add(x);
  else if (x !== null && typeof x === 'object' && depth < 16 && !ArrayBuffer.isView(x)) {
    const values = x instanceof Map ? [...x.values()] : Array.isArray(x) ? x : Object.values(x);
    for (const v of values) tensorsIn(v, out, depth + 1);
  }
  return out;
}

/** Disposes the element's tensors that `kept` does not hold (what a consuming stage frees in tfjs). */
function disposeTensors(element: unknown, kept: unknown): void {
  const keep = kept === null ? new Set<Tensor>() : tensorsIn(kept);
  for (const t of tensorsIn(element)) if (!keep.has(t) && !t.isDisposed) t.dispose();
}

function isContainer(x: unknown): x is Record<string, unknown> | unknown[] {
  return x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) && !(x instanceof Tensor);
}

/** tfjs's deepClone: the element with every tensor cloned, so a pipeline that disposes never frees the source. */
function cloneElement<T>(x: T): T {
  if (x instanceof Tensor) return noGrad(() => x.clone()) as T;
  if (Array.isArray(x)) return x.map(cloneElement) as T;
  if (isContainer(x) && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, cloneElement(v)])) as T;
  }
  return x;
}

/** A leaf of a batch: what tfjs's canTensorify accepts (primitives, arrays, tensors, typed arrays, null). */
function isLeaf(x: unknown): boolean {
  return x === null || x === undefined || typeof x !== 'object' || Array.isArray(x) || x instanceof Tensor || ArrayBuffer.isView(x);
}

function batchLeaf(rows: unknown[], where: string): Tensor {
  if (rows[0] instanceof Tensor) {
    if (!rows.every((r) => r instanceof Tensor)) throw new TypeError(`Dataset.batch: ${where} mixes tensors and other values across elements`);
    return stack(rows as Tensor[]);
  }
  const bad = rows.find((r) => r === null || r === undefined || typeof r === 'string');
  if (bad !== undefined || rows.includes(undefined)) {
    const what = bad === undefined ? 'undefined' : bad === null ? 'null' : `a string (${JSON.stringify(bad)})`;
    throw new TypeError(`Dataset.batch: ${where} holds ${what}; only numbers, booleans, arrays of them and tensors can be batched (map the element to numbers first)`);
  }
  if (rows.every((r) => typeof r === 'boolean')) return tensor(rows as boolean[] as unknown as number[], { dtype: 'bool' });
  if (rows.every((r) => r instanceof Int32Array)) return tensor((rows as Int32Array[]).map((r) => Array.from(r)), { dtype: 'int32' });
  const plain = rows.map((r) => (ArrayBuffer.isView(r) ? Array.from(r as unknown as ArrayLike<number>) : r));
  if (plain.some((r) => containsTensor(r))) {
    throw new TypeError(`Dataset.batch: ${where} is an array holding tensors; tfjs batches arrays as one tensor and cannot do that either — make the element an object ({ xs, ys }) so each key is batched on its own`);
  }
  return tensor(plain as number[], { dtype: 'float32' });
}

function containsTensor(x: unknown): boolean {
  return x instanceof Tensor || (Array.isArray(x) && x.some(containsTensor));
}

/** tfjs's deepBatchConcat over a structure: leaves become batched tensors, objects recurse key by key. */
function batchRows(rows: unknown[], where = 'the element'): unknown {
  if (isLeaf(rows[0])) return batchLeaf(rows, where);
  const first = rows[0] as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(first)) out[k] = batchRows(rows.map((r) => (r as Record<string, unknown>)[k]), where === 'the element' ? `key '${k}'` : `${where.slice(0, -1)}.${k}'`);
  return out;
}

export class IterableDataset<T = unknown> {
  /**
   * The number of elements when known (tfjs's `size`): null when a stage makes it unknowable (filter, a
   * generator), Infinity for an endless `repeat()`.
   */
  readonly size: number | null;
  private readonly open: () => Promise<DatasetIterator<T>>;

  constructor(open: () => Promise<DatasetIterator<T>> | DatasetIterator<T>, size: number | null = null) {
    this.open = async () => open();
    this.size = size;
  }

  /** A fresh pass over the elements. */
  iterator(): Promise<DatasetIterator<T>> {
    return this.open();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    const it = await this.iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }

  /** A 1-to-1 transform run under tidy; the input element's tensors not in the output are disposed. */
  map<O>(transform: (x: T) => O): IterableDataset<O> {
    check('map', 'transform', transform);
    return this.derive<O>((up) => async () => {
      const r = await up.next();
      if (r.done) return DONE;
      const mapped = tidy(() => transform(r.value));
      disposeTensors(r.value, mapped);
      return { value: mapped, done: false };
    }, this.size);
  }

  /** An async 1-to-1 transform (not tidied: as in tfjs, the transform disposes its own intermediates). */
  mapAsync<O>(transform: (x: T) => Promise<O>): IterableDataset<O> {
    check('mapAsync', 'transform', transform);
    return this.derive<O>((up) => async () => {
      const r = await up.next();
      if (r.done) return DONE;
      const mapped = await transform(r.value);
      disposeTensors(r.value, mapped);
      return { value: mapped, done: false };
    }, this.size);
  }

  /** The elements for which `predicate` holds (run under tidy); the others are disposed. */
  filter(predicate: (x: T) => boolean): IterableDataset<T> {
    check('filter', 'predicate', predicate);
    return this.derive<T>((up) => async () => {
      for (;;) {
        const r = await up.next();
        if (r.done || tidy(() => predicate(r.value))) return r;
        disposeTensors(r.value, null);
      }
    }, this.size === Infinity ? Infinity : null);
  }

  /** Groups elements into batches (see the module comment for how a batch is made). */
  batch(batchSize: number, smallLastBatch = true): IterableDataset<unknown> {
    if (!(typeof batchSize === 'number' && batchSize > 0)) throw new RangeError(`Dataset.batch: batchSize needs to be positive, but it is ${batchSize}`);
    const size = this.size === null || this.size === Infinity ? this.size : smallLastBatch ? Math.ceil(this.size / batchSize) : Math.floor(this.size / batchSize);
    return this.derive<unknown>((up) => async () => {
      const rows: T[] = [];
      while (rows.length < batchSize) {
        const r = await up.next();
        if (r.done) break;
        rows.push(r.value);
      }
      if (rows.length === 0 || (rows.length < batchSize && !smallLastBatch)) return DONE;
      const batch = batchRows(rows);
      for (const row of rows) disposeTensors(row, batch);
      return { value: batch, done: false };
    }, size);
  }

  /**
   * tfjs's windowed shuffle: a buffer of `bufferSize` upcoming elements, one drawn at random each step. With a
   * seed the order is tfjs's; `reshuffleEachIteration` (default true) draws a new order for every pass.
   */
  shuffle(bufferSize: number, seed?: string, reshuffleEachIteration = true): IterableDataset<T> {
    if (bufferSize == null || !(bufferSize >= 0)) {
      throw new RangeError(`Dataset.shuffle: bufferSize must be given${this.size === null ? '' : ` (if the data fits in memory, use the dataset size, ${this.size} elements)`}`);
    }
    const random = alea(seed || performance.now().toString());
    const base = this;
    return new IterableDataset<T>(async () => {
      let seed2 = random.int32();
      if (reshuffleEachIteration) seed2 += random.int32();
      return shuffleIterator(await base.iterator(), bufferSize, seed2.toString());
    }, this.size);
  }

  /** The first `count` elements (all of them when count is negative or absent). */
  take(count: number): IterableDataset<T> {
    const size = this.size === null ? null : this.size > count ? count : this.size;
    if (count == null || count < 0) return this.derive<T>((up) => () => up.next(), this.size);
    return this.derive<T>((up) => {
      let n = 0;
      return () => (n++ >= count ? Promise.resolve(DONE) : up.next());
    }, size);
  }

  /** All but the first `count` elements (disposed as they are skipped). */
  skip(count: number): IterableDataset<T> {
    const size = this.size === null ? null : count == null || count < 0 ? this.size : Math.max(0, this.size - count);
    if (count == null || count < 0) return this.derive<T>((up) => () => up.next(), this.size);
    return this.derive<T>((up) => {
      let skipped = 0;
      return async () => {
        while (skipped++ < count) {
          const r = await up.next();
          if (r.done) return r;
          disposeTensors(r.value, null);
        }
        return up.next();
      };
    }, size);
  }

  /** The dataset `count` times over (forever when count is absent or negative); each pass re-opens the source. */
  repeat(count?: number): IterableDataset<T> {
    const forever = count === undefined || count === null || count < 0;
    const size = count === 0 ? 0 : this.size !== null && !forever ? this.size * count! : this.size !== null ? Infinity : null;
    const base = this;
    return new IterableDataset<T>(() => {
      let passes = 0;
      let current: DatasetIterator<T> | null = null;
      return iteratorOf<T>(async () => {
        for (;;) {
          if (current === null) {
            if (!forever && passes >= count!) return DONE;
            passes++;
            current = await base.iterator();
          }
          const r = await current.next();
          if (!r.done) return r;
          current = null;
        }
      });
    }, size);
  }

  /** Reads up to `bufferSize` elements ahead (the elements and their order are unchanged). */
  prefetch(bufferSize: number): IterableDataset<T> {
    if (bufferSize == null) throw new RangeError('Dataset.prefetch: bufferSize must be given');
    return this.derive<T>((up) => {
      const ahead: Promise<IteratorResult<T, null>>[] = [];
      return () => {
        while (ahead.length < Math.max(1, bufferSize)) ahead.push(up.next());
        return ahead.shift()!;
      };
    }, this.size);
  }

  /** This dataset's elements, then `other`'s. */
  concatenate(other: IterableDataset<T>): IterableDataset<T> {
    if (!(other instanceof IterableDataset)) throw new TypeError('Dataset.concatenate: the argument must be a dataset (data.fromArray, data.fromGenerator, ...)');
    const size = this.size === Infinity || other.size === Infinity ? Infinity : this.size !== null && other.size !== null ? this.size + other.size : null;
    const base = this;
    return new IterableDataset<T>(async () => {
      const parts = [await base.iterator(), null as DatasetIterator<T> | null];
      let i = 0;
      return iteratorOf<T>(async () => {
        for (;;) {
          if (i >= 2) return DONE;
          if (parts[i] === null) parts[i] = await other.iterator();
          const r = await parts[i]!.next();
          if (!r.done) return r;
          i++;
        }
      });
    }, size);
  }

  /** Calls `f` on each element, then disposes the element's tensors (tfjs's forEachAsync). */
  async forEachAsync(f: (x: T) => unknown): Promise<void> {
    check('forEachAsync', 'f', f);
    return (await this.iterator()).forEachAsync(f);
  }

  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new RangeError('Dataset.toArray: cannot convert an endless dataset (repeat() without a count) to an array; take(n) first');
    return (await this.iterator()).toArray();
  }

  /** tfjs's test helper: the same as toArray. */
  toArrayForTest(): Promise<T[]> {
    return this.toArray();
  }

  private derive<O>(stage: (upstream: DatasetIterator<T>) => NextFn<O>, size: number | null): IterableDataset<O> {
    const base = this;
    return new IterableDataset<O>(async () => iteratorOf(stage(await base.iterator())), size);
  }
}

function check(method: string, arg: string, f: unknown): void {
  if (typeof f !== 'function') throw new TypeError(`Dataset.${method}: ${arg} must be a function, got ${f === null ? 'null' : typeof f}`);
}

/** tfjs's ShuffleIterator: refill a window from upstream, excise a random slot, move the window's last into it. */
function shuffleIterator<T>(up: DatasetIterator<T>, windowSize: number, seed: string): DatasetIterator<T> {
  const random = alea(seed);
  // The window holds pending reads, done ones included: tfjs keeps reading past the end and drops those when drawn,
  // and the draws' sequence (hence the order) depends on it.
  const buffer: Promise<IteratorResult<T, null>>[] = [];
  let exhausted = false;
  const refill = () => {
    while (buffer.length < windowSize) buffer.push(up.next());
  };
  return iteratorOf<T>(async () => {
    if (!exhausted) refill();
    while (buffer.length > 0) {
      const i = Math.floor(random() * buffer.length);
      const chosen = buffer[i];
      const last = buffer.pop()!;
      if (i < buffer.length) buffer[i] = last;
      const r = await chosen;
      if (r.done) exhausted = true;
      else {
        refill();
        return r;
      }
    }
    return DONE;
  });
}

/** `tf.data.array`: a dataset of the array's elements (cloned as they are read). */
export function fromArray<T>(items: readonly T[]): IterableDataset<T> {
  if (!Array.isArray(items)) throw new TypeError(`data.fromArray: expected an array of elements, got ${items === null ? 'null' : typeof items}`);
  return new IterableDataset<T>(() => {
    let i = 0;
    return iteratorOf<T>(async () => (i >= items.length ? DONE : { value: cloneElement(items[i++]), done: false }));
  }, items.length);
}

/**
 * `tf.data.generator`: a dataset whose passes each call `generator()` (a sync or async generator function, or any
 * function returning an iterator) and read it to the end.
 */
export function fromGenerator<T>(generator: () => Iterator<T> | AsyncIterator<T> | Promise<Iterator<T> | AsyncIterator<T>>): IterableDataset<T> {
  if (typeof generator !== 'function') throw new TypeError('data.fromGenerator: expected a generator function (function* () { ... yield element; })');
  return new IterableDataset<T>(async () => {
    const gen = await generator();
    if (gen === null || typeof gen !== 'object' || typeof (gen as Iterator<T>).next !== 'function') {
      throw new TypeError('data.fromGenerator: the function must return an iterator (write it as function* or async function*)');
    }
    return iteratorOf<T>(async () => {
      const r = await gen.next();
      return r.done ? DONE : { value: r.value, done: false };
    });
  }, null);
}

type Zipped = IterableDataset<unknown>[] | { [key: string]: IterableDataset<unknown> | Zipped };

/**
 * `tf.data.zip`: elements combined in the structure of `datasets` (an array or an object of datasets, nested),
 * ending with the shortest.
 */
export function zip(datasets: Zipped): IterableDataset<unknown> {
  if (!isContainer(datasets)) throw new TypeError('data.zip: the argument must be an object or array of datasets');
  const leaves: IterableDataset<unknown>[] = [];
  const collect = (x: unknown, path: string): void => {
    if (x instanceof IterableDataset) leaves.push(x);
    else if (isContainer(x)) for (const [k, v] of Object.entries(x)) collect(v, `${path}.${k}`);
    else throw new TypeError(`data.zip: ${path} is ${x === null ? 'null' : typeof x}; the leaves of the structure must be datasets`);
  };
  collect(datasets, 'datasets');
  let size: number | null | undefined;
  for (const d of leaves) size = size === undefined ? d.size : size === null || d.size === null ? null : Math.min(size, d.size);
  return new IterableDataset<unknown>(async () => {
    const its = await Promise.all(leaves.map((d) => d.iterator()));
    return iteratorOf<unknown>(async () => {
      const results = await Promise.all(its.map((it) => it.next()));
      if (results.some((r) => r.done)) return DONE;
      let i = 0;
      const build = (x: unknown): unknown => {
        if (x instanceof IterableDataset) return results[i++].value;
        if (Array.isArray(x)) return x.map(build);
        return Object.fromEntries(Object.entries(x as object).map(([k, v]) => [k, build(v)]));
      };
      return { value: build(datasets), done: false };
    });
  }, size ?? null);
}
