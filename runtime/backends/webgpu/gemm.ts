/// <reference types="@webgpu/types" />
/**
 * The tiled GEMM shared by Matmul and the implicit-GEMM convolutions: out[z, i, j] = Σ_k A_z(i, k) · B_z(k, j).
 *
 * Each workgroup computes a BM×BN output tile; each invocation a 4×4 register block of it. A and B tiles (BK
 * deep) are staged in workgroup memory as vec4 rows, so the inner loop is 2 vec4 loads and 4 vec4 FMAs per k,
 * and every element loaded from global memory is reused BM (or BN) times from fast memory.
 *
 * How an operand element is fetched is the caller's: an operand is a WGSL function `loadA(i, k)` /
 * `loadB(k, j)` plus the binding it reads. Matmul reads through strides (transposed views need no copy);
 * the convolutions compute the im2col element of the input window on the fly, so the column matrix is never
 * materialised. Where the memory layout allows (contiguous along one axis, sizes and offsets multiples of 4) an
 * operand loads a vec4 at a time: `vecK` = 4 consecutive k, `vecMN` = 4 consecutive rows of A / columns of B.
 *
 * An optional epilogue adds a per-column bias to the accumulator before the store (the Linear hook: the layer's
 * output is written once, instead of written, read and rewritten by a Binary(add) dispatch).
 *
 * The tile is chosen per adapter: 64×64 (16×16 invocations) where the adapter allows 256 invocations and the
 * 8 KiB of workgroup memory (every WebGPU adapter must), else 32×32.
 */
import type { DType } from '../../dtype.js';
import { gpuContext } from './context.js';
import { dispatch } from './commands.js';
import { pipelineFor } from './pipelines.js';
import { load, storageType } from './wgsl.js';

export type LoadMode = 'scalar' | 'vecK' | 'vecMN';

export interface GemmOperand {
  mode: LoadMode;
  /** For scalar loads: which index consecutive invocations step through (the one that is contiguous in memory). */
  fast: 'k' | 'mn';
  /** The binding's element type: the storage scalar, or vec4 of it for the vector modes. */
  elem: string;
  /**
   * WGSL for `fn loadA(i: i32, k: i32) -> T` (or loadB(k, j)), returning vec4<T> in the vector modes. It is
   * called only for in-range (i, k); `base` is the operand's batch offset, `P` the index of its first
   * extra parameter in `prm`.
   */
  code: (P: number) => string;
  /** Extra parameters the loader reads from prm[P...]. */
  params: number[];
  /** The operand's batch offset (elements) before the batch walk. */
  base: number;
  /** Per batch dim, how far the operand's base moves (0 for broadcast). */
  batchStrides: number[];
  buffer: GPUBuffer;
}

export interface Tile { ts: number; bk: number }
/** Every invocation computes RB×RB outputs; 4 so that one register block row is one vec4. */
const RB = 4;

export function chooseTile(): Tile {
  const { limits } = gpuContext();
  if (limits.maxComputeInvocationsPerWorkgroup >= 256 && limits.maxComputeWorkgroupStorageSize >= 2 * 16 * 64 * 4) return { ts: 16, bk: 16 };
  return { ts: 8, bk: 16 };
}

