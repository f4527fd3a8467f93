/**
 * The trace format both sides of a program-level diff write: one append-only binary file of raw little-endian
 * tensors (`tensors.bin`) and a JSON index (`index.json`) naming each tensor's place in it, plus the run's metadata.
 *
 * Why not JSON or IPC for the values: a recorded MNIST epoch is hundreds of megabytes of float32 (parameters after
 * every step); binary appends cost a memcpy, and the reader pulls one tensor at a time with `readSync` at its offset,
 * so neither side ever holds a whole trace in memory.
 *
 * Keys are `<step>/<kind>/<layer>/<tensor>` (`12/output/dense_Dense1/output`); step-free records use `-` as the step
 * (`-/data/train/x`).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type TraceDType = 'float32' | 'int32';

export interface TraceEntry {
  key: string;
  shape: number[];
  dtype: TraceDType;
  /** Byte offset in tensors.bin. */
  offset: number;
  /** Number of elements. */
  length: number;
}

export interface TraceIndex<M = Record<string, unknown>> {
  version: 1;
  entries: TraceEntry[];
  meta: M;
}

/** The tensor name of a layer's output on the first evaluation batch (recorded once, under step '-'). */
export const EVAL_OUTPUT = 'eval output';

export const traceKey = (step: number | '-', kind: string, layer: string, tensor: string): string => `${step}/${kind}/${layer}/${tensor}`;

/** Appends tensors to `<dir>/tensors.bin`; `close()` writes `<dir>/index.json` (call it once, e.g. on process exit). */
export class TraceWriter<M extends Record<string, unknown> = Record<string, unknown>> {
  private readonly fd: number;
  private offset = 0;
  private readonly entries: TraceEntry[] = [];
  private closed = false;
  readonly meta: M;

  constructor(readonly dir: string, meta: M) {
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(join(dir, 'tensors.bin'), 'w');
    this.meta = meta;
  }

  /** Records one tensor's values (copied to the file at once; the caller may reuse its array). */
  put(key: string, shape: readonly number[], values: Float32Array | Int32Array): void {
    if (this.closed) throw new Error(`trace ${this.dir}: put('${key}') after close`);
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel !== values.length) throw new RangeError(`trace ${this.dir}: '${key}' has shape [${shape.join(', ')}] but ${values.length} values`);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    writeSync(this.fd, bytes, 0, bytes.length, this.offset);
    this.entries.push({ key, shape: [...shape], dtype: values instanceof Int32Array ? 'int32' : 'float32', offset: this.offset, length: values.length });
    this.offset += bytes.length;
  }

  has(key: string): boolean {
    return this.entries.some((e) => e.key === key);
  }

  /** Writes the index (entries + metadata); safe to call more than once (each call rewrites it). */
  flush(): void {
    const index: TraceIndex<M> = { version: 1, entries: this.entries, meta: this.meta };
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify(index));
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }
}

/** Reads a trace written by TraceWriter, one tensor at a time. */
export class TraceReader<M = Record<string, unknown>> {
  readonly meta: M;
  private readonly byKey = new Map<string, TraceEntry>();
  private fd: number | null = null;

  constructor(readonly dir: string) {
    const indexFile = join(dir, 'index.json');
    if (!existsSync(indexFile)) {
      throw new Error(`trace ${dir}: no index.json — the program that should have written it did not reach the end of its run (see its output above)`);
    }
    const index = JSON.parse(readFileSync(indexFile, 'utf8')) as TraceIndex<M>;
    if (index.version !== 1) throw new Error(`trace ${dir}: unknown trace version ${String(index.version)}`);
    this.meta = index.meta;
    for (const e of index.entries) this.byKey.set(e.key, e);
  }

  get entries(): TraceEntry[] {
    return [...this.byKey.values()];
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  entry(key: string): TraceEntry | undefined {
    return this.byKey.get(key);
  }

  /** The tensor under `key`, or undefined when the trace has none. */
  get(key: string): { shape: number[]; data: Float32Array | Int32Array } | undefined {
    const e = this.byKey.get(key);
    if (!e) return undefined;
    this.fd ??= openSync(join(this.dir, 'tensors.bin'), 'r');
    const bytes = new Uint8Array(e.length * 4);
    readSync(this.fd, bytes, 0, bytes.length, e.offset);
    const data = e.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
    return { shape: e.shape, data };
  }

  /**
   * Reads the tensor under `key` into `target` (which must hold exactly its elements) and returns its shape, or
   * undefined when the trace has none: the per-step reload under replay reuses one buffer per tensor.
   */
  readInto(key: string, target: Float32Array | Int32Array): number[] | undefined {
    const e = this.byKey.get(key);
    if (!e) return undefined;
    if (e.length !== target.length) throw new RangeError(`trace ${this.dir}: '${key}' has ${e.length} values, the buffer ${target.length}`);
    if ((e.dtype === 'int32') !== target instanceof Int32Array) throw new TypeError(`trace ${this.dir}: '${key}' is ${e.dtype}, the buffer ${target.constructor.name}`);
    this.fd ??= openSync(join(this.dir, 'tensors.bin'), 'r');
    readSync(this.fd, new Uint8Array(target.buffer, target.byteOffset, target.byteLength), 0, target.byteLength, e.offset);
    return e.shape;
  }

  /** As get, but an error naming the key when it is missing. */
  require(key: string): { shape: number[]; data: Float32Array | Int32Array } {
    const t = this.get(key);
    if (!t) throw new Error(`trace ${this.dir}: no tensor '${key}' was recorded`);
    return t;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A 64-bit FNV-1a-style hash over the float32 bit patterns of an array (as float32, whatever the source dtype):
 * both sides hash their training and evaluation data, and the candidate replays the reference's data only when the
 * hashes differ (synthetic random data, a different preprocessing), so the common case reads nothing. Word-wise
 * rather than byte-wise: MNIST's 47M training values hash in a fraction of the time, and a Float32Array is hashed in
 * place, without a copy (the data is the largest thing either side holds).
 */
export function hashValues(values: ArrayLike<number>): string {
  const f = values instanceof Float32Array ? values : new Float32Array(values);
  const words = new Uint32Array(f.buffer, f.byteOffset, f.length);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ f.length;
  for (let i = 0; i < words.length; i++) {
    h1 = Math.imul(h1 ^ words[i], 0x01000193);
    h2 = Math.imul(h2 ^ h1, 0x5bd1e995);
  }
  return `${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}:${f.length}`;
}

/** The values as a Float32Array: the array itself when it is one (no copy), else a converted copy. */
export const asFloat32 = (values: ArrayLike<number>): Float32Array => (values instanceof Float32Array ? values : new Float32Array(values));
