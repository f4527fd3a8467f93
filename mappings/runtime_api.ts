/**
 * What the runtime actually exports, so emitted code only names things that exist. A target that needs a
 * missing name becomes a TODO (status manual) instead of code that would not compile.
 */

/** Runtime namespaces emitted code may use (the names migrated files import from 'torchbridge'). */
export const NAMESPACES = ['torch', 'nn', 'F', 'optim', 'data', 'io', 'utils', 'compat'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export interface RuntimeApi {
  /** Qualified names: `torch.zeros`, `nn.Linear`, `nn.init.zeros_`, `torch.autograd.grad`. */
  names: ReadonlySet<string>;
  /** Method and property names of runtime classes (Tensor, Module, Optimizer, ...). */
  members: ReadonlySet<string>;
}

/** JavaScript's own methods that appear in emitted code on arrays, numbers and promises. */
const JS_MEMBERS = new Set(['map', 'reduce', 'concat', 'flat', 'keys', 'push', 'length', 'then', 'resolve', 'log', 'floor', 'ceil', 'sqrt', 'max', 'min']);

const NS_CHAIN = new RegExp(`(?<![\\w$.])(${NAMESPACES.join('|')})((?:\\.[A-Za-z_$][\\w$]*)+)`, 'g');
// `).name`, `].name`, `$x.name` (template placeholders) — members of runtime values.
const MEMBER = /(?:[)\]]|\$[A-Za-z_]\w*(?::[tlip])?)\.([A-Za-z_$][\w$]*)/g;

/** The runtime names a piece of code (or template) uses. */
export function usedNames(code: string): { names: string[]; members: string[] } {
  const names = new Set<string>();
  for (const m of code.matchAll(NS_CHAIN)) {
    const parts = m[2].slice(1).split('.');
    names.add(`${m[1]}.${parts[0]}`);
    if (parts.length > 1) names.add(`${m[1]}.${parts[0]}.${parts[1]}`);
  }
  const members = new Set<string>();
  for (const m of code.matchAll(MEMBER)) if (!JS_MEMBERS.has(m[1])) members.add(m[1]);
  return { names: [...names], members: [...members] };
}

/** The names in `code` that the runtime lacks (two-level names are checked only under namespace objects). */
export function missingNames(code: string, api: RuntimeApi): string[] {
  const { names, members } = usedNames(code);
  const missing: string[] = [];
  for (const n of names) {
    const depth = n.split('.').length;
    if (depth === 2 && !api.names.has(n)) missing.push(n);
    if (depth === 3) {
      const parent = n.slice(0, n.lastIndexOf('.'));
      // Only namespaces (nn.init, torch.autograd) are enumerated one level down; members of classes are not.
      if (api.names.has(`${parent}.*`) && !api.names.has(n)) missing.push(n);
    }
  }
  for (const m of members) if (!api.members.has(m)) missing.push(`.${m}`);
  return [...new Set(missing)];
}

function protoChainNames(ctor: unknown, into: Set<string>): void {
  let p = typeof ctor === 'function' ? (ctor as { prototype: object }).prototype : null;
  while (p && p !== Object.prototype) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor') into.add(k);
    p = Object.getPrototypeOf(p);
  }
}

let cached: Promise<RuntimeApi> | null = null;

/** Loads the runtime once and lists its exports. */
export function loadRuntimeApi(): Promise<RuntimeApi> {
  cached ??= (async () => {
    const rt = (await import('../runtime/index.js')) as unknown as Record<string, Record<string, unknown> | undefined>;
    const names = new Set<string>();
    const members = new Set<string>();
    for (const ns of NAMESPACES) {
      const obj = rt[ns];
      if (!obj) continue;
      for (const [k, v] of Object.entries(obj)) {
        names.add(`${ns}.${k}`);
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          names.add(`${ns}.${k}.*`);
          for (const k2 of Object.keys(v)) names.add(`${ns}.${k}.${k2}`);
        }
        if (typeof v === 'function' && /^[A-Z]/.test(k)) protoChainNames(v, members);
      }
    }
    const torch = rt.torch as unknown as { zeros(...a: unknown[]): object } | undefined;
    if (torch) {
      const t = torch.zeros([1]);
      for (const k of Object.keys(t)) members.add(k);
    }
    const nn = rt.nn as Record<string, new (...a: unknown[]) => object> | undefined;
    // Instance fields (weight, bias, training, ...) exist only on instances.
    for (const [cls, args] of [['Linear', [1, 1]], ['Conv2d', [1, 1, 1]], ['Module', []]] as const) {
      try {
        if (nn?.[cls]) for (const k of Object.keys(new nn[cls](...args))) members.add(k);
      } catch { /* a constructor that needs other arguments: its prototype names suffice */ }
    }
    return { names, members };
  })();
  return cached;
}

/** A RuntimeApi from plain lists (worker threads receive the lists, not the runtime). */
export function apiFromLists(names: Iterable<string>, members: Iterable<string>): RuntimeApi {
  return { names: new Set(names), members: new Set(members) };
}
