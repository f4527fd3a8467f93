/**
 * Renders a row's code template for one call site (syntax in schema.ts `Template`). Pure string work: the
 * transpiler hands in argument texts; nothing here knows a TensorFlow name.
 */
import type { ArgInfo, CallSite, Mapping, Template } from './schema.js';

export interface ParamSpec {
  name: string;
  optional: boolean;
  rest: boolean;
  /** `name!`: no runtime equivalent — a call that passes it cannot be rewritten by the template. */
  unsupported: boolean;
  /** `name~`: accepted and dropped (the row's notes say what that changes). */
  dropped: boolean;
  /** Default text written when an optional group needs the value. */
  defaultText?: string;
}

export function parseParams(params: readonly string[] = []): ParamSpec[] {
  return params.map((p) => {
    if (p.startsWith('...')) return { name: p.slice(3), optional: true, rest: true, unsupported: false, dropped: false };
    const m = /^([A-Za-z_$][\w$]*)([?!~])?(?:=(.*))?$/.exec(p);
    if (!m) throw new Error(`mappings: bad parameter spec '${p}'`);
    const flag = m[2];
    return {
      name: m[1], optional: flag !== undefined || m[3] !== undefined, rest: false, defaultText: m[3],
      unsupported: flag === '!', dropped: flag === '~',
    };
  });
}

export type RenderResult =
  | { ok: true; code: string; dropped: string[] }
  | { ok: false; missing?: string; unsupported?: string };

/**
 * `$name` with an optional modifier: `:t` a Tensor is required (literal numbers/arrays/booleans become tensors,
 * float32 as tfjs makes them), `:l` TensorLike is accepted (numbers pass, literal arrays become tensors), `:i`
 * an int32 index tensor (literal arrays become int32 tensors), `:p` parenthesised unless primary.
 */
const PLACEHOLDER = /\$(self|[A-Za-z_][A-Za-z0-9_]*)(?::([tlip]))?/g;

/** True when the argument was passed (an explicit `undefined` counts as not passed, as in JS). */
export function isPresent(a: ArgInfo | undefined): a is ArgInfo {
  return a !== undefined && a.kind !== 'undefined';
}

/** Code that is a runtime tensor for a tfjs TensorLike argument (literal numbers/arrays become tensors). */
export function ensureTensor(a: ArgInfo): string {
  if (a.kind === 'number' || a.kind === 'array') return `torch.tensor(${a.text}, { dtype: 'float32' })`;
  if (a.kind === 'boolean') return `torch.tensor(${a.text})`;
  return a.text;
}

function applyModifier(a: ArgInfo, modifier: string | undefined, asReceiver: boolean): string {
  switch (modifier) {
    case 't': {
      const t = ensureTensor(a);
      return t === a.text && asReceiver && !a.simple ? `(${t})` : t;
    }
    case 'l': return a.kind === 'array' ? ensureTensor(a) : asReceiver && !a.simple ? `(${a.text})` : a.text;
    case 'i': return a.kind === 'array' || a.kind === 'number' ? `torch.tensor(${a.text}, { dtype: 'int32' })` : asReceiver && !a.simple ? `(${a.text})` : a.text;
    case 'p': return a.simple || a.kind === 'number' ? a.text : `(${a.text})`;
    default: return asReceiver && !a.simple ? `(${a.text})` : a.text;
  }
}

/** Arguments that are safe to write twice (no calls, no side effects, cheap). */
function pure(a: ArgInfo): boolean {
  if (['identifier', 'number', 'string', 'boolean', 'null'].includes(a.kind)) return true;
  return (a.kind === 'array' || a.kind === 'object') && !a.text.includes('(');
}

/** Argument texts by parameter name (rest parameters joined with ', '). */
export function bindArgs(row: Pick<Mapping, 'params'>, site: Pick<CallSite, 'args' | 'receiver'>): Map<string, ArgInfo> {
  const specs = parseParams(row.params);
  const out = new Map<string, ArgInfo>();
  specs.forEach((s, i) => {
    if (s.rest) {
      const rest = site.args.slice(i).filter(isPresent);
      if (rest.length) out.set(s.name, { text: rest.map((r) => r.text).join(', '), kind: 'expression', simple: false });
    } else if (isPresent(site.args[i])) out.set(s.name, site.args[i]);
  });
  if (site.receiver) out.set('self', site.receiver);
  return out;
}

