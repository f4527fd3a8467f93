/**
 * `torch.compile(fn | module, options)`: the first call per signature traces fn eagerly (trace.ts), later calls
 * with a matching signature and passing guards (guards.ts) replay the plan (plan.ts). A trace that meets
 * something it cannot replay (a host read in the middle of the step, an accumulating backward, an async step)
 * keeps that signature on eager and says why once: `torch.compile: falling back to eager: <reason>`; with
 * `{ fullgraph: true }` it throws that reason instead.
 */
import type { Tensor } from '../tensor.js';
import { traceHooks } from './hooks.js';
import { traceStep, type Trace } from './trace.js';
import { buildPlan, type Plan } from './plan.js';
import { checkState, checkValueGuards } from './guards.js';
import { describeInputs, signatureOf } from './signature.js';
import { fuse } from './fuse.js';
import { planResidentOptimizerState } from './resident.js';

export interface CompileOptions {
  /** Throw instead of falling back to eager (PyTorch's fullgraph=True: no graph breaks allowed). */
  fullgraph?: boolean;
  /** Traces kept per compiled function (new shapes, modes, target patterns); past it, calls run eagerly. Default 8. */
  cacheLimit?: number;
  /** Run eagerly, never trace (PyTorch's disable=True). */
  disable?: boolean;
  /** Skip the fusion passes (fuse.ts): replay exactly the recorded kernels. */
  fuse?: boolean;
}

export interface CompileStats {
  traces: number;
  replays: number;
  eagerCalls: number;
  /** Reasons for eager calls, each once, in the order met. */
  fallbacks: string[];
  /** Kernel calls per replay of the most recent plan (0 before the first plan). */
  kernelCalls: number;
}

interface Variant { trace: Trace; plan: Plan | null; reason: string | null; gradEnabled: boolean; describe: string }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CompiledFunction<F extends (...args: any[]) => any> = F & {
  readonly stats: CompileStats;
  /** Drops every cached trace (the next call traces again). */
  reset(): void;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CompiledModule<M extends { forward: (...args: any[]) => any }> = CompiledFunction<M['forward']> & { forward: M['forward']; module: M };

function isModuleLike(x: unknown): x is { forward: (...args: unknown[]) => unknown } {
  return x !== null && typeof x === 'object' && typeof (x as { forward?: unknown }).forward === 'function';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compile<M extends { forward: (...args: any[]) => any }>(module: M, options?: CompileOptions): CompiledModule<M>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compile<F extends (...args: any[]) => any>(fn: F, options?: CompileOptions): CompiledFunction<F>;
export function compile(target: unknown, options: CompileOptions = {}): unknown {
  if (isModuleLike(target)) {
    const m = target;
    const c = compileFn((...args: unknown[]) => m.forward(...args), options, `${m.constructor.name}.forward`);
    Object.defineProperty(c, 'forward', { value: c });
    Object.defineProperty(c, 'module', { value: m });
    return c;
  }
  if (typeof target !== 'function') {
    throw new TypeError(`torch.compile: expected a function or a module with forward(), got ${target === null ? 'null' : typeof target}`);
  }
  return compileFn(target as (...args: unknown[]) => unknown, options, target.name || 'the step');
}

function compileFn(fn: (...args: unknown[]) => unknown, options: CompileOptions, name: string) {
  const cacheLimit = options.cacheLimit ?? 8;
  if (!Number.isInteger(cacheLimit) || cacheLimit < 1) throw new RangeError(`torch.compile: cacheLimit must be a positive integer, got ${cacheLimit}`);
  let cache = new Map<string, Variant[]>();
  let traced = 0;
  const stats: CompileStats = { traces: 0, replays: 0, eagerCalls: 0, fallbacks: [], kernelCalls: 0 };
  const warned = new Set<string>();

  const fallBack = (reason: string): void => {
    if (options.fullgraph) throw new Error(`torch.compile (fullgraph) of ${name}: ${reason}`);
    if (!warned.has(reason)) {
      warned.add(reason);
      stats.fallbacks.push(reason);
      console.warn(`torch.compile: falling back to eager: ${reason}`);
    }
  };

  const compiled = function (this: unknown, ...args: unknown[]): unknown {
    // Inside another compiled function's trace: run inline, the outer trace records our kernels.
    if (options.disable || traceHooks.tracer) return fn.apply(this, args);
    const { inputs, key } = signatureOf(args);
    const variants = cache.get(key);
    let miss = '';
    if (variants) {
      for (const v of variants) {
        if (v.reason) {
          stats.eagerCalls++;
          return fn.apply(this, args);
        }
        const why = checkState(v.trace, v.gradEnabled) ?? checkValueGuards(v.trace.valueGuards, inputs);
        if (!why) {
          stats.replays++;
          return v.plan!.run(inputs);
        }
        miss = why;
      }
    } else {
      const first = cache.values().next().value?.[0];
      miss = first ? `the call's signature (${describeInputs(inputs)}) differs from the traced one (${first.describe})` : '';
    }
    if (traced >= cacheLimit) {
      fallBack(`${miss}; the cache limit of ${cacheLimit} trace(s) is reached (raise it with { cacheLimit })`);
      stats.eagerCalls++;
      return fn.apply(this, args);
    }
    traced++;
    stats.traces++;
    const { result, trace, gradEnabled } = traceStep(() => fn.apply(this, args), inputs);
    const v: Variant = { trace, plan: null, reason: trace.reason, gradEnabled, describe: describeInputs(inputs) };
    if (trace.reason) {
      // The recorded calls are not needed (this signature stays eager), nor the constants snapshotted for them.
      for (const c of trace.constants) if (--c.refs === 0) c.release();
      v.trace = { ...trace, nodes: [], constants: [] };
      cache.set(key, [...(cache.get(key) ?? []), v]);
      fallBack(trace.reason);
      return result;
    }
    if (options.fuse !== false) fuse(trace);
    v.plan = buildPlan(trace);
    planResidentOptimizerState(trace);
    stats.kernelCalls = v.plan.kernelCalls;
    cache.set(key, [...(cache.get(key) ?? []), v]);
    return result;
  };
  Object.defineProperty(compiled, 'stats', { value: stats });
  Object.defineProperty(compiled, 'reset', {
    value: () => {
      for (const vs of cache.values()) for (const v of vs) v.plan?.dispose();
      cache = new Map();
      traced = 0;
    },
  });
  return compiled;
}
