/**
 * `nn.Module`: the base class of every layer and model.
 *
 * Registration works by assignment, as in PyTorch: own enumerable properties (class fields included) that
 * hold a Parameter become parameters and those that hold a Module become child modules, in the order they
 * were first assigned. Plain Tensors are not registered (use `registerBuffer`), and neither are arrays of
 * modules (use `ModuleList`). Class fields are defined after `super()` returns, so discovery is lazy: every
 * query (`parameters()`, `stateDict()`, ...) first scans the instance for new members.
 *
 * JavaScript objects cannot be called, so where PyTorch writes `model(x)` write `model.forward(x)` or
 * `model.call(x)`; `call` also runs the forward hooks.
 *
 *   class Net extends nn.Module {
 *     fc1 = new nn.Linear(784, 50);
 *     fc2 = new nn.Linear(50, 10);
 *     forward(x: Tensor) { return this.fc2.forward(F.relu(this.fc1.forward(x))); }
 *   }
 */
import { Tensor } from '../tensor.js';
import { DTYPES, type DType, isFloating } from '../dtype.js';
import { Device, type DeviceLike, device as toDevice } from '../device.js';
import { fmtShape, shapesEqual } from '../shape.js';
import { keep, forwardScope, MODULE_MARK } from '../memory.js';
import { isUninitialized, MATERIALIZE_FROM_STATE, type LazyLoadable } from './uninitialized.js';
import { noGrad } from '../autograd/grad_mode.js';
import { isParameter, markParameter, swapData } from './parameter.js';

/** How a member name was registered: 'buffer' explicitly; 'member' = a Parameter or Module, told apart by value. */
type MemberKind = 'buffer' | 'member';

export interface RemovableHandle {
  remove(): void;
}

export type ForwardPreHook<M extends Module = Module> = (module: M, args: unknown[]) => unknown[] | unknown | void;
export type ForwardHook<M extends Module = Module> = (module: M, args: unknown[], output: unknown) => unknown | void;

export interface StateDictOptions {
  /** Prepended to every key. Default ''. */
  prefix?: string;
  /** Return the live tensors instead of detached ones (PyTorch's keep_vars). Default false. */
  keepVars?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

interface Internals {
  names: Map<string, MemberKind>;
  bufferValues: Map<string, Tensor | null>;
  nonPersistent: Set<string>;
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
}

let nextHookId = 0;
const internals = new WeakMap<Module, Internals>();

function state(m: Module): Internals {
  let s = internals.get(m);
  if (!s) {
    s = { names: new Map(), bufferValues: new Map(), nonPersistent: new Set(), preHooks: new Map(), hooks: new Map() };
    internals.set(m, s);
  }
  return s;
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** Lazy modules not called yet take their sizes from the checkpoint (PyTorch's lazy load hook). */
function materializeLazy(root: Module, src: Map<string, Tensor>): void {
  for (const [prefix, m] of root.namedModules()) {
    const lazy = m as unknown as Partial<LazyLoadable>;
    if (typeof lazy[MATERIALIZE_FROM_STATE] !== 'function') continue;
    if (!m.parameters(false).some(isUninitialized) && !m.buffers(false).some(isUninitialized)) continue;
    lazy[MATERIALIZE_FROM_STATE]!((name) => {
      const v = src.get(join(prefix, name));
      return v instanceof Tensor ? v.shape : undefined;
    });
  }
}

/**
 * Set by graph.ts (kept apart so module.ts does not import it): how a forward called on symbolic tensors is
 * recorded as a node of a functional graph.
 */
export const symbolicCalls: { record: { hasSymbolic(args: unknown[]): boolean; call(module: Module, args: unknown[]): unknown } | null } = { record: null };

export class Module {
  /** True in training mode (the default), false after `eval()`; read by Dropout and BatchNorm. */
  training = true;
  /**
   * tfjs's `model.stopTraining`: a training callback sets it to end `utils.fit` / `utils.fitDataset` after the
   * current batch (declared only, so a module has no such own property until a fit sets it).
   */
  declare stopTraining?: boolean;

  constructor() {
    // Every forward runs as a memory scope (memory.ts forwardScope): the intermediates it drops are freed
    // deterministically, those saved for backward when backward frees the graph. `this.forward` is the
    // subclass's method already (the prototype chain is set before any constructor runs).
    const own = this.forward;
    if (own !== Module.prototype.forward) {
      const self = this;
      Object.defineProperty(this, 'forward', {
        configurable: true,
        writable: true,
        enumerable: false,
        value: function scopedForward(this: Module, ...args: unknown[]) {
          // A call on symbolic inputs (nn.input, graph.ts) records a graph node instead of computing.
          if (symbolicCalls.record && symbolicCalls.record.hasSymbolic(args)) return symbolicCalls.record.call(this ?? self, args);
          return forwardScope(this ?? self, () => own.apply(this ?? self, args));
        },
      });
    }
  }

  /**
   * The computation, defined by every subclass. Call it directly (`model.forward(x)`) or through
   * `model.call(x)`, which also runs registered hooks.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(..._args: any[]): any {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** Runs forward pre-hooks, `forward(...args)`, then forward hooks (PyTorch's `module(*args)`). */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    const s = state(this);
    let a: unknown[] = args;
    for (const hook of s.preHooks.values()) {
      const r = hook(this, a);
      if (r !== undefined) a = Array.isArray(r) ? r : [r];
    }
    let out: unknown = this.forward(...a);
    for (const hook of s.hooks.values()) {
      const r = hook(this, a, out);
      if (r !== undefined) out = r;
    }
    return out as ReturnType<this['forward']>;
  }

  /** `hook(module, args)` runs before forward in `call`; returning a value replaces the arguments. */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    const id = nextHookId++;
    state(this).preHooks.set(id, hook as ForwardPreHook);
    return { remove: () => void state(this).preHooks.delete(id) };
  }

  /** `hook(module, args, output)` runs after forward in `call`; returning a value replaces the output. */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    const id = nextHookId++;
    state(this).hooks.set(id, hook as ForwardHook);
    return { remove: () => void state(this).hooks.delete(id) };
  }

