/**
 * Background batch preparation for DataLoader({ numWorkers: 1 }): a worker thread converts the next batches
 * into a ring of shared slots while the main thread trains on the current one (this machine has two cores;
 * for the MNIST MLP the uint8 → float32 conversion is ~10% of a step).
 *
 * Only datasets that describe their data as flat shared arrays can be prefetched (`WorkerRecipe`); the worker
 * runs the recipe's small conversion function, not the dataset object. Batch order is decided on the main
 * thread exactly as without a worker, so results are bit-identical. Synchronisation is Atomics on a shared
 * control block: the DataLoader's iterator is synchronous, so it cannot await messages.
 */
import { Worker } from 'node:worker_threads';
import { allocArray } from '../dtype.js';
import { Tensor } from '../tensor.js';

/** How a dataset fills batch outputs from shared inputs; `fill` is serialised and run in the worker. */
export interface WorkerRecipe {
  /** Shared inputs handed to `fill` (typed arrays over SharedArrayBuffers). */
  inputs: Record<string, Int32Array | Float32Array | Uint8Array>;
  /** One output per batch field: float32 or int32, `perItem` elements per example, the batch shape. */
  outputs: { dtype: 'float32' | 'int32'; perItem: number; shape: (batch: number) => number[] }[];
  /**
   * `(inputs, indices, count, outs) => void`, self-contained (no closures: it is sent as source text):
   * writes the `count` examples `indices[0..count)` into `outs[k]` (typed arrays sized for a full batch).
   */
  fill: string;
}

const SLOTS = 3;
// Control block (Int32): [generation, batchCount, batchSize, unused, slotState × SLOTS, slotBatch × SLOTS,
// slotGeneration × SLOTS]. A slot is only taken when its batch number AND generation match: a worker still
// finishing an abandoned epoch can fill a slot after the next epoch started, and that data must be dropped.
const GEN = 0, COUNT = 1, BSIZE = 2, STATE = 4, BATCH = 4 + SLOTS, SGEN = 4 + 2 * SLOTS;
const FREE = 0, FULL = 1;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { ctrl, order, slots, inputs, fillSrc } = workerData;
const fill = new Function('return (' + fillSrc + ')')();
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, seen);
  const gen = Atomics.load(ctrl, ${GEN});
  seen = gen;
  const count = ctrl[${COUNT}], bs = ctrl[${BSIZE}], n = order.length;
  for (let b = 0; b < count; b++) {
    const s = b % ${SLOTS};
    while (Atomics.load(ctrl, ${STATE} + s) !== ${FREE}) {
      if (Atomics.load(ctrl, ${GEN}) !== gen) break;
      Atomics.wait(ctrl, ${STATE} + s, ${FULL}, 50);
    }
    if (Atomics.load(ctrl, ${GEN}) !== gen) break;
    const start = b * bs, end = Math.min(start + bs, n);
    fill(inputs, order.subarray(start, end), end - start, slots[s]);
    ctrl[${BATCH} + s] = b;
    ctrl[${SGEN} + s] = gen;
    Atomics.store(ctrl, ${STATE} + s, ${FULL});
    Atomics.notify(ctrl, ${STATE} + s);
  }
}
`;

/** One worker per DataLoader, reused across epochs; exits with the process (unref'd). */
export class Prefetcher {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * (4 + 3 * SLOTS)));
  private readonly order: Int32Array;
  private readonly slots: (Float32Array | Int32Array)[][];
  private readonly worker: Worker;
  private generation = 0;

  constructor(private readonly recipe: WorkerRecipe, length: number, private readonly batchSize: number) {
    this.order = new Int32Array(new SharedArrayBuffer(4 * length));
    this.slots = Array.from({ length: SLOTS }, () =>
      recipe.outputs.map((o) => {
        const sab = new SharedArrayBuffer(4 * o.perItem * batchSize);
        return o.dtype === 'float32' ? new Float32Array(sab) : new Int32Array(sab);
      }),
    );
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ctrl: this.ctrl, order: this.order, slots: this.slots, inputs: recipe.inputs, fillSrc: recipe.fill },
    });
    this.worker.unref();
    this.worker.on('error', (e) => {
      this.failure = e;
    });
  }

  private failure: Error | null = null;

  /** Starts filling an epoch in `order`; any unfinished epoch is abandoned. */
  start(order: Int32Array, count: number): void {
    this.order.set(order);
    for (let s = 0; s < SLOTS; s++) Atomics.store(this.ctrl, STATE + s, FREE);
    this.ctrl[COUNT] = count;
    this.ctrl[BSIZE] = this.batchSize;
    this.generation++;
    Atomics.store(this.ctrl, GEN, this.generation);
    Atomics.notify(this.ctrl, GEN);
    for (let s = 0; s < SLOTS; s++) Atomics.notify(this.ctrl, STATE + s);
  }

  /** Batch b of the current epoch as fresh tensors (copied out of the shared slot, which is then reused). */
  take(b: number, items: number): Tensor[] {
    const s = b % SLOTS;
    for (;;) {
      if (this.failure) throw new Error(`DataLoader: the prefetch worker failed: ${this.failure.message}; use numWorkers: 0`);
      if (Atomics.load(this.ctrl, STATE + s) === FULL) {
        if (this.ctrl[BATCH + s] === b && this.ctrl[SGEN + s] === this.generation) break;
        // Left over from an abandoned epoch: drop it so the worker can refill the slot.
        Atomics.store(this.ctrl, STATE + s, FREE);
        Atomics.notify(this.ctrl, STATE + s);
      }
      Atomics.wait(this.ctrl, STATE + s, FREE, 100);
    }
    const out = this.recipe.outputs.map((o, k) => {
      const n = o.perItem * items;
      const a = allocArray(o.dtype, n);
      a.set(this.slots[s][k].subarray(0, n));
      return Tensor.fromData(a, o.shape(items), o.dtype);
    });
    Atomics.store(this.ctrl, STATE + s, FREE);
    Atomics.notify(this.ctrl, STATE + s);
    return out;
  }

  /** Abandons the current epoch (the loop broke out early). */
  cancel(): void {
    this.generation++;
    this.ctrl[COUNT] = 0;
    Atomics.store(this.ctrl, GEN, this.generation);
    Atomics.notify(this.ctrl, GEN);
    for (let s = 0; s < SLOTS; s++) Atomics.notify(this.ctrl, STATE + s);
  }
}
