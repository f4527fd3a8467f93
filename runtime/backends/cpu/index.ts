/** The CPU backend: typed arrays, generated elementwise loops, a WebAssembly SIMD GEMM. */
import { allocArray, type DType, type TypedArray } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import { broadcastStrides, contiguousStrides } from '../../shape.js';
import { type Backend, type AdamParams, registerBackend } from '../backend.js';
import { runElementwise } from './elementwise.js';
import { BINARY_KERNELS, UNARY_KERNELS } from '../elementwise_kernels.js';
import { contiguousOf, reduceKernel } from './reduce.js';
import { matmulKernel } from './matmul.js';
import { foldKernel, maxPoolKernel, unfoldKernel } from './window.js';
import { gatherKernel, scatterKernel } from './indexing.js';
import { adamStepWasm } from './wasm/adam.js';
import { adamStepResident } from './wasm/resident.js';
import { biasAddF32, thresholdBackwardF32 } from './wasm/linear.js';

function make(data: TypedArray, shape: number[], dtype: DType): Tensor {
  return Tensor.fromData(data, shape, dtype, 'cpu');
}

function operand(t: Tensor, shape: number[]) {
  return { data: t.storage.data, offset: t.offset, strides: broadcastStrides(t.shape, t.strides, shape) };
}

function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export const cpuBackend: Backend = {
  device: 'cpu',

  fromData(data, shape, dtype) {
    return make(data, shape, dtype);
  },

  full(shape, value, dtype) {
    const data = allocArray(dtype, sizeOf(shape));
    data.fill(value);
    return make(data, shape, dtype);
  },

  unary(op, x, outDtype) {
    const out = allocArray(outDtype, x.numel());
    runElementwise(`u:${op}`, UNARY_KERNELS[op].js, 1, out, 0, contiguousStrides(x.shape), [operand(x, x.shape)], x.shape);
    return make(out, x.shape.slice(), outDtype);
  },

  binary(op, a, b, outShape, outDtype) {
    const out = allocArray(outDtype, sizeOf(outShape));
    if (op === 'add' && biasAddFast(a, b, outShape, out)) return make(out, outShape, outDtype);
    runElementwise(`b:${op}`, BINARY_KERNELS[op].js, 2, out, 0, contiguousStrides(outShape), [operand(a, outShape), operand(b, outShape)], outShape);
    return make(out, outShape, outDtype);
  },

  where(cond, a, b, outShape) {
    const out = allocArray(a.dtype, sizeOf(outShape));
    runElementwise('where', '(x0 !== 0 ? x1 : x2)', 3, out, 0, contiguousStrides(outShape),
      [operand(cond, outShape), operand(a, outShape), operand(b, outShape)], outShape);
    return make(out, outShape, a.dtype);
  },

  thresholdBackward(grad, x, threshold, outShape) {
    // ReLU's gradient in one pass: the same values as where(x > threshold, grad, 0), without the bool tensor
    // and the scalar fill between them (3 kernels and 2 allocations a ReLU in a training step).
    const out = allocArray(grad.dtype, sizeOf(outShape));
    const n = out.length;
    if (grad.isContiguous() && x.isContiguous() && grad.numel() === n && x.numel() === n) {
      const G = grad.storage.data, X = x.storage.data, go = grad.offset, xo = x.offset;
      // SIMD masks instead of a branch that mispredicts on every other element (wasm/linear.ts; same bits).
      if (out instanceof Float32Array && G instanceof Float32Array && X instanceof Float32Array && Math.fround(threshold) === threshold &&
          thresholdBackwardF32(G.subarray(go, go + n), X.subarray(xo, xo + n), out, threshold)) return make(out, outShape, grad.dtype);
      for (let i = 0; i < n; i++) out[i] = X[xo + i] > threshold ? G[go + i] : 0;
    } else {
      runElementwise(`tb:${threshold}`, `(x1 > ${String(threshold)} ? x0 : 0)`, 2, out, 0, contiguousStrides(outShape),
        [operand(grad, outShape), operand(x, outShape)], outShape);
    }
    return make(out, outShape, grad.dtype);
  },

  cast(x, dtype) {
    const out = allocArray(dtype, x.numel());
    // NOTE: int32 casts truncate toward zero like PyTorch (a typed-array store would wrap, not truncate, past 2^31).
    const expr = dtype === 'bool' ? '+(x0 !== 0)' : dtype === 'int32' ? 'Math.trunc(x0)' : 'x0';
    runElementwise(`cast:${dtype}`, expr, 1, out, 0, contiguousStrides(x.shape), [operand(x, x.shape)], x.shape);
    return make(out, x.shape.slice(), dtype);
  },

  copy(src, dst) {
    runElementwise('copy', 'x0', 1, dst.storage.data, dst.offset, dst.strides, [operand(src, dst.shape)], dst.shape);
  },

  reduce(op, x, dims) {
    const r = reduceKernel(op, { data: x.storage.data, offset: x.offset, shape: x.shape, strides: x.strides, dtype: x.dtype }, dims);
    return make(r.data, r.shape, op === 'argmax' || op === 'argmin' ? 'int32' : x.dtype);
  },

  matmul(a, b, batchShape) {
    const r = matmulKernel(a, b, batchShape);
    return make(r.data, r.shape, a.dtype);
  },

  unfold(x, g, padValue) {
    const c = contiguousOf(x);
    const out = allocArray(x.dtype, g.n * g.c * g.kh * g.kw * g.outH * g.outW);
    unfoldKernel(c.data, c.offset, g, padValue, out);
    return make(out, [g.n, g.c * g.kh * g.kw, g.outH * g.outW], x.dtype);
  },

  fold(cols, g) {
    const c = contiguousOf(cols);
    return make(foldKernel(c.data, c.offset, g), [g.n, g.c, g.h, g.w], cols.dtype);
  },

  maxPool2d(x, g) {
    const c = contiguousOf(x);
    const values = allocArray(x.dtype, g.n * g.c * g.outH * g.outW);
    const indices = new Int32Array(values.length);
    maxPoolKernel(c.data, c.offset, g, values, indices);
    const shape = [g.n, g.c, g.outH, g.outW];
    return { values: make(values, shape, x.dtype), indices: make(indices, shape.slice(), 'int32') };
  },

  gather(x, dim, index, op) {
    return make(gatherKernel(x, dim, index, op), index.shape.slice(), x.dtype);
  },

  scatter(x, dim, index, src, mode, op) {
    return make(scatterKernel(x, dim, index, src, mode, op), x.shape.slice(), x.dtype);
  },

  random(kind, shape, dtype, gen, a, b) {
    const n = sizeOf(shape);
    const out = allocArray(dtype, n);
    if (kind === 'uniform') for (let i = 0; i < n; i++) out[i] = a + (b - a) * gen.uniform();
    else for (let i = 0; i < n; i++) out[i] = a + b * gen.normal();
    return make(out, shape, dtype);
  },

  softmaxCrossEntropy(logits, target, ignoreIndex) {
    const [N, C] = logits.shape;
    const x = contiguousOf(logits);
    const t = contiguousOf(target);
    const loss = allocArray(logits.dtype, N);
    const sm = allocArray(logits.dtype, N * C);
    const X = x.data, T = t.data;
    const ex = new Float64Array(C);
    for (let n = 0; n < N; n++) {
      const row = x.offset + n * C;
      let m = -Infinity;
      for (let c = 0; c < C; c++) if (X[row + c] > m || X[row + c] !== X[row + c]) m = X[row + c];
      if (m === -Infinity) m = 0; // an all -inf row: keep exp finite-free of NaN
      // exp(x − m) / s for the softmax, one exp per logit: the same float64 value as exp(x − lse) to ~1e-16, so the
      // float32 result differs only when that lands within 1e-16 of a rounding boundary (half the exps of before).
      let s = 0;
      for (let c = 0; c < C; c++) s += (ex[c] = Math.exp(X[row + c] - m));
      const lse = m + Math.log(s);
      for (let c = 0; c < C; c++) sm[n * C + c] = ex[c] / s;
      const k = T[t.offset + n];
      if (k === ignoreIndex) { loss[n] = 0; continue; }
      // F.crossEntropy checks host targets first; direct callers of the op get the check here. Unchecked, an
      // out-of-range class would read a neighbouring row's logit: a wrong loss, silently.
      if (k < 0 || k >= C) throw new RangeError(`softmaxCrossEntropy: target value ${k} at position ${n} is out of range for ${C} classes (valid: 0..${C - 1}, or ignoreIndex ${ignoreIndex})`);
      loss[n] = lse - X[row + k];
    }
    return { loss: make(loss, [N], logits.dtype), softmax: make(sm, [N, C], logits.dtype) };
  },

  adamStep(param, grad, m, v, vmax, p: AdamParams) {
    const P = param.storage.data, G = grad.storage.data, Mv = m.storage.data, V = v.storage.data;
    const po = param.offset, go = grad.offset, mo = m.offset, vo = v.offset;
    const n = param.numel();
    const { lr, beta1, beta2, eps, weightDecay, decoupled } = p;
    const stepSize = lr / p.biasCorrection1;
    // sqrt(v / bc2) as sqrt(v) * (1 / sqrt(bc2)): one division per element instead of two (~30% faster).
    const invSqrtBc2 = 1 / Math.sqrt(p.biasCorrection2);
    const c1 = 1 - beta1, c2 = 1 - beta2;
    if (!vmax && param.dtype === 'float32') {
      // SIMD kernel (wasm/adam.ts); AMSGrad and float64 keep the JS loops below.
      const f32 = (data: TypedArray, o: number) => (data as Float32Array).subarray(o, o + n);
      const scalars = {
        beta1, beta2, stepSize, invSqrtBc2, eps,
        l2: decoupled ? 0 : weightDecay,
        decay: decoupled ? 1 - lr * weightDecay : 1,
      };
      const p4 = f32(P, po), g4 = f32(G, go), m4 = f32(Mv, mo), v4 = f32(V, vo);
      // Buffers a compiled step made resident (wasm/resident.ts) are updated in place; others are copied.
      if (adamStepResident(p4, g4, m4, v4, scalars) || adamStepWasm(p4, g4, m4, v4, scalars)) return;
    }
    if (weightDecay === 0 && !vmax) {
      // The common case, without the decay and AMSGrad branches, on zero-offset views (~25% faster).
      adamPlain(P.subarray(po, po + n), G.subarray(go, go + n), Mv.subarray(mo, mo + n), V.subarray(vo, vo + n), n, beta1, beta2, c1, c2, stepSize, invSqrtBc2, eps);
      return;
    }
    const Vm = vmax ? vmax.storage.data : null;
    const xo = vmax ? vmax.offset : 0;
    const decay = decoupled ? 1 - lr * weightDecay : 1;
    const l2 = decoupled ? 0 : weightDecay;
    for (let i = 0; i < n; i++) {
      let w = P[po + i];
      const g = G[go + i] + l2 * w;
      w *= decay;
      const mi = beta1 * Mv[mo + i] + c1 * g;
      const vi = beta2 * V[vo + i] + c2 * g * g;
      Mv[mo + i] = mi;
      V[vo + i] = vi;
      let vHat = vi;
      if (Vm) { vHat = Math.max(Vm[xo + i], vi); Vm[xo + i] = vHat; }
      P[po + i] = w - (stepSize * mi) / (Math.sqrt(vHat) * invSqrtBc2 + eps);
    }
  },
};

