/** The `torch` namespace: tensor creation, functional ops, grad mode, memory, random seeds. */
import './backends/cpu/index.js';
import './tensor_methods.js';
import { Tensor } from './tensor.js';
import * as R from './ops/reduce.js';

export { Tensor } from './tensor.js';
export type { NestedArray } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { Device, device } from './device.js';
export type { DeviceType, DeviceLike } from './device.js';
export {
  tensor, fromTypedArray, zeros, ones, full, empty, zerosLike, onesLike, fullLike, emptyLike, arange, linspace, eye,
  rand, randn, randint, randLike, randnLike, randperm,
} from './ops/creation.js';
export type { TensorOptions, RandomOptions } from './ops/creation.js';
export { Generator, manualSeed, seed, defaultGenerator } from './random.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad_mode.js';
export { tidy, keep, dispose, memory } from './memory.js';
export { compile } from './compile/index.js';
export type { CompileOptions, CompileStats, CompiledFunction, CompiledModule } from './compile/index.js';
export type { MemoryInfo } from './memory.js';
export * as autograd from './autograd/index.js';
export { where, clamp } from './ops/elementwise.js';
export { toAsync } from './ops/cast.js';
export { matmul, bmm, dot, mv, outer } from './ops/matmul.js';
export { cat, stack, split, chunk, unbind } from './ops/join.js';
export { gather, scatter, scatterAdd, indexSelect, maskedFill, maskedSelect, nonzero } from './ops/indexing.js';
export { reshape, permute, transpose, squeeze, unsqueeze, flatten, narrow, select, flip } from './ops/view.js';
export { sum, mean, prod, amax, amin, argmax, argmin, std, logsumexp, all, any, norm } from './ops/reduce.js';
export { variance as var } from './ops/reduce.js';
export { topk, multinomial } from './ops/topk.js';
export type { TopKResult, MultinomialOptions } from './ops/topk.js';
export { softmax, logSoftmax } from './ops/activation.js';
export { conv1d, conv2d } from './ops/conv.js';
export { convTranspose2d } from './ops/conv_transpose.js';

// Every elementwise op: torch.neg, torch.add, torch.atan2, ... (one definition each in ops/elementwise_ops.ts).
export * from './ops/elementwise_ops.js';

export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): R.ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, d?: number | Tensor, k?: boolean): Tensor | R.ValuesIndices {
  return (R.max as (...a: unknown[]) => Tensor | R.ValuesIndices)(x, d, k);
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): R.ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, d?: number | Tensor, k?: boolean): Tensor | R.ValuesIndices {
  return (R.min as (...a: unknown[]) => Tensor | R.ValuesIndices)(x, d, k);
}

/** True when a and b have the same shape and all values within atol + rtol·|b|. */
export function allclose(a: Tensor, b2: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
  return a.allclose(b2, rtol, atol);
}

export const float32 = 'float32', float64 = 'float64', int32 = 'int32', bool = 'bool';
export const float = 'float32', double = 'float64', int = 'int32', long = 'int32';
