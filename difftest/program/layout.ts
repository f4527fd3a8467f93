/**
 * Weight and activation layout conversion between TensorFlow.js (the reference) and the runtime (the candidate):
 *
 * - Dense kernel `[in, out]` → Linear weight `[out, in]` (a transpose);
 * - Conv2D kernel HWIO `[kh, kw, in, out]` → Conv2d weight OIHW `[out, in, kh, kw]`;
 * - Conv2DTranspose kernel `[kh, kw, out, in]` → ConvTranspose2d weight `[in, out, kh, kw]` (the same permutation);
 * - Conv1D kernel `[k, in, out]` → Conv1d weight `[out, in, k]`;
 * - GRU kernels `[in, 3H]` (gates z, r, h) → weight_ih / weight_hh `[3H, in]` (gates r, z, n), and its bias;
 * - activations NHWC `[n, h, w, c]` → NCHW `[n, c, h, w]` when the migrated model is NCHW (and NWC `[n, t, c]` →
 *   NCW `[n, c, t]` around the 1-D modules);
 * - a Flatten of an NHWC activation orders its features (h, w, c); the NCHW candidate's Flatten orders them
 *   (c, h, w). So the flattened activations differ by a permutation of the feature axis, and the first Dense after
 *   that Flatten must have its kernel's input rows permuted the same way, or the candidate computes a different
 *   function from the same numbers.
 *
 * All conversions go reference → candidate: the candidate loads converted reference weights, and every probe is
 * compared in the candidate's layout (the reference tensor converted), so a report shows the candidate's names and
 * shapes.
 */

