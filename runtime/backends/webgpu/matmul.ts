/// <reference types="@webgpu/types" />
/**
 * WebGPU Matmul: a tiled GEMM. Each workgroup computes a BM×BN output tile; each invocation a RB×RB register
 * block of it. A and B tiles (BK deep) are staged in workgroup memory so every loaded element is reused
 * BM (or BN) times from fast memory. Operands are read through their strides, so the transposed views
 * autograd produces (x.T, w.T) are multiplied without a copy; broadcast batch dims have stride 0.
 *
 * The tile is chosen per adapter: 64×64 (16×16 invocations, 4×4 each) where the adapter allows 256
 * invocations and 8 KiB of workgroup memory per workgroup (every WebGPU adapter must), else 32×32.
 */
import type { Tensor } from '../../tensor.js';
import { dispatch } from './commands.js';
import { gpuContext } from './context.js';
import { pipelineFor } from './pipelines.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { load, storageType, store } from './wgsl.js';
import { fill } from './elementwise.js';

interface Tile { ts: number; rb: number; bk: number }

function chooseTile(): Tile {
  const { limits } = gpuContext();
  if (limits.maxComputeInvocationsPerWorkgroup >= 256 && limits.maxComputeWorkgroupStorageSize >= 2 * 16 * 64 * 4) return { ts: 16, rb: 4, bk: 16 };
  return { ts: 8, rb: 4, bk: 16 };
}

function source(dtype: Tensor['dtype'], nb: number, t: Tile): string {
  const T = dtype === 'float32' ? 'f32' : 'i32';
  const B = t.ts * t.rb; // tile side
  const threads = t.ts * t.ts;
  const loadsA = (B * t.bk) / threads;
  let batchWalk = '';
  for (let d = nb - 1; d >= 0; d--) {
    batchWalk += `  { let s = prm[${10 + d}]; let c = rem % s; rem = rem / s; aBase += c * prm[${10 + nb + d}]; bBase += c * prm[${10 + 2 * nb + d}]; }\n`;
  }
  return `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(dtype)}>;
@group(0) @binding(2) var<storage, read> a: array<${storageType(dtype)}>;
@group(0) @binding(3) var<storage, read> b: array<${storageType(dtype)}>;
var<workgroup> As: array<${T}, ${t.bk * B}>;
var<workgroup> Bs: array<${T}, ${t.bk * B}>;
@compute @workgroup_size(${t.ts}, ${t.ts})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let sAr = prm[4]; let sAc = prm[5]; let sBr = prm[7]; let sBc = prm[8];
  var rem = i32(wid.z); var aBase = prm[3]; var bBase = prm[6];
${batchWalk}
  let row0 = i32(wid.y) * ${B}; let col0 = i32(wid.x) * ${B};
  let tid = i32(lid.y * ${t.ts}u + lid.x);
  var acc: array<${T}, ${t.rb * t.rb}>;
  for (var i = 0; i < ${t.rb * t.rb}; i++) { acc[i] = ${T}(0); }
  for (var k0 = 0; k0 < K; k0 += ${t.bk}) {
    for (var l = 0; l < ${loadsA}; l++) {
      let e = tid + l * ${threads};
      // A tile [B rows, BK cols], stored k-major so the inner loop reads consecutive rows.
      let ar = e / ${t.bk}; let ac = e % ${t.bk};
      let gi = row0 + ar; let gk = k0 + ac;
      var va = ${T}(0);
      if (gi < M && gk < K) { va = ${load('a', 'aBase + gi * sAr + gk * sAc', dtype, T)}; }
      As[ac * ${B} + ar] = va;
      // B tile [BK rows, B cols].
      let br = e / ${B}; let bc = e % ${B};
      let gk2 = k0 + br; let gj = col0 + bc;
      var vb = ${T}(0);
      if (gk2 < K && gj < N) { vb = ${load('b', 'bBase + gk2 * sBr + gj * sBc', dtype, T)}; }
      Bs[br * ${B} + bc] = vb;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${t.bk}; kk++) {
      var ra: array<${T}, ${t.rb}>;
      var rb: array<${T}, ${t.rb}>;
      for (var i = 0; i < ${t.rb}; i++) { ra[i] = As[kk * ${B} + i32(lid.y) * ${t.rb} + i]; rb[i] = Bs[kk * ${B} + i32(lid.x) * ${t.rb} + i]; }
      for (var i = 0; i < ${t.rb}; i++) {
        for (var j = 0; j < ${t.rb}; j++) { acc[i * ${t.rb} + j] = acc[i * ${t.rb} + j] + ra[i] * rb[j]; }
      }
    }
    workgroupBarrier();
  }
  let outBase = i32(wid.z) * M * N;
  for (var i = 0; i < ${t.rb}; i++) {
    let gi = row0 + i32(lid.y) * ${t.rb} + i;
    if (gi >= M) { continue; }
    for (var j = 0; j < ${t.rb}; j++) {
      let gj = col0 + i32(lid.x) * ${t.rb} + j;
      if (gj < N) { out[outBase + gi * N + gj] = ${store(`acc[i * ${t.rb} + j]`, T, dtype)}; }
    }
  }
}`;
}

/** Strides of each operand's batch dims, right-aligned to batchShape (broadcast dims 0). */
function batchStrides(t: Tensor, batchShape: number[]): number[] {
  const nb = batchShape.length, tb = t.ndim - 2;
  const s = new Array(nb).fill(0);
  for (let i = 0; i < tb; i++) s[nb - tb + i] = t.shape[i] === 1 ? 0 : t.strides[i];
  return s;
}

export function matmulGpu(a: Tensor, b: Tensor, batchShape: number[]): Tensor {
  const M = a.shape[a.ndim - 2], K = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  let batch = 1;
  for (const d of batchShape) batch *= d;
  const y = emptyGpu([...batchShape, M, N], a.dtype, 'matmul');
  if (batch * M * N === 0) return y;
  if (K === 0) {
    // The product over an empty K is all zeros.
    y.dispose();
    return fill([...batchShape, M, N], 0, a.dtype);
  }
  const tile = chooseTile();
  const side = tile.ts * tile.rb;
  const { limits } = gpuContext();
  if (batch > limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(`matmul: a batch of ${batch} matrices exceeds this adapter's ${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension; reshape to fewer, larger matrices`);
  }
  const nb = batchShape.length;
  const meta = [
    M, N, K,
    a.offset, a.strides[a.ndim - 2], a.strides[a.ndim - 1],
    b.offset, b.strides[b.ndim - 2], b.strides[b.ndim - 1],
    nb, ...batchShape, ...batchStrides(a, batchShape), ...batchStrides(b, batchShape),
  ];
  dispatch(pipelineFor(source(a.dtype, nb, tile), 'matmul'), [bufferOf(y), bufferOf(a), bufferOf(b)], meta, [Math.ceil(N / side), Math.ceil(M / side), batch]);
  return y;
}

