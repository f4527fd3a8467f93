/**
 * `compat.slice(x, begin, size?)`: tfjs's `tf.slice` where begin or size are only known at run time (a size held
 * in a variable may be -1, "to the end", which a static rewrite to `narrow` cannot see). tfjs's rules
 * (slice_util.parseSliceParams, assertParamsValid): a number `begin` is the first axis's (the rest 0), a shorter
 * list is padded with 0; a number `size` is the first axis's (the rest -1), a shorter or missing list is padded with
 * -1; -1 means "to the end of that axis", any other negative size is an error, and begin + size must not pass the
 * axis's end. The result is a view made by `narrow` (tfjs's tensors are immutable, so a view reads the same).
 */
import type { Tensor } from '../tensor.js';

export function slice(x: Tensor, begin: number | readonly number[], size?: number | readonly number[] | null): Tensor {
  const rank = x.ndim;
  const pad = (v: number | readonly number[], fill: number, what: string): number[] => {
    const list = typeof v === 'number' ? [v] : [...v];
    if (list.length > rank) throw new RangeError(`compat.slice: ${what} [${list.join(', ')}] has more entries than the rank of the tensor [${x.shape.join(', ')}] (${rank})`);
    if (list.some((d) => !Number.isInteger(d))) throw new TypeError(`compat.slice: ${what} must hold integers, got [${list.join(', ')}]`);
    return [...list, ...new Array<number>(rank - list.length).fill(fill)];
  };
  const b = pad(begin, 0, 'begin');
  const s = pad(size ?? [], -1, 'size');
  let out = x;
  for (let i = 0; i < rank; i++) {
    if (b[i] < 0) throw new RangeError(`compat.slice: begin[${i}] is ${b[i]}; slice() does not support negative begin indexing`);
    if (s[i] < -1) throw new RangeError(`compat.slice: negative size values should be exactly -1 but got ${s[i]} for the slice() size at index ${i}`);
    const len = s[i] === -1 ? x.shape[i] - b[i] : s[i];
    if (b[i] + len > x.shape[i]) throw new RangeError(`compat.slice: begin[${i}] + size[${i}] (${b[i] + len}) would overflow input.shape[${i}] (${x.shape[i]})`);
    if (b[i] !== 0 || len !== x.shape[i]) out = out.narrow(i, b[i], len);
  }
  return out;
}