/** WGSL that loads operand X's tile for the k-block at k0 into workgroup array Xs (k-major vec4 rows). */
function tileLoad(which: 'A' | 'B', op: GemmOperand, t: Tile, T: string): string {
  const S = t.ts * RB; // tile side
  const S4 = S / 4;
  const threads = t.ts * t.ts;
  const isA = which === 'A';
  const fn = isA ? 'loadA' : 'loadB';
  // (mn, k) of element e, the guard, the call and the store, per mode. A's mn is its row i, B's its column j.
  const lim = isA ? 'M' : 'N';
  const origin = isA ? 'row0' : 'col0';
  const call = (mn: string, k: string) => (isA ? `${fn}(${mn}, ${k})` : `${fn}(${k}, ${mn})`);
  const put = (k: string, mn: string, v: string) => `${which}s[(${k}) * ${S4} + (${mn}) / 4][(${mn}) % 4] = ${v};`;
  let body: string;
  let count: number;
  if (op.mode === 'scalar') {
    count = S * t.bk;
    const coords = op.fast === 'k' ? `let mn = e / ${t.bk}; let kk = e % ${t.bk};` : `let mn = e % ${S}; let kk = e / ${S};`;
    body = `${coords}
      let g = ${origin} + mn; let gk = k0 + kk;
      var v = ${T}(0);
      if (g < ${lim} && gk < K) { v = ${call('g', 'gk')}; }
      ${put('kk', 'mn', 'v')}`;
  } else if (op.mode === 'vecK') {
    count = (S * t.bk) / 4;
    body = `let mn = e / ${t.bk / 4}; let kk = (e % ${t.bk / 4}) * 4;
      let g = ${origin} + mn; let gk = k0 + kk;
      var v = vec4<${T}>(${T}(0));
      if (g < ${lim} && gk < K) { v = ${call('g', 'gk')}; }
      ${put('kk', 'mn', 'v.x')} ${put('kk + 1', 'mn', 'v.y')} ${put('kk + 2', 'mn', 'v.z')} ${put('kk + 3', 'mn', 'v.w')}`;
  } else {
    count = (S * t.bk) / 4;
    body = `let kk = e / ${S4}; let mn = (e % ${S4}) * 4;
      let g = ${origin} + mn; let gk = k0 + kk;
      var v = vec4<${T}>(${T}(0));
      if (g < ${lim} && gk < K) { v = ${call('g', 'gk')}; }
      ${which}s[kk * ${S4} + mn / 4] = v;`;
  }
  const loops = count / threads;
  return `    for (var l = 0; l < ${loops}; l++) {
      let e = tid + l * ${threads};
      ${body}
    }`;
}

function source(outDtype: DType, T: 'f32' | 'i32', a: GemmOperand, b: GemmOperand, nb: number, outVec: boolean, t: Tile, extraDecls: string, bias: (BiasEpilogue & { binding: number }) | null): string {
  const S = t.ts * RB;
  const S4 = S / 4;
  const P = 5 + 3 * nb; // first loader parameter
  let batchWalk = '';
  for (let d = nb - 1; d >= 0; d--) {
    batchWalk += `  { let s = prm[${5 + d}]; let c = rem % s; rem = rem / s; aBase += c * prm[${5 + nb + d}]; bBase += c * prm[${5 + 2 * nb + d}]; }\n`;
  }
  const outElem = outVec ? `vec4<${T}>` : storageType(outDtype);
  // The bias epilogue: this invocation's 4 columns of bias, loaded once and added to every row it writes.
  const BP = P + a.params.length + b.params.length; // the bias's offset and stride in prm
  const biasDecl = bias ? `@group(0) @binding(${4 + bias.binding}) var<storage, read> bias: array<${storageType(bias.dtype)}>;` : '';
  const biasLoad = bias
    ? `var bv = vec4<${T}>(${T}(0));
  for (var j = 0; j < ${RB}; j++) { if (gj + j < N) { bv[j] = ${load('bias', `prm[${BP}] + (gj + j) * prm[${BP + 1}]`, bias.dtype, T)}; } }`
    : '';
  const row = bias ? '(acc[i] + bv)' : 'acc[i]';
  let writeBack: string;
  if (outVec) {
    writeBack = `if (gj < N) { out[(outBase + gi * N + gj) / 4] = ${row}; }`;
  } else {
    const conv = (v: string) => (storageType(outDtype) === T ? v : `${storageType(outDtype)}(${v})`);
    writeBack = `let v = ${row}; for (var j = 0; j < ${RB}; j++) { if (gj + j < N) { out[outBase + gi * N + gj + j] = ${conv('v[j]')}; } }`;
  }
  return `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<${outElem}>;
@group(0) @binding(2) var<storage, read> a: array<${a.elem}>;
@group(0) @binding(3) var<storage, read> b: array<${b.elem}>;
${extraDecls}
${biasDecl}
// k-major tiles of vec4: As[k * ${S4} + i / 4][i % 4] = A(i, k), Bs[k * ${S4} + j / 4][j % 4] = B(k, j).
var<workgroup> As: array<vec4<${T}>, ${(t.bk * S) / 4}>;
var<workgroup> Bs: array<vec4<${T}>, ${(t.bk * S) / 4}>;
var<private> aBase: i32;
var<private> bBase: i32;
${a.code(P)}
${b.code(P + a.params.length)}
@compute @workgroup_size(${t.ts}, ${t.ts})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  var rem = i32(wid.z); aBase = prm[3]; bBase = prm[4];
${batchWalk}
  let row0 = i32(wid.y) * ${S}; let col0 = i32(wid.x) * ${S};
  let tid = i32(lid.y * ${t.ts}u + lid.x);
  let ly = i32(lid.y); let lx = i32(lid.x);
  var acc: array<vec4<${T}>, ${RB}>;
  for (var i = 0; i < ${RB}; i++) { acc[i] = vec4<${T}>(${T}(0)); }
  for (var k0 = 0; k0 < K; k0 += ${t.bk}) {
${tileLoad('A', a, t, T)}
${tileLoad('B', b, t, T)}
    workgroupBarrier();
    for (var kk = 0; kk < ${t.bk}; kk++) {
      let av = As[kk * ${S4} + ly];
      let bv = Bs[kk * ${S4} + lx];
      acc[0] += av.x * bv; acc[1] += av.y * bv; acc[2] += av.z * bv; acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
  let outBase = i32(wid.z) * M * N;
  let gj = col0 + lx * ${RB};
  ${biasLoad}
  for (var i = 0; i < ${RB}; i++) {
    let gi = row0 + ly * ${RB} + i;
    if (gi >= M) { continue; }
    ${writeBack}
  }
}`;
}

