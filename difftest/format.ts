/** Python-style number and index text, so that failure messages read exactly like torch's assert_close. */

/** Python's repr of a float: 1e-05, 1.3e-06, 0.5, 2.0, inf, nan. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** Python's repr of an index tuple: (), (3,), (1, 2). */
export function pyIndex(idx: readonly number[]): string {
  if (idx.length === 1) return `(${idx[0]},)`;
  return `(${idx.join(', ')})`;
}

/** The multi-dimensional index of a row-major flat position. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;
