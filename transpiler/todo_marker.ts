/**
 * The TODO marker the transpiler writes above a statement it could not migrate, and the one place that knows its
 * format: `// torchbridge: TODO(<note id>) <reason>`. The check command's TODO gate and type gate read markers back
 * through here.
 */
export const TODO_MARKER_START = 'torchbridge: TODO(';

/** The marker comment for one site (a reason spread over lines becomes one line). */
export function formatTodoMarker(noteId: string, reason: string): string {
  return `// ${TODO_MARKER_START}${noteId}) ${reason.replace(/\s*\n\s*/g, ' ')}`;
}

const MARKER = /\/\/\s*torchbridge: TODO\(([^)]*)\)\s*(.*)$/;

/** A marker's note id and reason, if `line` holds one. */
export function parseTodoMarker(line: string): { id: string; reason: string } | null {
  const m = MARKER.exec(line);
  return m ? { id: m[1].trim(), reason: m[2].trim() } : null;
}

/** True when a comment's text is a marker. */
export function isTodoMarker(comment: string): boolean {
  return comment.includes(TODO_MARKER_START);
}
