/** A bad request to the project migration (no inputs, contradicting options, a dirty tree for --in-place): the CLI's exit code 2. */
export class UsageError extends Error {}
