/**
 * Every site one file's migration found and its outcome (rewritten, or left with a TODO), the diagnostics, and
 * the TODO markers written above the statements a human must finish (todo_marker.ts writes the marker itself).
 * FileContext owns one and delegates `rewrite`, `record`, `note` and `todo` to it.
 */
import { ts } from 'ts-morph';
import { NOTES, isNoteId, type NoteId } from '../mappings/notes.js';
import { missingNames } from '../mappings/runtime_api.js';
import type { FileContext } from './context.js';
import { formatTodoMarker, parseTodoMarker } from './todo_marker.js';
import type { Diagnostic, SiteRecord } from './types.js';

export class Outcomes {
  readonly sites: SiteRecord[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Keys of the sites left with a TODO (the report's coverage gaps). */
  readonly uncovered = new Set<string>();
  /** TODO sites whose code still names a TensorFlow binding: the tf import has to stay. */
  tfStillReferenced = false;
  /** The markers written at each line start, so two sites on one statement with the same reason write one. */
  private readonly todoLines = new Map<number, Set<string>>();

  constructor(private readonly ctx: FileContext) {}

  /**
   * Replaces a site with code after checking the runtime has every name the code uses. `userTexts` are the
   * pieces of the user's own code inside it (arguments, receivers): they are left out of the check, so a user
   * variable named `data` is not taken for the runtime's `data` namespace.
   */
  rewrite(node: ts.Node, key: string, code: string, notes: readonly NoteId[] = [], via?: SiteRecord['via'], userTexts: readonly string[] = []): boolean {
    const ctx = this.ctx;
    let checked = code;
    for (const t of [...userTexts].filter((t) => /[A-Za-z_$]/.test(t)).sort((a, b) => b.length - a.length)) {
      const esc = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      checked = checked.replace(new RegExp(`(?<![\\w$.])${esc}(?![\\w$])`, 'g'), '_');
    }
    const missing = missingNames(checked, ctx.opts.api);
    if (missing.length) {
      this.todo(node, key, 'runtime-missing', `${key}: the runtime lacks ${missing.join(', ')}`);
      return false;
    }
    ctx.replace(node, code);
    this.record(node, key, 'rewritten', via);
    for (const n of new Set(notes)) this.note(node, n, key);
    return true;
  }

  record(node: ts.Node, key: string, outcome: SiteRecord['outcome'], via?: SiteRecord['via']): void {
    this.sites.push({ key, ...this.ctx.pos(node), outcome, via });
  }

  note(node: ts.Node, id: NoteId, key?: string, message?: string): void {
    const n = NOTES[id];
    this.diagnostics.push({ file: this.ctx.fileName, ...this.ctx.pos(node), severity: n.severity, id, message: message ?? `${key ? `${key}: ` : ''}${n.text}`, key });
  }

  /**
   * Leaves the code as it is with a `// torchbridge: TODO(<id>) <reason>` line above its statement (once: a
   * second run finds the marker and adds nothing) and a report entry.
   */
  todo(node: ts.Node, key: string, id: NoteId | string, reason: string): void {
    const ctx = this.ctx;
    const noteId = isNoteId(id) ? id : 'no-equivalent';
    this.record(node, key, 'todo');
    this.uncovered.add(key);
    this.diagnostics.push({ file: ctx.fileName, ...ctx.pos(node), severity: 'error', id: noteId, message: reason, key });
    if (ctx.referencesTf(node)) this.tfStillReferenced = true;
    const stmt = statementOf(node);
    const lineStart = ctx.text.lastIndexOf('\n', stmt.getStart(ctx.sf) - 1) + 1;
    const indent = /^[ \t]*/.exec(ctx.text.slice(lineStart))![0];
    const marker = formatTodoMarker(noteId, reason);
    const seen = this.todoLines.get(lineStart) ?? new Set<string>();
    if (seen.has(marker)) return;
    seen.add(marker);
    this.todoLines.set(lineStart, seen);
    // Idempotent: a marker written by an earlier run (any of the lines just above) is not written again.
    let p = lineStart;
    for (let i = 0; i < 8 && p > 0; i++) {
      const ls = ctx.text.lastIndexOf('\n', p - 2) + 1;
      const line = ctx.text.slice(ls, p).trim();
      if (!parseTodoMarker(line)) break;
      if (line === marker) return;
      p = ls;
    }
    ctx.edits.insert(lineStart, `${indent}${marker}\n`);
  }
}

/** The statement (or class member) a node belongs to: where a TODO marker goes. */
function statementOf(node: ts.Node): ts.Node {
  let n = node;
  while (n.parent && !ts.isSourceFile(n.parent) && !ts.isBlock(n.parent) && !ts.isModuleBlock(n.parent) && !ts.isCaseClause(n.parent) &&
    !ts.isDefaultClause(n.parent) && !ts.isClassLike(n.parent)) {
    n = n.parent;
  }
  return n;
}
