/**
 * Trace keys of a custom loop's variables, shared by both sides and the report: `-/init/var/<tfjs name>` (the
 * value before the variable's first update) and `<step>/parameter/var/<tfjs name>` (after step `step`). The
 * reference's tfjs name keys both sides' records, so the report compares like with like.
 */
export const LOOP_LAYER = 'var';