  // ---- registration -------------------------------------------------------------------------------

  /** Picks up members assigned since the last scan, in property order (= assignment order for names). */
  private syncMembers(): Map<string, MemberKind> {
    const names = state(this).names;
    for (const key of Object.keys(this)) {
      if (names.has(key)) continue;
      const v = (this as Record<string, unknown>)[key];
      if (isParameter(v) || v instanceof Module) names.set(key, 'member');
    }
    return names;
  }

  private checkName(name: string, op: string, kind: MemberKind): void {
    if (typeof name !== 'string') throw new TypeError(`${op}: name must be a string, got ${typeof name}`);
    if (name === '') throw new RangeError(`${op}: name can't be empty string ""`);
    if (name.includes('.')) throw new RangeError(`${op}: name can't contain ".", got "${name}"`);
    const names = this.syncMembers();
    const known = names.get(name);
    if (known !== undefined && known !== kind) {
      throw new Error(`${op}: '${name}' is already registered as a ${known === 'buffer' ? 'buffer' : 'parameter or module'} of ${this.constructor.name}`);
    }
    if (known === undefined && name in this) {
      const own = Object.prototype.hasOwnProperty.call(this, name);
      const v = (this as Record<string, unknown>)[name];
      // A declared-but-unset class field (`weight!: Tensor`) is fine to register; anything else is taken.
      if (!own || (v !== undefined && v !== null)) throw new Error(`${op}: attribute '${name}' already exists on ${this.constructor.name}`);
    }
  }

  /** Registers a parameter (or null, a declared-but-absent parameter such as a disabled bias). */
  registerParameter(name: string, param: Tensor | null): void {
    if (param !== null && !isParameter(param as unknown)) {
      throw new TypeError(`registerParameter: '${name}' must be an nn.Parameter or null, got ${(param as unknown) instanceof Tensor ? `a plain Tensor ${fmtShape((param as Tensor).shape)}; wrap it with nn.Parameter(t)` : typeof param}`);
    }
    this.checkName(name, 'registerParameter', 'member');
    state(this).names.set(name, 'member');
    (this as Record<string, unknown>)[name] = param;
  }

