/**
 * Python-style value formatting for module reprs, so `toString()` prints what PyTorch prints
 * (`eps=1e-05`, `bias=True`, `kernel_size=(3, 3)`, `momentum=None`).
 */

/** Python's repr of a float: shortest round-trip digits, exponent below 1e-4 or from 1e16, '.0' on integers. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = v.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(v);
  return Number.isInteger(v) ? `${s}.0` : s;
}

export function pyBool(v: boolean): string {
  return v ? 'True' : 'False';
}

/** A value as PyTorch would print the argument it was given: ints as ints, floats as floats, tuples, None. */
export function pyValue(v: unknown, asFloat = false): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return pyBool(v);
  if (typeof v === 'number') return asFloat ? pyFloat(v) : Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return pyTuple(v);
  return String(v);
}

export function pyTuple(v: readonly unknown[]): string {
  const items = v.map((x) => pyValue(x));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}
