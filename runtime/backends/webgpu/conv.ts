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
 * convolution), so it needs no atomics and sums in a fixed order.
 *
 * The geometry travels in the parameter block, not as shader constants: one shader per load-mode combination
 * then serves every layer shape. Constants would divide faster, but each new shape would cost a compile, and
 * lavapipe takes seconds per GEMM shader (a test table of conv shapes went from ~90 s to a few).
 */
import type { Tensor } from '../../tensor.js';
import type { Conv2dGeometry } from '../backend.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { gemm, type GemmOperand } from './gemm.js';
import { elementwiseNew, operand } from './elementwise.js';
import { reduceGpu } from './reduce.js';

function contiguous(t: Tensor): Tensor {
  return t.isContiguous() ? t : elementwiseNew('contiguous', 'x0', 'f32', [operand(t, t.shape, 'f32')], t.shape.slice(), t.dtype);
}

/** The geometry parameters, in the order geometryLets names them. */
function geometryParams(g: Conv2dGeometry, O: number, groups: number): number[] {
  return [g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.h, g.w, g.outH, g.outW, O, g.c / groups, O / groups];
}

/** WGSL lets of the geometry, read from prm[GP...] (operand A's parameters; see geometryParams). */
function geometryLets(GP: number): string {
  const names = ['KH', 'KW', 'SH', 'SW', 'PT', 'PL', 'DH', 'DW', 'H', 'W', 'OH', 'OW', 'O', 'CG', 'OG'];
  return `${names.map((n, i) => `let ${n} = prm[${GP + i}];`).join(' ')}
  let KK = KH * KW; let L = OH * OW;`;
}

/** prm index of operand A's first parameter for a GEMM with `nb` batch dims (gemm.ts's layout). */
const firstParam = (nb: number) => 5 + 3 * nb;

/**
 * The im2col element cols(x)[r, l] of the image at bBase + `image` (x's strides in prm[P..P+2] = sC, sH, sW):
 * 0 in the padding. `fn` is the loader's signature; `r`, `l`, `image` are WGSL expressions of its arguments.
 */
