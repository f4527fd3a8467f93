/// <reference types="@webgpu/types" />
/**
 * WebGPU Gather and Scatter (PyTorch semantics along one dim).
 *
 * Gather: one invocation per output element. Scatter: one invocation per index *fiber* (all coordinates but
 * `dim`), walking the fiber in order; two fibers never write the same output fiber, so there are no races,
 * "assign" keeps the last write like the CPU, and "add" needs no float atomics (WGSL has none).
 *
 * Out-of-range indices cannot raise from inside a kernel: gather gives 0 and scatter skips them, and both record
 * the first bad index in the backend's error record (index_errors.ts), which the next read turns into a thrown
 * RangeError naming `op` (the op the user called), the value and the valid range. No read-back per op.
 */
import type { Tensor } from '../../tensor.js';
import { contiguousStrides, numel } from '../../shape.js';
import { dispatch, grid } from './commands.js';
import { operand, runElementwise } from './elementwise.js';
import { pipelineFor } from './pipelines.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { storageType } from './wgsl.js';
import { indexCheckTag, indexErrorBuffer, indexErrorWgsl } from './index_errors.js';

const WG = 256;
const MAIN = `@compute @workgroup_size(${WG})\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

export function gatherGpu(x: Tensor, dim: number, index: Tensor, op = 'gather'): Tensor {
  const T = storageType(x.dtype);
  const y = emptyGpu(index.shape.slice(), x.dtype, 'gather');
  const n = index.numel();
  if (n === 0) return y;
  const nd = index.ndim;
  // meta: [n, size, xOff, iOff, shape[nd], xStrides[nd], iStrides[nd], tag]
  let walk = '';
  for (let d = nd - 1; d >= 0; d--) {
    const xs = d === dim ? '' : ` px += c * prm[${4 + nd + d}];`;
    walk += `  { let c = rem % prm[${4 + d}]; rem = rem / prm[${4 + d}]; pi += c * prm[${4 + 2 * nd + d}];${xs} }\n`;
  }
  const code = `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<${T}>;
@group(0) @binding(2) var<storage, read> x: array<${T}>;
@group(0) @binding(3) var<storage, read> index: array<i32>;
${indexErrorWgsl(4)}
${MAIN} {
  let i = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (i >= prm[0]) { return; }
  var rem = i; var px = prm[2]; var pi = prm[3];
${walk}
  let k = index[pi];
  if (k < 0 || k >= prm[1]) { reportBadIndex(prm[${4 + 3 * nd}], k, i); out[i] = ${T}(0); return; }
  out[i] = x[px + k * prm[${4 + nd + dim}]];
}`;
  const tag = indexCheckTag({ op, dim, size: x.shape[dim], indexShape: index.shape.slice(), indexStrides: index.strides.slice(), inputShape: x.shape.slice() });
  const meta = [n, x.shape[dim], x.offset, index.offset, ...index.shape, ...x.strides, ...index.strides, tag];
  dispatch(pipelineFor(code, 'gather'), [bufferOf(y), bufferOf(x), bufferOf(index), indexErrorBuffer()], meta, grid(n, WG));
  return y;
}

export function scatterGpu(x: Tensor, dim: number, index: Tensor, src: Tensor, mode: 'assign' | 'add', op = 'scatter'): Tensor {
  for (let d = 0; d < index.ndim; d++) {
    if (d !== dim && index.shape[d] > x.shape[d]) {
      throw new RangeError(`${op}: index [${index.shape.join(', ')}] is larger than self [${x.shape.join(', ')}] at dim ${d}`);
    }
  }
  const T = storageType(x.dtype);
  const C = x.dtype === 'float32' ? 'f32' : 'i32';
  const y = emptyGpu(x.shape.slice(), x.dtype, 'scatter');
  const yStrides = contiguousStrides(x.shape);
  const load = C === 'f32' ? 'f32' : 'i32';
  runElementwise('scatter:copy', 'x0', load, { buffer: bufferOf(y), offset: 0, strides: yStrides, dtype: x.dtype }, [operand(x, x.shape, load)], x.shape.slice());
  const nd = index.ndim;
  const len = index.shape[dim];
  const fibers = len === 0 ? 0 : numel(index.shape) / len;
  if (fibers === 0) return y;
  // meta: [fibers, len, size, iOff, sOff, shape[nd], outStrides[nd], iStrides[nd], sStrides[nd], tag,
  // iContiguousStrides[nd]]; the walk skips `dim` (its shape entry is treated as 1 by the host).
  const shapeNoDim = index.shape.map((s, d) => (d === dim ? 1 : s));
  const tagAt = 5 + 4 * nd;
  let walk = '';
  // Only on a bad index: the element's row-major position in index, for the error message.
  let position = `var pl = j * prm[${tagAt + 1 + dim}]; var r = f;`;
  for (let d = nd - 1; d >= 0; d--) {
    if (d === dim) continue;
    walk += `  { let c = rem % prm[${5 + d}]; rem = rem / prm[${5 + d}]; po += c * prm[${5 + nd + d}]; pi += c * prm[${5 + 2 * nd + d}]; ps += c * prm[${5 + 3 * nd + d}]; }\n`;
    position += ` pl += (r % prm[${5 + d}]) * prm[${tagAt + 1 + d}]; r = r / prm[${5 + d}];`;
  }
  const write = mode === 'add' ? `out[po + k * prm[${5 + nd + dim}]] = ${T}(${C}(out[po + k * prm[${5 + nd + dim}]]) + ${C}(src[ps]))` : `out[po + k * prm[${5 + nd + dim}]] = src[ps]`;
  const code = `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<${T}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<${T}>;
${indexErrorWgsl(4)}
${MAIN} {
  let f = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (f >= prm[0]) { return; }
  var rem = f; var po = 0; var pi = prm[3]; var ps = prm[4];
${walk}
  for (var j = 0; j < prm[1]; j++) {
    let k = index[pi];
    if (k >= 0 && k < prm[2]) { ${write}; } else { ${position} reportBadIndex(prm[${tagAt}], k, pl); }
    pi += prm[${5 + 2 * nd + dim}];
    ps += prm[${5 + 3 * nd + dim}];
  }
}`;
  const tag = indexCheckTag({ op, dim, size: x.shape[dim], indexShape: index.shape.slice(), indexStrides: index.strides.slice(), inputShape: x.shape.slice() });
  const meta = [fibers, len, x.shape[dim], index.offset, src.offset, ...shapeNoDim, ...yStrides, ...index.strides, ...src.strides, tag, ...contiguousStrides(index.shape)];
  dispatch(pipelineFor(code, `scatter:${mode}`), [bufferOf(y), bufferOf(index), bufferOf(src), indexErrorBuffer()], meta, grid(fibers, WG));
  return y;
}
