/** Containers: `Sequential`, `ModuleList`, `ModuleDict`. Children are registered under their index or key. */
import { Module } from './module.js';

function checkModule(m: unknown, op: string, at: string): Module {
  if (!(m instanceof Module)) {
    throw new TypeError(`${op}: ${at} must be an nn.Module, got ${m === null ? 'null' : Array.isArray(m) ? 'an array' : typeof m === 'function' ? 'a function (did you mean to pass an nn module such as new nn.ReLU()?)' : typeof m}`);
  }
  return m;
}

/** Wraps a possibly negative index, with PyTorch's error for out-of-range ones. */
function wrapIndex(i: number, n: number, op: string): number {
  if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`${op}: index ${i} is out of range for ${n} module(s)`);
  return i < 0 ? i + n : i;
}

/** Shared list behaviour of Sequential and ModuleList: children named '0', '1', ... in order. */
abstract class IndexedModules extends Module {
  private items: Module[] = [];

  protected setItems(mods: Module[], op: string): void {
    // Re-register from scratch so the names stay '0'..'n-1' after insert/pop.
    for (let i = 0; i < this.items.length; i++) this.registerModule(String(i), null);
    mods.forEach((m, i) => checkModule(m, op, `module ${i}`));
    this.items = mods.slice();
    mods.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.items.length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    return this.items[wrapIndex(i, this.items.length, `${this.constructor.name}.at`)];
  }

  /** Replaces the module at index i. */
  set(i: number, module: Module): void {
    const k = wrapIndex(i, this.items.length, `${this.constructor.name}.set`);
    const mods = this.items.slice();
    mods[k] = checkModule(module, `${this.constructor.name}.set`, 'module');
    this.setItems(mods, `${this.constructor.name}.set`);
  }

  append(module: Module): this {
    this.setItems([...this.items, checkModule(module, `${this.constructor.name}.append`, 'module')], `${this.constructor.name}.append`);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    this.setItems([...this.items, ...modules], `${this.constructor.name}.extend`);
    return this;
  }

  insert(index: number, module: Module): this {
    const n = this.items.length;
    const k = Math.min(Math.max(index < 0 ? index + n : index, 0), n);
    const mods = this.items.slice();
    mods.splice(k, 0, checkModule(module, `${this.constructor.name}.insert`, 'module'));
    this.setItems(mods, `${this.constructor.name}.insert`);
    return this;
  }

  /** Removes and returns the module at index (default: the last). */
  pop(index = -1): Module {
    const k = wrapIndex(index, this.items.length, `${this.constructor.name}.pop`);
    const mods = this.items.slice();
    const [m] = mods.splice(k, 1);
    this.setItems(mods, `${this.constructor.name}.pop`);
    return m;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items.slice()[Symbol.iterator]();
  }
}

/**
 * A chain of modules: `forward(x)` passes x through each in order (through `call`, so hooks run).
 *
 *   new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10))
 *   new nn.Sequential({ fc1: new nn.Linear(784, 50), act: new nn.ReLU() })   // named children
 *
 * With a Record, children are named by its keys (JavaScript orders integer-like keys first; use a Map to
 * keep any order). Index access: `seq.at(i)`, `seq.length`, `for (const m of seq)`.
 */
export class Sequential extends IndexedModules {
  private named: Module[] | null = null;

  constructor(...modules: Module[]);
  constructor(modules: Record<string, Module> | Map<string, Module>);
  constructor(...args: unknown[]) {
    super();
    const first = args[0];
    if (args.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first as Record<string, Module>);
      // Named children: registered under their keys; the list view keeps the same order.
      this.named = entries.map(([k, m]) => {
        checkModule(m, 'Sequential', `'${k}'`);
        this.registerModule(k, m);
        return m;
      });
    } else this.setItems(args as Module[], 'Sequential');
  }

  override get length(): number {
    return this.named ? this.named.length : super.length;
  }

  override at(i: number): Module {
    if (this.named) return this.named[wrapIndex(i, this.named.length, 'Sequential.at')];
    return super.at(i);
  }

  override [Symbol.iterator](): Iterator<Module> {
    return this.named ? this.named.slice()[Symbol.iterator]() : super[Symbol.iterator]();
  }

  protected override setItems(mods: Module[], op: string): void {
    if (this.named) throw new Error(`${op}: a Sequential built from named modules cannot be modified by index; build a new one`);
    super.setItems(mods, op);
  }

  /** input → modules[0] → modules[1] → ... */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(input: any): any {
    let x = input;
    for (const m of this) x = m.call(x);
    return x;
  }
}

/**
 * A list of modules that are registered (a plain array of modules is not). No forward of its own: index it
 * in the parent's forward. `at(i)`, `length`, `append`, `extend`, `insert`, `pop`, iteration.
 */
export class ModuleList extends IndexedModules {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.setItems([...modules], 'ModuleList');
  }
}

/**
 * An ordered map of named, registered modules. Keys are attribute names too (`dict.get('fc')` or
 * `dict.fc`), so they must not clash with Module's own methods. Iterating yields the keys, as in PyTorch.
 */
export class ModuleDict extends Module {
  private entriesMap = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  get length(): number {
    return this.entriesMap.size;
  }

  get(key: string): Module {
    const m = this.entriesMap.get(key);
    if (!m) throw new RangeError(`ModuleDict.get: no module named '${key}' (keys: ${[...this.entriesMap.keys()].join(', ') || 'none'})`);
    return m;
  }

  set(key: string, module: Module): void {
    checkModule(module, 'ModuleDict.set', `'${key}'`);
    this.registerModule(key, module);
    this.entriesMap.set(key, module);
  }

  has(key: string): boolean {
    return this.entriesMap.has(key);
  }

  /** Removes and returns the module under key. */
  pop(key: string): Module {
    const m = this.get(key);
    this.registerModule(key, null);
    this.entriesMap.delete(key);
    return m;
  }

  update(modules: Record<string, Module> | Map<string, Module> | Iterable<[string, Module]>): void {
    const entries = modules instanceof Map || Symbol.iterator in Object(modules)
      ? [...(modules as Iterable<[string, Module]>)]
      : Object.entries(modules as Record<string, Module>);
    for (const [k, m] of entries) this.set(k, m);
  }

  keys(): string[] {
    return [...this.entriesMap.keys()];
  }

  values(): Module[] {
    return [...this.entriesMap.values()];
  }

  items(): [string, Module][] {
    return [...this.entriesMap.entries()];
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}
