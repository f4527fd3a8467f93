/// <reference types="@webgpu/types" />
/**
 * WebGPU Reduce kernel: one workgroup of 64 invocations per output element. Each invocation folds a strided
 * subset of the reduced elements in order, then a tree in workgroup memory combines the partial results.
 * Any input strides are read directly (kept and reduced dims are walked separately), so reducing a
 * transposed or non-adjacent set of dims needs no copy. arg* ties go to the lowest index and the first NaN
 * wins, as on the CPU (PyTorch's rules).
 */
import type { Tensor } from '../../tensor.js';
import type { ReduceOp } from '../../ops/primitives.js';
import { numel } from '../../shape.js';
import { dispatch, grid } from './commands.js';
import { pipelineFor } from './pipelines.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { HELPERS, load, storageType, store } from './wgsl.js';

const WG = 64;

function source(op: ReduceOp, inDtype: Tensor['dtype'], outDtype: Tensor['dtype'], kr: number, rr: number): string {
  const T = inDtype === 'float32' ? 'f32' : 'i32';
  const isMax = op === 'max' || op === 'argmax';
  const isMin = op === 'min' || op === 'argmin';
  const keptShape = (d: number) => `prm[${3 + d}]`, keptStride = (d: number) => `prm[${3 + kr + d}]`;
  const redShape = (d: number) => `prm[${3 + 2 * kr + d}]`, redStride = (d: number) => `prm[${3 + 2 * kr + rr + d}]`;
  const nan = (x: string) => (T === 'f32' ? `isnan_(${x})` : 'false');
  // (v, k) replaces (m, j): the better value, or the same value at a lower index; an empty slot (j < 0) always loses.
  const better = isMax || isMin
    ? `fn better(v: ${T}, k: i32, m: ${T}, j: i32) -> bool {
  if (k < 0) { return false; }
  if (j < 0) { return true; }
  if (${nan('m')}) { return ${nan('v')} && k < j; }
  if (${nan('v')}) { return true; }
  if (v == m) { return k < j; }
  return v ${isMax ? '>' : '<'} m;
}`
    : '';
  const identity = op === 'prod' ? `${T}(1)` : `${T}(0)`;
  const combine = op === 'sum' ? 'acc = acc + v;' : op === 'prod' ? 'acc = acc * v;' : 'if (better(v, r, acc, idx)) { acc = v; idx = r; }';
  const merge = op === 'sum' ? 'sv[l] = sv[l] + sv[l + s];' : op === 'prod' ? 'sv[l] = sv[l] * sv[l + s];'
    : 'if (better(sv[l + s], si[l + s], sv[l], si[l])) { sv[l] = sv[l + s]; si[l] = si[l + s]; }';
  const result = op === 'argmax' || op === 'argmin' ? 'si[0]' : 'sv[0]';
  const resultType = op === 'argmax' || op === 'argmin' ? 'i32' : T;
  let keptWalk = '';
  for (let d = kr - 1; d >= 0; d--) keptWalk += `  { let c = rem % ${keptShape(d)}; rem = rem / ${keptShape(d)}; base += c * ${keptStride(d)}; }\n`;
  let redWalk = '';
  for (let d = rr - 1; d >= 0; d--) redWalk += `    { let c = rr % ${redShape(d)}; rr = rr / ${redShape(d)}; p += c * ${redStride(d)}; }\n`;
  return `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(outDtype)}>;
@group(0) @binding(2) var<storage, read> x: array<${storageType(inDtype)}>;
${HELPERS}
${better}
var<workgroup> sv: array<${T}, ${WG}>;
var<workgroup> si: array<i32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = i32(wid.x + wid.y * nwg.x);
  if (o >= prm[0]) { return; }
  let R = prm[1];
  var rem = o; var base = prm[2];
${keptWalk}
  var acc = ${identity}; var idx = -1;
  for (var r = i32(lid.x); r < R; r += ${WG}) {
    var rr = r; var p = base;
${redWalk}
    let v = ${load('x', 'p', inDtype, T)};
    ${combine}
  }
  let l = lid.x;
  sv[l] = acc; si[l] = idx;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (l < s) { ${merge} }
    workgroupBarrier();
  }
  if (l == 0u) { out[o] = ${store(result, resultType, outDtype)}; }
}`;
}

export function reduceGpu(op: ReduceOp, x: Tensor, allDims: number[]): Tensor {
  // A 0-d tensor reduced over dim 0 reduces nothing (as on the CPU).
  const dims = allDims.filter((d) => d < x.ndim);
  const isArg = op === 'argmax' || op === 'argmin';
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const outShape = kept.map((i) => x.shape[i]);
  const outDtype = isArg ? 'int32' : x.dtype;
  let R = 1;
  for (const d of dims) R *= x.shape[d];
  if (R === 0 && op !== 'sum' && op !== 'prod') {
    throw new RangeError(`${op}: cannot reduce over a zero-size dimension (input shape [${x.shape.join(', ')}]); there is no identity for ${op}`);
  }
  const y = emptyGpu(outShape, outDtype, op);
  const nOut = numel(outShape);
  if (nOut === 0) return y;
  const code = source(op, x.dtype, outDtype, kept.length, dims.length);
  const meta = [nOut, R, x.offset, ...kept.map((i) => x.shape[i]), ...kept.map((i) => x.strides[i]), ...dims.map((i) => x.shape[i]), ...dims.map((i) => x.strides[i])];
  dispatch(pipelineFor(code, `reduce:${op}`), [bufferOf(y), bufferOf(x)], meta, grid(nOut, 1));
  return y;
}