/**
 * Linear's bias add, y [..., N] + bias [N] in float32 (both dense), on SIMD (wasm/linear.ts): the generic
 * broadcasting loop spends ~10 µs on the seed MLP's [64, 10] logits. Same bits; false for any other case.
 */
function biasAddFast(a: Tensor, b: Tensor, outShape: number[], out: TypedArray): boolean {
  const nd = outShape.length;
  if (nd < 2 || !(out instanceof Float32Array) || a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const N = outShape[nd - 1];
  if (a.ndim !== nd || !a.shape.every((d, i) => d === outShape[i]) || !a.isContiguous()) return false;
  if (b.numel() !== N || b.shape[b.ndim - 1] !== N || !b.isContiguous()) return false;
  const A = a.storage.data as Float32Array, B = b.storage.data as Float32Array;
  return biasAddF32(A.subarray(a.offset, a.offset + out.length), B.subarray(b.offset, b.offset + N), out, null, out.length / N, N);
}

function adamPlain(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, n: number, beta1: number, beta2: number, c1: number, c2: number, stepSize: number, invSqrtBc2: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const g = G[i];
    const mi = beta1 * M[i] + c1 * g;
    const vi = beta2 * V[i] + c2 * g * g;
    M[i] = mi;
    V[i] = vi;
    P[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}

registerBackend(cpuBackend);
