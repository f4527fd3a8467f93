/**
 * Lazy modules: `nn.LazyLinear`, `nn.LazyConv1d`, `nn.LazyConv2d`, `nn.LazyConvTranspose2d`, `nn.LazyBatchNorm1d`,
 * `nn.LazyBatchNorm2d` —
 * PyTorch's answer to a layer whose input size is only known at run time (tfjs infers it when a layer is first
 * applied). Until the first call the module holds zero-sized placeholder parameters (see uninitialized.ts); the
 * first call reads the size from the input, gives the same parameter objects their real shape, initialises them
 * as the eager class would (`resetParameters`), runs the callbacks queued by `whenMaterialized`, and turns the
 * module into that class (`Linear`, `Conv2d`, … — PyTorch's `cls_to_become`), so after one call nothing
 * distinguishes it from a module built with the size. Loading a state dict materializes it too.
 *
 *   const model = new nn.Sequential(new nn.LazyLinear(50), new nn.ReLU(), new nn.LazyLinear(10));
 *   nn.whenMaterialized(model, (m) => { if (m instanceof nn.Linear) nn.init.xavierUniform_(m.weight); });
 *   const opt = new optim.Adam(model.parameters());   // fine before the first call
 *   model.forward(x);                                  // sizes fixed here: in = x.shape[1]
 */
