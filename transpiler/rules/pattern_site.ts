/**
 * The contract of a pattern rule: what the walk hands it (a PatternSite) and the one signature every rule has
 * (PatternRule). A row names its rule in `rule`; pattern_rules.ts maps each name to its rule.
 */
import type { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import type { Facts } from './facts.js';
import type { ModelRules } from './models.js';
import type { TrainingRules } from './training.js';

/** The per-file state the rules record into: most rewrite at finalize, once the whole file has been seen. */
export interface FileRules {
  readonly ctx: FileContext;
  readonly facts: Facts;
  readonly models: ModelRules;
  readonly training: TrainingRules;
}

/** One use of a pattern row. */
export interface PatternSite {
  /** The call, or a property read when the row is used without a call. */
  node: ts.Node;
  row: Mapping;
  /** What the site is reported under (the row's tf name). */
  key: string;
  /** The object a method is called on (`optimizer` in `optimizer.minimize(f)`); absent for a function. */
  receiver?: ts.Expression;
  rules: FileRules;
}

/** A named pattern rule: it takes the site (now or at finalize), or leaves a TODO saying why not. */
export type PatternRule = (site: PatternSite) => void;

/** The TODO for a use that no pattern rule takes (a rule's row used in a form the rule does not rewrite). */
export function noPatternRule(site: PatternSite): void {
  site.rules.ctx.todo(site.node, site.key, 'no-equivalent', `${site.key}: no pattern rule for this use`);
}
