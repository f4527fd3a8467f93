/**
 * `compat.layers.Layer`: the base class a migrated `class X extends tf.layers.Layer` extends. It keeps tfjs's
 * custom-layer contract on an nn.Module, so the user's `build` / `call` / `computeOutputShape` / `getConfig` bodies
 * move unchanged:
 *   - the first call builds: `build(inputShape)` runs with the input's shape (batch dim included, as tfjs passes
 *     it; a list of shapes for a list of inputs), then `call(inputs, kwargs)`; `layer.apply(x)` and
 *     `module.forward(x)` both do that. kwargs default to `{ training }` from the module's train/eval mode (tfjs's
 *     fit and predict pass the same).
 *   - `addWeight(name, shape, dtype?, initializer, regularizer?, trainable = true)` creates the weight in the shape
 *     asked for (tfjs's layout: whatever `call` expects) with a compat initializer (compat/initializers.ts) and
 *     registers it on the child module `vars` — a parameter when trainable, a buffer when not — so optimizers,
 *     stateDict and `.to()` see it.
 *     It returns a LayerVariable, whose `read()` is that tensor (and `write(v)` copies into it).
 * A regularizer or constraint passed to addWeight is an error, not dropped: the runtime has no per-weight loss hook.
 */
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { noGrad } from '../autograd/grad_mode.js';
import type { Initializer } from './initializers.js';

export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  inputShape?: number[];
  batchInputShape?: number[];
  dtype?: DType;
  [key: string]: unknown;
}

/** tfjs's LayerVariable: the weight tensor behind `read()`. */
export class LayerVariable {
  constructor(readonly name: string, private readonly value: Tensor, readonly trainable: boolean) {}
  read(): Tensor {
    return this.value;
  }
  write(v: Tensor): this {
    if (v.shape.join(',') !== this.value.shape.join(',')) throw new RangeError(`LayerVariable.write: ${this.name} is [${this.value.shape.join(', ')}], got [${v.shape.join(', ')}]`);
    noGrad(() => this.value.copy_(v));
    return this;
  }
  get shape(): number[] {
    return this.value.shape.slice();
  }
  get dtype(): DType {
    return this.value.dtype;
  }
}

const counts = new Map<string, number>();

type Inputs = Tensor | Tensor[];

export class Layer extends Module {
  /** tfjs's layer name: the one given, else `<className>_<n>` in snake case as tfjs makes it. */
  readonly name: string;
  trainable: boolean;
  built = false;
  protected readonly layerArgs: LayerArgs;
  private readonly weightNames = new Set<string>();
  /** The weights addWeight made (stateDict keys `<layer>.vars.<name>`). */
  declare vars?: Module;
  private readonly layerCall: (inputs: Inputs, kwargs?: Record<string, unknown>) => Inputs;

  constructor(args: LayerArgs = {}) {
    super();
    this.layerArgs = { ...args };
    const cls = this.constructor.name;
    const n = (counts.get(cls) ?? 0) + 1;
    counts.set(cls, n);
    this.name = args.name ?? `${cls.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}_${n}`;
    this.trainable = args.trainable ?? true;
    const layerCall = (Object.getPrototypeOf(this) as Layer).call;
    this.layerCall = (inputs, kwargs) => layerCall.call(this, inputs, kwargs);
    Object.defineProperty(this, 'call', { value: (...a: unknown[]) => (Module.prototype.call as (...x: unknown[]) => unknown).apply(this, a), writable: true, configurable: true });
  }

  /** Creates the layer's weights for an input of this shape (batch dim included). tfjs's default: nothing. */
  build(_inputShape: (number | null)[] | (number | null)[][]): void {
    this.built = true;
  }

