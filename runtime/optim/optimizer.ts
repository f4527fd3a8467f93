/**
 * The optimizer base class (torch.optim.Optimizer): parameter groups, per-parameter state, `zeroGrad`, `step`
 * and state dicts. A subclass supplies its defaults, a check of its hyper-parameters, a parameter's initial
 * state, and a call to its pure update function (sgdUpdate, adamUpdate, ...), which `step()` runs per
 * parameter under `noGrad` inside a `tidy` scope, so temporaries are freed at once and state survives.
 */
import { traceHooks } from '../compile/hooks.js';
import '../tensor_methods.js';
import { Tensor } from '../tensor.js';
import { noGrad, enableGrad } from '../autograd/grad_mode.js';
import { tidy, keep } from '../memory.js';
import { fmtShape, shapesEqual } from '../shape.js';
import { isFloating } from '../dtype.js';
import { fullLike } from '../ops/creation.js';
import { checkOptionNames } from './validation.js';

/** Every optimizer has a learning rate (LR schedulers set it). */
export interface HyperParams {
  lr: number;
}

/** Per-parameter state: buffers (`momentumBuffer`, `expAvg`, ...) and counters (`step`). */
export type OptimizerState = Record<string, Tensor | number>;

/** A parameter group: its tensors and its own copy of every hyper-parameter (mutable: schedulers change `lr`). */
export type ParamGroup<H extends HyperParams = HyperParams> = H & {
  params: Tensor[];
  /** Set by the first LR scheduler attached to the optimizer: the lr its schedule starts from. */
  initialLr?: number;
};

/** What the constructor and `addParamGroup` accept: tensors plus overrides of the optimizer's defaults. */
export type ParamGroupInput<H extends HyperParams = HyperParams> = Partial<H> & {
  params: Iterable<Tensor> | Tensor;
  initialLr?: number;
};

export type ParamsInput<H extends HyperParams = HyperParams> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/**
 * PyTorch's layout: parameters are numbered by position across the groups, in order; `state` is keyed by
 * those numbers (only parameters that have state), and each group lists its parameters' numbers.
 */
export interface OptimizerStateDict<H extends HyperParams = HyperParams> {
  state: Record<number, OptimizerState>;
  paramGroups: (H & { params: number[]; initialLr?: number })[];
}

export interface ZeroGradOptions {
  /** true (default): drop and free the gradients; false: fill them with zeros in place. */
  setToNone?: boolean;
}

export abstract class Optimizer<H extends HyperParams = HyperParams, S extends object = OptimizerState> {
  /** 'SGD', 'Adam', ...: prefixes every error message. */
  readonly name: string;
  readonly defaults: Readonly<H>;
  paramGroups: ParamGroup<H>[] = [];
  state = new Map<Tensor, S>();

