/**
 * Uninitialized parameters: the placeholders a lazy module (`nn.LazyLinear`, …) holds until its first call tells
 * it its input size (PyTorch's `UninitializedParameter`). A placeholder is a real, zero-sized Parameter object —
 * the same object becomes the materialized parameter, so an optimizer built before the first call keeps working —
 * but reading or initialising it is an error that says why, instead of silently doing nothing to zero elements.
 *
 * Kept apart from lazy.ts (which imports the layers) so that nn.init can check without an import cycle.
 */
import type { Tensor } from '../tensor.js';

const uninitialized = new WeakMap<Tensor, string>();

/** Marks `t` as the placeholder for `what` (e.g. 'LazyLinear.weight'). */
export function markUninitialized(t: Tensor, what: string): void {
  uninitialized.set(t, what);
}

export function clearUninitialized(t: Tensor): void {
  uninitialized.delete(t);
}

/** True for a lazy module's parameter or buffer before the module's first call. */
export function isUninitialized(t: Tensor | null | undefined): boolean {
  return !!t && uninitialized.has(t);
}

/** Throws if `t` is an uninitialized placeholder: `op` cannot act on values that do not exist yet. */
export function assertMaterialized(t: Tensor, op: string): void {
  const what = uninitialized.get(t);
  if (what === undefined) return;
  throw new Error(
    `${op}: ${what} is an uninitialized parameter of a lazy module (its size comes from the module's first call); ` +
      'call the model once first, or initialise inside nn.whenMaterialized(module, fn)',
  );
}

/**
 * Implemented by lazy modules not yet materialized: `loadStateDict` calls it with the checkpoint's shapes (key
 * relative to the module → shape) before checking sizes, so loading a checkpoint materializes them, as in PyTorch.
 */
export const MATERIALIZE_FROM_STATE = Symbol('torchbridge.materializeFromState');

export interface LazyLoadable {
  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void;
}
