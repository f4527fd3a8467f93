/**
 * `compat.pad(x, paddings, constantValue)`: tfjs's `tf.pad` where the paddings are only known at run time (a list
 * built in a variable): tfjs's `[[before, after], ...]`, one pair per axis from the first, becomes F.pad's flat
 * list, last axis first. Written out statically when the pairs are literals; this is the same conversion at run time.
 */
import type { Tensor } from '../tensor.js';
import { pad as fpad } from '../nn/functional/conv.js';

export function pad(x: Tensor, paddings: readonly (readonly number[])[], constantValue = 0): Tensor {
  if (!Array.isArray(paddings) || paddings.length !== x.ndim || !paddings.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))) {
    throw new RangeError(`compat.pad: paddings must be one [before, after] pair of non-negative integers per axis of the tensor [${x.shape.join(', ')}] (${x.ndim}), got ${JSON.stringify(paddings)}`);
  }
  return fpad(x, [...paddings].reverse().flat(), { value: constantValue });
}
