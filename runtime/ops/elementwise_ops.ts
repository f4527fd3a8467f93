/**
 * The elementwise ops, one definition each: its name, its dtype rule and its gradient. This file is the only
 * place an elementwise op is declared — `torch.<name>`, the Tensor method `x.<name>()`, the primitive list
 * (primitives.ts) and the completeness test all derive from these exports. Its kernels are a row in
 * backends/elementwise_kernels.ts; its TensorFlow.js mapping is a row in mappings/table/math.ts.
 *
 * Every export here must be an op (torch.ts re-exports the whole module), and its export name is its op name.
 * Gradients are written with differentiable ops, so double backward works; their return types are spelled out
 * because the Tensor methods they call are themselves derived from this file (TypeScript would otherwise see a
 * cycle).
 */
import type { Tensor } from '../tensor.js';
import { binaryOp, once, thresholdBackward, unaryOp, where, type Grads } from './elementwise.js';

/** Piecewise-constant functions have zero gradient almost everywhere. */
const zeroGrad = (_x: Tensor, _y: Tensor, g: Tensor): Tensor => g.mul(0);

// ---- unary ------------------------------------------------------------------------------------------------
export const neg = unaryOp('neg', { grad: (_x, _y, g): Tensor => g.neg() });
export const abs = unaryOp('abs', { grad: (x, _y, g): Tensor => g.mul(x.sign()) });
export const sign = unaryOp('sign', { grad: zeroGrad });
export const exp = unaryOp('exp', { dtype: 'float', grad: (_x, y, g): Tensor => g.mul(y) });
export const expm1 = unaryOp('expm1', { dtype: 'float', grad: (_x, y, g): Tensor => g.mul(y.add(1)) });
export const log = unaryOp('log', { dtype: 'float', grad: (x, _y, g): Tensor => g.div(x) });
export const log1p = unaryOp('log1p', { dtype: 'float', grad: (x, _y, g): Tensor => g.div(x.add(1)) });
export const log2 = unaryOp('log2', { dtype: 'float', grad: (x, _y, g): Tensor => g.div(x.mul(Math.LN2)) });
export const sqrt = unaryOp('sqrt', { dtype: 'float', grad: (_x, y, g): Tensor => g.div(y.mul(2)) });
export const rsqrt = unaryOp('rsqrt', { dtype: 'float', grad: (_x, y, g): Tensor => g.mul(y.pow(3)).mul(-0.5) });
export const reciprocal = unaryOp('reciprocal', { dtype: 'float', grad: (_x, y, g): Tensor => g.mul(y.square()).neg() });
export const square = unaryOp('square', { grad: (x, _y, g): Tensor => g.mul(x).mul(2) });
export const sin = unaryOp('sin', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.cos()) });
export const cos = unaryOp('cos', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.sin()).neg() });
export const tan = unaryOp('tan', { dtype: 'float', grad: (_x, y, g): Tensor => g.mul(y.square().add(1)) });
export const asin = unaryOp('asin', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.square().neg().add(1).rsqrt()) });
export const acos = unaryOp('acos', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.square().neg().add(1).rsqrt()).neg() });
export const atan = unaryOp('atan', { dtype: 'float', grad: (x, _y, g): Tensor => g.div(x.square().add(1)) });
export const sinh = unaryOp('sinh', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.cosh()) });
export const cosh = unaryOp('cosh', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.sinh()) });
export const tanh = unaryOp('tanh', { dtype: 'float', grad: (_x, y, g): Tensor => g.mul(y.square().neg().add(1)) });
export const asinh = unaryOp('asinh', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.square().add(1).rsqrt()) });
export const acosh = unaryOp('acosh', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.square().sub(1).rsqrt()) });
export const atanh = unaryOp('atanh', { dtype: 'float', grad: (x, _y, g): Tensor => g.div(x.square().neg().add(1)) });
export const sigmoid = unaryOp('sigmoid', { dtype: 'float', grad: (_x, y, g): Tensor => g.mul(y.mul(y.neg().add(1))) });
// NOTE: the gradient at exactly 0 is 0, as PyTorch and tfjs (x > 0, not x >= 0).
export const relu = unaryOp('relu', { grad: (x, _y, g): Tensor => thresholdBackward(g, x, 0) });
export const floor = unaryOp('floor', { grad: zeroGrad });
export const ceil = unaryOp('ceil', { grad: zeroGrad });
export const round = unaryOp('round', { grad: zeroGrad });
export const trunc = unaryOp('trunc', { grad: zeroGrad });
export const erf = unaryOp('erf', { dtype: 'float', grad: (x, _y, g): Tensor => g.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI))) });
export const logicalNot = unaryOp('logicalNot', { dtype: 'bool' });
export const isnan = unaryOp('isnan', { dtype: 'bool' });
export const isinf = unaryOp('isinf', { dtype: 'bool' });
export const isfinite = unaryOp('isfinite', { dtype: 'bool' });

