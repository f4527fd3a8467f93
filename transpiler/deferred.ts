/**
 * The deferred-rewrite scheduler for one file. A rewrite's text is built from the rewritten text of what it
 * contains, and pattern rules (models, fit, predict) only know their code once the whole file has been seen, so
 * rewrites are queued while the file is walked and all run at the end, innermost first. FileContext owns one and
 * delegates `defer`, `after` and `runDeferred` to it.
 */
import type { ts } from 'ts-morph';

export class DeferredRewrites {
  private readonly jobs: { start: number; end: number; seq: number; run: () => void }[] = [];
  private readonly afterJobs: (() => void)[] = [];

  constructor(private readonly sf: ts.SourceFile) {}

  /** Runs `fn` when every rewrite inside `node` has been made. */
  defer(node: ts.Node, run: () => void): void {
    this.jobs.push({ start: node.getStart(this.sf), end: node.getEnd(), seq: this.jobs.length, run });
  }

  /** Runs after every deferred rewrite (checks such as "this layer was never used by a model"). */
  after(run: () => void): void {
    this.afterJobs.push(run);
  }

  /**
   * Innermost first: a job ends no later than any job containing it, and of two that end together the one that
   * starts later is inside the other; jobs on the same span run in the order they were queued.
   */
  run(): void {
    const order = [...this.jobs].sort((a, b) => a.end - b.end || b.start - a.start || a.seq - b.seq);
    for (const j of order) j.run();
    for (const a of this.afterJobs) a();
  }
}
