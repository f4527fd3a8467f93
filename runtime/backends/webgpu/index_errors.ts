/// <reference types="@webgpu/types" />
/**
 * Out-of-range indices on the GPU, reported without a read-back per op.
 *
 * A kernel cannot throw, and checking indices on the host would need a synchronous read of the index tensor. So
 * every index kernel (gather, scatter) binds one small error record owned by the backend; the first invocation
 * that meets a bad index claims it with an atomicAdd and writes which dispatch it was in (a tag), the value and
 * its position. The host remembers what each tag was (op, dim, size, shapes). Whenever the program next waits on
 * the GPU (a read: `await t.data()`, `itemAsync`, `toAsync`; or `await webgpu.sync()`), commands.ts copies the
 * record into that read's staging buffer and clears it in the same submit, and the read rejects with a message
 * like the CPU's. The record is then clear again, so the backend stays usable after the error.
 *
 * The common case costs one branch the kernels already had (out-of-range used to give 0 / be skipped).
 */
import { fmtShape } from '../../shape.js';
import { gpuContext } from './context.js';

/** The record: [count (atomic), tag, value, position]. */
export const INDEX_ERROR_BYTES = 16;

/** WGSL declarations for a kernel that checks indices: bind the record at `binding`, call reportBadIndex. */
export function indexErrorWgsl(binding: number): string {
  return `
struct IndexError { count: atomic<u32>, tag: i32, value: i32, position: i32 }
@group(0) @binding(${binding}) var<storage, read_write> indexError: IndexError;
fn reportBadIndex(tag: i32, value: i32, position: i32) {
  // Only the first bad index (in dispatch order) is kept: the one that moves count off 0.
  if (atomicAdd(&indexError.count, 1u) == 0u) {
    indexError.tag = tag;
    indexError.value = value;
    indexError.position = position;
  }
}`;
}

/** What a checked dispatch was, to word the error on the host. */
export interface IndexCheck {
  /** The op the user called (gather, indexSelect, embedding, scatter, scatterAdd). */
  op: string;
  dim: number;
  /** Valid indices are 0..size-1. */
  size: number;
  /** The index tensor the kernel walked (its position is a linear offset in this shape). */
  indexShape: number[];
  indexStrides: number[];
  inputShape: number[];
}

let record: GPUBuffer | null = null;
/** Checks since the record was last taken, by description (a training loop repeats the same few). */
let tags = new Map<string, number>();
let checks: IndexCheck[] = [];

/** The backend's error record (created zeroed on first use). */
export function indexErrorBuffer(): GPUBuffer {
  record ??= gpuContext().device.createBuffer({
    size: INDEX_ERROR_BYTES, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: 'index errors',
  });
  return record;
}

/** Registers a dispatch about to be recorded; returns its tag (passed to the kernel in its parameters). */
export function indexCheckTag(c: IndexCheck): number {
  const key = `${c.op}|${c.dim}|${c.size}|${c.indexShape}|${c.indexStrides}|${c.inputShape}`;
  let tag = tags.get(key);
  if (tag === undefined) {
    tag = checks.length;
    tags.set(key, tag);
    checks.push(c);
  }
  return tag;
}

/**
 * The checks recorded since the last call, or null when no checking kernel ran (then a read need not look at the
 * record). The caller copies the record out and clears it in the same submit.
 */
export function takeIndexChecks(): IndexCheck[] | null {
  if (checks.length === 0) return null;
  const taken = checks;
  checks = [];
  tags = new Map();
  return taken;
}

/**
 * Where the bad element sits in the index the user gave: its coordinates over the dims the index really varies
 * along (indexSelect's 1-D index is broadcast over the other dims with stride 0, so it is named by one coordinate).
 */
function positionOf(c: IndexCheck, linear: number): { at: string; shape: number[] } {
  const coords: number[] = [];
  const shape: number[] = [];
  for (let d = c.indexShape.length - 1, rem = linear; d >= 0; d--) {
    const k = rem % c.indexShape[d];
    rem = Math.floor(rem / c.indexShape[d]);
    if (c.indexStrides[d] !== 0) {
      coords.unshift(k);
      shape.unshift(c.indexShape[d]);
    }
  }
  if (shape.length <= 1) return { at: `position ${coords[0] ?? 0}`, shape: shape.length ? shape : [1] };
  return { at: `position [${coords.join(', ')}]`, shape };
}

/** Throws the recorded out-of-range index, if any; `words` is the record as read back. */
export function throwIndexError(words: Int32Array, taken: IndexCheck[], during: string): void {
  // words[0] counts bad element reads (a broadcast index counts once per copy): only "any" is reported.
  if (words[0] === 0) return;
  const c = taken[words[1]];
  const value = words[2];
  if (!c) throw new RangeError(`webgpu: an index kernel met an out-of-range index ${value} (found ${during})`);
  const { at, shape } = positionOf(c, words[3]);
  throw new RangeError(
    `${c.op}: index ${value} is out of bounds for dim ${c.dim} with size ${c.size} (valid: 0..${c.size - 1}; ${at} of index ` +
    `${fmtShape(shape)}; input ${fmtShape(c.inputShape)}). Found on webgpu ${during}: a GPU kernel cannot throw, so the ` +
    'check is reported at the next wait on the GPU, and results computed from that index are wrong',
  );
}
