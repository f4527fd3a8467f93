/**
 * In-place ops (add_, mul_, relu_, addcmul_, ...) on a clone of the input: the result must equal the
 * out-of-place op, and — gradcheck — the gradient must flow through the in-place update of a non-leaf, as in
 * PyTorch (`h = x.mul(w); h.relu_(); h.sum().backward()`).
 */
import type { OpCase } from '../../support/op_case.js';
import { f32, boolean } from '../../support/specs.js';
import { map, zip } from '../../support/reference.js';

/** In-place ops whose gradient rule reads self (or the result) trip the version check on a non-leaf. */
const saves = (_name: string) => ({ grad: true });

export const inplaceOpCases: OpCase[] = [
  { name: 'add_: with alpha and broadcasting other', inputs: () => [f32([3, 4]), f32([4])], run: (_t, x, o) => x.clone().add_(o, { alpha: 2 }), reference: (x, o) => zip([x, o], (a, b) => a + 2 * b, 'float32'), grad: true },
  { name: 'sub_: JS number', inputs: () => [f32([3, 4])], run: (_t, x) => x.clone().sub_(1.5), reference: (x) => map(x, (v) => v - 1.5), grad: true },
  { name: 'mul_: tensor other', inputs: () => [f32([3, 4]), f32([3, 1])], run: (_t, x, o) => x.clone().mul_(o), reference: (x, o) => zip([x, o], (a, b) => a * b, 'float32'), ...saves('mul_') },
  { name: 'mul_: JS number', inputs: () => [f32([3, 4])], run: (_t, x) => x.clone().mul_(3), reference: (x) => map(x, (v) => v * 3), ...saves('mul_ (scalar)') },
  { name: 'div_: tensor other', inputs: () => [f32([3, 4]), f32([4], { awayFrom: [0], margin: 0.4 })], run: (_t, x, o) => x.clone().div_(o), reference: (x, o) => zip([x, o], (a, b) => a / b, 'float32'), ...saves('div_') },
  { name: 'pow_: JS number', inputs: () => [f32([3, 4], { range: [0.2, 2] })], run: (_t, x) => x.clone().pow_(2), reference: (x) => map(x, (v) => v * v), ...saves('pow_') },
  { name: 'neg_', inputs: () => [f32([3, 4])], run: (_t, x) => x.clone().neg_(), reference: (x) => map(x, (v) => -v), ...saves('neg_ (unary ops save their input even when the rule does not read it)') },
  { name: 'exp_', inputs: () => [f32([3, 4])], run: (_t, x) => x.clone().exp_(), reference: (x) => map(x, Math.exp), ...saves('exp_') },
  { name: 'sqrt_', inputs: () => [f32([3, 4], { range: [0.1, 4] })], run: (_t, x) => x.clone().sqrt_(), reference: (x) => map(x, Math.sqrt), ...saves('sqrt_') },
  { name: 'relu_', inputs: () => [f32([3, 4], { awayFrom: [0] })], run: (_t, x) => x.clone().relu_(), reference: (x) => map(x, (v) => Math.max(v, 0)), ...saves('relu_') },
  { name: 'sigmoid_', inputs: () => [f32([3, 4])], run: (_t, x) => x.clone().sigmoid_(), reference: (x) => map(x, (v) => 1 / (1 + Math.exp(-v))), ...saves('sigmoid_') },
  { name: 'tanh_', inputs: () => [f32([3, 4])], run: (_t, x) => x.clone().tanh_(), reference: (x) => map(x, Math.tanh), ...saves('tanh_') },
  { name: 'abs_', inputs: () => [f32([3, 4], { awayFrom: [0] })], run: (_t, x) => x.clone().abs_(), reference: (x) => map(x, Math.abs), ...saves('abs_') },
  { name: 'clamp_', inputs: () => [f32([3, 4], { awayFrom: [-1, 1] })], run: (_t, x) => x.clone().clamp_(-1, 1), reference: (x) => map(x, (v) => Math.min(Math.max(v, -1), 1)), grad: true },
  { name: 'maskedFill_', inputs: () => [f32([3, 4]), boolean([3, 4])], run: (_t, x, m) => x.clone().maskedFill_(m, 0.25), reference: (x, m) => zip([x, m], (a, b) => (b ? 0.25 : a), 'float32'), grad: true },
  { name: 'addcmul_: self + value·t1·t2', inputs: () => [f32([3, 4]), f32([3, 4]), f32([4])], run: (_t, x, a, b) => x.clone().addcmul_(a, b, { value: 0.5 }), reference: (x, a, b) => zip([x, a, b], (p, q, r) => p + 0.5 * q * r, 'float32'), grad: true },
  { name: 'addcdiv_: self + value·t1/t2', inputs: () => [f32([3, 4]), f32([3, 4]), f32([3, 4], { range: [0.5, 2] })], run: (_t, x, a, b) => x.clone().addcdiv_(a, b, { value: -2 }), reference: (x, a, b) => zip([x, a, b], (p, q, r) => p - (2 * q) / r, 'float32'), grad: true },
  { name: 'lerp_: self + w·(end − self)', inputs: () => [f32([3, 4]), f32([3, 4])], run: (_t, x, e) => x.clone().lerp_(e, 0.3), reference: (x, e) => zip([x, e], (a, b) => a + 0.3 * (b - a), 'float32'), grad: true },
  { name: 'zero_ / fill_ (number and 0-d tensor)', inputs: () => [f32([2, 3]), f32([])], run: (_t, x, v) => [x.clone().zero_(), x.clone().fill_(2.5), x.clone().fill_(v)], reference: (x, v) => [map(x, () => 0), map(x, () => 2.5), map(x, () => Number(v.data[0]))] },
  { name: 'copy_: broadcast src, cast to self dtype; gradient flows to src', inputs: () => [f32([3, 4]), f32([4])], run: (_t, x, s) => x.clone().copy_(s), reference: (x, s) => zip([x, s], (_a, b) => b, 'float32'), grad: true },
  { name: 'chained in-place ops on one non-leaf: x·2 → add_ → mul_', inputs: () => [f32([3, 4])], run: (_t, x) => x.mul(2).add_(1).mul_(3), reference: (x) => map(x, (v) => (2 * v + 1) * 3), ...saves('mul_ after add_') },
];
