/// <reference types="@webgpu/types" />
/**
 * WebGPU Unfold (im2col), Fold (col2im) and MaxPool2d: one invocation per output element. Fold is written as
 * a gather (each input pixel sums the columns that touch it) rather than a scatter, so it needs no atomics and
 * sums in a fixed order. The input [N, C, H, W] is read through its strides.
 */
import type { Tensor } from '../../tensor.js';
import type { Conv2dGeometry } from '../backend.js';
import { dispatch, floatBits, grid } from './commands.js';
import { pipelineFor } from './pipelines.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { HELPERS, storageType } from './wgsl.js';

const WG = 256;

const GEOMETRY = /* wgsl */ `
struct G { n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32 }
fn geom() -> G {
  return G(prm[1], prm[2], prm[3], prm[4], prm[5], prm[6], prm[7], prm[8], prm[9], prm[10], prm[11], prm[12], prm[13], prm[14]);
}
// x[b, ch, ih, iw] through the input's offset and strides (prm[15..19]).
fn xAt(b: i32, ch: i32, ih: i32, iw: i32) -> i32 { return prm[15] + b * prm[16] + ch * prm[17] + ih * prm[18] + iw * prm[19]; }
`;

function header(outType: string, inType: string, extra = ''): string {
  return `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<${outType}>;
@group(0) @binding(2) var<storage, read> x: array<${inType}>;
${extra}
${HELPERS}
${GEOMETRY}`;
}

function geometryMeta(total: number, g: Conv2dGeometry, x: Tensor): number[] {
  return [total, g.n, g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.outH, g.outW, x.offset, ...x.strides];
}

const ID = `let i = i32(gid.x + gid.y * nwg.x * ${WG}u);\n  if (i >= prm[0]) { return; }`;
const MAIN = `@compute @workgroup_size(${WG})\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

export function unfoldGpu(x: Tensor, g: Conv2dGeometry, padValue: number): Tensor {
  const T = storageType(x.dtype);
  const L = g.outH * g.outW;
  const y = emptyGpu([g.n, g.c * g.kh * g.kw, L], x.dtype, 'unfold');
  const total = g.n * g.c * g.kh * g.kw * L;
  if (total === 0) return y;
  const code = `${header(T, T)}
${MAIN} {
  ${ID}
  let q = geom();
  let L = q.oh * q.ow;
  let ow = i % q.ow; let oh = (i / q.ow) % q.oh;
  let row = (i / L) % (q.c * q.kh * q.kw);
  let b = i / (L * q.c * q.kh * q.kw);
  let kj = row % q.kw; let ki = (row / q.kw) % q.kh; let ch = row / (q.kw * q.kh);
  let ih = oh * q.sh - q.pt + ki * q.dh; let iw = ow * q.sw - q.pl + kj * q.dw;
  if (ih < 0 || ih >= q.h || iw < 0 || iw >= q.w) { out[i] = bitcast<${T}>(prm[20]); return; }
  out[i] = x[xAt(b, ch, ih, iw)];
}`;
  const pad = x.dtype === 'float32' ? floatBits(padValue) : Math.trunc(padValue) | 0;
  dispatch(pipelineFor(code, 'unfold'), [bufferOf(y), bufferOf(x)], [...geometryMeta(total, g, x), pad], grid(total, WG));
  return y;
}

/** cols [N, C*kh*kw, L] (read through its strides as [N, rows, L]) → [N, C, H, W]. */
export function foldGpu(cols: Tensor, g: Conv2dGeometry): Tensor {
  const T = storageType(cols.dtype);
  const y = emptyGpu([g.n, g.c, g.h, g.w], cols.dtype, 'fold');
  const total = g.n * g.c * g.h * g.w;
  if (total === 0) return y;
  // Geometry meta reuses xAt's slots for the columns' (offset, s0, s1, s2, unused).
  const code = `${header(T, T)}
${MAIN} {
  ${ID}
  let q = geom();
  let iw = i % q.w; let ih = (i / q.w) % q.h; let ch = (i / (q.w * q.h)) % q.c; let b = i / (q.w * q.h * q.c);
  var s = ${T}(0);
  for (var ki = 0; ki < q.kh; ki++) {
    let th = ih + q.pt - ki * q.dh;
    if (th < 0 || th % q.sh != 0) { continue; }
    let oh = th / q.sh;
    if (oh >= q.oh) { continue; }
    for (var kj = 0; kj < q.kw; kj++) {
      let tw = iw + q.pl - kj * q.dw;
      if (tw < 0 || tw % q.sw != 0) { continue; }
      let ow = tw / q.sw;
      if (ow >= q.ow) { continue; }
      let row = (ch * q.kh + ki) * q.kw + kj;
      s = s + x[prm[15] + b * prm[16] + row * prm[17] + (oh * q.ow + ow) * prm[18]];
    }
  }
  out[i] = s;
}`;
  const meta = [total, g.n, g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.outH, g.outW, cols.offset, ...cols.strides, 0];
  dispatch(pipelineFor(code, 'fold'), [bufferOf(y), bufferOf(cols)], meta, grid(total, WG));
  return y;
}

export function maxPool2dGpu(x: Tensor, g: Conv2dGeometry): { values: Tensor; indices: Tensor } {
  const T = storageType(x.dtype);
  const C = x.dtype === 'float32' ? 'f32' : 'i32';
  const shape = [g.n, g.c, g.outH, g.outW];
  const values = emptyGpu(shape, x.dtype, 'maxPool2d');
  const indices = emptyGpu(shape.slice(), 'int32', 'maxPool2d');
  const total = g.n * g.c * g.outH * g.outW;
  if (total === 0) return { values, indices };
  const code = `${header(T, T, '@group(0) @binding(3) var<storage, read_write> idx: array<i32>;')}
${MAIN} {
  ${ID}
  let q = geom();
  let ow = i % q.ow; let oh = (i / q.ow) % q.oh; let ch = (i / (q.ow * q.oh)) % q.c; let b = i / (q.ow * q.oh * q.c);
  var best = -1; var m = ${C}(0);
  for (var ki = 0; ki < q.kh; ki++) {
    let ih = oh * q.sh - q.pt + ki * q.dh;
    if (ih < 0 || ih >= q.h) { continue; }
    for (var kj = 0; kj < q.kw; kj++) {
      let iw = ow * q.sw - q.pl + kj * q.dw;
      if (iw < 0 || iw >= q.w) { continue; }
      let v = ${C}(x[xAt(b, ch, ih, iw)]);
      // Strict > keeps the first maximum; the first NaN wins and stays.
      if (best < 0 || v > m || (isnan_(f32(v)) && !isnan_(f32(m)))) { best = ih * q.w + iw; m = v; }
    }
  }
  out[i] = ${T}(m);
  idx[i] = best;
}`;
  dispatch(pipelineFor(code, 'maxPool2d'), [bufferOf(values), bufferOf(x), bufferOf(indices)], geometryMeta(total, g, x), grid(total, WG));
  return { values, indices };
}
