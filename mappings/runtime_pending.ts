/**
 * Runtime names that mapping targets use but the runtime does not export yet. Rows that need one count as
 * `manual` (the transpiler leaves a TODO) until it arrives; the table test fails on any other missing name, so a
 * typo in a template cannot hide here. Remove a name when the runtime gains it.
 */
export const RUNTIME_PENDING: readonly string[] = [];
