/**
 * What io.loadLayersModel knew about a module it built: the model's topology and its weights in manifest order,
 * each with a reader that turns the module's current tensor back into tfjs's layout. io.saveLayersModel writes a
 * loaded (and maybe trained) module back from this, so the topology is tfjs's own and the weight names unchanged.
 *
 * A WeakMap rather than a property on the module: nothing shows up in the module's state or repr, and the record
 * goes when the module does.
 */
import type { Tensor } from '../../tensor.js';
import type { Module } from '../../nn/module.js';
import type { DecodedWeight } from './artifacts.js';

/** A converted weight's way back: the module holding it, and its tensor in tfjs's layout. */
export interface WeightReader {
  owner: Module;
  read: () => Tensor;
}

export interface LayersOrigin {
  /** modelTopology exactly as model.json held it. */
  topology: unknown;
  /** Manifest name → decoded weight, in manifest order. */
  weights: Map<string, DecodedWeight>;
  /** Decoded weight → its module tensor in tfjs's layout; weights no module took keep their loaded values. */
  readers: Map<DecodedWeight, WeightReader>;
}

const ORIGINS = new WeakMap<Module, LayersOrigin>();

export function rememberOrigin(module: Module, origin: LayersOrigin): void {
  ORIGINS.set(module, origin);
}

export function originOf(module: Module): LayersOrigin | undefined {
  return ORIGINS.get(module);
}
