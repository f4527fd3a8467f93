/** matmul and its relatives on the Matmul primitive. */
import { Tensor } from '../tensor.js';
import { broadcastShapes, fmtShape } from '../shape.js';
import { backendOf, binaryOperands, checkTensor, record } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { noGrad } from '../autograd/grad_mode.js';
import { reshape, squeeze, sumTo, transpose, unsqueeze } from './view.js';

/**
 * `matmul(a, b)` with PyTorch's rules: 1-D·1-D is a dot product, 1-D operands get a dim prepended/appended
 * (and removed after), leading batch dims broadcast.
 */
export function matmul(aIn: Tensor, bIn: Tensor): Tensor {
  checkTensor(aIn, 'matmul', 'input');
  checkTensor(bIn, 'matmul', 'other');
  if (aIn.ndim === 0 || bIn.ndim === 0) {
    throw new RangeError(`matmul: both arguments need at least 1 dimension, got input ${fmtShape(aIn.shape)} and other ${fmtShape(bIn.shape)}`);
  }
  const [a0, b0] = binaryOperands(aIn, bIn, 'matmul');
  const a = a0.ndim === 1 ? unsqueeze(a0, 0) : a0;
  const b = b0.ndim === 1 ? unsqueeze(b0, 1) : b0;
  const K = a.shape[a.ndim - 1];
  if (b.shape[b.ndim - 2] !== K) {
    throw new RangeError(
      `matmul: input ${fmtShape(aIn.shape)} and other ${fmtShape(bIn.shape)} cannot be multiplied ` +
        `(${K} columns in input vs ${b.shape[b.ndim - 2]} rows in other)`,
    );
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul (batch dims)');
  let out = mm(a, b, batch);
  if (a0.ndim === 1) out = squeeze(out, -2);
  if (b0.ndim === 1) out = squeeze(out, -1);
  return out;
}

/** Batched product of [..., M, K] and [..., K, N]; gradient rules are matmuls with transposed views. */
function mm(a: Tensor, b: Tensor, batch: number[]): Tensor {
  const out = backendOf(a).matmul(a, b, batch);
  if (activeTracer !== null) traceOp(out, 'MatMul', [a, b]);
  const aShape = a.shape, bShape = b.shape;
  return record(out, 'Mm', [a, b], (g) => [
    a.requiresGrad ? sumTo(matmul(g, transpose(b, -1, -2)), aShape) : null,
    b.requiresGrad ? sumTo(matmul(transpose(a, -1, -2), g), bShape) : null,
  ], [a, b]);
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'bmm', 'input');
  checkTensor(b, 'bmm', 'mat2');
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new RangeError(`bmm: expected two 3-D tensors with the same batch size, got input ${fmtShape(a.shape)} and mat2 ${fmtShape(b.shape)}`);
  }
  return matmul(a, b);
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new RangeError(`dot: expected two 1-D tensors of the same length, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return matmul(a, b);
}

export function mv(a: Tensor, v: Tensor): Tensor {
  if (a.ndim !== 2 || v.ndim !== 1) throw new RangeError(`mv: expected a 2-D matrix and a 1-D vector, got ${fmtShape(a.shape)} and ${fmtShape(v.shape)}`);
  return matmul(a, v);
}

export function outer(a: Tensor, b: Tensor): Tensor {
  return reshape(a, [-1, 1]).mul(reshape(b, [1, -1]));
}

/**
 * y = x Wᵀ + b, with W [out, in] (PyTorch's layout; tfjs Dense kernels are [in, out]).
 * One node with the weight gradient computed as gᵀx directly, so it comes out contiguous in W's layout
 * (going through a transposed view would cost a strided copy of the whole gradient every step).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(x, 'linear', 'input');
  checkTensor(weight, 'linear', 'weight');
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new RangeError(`linear: input ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)} are incompatible (expected input [..., ${weight.shape[1]}] for weight [out, in])`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new RangeError(`linear: bias ${fmtShape(bias.shape)} does not match weight ${fmtShape(weight.shape)} (expected [${weight.shape[0]}])`);
  }
  if (x.dtype !== weight.dtype || (bias && bias.dtype !== weight.dtype)) {
    throw new TypeError(`linear: input (${x.dtype}), weight (${weight.dtype})${bias ? ` and bias (${bias.dtype})` : ''} must have the same dtype; convert with .to('${weight.dtype}')`);
  }
  const [O, I] = weight.shape;
  const x2 = x.ndim === 2 ? x : reshape(x, [-1, I]);
  const be = backendOf(x);
  const y2 = noGrad(() => {
    // The backend's fused hook adds the bias inside the GEMM (WebGPU); otherwise Matmul then Binary(add).
    if (bias && be.linear) return be.linear(x2, weight, bias);
    const y = be.matmul(x2, transpose(weight, 0, 1), []);
    return bias ? y.add(bias) : y;
  });
  const out = x.ndim === 2 ? y2 : reshape(y2, [...x.shape.slice(0, -1), O]);
  const xShape = x.shape;
  if (activeTracer !== null) traceOp(out, 'Linear', [x, weight, bias ?? null]);
  return record(out, 'Linear', [x, weight, bias ?? null], (g) => {
    const g2 = g.ndim === 2 ? g : reshape(g, [-1, O]);
    return [
      x.requiresGrad ? reshape(matmul(g2, weight), xShape) : null,
      weight.requiresGrad ? matmul(transpose(g2, 0, 1), x2) : null,
      bias && bias.requiresGrad ? g2.sum(0) : null,
    ];
  }, [x2, weight]);
}
