/**
 * conv1d/conv2d against tf.conv2d (NCHW → NHWC input, OIHW → HWIO weight, result back to NCHW), max/avg
 * pooling (padding and ceil mode against a plain-JS reference) and adaptive pooling.
 */
import type { OpCase, Tf, TfTensor } from '../../support/op_case.js';
import { f32 } from '../../support/specs.js';
import { conv2d as convRef, pool2d, ref, type Ref } from '../../support/reference.js';
import type { HostTensor } from '../../support/assert_close.js';

/** Convolutions sum C·kh·kw products in an im2col GEMM order; tfjs's cpu conv sums in its own order. */
const CONV = { rtol: 1e-5, atol: 5e-5, why: 'float32 im2col GEMM vs tfjs direct convolution: different summation order' };

const nhwc = (tf: Tf, x: TfTensor) => tf.transpose(x, [0, 2, 3, 1]) as TfTensor;
const nchw = (tf: Tf, x: TfTensor) => tf.transpose(x, [0, 3, 1, 2]) as TfTensor;
const hwio = (tf: Tf, w: TfTensor) => tf.transpose(w, [2, 3, 1, 0]) as TfTensor;
const withBias = (tf: Tf, y: TfTensor, b: TfTensor) => tf.add(y, tf.reshape(b, [1, -1, 1, 1]));

/** tf.conv2d on NCHW/OIHW tensors. */
function tfConv(tf: Tf, x: TfTensor, w: TfTensor, stride: [number, number], pad: 'same' | 'valid' | [[number, number], [number, number]], dilation: [number, number] = [1, 1]): TfTensor {
  const p = Array.isArray(pad) ? [[0, 0], pad[0], pad[1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]] : pad;
  return nchw(tf, tf.conv2d(nhwc(tf, x) as never, hwio(tf, w) as never, stride, p, 'NHWC', dilation));
}

/** Reference conv1d as a conv2d with H = 1. */
function conv1dRef(x: HostTensor, w: HostTensor, b: HostTensor | null, o: { stride?: number; padding?: number; dilation?: number; groups?: number }): Ref {
  const [n, c, l] = x.shape, [oc, cg, k] = w.shape;
  const p = o.padding ?? 0;
  const r = convRef({ data: x.data, shape: [n, c, 1, l] }, { data: w.data, shape: [oc, cg, 1, k] }, b, { stride: [1, o.stride ?? 1], padding: [0, 0, p, p], dilation: [1, o.dilation ?? 1], groups: o.groups });
  return { ...r, shape: [r.shape[0], r.shape[1], r.shape[3]] };
}

/** tf.conv2dTranspose on NCHW tensors with PyTorch's [Cin, Cout, kh, kw] weight (tfjs's filter is [kh, kw, Cout, Cin]). */
function tfConvT(tf: Tf, x: TfTensor, w: TfTensor, outHW: [number, number], stride: [number, number], pad: 'same' | 'valid' | number): TfTensor {
  const outShape = [x.shape[0], outHW[0], outHW[1], w.shape[1]] as [number, number, number, number];
  return nchw(tf, tf.conv2dTranspose(nhwc(tf, x) as never, tf.transpose(w, [2, 3, 1, 0]) as never, outShape, stride, pad as never));
}

