import { stats } from './storage.js';
import type { Tensor } from './tensor.js';

/**
 * Deterministic memory management, tfjs-style, on top of JS garbage collection:
 * - `tidy(fn)` disposes every tensor created inside fn except the ones it returns or `keep`s;
 * - `dispose(x)` frees now; `using t = ...` (Symbol.dispose) frees at scope end;
 * - a FinalizationRegistry is only a safety net that keeps the counters right for forgotten tensors.
 */
const scopes: Set<Tensor>[] = [];
const TIDY = 'torch.tidy(), which frees every tensor created inside it that the function does not return; return it or torch.keep() it';

export function trackTensor(t: Tensor): void {
  if (scopes.length) scopes[scopes.length - 1].add(t);
}

/** Removes a tensor from every enclosing tidy scope, so it outlives them (tf.keep). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  t.kept = true;
  return t;
}

export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(a: string | (() => T), b?: () => T): T {
  const fn = typeof a === 'function' ? a : b!;
  if (typeof fn !== 'function') throw new TypeError('tidy: expected a function, got ' + typeof fn);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    throw new TypeError('tidy: the function returned a Promise; tidy only scopes synchronous code (await outside tidy)');
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  for (const t of scope) {
    if (kept.has(t)) {
      // A returned tensor belongs to the enclosing scope now.
      trackTensor(t);
    } else t.dispose(TIDY);
  }
  return result;
}

function collectTensors(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (x === null || typeof x !== 'object' || depth > 8) return;
  if ((x as Tensor).__isTensor) {
    out.add(x as Tensor);
    return;
  }
  if (Array.isArray(x)) for (const v of x) collectTensors(v, out, depth + 1);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out, depth + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collectTensors(v, out, depth + 1);
}

/** Disposes a tensor, or every tensor inside an array/object (tf.dispose). */
export function dispose(x: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(x, found);
  for (const t of found) t.dispose();
}

export interface MemoryInfo {
  /** Tensor objects not yet disposed (views included). */
  numTensors: number;
  /** Distinct buffers still holding data. */
  numStorages: number;
  numBytes: number;
}

/** `torch.memory()`: live counters, the same shape as tf.memory()'s first fields. */
export function memory(): MemoryInfo {
  return { numTensors: stats.tensors, numStorages: stats.storages, numBytes: stats.bytes };
}
