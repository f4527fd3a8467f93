import { stats } from './storage.js';
import type { Tensor } from './tensor.js';

/**
 * Deterministic memory management, tfjs-style, on top of JS garbage collection:
 * - `tidy(fn)` disposes every tensor created inside fn except the ones it returns or `keep`s;
 * - `dispose(x)` frees now; `using t = ...` (Symbol.dispose) frees at scope end;
 * - a FinalizationRegistry is only a safety net that keeps the counters right for forgotten tensors. Tensors
 *   created inside tidy() join it only if they outlive every scope: registering each intermediate cost more
 *   than the op itself (garbage-collector work for the weak cells).
 */
const scopes: Set<Tensor>[] = [];
const TIDY = 'torch.tidy(), which frees every tensor created inside it that the function does not return; return it or torch.keep() it';

/** Adds a new tensor to the innermost tidy scope; false when there is none (the caller then registers a finalizer). */
export function trackTensor(t: Tensor): boolean {
  if (!scopes.length) return false;
  const s = scopes[scopes.length - 1];
  s.add(t);
  t.scope = s;
  return true;
}

/** Removes a tensor from its tidy scope, so it outlives them all (tf.keep). */
export function keep<T extends Tensor>(t: T): T {
  t.scope?.delete(t);
  t.scope = null;
  t.kept = true;
  t.ensureFinalizer();
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
  } catch (e) {
    // The scope's tensors are unreachable for the caller now: free them rather than leak them.
    scopes.pop();
    for (const t of scope) t.dispose(TIDY);
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose(TIDY);
    throw new TypeError('tidy: the function returned a Promise; tidy only scopes synchronous code (await outside tidy)');
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (!kept.has(t)) t.dispose(TIDY);
    else if (parent) {
      // A returned tensor belongs to the enclosing scope now.
      parent.add(t);
      t.scope = parent;
    } else {
      t.scope = null;
      t.ensureFinalizer();
    }
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