// ---- binary -----------------------------------------------------------------------------------------------
// Gradients are [dL/da, dL/db] before un-broadcasting, each side a thunk so backward computes only what an input
// needs (`x / 2` would otherwise spend kernels on the gradient of a constant).
export const add = binaryOp('add', { onBool: 'logicalOr', saves: 'none', grad: (_a, _b, _y, g): Grads => [() => g, () => g] });
export const sub = binaryOp('sub', { onBool: 'error', saves: 'none', grad: (_a, _b, _y, g): Grads => [() => g, () => g.neg()] });
export const mul = binaryOp('mul', { onBool: 'logicalAnd', grad: (a, b, _y, g): Grads => [() => g.mul(b), () => g.mul(a)] });
// True division of integers gives float32, as in PyTorch.
export const div = binaryOp('div', { dtype: 'float', grad: (a, b, _y, g): Grads => [() => g.div(b), () => g.mul(a).div(b.square()).neg()] });
export const pow = binaryOp('pow', {
  dtype: 'pow', onBool: 'int32', saves: 'all',
  grad: (a, b, y, g): Grads => [
    () => g.mul(b).mul(a.pow(b.sub(1))),
    // NOTE: d/db a^b = a^b ln a; defined as 0 where a == 0 (PyTorch's convention) instead of NaN.
    () => g.mul(y).mul(where(a.eq(0), 0, a.log())),
  ],
});
// Ties split the gradient evenly, as PyTorch's maximum/minimum.
export const maximum = binaryOp('maximum', {
  grad: (a, b, _y, g): Grads => {
    const w = once(() => a.gt(b).add(a.eq(b).mul(0.5)));
    return [() => g.mul(w()), () => g.mul(w().neg().add(1))];
  },
});
export const minimum = binaryOp('minimum', {
  grad: (a, b, _y, g): Grads => {
    const w = once(() => a.lt(b).add(a.eq(b).mul(0.5)));
    return [() => g.mul(w()), () => g.mul(w().neg().add(1))];
  },
});
export const atan2 = binaryOp('atan2', {
  dtype: 'float',
  grad: (a, b, _y, g): Grads => {
    const d = once(() => a.square().add(b.square()));
    return [() => g.mul(b).div(d()), () => g.mul(a).neg().div(d())];
  },
});
export const floorDivide = binaryOp('floorDivide', { onBool: 'int32', intDivision: true, grad: (_a, _b, _y, g): Grads => [() => g.mul(0), () => g.mul(0)] });
export const remainder = binaryOp('remainder', { onBool: 'int32', intDivision: true, grad: (a, b, _y, g): Grads => [() => g, () => g.mul(a.div(b).floor()).neg()] });
export const eq = binaryOp('eq', { dtype: 'bool' });
export const ne = binaryOp('ne', { dtype: 'bool' });
export const lt = binaryOp('lt', { dtype: 'bool' });
export const le = binaryOp('le', { dtype: 'bool' });
export const gt = binaryOp('gt', { dtype: 'bool' });
export const ge = binaryOp('ge', { dtype: 'bool' });
export const logicalAnd = binaryOp('logicalAnd', { dtype: 'bool' });
export const logicalOr = binaryOp('logicalOr', { dtype: 'bool' });
export const logicalXor = binaryOp('logicalXor', { dtype: 'bool' });
