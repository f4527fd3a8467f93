/**
 * A diff's child process (the original on tfjs, or the migrated program on the runtime) that did not finish. The
 * message is what a user acts on: which program, how it ended, and the end of its own stderr with the toolkit's
 * stack frames taken out (the probe modules' and Node's internals say nothing about the user's program; the
 * program's own frames, and the error line itself, stay).
 */
export class ChildFailedError extends Error {
  /** The child's stderr tail as kept in the message. */
  readonly tail: string;

  constructor(
    readonly role: 'reference' | 'candidate',
    readonly entry: string,
    how: string,
    stderr: string,
    /** Stopped by the diff's --timeout rather than ending by itself. */
    readonly timedOut = false,
    /** The original a migration made on the fly stood in for (it ran under the original's path, from the work dir). */
    readonly migratedFrom?: string,
  ) {
    const tail = stderrTail(stderr);
    const side = role === 'reference' ? 'the original (tfjs) program' : 'the migrated (torchbridge) program';
    const name = migratedFrom ? `${entry} (migrated on the fly from ${migratedFrom})` : entry;
    // A migration made on the fly is removed with a temporary work dir: say how to keep it.
    const runAlone = migratedFrom
      ? `run it on its own (npx tsx ${entry}; the copy is kept when the diff is given --work-dir)`
      : `run it on its own (npx tsx ${entry})`;
    const todo = timedOut
      ? `raise --timeout, or diff fewer steps (--steps N) or epochs (--epochs N); ${runAlone} to see how long it takes`
      : role === 'reference'
      ? `${runAlone} to check it works before diffing it`
      : `${runAlone} to see the failure; if it only fails under the diff, the probes could not follow it (the lines above say where)`;
    super(`${side} ${name} ${how} under torchbridge diff; ${todo}.${tail ? `\nIts last output:\n${tail}` : ''}`);
    this.tail = tail;
  }
}

/** Frames of the toolkit's own modules and of Node's internals: not the user's program. */
const TOOLKIT_FRAME = /^\s+at .*(difftest[\\/]program[\\/]|node:internal|node_modules[\\/](tsx|esbuild)[\\/])/;

const DEPENDENCY_THROW_SITE = /^(file:\/\/)?\S*[\\/]node_modules[\\/]\S*:\d+$/;

/** The last lines of a child's stderr worth showing: toolkit stack frames dropped, long lines cut. */
export function stderrTail(stderr: string, lines = 12): string {
  const all = stderr.trim().split('\n');
  const kept: string[] = [];
  for (let i = 0; i < all.length; i++) {
    // Node's "file:line / source line / caret" header of an uncaught error rethrown from a dependency (tfjs's wasm
    // backend rethrows every uncaught error from its one-line bundle): says nothing, and the error follows.
    if (DEPENDENCY_THROW_SITE.test(all[i])) {
      i += 2;
      continue;
    }
    kept.push(all[i]);
  }
  return kept
    .filter((l) => !TOOLKIT_FRAME.test(l) && !/^Node\.js v\d/.test(l))
    .slice(-lines)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)} …` : l))
    .join('\n')
    .trim();
}
