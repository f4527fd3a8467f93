/**
 * Guards: what must still hold for a recorded trace to stand for the eager step. The call signature (shapes,
 * dtypes, devices, layouts of the tensor inputs, and the primitive arguments) picks the cache entry
 * (signature.ts); the checks here cover the state around it. Each returns why it failed, or null.
 */
import { Tensor } from '../tensor.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { fmtShape } from '../shape.js';
import type { Trace, ValueGuard, View } from './trace.js';

function sameResult(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

/** Values of `slot`'s view as the trace saw it (a strided read, no kernel). */
export function viewValues(t: Tensor, v: View): ArrayLike<number> {
  const n = v.shape.reduce((p, d) => p * d, 1);
  const src = t.storage.data;
  let contiguous = true, step = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== step) contiguous = false;
    step *= v.shape[i];
  }
  if (contiguous) return src.subarray(v.offset, v.offset + n);
  const out = new Float64Array(n);
  const idx = new Array(v.shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let o = v.offset;
    for (let d = 0; d < idx.length; d++) o += idx[d] * v.strides[d];
    out[k] = src[o];
    for (let d = idx.length - 1; d >= 0; d--) { if (++idx[d] < v.shape[d]) break; idx[d] = 0; }
  }
  return out;
}

/** Re-evaluates the host-side functions of input values the trace depended on. */
export function checkValueGuards(guards: ValueGuard[], inputs: Tensor[]): string | null {
  for (const g of guards) {
    const t = inputs[g.slot];
    // Device-resident inputs never produce value guards (their host reads are skipped by the ops).
    if (t.storage.device !== 'cpu') continue;
    const r = g.fn(viewValues(t, g.view));
    if (!sameResult(r, g.result)) return `${g.what} of input ${g.slot} is ${JSON.stringify(r)}, the trace had ${JSON.stringify(g.result)}`;
  }
  return null;
}

/** State guards: grad mode, module modes, parameter buffers, externals alive, leaf gradients reset. */
export function checkState(trace: Trace, gradEnabled: boolean): string | null {
  if (isGradEnabled() !== gradEnabled) return `grad mode is ${isGradEnabled() ? 'enabled' : 'disabled'}, the trace ran with it ${gradEnabled ? 'enabled' : 'disabled'}`;
  for (const [m, training] of trace.modules) {
    const now = (m as { training?: boolean }).training ?? true;
    if (now !== training) return `${m.constructor.name} is in ${now ? 'training' : 'eval'} mode, the trace ran in ${training ? 'training' : 'eval'} mode`;
  }
  for (const [p, s] of trace.optimizerParams) {
    if (p.storage !== s) return `an optimizer parameter (shape ${fmtShape(p.shape)}) now holds other data (Module.to() or setData_ since the trace)`;
  }
  for (const [p, s] of trace.leaves) {
    if (p.storage !== s) return `a parameter (shape ${fmtShape(p.shape)}) now holds other data (Module.to() or setData_ since the trace)`;
    if (!p.requiresGrad) return `a parameter (shape ${fmtShape(p.shape)}) no longer requires grad`;
  }
  for (const s of trace.externals) if (s.disposed) return 'a tensor the step reads from outside (a parameter or buffer) was disposed';
  // Each leaf whose .grad backward set must get it fresh (null), as in the trace: either it is null now or a
  // zeroGrad() (setToNone) of an optimizer holding it runs before backward sets it.
  const cleared = new Set<Tensor>();
  for (const n of trace.nodes) {
    if (n.kind === 'live' && n.method === 'zeroGrad' && (n.args[0] as { setToNone?: boolean } | undefined)?.setToNone !== false) {
      for (const g of (n.target as { paramGroups: { params: Tensor[] }[] }).paramGroups) for (const p of g.params) cleared.add(p);
    } else if (n.kind === 'setGrad' && !cleared.has(n.leaf) && n.leaf.grad !== null) {
      return `a parameter (shape ${fmtShape(n.leaf.shape)}) has a .grad that backward would accumulate into; the trace started with none (call optimizer.zeroGrad() in the step)`;
    }
  }
  return null;
}
