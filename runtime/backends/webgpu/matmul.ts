/// <reference types="@webgpu/types" />
/**
 * WebGPU Matmul on the tiled GEMM (gemm.ts). Operands are read through their strides, so the transposed views
 * autograd produces (x.T, w.T) are multiplied without a copy; broadcast batch dims have stride 0.
 *
 * Each operand loads a vec4 at a time where its layout allows: contiguous along the inner dimension (`vecK`:
 * x @ w with both row-major, or w.T read along k) or along its outer one (`vecMN`: the transposed views), with
 * that dimension, the other stride, the offset and every batch stride multiples of 4 so each vec4 is aligned and
 * never straddles the edge of the matrix. Anything else (odd sizes, narrowed views) takes the scalar path.
 */
import type { Tensor } from '../../tensor.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { computeType, load, storageType } from './wgsl.js';
import { elementwiseNew, fill, operand } from './elementwise.js';
import { gemm, type GemmOperand, type LoadMode } from './gemm.js';

/** Strides of each operand's batch dims, right-aligned to batchShape (broadcast dims 0). */
function batchStrides(t: Tensor, batchShape: number[]): number[] {
  const nb = batchShape.length, tb = t.ndim - 2;
  const s = new Array(nb).fill(0);
  for (let i = 0; i < tb; i++) s[nb - tb + i] = t.shape[i] === 1 ? 0 : t.strides[i];
  return s;
}

/**
 * The load mode for an operand viewed as [outer, inner] (A: [M, K], B as its transpose [N, K]) with strides
 * (sOuter, sInner). vecK: 4 consecutive k; vecMN: 4 consecutive rows of A / columns of B.
 */
function loadModeFor(t: Tensor, outer: number, inner: number, sOuter: number, sInner: number, bStrides: number[]): LoadMode {
  if (storageType(t.dtype) === 'u32') return 'scalar'; // bool loads convert element by element
  const aligned = t.offset % 4 === 0 && bStrides.every((s) => s % 4 === 0);
  if (!aligned) return 'scalar';
  if (sInner === 1 && inner % 4 === 0 && (outer === 1 || sOuter % 4 === 0)) return 'vecK';
  if (sOuter === 1 && outer % 4 === 0 && (inner === 1 || sInner % 4 === 0)) return 'vecMN';
  return 'scalar';
}

/** The load mode of operand `which` of a matmul. A is [M, K] (outer = its rows); B is [K, N] (outer = its columns). */
export function matmulLoadMode(which: 'a' | 'b', t: Tensor, batchShape: number[]): LoadMode {
  const r = t.shape[t.ndim - 2], c = t.shape[t.ndim - 1];
  const sr = t.strides[t.ndim - 2], sc = t.strides[t.ndim - 1];
  const bs = batchStrides(t, batchShape);
  return which === 'a' ? loadModeFor(t, r, c, sr, sc, bs) : loadModeFor(t, c, r, sc, sr, bs);
}

function stridedOperand(which: 'a' | 'b', t: Tensor, T: 'f32' | 'i32', batchShape: number[]): GemmOperand {
  const sr = t.strides[t.ndim - 2], sc = t.strides[t.ndim - 1];
  const bs = batchStrides(t, batchShape);
  const mode = matmulLoadMode(which, t, batchShape);
  const fn = which === 'a' ? 'fn loadA(i: i32, k: i32)' : 'fn loadB(k: i32, j: i32)';
  const row = which === 'a' ? 'i' : 'k', col = which === 'a' ? 'k' : 'j';
  const base = `${which}Base`;
  const code = (P: number) => {
    const addr = `${base} + ${row} * prm[${P}] + ${col} * prm[${P + 1}]`;
    if (mode === 'scalar') return `${fn} -> ${T} { return ${load(which, addr, t.dtype, T)}; }`;
    // Every term of the address is a multiple of 4 except the vector axis's index, itself a multiple of 4.
    return `${fn} -> vec4<${T}> { return ${which}[(${addr}) / 4]; }`;
  };
  // A scalar operand is walked along whichever axis is contiguous, so neighbouring invocations read neighbours.
  const innerContiguous = which === 'a' ? sc === 1 : sr === 1;
  return {
    mode, fast: innerContiguous ? 'k' : 'mn',
    elem: mode === 'scalar' ? storageType(t.dtype) : `vec4<${T}>`,
    code, params: [sr, sc], base: t.offset, batchStrides: bs, buffer: bufferOf(t),
  };
}

export function matmulGpu(a: Tensor, b: Tensor, batchShape: number[]): Tensor {
  return product(a, b, batchShape, null, 'matmul');
}

/**
 * The Linear hook: x [M, K] @ weightᵀ + bias in one GEMM, the bias added in the epilogue (the output is
 * written once instead of written, read and written again by a separate add). weightᵀ is read as a view.
 */
export function linearGpu(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  return product(x, weight.transpose(0, 1), [], bias, 'linear');
}

function product(a: Tensor, b: Tensor, batchShape: number[], bias: Tensor | null, label: string): Tensor {
  const M = a.shape[a.ndim - 2], K = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  let batch = 1;
  for (const d of batchShape) batch *= d;
  if (batch * M * N === 0) return emptyGpu([...batchShape, M, N], a.dtype, label);
  // The product over an empty K is all zeros (plus the bias, added to 0 as the composite does: -0 becomes 0).
  if (K === 0) {
    const shape = [...batchShape, M, N];
    if (!bias) return fill(shape, 0, a.dtype);
    const t = computeType(a.dtype);
    return elementwiseNew(label, `${t}(0) + x0`, t, [operand(bias, shape, t)], shape, a.dtype);
  }
  const y = emptyGpu([...batchShape, M, N], a.dtype, label);
  const T = a.dtype === 'float32' ? 'f32' : 'i32';
  gemm({
    M, N, K, batchShape, T, label,
    a: stridedOperand('a', a, T, batchShape), b: stridedOperand('b', b, T, batchShape),
    out: bufferOf(y), outDtype: a.dtype,
    bias: bias ? { buffer: bufferOf(bias), offset: bias.offset, stride: bias.strides[0], dtype: bias.dtype } : undefined,
  });
  return y;
}
