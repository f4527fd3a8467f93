/**
 * TensorFlow.js's `tf.util` helpers that real programs call (data shuffling, shape arithmetic, assertions), with
 * tfjs's exact semantics (tfjs-core 4.x `util_base.ts`, Apache-2.0): migrated code calls `compat.util.*` so a
 * program keeps its behaviour — e.g. `shuffle` draws from Math.random as tfjs's does, not from the runtime's
 * seeded generator. Plain JavaScript on arrays; no tensors.
 */

type MutableArray = { length: number; [i: number]: unknown };

function swap(a: MutableArray, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Shuffles in place (Fisher–Yates with Math.random, as tfjs). */
export function shuffle(array: MutableArray): void {
  for (let counter = array.length; counter > 0;) {
    const index = (Math.random() * counter) | 0;
    counter--;
    swap(array, counter, index);
  }
}

/** Shuffles two arrays of the same length in place with one permutation. */
export function shuffleCombo(array: MutableArray, array2: MutableArray): void {
  if (array.length !== array2.length) {
    throw new Error(`compat.util.shuffleCombo: array sizes must match to be shuffled together; the first has length ${array.length}, the second ${array2.length}`);
  }
  for (let counter = array.length; counter > 0;) {
    const index = (Math.random() * counter) | 0;
    counter--;
    swap(array, counter, index);
    swap(array2, counter, index);
  }
}

/** 0..n-1 in a random order, as a Uint32Array (tfjs's type). */
export function createShuffledIndices(n: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  shuffle(idx);
  return idx;
}

/** The number of elements of a shape (1 for a scalar's []). */
export function sizeFromShape(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function arraysEqual(a: ArrayLike<unknown> | null | undefined, b: ArrayLike<unknown> | null | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws `msg` (a string, or a function giving it — tfjs builds messages lazily) when `expr` is falsy. */
export function assert(expr: unknown, msg: string | (() => string)): asserts expr {
  if (!expr) throw new Error(typeof msg === 'string' ? msg : msg());
}

export function assertShapesMatch(shapeA: readonly number[], shapeB: readonly number[], errorMessagePrefix = ''): void {
  assert(arraysEqual(shapeA, shapeB), () => `${errorMessagePrefix} Shapes ${shapeA} and ${shapeB} must match`);
}

/** Flattens nested arrays (and typed arrays inside them) into one array, as tfjs's flatten. */
export function flatten<T>(arr: unknown, result: T[] = []): T[] {
  if (Array.isArray(arr) || ArrayBuffer.isView(arr)) {
    const a = arr as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) flatten(a[i], result);
  } else {
    result.push(arr as T);
  }
  return result;
}

/** Milliseconds from a high-resolution clock (tfjs: performance.now() where it exists). */
export function now(): number {
  return performance.now();
}

export function clamp(min: number, x: number, max: number): number {
  return Math.max(min, Math.min(x, max));
}

export function sum(arr: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < arr.length; i++) s += arr[i];
  return s;
}

/** A uniform number between a and b (Math.random, as tfjs). */
export function randUniform(a: number, b: number): number {
  const r = Math.random();
  return b * r + (1 - r) * a;
}

export function distSquared(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Number(a[i]) - Number(b[i]);
    s += d * d;
  }
  return s;
}

/** UTF-8 bytes of a string (tfjs's default encoding). */
export function encodeString(s: string, encoding = 'utf-8'): Uint8Array {
  if (encoding.toLowerCase() !== 'utf-8' && encoding.toLowerCase() !== 'utf8') throw new Error(`compat.util.encodeString: only utf-8 is supported, got '${encoding}'`);
  return new TextEncoder().encode(s);
}

export function decodeString(bytes: Uint8Array, encoding = 'utf-8'): string {
  return new TextDecoder(encoding).decode(bytes);
}
