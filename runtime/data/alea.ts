/**
 * Alea, the seeded generator tfjs's `Dataset.shuffle(bufferSize, seed)` draws from (the `seedrandom` package's
 * `alea`, by Johannes Baagøe, MIT licence), ported line for line so a seeded shuffle visits elements in exactly
 * tfjs's order — the diff tester can then pair batches one to one.
 */

function mash(): (data: unknown) => number {
  let n = 0xefc8249d;
  return (data: unknown) => {
    const s = String(data);
    for (let i = 0; i < s.length; i++) {
      n += s.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
  };
}

/** A generator of doubles in [0, 1), seeded by a string (or anything `String()` accepts), with `int32()`. */
export interface Alea {
  (): number;
  int32(): number;
}

export function alea(seed: unknown): Alea {
  const m = mash();
  let c = 1;
  let s0 = m(' ');
  let s1 = m(' ');
  let s2 = m(' ');
  s0 -= m(seed);
  if (s0 < 0) s0 += 1;
  s1 -= m(seed);
  if (s1 < 0) s1 += 1;
  s2 -= m(seed);
  if (s2 < 0) s2 += 1;
  const next = (): number => {
    const t = 2091639 * s0 + c * 2.3283064365386963e-10; // 2^-32
    s0 = s1;
    s1 = s2;
    return (s2 = t - (c = t | 0));
  };
  const prng = next as Alea;
  prng.int32 = () => (next() * 0x100000000) | 0;
  return prng;
}