function windowLoader(fn: string, GP: number, r: string, l: string, image: (P: number) => string = () => '0'): (P: number) => string {
  return (P) => `${fn} -> f32 {
  ${geometryLets(GP)}
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
    code: (P) => `fn loadA(i: i32, k: i32) -> ${vec ? 'vec4<f32>' : 'f32'} {
  ${geometryLets(P)}
  let e = aBase + i * CG * KK + k;
  return a[${vec ? 'e / 4' : 'e'}];
}`,
    params: geometryParams(g, O, groups), base: w.offset, batchStrides: [0, Og * CKg], buffer: bufferOf(w),
  };
  const b: GemmOperand = {
    mode: 'scalar', fast: 'mn', elem: 'f32',
    code: windowLoader('fn loadB(k: i32, j: i32)', firstParam(2), 'k', 'j'),
    params: [x.strides[1], x.strides[2], x.strides[3]], base: x.offset, batchStrides: [x.strides[0], Cg * x.strides[1]],
    buffer: bufferOf(x),
  };
  gemm({ M: Og, N: L, K: CKg, batchShape: [g.n, groups], a, b, out: bufferOf(y), outDtype: y.dtype, T: 'f32', label: 'conv2d' });
  if (w !== weight) w.dispose();
  return y;
}

/** Per split of the weight gradient, about this many k (images × output pixels): enough work per workgroup. */
const WEIGHT_GRAD_K_PER_SPLIT = 4096;

/**
 * ∂L/∂weight: x [N, C, H, W], gy [N, O, outH, outW] → [O, C/groups, kh, kw].
 *
 * The GEMM's k runs over every image and output pixel while its output is only weight-sized, so one tile
 * would loop over all of k alone (an MNIST 5×5 layer: one workgroup, 36,864 k). Split-K: the images are split
 * into S chunks (S divides N), each chunk's partial gradient is one batch entry of the GEMM, and a Reduce(sum)
 * adds the S partials.
 */
export function conv2dWeightGradGpu(x: Tensor, gy: Tensor, g: Conv2dGeometry, groups: number, weightShape: number[]): Tensor {
  const O = weightShape[0], Cg = g.c / groups, Og = O / groups, KK = g.kh * g.kw, L = g.outH * g.outW;
  if (g.n * O * Cg * KK === 0 || L === 0) return emptyGpu(weightShape.slice(), x.dtype, 'conv2d weight grad');
  let perSplit = Math.max(1, Math.min(g.n, Math.floor(WEIGHT_GRAD_K_PER_SPLIT / L)));
  while (g.n % perSplit !== 0) perSplit--;
  const S = g.n / perSplit;
  const partial = emptyGpu([S, ...weightShape], x.dtype, 'conv2d weight grad');
  const gyc = contiguous(gy);
  // gy as [O/G, n·L] per group and split: k = (n, l). With L a multiple of 4 a vec4 of k never crosses an image.
  const vec = L % 4 === 0 && gyc.offset % 4 === 0;
  const a: GemmOperand = {
    mode: vec ? 'vecK' : 'scalar', fast: 'k', elem: vec ? 'vec4<f32>' : 'f32',
    code: (P) => `fn loadA(i: i32, k: i32) -> ${vec ? 'vec4<f32>' : 'f32'} {
  ${geometryLets(P)}
  let e = aBase + (k / L) * O * L + i * L + k % L;
  return a[${vec ? 'e / 4' : 'e'}];
}`,
    params: geometryParams(g, O, groups), base: gyc.offset, batchStrides: [perSplit * O * L, Og * L], buffer: bufferOf(gyc),
  };
  const b: GemmOperand = {
    mode: 'scalar', fast: 'k', elem: 'f32',
    // Row k = (n, l) of cols(x)ᵀ: the image offset n·sN is added to the split's and group's base.
    code: windowLoader('fn loadB(k: i32, j: i32)', firstParam(2), 'j', 'k % L', (P) => `(k / L) * prm[${P + 3}]`),
    params: [x.strides[1], x.strides[2], x.strides[3], x.strides[0]], base: x.offset,
    batchStrides: [perSplit * x.strides[0], Cg * x.strides[1]], buffer: bufferOf(x),
  };
  gemm({
    M: Og, N: Cg * KK, K: perSplit * L, batchShape: [S, groups], a, b, out: bufferOf(partial), outDtype: partial.dtype, T: 'f32',
    label: 'conv2d weight grad',
  });
  if (gyc !== gy) gyc.dispose();
  if (S === 1) return partial.reshape(weightShape);
  const gw = reduceGpu('sum', partial, [0]);
  partial.dispose();
  return gw;
}

/** Below this many input channels per group the input gradient is left to the composite (see below). */
const MIN_INPUT_GRAD_CHANNELS = 8;

/**
 * ∂L/∂x: gy [N, O, outH, outW], weight [O, C/groups, kh, kw] → [N, C, H, W]; null (use Matmul + Fold) for
 * fewer than 8 channels per group: the GEMM's M is C/groups, so a 64-row tile would be mostly idle (an MNIST
 * first layer, C = 1: 1/64 used, measured ~6× slower than the composite on lavapipe).
 */
export function conv2dInputGradGpu(gy: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Tensor | null {
  const O = weight.shape[0], Cg = g.c / groups, Og = O / groups, KK = g.kh * g.kw, L = g.outH * g.outW, HW = g.h * g.w;
  if (Cg < MIN_INPUT_GRAD_CHANNELS) return null;
  const gx = emptyGpu([g.n, g.c, g.h, g.w], gy.dtype, 'conv2d input grad');
  if (gx.numel() === 0) return gx;
  const gyc = contiguous(gy), w = contiguous(weight);
  // A(c, k = (o, q)) = W[o, c, q] per group.
  const a: GemmOperand = {
    mode: 'scalar', fast: 'k', elem: 'f32',
    code: (P) => `fn loadA(i: i32, k: i32) -> f32 {
  ${geometryLets(P)}
  return a[aBase + (k / KK) * CG * KK + i * KK + k % KK];
}`,
    params: geometryParams(g, O, groups), base: w.offset, batchStrides: [0, Og * Cg * KK], buffer: bufferOf(w),
  };
  // B(k = (o, ki, kj), p = (ih, iw)) = gy[n, o, oh, ow] where the window at (oh, ow) puts (ki, kj) on p.
  const b: GemmOperand = {
    mode: 'scalar', fast: 'mn', elem: 'f32',
    code: () => `fn loadB(k: i32, j: i32) -> f32 {
  ${geometryLets(firstParam(2))}
  let o = k / KK; let q = k % KK; let ki = q / KW; let kj = q % KW;
  let th = j / W + PT - ki * DH; let tw = j % W + PL - kj * DW;
  if (th < 0 || tw < 0 || th % SH != 0 || tw % SW != 0) { return 0.0; }
  let oh = th / SH; let ow = tw / SW;
  if (oh >= OH || ow >= OW) { return 0.0; }
  return b[bBase + o * L + oh * OW + ow];
}`,
    params: [], base: gyc.offset, batchStrides: [O * L, Og * L], buffer: bufferOf(gyc),
  };
  gemm({ M: Cg, N: HW, K: Og * KK, batchShape: [g.n, groups], a, b, out: bufferOf(gx), outDtype: gx.dtype, T: 'f32', label: 'conv2d input grad' });
  if (gyc !== gy) gyc.dispose();
  if (w !== weight) w.dispose();
  return gx;
}