/** Transposed convolution as its definition, in float64: every input element scatters its kernel window. */
function convTransposeRef(x: HostTensor, w: HostTensor, b: HostTensor | null, o: { stride?: number; padding?: number; outputPadding?: number; dilation?: number; groups?: number }): Ref {
  const unbatched = x.shape.length === 3;
  const [n, c, h, wd] = unbatched ? [1, ...x.shape] : x.shape;
  const [, coutg, kh, kw] = w.shape;
  const s = o.stride ?? 1, p = o.padding ?? 0, op = o.outputPadding ?? 0, d = o.dilation ?? 1, groups = o.groups ?? 1;
  const cing = c / groups, cout = coutg * groups;
  const oh = (h - 1) * s - 2 * p + d * (kh - 1) + op + 1, ow = (wd - 1) * s - 2 * p + d * (kw - 1) + op + 1;
  const y = new Float64Array(n * cout * oh * ow);
  for (let ni = 0; ni < n; ni++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < h; i++) for (let j = 0; j < wd; j++) {
    const xv = x.data[((ni * c + ci) * h + i) * wd + j];
    const g = Math.floor(ci / cing);
    for (let co = 0; co < coutg; co++) for (let a = 0; a < kh; a++) for (let bb = 0; bb < kw; bb++) {
      const yi = i * s + a * d - p, yj = j * s + bb * d - p;
      if (yi < 0 || yi >= oh || yj < 0 || yj >= ow) continue;
      y[((ni * cout + g * coutg + co) * oh + yi) * ow + yj] += xv * w.data[((ci * coutg + co) * kh + a) * kw + bb];
    }
  }
  if (b) for (let i = 0; i < y.length; i++) y[i] += b.data[Math.floor(i / (oh * ow)) % cout];
  return { data: y, shape: unbatched ? [cout, oh, ow] : [n, cout, oh, ow], dtype: 'float32' };
}

