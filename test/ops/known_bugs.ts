/**
 * Runtime bugs found by the op table, one constant each. A case that hits one carries `knownBug` (or
 * `knownGradBug`) and runs as `test.fails`: the suite stays green while the bug is open and goes red when
 * it is fixed — then delete the marker and the constant. TORCHBRIDGE_SHOW_KNOWN_BUGS=1 runs them as plain tests.
 *
 * Empty now: the twelve bugs the table first found (NaN truthiness, sign(NaN), bool arithmetic, where with int
 * scalars, prod's gradient at zeros, logsumexp of -inf rows, gradcheck passing NaN, in-place ops on non-leaves,
 * matmul with stride-0 operands, linspace with one step, indexSelect's error, norm(0)) are fixed.
 */
export {};