  /**
   * Registers a buffer: state that is not a parameter (BatchNorm's running statistics). Buffers move with
   * `to()`, and persistent ones are saved in `stateDict()`. Assigning the property later replaces the buffer.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TypeError(`registerBuffer: '${name}' must be a Tensor or null, got ${typeof tensor}`);
    this.checkName(name, 'registerBuffer', 'buffer');
    const s = state(this);
    if (!s.names.has(name)) {
      s.names.set(name, 'buffer');
      // An accessor, so that `this.name = t` later keeps t out of tidy() like the first value.
      Object.defineProperty(this, name, {
        enumerable: true,
        configurable: true,
        get: () => s.bufferValues.get(name) ?? null,
        set: (v: Tensor | null) => {
          if (v !== null && !(v instanceof Tensor)) throw new TypeError(`${this.constructor.name}: buffer '${name}' must be a Tensor or null, got ${typeof v}`);
          s.bufferValues.set(name, v === null ? null : keep(v));
        },
      });
    }
    if (persistent) s.nonPersistent.delete(name);
    else s.nonPersistent.add(name);
    (this as Record<string, unknown>)[name] = tensor;
  }

  /** Registers a child module (or null). */
  registerModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`registerModule: '${name}' must be a Module or null, got ${typeof module}`);
    this.checkName(name, 'registerModule', 'member');
    state(this).names.set(name, 'member');
    (this as Record<string, unknown>)[name] = module;
  }

  /** Alias of registerModule (PyTorch's add_module). */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** This module's own [name, value] members of one kind, in registration order. */
  private ownMembers(kind: 'parameter' | 'buffer' | 'module'): [string, Tensor | Module][] {
    const out: [string, Tensor | Module][] = [];
    for (const [name, k] of this.syncMembers()) {
      const v = (this as Record<string, unknown>)[name];
      if (v === null || v === undefined) continue;
      if (k === 'buffer') {
        if (kind === 'buffer') out.push([name, v as Tensor]);
        continue;
      }
      if (isParameter(v)) { if (kind === 'parameter') out.push([name, v]); }
      else if (v instanceof Module) { if (kind === 'module') out.push([name, v]); }
      else if (v instanceof Tensor) {
        throw new TypeError(`${this.constructor.name}: '${name}' was registered as a parameter but now holds a plain Tensor ${fmtShape(v.shape)}; assign nn.Parameter(t), or update the parameter in place under torch.noGrad()`);
      }
    }
    return out;
  }

  // ---- traversal ----------------------------------------------------------------------------------

  /** [name, child] for the direct children (each module once). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [n, m] of this.ownMembers('module') as [string, Module][]) {
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([n, m]);
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** [dotted name, module] for this module ('' or `prefix`) and every descendant, depth first, each once. */
  namedModules(prefix = '', removeDuplicate = true, memo: Set<Module> = new Set()): [string, Module][] {
    const out: [string, Module][] = [];
    if (removeDuplicate) {
      if (memo.has(this)) return out;
      memo.add(this);
    }
    out.push([prefix, this]);
    for (const [name, m] of this.ownMembers('module') as [string, Module][]) {
      out.push(...m.namedModules(join(prefix, name), removeDuplicate, memo));
    }
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** [dotted name, parameter], e.g. ['fc1.weight', w]; a parameter shared by several modules appears once. */
  namedParameters(prefix = '', recurse = true, removeDuplicate = true): [string, Tensor][] {
    return this.namedTensors('parameter', prefix, recurse, removeDuplicate);
  }

  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = '', recurse = true, removeDuplicate = true): [string, Tensor][] {
    return this.namedTensors('buffer', prefix, recurse, removeDuplicate);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  private namedTensors(kind: 'parameter' | 'buffer', prefix: string, recurse: boolean, removeDuplicate: boolean): [string, Tensor][] {
    const mods: [string, Module][] = recurse ? this.namedModules(prefix, removeDuplicate) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [mp, m] of mods) {
      for (const [n, t] of m.ownMembers(kind) as [string, Tensor][]) {
        if (removeDuplicate) {
          if (seen.has(t)) continue;
          seen.add(t);
        }
        out.push([join(mp, n), t]);
      }
    }
    return out;
  }

  /** The number of elements over all (unique) parameters; `trainableOnly` counts those with requiresGrad. */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.parameters().filter((p) => !opts.trainableOnly || p.requiresGrad).reduce((n, p) => n + p.numel(), 0);
  }

  /** The submodule at a dotted path ('' is this module): `model.getSubmodule('encoder.layers.0')`. */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let m: Module = this;
    for (const part of target.split('.')) {
      const child = (m.ownMembers('module') as [string, Module][]).find(([n]) => n === part);
      if (!child) throw new Error(`getSubmodule: ${m.constructor.name} has no submodule '${part}' (looking up '${target}')`);
      m = child[1];
    }
    return m;
  }

  /** The parameter at a dotted path: `model.getParameter('fc1.weight')`. */
  getParameter(target: string): Tensor {
    return this.getTensor(target, 'parameter', 'getParameter');
  }

  getBuffer(target: string): Tensor {
    return this.getTensor(target, 'buffer', 'getBuffer');
  }

  private getTensor(target: string, kind: 'parameter' | 'buffer', op: string): Tensor {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    const hit = mod.ownMembers(kind).find(([n]) => n === name);
    if (!hit) throw new Error(`${op}: ${mod.constructor.name} has no ${kind} '${name}' (looking up '${target}')`);
    return hit[1] as Tensor;
  }

  // ---- state dict ---------------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order (each module's parameters, then its
   * buffers, then its children's entries). Values are detached tensors sharing storage with the module.
   */
  stateDict(opts: StateDictOptions = {}): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.collectState(opts.prefix ?? '', !!opts.keepVars, out, new Set());
    return out;
  }

  private collectState(prefix: string, keepVars: boolean, out: Record<string, Tensor>, ancestors: Set<Module>): void {
    if (ancestors.has(this)) throw new Error(`stateDict: module cycle: ${this.constructor.name} at '${prefix}' contains itself`);
    ancestors.add(this);
    const np = state(this).nonPersistent;
    for (const [n, p] of this.ownMembers('parameter') as [string, Tensor][]) out[prefix + n] = keepVars ? p : p.detach();
    for (const [n, b] of this.ownMembers('buffer') as [string, Tensor][]) {
      if (!np.has(n)) out[prefix + n] = keepVars ? b : b.detach();
    }
    for (const [n, m] of this.ownMembers('module') as [string, Module][]) m.collectState(`${prefix}${n}.`, keepVars, out, ancestors);
    ancestors.delete(this);
  }

  /**
   * Copies parameters and buffers from `stateDict` into this module (in place: parameter objects keep their
   * identity). Shapes must match exactly; with `strict` (default true) the keys must match exactly too.
   * Nothing is copied when there is an error.
   *
   * @returns the keys the module expected but did not find, and the keys it did not expect
   */
  loadStateDict(stateDict: Record<string, Tensor> | Map<string, Tensor>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const src = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict ?? {}));
    if (stateDict === null || typeof stateDict !== 'object') throw new TypeError(`loadStateDict: expected a Record<string, Tensor>, got ${stateDict === null ? 'null' : typeof stateDict}`);
    materializeLazy(this, src);
    const own = this.stateDict({ keepVars: true });
    const missingKeys = Object.keys(own).filter((k) => !src.has(k));
    const unexpectedKeys = [...src.keys()].filter((k) => !(k in own));
    const errors: string[] = [];
    if (strict && unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    const copies: [Tensor, Tensor][] = [];
    for (const [key, dst] of Object.entries(own)) {
      if (!src.has(key)) continue;
      const v = src.get(key);
      if (!(v instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected a Tensor in the state dict but got ${v === null ? 'null' : typeof v}.`);
        continue;
      }
      if (!shapesEqual(v.shape, dst.shape)) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${fmtShape(v.shape)} from checkpoint, the shape in current model is ${fmtShape(dst.shape)}.`);
        continue;
      }
      copies.push([dst, v]);
    }
    if (errors.length) throw new Error(`loadStateDict: error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    noGrad(() => {
      for (const [dst, v] of copies) dst.copy_(v.storage.device === dst.storage.device ? v : v.to(dst.device));
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- modes, gradients, conversion -----------------------------------------------------------------

  /** Sets training mode on this module and every descendant (Dropout and BatchNorm read it). Returns this. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`train: mode is expected to be a boolean, got ${typeof mode}`);
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** Evaluation mode: `train(false)`. Returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter (freeze with `requiresGrad_(false)`). Returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears the gradients of all parameters. With `setToNone` (default true, as PyTorch) `.grad` becomes null
   * and the old gradient tensors are disposed (deterministic memory: clone a gradient first if you still need
   * it); otherwise they are zeroed in place.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? true;
    const grads = new Set<Tensor>();
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      grads.add(p.grad);
      if (setToNone) p.grad = null;
    }
    noGrad(() => {
      for (const g of grads) {
        if (setToNone) g.dispose();
        else {
          if (g.gradFn) g.detach_();
          g.zero_();
        }
      }
    });
  }

  /** Applies fn to every descendant (children first) and then to this module, e.g. custom init. Returns this. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Moves and/or casts every parameter and buffer in place: `to('float64')`, `to('webgpu')`, `to(device)`,
   * `to({ dtype, device })`. Parameter and buffer objects keep their identity (their data is replaced, as
   * PyTorch's `param.data = ...`), so an optimizer built earlier still works. A dtype applies to
   * floating-point tensors only (integer buffers such as `num_batches_tracked` keep theirs). Returns this.
   */
  to(arg: DType | DeviceLike | { dtype?: DType; device?: DeviceLike }): this {
    let dtype: DType | undefined, dev: Device | undefined;
    if (typeof arg === 'string' && (DTYPES as readonly string[]).includes(arg)) dtype = arg as DType;
    else if (typeof arg === 'string' || arg instanceof Device) dev = toDevice(arg);
    else if (arg && typeof arg === 'object') {
      dtype = arg.dtype;
      if (arg.device !== undefined) dev = toDevice(arg.device);
    } else throw new TypeError(`Module.to: expected a dtype, a device or { dtype, device }, got ${typeof arg}`);
    if (dtype !== undefined && !isFloating(dtype)) {
      throw new TypeError(`Module.to: only floating-point dtypes are accepted (float32, float64), got ${dtype}`);
    }
    const convert = (t: Tensor): Tensor => {
      let y = t;
      if (dev && dev.type !== y.storage.device) y = y.to(dev);
      if (dtype && isFloating(y.dtype) && y.dtype !== dtype) y = y.to(dtype);
      return y;
    };
    noGrad(() => {
      for (const p of this.parameters()) {
        const c = convert(p);
        if (c !== p) { swapData(p, c); markParameter(p); }
        if (p.grad) {
          const g = convert(p.grad);
          if (g !== p.grad) {
            p.grad.dispose();
            p.grad = keep(g);
          }
        }
      }
      for (const b of this.buffers()) {
        const c = convert(b);
        if (c !== b) swapData(b, c);
      }
    });
    return this;
  }

  /** `to('float64')`. */
  double(): this {
    return this.to('float64');
  }

  /** `to('float32')`. */
  float(): this {
    return this.to('float32');
  }

  cpu(): this {
    return this.to('cpu');
  }

  // ---- printing -------------------------------------------------------------------------------------

  /** The text inside this module's parentheses in toString(), e.g. 'in_features=784, out_features=50, bias=True'. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's module repr: `Net(\n  (fc1): Linear(in_features=784, out_features=50, bias=True)\n)`. */
  toString(): string {
    const extra = this.extraRepr();
    const lines = extra ? extra.split('\n') : [];
    const extraCount = lines.length;
    for (const [name, m] of this.ownMembers('module') as [string, Module][]) lines.push(`(${name}): ${indent(m.toString(), 2)}`);
    let s = `${this.constructor.name}(`;
    if (lines.length) s += extraCount === 1 && lines.length === 1 ? lines[0] : `\n  ${lines.join('\n  ')}\n`;
    return s + ')';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function indent(s: string, n: number): string {
  const [first, ...rest] = s.split('\n');
  return rest.length ? [first, ...rest.map((l) => ' '.repeat(n) + l)].join('\n') : first;
}

(Module.prototype as unknown as Record<symbol, boolean>)[MODULE_MARK] = true;
