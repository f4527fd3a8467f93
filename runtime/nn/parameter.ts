/**
 * `nn.Parameter`: a leaf tensor that a Module registers as a learnable parameter.
 *
 * PyTorch makes Parameter a Tensor subclass. Our Tensor is built by ops through its own constructor, so a
 * subclass would be lost by the first op; instead `Parameter(t)` returns a plain Tensor that shares `t`'s
 * storage, requires grad, outlives every `torch.tidy` scope, and is remembered in a WeakSet so that
 * `isParameter(x)` (and Module's registration-by-assignment) can recognise it. Both spellings work:
 *
 *   const w = nn.Parameter(torch.randn(3, 4));
 *   const w = new nn.Parameter(torch.randn(3, 4));
 */
import { Tensor } from '../tensor.js';
import { isFloating } from '../dtype.js';
import { keep } from '../memory.js';
import { noGrad } from '../autograd/grad_mode.js';
import { fmtShape } from '../shape.js';

const parameters = new WeakSet<Tensor>();

export interface ParameterConstructor {
  /**
   * Marks a tensor as a module parameter.
   *
   * @param data the values; the parameter shares its storage (a non-contiguous view is copied first)
   * @param requiresGrad default true
   * @returns a new leaf Tensor (not `data` itself), detached from any graph `data` was part of
   */
  (data: Tensor, requiresGrad?: boolean): Tensor;
  new (data: Tensor, requiresGrad?: boolean): Tensor;
}

function makeParameter(data: Tensor, requiresGrad = true): Tensor {
  if (!(data instanceof Tensor)) {
    throw new TypeError(`Parameter: data must be a Tensor, got ${data === null ? 'null' : Array.isArray(data) ? 'an array (wrap it with torch.tensor(...))' : typeof data}`);
  }
  data.assertAlive('Parameter', 'data');
  if (requiresGrad && !isFloating(data.dtype)) {
    throw new TypeError(`Parameter: only floating-point tensors can require gradients, got ${data.dtype} (shape ${fmtShape(data.shape)}); pass requiresGrad=false or convert with .float()`);
  }
  const src = data.isContiguous() ? data : noGrad(() => data.contiguous());
  // A fresh Tensor object on the same storage: a leaf with no view base, like PyTorch's Parameter(t).
  const p = new Tensor(src.storage, src.shape.slice(), src.strides.slice(), src.offset, null);
  p.requiresGrad = requiresGrad;
  parameters.add(p);
  return keep(p);
}

/** `nn.Parameter(t, requiresGrad = true)`: see the file comment. Callable with or without `new`. */
export const Parameter = makeParameter as unknown as ParameterConstructor;

/** True for tensors created by `nn.Parameter` (or marked by `markParameter`). */
export function isParameter(x: unknown): x is Tensor {
  return x instanceof Tensor && parameters.has(x);
}

/** Marks an existing leaf tensor as a parameter in place (keeps its identity). Used by Module.to(). */
export function markParameter(t: Tensor): Tensor {
  parameters.add(t);
  return keep(t);
}

/**
 * Replaces the data behind `t` with `src`'s (same tensor object afterwards, new dtype/device/values): what
 * PyTorch's `param.data = ...` does, so an optimizer built before `module.to(...)` still holds the live
 * parameters. `src` must be a fresh tensor that nothing else uses: it is consumed (disposed).
 *
 * NOTE: the core Tensor has no public "set data" operation, so this swaps the storage fields directly and
 * fixes the reference counts. The FinalizationRegistry entry made in Tensor's constructor still points at
 * the old storage, so for a swapped tensor that is garbage-collected without dispose() the torch.memory()
 * counters can drift (the memory itself is freed by the GC); dispose() stays exact.
 */
export function swapData(t: Tensor, src: Tensor): void {
  if (src === t) return;
  const s = src.isContiguous() ? src : noGrad(() => src.contiguous());
  t.setData_(s);
  if (s !== src) s.dispose();
  src.dispose();
}