function renderOne(template: string, bound: Map<string, ArgInfo>, specs: ParamSpec[]): RenderResult {
  const defaults = new Map(specs.map((s) => [s.name, s.defaultText]));
  let missing: string | null = null;
  const fill = (chunk: string): string =>
    chunk.replace(PLACEHOLDER, (m, name: string, modifier: string | undefined, offset: number, whole: string) => {
      const a = bound.get(name);
      if (!a) {
        const d = defaults.get(name);
        if (d === undefined) {
          missing ??= name;
          return '';
        }
        return d;
      }
      const next = whole[offset + m.length];
      // A receiver (`$x.sum()`) needs parentheses unless the expression is a primary one.
      return applyModifier(a, modifier, next === '.' || next === '[');
    });
  // A placeholder written twice would evaluate an impure argument twice: such arguments are bound once (hoisted).
  const counts = new Map<string, number>();
  for (const m of template.matchAll(PLACEHOLDER)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  const twice = [...counts].filter(([name, n]) => n > 1 && bound.has(name) && !pure(bound.get(name)!)).map(([name]) => name);
  if (twice.length) return hoisted(template, bound, specs, twice);
  // Groups for positional arguments (`{{, $axis}}`) are cumulative: passing a later one writes the earlier
  // ones too (with their defaults), or `sum(x, true)` would read keepDims as the axis. Other groups (options
  // such as `{{, nesterov: $n}}`) stand alone.
  const GROUP = /\{\{([\s\S]*?)\}\}(?!\})/g;
  const groups = [...template.matchAll(GROUP)].map((m) => m[1]);
  const present = groups.map((g) => [...g.matchAll(PLACEHOLDER)].some((m) => bound.has(m[1])));
  const positional = groups.map((g) => /^(?:,\s*)?\$/.test(g));
  const lastPositional = present.reduce((last, p, i) => (p && positional[i] ? i : last), -1);
  let gi = 0;
  const code = template.replace(GROUP, (_m, inner: string) => {
    const i = gi++;
    const include = present[i] || (positional[i] && i < lastPositional);
    return include ? fill(inner) : '';
  });
  const result = fill(code);
  if (missing) return { ok: false, missing };
  return { ok: true, code: result, dropped: specs.filter((s) => s.dropped && bound.has(s.name)).map((s) => s.name) };
}

/**
 * A template that writes an impure argument twice (`tf.losses.logLoss(tf.onesLike(p), p)` uses labels in both
 * terms): the arguments become the parameters of an arrow function called at once, so each is evaluated once and in
 * tfjs's order — every impure argument is bound, not only the repeated ones. TypeScript types the parameters from
 * the call. A literal (an array holding a call) would lose its tensor conversion as a parameter: still refused.
 */
function hoisted(template: string, bound: Map<string, ArgInfo>, specs: ParamSpec[], twice: string[]): RenderResult {
  const literal = twice.find((name) => !['expression', 'identifier', 'function'].includes(bound.get(name)!.kind));
  if (literal) return { ok: false, missing: `${literal} (used twice; bind it to a const first)` };
  const order = [...(bound.has('self') ? ['self'] : []), ...specs.map((s) => s.name)];
  const impure = order.filter((name) => bound.has(name) && !pure(bound.get(name)!) && new RegExp(`\\$${name}\\b`).test(template));
  const texts = [...bound.values()].map((a) => a.text).join(' ');
  const params: string[] = [];
  const inner = new Map(bound);
  for (const name of impure) {
    let id = `_${name}`;
    while (new RegExp(`(?<![\\w$])${id.replace('$', '\\$')}(?![\\w$])`).test(texts)) id = `_${id}`;
    params.push(id);
    inner.set(name, { text: id, kind: 'identifier', simple: true });
  }
  const r = renderOne(template, inner, specs);
  if (!r.ok) return r;
  return { ...r, code: `((${params.join(', ')}) => ${r.code})(${impure.map((name) => bound.get(name)!.text).join(', ')})` };
}

/**
 * Renders the first alternative that applies and has every placeholder it needs. `extra` binds placeholders
 * that are not tfjs parameters (an optimizer's `$params`).
 */
export function render(row: Pick<Mapping, 'params' | 'target'>, site: Pick<CallSite, 'args' | 'receiver' | 'awaited'>, extra: Record<string, ArgInfo> = {}): RenderResult {
  const targets: readonly Template[] = row.target === undefined ? [] : Array.isArray(row.target) ? row.target : [row.target as Template];
  const specs = parseParams(row.params);
  const bound = bindArgs(row, site);
  for (const [k, v] of Object.entries(extra)) bound.set(k, v);
  const unsupported = specs.find((s) => s.unsupported && bound.has(s.name));
  if (unsupported) return { ok: false, unsupported: unsupported.name };
  let last: RenderResult = { ok: false, missing: '(no target)' };
  for (const t of targets) {
    if (typeof t !== 'string') {
      if ((t.when === 'awaited') !== site.awaited) continue;
      last = renderOne(t.code, bound, specs);
    } else last = renderOne(t, bound, specs);
    if (last.ok) return last;
  }
  return last;
}

/** Every template text of a row (for documentation and the runtime-name check). */
export function templateTexts(row: Pick<Mapping, 'target'>): string[] {
  if (row.target === undefined) return [];
  const ts: readonly Template[] = Array.isArray(row.target) ? row.target : [row.target as Template];
  return ts.map((t) => (typeof t === 'string' ? t : t.code));
}

/** An ArgInfo for generated code (a fresh expression, not a source argument). */
export function codeArg(text: string, simple = /^[\w$.]+$/.test(text)): ArgInfo {
  return { text, kind: /^[A-Za-z_$][\w$]*$/.test(text) ? 'identifier' : 'expression', simple };
}

/** Fills `$name` placeholders in a small code snippet (activation/loss/layer templates). */
export function fillSnippet(snippet: string, values: Record<string, string>): string {
  return snippet.replace(/\$([A-Za-z_][\w]*)/g, (m, name: string) => (name in values ? values[name] : m));
}
