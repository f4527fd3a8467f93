/**
 * `compat.initializers`: tfjs's Initializer objects (`tf.initializers.glorotNormal({ seed })` and the rest), for
 * code that calls `initializer.apply(shape)` itself — custom layers' `addWeight`, hand-built weights. The shape
 * is the one the code asks for, in tfjs's layout, so the fans are tfjs's (tfjs-layers' computeFans: `[in, out]` for
 * 2-D, channels-last kernels `[...receptive, in, out]` for 3-5-D, √(size) otherwise) and every formula is
 * tfjs-layers' own: VarianceScaling's normal distribution is a normal truncated at 2σ with σ = √(scale / n), with no
 * correction for the truncation (Keras divides by 0.8796; tfjs does not). The numbers come from the runtime's
 * generator (a `seed` seeds a Generator for that initializer), not from tfjs's.
 */
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { empty } from '../ops/creation.js';
import { Generator } from '../random.js';
import { noGrad } from '../autograd/grad_mode.js';
import * as init from '../nn/init.js';

/** tfjs's Initializer: `apply(shape, dtype?)` gives a new tensor. */
export interface Initializer {
  readonly className: string;
  apply(shape: readonly number[], dtype?: DType): Tensor;
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** tfjs-layers' computeFans for its channels-last layouts. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0], shape[1]];
  if (shape.length >= 3 && shape.length <= 5) {
    const receptive = prod(shape.slice(0, -2));
    return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
  }
  const n = Math.sqrt(prod(shape));
  return [n, n];
}

function make(className: string, fill: (t: Tensor) => void): Initializer {
  return {
    className,
    apply(shape, dtype = 'float32') {
      if (dtype !== 'float32' && dtype !== 'float64') throw new TypeError(`compat.initializers.${className}: dtype '${dtype}' is not a float type (tfjs's initializers make float32 weights)`);
      const t = empty(shape.slice(), { dtype });
      noGrad(() => fill(t));
      return t;
    },
  };
}

// A fresh Generator at every apply: tfjs's seeded initializer gives the same values each time it is applied.
const gen = (seed: number | undefined) => (seed === undefined ? {} : { generator: new Generator(seed) });

export const zeros = () => make('Zeros', (t) => init.zeros_(t));
export const ones = () => make('Ones', (t) => init.ones_(t));
export const constant = (args: { value: number }) => make('Constant', (t) => init.constant_(t, args.value));

export function randomUniform(args: { minval?: number; maxval?: number; seed?: number } = {}): Initializer {
  return make('RandomUniform', (t) => init.uniform_(t, args.minval ?? -0.05, args.maxval ?? 0.05, gen(args.seed)));
}

export function randomNormal(args: { mean?: number; stddev?: number; seed?: number } = {}): Initializer {
  return make('RandomNormal', (t) => init.normal_(t, args.mean ?? 0, args.stddev ?? 0.05, gen(args.seed)));
}

export function truncatedNormal(args: { mean?: number; stddev?: number; seed?: number } = {}): Initializer {
  const [m, s] = [args.mean ?? 0, args.stddev ?? 0.05];
  return make('TruncatedNormal', (t) => init.truncNormal_(t, m, s, m - 2 * s, m + 2 * s, gen(args.seed)));
}

export interface VarianceScalingArgs {
  scale?: number;
  mode?: 'fanIn' | 'fanOut' | 'fanAvg';
  distribution?: 'normal' | 'uniform' | 'truncatedNormal';
  seed?: number;
}

export function varianceScaling(args: VarianceScalingArgs = {}, className = 'VarianceScaling'): Initializer {
  const scale0 = args.scale ?? 1;
  if (scale0 < 0) throw new RangeError(`compat.initializers.varianceScaling: scale must be a positive float, got ${scale0}`);
  const mode = args.mode ?? 'fanIn';
  return {
    className,
    apply(shape, dtype = 'float32') {
      const [fanIn, fanOut] = computeFans(shape);
      const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
      const scale = scale0 / Math.max(1, n);
      return make(className, (t) => {
        if ((args.distribution ?? 'normal') === 'uniform') {
          const limit = Math.sqrt(3 * scale);
          init.uniform_(t, -limit, limit, gen(args.seed));
        } else {
          const s = Math.sqrt(scale);
          init.truncNormal_(t, 0, s, -2 * s, 2 * s, gen(args.seed));
        }
      }).apply(shape, dtype);
    },
  };
}

type Seeded = { seed?: number };
export const glorotNormal = (a: Seeded = {}) => varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'normal', seed: a.seed }, 'GlorotNormal');
export const glorotUniform = (a: Seeded = {}) => varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: a.seed }, 'GlorotUniform');
export const heNormal = (a: Seeded = {}) => varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'normal', seed: a.seed }, 'HeNormal');
export const heUniform = (a: Seeded = {}) => varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform', seed: a.seed }, 'HeUniform');
export const leCunNormal = (a: Seeded = {}) => varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'normal', seed: a.seed }, 'LeCunNormal');
export const leCunUniform = (a: Seeded = {}) => varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform', seed: a.seed }, 'LeCunUniform');

/** tfjs's identity initializer: `gain` × the identity, 2-D square shapes only (tfjs refuses others too). */
export function identity(args: { gain?: number } = {}): Initializer {
  return {
    className: 'Identity',
    apply(shape, dtype = 'float32') {
      if (shape.length !== 2 || shape[0] !== shape[1]) throw new RangeError(`compat.initializers.identity: only square 2-D shapes are supported (as in tfjs), got [${shape.join(', ')}]`);
      return make('Identity', (t) => { init.eye_(t); t.mul_(args.gain ?? 1); }).apply(shape, dtype);
    },
  };
}
