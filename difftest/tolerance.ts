/**
 * Tolerances for comparing a candidate tensor with a reference, by dtype and op class.
 *
 * - `elementwise`, `layout`: torch.testing.assert_close's defaults (float32 rtol 1.3e-6 / atol 1e-5, float64
 *   rtol 1e-7 / atol 1e-7). One output element comes from one (or a few) inputs through one rounding, so two
 *   correct implementations agree to a couple of ulps.
 * - `reduction`, `matmul`: the defaults scaled by sqrt(K), K the number of terms summed into one output element.
 *   Two correct float32 implementations may add in different orders (sequential, pairwise, blocked); each order's
 *   rounding error behaves like a random walk of K steps of size ~eps·|partial sum|, so the typical difference grows
 *   as sqrt(K)·eps, not K·eps (the worst case, which would make the check useless for large K).
 * - `conv`: as matmul (a convolution is a matmul over K = kh·kw·cin terms) with one more factor 2: im2col, direct and
 *   Winograd/FFT kernels also differ in how they form the products, not only in the order of the sum.
 * - int32 and bool: exact, whatever the op class (there is no rounding to forgive).
 *
 * What sqrt(K) cannot forgive — cancellation, where the result is much smaller than the terms summed — the float64
 * tie-breaker decides (compare.ts): a non-elementwise result that fails these tolerances still passes when the
 * candidate's RMSE to a float64 result is within 2× the reference's RMSE to it, i.e. the candidate is no worse than
 * the reference at being right.
 */
export type OpClass = 'elementwise' | 'layout' | 'reduction' | 'matmul' | 'conv';

/** The dtypes a comparison knows (tfjs's plus the runtime's float64). */
export type CompareDType = 'float32' | 'float64' | 'int32' | 'bool';

export interface Tolerance {
  rtol: number;
  atol: number;
  /** How the numbers were chosen, for reports: `assert_close float32 defaults`, `float32 defaults × sqrt(K=9)`. */
  rule: string;
}

/** torch.testing.assert_close's defaults. */
export const ASSERT_CLOSE_DEFAULTS: Record<CompareDType, { rtol: number; atol: number }> = {
  float32: { rtol: 1.3e-6, atol: 1e-5 },
  float64: { rtol: 1e-7, atol: 1e-7 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/** The op classes whose tolerance is loosened and which may use the float64 tie-breaker. */
export const accumulates = (opClass: OpClass): boolean => opClass === 'reduction' || opClass === 'matmul' || opClass === 'conv';

/**
 * The tolerance for one comparison.
 * @param reductionLength K, the number of terms summed into one output element (reduction/matmul/conv; default 1).
 */
export function toleranceFor(dtype: CompareDType, opClass: OpClass, reductionLength = 1): Tolerance {
  const base = ASSERT_CLOSE_DEFAULTS[dtype];
  if (dtype === 'int32' || dtype === 'bool') return { ...base, rule: `${dtype}: exact` };
  if (!accumulates(opClass)) return { ...base, rule: `assert_close ${dtype} defaults` };
  const k = Math.max(1, Math.floor(reductionLength));
  const scale = Math.sqrt(k) * (opClass === 'conv' ? 2 : 1);
  return {
    rtol: base.rtol * scale,
    atol: base.atol * scale,
    rule: `${opClass}: assert_close ${dtype} defaults × ${opClass === 'conv' ? '2·' : ''}sqrt(K=${k})`,
  };
}
