/** Helpers shared by the transformers: reading literal arguments, answering with code or a TODO. */
import type { ArgInfo, Emit, NoteId } from '../schema.js';

export const code = (text: string, notes?: NoteId[]): Emit => ({ kind: 'code', code: text, notes });
export const todo = (note: NoteId, detail: string): Emit => ({ kind: 'todo', note, detail });

export const isNum = (a: ArgInfo | undefined): a is ArgInfo & { value: number } => a?.kind === 'number';
export const isStr = (a: ArgInfo | undefined): a is ArgInfo & { value: string } => a?.kind === 'string';
export const isBool = (a: ArgInfo | undefined): a is ArgInfo & { value: boolean } => a?.kind === 'boolean';

/** The receiver form of an argument: parenthesised unless primary. */
export const recv = (a: ArgInfo): string => (a.simple ? a.text : `(${a.text})`);

/** A literal array's numbers, or null when not every element is a number literal. */
export function numbers(a: ArgInfo | undefined): number[] | null {
  if (!a || a.kind !== 'array' || !a.elements) return null;
  return a.elements.every(isNum) ? a.elements.map((e) => e.value as number) : null;
}

/** Every leaf of a literal (nested) array. */
export function leaves(a: ArgInfo): ArgInfo[] {
  return a.kind === 'array' && a.elements ? a.elements.flatMap(leaves) : [a];
}

/** Names of tfjs integer typed arrays (tfjs makes int32 tensors from them). */
export const INT_ARRAYS = /\b(Int32Array|Int16Array|Int8Array|Uint8Array|Uint16Array|Uint8ClampedArray)\b/;