const convCases: OpCase[] = [
  {
    name: 'conv2d: 3×3, bias, stride 1, no padding',
    inputs: () => [f32([2, 3, 7, 7]), f32([4, 3, 3, 3]), f32([4])],
    run: (t, x, w, b) => t.conv2d(x, w, b),
    tfjs: (tf, x, w, b) => withBias(tf, tfConv(tf, x, w, [1, 1], 'valid'), b),
    tol: CONV,
  },
  {
    name: 'conv2d: stride 2, padding 1 (ints)',
    inputs: () => [f32([2, 3, 8, 8]), f32([5, 3, 3, 3])],
    run: (t, x, w) => t.conv2d(x, w, null, { stride: 2, padding: 1 }),
    tfjs: (tf, x, w) => tfConv(tf, x, w, [2, 2], [[1, 1], [1, 1]]),
    tol: CONV,
  },
  {
    name: "conv2d: padding 'same', odd kernel",
    inputs: () => [f32([1, 2, 6, 5]), f32([3, 2, 3, 3]), f32([3])],
    run: (t, x, w, b) => t.conv2d(x, w, b, { padding: 'same' }),
    tfjs: (tf, x, w, b) => withBias(tf, tfConv(tf, x, w, [1, 1], 'same'), b),
    tol: CONV,
  },
  {
    name: "conv2d: padding 'same', even kernel (extra padding bottom/right, as TF)",
    inputs: () => [f32([1, 2, 6, 6]), f32([2, 2, 4, 4])],
    run: (t, x, w) => t.conv2d(x, w, null, { padding: 'same' }),
    tfjs: (tf, x, w) => tfConv(tf, x, w, [1, 1], 'same'),
    tol: CONV,
  },
  {
    name: "conv2d: padding 'same' with stride 2 (TensorFlow's rule)",
    inputs: () => [f32([1, 2, 7, 8]), f32([3, 2, 3, 3])],
    run: (t, x, w) => t.conv2d(x, w, null, { padding: 'same', stride: 2 }),
    tfjs: (tf, x, w) => tfConv(tf, x, w, [2, 2], 'same'),
    tol: CONV,
  },
  {
    name: "conv2d: padding 'valid'",
    inputs: () => [f32([1, 3, 5, 6]), f32([2, 3, 2, 3])],
    run: (t, x, w) => t.conv2d(x, w, null, { padding: 'valid' }),
    tfjs: (tf, x, w) => tfConv(tf, x, w, [1, 1], 'valid'),
    tol: CONV,
  },
  {
    name: 'conv2d: dilation 2',
    inputs: () => [f32([1, 2, 9, 9]), f32([3, 2, 3, 3])],
    run: (t, x, w) => t.conv2d(x, w, null, { dilation: 2 }),
    tfjs: (tf, x, w) => tfConv(tf, x, w, [1, 1], 'valid', [2, 2]),
    tol: CONV,
  },
  {
    name: 'conv2d: dilation 2 with padding 2 vs reference',
    inputs: () => [f32([1, 2, 7, 7]), f32([2, 2, 3, 3])],
    run: (t, x, w) => t.conv2d(x, w, null, { dilation: 2, padding: 2 }),
    reference: (x, w) => convRef(x, w, null, { padding: [2, 2, 2, 2], dilation: [2, 2] }),
    tol: CONV,
  },
  {
    name: 'conv2d: groups 2',
    inputs: () => [f32([2, 4, 6, 6]), f32([6, 2, 3, 3]), f32([6])],
    run: (t, x, w, b) => t.conv2d(x, w, b, { groups: 2, padding: 1 }),
    reference: (x, w, b) => convRef(x, w, b, { padding: [1, 1, 1, 1], groups: 2 }),
    tol: CONV,
  },
  {
    name: 'conv2d: depthwise (groups = channels) vs tf.depthwiseConv2d',
    inputs: () => [f32([1, 3, 6, 6]), f32([3, 1, 3, 3])],
    run: (t, x, w) => t.conv2d(x, w, null, { groups: 3 }),
    // weight [C, 1, kh, kw] → depthwise filter [kh, kw, C, 1]
    tfjs: (tf, x, w) => nchw(tf, tf.depthwiseConv2d(nhwc(tf, x) as never, tf.transpose(w, [2, 3, 0, 1]) as never, 1, 'valid')),
    tol: CONV,
  },
  {
    name: 'conv2d: non-square kernel [3, 5], non-square input, stride [2, 1]',
    inputs: () => [f32([1, 2, 6, 9]), f32([3, 2, 3, 5])],
    run: (t, x, w) => t.conv2d(x, w, null, { stride: [2, 1], padding: [1, 2] }),
    tfjs: (tf, x, w) => tfConv(tf, x, w, [2, 1], [[1, 1], [2, 2]]),
    tol: CONV,
  },
  {
    name: 'conv2d: 3-D (unbatched) input',
    inputs: () => [f32([2, 5, 5]), f32([3, 2, 3, 3])],
    run: (t, x, w) => t.conv2d(x, w),
    reference: (x, w) => { const r = convRef({ data: x.data, shape: [1, ...x.shape] }, w, null); return { ...r, shape: r.shape.slice(1) }; },
    tol: CONV,
  },
  {
    name: 'conv2d: MNIST-like [8, 1, 28, 28] with 16 5×5 filters',
    inputs: () => [f32([8, 1, 28, 28], { range: [0, 1] }), f32([16, 1, 5, 5], { range: [-0.2, 0.2] }), f32([16], { range: [-0.1, 0.1] })],
    run: (t, x, w, b) => t.conv2d(x, w, b, { padding: 2 }),
    tfjs: (tf, x, w, b) => withBias(tf, tfConv(tf, x, w, [1, 1], [[2, 2], [2, 2]]), b),
    tol: CONV,
  },
  {
    name: 'conv2d: small, gradcheck (stride, padding, bias)',
    inputs: () => [f32([1, 2, 5, 5]), f32([2, 2, 3, 3]), f32([2])],
    run: (t, x, w, b) => t.conv2d(x, w, b, { stride: 2, padding: 1 }),
    reference: (x, w, b) => convRef(x, w, b, { stride: [2, 2], padding: [1, 1, 1, 1] }),
    grad: true,
  },
  {
    name: 'conv2d: groups and dilation, gradcheck',
    inputs: () => [f32([1, 4, 5, 5]), f32([2, 2, 2, 2])],
    run: (t, x, w) => t.conv2d(x, w, null, { groups: 2, dilation: 2 }),
    reference: (x, w) => convRef(x, w, null, { dilation: [2, 2], groups: 2 }),
    grad: true,
  },
  {
    name: 'convTranspose2d: 3×3, stride 2, bias vs tf.conv2dTranspose',
    inputs: () => [f32([2, 3, 4, 5]), f32([3, 4, 3, 3]), f32([4])],
    run: (t, x, w, b) => t.convTranspose2d(x, w, b, { stride: 2 }),
    tfjs: (tf, x, w, b) => withBias(tf, tfConvT(tf, x, w, [9, 11], [2, 2], 'valid'), b),
    tol: CONV,
  },
  {
    name: 'convTranspose2d: padding 1, outputPadding 1 (the DCGAN upsampling) vs tf.conv2dTranspose same',
    inputs: () => [f32([1, 4, 5, 5]), f32([4, 2, 4, 4])],
    // k 4, s 2, p 1: H' = 2H, the size tfjs's 'same' gives (it pads (k − s) = 2: 1 each side).
    run: (t, x, w) => t.convTranspose2d(x, w, null, { stride: 2, padding: 1 }),
    tfjs: (tf, x, w) => tfConvT(tf, x, w, [10, 10], [2, 2], 'same'),
    tol: CONV,
  },
  {
    // Not tfjs's 'same' at this size: TF pads the odd row at the bottom of the conv2d it transposes (0 top, 1
    // bottom), PyTorch's outputPadding crops 1 at the top — the same size, shifted by a row (compat.conv2dTranspose
    // keeps tfjs's).
    name: 'convTranspose2d: k 3, s 2, p 1, outputPadding 1 (even output) vs the float64 definition',
    inputs: () => [f32([1, 2, 4, 3]), f32([2, 3, 3, 3])],
    run: (t, x, w) => t.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }),
    reference: (x, w) => convTransposeRef(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }),
    tol: CONV,
  },
  {
    name: 'convTranspose2d: k 3, s 3, p 2, outputPadding 2, groups 3 vs the float64 definition',
    inputs: () => [f32([2, 3, 3, 2]), f32([3, 2, 3, 3]), f32([6])],
    run: (t, x, w, b) => t.convTranspose2d(x, w, b, { stride: 3, padding: 2, outputPadding: 2, groups: 3 }),
    reference: (x, w, b) => convTransposeRef(x, w, b, { stride: 3, padding: 2, outputPadding: 2, groups: 3 }),
    tol: CONV,
  },
  {
    name: 'convTranspose2d: groups 2, non-square stride vs tf.conv2dTranspose per group',
    inputs: () => [f32([1, 4, 3, 4]), f32([4, 3, 2, 3]), f32([6])],
    run: (t, x, w, b) => t.convTranspose2d(x, w, b, { groups: 2, stride: [1, 2] }),
    tfjs: (tf, x, w, b) => {
      const half = (v: TfTensor, i: number) => tf.slice(v, [2 * i, 0, 0, 0], [2, -1, -1, -1]) as TfTensor;
      const parts = [0, 1].map((i) => tfConvT(tf, half(x.transpose([1, 0, 2, 3]) as TfTensor, i).transpose([1, 0, 2, 3]) as TfTensor, half(w, i), [4, 9], [1, 2], 'valid'));
      return withBias(tf, tf.concat(parts, 1) as TfTensor, b);
    },
    tol: CONV,
  },
  {
    name: 'convTranspose2d: 3-D (unbatched) input, dilation 2, gradcheck',
    inputs: () => [f32([2, 3, 3]), f32([2, 2, 2, 2]), f32([2])],
    run: (t, x, w, b) => t.convTranspose2d(x, w, b, { dilation: 2, padding: 1 }),
    reference: (x, w, b) => convTransposeRef(x, w, b, { dilation: 2, padding: 1 }),
    grad: true,
  },
  {
    name: 'convTranspose2d: stride 2, padding 1, outputPadding 1, groups 2, gradcheck',
    inputs: () => [f32([1, 2, 3, 3]), f32([2, 2, 3, 3])],
    run: (t, x, w) => t.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
    reference: (x, w) => convTransposeRef(x, w, null, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
    grad: true,
  },
  {
    name: 'conv1d: stride 2, padding 1, bias',
    inputs: () => [f32([2, 3, 10]), f32([4, 3, 3]), f32([4])],
    run: (t, x, w, b) => t.conv1d(x, w, b, { stride: 2, padding: 1 }),
    reference: (x, w, b) => conv1dRef(x, w, b, { stride: 2, padding: 1 }),
    tol: CONV,
    grad: true,
  },
  {
    name: "conv1d: padding 'same' vs tf.conv1d (NWC, [k, in, out])",
    inputs: () => [f32([2, 3, 9]), f32([4, 3, 3])],
    run: (t, x, w) => t.conv1d(x, w, null, { padding: 'same' }),
    tfjs: (tf, x, w) => tf.transpose(tf.conv1d(tf.transpose(x, [0, 2, 1]) as never, tf.transpose(w, [2, 1, 0]) as never, 1, 'same'), [0, 2, 1]),
    tol: CONV,
  },
  {
    name: 'conv1d: dilation 2, groups 3',
    inputs: () => [f32([1, 6, 11]), f32([3, 2, 3])],
    run: (t, x, w) => t.conv1d(x, w, null, { dilation: 2, groups: 3 }),
    reference: (x, w) => conv1dRef(x, w, null, { dilation: 2, groups: 3 }),
    tol: CONV,
    grad: true,
  },
  {
    name: 'conv1d: 2-D (unbatched) input',
    inputs: () => [f32([3, 8]), f32([2, 3, 3])],
    run: (t, x, w) => t.conv1d(x, w),
    reference: (x, w) => { const r = conv1dRef({ data: x.data, shape: [1, ...x.shape] }, w, null, {}); return { ...r, shape: r.shape.slice(1) }; },
    tol: CONV,
  },
];

