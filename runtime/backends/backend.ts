/**
 * The typed kernel contract (see ops/primitives.ts for the list and why each exists). Kernels take tensors
 * (any strides, already validated and broadcast-checked by the op layer) and return new contiguous tensors
 * on the same device; `copy` and `adamStep` write in place. A backend never records autograd.
 */
import type { DType, TypedArray } from '../dtype.js';
import type { DeviceType } from '../device.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../ops/primitives.js';
import type { Tensor } from '../tensor.js';
import type { Generator } from '../random.js';

export interface Conv2dGeometry {
  /** input [N, C, H, W] */
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padTop: number; padLeft: number; padBottom: number; padRight: number;
  dilationH: number; dilationW: number;
  outH: number; outW: number;
}

export interface AdamParams {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
  /** AdamW: decoupled decay (param *= 1 - lr*wd) instead of L2 added to the gradient. */
  decoupled: boolean; amsgrad: boolean;
  /** 1 - beta^t, precomputed by the optimizer. */
  biasCorrection1: number; biasCorrection2: number;
}

export interface Backend {
  readonly device: DeviceType;
  /** Wraps host data (copied to the device where it is not host memory). */
  fromData(data: TypedArray, shape: number[], dtype: DType): Tensor;
  full(shape: number[], value: number, dtype: DType): Tensor;
  unary(op: UnaryOp, x: Tensor, outDtype: DType): Tensor;
  /** a and b share a dtype; outShape is their broadcast shape. */
  binary(op: BinaryOp, a: Tensor, b: Tensor, outShape: number[], outDtype: DType): Tensor;
  where(cond: Tensor, a: Tensor, b: Tensor, outShape: number[]): Tensor;
  cast(x: Tensor, dtype: DType): Tensor;
  /** Writes src (broadcastable to dst.shape, same dtype) into the view dst. */
  copy(src: Tensor, dst: Tensor): void;
  /** Reduces over `dims` (sorted, unique); the result has those dims removed. arg* give int32 indices. */
  reduce(op: ReduceOp, x: Tensor, dims: number[]): Tensor;
  /** Batched a @ b; a [..., M, K], b [..., K, N] (any strides: transposed views are read without a copy). */
  matmul(a: Tensor, b: Tensor, batchShape: number[]): Tensor;
  /** im2col: [N, C, H, W] → [N, C*kh*kw, outH*outW], padding filled with padValue. */
  unfold(x: Tensor, g: Conv2dGeometry, padValue: number): Tensor;
  /** col2im, the adjoint of unfold: [N, C*kh*kw, outH*outW] → [N, C, H, W], overlapping windows summed. */
  fold(cols: Tensor, g: Conv2dGeometry): Tensor;
  /**
   * Max over each window of [N, C, H, W]: values [N, C, outH, outW] and int32 indices into each H*W plane.
   * Padding never wins; ties keep the first element in window order and a NaN wins (PyTorch's rules).
   */
  maxPool2d(x: Tensor, g: Conv2dGeometry): { values: Tensor; indices: Tensor };
  /**
   * out = x[index] along dim. An index outside [0, x.shape[dim]) is an error naming `op` (the op the user called,
   * default 'gather'): thrown at once on the CPU; on the GPU recorded and thrown at the next read.
   */
  gather(x: Tensor, dim: number, index: Tensor, op?: string): Tensor;
  /** A copy of x with src written (or added) at index along dim; out-of-range indices as in gather. */
  scatter(x: Tensor, dim: number, index: Tensor, src: Tensor, mode: 'assign' | 'add', op?: string): Tensor;
  random(kind: 'uniform' | 'normal', shape: number[], dtype: DType, gen: Generator, a: number, b: number): Tensor;
  /**
   * Fused log-softmax + NLL over rows of logits [N, C] with int32 targets [N]: per-row loss (0 where the
   * target is ignoreIndex) and the row softmax [N, C] that the gradient needs.
   */
  softmaxCrossEntropy(logits: Tensor, target: Tensor, ignoreIndex: number): { loss: Tensor; softmax: Tensor };
  /** One fused Adam/AdamW update of param, expAvg, expAvgSq (and maxExpAvgSq) in place. */
  adamStep(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, p: AdamParams): void;
  /**
   * Optional implicit-GEMM convolution (no bias): x [N, C, H, W], weight [O, C/groups, kh, kw] →
   * [N, O, outH, outW], computed without materialising the im2col matrix. A backend without it gets
   * Unfold + Matmul (ops/conv.ts), which is what the CPU keeps: its im2col is cheap next to the GEMM.
   * A backend that has it must also have conv2dInputGrad and conv2dWeightGrad (the gradients' kernels).
   */
  conv2d?(x: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Tensor;
  /**
   * ∂L/∂x of conv2d: gradOut [N, O, outH, outW] and weight → [N, C, H, W] (a transposed convolution), or null
   * where the backend knows the composite (Matmul + Fold) is faster for this shape.
   */
  conv2dInputGrad?(gradOut: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Tensor | null;
  /** ∂L/∂weight of conv2d: x and gradOut → weightShape [O, C/groups, kh, kw]. */
  conv2dWeightGrad?(x: Tensor, gradOut: Tensor, g: Conv2dGeometry, groups: number, weightShape: number[]): Tensor;
  /**
   * Optional fused linear layer: x [M, K] @ weightᵀ + bias, weight [N, K], bias [N] (any strides), in one
   * kernel, the bias added in the GEMM's epilogue. A backend without it gets Matmul + Binary(add)
   * (ops/matmul.ts), which is what the CPU keeps (its add is a cheap pass next to the GEMM).
   */
  linear?(x: Tensor, weight: Tensor, bias: Tensor): Tensor;
  /**
   * Optional fused ReLU gradient, PyTorch's threshold_backward: out = x > threshold ? grad : 0 (broadcast to
   * outShape), one pass instead of Binary(gt) + Where (and the bool tensor between them). Without it the op
   * layer uses that composite.
   */
  thresholdBackward?(grad: Tensor, x: Tensor, threshold: number, outShape: number[]): Tensor;
  /** Devices whose memory the host cannot read directly: the values of x in row-major order (a copy). */
  read?(x: Tensor): Promise<TypedArray>;
}

const backends = new Map<DeviceType, Backend>();

export function registerBackend(b: Backend): void {
  backends.set(b.device, b);
}

export function getBackend(device: DeviceType): Backend {
  const b = backends.get(device);
  if (!b) {
    throw new Error(
      device === 'webgpu'
        ? "device 'webgpu' is not available: no WebGPU backend is loaded (install the optional `webgpu` package and check webgpu.isAvailable())"
        : `device '${device}' has no backend`,
    );
  }
  return b;
}

/** Every registered backend (torch.compile wraps them while it traces a step). */
export function registeredBackends(): Backend[] {
  return [...backends.values()];
}
