/**
 * The named pattern rules, per file: what the walk hands over (pattern sites, layer calls) and what runs once
 * every 1:1 rewrite is in place (models, then training).
 */
import type { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import { computeFacts, type Facts } from './facts.js';
import { ModelRules } from './models.js';
import { TrainingRules } from './training.js';
import { PATTERN_RULES } from './pattern_rules.js';
import { noPatternRule, type FileRules } from './pattern_site.js';

export class RuleState implements FileRules {
  readonly facts: Facts;
  readonly models: ModelRules;
  readonly training: TrainingRules;

  constructor(readonly ctx: FileContext) {
    this.facts = computeFacts(ctx);
    this.models = new ModelRules(ctx, this.facts);
    this.training = new TrainingRules(ctx, this.models, this.facts);
  }

  /** A site whose row is a pattern: the rule the row names takes it (PATTERN_RULES). */
  patternSite(node: ts.Node, row: Mapping, key: string, receiver?: ts.Expression): void {
    const site = { node, row, key, receiver, rules: this };
    // A pattern row without a rule (the table test fails on one) is left as a TODO.
    if (row.rule) PATTERN_RULES[row.rule](site);
    else noPatternRule(site);
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
