/**
 * Parsing Python with @lezer/python (pure JavaScript, error-tolerant): the tree, node helpers, and the first
 * syntax error as file:line:col — a file with one is reported and not migrated, as the TypeScript path does.
 */
import { parser } from '@lezer/python';
import type { SyntaxNode, Tree } from '@lezer/common';

export type { SyntaxNode };

export interface Parsed {
  tree: Tree;
  text: string;
  /** Offsets where each line starts. */
  lineStarts: number[];
}

export function parsePython(text: string): Parsed {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  return { tree: parser.parse(text), text, lineStarts };
}

/** 1-based line and column of an offset. */
export function lineCol(p: Parsed, pos: number): { line: number; col: number } {
  let lo = 0, hi = p.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (p.lineStarts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: pos - p.lineStarts[lo] + 1 };
}

/** The first syntax error (lezer marks them with error nodes ⚠), if any. */
export function firstSyntaxError(p: Parsed): { pos: number; message: string } | null {
  let found: { pos: number; message: string } | null = null;
  p.tree.iterate({
    enter(n) {
      if (found) return false;
      if (n.type.isError) {
        const near = p.text.slice(n.from, Math.min(n.from + 20, p.text.length)).split('\n')[0];
        found = { pos: n.from, message: near ? `unexpected '${near}'` : n.from >= p.text.length ? 'unexpected end of file' : 'unexpected input' };
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/** The node's direct children. */
export function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Punctuation and keywords lezer keeps as nodes; expressions are the rest. */
const TOKENS = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '.', '=', '*', '**', 'AssignOp', 'in', 'for', 'if', 'else', 'as', 'from', 'import', 'lambda', 'def', 'class', 'return', 'with', 'while', 'not', 'and', 'or', 'is', 'At', 'Comment', 'async', 'await', 'elif', 'try', 'except', 'finally', 'del', 'pass', 'global', 'nonlocal', 'assert', 'raise', 'yield', 'break', 'continue', ';', '->', 'print']);

export function isToken(n: SyntaxNode): boolean {
  return TOKENS.has(n.name);
}

export function exprChildren(n: SyntaxNode): SyntaxNode[] {
  return children(n).filter((c) => !isToken(c));
}
