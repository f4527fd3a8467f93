/** The pattern rules the transpiler implements (rows name them in `rule`). */
export const RULE_NAMES = ['sequentialModel', 'functionalModel', 'compileFit', 'variableGrads', 'minimize', 'trainableWeights'] as const;
export type RuleName = (typeof RULE_NAMES)[number];
