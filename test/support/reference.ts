/**
 * Plain-JS float64 references for ops that TensorFlow.js lacks or defines differently. Written for clarity,
 * not speed: every helper walks indices explicitly, so a reviewer can check it against PyTorch's docs.
 */
import type { DType } from '../../runtime/dtype.js';
import type { HostTensor } from './assert_close.js';

/** A reference result: float64 values with the dtype PyTorch would return. */
export interface Ref extends HostTensor {
  data: Float64Array;
  shape: number[];
  dtype: DType;
}

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function ref(data: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32'): Ref {
  return { data: Float64Array.from(data), shape: shape.slice(), dtype };
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat = Math.floor(flat / shape[d]); }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
  return f;
}

/** Value at a (broadcast) index: `idx` is an index of a shape whose trailing dims `x.shape` broadcasts to. */
export function at(x: HostTensor, idx: readonly number[]): number {
  const off = idx.length - x.shape.length;
  let f = 0;
  for (let d = 0; d < x.shape.length; d++) f = f * x.shape[d] + (x.shape[d] === 1 ? 0 : idx[d + off]);
  return Number(x.data[f]);
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    let size = 1;
    for (const s of shapes) {
      const d = s[i - (nd - s.length)] ?? 1;
      if (d !== 1) {
        if (size !== 1 && size !== d) throw new RangeError(`reference: cannot broadcast ${shapes.map((x) => `[${x}]`).join(' ')}`);
        size = d;
      }
    }
    out.push(size);
  }
  return out;
}

/** Elementwise map with an output dtype. */
export function map(x: HostTensor, fn: (v: number) => number, dtype: DType = x.dtype ?? 'float32'): Ref {
  return ref(Array.from(x.data as ArrayLike<number>, (v) => fn(Number(v))), x.shape, dtype);
}

/** Elementwise n-ary function with broadcasting. */
export function zip(xs: HostTensor[], fn: (...v: number[]) => number, dtype: DType): Ref {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = fn(...xs.map((x) => at(x, idx)));
  }
  return { data: out, shape, dtype };
}

/** Reduces over `dims` (default all) with `fn` over the slice's values in row-major order. */
export function reduce(x: HostTensor, dims: number[] | null, keepdim: boolean, fn: (vals: number[]) => number, dtype: DType = x.dtype ?? 'float32'): Ref {
  const nd = x.shape.length;
  const ds = (dims ?? [...Array(nd).keys()]).map((d) => (d < 0 ? d + nd : d));
  const outShapeKeep = x.shape.map((s, i) => (ds.includes(i) ? 1 : s));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < numel(x.shape); i++) {
    const idx = unravel(i, x.shape).map((v, d) => (ds.includes(d) ? 0 : v));
    const key = ravel(idx, outShapeKeep);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(Number(x.data[i]));
  }
  const out = new Float64Array(numel(outShapeKeep));
  for (let k = 0; k < out.length; k++) out[k] = fn(groups.get(k) ?? []);
  return { data: out, shape: keepdim ? outShapeKeep : x.shape.filter((_, i) => !ds.includes(i)), dtype };
}

export const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const meanOf = (v: number[]) => sumOf(v) / v.length;
export function varOf(v: number[], correction: number): number {
  const m = meanOf(v);
  return sumOf(v.map((x) => (x - m) ** 2)) / Math.max(v.length - correction, 0);
}
/** Index of the first maximum (NaN counts as the maximum, as in PyTorch). */
export function argmaxOf(v: number[]): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k] || (Number.isNaN(v[i]) && !Number.isNaN(v[k]))) k = i;
  return k;
}
export function argminOf(v: number[]): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] < v[k] || (Number.isNaN(v[i]) && !Number.isNaN(v[k]))) k = i;
  return k;
}
export function logsumexpOf(v: number[]): number {
  const m = Math.max(...v);
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  return m + Math.log(sumOf(v.map((x) => Math.exp(x - m))));
}