const poolCases: OpCase[] = [
  {
    name: 'maxPool2d: 2×2 stride 2',
    inputs: () => [f32([2, 3, 6, 6])],
    run: (t, x) => t.F.maxPool2d(x, 2),
    tfjs: (tf, x) => nchw(tf, tf.maxPool(nhwc(tf, x) as never, 2, 2, 'valid')),
  },
  {
    name: 'maxPool2d: 3×3 stride 2 padding 1 (padding never wins)',
    inputs: () => [f32([1, 2, 7, 7], { range: [-5, -1] })],
    run: (t, x) => t.F.maxPool2d(x, 3, { stride: 2, padding: 1 }),
    reference: (x) => pool2d('max', x, [3, 3], { stride: [2, 2], padding: [1, 1] }),
  },
  {
    name: 'maxPool2d: ceilMode adds a partial last window',
    inputs: () => [f32([1, 2, 7, 7])],
    run: (t, x) => t.F.maxPool2d(x, 2, { ceilMode: true }),
    reference: (x) => pool2d('max', x, [2, 2], { ceilMode: true }),
  },
  {
    name: 'maxPool2d: ceilMode with padding: the last window must start inside',
    inputs: () => [f32([1, 1, 6, 6])],
    run: (t, x) => t.F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
    reference: (x) => pool2d('max', x, [3, 3], { stride: [2, 2], padding: [1, 1], ceilMode: true }),
  },
  {
    name: 'maxPool2d: non-square kernel and stride',
    inputs: () => [f32([1, 2, 6, 8])],
    run: (t, x) => t.F.maxPool2d(x, [2, 3], { stride: [2, 2] }),
    tfjs: (tf, x) => nchw(tf, tf.maxPool(nhwc(tf, x) as never, [2, 3], [2, 2], 'valid')),
  },
  {
    name: 'maxPool2d: gradcheck (distinct values)',
    inputs: () => [f32([1, 2, 4, 4], { distinct: true, margin: 0.02 })],
    run: (t, x) => t.F.maxPool2d(x, 2),
    reference: (x) => pool2d('max', x, [2, 2]),
    grad: true,
  },
  {
    name: 'maxPool2d: overlapping windows, gradcheck',
    inputs: () => [f32([1, 1, 5, 5], { distinct: true, margin: 0.02 })],
    run: (t, x) => t.F.maxPool2d(x, 3, { stride: 1, padding: 1 }),
    reference: (x) => pool2d('max', x, [3, 3], { stride: [1, 1], padding: [1, 1] }),
    grad: true,
  },
  {
    name: 'avgPool2d: 2×2 stride 2',
    inputs: () => [f32([2, 3, 6, 6])],
    run: (t, x) => t.F.avgPool2d(x, 2),
    tfjs: (tf, x) => nchw(tf, tf.avgPool(nhwc(tf, x) as never, 2, 2, 'valid')),
    grad: true,
  },
  {
    name: 'avgPool2d: padding 1, countIncludePad (PyTorch default)',
    inputs: () => [f32([1, 2, 5, 5])],
    run: (t, x) => t.F.avgPool2d(x, 3, { stride: 2, padding: 1 }),
    reference: (x) => pool2d('avg', x, [3, 3], { stride: [2, 2], padding: [1, 1] }),
    grad: true,
  },
  {
    name: 'avgPool2d: padding 1, countIncludePad false',
    inputs: () => [f32([1, 2, 5, 5])],
    run: (t, x) => t.F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
    reference: (x) => pool2d('avg', x, [3, 3], { stride: [2, 2], padding: [1, 1], countIncludePad: false }),
    grad: true,
  },
  {
    name: 'avgPool2d: ceilMode (overhang not counted in the divisor)',
    inputs: () => [f32([1, 2, 5, 5])],
    run: (t, x) => t.F.avgPool2d(x, 2, { ceilMode: true }),
    reference: (x) => pool2d('avg', x, [2, 2], { ceilMode: true }),
    grad: true,
  },
  {
    name: 'avgPool2d: ceilMode with padding',
    inputs: () => [f32([1, 1, 6, 6])],
    run: (t, x) => t.F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
    reference: (x) => pool2d('avg', x, [3, 3], { stride: [2, 2], padding: [1, 1], ceilMode: true }),
  },
  {
    name: "avgPool2d: vs tf.avgPool 'same' (tfjs excludes padding = countIncludePad false)",
    inputs: () => [f32([1, 2, 6, 6])],
    run: (t, x) => t.F.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }),
    tfjs: (tf, x) => nchw(tf, tf.avgPool(nhwc(tf, x) as never, 3, 1, 'same')),
  },
  {
    name: 'adaptiveAvgPool2d: divisible 4×6 → 2×3',
    inputs: () => [f32([2, 3, 4, 6])],
    run: (t, x) => t.F.adaptiveAvgPool2d(x, [2, 3]),
    tfjs: (tf, x) => nchw(tf, tf.avgPool(nhwc(tf, x) as never, 2, 2, 'valid')),
    grad: true,
  },
  {
    name: 'adaptiveAvgPool2d: non-divisible 5×7 → 3×2 (overlapping windows)',
    inputs: () => [f32([1, 2, 5, 7])],
    run: (t, x) => t.F.adaptiveAvgPool2d(x, [3, 2]),
    reference: (x) => adaptiveRef(x, 3, 2),
    grad: true,
  },
  {
    name: 'adaptiveAvgPool2d: global (1×1)',
    inputs: () => [f32([2, 3, 5, 5])],
    run: (t, x) => t.F.adaptiveAvgPool2d(x, 1),
    tfjs: (tf, x) => tf.mean(x, [2, 3], true),
  },
  {
    name: 'maxPool1d / avgPool1d',
    inputs: () => [f32([2, 3, 9])],
    run: (t, x) => [t.F.maxPool1d(x, 3, { stride: 2 }), t.F.avgPool1d(x, 3, { stride: 2, padding: 1 })],
    reference: (x) => [
      oneD(pool2d('max', { data: x.data, shape: [2, 3, 1, 9] }, [1, 3], { stride: [1, 2] })),
      oneD(pool2d('avg', { data: x.data, shape: [2, 3, 1, 9] }, [1, 3], { stride: [1, 2], padding: [0, 1] })),
    ],
  },
];

function oneD(r: Ref): Ref {
  return { ...r, shape: [r.shape[0], r.shape[1], r.shape[3]] };
}

/** Adaptive pooling windows: rows floor(i·H/oh) .. ceil((i+1)·H/oh). */
function adaptiveRef(x: HostTensor, oh: number, ow: number): Ref {
  const [n, c, h, w] = x.shape;
  const out = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    const hs = Math.floor((i * h) / oh), he = Math.ceil(((i + 1) * h) / oh);
    const ws = Math.floor((j * w) / ow), we = Math.ceil(((j + 1) * w) / ow);
    let s = 0;
    for (let a = hs; a < he; a++) for (let b = ws; b < we; b++) s += Number(x.data[(p * h + a) * w + b]);
    out[(p * oh + i) * ow + j] = s / ((he - hs) * (we - ws));
  }
  return ref(out, [n, c, oh, ow]);
}

export const convOpCases: OpCase[] = [...convCases, ...poolCases];
