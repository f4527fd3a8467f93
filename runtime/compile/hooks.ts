/**
 * The few places in the eager runtime that a torch.compile trace must see (host reads, leaf gradients, module
 * forwards, optimizer calls) call into `traceHooks.tracer` when a trace is running. This file has no imports, so
 * tensor.ts, autograd and the optimizers can depend on it without cycles; eager code pays one null check.
 */
import type { Tensor } from '../tensor.js';

export interface TraceHooks {
  /** A synchronous host read (dataSync, item) of `t` outside a kernel; `what` names the call. */
  onHostRead(t: Tensor, what: string): void;
  /**
   * A host-side function of `t`'s values that shapes the trace (a validation, a count of ignored targets).
   * Returns fn's result; the tracer records it as a value guard when `t` is an input of the step.
   */
  hostValues<R>(t: Tensor, what: string, fn: (values: ArrayLike<number>) => R): R;
  /** backward() set a leaf's `.grad`: assigned a new tensor, or accumulated into the existing one in place. */
  onLeafGrad(leaf: Tensor, grad: Tensor, accumulated: boolean): void;
  /** A module's forward ran (its `training` flag becomes part of the guards). */
  onModule(module: object): void;
  /**
   * An optimizer method (step, zeroGrad) is about to run: the tracer runs it live (`run`) and replays call it
   * again, so hyper-parameters and the step counter are read each time, never baked into the plan.
   */
  live<R>(target: object, method: string, args: unknown[], run: () => R): R;
}

export const traceHooks: { tracer: TraceHooks | null } = { tracer: null };

/**
 * `fn(t's values)` for a host-side check or count whose result shapes what the op computes. Eager: just that.
 * Under a torch.compile trace the result becomes a guard re-evaluated on each call's inputs.
 */
export function hostValues<R>(t: Tensor, what: string, fn: (values: ArrayLike<number>) => R): R {
  const tr = traceHooks.tracer;
  if (tr) return tr.hostValues(t, what, fn);
  return fn(t.dataSync());
}