import type { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { empty } from '../ops/creation.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Module } from './module.js';
import { swapData } from './parameter.js';
import { Linear, type LinearOptions } from './linear.js';
import { Conv1d, Conv2d, ConvTranspose2d, type ConvOptions, type ConvTranspose2dOptions } from './conv.js';
import { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './normalization.js';
import { clearUninitialized, isUninitialized, markUninitialized, MATERIALIZE_FROM_STATE } from './uninitialized.js';

type Fields = Record<string, Tensor | null>;

const pending = new WeakMap<Module, ((m: Module) => void)[]>();

/** True for a lazy module that has not been called (or loaded) yet. */
export function isLazy(m: Module): boolean {
  return m.parameters(false).some(isUninitialized) || m.buffers(false).some(isUninitialized);
}

/**
 * Runs `fn` on `module` and each of its submodules: now for those whose parameters exist, and for a lazy one right
 * after its first call materializes it (by then it is a `Linear`, `Conv2d`, …). This is how a custom
 * initialisation (TensorFlow's glorot kernels, say) reaches modules whose size is not known yet.
 */
export function whenMaterialized(module: Module, fn: (m: Module) => void): void {
  if (!(module instanceof Module)) throw new TypeError(`whenMaterialized: module must be an nn.Module, got ${typeof module}`);
  if (typeof fn !== 'function') throw new TypeError(`whenMaterialized: fn must be a function, got ${typeof fn}`);
  for (const m of module.modules()) {
    if (isLazy(m)) {
      const list = pending.get(m) ?? [];
      list.push(fn);
      pending.set(m, list);
    } else fn(m);
  }
}

// materialize, placeholders, sizeFrom and fromState are exported for the lazy forms outside nn
// (compat.layers.LazyConvTranspose2dSame); they are not part of nn's public surface.

/**
 * Gives each placeholder its real shape (same tensor objects, new storage on the placeholder's device and dtype),
 * sets the sizes, turns `m` into `become`, initialises it as that class does and runs the queued callbacks.
 */
export function materialize(m: Module, become: abstract new (...a: never[]) => Module, sizes: Record<string, number>, shapes: Record<string, number[]>): void {
  noGrad(() => {
    for (const [name, shape] of Object.entries(shapes)) {
      const t = (m as unknown as Fields)[name];
      if (!t) continue;
      swapData(t, empty(shape, { dtype: t.dtype, device: t.device }));
      clearUninitialized(t);
    }
  });
  Object.assign(m, sizes);
  Object.setPrototypeOf(m, become.prototype);
  (m as unknown as { resetParameters(): void }).resetParameters();
  const fns = pending.get(m) ?? [];
  pending.delete(m);
  for (const fn of fns) fn(m);
}

export function placeholders(m: Module, cls: string, names: string[]): void {
  noGrad(() => {
    for (const name of names) {
      const t = (m as unknown as Fields)[name];
      if (!t) continue;
      if (t.numel() !== 0) swapData(t, empty([0], { dtype: t.dtype, device: t.device }));
      markUninitialized(t, `${cls}.${name}`);
    }
  });
}

export function sizeFrom(input: Tensor, op: string, dim: number, minRank: number, what: string): number {
  if (!input || typeof input !== 'object' || !Array.isArray((input as Tensor).shape)) throw new TypeError(`${op}: input must be a Tensor, got ${typeof input}`);
  if (input.ndim < minRank) throw new RangeError(`${op}: expected an input of at least ${minRank} dimensions to infer ${what}, got ${input.ndim}D input ${fmtShape(input.shape)}`);
  const n = input.shape[dim < 0 ? input.ndim + dim : dim];
  if (!(n > 0)) throw new RangeError(`${op}: cannot infer ${what} from input ${fmtShape(input.shape)} (size ${n})`);
  return n;
}

export function fromState(shapeOf: (name: string) => number[] | undefined, op: string, name: string, dim: number): number | undefined {
  const s = shapeOf(name);
  if (s === undefined) return undefined;
  if (s.length <= dim) throw new RangeError(`${op}: the checkpoint's ${name} has shape ${fmtShape(s)}, expected at least ${dim + 1} dimensions`);
  return s[dim];
}

// --- Linear --------------------------------------------------------------------------------------------------

/** `nn.Linear` whose inFeatures is the last dim of the first input. PyTorch's default init once sized. */
export class LazyLinear extends Linear {
  constructor(outFeatures: number, opts: LinearOptions = {}) {
    super(0, outFeatures, opts);
    placeholders(this, 'LazyLinear', ['weight', 'bias']);
  }

  override resetParameters(): void {
    // Linear's constructor calls this before the placeholders exist: there is nothing to initialise at size 0.
    if (this.inFeatures > 0) super.resetParameters();
  }

  private become(inFeatures: number): void {
    materialize(this, Linear, { inFeatures }, { weight: [this.outFeatures, inFeatures], bias: [this.outFeatures] });
  }

  override forward(input: Tensor): Tensor {
    if (isUninitialized(this.weight)) this.become(sizeFrom(input, 'LazyLinear', -1, 1, 'inFeatures'));
    return super.forward(input);
  }

  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void {
    const n = fromState(shapeOf, 'LazyLinear', 'weight', 1);
    if (n !== undefined) this.become(n);
  }
}

// --- Conv ----------------------------------------------------------------------------------------------------

type ConvClass = typeof Conv1d | typeof Conv2d;

function lazyConv(self: Conv1d | Conv2d, cls: ConvClass, op: string, spatial: number, input: Tensor | number): void {
  const inChannels = typeof input === 'number' ? input : sizeFrom(input, op, -(spatial + 1), spatial + 1, 'inChannels');
  if (inChannels % self.groups !== 0) throw new RangeError(`${op}: the input's ${inChannels} channels must be divisible by groups (${self.groups})`);
  materialize(self, cls, { inChannels }, { weight: [self.outChannels, inChannels / self.groups, ...self.kernelSize], bias: [self.outChannels] });
}

/** `nn.Conv1d` whose inChannels is dim -2 of the first input ([N, C, L] or [C, L]). */
export class LazyConv1d extends Conv1d {
  constructor(outChannels: number, kernelSize: number | readonly [number], opts: ConvOptions<number | readonly [number]> = {}) {
    super(0, outChannels, kernelSize, opts);
    placeholders(this, 'LazyConv1d', ['weight', 'bias']);
  }

  override resetParameters(): void {
    if (this.inChannels > 0) super.resetParameters();
  }

  override forward(input: Tensor): Tensor {
    if (isUninitialized(this.weight)) lazyConv(this, Conv1d, 'LazyConv1d', 1, input);
    return super.forward(input);
  }

  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void {
    const n = fromState(shapeOf, 'LazyConv1d', 'weight', 1);
    if (n !== undefined) lazyConv(this, Conv1d, 'LazyConv1d', 1, n * this.groups);
  }
}

/** `nn.Conv2d` whose inChannels is dim -3 of the first input ([N, C, H, W] or [C, H, W]). */
export class LazyConv2d extends Conv2d {
  constructor(outChannels: number, kernelSize: number | readonly [number, number], opts: ConvOptions<number | readonly [number, number]> = {}) {
    super(0, outChannels, kernelSize, opts);
    placeholders(this, 'LazyConv2d', ['weight', 'bias']);
  }

  override resetParameters(): void {
    if (this.inChannels > 0) super.resetParameters();
  }

  override forward(input: Tensor): Tensor {
    if (isUninitialized(this.weight)) lazyConv(this, Conv2d, 'LazyConv2d', 2, input);
    return super.forward(input);
  }

  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void {
    const n = fromState(shapeOf, 'LazyConv2d', 'weight', 1);
    if (n !== undefined) lazyConv(this, Conv2d, 'LazyConv2d', 2, n * this.groups);
  }
}

/**
 * `nn.ConvTranspose2d` whose inChannels is dim -3 of the first input ([N, C, H, W] or [C, H, W]). Its weight is
 * [inChannels, outChannels / groups, kH, kW] (a transposed convolution's layout), so a checkpoint gives inChannels
 * in dim 0.
 */
export class LazyConvTranspose2d extends ConvTranspose2d {
  constructor(outChannels: number, kernelSize: number | readonly [number, number], opts: ConvTranspose2dOptions = {}) {
    super(0, outChannels, kernelSize, opts);
    placeholders(this, 'LazyConvTranspose2d', ['weight', 'bias']);
  }

  override resetParameters(): void {
    if (this.inChannels > 0) super.resetParameters();
  }

  private become(inChannels: number): void {
    if (inChannels % this.groups !== 0) throw new RangeError(`LazyConvTranspose2d: the input's ${inChannels} channels must be divisible by groups (${this.groups})`);
    materialize(this, ConvTranspose2d, { inChannels }, { weight: [inChannels, this.outChannels / this.groups, ...this.kernelSize], bias: [this.outChannels] });
  }

  override forward(input: Tensor): Tensor {
    if (isUninitialized(this.weight)) this.become(sizeFrom(input, 'LazyConvTranspose2d', -3, 3, 'inChannels'));
    return super.forward(input);
  }

  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void {
    const n = fromState(shapeOf, 'LazyConvTranspose2d', 'weight', 0);
    if (n !== undefined) this.become(n);
  }
}

// --- BatchNorm -----------------------------------------------------------------------------------------------

const BN_STATE = ['weight', 'bias', 'running_mean', 'running_var'];

function lazyBatchNorm(self: BatchNorm1d | BatchNorm2d, cls: typeof BatchNorm1d | typeof BatchNorm2d, numFeatures: number): void {
  const shapes = Object.fromEntries(BN_STATE.map((k) => [k, [numFeatures]]));
  materialize(self, cls, { numFeatures }, shapes);
}

/** numFeatures from whichever of weight, bias and running statistics the checkpoint has. */
function batchNormFromState(self: BatchNorm1d | BatchNorm2d, cls: typeof BatchNorm1d | typeof BatchNorm2d, op: string, shapeOf: (name: string) => number[] | undefined): void {
  const n = BN_STATE.map((k) => fromState(shapeOf, op, k, 0)).find((x) => x !== undefined);
  if (n !== undefined) lazyBatchNorm(self, cls, n);
}

/** `nn.BatchNorm1d` whose numFeatures is dim 1 of the first input ([N, C] or [N, C, L]). */
export class LazyBatchNorm1d extends BatchNorm1d {
  constructor(opts: BatchNormOptions = {}) {
    super(1, opts); // BatchNorm needs a positive size; the placeholders replace these one-element tensors
    placeholders(this, 'LazyBatchNorm1d', BN_STATE);
    Object.assign(this, { numFeatures: 0 });
  }

  override resetParameters(): void {
    if (this.numFeatures > 0) super.resetParameters();
  }

  override forward(input: Tensor): Tensor {
    if (isLazy(this)) {
      this.checkInputDim(input);
      lazyBatchNorm(this, BatchNorm1d, sizeFrom(input, 'LazyBatchNorm1d', 1, 2, 'numFeatures'));
    }
    return super.forward(input);
  }

  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void {
    batchNormFromState(this, BatchNorm1d, 'LazyBatchNorm1d', shapeOf);
  }
}

/** `nn.BatchNorm2d` whose numFeatures is dim 1 of the first input ([N, C, H, W]). */
export class LazyBatchNorm2d extends BatchNorm2d {
  constructor(opts: BatchNormOptions = {}) {
    super(1, opts);
    placeholders(this, 'LazyBatchNorm2d', BN_STATE);
    Object.assign(this, { numFeatures: 0 });
  }

  override resetParameters(): void {
    if (this.numFeatures > 0) super.resetParameters();
  }

  override forward(input: Tensor): Tensor {
    if (isLazy(this)) {
      this.checkInputDim(input);
      lazyBatchNorm(this, BatchNorm2d, sizeFrom(input, 'LazyBatchNorm2d', 1, 2, 'numFeatures'));
    }
    return super.forward(input);
  }

  [MATERIALIZE_FROM_STATE](shapeOf: (name: string) => number[] | undefined): void {
    batchNormFromState(this, BatchNorm2d, 'LazyBatchNorm2d', shapeOf);
  }
}