/** Batched matmul with PyTorch's 1-D and broadcasting rules. */
export function matmul(a: HostTensor, b: HostTensor): Ref {
  const a2 = a.shape.length === 1 ? { ...a, shape: [1, a.shape[0]] } : a;
  const b2 = b.shape.length === 1 ? { ...b, shape: [b.shape[0], 1] } : b;
  const M = a2.shape[a2.shape.length - 2], K = a2.shape[a2.shape.length - 1], N = b2.shape[b2.shape.length - 1];
  const batch = broadcastShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const out = new Float64Array(numel(batch) * M * N);
  // Offset of matrix number `t` of the broadcast batch inside an operand with batch dims `bs`.
  const base = (bs: readonly number[], t: number, mat: number) => {
    const idx = unravel(t, batch).slice(batch.length - bs.length);
    let f = 0;
    for (let d = 0; d < bs.length; d++) f = f * bs[d] + (bs[d] === 1 ? 0 : idx[d]);
    return f * mat;
  };
  for (let t = 0; t < numel(batch); t++) {
    const oa = base(a2.shape.slice(0, -2), t, M * K), ob = base(b2.shape.slice(0, -2), t, K * N);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += Number(a2.data[oa + i * K + k]) * Number(b2.data[ob + k * N + j]);
        out[(t * M + i) * N + j] = s;
      }
    }
  }
  let shape = [...batch, M, N];
  if (a.shape.length === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  return { data: out, shape, dtype: a.dtype ?? 'float32' };
}

export interface Conv2dRefOptions {
  stride?: [number, number];
  /** [top, bottom, left, right] */
  padding?: [number, number, number, number];
  dilation?: [number, number];
  groups?: number;
}

/** Direct (six nested loops) cross-correlation, NCHW input and OIHW weight. */
export function conv2d(x: HostTensor, w: HostTensor, bias: HostTensor | null, o: Conv2dRefOptions = {}): Ref {
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = w.shape;
  const [sh, sw] = o.stride ?? [1, 1];
  const [pt, pb, pl, pr] = o.padding ?? [0, 0, 0, 0];
  const [dh, dw] = o.dilation ?? [1, 1];
  const groups = o.groups ?? 1;
  const OH = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float64Array(N * O * OH * OW);
  const og = O / groups;
  for (let n = 0; n < N; n++) for (let oc = 0; oc < O; oc++) {
    const g = Math.floor(oc / og);
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
      let s = bias ? Number(bias.data[oc]) : 0;
      for (let c = 0; c < Cg; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
        const ih = oh * sh - pt + i * dh, iw = ow * sw - pl + j * dw;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        s += Number(x.data[((n * C + g * Cg + c) * H + ih) * W + iw]) * Number(w.data[((oc * Cg + c) * kh + i) * kw + j]);
      }
      out[((n * O + oc) * OH + oh) * OW + ow] = s;
    }
  }
  return { data: out, shape: [N, O, OH, OW], dtype: x.dtype ?? 'float32' };
}

export interface Pool2dRefOptions {
  stride?: [number, number];
  padding?: [number, number];
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/**
 * max/avg pooling with PyTorch's output size rule (ceil mode: the last window must start inside the input or
 * the left padding) and divisor rule (count_include_pad counts explicit padding, never the ceil overhang).
 */
export function pool2d(kind: 'max' | 'avg', x: HostTensor, k: [number, number], o: Pool2dRefOptions = {}): Ref {
  const [N, C, H, W] = x.shape;
  const [sh, sw] = o.stride ?? k;
  const [ph, pw] = o.padding ?? [0, 0];
  const size = (len: number, kk: number, s: number, p: number) => {
    let out = (o.ceilMode ? Math.ceil((len + 2 * p - kk) / s) : Math.floor((len + 2 * p - kk) / s)) + 1;
    if (o.ceilMode && (out - 1) * s >= len + p) out--;
    return out;
  };
  const OH = size(H, k[0], sh, ph), OW = size(W, k[1], sw, pw);
  const out = new Float64Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    const hs = oh * sh - ph, ws = ow * sw - pw;
    let m = -Infinity, s = 0, cnt = 0;
    for (let i = 0; i < k[0]; i++) for (let j = 0; j < k[1]; j++) {
      const ih = hs + i, iw = ws + j;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const v = Number(x.data[(nc * H + ih) * W + iw]);
      if (v > m || Number.isNaN(v)) m = v;
      s += v;
      cnt++;
    }
    let div = cnt;
    if (o.countIncludePad ?? true) {
      // Window clipped to the padded input (explicit padding counts; the ceil-mode overhang does not).
      const he = Math.min(hs + k[0], H + ph), we = Math.min(ws + k[1], W + pw);
      div = (he - Math.max(hs, -ph)) * (we - Math.max(ws, -pw));
    }
    out[(nc * OH + oh) * OW + ow] = kind === 'max' ? m : s / div;
  }
  return { data: out, shape: [N, C, OH, OW], dtype: x.dtype ?? 'float32' };
}

/** erf to ~1e-15 (Taylor series near 0, continued fraction for the tail); Math has no erf. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = x, term = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) evaluated bottom-up.
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** Round half to even (torch.round, tf.round). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Python's % (sign of the divisor). */
export function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** torch.sign: NaN → 0 (ATen computes (0 < x) - (x < 0)). */
export const torchSign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);
