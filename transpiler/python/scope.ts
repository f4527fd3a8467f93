/**
 * Python declares a name by assigning it anywhere in a function; TypeScript needs `const`/`let` once, in a block
 * that encloses every use. The emitter writes a placeholder where a name is first assigned; when the scope
 * closes, each placeholder becomes `const ` (assigned once), `let ` (reassigned), or nothing with a `let` hoisted
 * to the top of the scope (a use outside the block of the first assignment, as Python's function scoping allows).
 */
export type Kind =
  | 'tensor' | 'number' | 'string' | 'bool' | 'none' | 'array' | 'dict' | 'module' | 'optimizer' | 'loss' | 'metric' | 'tape'
  | 'loader' | 'dataset' | 'rng' | 'dtype' | 'params' | 'function' | 'class' | 'ns' | 'symbolic' | 'unknown';

export interface VarInfo {
  kind: Kind;
  /** Element kind, for arrays (and tuples: per element). */
  elems?: Kind[];
  elemKind?: Kind;
  /** The module class, for module values. */
  cls?: string;
  assigns: number;
  /** Block path of the first assignment; uses in other blocks hoist the declaration. */
  declPath: string;
  /** The placeholder of the first assignment (null: a parameter, or declared otherwise). */
  decl: number | null;
  hoist: boolean;
}

export interface Decl {
  id: number;
  names: string[];
}

export class Scope {
  readonly vars = new Map<string, VarInfo>();
  readonly decls: Decl[] = [];
  constructor(public startLine: number, readonly indent: string, readonly parent: Scope | null, readonly kind: 'module' | 'function' | 'method') {}

  lookup(name: string): VarInfo | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
}

export const marker = (id: number): string => `\u0001${id}\u0001`;

export const TS_TYPES: Partial<Record<Kind, string>> = { tensor: 'torch.Tensor', number: 'number', string: 'string', bool: 'boolean' };

/** Resolves the scope's placeholders in `lines` (from its start) and inserts hoisted declarations. */
export function closeScope(scope: Scope, lines: string[], types: Partial<Record<Kind, string>> | null = TS_TYPES): void {
  const text = new Map<number, string>();
  const hoisted: string[] = [];
  for (const d of scope.decls) {
    const infos = d.names.map((n) => scope.vars.get(n)!).filter(Boolean);
    const hoist = infos.some((v) => v.hoist);
    if (hoist) {
      text.set(d.id, '');
      for (const n of d.names) {
        const v = scope.vars.get(n)!;
        const t = types?.[v.kind];
        // Python reads it after the block that assigns it (a loop, an if): `!` says so, as Python would fail at run time.
        hoisted.push(`${scope.indent}let ${n}${t ? `!: ${t}` : ''};`);
      }
    } else text.set(d.id, infos.every((v) => v.assigns === 1) ? 'const ' : 'let ');
  }
  for (let i = scope.startLine; i < lines.length; i++) {
    if (lines[i].includes('\u0001')) lines[i] = lines[i].replace(/\u0001(\d+)\u0001/g, (m, id: string) => text.get(Number(id)) ?? m);
  }
  if (hoisted.length) lines.splice(scope.startLine, 0, ...hoisted);
}
