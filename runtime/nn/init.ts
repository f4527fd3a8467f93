/**
 * `nn.init`: in-place parameter initializers with PyTorch's formulas. All run under noGrad and draw from the
 * seeded global generator (or `opts.generator`), so `torch.manualSeed(n)` reproduces them.
 *
 *   nn.init.kaimingNormal_(conv.weight, { mode: 'fanOut', nonlinearity: 'relu' });
 *   nn.init.zeros_(conv.bias!);
 */
import type { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { noGrad } from '../autograd/grad_mode.js';
import { checkTensor } from '../ops/util.js';
import { tensor } from '../ops/creation.js';
import { defaultGenerator, type Generator } from '../random.js';
import { assertMaterialized } from './uninitialized.js';

export interface GeneratorOption {
  /** Default: the global generator (torch.manualSeed). */
  generator?: Generator;
}

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu';

export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

function floatTarget(t: Tensor, op: string): void {
  checkTensor(t, op, 'tensor');
  assertMaterialized(t, op);
  if (!t.isFloatingPoint()) throw new TypeError(`${op}: expected a floating-point tensor, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
}

/**
 * The recommended gain for a nonlinearity: linear/conv/sigmoid 1, tanh 5/3, relu √2,
 * leaky_relu √(2/(1 + slope²)) (slope = param, default 0.01), selu 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || Number.isNaN(slope)) throw new TypeError(`calculateGain: negative_slope ${slope} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity '${nonlinearity as string}'`);
  }
}

/**
 * fan_in = size(1)·receptive field, fan_out = size(0)·receptive field, where the receptive field is the product
 * of dims 2.. (a Linear weight [out, in] has fanIn = in; a Conv2d weight [out, in/groups, kh, kw] has
 * fanIn = in/groups·kh·kw).
 */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  checkTensor(t, 'calculateFanInAndFanOut', 'tensor');
  assertMaterialized(t, 'calculateFanInAndFanOut');
  if (t.ndim < 2) {
    throw new RangeError(`calculateFanInAndFanOut: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got ${fmtShape(t.shape)}`);
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i];
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function fan(t: Tensor, mode: FanMode, op: string): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  if (mode === 'fanIn' || mode === 'fan_in') return fanIn;
  if (mode === 'fanOut' || mode === 'fan_out') return fanOut;
  throw new RangeError(`${op}: mode '${mode as string}' not supported, please use one of 'fanIn', 'fanOut'`);
}

/** Fills with U(a, b). Defaults a = 0, b = 1. */
export function uniform_(t: Tensor, a = 0, b = 1, opts: GeneratorOption = {}): Tensor {
  floatTarget(t, 'uniform_');
  if (!(a <= b)) throw new RangeError(`uniform_: expects a <= b, got a=${a}, b=${b}`);
  return noGrad(() => t.uniform_(a, b, opts.generator));
}

/** Fills with N(mean, std²). Defaults 0, 1. */
export function normal_(t: Tensor, mean = 0, std = 1, opts: GeneratorOption = {}): Tensor {
  floatTarget(t, 'normal_');
  if (!(std >= 0)) throw new RangeError(`normal_: expects std >= 0, got ${std}`);
  return noGrad(() => t.normal_(mean, std, opts.generator));
}

/** Fills with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  checkTensor(t, 'constant_', 'tensor');
  assertMaterialized(t, 'constant_');
  return noGrad(() => t.fill_(value));
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills a 2-D tensor with the identity (ones on the main diagonal, zeros elsewhere). */
export function eye_(t: Tensor): Tensor {
  checkTensor(t, 'eye_', 'tensor');
  assertMaterialized(t, 'eye_');
  if (t.ndim !== 2) throw new RangeError(`eye_: only tensors with 2 dimensions are supported, got ${fmtShape(t.shape)}`);
  const [r, c] = t.shape;
  const v = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) v[i * c + i] = 1;
  return write(t, v);
}

/** Copies host values into t (same shape, cast to t's dtype and device) without touching autograd. */
function write(t: Tensor, values: Float64Array): Tensor {
  return noGrad(() => t.copy_(tensor(values, { dtype: t.dtype, device: t.storage.device, shape: t.shape.slice() })));
}

/** Xavier/Glorot uniform: U(−a, a), a = gain·√(6/(fan_in + fan_out)). tfjs's default kernel initializer. */
export function xavierUniform_(t: Tensor, gain = 1, opts: GeneratorOption = {}): Tensor {
  floatTarget(t, 'xavierUniform_');
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, opts);
}

/** Xavier/Glorot normal: N(0, std²), std = gain·√(2/(fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: GeneratorOption = {}): Tensor {
  floatTarget(t, 'xavierNormal_');
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

/** tfjs's names for the Xavier initializers. */
export const glorotUniform_ = xavierUniform_;
export const glorotNormal_ = xavierNormal_;

export interface KaimingOptions extends GeneratorOption {
  /** Negative slope of the rectifier after this layer (leaky_relu only). Default 0. */
  a?: number;
  /** 'fanIn' (default: preserves the forward variance) or 'fanOut' (the backward one). */
  mode?: FanMode;
  /** Default 'leaky_relu' (with a = 0 that is ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions, op: string): number {
  floatTarget(t, op);
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return gain / Math.sqrt(fan(t, opts.mode ?? 'fanIn', op));
}

/** Kaiming/He uniform: U(−bound, bound), bound = gain·√(3/fan). A zero-element tensor is left as is. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd(t, opts, 'kaimingUniform_');
  return uniform_(t, -bound, bound, opts);
}

/** Kaiming/He normal: N(0, std²), std = gain/√fan. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t;
  return normal_(t, 0, kaimingStd(t, opts, 'kaimingNormal_'), opts);
}

/**
 * Truncated normal: N(mean, std²) conditioned on [a, b] (exact, by rejection from the seeded generator).
 * Defaults mean 0, std 1, a −2, b 2.
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: GeneratorOption = {}): Tensor {
  floatTarget(t, 'truncNormal_');
  if (!(a < b)) throw new RangeError(`truncNormal_: expects a < b, got a=${a}, b=${b}`);
  if (!(std > 0)) throw new RangeError(`truncNormal_: expects std > 0, got ${std}`);
  const mass = normCdf((b - mean) / std) - normCdf((a - mean) / std);
  if (!(mass > 1e-4)) {
    throw new RangeError(`truncNormal_: [a, b] = [${a}, ${b}] holds only ${mass.toExponential(2)} of N(${mean}, ${std}²); move the interval closer to the mean`);
  }
  const gen = opts.generator ?? defaultGenerator;
  const v = new Float64Array(t.numel());
  for (let i = 0; i < v.length; i++) {
    let x: number;
    do x = mean + std * gen.normal(); while (x < a || x > b);
    v[i] = x;
  }
  return write(t, v);
}

/** Standard normal CDF via erf (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7: enough for the mass check). */
function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * z);
  const erf = 1 - k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}

/**
 * (Semi-)orthogonal matrix, as PyTorch: flatten to [rows, cols] = [size(0), numel/size(0)], draw N(0, 1),
 * QR-decompose (of the transpose when rows < cols), make diag(R) positive (PyTorch's sign fix: Q·sign(diag R)),
 * scale by gain. Rows are orthonormal when rows ≤ cols, columns otherwise.
 */
export function orthogonal_(t: Tensor, gain = 1, opts: GeneratorOption = {}): Tensor {
  floatTarget(t, 'orthogonal_');
  if (t.ndim < 2) throw new RangeError(`orthogonal_: only tensors with 2 or more dimensions are supported, got ${fmtShape(t.shape)}`);
  if (t.numel() === 0) return t;
  const rows = t.shape[0], cols = t.numel() / rows;
  const gen = opts.generator ?? defaultGenerator;
  const flat = new Float64Array(rows * cols);
  for (let i = 0; i < flat.length; i++) flat[i] = gen.normal();
  // Work on a tall m×n matrix A (m ≥ n), stored column-major as n columns of length m.
  const tall = rows >= cols;
  const m = tall ? rows : cols, n = tall ? cols : rows;
  const colsA: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = tall ? flat[i * cols + j] : flat[j * cols + i];
    colsA.push(c);
  }
  const q = thinQ(colsA);
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      if (tall) out[i * cols + j] = gain * q[j][i];
      else out[j * cols + i] = gain * q[j][i];
    }
  }
  return write(t, out);
}

/**
 * The Q of the thin QR decomposition with a positive diagonal in R, by modified Gram-Schmidt with one
 * re-orthogonalization pass ("twice is enough"); columns in, orthonormal columns out. Gram-Schmidt's R has
 * a positive diagonal by construction, which is exactly the unique factor PyTorch's sign fix selects.
 */
function thinQ(columns: Float64Array[]): Float64Array[] {
  const q: Float64Array[] = [];
  for (const a of columns) {
    const v = Float64Array.from(a);
    for (let pass = 0; pass < 2; pass++) {
      for (const qi of q) {
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += qi[i] * v[i];
        for (let i = 0; i < v.length; i++) v[i] -= dot * qi[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error('orthogonal_: the random matrix was rank-deficient (this should not happen); try again');
    for (let i = 0; i < v.length; i++) v[i] /= norm;
    q.push(v);
  }
  return q;
}
