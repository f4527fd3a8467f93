/** Tensor creation: from JS data, constant fills, ranges, and seeded random values. */
import { type DType, type TypedArray, allocArray, checkDType, isFloating } from '../dtype.js';
import { type DeviceLike, device as toDevice } from '../device.js';
import { Tensor } from '../tensor.js';
import { getBackend } from '../backends/backend.js';
import { numel, shapeArgs, fmtShape } from '../shape.js';
import { defaultGenerator, type Generator } from '../random.js';

export interface TensorOptions {
  dtype?: DType;
  device?: DeviceLike;
  requiresGrad?: boolean;
}

export type NestedNumbers = number | boolean | readonly NestedNumbers[];

function finish(t: Tensor, opts: TensorOptions | undefined, op: string): Tensor {
  if (opts?.requiresGrad) {
    if (!isFloating(t.dtype)) throw new TypeError(`${op}: only floating-point tensors can require gradients, got dtype ${t.dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

function backendFor(opts: TensorOptions | undefined) {
  return getBackend(opts?.device ? toDevice(opts.device).type : 'cpu');
}

function inferNested(data: NestedNumbers, op: string): { shape: number[]; flat: number[]; dtype: DType } {
  const shape: number[] = [];
  let probe: NestedNumbers = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedNumbers;
    if (probe === undefined) break;
  }
  const flat: number[] = [];
  let allBool = true;
  let allInt = true;
  const walk = (x: NestedNumbers, dim: number, path: string) => {
    if (dim === shape.length) {
      if (typeof x === 'boolean') { flat.push(x ? 1 : 0); allInt = false; return; }
      if (typeof x !== 'number') throw new TypeError(`${op}: element at ${path || 'top'} is ${Array.isArray(x) ? 'an array (ragged nesting)' : typeof x}, expected a number`);
      allBool = false;
      if (!Number.isInteger(x)) allInt = false;
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new RangeError(`${op}: ragged nested array: expected length ${shape[dim]} at ${path || 'top'}, got ${Array.isArray(x) ? x.length : typeof x}`);
    }
    x.forEach((v, i) => walk(v, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  const dtype: DType = flat.length === 0 ? 'float32' : allBool ? 'bool' : allInt ? 'int32' : 'float32';
  return { shape, flat, dtype };
}

/**
 * `torch.tensor(data, { dtype, device, requiresGrad })`: a new tensor copying `data` (a number, boolean,
 * nested array or typed array). As in PyTorch, integer data gives int32 (our index dtype), booleans give bool,
 * anything else float32.
 */
export function tensor(data: NestedNumbers | TypedArray | Tensor, opts?: TensorOptions & { shape?: number[] }): Tensor {
  const op = 'tensor';
  if (data instanceof Tensor) {
    const t = data.detach().clone();
    return finish(opts?.dtype ? t.to(opts.dtype) : t, opts, op);
  }
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    const dtype = opts?.dtype ? checkDType(opts.dtype, op) : src instanceof Float64Array ? 'float64' : src instanceof Float32Array ? 'float32' : 'int32';
    const shape = opts?.shape ?? [src.length];
    if (numel(shape) !== src.length) throw new RangeError(`${op}: shape ${fmtShape(shape)} needs ${numel(shape)} values but the typed array has ${src.length}`);
    const arr = allocArray(dtype, src.length);
    arr.set(src as ArrayLike<number>);
    return finish(backendFor(opts).fromData(arr, shape.slice(), dtype), opts, op);
  }
  const { shape, flat, dtype: inferred } = inferNested(data as NestedNumbers, op);
  const dtype = opts?.dtype ? checkDType(opts.dtype, op) : inferred;
  const arr = allocArray(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) arr[i] = flat[i];
  return finish(backendFor(opts).fromData(arr, opts?.shape ?? shape, dtype), opts, op);
}

/** Wraps a typed array without copying (PyTorch's from_numpy): the tensor and the array share memory. */
export function fromTypedArray(data: TypedArray, shape: number[], dtype?: DType): Tensor {
  const dt = dtype ?? (data instanceof Float64Array ? 'float64' : data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'bool');
  if (numel(shape) !== data.length) throw new RangeError(`fromTypedArray: shape ${fmtShape(shape)} needs ${numel(shape)} values but the array has ${data.length}`);
  return Tensor.fromData(data, shape, dt, 'cpu');
}

type SizeArgs = (number | readonly number[] | TensorOptions)[];

function splitSize(args: SizeArgs, op: string): [number[], TensorOptions | undefined] {
  let opts: TensorOptions | undefined;
  if (args.length && typeof args[args.length - 1] === 'object' && !Array.isArray(args[args.length - 1])) opts = args.pop() as TensorOptions;
  const shape = shapeArgs(args as (number | number[])[]);
  for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new RangeError(`${op}: invalid size ${fmtShape(shape)}; sizes must be non-negative integers`);
  return [shape, opts];
}

export function full(size: readonly number[], value: number | boolean, opts?: TensorOptions): Tensor {
  const dtype = opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  for (const d of size) if (!Number.isInteger(d) || d < 0) throw new RangeError(`full: invalid size ${fmtShape(size)}`);
  return finish(backendFor(opts).full(size.slice(), Number(value), dtype), opts, 'full');
}

export function zeros(...args: SizeArgs): Tensor {
  const [shape, opts] = splitSize(args, 'zeros');
  return full(shape, 0, opts);
}

export function ones(...args: SizeArgs): Tensor {
  const [shape, opts] = splitSize(args, 'ones');
  return full(shape, 1, opts);
}

export function empty(...args: SizeArgs): Tensor {
  return zeros(...args);
}

function likeOpts(t: Tensor, opts?: TensorOptions): TensorOptions {
  return { dtype: opts?.dtype ?? t.dtype, device: opts?.device ?? t.storage.device, requiresGrad: opts?.requiresGrad };
}

export const zerosLike = (t: Tensor, opts?: TensorOptions) => full(t.shape, 0, likeOpts(t, opts));
export const onesLike = (t: Tensor, opts?: TensorOptions) => full(t.shape, 1, likeOpts(t, opts));
export const fullLike = (t: Tensor, value: number, opts?: TensorOptions) => full(t.shape, value, likeOpts(t, opts));
export const emptyLike = zerosLike;

/** `arange(end)`, `arange(start, end, step=1)`; int32 when every argument is an integer, as in PyTorch. */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, step: number, opts?: TensorOptions): Tensor;
export function arange(a: number, b?: number | TensorOptions, c?: number | TensorOptions, d?: TensorOptions): Tensor {
  let start = 0, end = a, step = 1, opts: TensorOptions | undefined;
  if (typeof b === 'number') { start = a; end = b; if (typeof c === 'number') { step = c; opts = d; } else opts = c; }
  else opts = b;
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0) throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts?.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const arr = allocArray(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return finish(backendFor(opts).fromData(arr, [n], dtype), opts, 'arange');
}

export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = opts?.dtype ?? 'float32';
  const arr = allocArray(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Symmetric fill (as PyTorch) so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) arr[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  if (steps === 1) arr[0] = start;
  return finish(backendFor(opts).fromData(arr, [steps], dtype), opts, 'linspace');
}

export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  const cols = typeof m === 'number' ? m : n;
  const o = typeof m === 'object' ? m : opts;
  const dtype = o?.dtype ?? 'float32';
  const arr = allocArray(dtype, n * cols, true);
  for (let i = 0; i < Math.min(n, cols); i++) arr[i * cols + i] = 1;
  return finish(backendFor(o).fromData(arr, [n, cols], dtype), o, 'eye');
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function randomSplit(args: (number | readonly number[] | RandomOptions)[], op: string): [number[], RandomOptions | undefined] {
  return splitSize(args as SizeArgs, op) as [number[], RandomOptions | undefined];
}

/** Uniform on [0, 1). */
export function rand(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const [shape, opts] = randomSplit(args, 'rand');
  return finish(backendFor(opts).random('uniform', shape, opts?.dtype ?? 'float32', opts?.generator ?? defaultGenerator, 0, 1), opts, 'rand');
}

/** Standard normal. */
export function randn(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const [shape, opts] = randomSplit(args, 'randn');
  return finish(backendFor(opts).random('normal', shape, opts?.dtype ?? 'float32', opts?.generator ?? defaultGenerator, 0, 1), opts, 'randn');
}

/** Integers uniform in [low, high): `randint(high, size)` or `randint(low, high, size)`. */
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  let low = 0, high: number, size: readonly number[], opts: RandomOptions | undefined;
  if (typeof b === 'number') { low = a; high = b; size = c as number[]; opts = d; }
  else { high = a; size = b; opts = c as RandomOptions | undefined; }
  if (!(high > low)) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  const gen = opts?.generator ?? defaultGenerator;
  const dtype = opts?.dtype ?? 'int32';
  const arr = allocArray(dtype, numel(size));
  for (let i = 0; i < arr.length; i++) arr[i] = gen.randint(low, high);
  return finish(backendFor(opts).fromData(arr, size.slice(), dtype), opts, 'randint');
}

export const randLike = (t: Tensor, opts?: RandomOptions) => rand(t.shape, { ...likeOpts(t, opts), generator: opts?.generator });
export const randnLike = (t: Tensor, opts?: RandomOptions) => randn(t.shape, { ...likeOpts(t, opts), generator: opts?.generator });

/** A random permutation of 0..n-1 (Fisher-Yates on the seeded generator). */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  const gen = opts?.generator ?? defaultGenerator;
  const arr = new Int32Array(n);
  for (let i = 0; i < n; i++) arr[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen.uniform() * (i + 1));
    const t = arr[i]; arr[i] = arr[j]; arr[j] = t;
  }
  return backendFor(opts).fromData(arr, [n], 'int32');
}
