/// <reference types="@webgpu/types" />
/**
 * Implicit-GEMM convolution: conv2d and both of its gradients as the tiled GEMM of gemm.ts, with the im2col
 * element computed inside the operand loader from the input (or gradient) window, so the [N, C·kh·kw, L]
 * column matrix is never written or read. For an MNIST-sized 5×5 layer the columns are 25× the input.
 *
 *   forward      y[n, o, l]   = Σ_r   W[o, r]     · cols(x)[n, r, l]      M = O/G,  N = L,     K = C/G·kh·kw
 *   weight grad  gW[o, r]     = Σ_n,l gy[n, o, l] · cols(x)[n, r, l]      M = O/G,  N = C/G·kh·kw, K = N·L
 *   input grad   gx[n, c, p]  = Σ_o,q W[o, c, q]  · gy[n, o, l(p, q)]    M = C/G,  N = H·W,   K = O/G·kh·kw
 *
 * (r = (c, ki, kj) a window element, l = (oh, ow) an output pixel, p = (ih, iw) an input pixel, G groups.)
 * The input gradient gathers, per input pixel, the output pixels whose window covers it (a transposed
 * convolution), so it needs no atomics and sums in a fixed order. The window geometry is baked into the
 * shader as constants (a network has a handful of conv layers; divisions by constants are cheaper).
 */
import type { Tensor } from '../../tensor.js';
import type { Conv2dGeometry } from '../backend.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { gemm, type GemmOperand } from './gemm.js';
import { elementwiseNew, operand } from './elementwise.js';

function contiguous(t: Tensor): Tensor {
  return t.isContiguous() ? t : elementwiseNew('contiguous', 'x0', 'f32', [operand(t, t.shape, 'f32')], t.shape.slice(), t.dtype);
}

/** WGSL constants of the window geometry. */
function geometryConsts(g: Conv2dGeometry): string {
  return `const KH = ${g.kh}; const KW = ${g.kw}; const SH = ${g.strideH}; const SW = ${g.strideW};
const PT = ${g.padTop}; const PL = ${g.padLeft}; const DH = ${g.dilationH}; const DW = ${g.dilationW};
const H = ${g.h}; const W = ${g.w}; const OH = ${g.outH}; const OW = ${g.outW};`;
}

/**
 * The im2col element cols(x)[r, l] of the image at bBase + `image` (x's strides in prm[P..P+2] = sC, sH, sW):
 * 0 in the padding. `fn` is the loader's signature; `r`, `l`, `image` are WGSL expressions of its arguments.
 */
function windowLoader(fn: string, r: string, l: string, image: (P: number) => string = () => '0'): (P: number) => string {
  return (P) => `${fn} -> f32 {
  let r = ${r}; let l = ${l};
  let kj = r % KW; let ki = (r / KW) % KH; let c = r / (KW * KH);
  let ih = (l / OW) * SH - PT + ki * DH; let iw = (l % OW) * SW - PL + kj * DW;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) { return 0.0; }
  return b[bBase + ${image(P)} + c * prm[${P}] + ih * prm[${P + 1}] + iw * prm[${P + 2}]];
}`;
}

