/**
 * The export hook: while `onnx.export` traces a forward pass, each op reports itself here (name, inputs,
 * attributes, output) so the trace can be turned into a graph. Call sites guard with
 * `if (activeTracer !== null) traceOp(...)`, so outside a trace an op pays one null check and allocates nothing
 * (not even its attributes object).
 *
 * High-level ops (linear, conv2d, layerNorm, ...) report after the composite they are built from has reported
 * its pieces; the tracer keeps the last report for an output tensor, so the graph gets one Conv node rather than
 * Unfold + MatMul (see runtime/onnx/README.md).
 */
import type { Tensor } from '../tensor.js';
import type { Backend } from '../backends/backend.js';

export type TraceAttrs = Record<string, unknown>;

export interface OpTracer {
  op(out: Tensor, name: string, inputs: readonly (Tensor | null)[], attrs: TraceAttrs): void;
  /** The backend ops see during a trace: it notes which kernel computed each storage (see runtime/onnx/tracer.ts). */
  backend(be: Backend): Backend;
}

export let activeTracer: OpTracer | null = null;

/** Installs (or, with null, removes) the tracer; returns the previous one so traces can nest safely. */
export function setTracer(t: OpTracer | null): OpTracer | null {
  const prev = activeTracer;
  activeTracer = t;
  return prev;
}

/** Reports `out = name(inputs; attrs)` to the active tracer, if any. */
export function traceOp(out: Tensor, name: string, inputs: readonly (Tensor | null)[], attrs: TraceAttrs = {}): void {
  if (activeTracer !== null) activeTracer.op(out, name, inputs, attrs);
}
