/**
 * The pattern-rule registry: every rule a row can name in `rule` (RULE_NAMES in mappings/schema.ts), each with the
 * one signature `(site: PatternSite) => void`. A name without a rule here is a type error.
 */
import type { RuleName } from '../../mappings/schema.js';
import type { PatternRule } from './pattern_site.js';
import { sequentialModel } from './sequential_model.js';
import { functionalModel } from './functional_model.js';
import { compileFit } from './training.js';
import { minimize, variableGrads } from './gradients.js';
import { trainableWeights } from './model_weights.js';

export const PATTERN_RULES: Readonly<Record<RuleName, PatternRule>> = {
  sequentialModel, functionalModel, compileFit, variableGrads, minimize, trainableWeights,
};
