/**
 * The primitive kernels: the whole contract between the op layer and a backend. Every public op is either one
 * of these (plus its gradient rule, which sits beside it in runtime/ops/) or a composite written on top of
 * them. A backend implements exactly this list (see backends/backend.ts); test/primitives.test.ts checks
 * that every primitive has a CPU kernel, a gradient rule and a test case.
 *
 *   elementwise  Unary(op)  Binary(op)  Where  Cast        one output element per (broadcast) input element
 *   movement     Copy                                      strided copy into a view (contiguous, cat, in-place)
 *   reduce       Reduce(op) over a set of dims             sum prod max min argmax argmin
 *   matmul       Matmul                                    batched, broadcasting, optional transposes
 *   window       Unfold / Fold                             im2col / col2im: conv and pooling are built on these
 *                MaxPool2d  (benchmarked: unfold + max + argmax + scatter + fold was ~25 ms of a 130 ms MNIST CNN
 *                step; one pass gives values and plane indices, and the gradient is a Scatter(add) of those)
 *   indexing     Gather / Scatter(assign|add)              along one dim, PyTorch's semantics
 *   random       Random(uniform|normal)                    from the seeded generator
 *   fused        AdamStep  (benchmarked: the optimizer step is ~30% of an MLP step when unfused)
 *                SoftmaxCrossEntropy  (the composite log-softmax + gather + mask + mean is ~12 ops, 40 µs a step)
 *   optional     Conv2d (+ Conv2dInputGrad, Conv2dWeightGrad): implicit-GEMM convolution, a backend hook. The
 *                composite Unfold + Matmul is the definition (and the CPU's kernel); a backend may implement
 *                the hook to skip the im2col matrix (WebGPU: it is 25× the input for a 5×5 kernel and costs
 *                a write and a read of global memory). ops/conv.ts uses the hook where the backend has it.
 *                Linear: x·Wᵀ + b with the bias added in the GEMM's epilogue (ops/matmul.ts; the composite is
 *                Matmul + Binary(add): one dispatch and one pass over the output fewer per layer on WebGPU).
 *                ThresholdBackward: ReLU's gradient, x > t ? g : 0 (ops/elementwise.ts; the composite is
 *                Binary(gt) + Where: two dispatches and a bool tensor written and read).
 *
 * Views (reshape, permute, expand, narrow, squeeze...) are metadata only and need no kernel.
 */
import { elementwiseOps, unaryDef, binaryDef, type BinaryOp, type UnaryOp } from './elementwise.js';

export type { BinaryOp, UnaryOp } from './elementwise.js';

/** The Unary and Binary ops: derived from their definitions (elementwise_ops.ts), not listed here. */
export const UNARY_OPS: readonly UnaryOp[] = elementwiseOps().unary;
export const BINARY_OPS: readonly BinaryOp[] = elementwiseOps().binary;

/** Binary ops whose result is bool whatever the input dtype. */
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set(BINARY_OPS.filter((op) => binaryDef(op).dtype === 'bool'));
/** Unary ops whose result is bool. */
export const PREDICATE_OPS: ReadonlySet<UnaryOp> = new Set(UNARY_OPS.filter((op) => unaryDef(op).dtype === 'bool'));

export const REDUCE_OPS = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export const OTHER_PRIMITIVES = ['where', 'cast', 'copy', 'matmul', 'unfold', 'fold', 'maxPool2d', 'gather', 'scatter', 'random', 'adamStep', 'softmaxCrossEntropy'] as const;

/**
 * Optional kernels: a backend may implement them; the op layer falls back to the composite otherwise. Each
 * set is all-or-none (conv2d's gradients need its kernels too).
 */
export const OPTIONAL_KERNEL_SETS = [['conv2d', 'conv2dInputGrad', 'conv2dWeightGrad'], ['linear'], ['thresholdBackward']] as const;
export const OPTIONAL_KERNELS = OPTIONAL_KERNEL_SETS.flat();
