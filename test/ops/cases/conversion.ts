/**
 * dtype/device conversion (`to`, `type`, `cpu`) and typed-array wrapping. (equal/allclose return JS booleans, a
 * synchronous read: they are tested in forward.test.ts's cpu-only block.)
 */
import type { OpCase } from '../../support/op_case.js';
import { f32, vals } from '../../support/specs.js';
import { map, ref } from '../../support/reference.js';

export const conversionOpCases: OpCase[] = [
  {
    name: "to: dtype string, { dtype } object, type(), and the same dtype returns the tensor itself",
    inputs: () => [vals([1.7, -2.5, 0, 3])],
    run: (_t, x) => [x.to('float64'), x.to({ dtype: 'int32' }), x.type('bool'), x.to('float32')],
    reference: (x) => [map(x, (v) => v, 'float64'), map(x, Math.trunc, 'int32'), map(x, (v) => (v !== 0 ? 1 : 0), 'bool'), map(x, (v) => v)],
  },
  {
    name: 'to: the device it is already on; cpu() brings values back',
    inputs: () => [f32([2, 3])],
    run: (t, x) => [x.to(t.deviceType), x.to({ device: t.deviceType, dtype: 'float64' }), x.cpu()],
    reference: (x) => [map(x, (v) => v), map(x, (v) => v, 'float64'), map(x, (v) => v)],
  },
  {
    name: 'to: float64 → float32 rounds to nearest',
    inputs: () => [{ shape: [3], dtype: 'float64', values: [0.1, 1 / 3, 16777217] }],
    run: (_t, x) => x.float(),
    reference: (x) => map(x, Math.fround, 'float32'),
  },
  {
    name: 'to: float32 → float64 → float32 carries the gradient (gradcheck in float64 on the float64 leg)',
    inputs: () => [f32([3])],
    run: (_t, x) => x.to('float64').exp(),
    reference: (x) => map(x, Math.exp, 'float64'),
    grad: true,
  },
  {
    name: 'fromTypedArray: wraps the array (then moved to the device)',
    inputs: () => [],
    run: (t) => t.fromTypedArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]).to(t.deviceType),
    reference: () => ref([1, 2, 3, 4, 5, 6], [2, 3]),
  },
];
