/**
 * Text edits on one source file. Rewrites are registered bottom-up (children before parents), and a parent's
 * new text is built from its children's rewritten text (`textOf`), so nested rewrites compose. Applying keeps
 * only the outermost replacements; everything outside them — comments, formatting — is left as it was.
 */

interface Edit {
  start: number;
  end: number;
  text: string;
  /** Zero-width insertions at the same position keep their registration order. */
  seq: number;
}

export class Edits {
  private readonly edits: Edit[] = [];
  private seq = 0;

  constructor(readonly source: string) {}

  /** Replaces [start, end) with text (a later replacement of the same or an enclosing span wins). */
  replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text, seq: this.seq++ });
  }

  /**
   * Inserts text at pos; several insertions at one position keep their registration order, except `first`
   * ones, which go before all others there (an import added after the last import must come before a TODO
   * marker that belongs to the statement on the next line).
   */
  insert(pos: number, text: string, opts: { first?: boolean } = {}): void {
    this.edits.push({ start: pos, end: pos, text, seq: opts.first ? -1e9 + this.seq++ : this.seq++ });
  }

  /** True when some replacement covers exactly [start, end). */
  has(start: number, end: number): boolean {
    return this.edits.some((e) => e.start === start && e.end === end && e.end > e.start);
  }

  get size(): number {
    return this.edits.length;
  }

  /**
   * The text of [start, end) with every edit inside it applied. An insertion at `start` itself is not part of
   * it: insertions go before the line or statement that starts there (a TODO marker, a model's init loop), so
   * the text of an expression that starts a line must not carry them.
   */
  textOf(start: number, end: number): string {
    const inside = this.edits.filter((e) => e.start >= start && e.end <= end && (e.end > e.start || (e.start > start && e.start < end)));
    return apply(this.source.slice(start, end), inside.map((e) => ({ ...e, start: e.start - start, end: e.end - start })));
  }

  /** The whole file with every edit applied. */
  result(): string {
    return apply(this.source, this.edits);
  }
}

/** Applies the outermost, latest replacements (and the insertions outside them) to text. */
function apply(text: string, edits: Edit[]): string {
  const reps = edits.filter((e) => e.end > e.start);
  // Outermost first; for equal spans the latest registration wins.
  reps.sort((a, b) => a.start - b.start || b.end - a.end || b.seq - a.seq);
  const chosen: Edit[] = [];
  let coveredTo = -1;
  for (const r of reps) {
    if (r.start < coveredTo) continue;
    chosen.push(r);
    coveredTo = r.end;
  }
  const inserts = edits.filter((e) => e.end === e.start && !chosen.some((r) => e.start > r.start && e.start < r.end));
  // Back to front; at one position the replacement goes first so insertions land before it, in their order.
  const isInsert = (e: Edit) => (e.end === e.start ? 1 : 0);
  const all = [...chosen, ...inserts].sort((a, b) => b.start - a.start || isInsert(a) - isInsert(b) || b.seq - a.seq);
  let out = text;
  for (const e of all) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
