/**
 * Seeded random numbers. One global generator (`manualSeed`) plus explicit `Generator` objects (used by
 * DataLoader shuffling), so every random op is reproducible.
 *
 * The core is xoshiro128** (32-bit state words, fast in JS); normals use Box-Muller on pairs.
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;
  private _seed = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    this._seed = seed;
    // splitmix32 spreads a small integer seed over the 128-bit state.
    let x = seed >>> 0 || 0x9e3779b9;
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spare = null;
    return this;
  }

  initialSeed(): number {
    return this._seed;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of randomness (float32-exact after rounding down). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u1 = this.uniform();
    while (u1 === 0) u1 = this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low));
  }

  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this._seed];
  }

  setState(state: number[]): this {
    [this.s0, this.s1, this.s2, this.s3, this._seed] = state;
    this.spare = null;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export const defaultGenerator = new Generator(0x2f6b);

/** `torch.manualSeed(n)`: reseeds the global generator used by rand/randn/randint/dropout/init. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

export function seed(): number {
  const s = (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
  defaultGenerator.manualSeed(s);
  return s;
}
