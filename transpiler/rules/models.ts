/**
 * The model rules of one file and their order: the functional and sequential rules (functional_model.ts,
 * sequential_model.ts) each defer their rewrites; once every rewrite is made, what no model took is settled —
 * adds, then standalone layers (standalone_layers.ts), then inputs, applies and the tf.models left to the runtime
 * graph. What they share (the models built, the layer sites) is the ModelRegistry (model_registry.ts).
 */
import type { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import type { Facts } from './facts.js';
import { FunctionalModelRule } from './functional_model.js';
import { ModelRegistry, type ModelInfo } from './model_registry.js';
import { SequentialModelRule } from './sequential_model.js';
import { standaloneLayers } from './standalone_layers.js';

export class ModelRules {
  readonly registry: ModelRegistry;
  readonly sequential: SequentialModelRule;
  readonly functional: FunctionalModelRule;

  constructor(private readonly ctx: FileContext, facts: Facts) {
    this.registry = new ModelRegistry(ctx, facts);
    this.sequential = new SequentialModelRule(this.registry);
    this.functional = new FunctionalModelRule(this.registry);
  }

  /** The models this file built, by symbol (the training rules rewrite fit/predict only on migrated ones). */
  get models(): Map<ts.Symbol, ModelInfo> {
    return this.registry.models;
  }

  /** A tf.layers.* call (kept for a model; a TODO if no model uses it). */
  layer(node: ts.CallExpression, row: Mapping): void {
    this.registry.layerCalls.set(node, row);
  }

  // NOTE: the order is part of the output: sites are reported in it, same-span deferred rewrites run in it, and
  // the runtime graph (registry.fallback()) names its fields as it meets layers.
  finalize(): void {
    this.functional.finalize();
    this.sequential.finalize();
    this.ctx.after(() => {
      this.sequential.leftovers();
      standaloneLayers(this.registry);
      this.functional.leftovers();
    });
  }
}
