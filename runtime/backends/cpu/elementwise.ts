/**
 * CPU elementwise kernels: the `js` expressions of backends/elementwise_kernels.ts, inlined by codegen.ts into
 * one loop per op and array types, with the helper functions they call.
 */
import { elementwiseKernel, type Operand, collapse } from './codegen.js';
import type { TypedArray } from '../../dtype.js';

export const HELPERS = `
function erf(x) {
  // Abramowitz-Stegun 7.1.26 is only 1e-7 accurate; use the series/continued-fraction split for ~1e-15.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = x, term = x, x2 = x * x;
    for (let n = 1; n < 80; n++) { term *= -x2 / n; const t = term / (2 * n + 1); sum += t; if (Math.abs(t) < 1e-17 * Math.abs(sum)) break; }
    return sum * 1.1283791670955126;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  // erfc continued fraction (Lentz) for the tail.
  let f = ax, C = ax, D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D; D = D === 0 ? 1e-300 : 1 / D;
    C = ax + an / C; if (C === 0) C = 1e-300;
    const delta = C * D; f *= delta; if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * 1.7724538509055159);
  return x > 0 ? 1 - erfc : erfc - 1;
}
function roundHalfEven(x) {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0) ? r - 1 : r;
}
function relu(x) {
  const r = x * +(x > 0) + 0; // + 0 turns the -0 of a negative x into 0
  return r === r ? r : x !== x ? x : 0;
}
function pyRemainder(a, b) { const r = a % b; return (r !== 0 && (r < 0) !== (b < 0)) ? r + b : r; }
`;

const TAG = new Map<unknown, string>([[Float32Array, 'f'], [Float64Array, 'd'], [Int32Array, 'i'], [Uint8Array, 'b']]);

/** Runs `expr` over operands already broadcast to `shape`, writing a strided or contiguous output. */
export function runElementwise(
  key: string, expr: string, arity: number,
  out: TypedArray, outOffset: number, outStrides: readonly number[],
  operands: Operand[], shape: readonly number[], params: number[] = [],
): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) return;
  const c = collapse(shape, [outStrides, ...operands.map((o) => o.strides)]);
  const ops = operands.map((o, i) => ({ data: o.data, offset: o.offset, strides: c.strides[i + 1] }));
  // One compiled loop per array-type combination keeps every element access monomorphic for the JIT.
  let typed = key + ':' + TAG.get(out.constructor)!;
  for (const o of operands) typed += TAG.get(o.data.constructor)!;
  elementwiseKernel(typed, arity, expr, HELPERS)(out, outOffset, c.strides[0], ops, c.shape, params);
}