export interface GemmCall {
  M: number; N: number; K: number;
  /** Batch dims (grid z walks them row-major); empty for one matrix. */
  batchShape: number[];
  a: GemmOperand; b: GemmOperand;
  /** The output buffer: contiguous [batch, M, N] from element 0. */
  out: GPUBuffer; outDtype: DType;
  /** The compute type: f32 for float32, i32 for int32/bool. */
  T: 'f32' | 'i32';
  label: string;
  /** Further bindings (4...) the loaders read, e.g. none for matmul. */
  extraBuffers?: GPUBuffer[];
  extraDecls?: string;
  /** Adds bias[j] to every output column j before the store (linear layers: one dispatch instead of two). */
  bias?: BiasEpilogue;
}

/**
 * A per-column bias read through (offset, stride) from its own binding (after the extra buffers). Added to the
 * f32 (or i32) accumulator before the store, which is exactly what Matmul then Binary(add) computes.
 */
export interface BiasEpilogue {
  buffer: GPUBuffer; offset: number; stride: number; dtype: DType;
}

/** Records the GEMM dispatch. Sizes must be non-zero (callers handle empty products). */
export function gemm(c: GemmCall): void {
  const t = chooseTile();
  const S = t.ts * RB;
  let batch = 1;
  for (const d of c.batchShape) batch *= d;
  const { limits } = gpuContext();
  if (batch > limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(`${c.label}: a batch of ${batch} matrices exceeds this adapter's ${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension; reshape to fewer, larger matrices`);
  }
  const gx = Math.ceil(c.N / S), gy = Math.ceil(c.M / S);
  if (gx > limits.maxComputeWorkgroupsPerDimension || gy > limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(`${c.label}: a ${c.M}×${c.N} output needs ${gy}×${gx} tiles, more than this adapter's ${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`);
  }
  // vec4 stores need every row to start on a multiple of 4 and the output type to be the compute type.
  const outVec = c.N % 4 === 0 && storageType(c.outDtype) === c.T;
  const nb = c.batchShape.length;
  const extra = c.extraBuffers ?? [];
  const bias = c.bias ? { ...c.bias, binding: extra.length } : null;
  const code = source(c.outDtype, c.T, c.a, c.b, nb, outVec, t, c.extraDecls ?? '', bias);
  const meta = [c.M, c.N, c.K, c.a.base, c.b.base, ...c.batchShape, ...c.a.batchStrides, ...c.b.batchStrides, ...c.a.params, ...c.b.params];
  if (bias) meta.push(bias.offset, bias.stride);
  dispatch(pipelineFor(code, c.label), [c.out, c.a.buffer, c.b.buffer, ...extra, ...(bias ? [bias.buffer] : [])], meta, [gx, gy, batch]);
}