/** Row-major strides. */
/** `out` when given (a buffer reused across steps; it must have exactly n elements), else a new array. */
function outBuffer(out: Float32Array | undefined, n: number, op: string): Float32Array {
  if (!out) return new Float32Array(n);
  if (out.length !== n) throw new RangeError(`${op}: the output buffer has ${out.length} elements, the result ${n}`);
  return out;
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** `x.permute(perm)` made contiguous: out's dim i is x's dim perm[i]. */
export function permute(data: ArrayLike<number>, shape: readonly number[], perm: readonly number[], out?: Float32Array): { data: Float32Array; shape: number[] } {
  if (perm.length !== shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new RangeError(`permute: perm [${perm.join(', ')}] is not a permutation of the ${shape.length} dims of shape [${shape.join(', ')}]`);
  }
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const srcStrides = perm.map((p) => inStrides[p]);
  const n = outShape.reduce((a, b) => a * b, 1);
  const dst = outBuffer(out, n, 'permute');
  const idx = new Array<number>(outShape.length).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    dst[i] = data[src];
    // Odometer over the output's index; src follows with the permuted strides.
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[d]++;
      src += srcStrides[d];
      if (idx[d] < outShape[d]) break;
      src -= srcStrides[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return { data: dst, shape: outShape };
}

/**
 * For a feature axis flattened from (h, w, c) (tfjs, NHWC), the position of each NCHW-ordered feature (c, h, w):
 * `order[(ci·h + hi)·w + wi] = (hi·w + wi)·c + ci`.
 */
export function nhwcToNchwFeatureOrder(h: number, w: number, c: number): Int32Array {
  const order = new Int32Array(h * w * c);
  for (let ci = 0; ci < c; ci++) {
    for (let hi = 0; hi < h; hi++) {
      for (let wi = 0; wi < w; wi++) order[(ci * h + hi) * w + wi] = (hi * w + wi) * c + ci;
    }
  }
  return order;
}

/** How a reference activation maps onto the candidate's layout. */
export type ActivationLayout =
  | { kind: 'same' }
  /** Channels last → channels first: NHWC → NCHW on a 4-d activation, NWC → NCW on a 3-d one. */
  | { kind: 'nhwc-to-nchw' }
  /** Features flattened from an NHWC map of [h, w, c] on the reference, from NCHW on the candidate. */
  | { kind: 'flat-nhwc-to-nchw'; h: number; w: number; c: number };

/** Converts a reference activation (batch first) to the candidate's layout. */
export function activationToCandidate(data: ArrayLike<number>, shape: readonly number[], layout: ActivationLayout): { data: Float32Array; shape: number[] } {
  switch (layout.kind) {
    case 'same':
      return { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: [...shape] };
    case 'nhwc-to-nchw':
      if (shape.length === 3) return permute(data, shape, [0, 2, 1]);
      if (shape.length !== 4) throw new RangeError(`activationToCandidate: channels last → first needs a 3-d (NWC) or 4-d (NHWC) activation, got shape [${shape.join(', ')}]`);
      return permute(data, shape, [0, 3, 1, 2]);
    case 'flat-nhwc-to-nchw': {
      const f = layout.h * layout.w * layout.c;
      if (shape.length !== 2 || shape[1] !== f) {
        throw new RangeError(`activationToCandidate: a flattened [${layout.h}, ${layout.w}, ${layout.c}] map needs shape [n, ${f}], got [${shape.join(', ')}]`);
      }
      const order = nhwcToNchwFeatureOrder(layout.h, layout.w, layout.c);
      const n = shape[0];
      const out = new Float32Array(n * f);
      for (let r = 0; r < n; r++) for (let j = 0; j < f; j++) out[r * f + j] = data[r * f + order[j]];
      return { data: out, shape: [n, f] };
    }
  }
}

/**
 * A Dense kernel `[in, out]` as the Linear weight `[out, in]`. With `flattenedFrom` (the Dense reads a Flatten of an
 * NHWC [h, w, c] map and the candidate is NCHW), the input rows are permuted to the candidate's (c, h, w) order.
 */
export function denseKernelToLinear(kernel: ArrayLike<number>, shape: readonly number[], flattenedFrom?: { h: number; w: number; c: number }, out?: Float32Array): { data: Float32Array; shape: number[] } {
  if (shape.length !== 2) throw new RangeError(`denseKernelToLinear: a Dense kernel is [in, out], got shape [${shape.join(', ')}]`);
  const [nIn, nOut] = shape;
  let rows: Int32Array | null = null;
  if (flattenedFrom) {
    const { h, w, c } = flattenedFrom;
    if (h * w * c !== nIn) throw new RangeError(`denseKernelToLinear: the kernel has ${nIn} input rows but the flattened map [${h}, ${w}, ${c}] has ${h * w * c} features`);
    rows = nhwcToNchwFeatureOrder(h, w, c);
  }
  const dst = outBuffer(out, nIn * nOut, 'denseKernelToLinear');
  // Output rows in order (sequential writes); under replay this runs on every Dense kernel at every step.
  for (let o = 0; o < nOut; o++) {
    const base = o * nIn;
    if (rows) for (let i = 0; i < nIn; i++) dst[base + i] = kernel[rows[i] * nOut + o];
    else for (let i = 0; i < nIn; i++) dst[base + i] = kernel[i * nOut + o];
  }
  return { data: dst, shape: [nOut, nIn] };
}

/** A Conv2D kernel HWIO `[kh, kw, in, out]` as the Conv2d weight OIHW `[out, in, kh, kw]`. */
export function hwioToOihw(kernel: ArrayLike<number>, shape: readonly number[], out?: Float32Array): { data: Float32Array; shape: number[] } {
  if (shape.length !== 4) throw new RangeError(`hwioToOihw: a Conv2D kernel is [kh, kw, in, out], got shape [${shape.join(', ')}]`);
  return permute(kernel, shape, [3, 2, 0, 1], out);
}

/**
 * A Conv2DTranspose kernel `[kh, kw, out, in]` as the ConvTranspose2d weight `[in, out, kh, kw]`: the permutation
 * of hwioToOihw, with the roles of in and out swapped on both sides.
 */
export function conv2dTransposeKernel(kernel: ArrayLike<number>, shape: readonly number[], out?: Float32Array): { data: Float32Array; shape: number[] } {
  if (shape.length !== 4) throw new RangeError(`conv2dTransposeKernel: a Conv2DTranspose kernel is [kh, kw, out, in], got shape [${shape.join(', ')}]`);
  return permute(kernel, shape, [3, 2, 0, 1], out);
}

/** A Conv1D kernel `[k, in, out]` as the Conv1d weight `[out, in, k]`. */
export function conv1dKernel(kernel: ArrayLike<number>, shape: readonly number[], out?: Float32Array): { data: Float32Array; shape: number[] } {
  if (shape.length !== 3) throw new RangeError(`conv1dKernel: a Conv1D kernel is [k, in, out], got shape [${shape.join(', ')}]`);
  return permute(kernel, shape, [2, 1, 0], out);
}

/**
 * A GRU kernel `[in, 3H]` (or recurrent kernel `[H, 3H]`), columns in tfjs's gate order z, r, h, as the runtime's
 * weight `[3H, in]`, rows in its order r, z, n: the Dense transpose with the first two gate blocks swapped. A bias
 * `[3H]` (`kernel` false) only has its blocks swapped.
 */
export function gruGates(data: ArrayLike<number>, shape: readonly number[], kernel: boolean, out?: Float32Array): { data: Float32Array; shape: number[] } {
  const cols = shape[shape.length - 1];
  if ((kernel ? shape.length !== 2 : shape.length !== 1) || cols % 3 !== 0) {
    throw new RangeError(`gruGates: a GRU ${kernel ? 'kernel is [in, 3·units]' : 'bias is [3·units]'}, got shape [${shape.join(', ')}]`);
  }
  const H = cols / 3;
  const rows = kernel ? shape[0] : 1;
  // Runtime gate block g reads tfjs block FROM[g]: r ← 1, z ← 0, n ← 2.
  const FROM = [1, 0, 2];
  const dst = outBuffer(out, rows * cols, 'gruGates');
  for (let g = 0; g < 3; g++) {
    for (let u = 0; u < H; u++) {
      const src = FROM[g] * H + u;
      const o = g * H + u;
      for (let i = 0; i < rows; i++) dst[o * rows + i] = data[i * cols + src];
    }
  }
  return { data: dst, shape: kernel ? [cols, rows] : [cols] };
}

/** How a reference weight becomes the candidate's parameter. */
export type WeightLayout =
  | { kind: 'same' }
  | { kind: 'dense-kernel'; flattenedFrom?: { h: number; w: number; c: number } }
  | { kind: 'conv2d-kernel' }
  | { kind: 'depthwise-kernel' }
  | { kind: 'prelu-alpha' }
  | { kind: 'conv2d-transpose-kernel' }
  | { kind: 'conv1d-kernel' }
  | { kind: 'gru-kernel' }
  | { kind: 'gru-bias' };

/**
 * The layout of a tfjs layer's weight (its class and short name: `kernel`, `recurrent_kernel`, `bias`, ...) on the
 * runtime, in one place for every probe that pairs weights (layer_map, graph_map, the custom-loop probes).
 * Recurrent kernels are [in, 4H] / [H, 4H] against weight_ih / weight_hh [4H, in] / [4H, H]: a Dense kernel's
 * transpose.
 */
export function weightLayoutOf(className: string, tensor: string, flattenedFrom?: { h: number; w: number; c: number }, wrapped?: string): WeightLayout {
  // A Bidirectional's weights are its wrapped RNN's, per direction.
  if (className === 'Bidirectional') return weightLayoutOf(wrapped ?? '', tensor.replace(/^(forward|backward)_/, ''));
  // TimeDistributed's weights are its wrapped Dense's (the only layer the diff pairs inside it).
  if (tensor === 'kernel' && (className === 'Dense' || className === 'TimeDistributed')) return flattenedFrom ? { kind: 'dense-kernel', flattenedFrom } : { kind: 'dense-kernel' };
  if (tensor === 'kernel' && className === 'Conv2D') return { kind: 'conv2d-kernel' };
  if (tensor === 'depthwise_kernel' && className === 'DepthwiseConv2D') return { kind: 'depthwise-kernel' };
  if (tensor === 'alpha' && className === 'PReLU') return { kind: 'prelu-alpha' };
  if (tensor === 'kernel' && className === 'Conv2DTranspose') return { kind: 'conv2d-transpose-kernel' };
  if (tensor === 'kernel' && className === 'Conv1D') return { kind: 'conv1d-kernel' };
  if (className === 'GRU') return tensor === 'bias' ? { kind: 'gru-bias' } : { kind: 'gru-kernel' };
  if ((tensor === 'kernel' || tensor === 'recurrent_kernel') && (className === 'LSTM' || className === 'SimpleRNN')) return { kind: 'dense-kernel' };
  return { kind: 'same' };
}

export function weightToCandidate(data: ArrayLike<number>, shape: readonly number[], layout: WeightLayout, out?: Float32Array): { data: Float32Array; shape: number[] } {
  switch (layout.kind) {
    case 'same':
      return { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: [...shape] };
    case 'dense-kernel':
      return denseKernelToLinear(data, shape, layout.flattenedFrom, out);
    case 'conv2d-kernel':
      return hwioToOihw(data, shape, out);
    case 'prelu-alpha':
      // tfjs's alpha [.., C] with every axis but the channels shared (the only form migrated) is nn.PReLU's [C].
      return { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: [shape.reduce((a, b) => a * b, 1)] };
    case 'depthwise-kernel':
      // [kh, kw, in, dm] read as HWIO [kh, kw, 1, in·dm] (row c·dm + m) is the grouped weight [in·dm, 1, kh, kw].
      return hwioToOihw(data, [shape[0], shape[1], 1, shape[2] * shape[3]], out);
    case 'conv2d-transpose-kernel':
      return conv2dTransposeKernel(data, shape, out);
    case 'conv1d-kernel':
      return conv1dKernel(data, shape, out);
    case 'gru-kernel':
      return gruGates(data, shape, true, out);
    case 'gru-bias':
      return gruGates(data, shape, false, out);
  }
}
