/// <reference types="@webgpu/types" />
/**
 * The WebGPU backend: every primitive kernel in WGSL, run through Dawn (the optional `webgpu` package).
 * Registered by runtime/webgpu.ts once an adapter and device exist; see context.ts (init), buffer_pool.ts,
 * pipelines.ts, commands.ts (batching), wgsl.ts (codegen) and one file per kernel family.
 *
 * Random numbers are drawn on the host from the shared seeded Generator and uploaded, so `manualSeed(n)`
 * gives the same values on every backend (a GPU Philox stream would differ from the CPU's).
 */
import { allocArray, type DType, type TypedArray } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import { fmtShape, numel } from '../../shape.js';
import { type Backend } from '../backend.js';
import { gpuContext } from './context.js';
import { floatBits, readBuffer } from './commands.js';
import { elementwiseNew, fill, operand, runElementwise } from './elementwise.js';
import { reduceGpu } from './reduce.js';
import { linearGpu, matmulGpu } from './matmul.js';
import { foldGpu, maxPool2dGpu, unfoldGpu } from './window.js';
import { gatherGpu, scatterGpu } from './indexing.js';
import { adamStepGpu, softmaxCrossEntropyGpu } from './fused.js';
import { conv2dGpu, conv2dInputGradGpu, conv2dWeightGradGpu } from './conv.js';
import { bufferOf, emptyGpu, ELEMENT_BYTES } from './tensors.js';
import { binaryExpr, computeType, unaryExpr } from './wgsl.js';

function upload(data: TypedArray, shape: number[], dtype: DType): Tensor {
  const y = emptyGpu(shape, dtype, 'to');
  const n = numel(shape);
  if (n === 0) return y;
  if (data.length < n) throw new RangeError(`webgpu: ${data.length} values for a tensor of shape ${fmtShape(shape)}`);
  // bool is one byte per element on the host and a u32 on the GPU; other dtypes go up as they are.
  const src = dtype === 'bool' ? Uint32Array.from(data.subarray(0, n)) : data.subarray(0, n);
  gpuContext().queue.writeBuffer(bufferOf(y), 0, src.buffer, src.byteOffset, n * ELEMENT_BYTES);
  return y;
}

function contiguousCopy(x: Tensor): Tensor {
  const t = computeType(x.dtype);
  return elementwiseNew('contiguous', 'x0', t, [operand(x, x.shape, t)], x.shape.slice(), x.dtype);
}

export const webgpuBackend: Backend = {
  device: 'webgpu',

  fromData: upload,

  full(shape, value, dtype) {
    return fill(shape, value, dtype);
  },

  unary(op, x, outDtype) {
    const e = unaryExpr(op, x.dtype);
    return elementwiseNew(`unary:${op}`, e.e, e.type, [operand(x, x.shape, e.operand)], x.shape.slice(), outDtype);
  },

  binary(op, a, b, outShape, outDtype) {
    const e = binaryExpr(op, a.dtype);
    return elementwiseNew(`binary:${op}`, e.e, e.type, [operand(a, outShape, e.operand), operand(b, outShape, e.operand)], outShape, outDtype);
  },

  where(cond, a, b, outShape) {
    const t = computeType(a.dtype);
    return elementwiseNew('where', 'select(x2, x1, x0 != 0)', t, [operand(cond, outShape, 'i32'), operand(a, outShape, t), operand(b, outShape, t)], outShape, a.dtype);
  },

  // ReLU's gradient in one pass: the composite (gt, then where) is two dispatches and a bool tensor written and read.
  // x is compared in f32, as the composite promotes it against a float threshold; the threshold travels as its
  // f32 bits (exact, and a constant per value: relu's 0 is one pipeline).
  thresholdBackward(grad, x, threshold, outShape) {
    const t = computeType(grad.dtype);
    const th = `bitcast<f32>(${floatBits(threshold) >>> 0}u)`;
    return elementwiseNew('thresholdBackward', `select(${t}(0), x0, x1 > ${th})`, t, [operand(grad, outShape, t), operand(x, outShape, 'f32')], outShape, grad.dtype);
  },

  linear: linearGpu,

  cast(x, dtype) {
    if (dtype === 'float64') throw new TypeError(`to: float64 is not supported on 'webgpu' (WGSL has no f64); move the tensor to 'cpu' first (shape ${fmtShape(x.shape)})`);
    const t = computeType(x.dtype);
    return elementwiseNew(`cast:${dtype}`, 'x0', t, [operand(x, x.shape, t)], x.shape.slice(), dtype);
  },

  copy(src, dst) {
    // A dispatch may not bind one buffer as both read-only and writable storage: stage overlapping sources.
    const staged = bufferOf(src) === bufferOf(dst) ? contiguousCopy(src) : src;
    const t = computeType(dst.dtype);
    runElementwise('copy', 'x0', t, { buffer: bufferOf(dst), offset: dst.offset, strides: dst.strides, dtype: dst.dtype }, [operand(staged, dst.shape, t)], dst.shape);
    if (staged !== src) staged.dispose();
  },

  reduce: reduceGpu,
  matmul: matmulGpu,
  unfold: unfoldGpu,
  fold: foldGpu,
  maxPool2d: maxPool2dGpu,
  conv2d: conv2dGpu,
  conv2dInputGrad: conv2dInputGradGpu,
  conv2dWeightGrad: conv2dWeightGradGpu,
  gather: gatherGpu,
  scatter: scatterGpu,

  random(kind, shape, dtype, gen, a, b) {
    const n = numel(shape);
    const host = allocArray(dtype === 'float64' ? 'float64' : 'float32', n);
    if (kind === 'uniform') for (let i = 0; i < n; i++) host[i] = a + (b - a) * gen.uniform();
    else for (let i = 0; i < n; i++) host[i] = a + b * gen.normal();
    return upload(host, shape, dtype);
  },

  softmaxCrossEntropy: softmaxCrossEntropyGpu,
  adamStep: adamStepGpu,

  async read(x) {
    const c = x.isContiguous() ? x : contiguousCopy(x);
    try {
      const n = x.numel();
      if (n === 0) return allocArray(x.dtype, 0);
      const bytes = await readBuffer(bufferOf(c), c.offset * ELEMENT_BYTES, n * ELEMENT_BYTES);
      switch (x.dtype) {
        case 'float32': return new Float32Array(bytes);
        case 'int32': return new Int32Array(bytes);
        case 'bool': return Uint8Array.from(new Uint32Array(bytes));
        default: throw new TypeError(`webgpu: cannot read a ${x.dtype} tensor`);
      }
    } finally {
      if (c !== x) c.dispose();
    }
  },
};

