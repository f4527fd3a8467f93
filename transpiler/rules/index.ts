/**
 * The named pattern rules, per file: what the walk hands over (pattern sites, layer calls) and what runs once
 * every 1:1 rewrite is in place (models, then training).
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import { computeFacts, type Facts } from './facts.js';
import { minimize, variableGrads } from './gradients.js';
import { trainableWeights } from './model_weights.js';
import { ModelRules } from './models.js';
import { TrainingRules } from './training.js';
import type { RuleName } from './names.js';

export class RuleState {
  readonly facts: Facts;
  readonly models: ModelRules;
  readonly training: TrainingRules;

  constructor(private readonly ctx: FileContext) {
    this.facts = computeFacts(ctx);
    this.models = new ModelRules(ctx, this.facts);
    this.training = new TrainingRules(ctx, this.models, this.facts);
  }

  /** A site whose row is a pattern: the row's rule takes it. */
  patternSite(node: ts.Node, row: Mapping, key: string, receiver?: ts.Expression): void {
    const rule = row.rule as RuleName | undefined;
    switch (rule) {
      case 'sequentialModel':
      case 'functionalModel':
        return this.models.site(node, row);
      case 'compileFit':
        return this.training.site(node, row, receiver);
      case 'variableGrads':
        if (row.tf === 'Optimizer.applyGradients') {
          this.ctx.todo(node, key, 'variable-grads-values', 'optimizer.applyGradients without a tf.variableGrads the transpiler could pair it with: call loss.backward() and optimizer.step()');
          return;
        }
        if (ts.isCallExpression(node)) return variableGrads(this.ctx, this.facts, node, row);
        break;
      case 'minimize':
        if (ts.isCallExpression(node) && receiver) return minimize(this.ctx, node, row, receiver);
        break;
      case 'trainableWeights':
        if (receiver) return trainableWeights(this.ctx, node, row, receiver);
        break;
    }
    this.ctx.todo(node, key, 'no-equivalent', `${key}: no pattern rule for this use`);
  }

  layerSite(node: ts.CallExpression, row: Mapping): void {
    this.models.layer(node, row);
  }

  optimizerParams(node: ts.Node): string | undefined {
    return this.facts.optimizerParams.get(node);
  }

  finalize(): void {
    this.models.finalize();
    this.training.finalize();
  }
}
