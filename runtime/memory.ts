import { stats } from './storage.js';
import type { Tensor } from './tensor.js';
import { traceHooks } from './compile/hooks.js';

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
  return scoped(fn, TIDY, collectTensors, null);
}

const FORWARD = 'nn.Module.forward(), which frees the tensors it created that it neither returns nor stores on the module; return it, assign it to a module attribute, or torch.keep() it';

/**
 * Runs a module's forward as a scope: the tensors it creates and drops (the intermediates of a layer stack)
 * are disposed when it returns, so the plain PyTorch loop frees them without tidy() or the garbage
 * collector. The ones saved for backward stay with their graph node until backward frees it. Kept: what
 * forward returns (in any object), and tensors stored on the module itself (`this.cache = t`).
 * An async forward is not scoped (its tensors are left to the enclosing scope).
 */
export function forwardScope<T>(module: object, fn: () => T): T {
  if (traceHooks.tracer) traceHooks.tracer.onModule(module);
  return scoped(fn, FORWARD, collectAny, module);
}

function scoped<T>(fn: () => T, by: string, collect: (x: unknown, out: Set<Tensor>, depth?: number) => void, owner: object | null): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // The scope's tensors are unreachable for the caller now: free them rather than leak them.
    scopes.pop();
    for (const t of scope) t.dispose(by);
    throw e;
  }
  scopes.pop();
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  if (result instanceof Promise) {
    if (owner) {
      for (const t of scope) adopt(t, parent);
      return result;
    }
    for (const t of scope) t.dispose(by);
    throw new TypeError('tidy: the function returned a Promise; tidy only scopes synchronous code (await outside tidy)');
  }
  const kept = new Set<Tensor>();
  collect(result, kept);
  if (owner) collectAny(owner, kept);
  for (const t of scope) {
    if (!kept.has(t)) t.dispose(by);
    else adopt(t, parent);
  }
  return result;
}

/**
 * An open-ended scope for code that is not one function call: a DataLoader iteration (the loop body between
 * two batches). Tensors created while it is the innermost scope are tracked there until `closeScope`.
 */
export function openScope(): Set<Tensor> {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  return scope;
}

/**
 * Ends a scope from openScope (wherever it sits in the stack: iterators need not nest): `sweep(t)` names who
 * frees t (a message for the "was disposed" error), or null to let t outlive the scope.
 */
export function closeScope(scope: Set<Tensor>, sweep: (t: Tensor) => string | null): void {
  const i = scopes.lastIndexOf(scope);
  if (i < 0) return;
  scopes.splice(i, 1);
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    const by = sweep(t);
    if (by) t.dispose(by);
    else adopt(t, parent);
  }
  scope.clear();
}

/** A tensor that outlives its scope belongs to the enclosing one, or to the garbage collector's net. */
function adopt(t: Tensor, parent: Set<Tensor> | null): void {
  if (parent) {
    parent.add(t);
    t.scope = parent;
  } else {
    t.scope = null;
    t.ensureFinalizer();
  }
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

/**
 * collectTensors through any object (class instances, Sets too), for the forward scope, where what a forward
 * returns or stores is the user's own design. Modules below the top are skipped: their state is not made in
 * this forward, and walking a model's tree on every call would cost more than the scope saves.
 */
function collectAny(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (x === null || typeof x !== 'object' || depth > 4) return;
  if ((x as Tensor).__isTensor) {
    out.add(x as Tensor);
    return;
  }
  if (ArrayBuffer.isView(x)) return;
  if (depth > 0 && isModule(x)) return;
  if (Array.isArray(x)) for (const v of x) collectAny(v, out, depth + 1);
  else if (x instanceof Map || x instanceof Set) for (const v of x.values()) collectAny(v, out, depth + 1);
  else for (const k of Object.keys(x)) collectAny((x as Record<string, unknown>)[k], out, depth + 1);
}

/** Modules mark themselves (memory.ts must not import nn). */
export const MODULE_MARK = Symbol('torchbridge.module');
function isModule(x: object): boolean {
  return (x as Record<symbol, unknown>)[MODULE_MARK] === true;
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