  /**
   * @param name the optimizer's name, for messages
   * @param params tensors, or parameter groups `{ params, lr?, ... }` whose keys override the defaults
   * @param defaults every hyper-parameter with PyTorch's default (also the list of known option names)
   * @param options the caller's overrides of `defaults` (undefined values keep the default)
   */
  protected constructor(name: string, params: ParamsInput<H>, defaults: H, options: Partial<H> = {}) {
    this.name = name;
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${name}: options must be an object like { lr: 0.01 }, got ${options === null ? 'null' : typeof options}`);
    }
    checkOptionNames(name, 'the options', options, Object.keys(defaults));
    const merged = { ...defaults, ...definedEntries(options) } as H;
    this.validate(merged);
    this.defaults = Object.freeze(copyValues(merged));
    if (params instanceof Tensor) {
      throw new TypeError(`${name}: params should be an iterable of Tensors or of parameter groups ({ params, lr?, ... }), but got a Tensor; wrap it in an array`);
    }
    const list = iterableToArray(params, `${name}: params`);
    if (list.length === 0) throw new RangeError(`${name}: optimizer got an empty parameter list; pass model.parameters() or a non-empty array of tensors`);
    if (list[0] instanceof Tensor) this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<H>);
    else for (const g of list) this.addParamGroup(g as ParamGroupInput<H>);
  }

  /** Throws (with PyTorch's message) if a hyper-parameter is out of range. */
  protected abstract validate(h: H): void;
  /** The state of a parameter before its first step (buffers made with `stateTensor`, so they outlive tidy). */
  protected abstract initState(param: Tensor, group: ParamGroup<H>): S;
  /** One update of `param` from `grad`, in place (runs under noGrad inside a tidy scope). */
  protected abstract update(param: Tensor, grad: Tensor, state: S, group: ParamGroup<H>): void;

  /** A zero-filled (or `value`-filled) buffer with the parameter's shape, dtype and device, kept out of tidy scopes. */
  protected stateTensor(param: Tensor, value = 0): Tensor {
    return keep(fullLike(param, value));
  }

  /** Adds a group of parameters (e.g. layers unfrozen later) with its own hyper-parameters. */
  addParamGroup(group: ParamGroupInput<H>): void {
    const name = this.name;
    const gi = this.paramGroups.length;
    if (group === null || typeof group !== 'object' || group instanceof Tensor || !('params' in group)) {
      const what = group instanceof Tensor ? 'a Tensor mixed with parameter groups' : group === null ? 'null' : typeof group;
      throw new TypeError(`${name}: parameter group ${gi} must be an object { params, lr?, ... }, got ${what}`);
    }
    const { params: given, ...hyper } = group;
    const params = (given instanceof Tensor ? [given] : iterableToArray(given, `${name}: parameter group ${gi}'s params`)) as Tensor[];
    params.forEach((p, i) => this.checkParam(p, i, gi));
    if (new Set(params).size !== params.length) {
      throw new Error(`${name}: parameter group ${gi} contains the same tensor more than once; it would be updated twice per step`);
    }
    for (const other of this.paramGroups) {
      if (other.params.some((p) => params.includes(p))) throw new Error(`${name}: some parameters appear in more than one parameter group`);
    }
    checkOptionNames(name, `parameter group ${gi}`, hyper, [...Object.keys(this.defaults), 'initialLr']);
    const full = { ...copyValues(this.defaults), ...copyValues(definedEntries(hyper)), params } as ParamGroup<H>;
    this.validate(full);
    this.paramGroups.push(full);
  }

  private checkParam(p: unknown, i: number, gi: number): void {
    const where = `params[${i}] of parameter group ${gi}`;
    if (!(p instanceof Tensor)) {
      throw new TypeError(`${this.name}: optimizer can only optimize Tensors, but ${where} is ${p === null ? 'null' : Array.isArray(p) ? 'an array' : typeof p}`);
    }
    p.assertAlive(this.name, where);
    if (!isFloating(p.dtype)) {
      throw new TypeError(`${this.name}: ${where} is a ${p.dtype} tensor (shape ${fmtShape(p.shape)}); only floating-point tensors can be optimized, convert it with .float()`);
    }
    if (!p.isLeaf) {
      throw new Error(`${this.name}: can't optimize a non-leaf Tensor: ${where} (shape ${fmtShape(p.shape)}) was produced by ${p.gradFn}; optimize the leaves it was computed from, or use x.detach().requiresGrad_()`);
    }
  }