  /**
   * The layer's computation, which subclasses override (tfjs's default is the identity). The NAME clashes with
   * nn.Module's `call(...)` (PyTorch's `module(x)`: hooks, then forward), which containers use to run their
   * children; so the constructor keeps the subclass's `call` as the layer computation and gives the instance
   * Module's `call` back (an own property shadows the prototype's): `nn.Sequential` then builds and runs the layer
   * like any module, and `this.call(x)` inside the class still does what it did in tfjs.
   */
  // @ts-expect-error tfjs's call(inputs, kwargs) replaces Module's generic call(...args) signature on purpose.
  call(inputs: Inputs, _kwargs?: Record<string, unknown>): Inputs {
    return inputs;
  }

  computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] | (number | null)[][] {
    return inputShape;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable };
  }

  addWeight(name: string, shape: number[], dtype?: DType, initializer?: Initializer, regularizer?: unknown, trainable?: boolean, constraint?: unknown): LayerVariable {
    if (this.weightNames.has(name)) throw new Error(`addWeight: duplicate weight name ${name} for layer ${this.name}`);
    if (!initializer || typeof initializer.apply !== 'function') {
      throw new TypeError(`addWeight: ${this.name}.${name} needs an initializer (tfjs requires one too), e.g. compat.initializers.glorotUniform()`);
    }
    if (regularizer != null) throw new Error(`addWeight: ${this.name}.${name} has a regularizer, which the runtime cannot attach to a weight; add its penalty to the loss yourself (e.g. loss.add(w.square().sum().mul(l2)))`);
    if (constraint != null) throw new Error(`addWeight: ${this.name}.${name} has a constraint, which the runtime does not apply; clamp or renormalise the weight after each optimizer step yourself`);
    this.weightNames.add(name);
    const train = (trainable ?? true) && this.trainable;
    const value = initializer.apply(shape, dtype ?? 'float32');
    // The weights live on a child module: the user's class stores the returned LayerVariable in a field, usually
    // of the weight's own name (`this.kernel = this.addWeight('kernel', ...)`), which a parameter of that name would
    // claim. Module attribute names cannot hold '/' or '.'; tfjs weight names may.
    const key = name.replace(/[^\w$]/g, '_');
    if (!this.vars) this.registerModule('vars', new Module());
    const vars = this.vars!;
    if (train) vars.registerParameter(key, Parameter(value));
    else vars.registerBuffer(key, value);
    return new LayerVariable(name, (vars as unknown as Record<string, Tensor>)[key], train);
  }

  forward(inputs: Inputs, kwargs?: Record<string, unknown>): Inputs {
    if (!this.built) {
      const shapes = Array.isArray(inputs) ? inputs.map((t) => t.shape.slice()) : inputs.shape.slice();
      this.build(shapes);
      this.built = true;
    }
    return this.layerCall(inputs, kwargs ?? { training: this.training });
  }

  /**
   * tfjs's `layer.apply(inputs, kwargs)` runs the layer; PyTorch's `module.apply(fn)` visits the submodules. A
   * function argument is the second.
   */
  apply(fnOrInputs: ((m: Module) => void) | Inputs, kwargs?: Record<string, unknown>): never {
    if (typeof fnOrInputs === 'function') return super.apply(fnOrInputs) as never;
    return this.forward(fnOrInputs, kwargs) as never;
  }
}

/**
 * Builds `layer` for inputs of `inputShape` (tfjs's symbolic shape: batch dim null) and marks it built, as tfjs's
 * model.add does when the model's input shape is known; returns the layer. The migrated Sequential builds custom
 * layers this way where they are made, so their weights exist before an optimizer takes model.parameters().
 */
export function build<T extends Layer>(layer: T, inputShape: (number | null)[] | (number | null)[][]): T {
  if (!layer.built) {
    layer.build(inputShape);
    layer.built = true;
  }
  return layer;
}

const registry = new Map<string, unknown>();

/**
 * `tf.serialization.registerClass(cls)`: tfjs needs it to deserialise a saved model holding the custom layer. The
 * runtime keeps the class under its className (nothing reads it yet: io.loadLayersModel builds only built-in layers,
 * and says so for a custom one).
 */
export function registerClass<T extends { className?: string; name: string }>(cls: T): T {
  registry.set(cls.className ?? cls.name, cls);
  return cls;
}
