/// <reference types="@webgpu/types" />
/**
 * WebGPU elementwise kernels: Unary, Binary, Where, Cast, Copy and fills. One generated shader per
 * (expression, dtypes, rank): operands are read through (offset, strides) so broadcast and transposed views
 * need no copy, and shapes are collapsed first so contiguous tensors become a rank-1 loop.
 */
import type { DType } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { broadcastStrides, contiguousStrides, numel } from '../../shape.js';
import { collapse } from '../cpu/codegen.js';
import { countUpload, dispatch, floatBits, grid } from './commands.js';
import { gpuContext } from './context.js';
import { pipelineFor } from './pipelines.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { HELPERS, load, store, storageType } from './wgsl.js';

const WG = 256;

export interface Operand { buffer: GPUBuffer; offset: number; strides: readonly number[]; dtype: DType; loadAs: 'f32' | 'i32' }

/** The operand view of tensor `t` broadcast to `shape`. */
export function operand(t: Tensor, shape: number[], loadAs: 'f32' | 'i32'): Operand {
  return { buffer: bufferOf(t), offset: t.offset, strides: broadcastStrides(t.shape, t.strides, shape), dtype: t.dtype, loadAs };
}

function shaderSource(rank: number, outDtype: DType, ops: Operand[], expr: string, exprType: 'f32' | 'i32' | 'bool'): string {
  const R = rank;
  const offO = 1 + R;
  const offIn = (k: number) => 1 + R + (k + 1) * (1 + R);
  const lines: string[] = [];
  lines.push('@group(0) @binding(0) var<storage, read> prm: array<i32>;');
  lines.push(`@group(0) @binding(1) var<storage, read_write> out: array<${storageType(outDtype)}>;`);
  ops.forEach((o, k) => lines.push(`@group(0) @binding(${k + 2}) var<storage, read> in${k}: array<${storageType(o.dtype)}>;`));
  lines.push(HELPERS);
  lines.push(`@compute @workgroup_size(${WG})`);
  lines.push('fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {');
  lines.push(`  let i = i32(gid.x + gid.y * nwg.x * ${WG}u);`);
  lines.push('  if (i >= prm[0]) { return; }');
  lines.push(`  var rem = i; var o = prm[${offO}];`);
  ops.forEach((_, k) => lines.push(`  var q${k} = prm[${offIn(k)}];`));
  for (let d = R - 1; d >= 0; d--) {
    const upd = ops.map((_, k) => `q${k} += c * prm[${offIn(k) + 1 + d}];`).join(' ');
    lines.push(`  { let s = prm[${1 + d}]; let c = rem % s; rem = rem / s; o += c * prm[${offO + 1 + d}]; ${upd} }`);
  }
  ops.forEach((op, k) => lines.push(`  let x${k} = ${load(`in${k}`, `q${k}`, op.dtype, op.loadAs)};`));
  lines.push(`  out[o] = ${store(`(${expr})`, exprType, outDtype)};`);
  lines.push('}');
  return lines.join('\n');
}

/**
 * out (a view: buffer, offset, strides over `shape`) = expr(x0, x1, ...). `expr` has type `exprType`;
 * operands are loaded as their `loadAs` type.
 */
export function runElementwise(
  label: string, expr: string, exprType: 'f32' | 'i32' | 'bool',
  out: { buffer: GPUBuffer; offset: number; strides: readonly number[]; dtype: DType },
  ops: Operand[], shape: number[],
): void {
  const n = numel(shape);
  if (n === 0) return;
  const c = collapse(shape, [out.strides, ...ops.map((o) => o.strides)]);
  const R = c.shape.length;
  const pipeline = pipelineFor(shaderSource(R, out.dtype, ops, expr, exprType), label);
  const meta: number[] = [n, ...c.shape, out.offset, ...c.strides[0]];
  ops.forEach((o, k) => meta.push(o.offset, ...c.strides[k + 1]));
  dispatch(pipeline, [out.buffer, ...ops.map((o) => o.buffer)], meta, grid(n, WG));
}

/** A new contiguous tensor = expr over operands broadcast to `shape`. */
export function elementwiseNew(label: string, expr: string, exprType: 'f32' | 'i32' | 'bool', ops: Operand[], shape: number[], outDtype: DType): Tensor {
  const y = emptyGpu(shape, outDtype, label);
  runElementwise(label, expr, exprType, { buffer: bufferOf(y), offset: 0, strides: contiguousStrides(shape), dtype: outDtype }, ops, shape);
  return y;
}

/**
 * Up to `uploadMax` elements a fill is uploaded instead of dispatched. Most fills are the scalar constants of
 * composite ops (the 0 of x > 0, the 1 that seeds backward, an ignore index): a dispatch each is a pipeline
 * switch, a bind group and a parameter slot, while a 256-byte upload rides the queue's staging memory. The
 * upload is ordered before the pending batch, which is safe because the pool never hands out a buffer that
 * batch still uses (buffer_pool.ts). Mutable so tests and bench/webgpu.ts can measure the dispatched path.
 */
export const fillOptions = { uploadMax: 64 };

/** Fills a new tensor with a constant (passed as bits, so inf/NaN fill too). */
export function fill(shape: number[], value: number, dtype: DType): Tensor {
  const y = emptyGpu(shape, dtype, 'full');
  const n = numel(shape);
  if (n === 0) return y;
  const st = storageType(dtype);
  const bits = fillBits(value, dtype);
  if (n <= fillOptions.uploadMax) {
    countUpload();
    const host = new Int32Array(n).fill(bits);
    gpuContext().queue.writeBuffer(bufferOf(y), 0, host.buffer, 0, n * 4);
    return y;
  }
  const code = `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<${st}>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (i >= prm[0]) { return; }
  out[i] = bitcast<${st}>(prm[1]);
}`;
  dispatch(pipelineFor(code, 'full'), [bufferOf(y)], [n, bits], grid(n, WG));
  return y;
}

/** The storage bits of `value` as a `dtype` element (f32 bits, a truncated i32, or 0/1 for bool). */
function fillBits(value: number, dtype: DType): number {
  if (dtype === 'float32') return floatBits(value);
  if (dtype === 'bool') return value !== 0 || Number.isNaN(value) ? 1 : 0;
  return Number.isFinite(value) ? Math.trunc(value) | 0 : 0;
}