  /**
   * Resets the gradients of all parameters. By default (`setToNone`, PyTorch's default) `.grad` becomes null
   * and the gradient tensor is disposed, so memory stays flat without waiting for the garbage collector
   * (clone a gradient first if you need it afterwards); with `setToNone: false` gradients are zeroed in place.
   */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    // Under torch.compile's trace this runs live: replays call it again rather than baking its effect.
    if (traceHooks.tracer) return traceHooks.tracer.live(this, 'zeroGrad', [opts], () => this.zeroGradNow(opts));
    this.zeroGradNow(opts);
  }

  private zeroGradNow({ setToNone = true }: ZeroGradOptions): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          g.dispose();
        } else {
          g.detach_();
          noGrad(() => g.zero_());
        }
      }
    }
  }

  /**
   * One optimization step over every parameter whose `.grad` is not null. `closure`, if given, re-evaluates the
   * model and returns the loss (run with grad enabled before the update); its value is returned.
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    // Under torch.compile's trace the step runs live (lr, step counts and state read on every replay).
    if (traceHooks.tracer && !closure) return traceHooks.tracer.live(this, 'step', [], () => this.stepNow());
    return this.stepNow(closure);
  }

  private stepNow(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => tidy(() => {
      const groups = this.paramGroups;
      for (let gi = 0; gi < groups.length; gi++) {
        const group = groups[gi];
        const params = group.params;
        for (let i = 0; i < params.length; i++) {
          const p = params[i];
          const grad = p.grad;
          if (grad === null) continue;
          if (!shapesEqual(grad.shape, p.shape)) {
            throw new RangeError(`${this.name}.step: the gradient of params[${i}] of parameter group ${gi} has shape ${fmtShape(grad.shape)}, but the parameter has shape ${fmtShape(p.shape)}`);
          }
          p.assertAlive(`${this.name}.step`, `params[${i}] of parameter group ${gi}`);
          let st = this.state.get(p);
          if (st === undefined) {
            st = this.initState(p, group);
            this.state.set(p, st);
          }
          this.update(p, grad, st, group);
        }
      }
    }));
    return loss;
  }

  /**
   * `{ state, paramGroups }` in PyTorch's layout. Like PyTorch, the state's tensors are the live buffers, not
   * copies: clone them (or serialize) before stepping further if you need a snapshot.
   */
  stateDict(): OptimizerStateDict<H> {
    const ids = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      const numbered = params.map((p) => {
        let id = ids.get(p);
        if (id === undefined) ids.set(p, (id = next++));
        return id;
      });
      return { ...copyValues(hyper), params: numbered } as H & { params: number[]; initialLr?: number };
    });
    const state: Record<number, OptimizerState> = {};
    for (const [p, st] of this.state) {
      const id = ids.get(p);
      if (id !== undefined) state[id] = { ...(st as OptimizerState) };
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()`: hyper-parameters per group and a copy of each parameter's state, cast to the
   * parameter's dtype and device. Parameters are matched by position, so build the optimizer over the same
   * parameters in the same order.
   */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object') {
      throw new TypeError(`${op}: expected { state, paramGroups } as returned by stateDict()`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${op}: loaded state dict has a different number of parameter groups (${sd.paramGroups.length}) than the optimizer (${this.paramGroups.length})`);
    }
    const byId = new Map<number, Tensor>();
    const groups = sd.paramGroups.map((saved, gi) => {
      const current = this.paramGroups[gi];
      if (!Array.isArray(saved.params) || saved.params.length !== current.params.length) {
        throw new RangeError(`${op}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${gi}: ${Array.isArray(saved.params) ? saved.params.length : 'no'} saved parameters, ${current.params.length} in the optimizer)`);
      }
      saved.params.forEach((id, i) => byId.set(id, current.params[i]));
      const { params: _ids, ...hyper } = saved;
      checkOptionNames(this.name, `loaded parameter group ${gi}`, hyper, [...Object.keys(this.defaults), 'initialLr']);
      const group = { ...copyValues(this.defaults), ...copyValues(definedEntries(hyper)), params: current.params } as ParamGroup<H>;
      this.validate(group);
      return group;
    });
    const state = new Map<Tensor, S>();
    noGrad(() => tidy(() => {
      for (const [key, saved] of Object.entries(sd.state)) {
        const p = byId.get(Number(key));
        if (!p) throw new RangeError(`${op}: the state dict has state for parameter ${key}, which is in none of its parameter groups`);
        const st: OptimizerState = {};
        for (const [k, v] of Object.entries(saved)) {
          if (v instanceof Tensor) {
            if (!shapesEqual(v.shape, p.shape)) {
              throw new RangeError(`${op}: state '${k}' of parameter ${key} has shape ${fmtShape(v.shape)}, but the parameter has shape ${fmtShape(p.shape)}`);
            }
            v.assertAlive(op, `state '${k}' of parameter ${key}`);
            st[k] = keep(v.to({ dtype: p.dtype, device: p.storage.device }).clone());
          } else if (typeof v === 'number') st[k] = v;
          else throw new TypeError(`${op}: state '${k}' of parameter ${key} must be a Tensor or a number, got ${typeof v}`);
        }
        state.set(p, st as S);
      }
    }));
    this.paramGroups = groups;
    this.state = state;
  }

  /** PyTorch's repr: the hyper-parameters of each group. */
  toString(): string {
    const lines = [`${this.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const key of Object.keys(g).filter((k) => k !== 'params').sort()) {
        const v = (g as unknown as Record<string, unknown>)[key];
        lines.push(`    ${key}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
      }
    });
    lines.push(')');
    return lines.join('\n');
  }
}

function iterableToArray(x: unknown, what: string): unknown[] {
  if (x === null || typeof x !== 'object' || typeof (x as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what} must be an iterable of Tensors (e.g. model.parameters() or an array), got ${x === null ? 'null' : typeof x}`);
  }
  return [...(x as Iterable<unknown>)];
}

/** Drops keys whose value is undefined, so `{ lr: undefined }` keeps the default. */
function definedEntries<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** A shallow copy whose arrays (betas) are copied too, so groups never share a mutable array. */
function copyValues<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? v.slice() : v;
  return out as T;
}