/** conv2d without bias: x [N, C, H, W], weight [O, C/groups, kh, kw] → [N, O, outH, outW]. */
export function conv2dGpu(x: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Tensor {
  const O = weight.shape[0], Cg = g.c / groups, Og = O / groups, KK = g.kh * g.kw, L = g.outH * g.outW;
  const y = emptyGpu([g.n, O, g.outH, g.outW], x.dtype, 'conv2d');
  if (y.numel() === 0) return y;
  const w = contiguous(weight);
  const CKg = Cg * KK;
  // The weight as a row-major [O/G, C/G·kh·kw] matrix per group: vec4 along k when its rows are whole vec4s.
  const vec = CKg % 4 === 0 && w.offset % 4 === 0;
  const a: GemmOperand = {
    mode: vec ? 'vecK' : 'scalar', fast: 'k', elem: vec ? 'vec4<f32>' : 'f32',
    code: () => (vec
      ? `fn loadA(i: i32, k: i32) -> vec4<f32> { return a[(aBase + i * ${CKg} + k) / 4]; }`
      : `fn loadA(i: i32, k: i32) -> f32 { return a[aBase + i * ${CKg} + k]; }`),
    params: [], base: w.offset, batchStrides: [0, Og * CKg], buffer: bufferOf(w),
  };
  const b: GemmOperand = {
    mode: 'scalar', fast: 'mn', elem: 'f32',
    code: windowLoader('fn loadB(k: i32, j: i32)', 'k', 'j'),
    params: [x.strides[1], x.strides[2], x.strides[3]], base: x.offset, batchStrides: [x.strides[0], Cg * x.strides[1]],
    buffer: bufferOf(x),
  };
  gemm({ M: Og, N: L, K: CKg, batchShape: [g.n, groups], a, b, out: bufferOf(y), outDtype: y.dtype, T: 'f32', label: 'conv2d', extraDecls: geometryConsts(g) });
  if (w !== weight) w.dispose();
  return y;
}

/** ∂L/∂weight: x [N, C, H, W], gy [N, O, outH, outW] → [O, C/groups, kh, kw]. */
export function conv2dWeightGradGpu(x: Tensor, gy: Tensor, g: Conv2dGeometry, groups: number, weightShape: number[]): Tensor {
  const O = weightShape[0], Cg = g.c / groups, Og = O / groups, KK = g.kh * g.kw, L = g.outH * g.outW;
  const gw = emptyGpu(weightShape.slice(), x.dtype, 'conv2d weight grad');
  if (gw.numel() === 0) return gw;
  const gyc = contiguous(gy);
  const K = g.n * L;
  // gy as [O/G, N·L] per group: k = (n, l). With L a multiple of 4 a vec4 of k never crosses an image.
  const vec = L % 4 === 0 && gyc.offset % 4 === 0;
  const addr = `aBase + (k / ${L}) * ${O * L} + i * ${L} + k % ${L}`;
  const a: GemmOperand = {
    mode: vec ? 'vecK' : 'scalar', fast: 'k', elem: vec ? 'vec4<f32>' : 'f32',
    code: () => (vec ? `fn loadA(i: i32, k: i32) -> vec4<f32> { return a[(${addr}) / 4]; }` : `fn loadA(i: i32, k: i32) -> f32 { return a[${addr}]; }`),
    params: [], base: gyc.offset, batchStrides: [Og * L], buffer: bufferOf(gyc),
  };
  const b: GemmOperand = {
    mode: 'scalar', fast: 'k', elem: 'f32',
    // Row k = (n, l) of cols(x)ᵀ: the image offset n·sN is added to the group's base.
    code: windowLoader('fn loadB(k: i32, j: i32)', 'j', `k % ${L}`, (P) => `(k / ${L}) * prm[${P + 3}]`),
    params: [x.strides[1], x.strides[2], x.strides[3], x.strides[0]], base: x.offset, batchStrides: [Cg * x.strides[1]],
    buffer: bufferOf(x),
  };
  gemm({ M: Og, N: Cg * KK, K, batchShape: [groups], a, b, out: bufferOf(gw), outDtype: gw.dtype, T: 'f32', label: 'conv2d weight grad', extraDecls: geometryConsts(g) });
  if (gyc !== gy) gyc.dispose();
  return gw;
}

/** ∂L/∂x: gy [N, O, outH, outW], weight [O, C/groups, kh, kw] → [N, C, H, W]. */
export function conv2dInputGradGpu(gy: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Tensor {
  const O = weight.shape[0], Cg = g.c / groups, Og = O / groups, KK = g.kh * g.kw, L = g.outH * g.outW, HW = g.h * g.w;
  const gx = emptyGpu([g.n, g.c, g.h, g.w], gy.dtype, 'conv2d input grad');
  if (gx.numel() === 0) return gx;
  const gyc = contiguous(gy), w = contiguous(weight);
  // A(c, k = (o, q)) = W[o, c, q] per group.
  const a: GemmOperand = {
    mode: 'scalar', fast: 'k', elem: 'f32',
    code: () => `fn loadA(i: i32, k: i32) -> f32 { return a[aBase + (k / ${KK}) * ${Cg * KK} + i * ${KK} + k % ${KK}]; }`,
    params: [], base: w.offset, batchStrides: [0, Og * Cg * KK], buffer: bufferOf(w),
  };
  // B(k = (o, ki, kj), p = (ih, iw)) = gy[n, o, oh, ow] where the window at (oh, ow) puts (ki, kj) on p.
  const b: GemmOperand = {
    mode: 'scalar', fast: 'mn', elem: 'f32',
    code: () => `fn loadB(k: i32, j: i32) -> f32 {
  let o = k / ${KK}; let q = k % ${KK}; let ki = q / KW; let kj = q % KW;
  let th = j / W + PT - ki * DH; let tw = j % W + PL - kj * DW;
  if (th < 0 || tw < 0 || th % SH != 0 || tw % SW != 0) { return 0.0; }
  let oh = th / SH; let ow = tw / SW;
  if (oh >= OH || ow >= OW) { return 0.0; }
  return b[bBase + o * ${L} + oh * OW + ow];
}`,
    params: [], base: gyc.offset, batchStrides: [O * L, Og * L], buffer: bufferOf(gyc),
  };
  gemm({ M: Cg, N: HW, K: Og * KK, batchShape: [g.n, groups], a, b, out: bufferOf(gx), outDtype: gx.dtype, T: 'f32', label: 'conv2d input grad', extraDecls: geometryConsts(g) });
  if (gyc !== gy) gyc.dispose();
  if (w !== weight) w.dispose();
  return gx;
}
