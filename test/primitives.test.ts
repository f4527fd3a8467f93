/**
 * The completeness test for the primitive core (runtime/ops/primitives.ts): every primitive has a kernel on
 * every registered backend, a gradient rule (or is declared non-differentiable), and cases in the op table.
 * Adding a primitive without all three fails here, naming what is missing.
 */
import { describe, expect, test } from 'vitest';
import '../runtime/torch.js';
import { UNARY_OPS, BINARY_OPS, REDUCE_OPS, OTHER_PRIMITIVES, OPTIONAL_KERNELS, OPTIONAL_KERNEL_SETS, COMPARISON_OPS, PREDICATE_OPS } from '../runtime/ops/primitives.js';
import { UNARY_KERNELS, BINARY_KERNELS } from '../runtime/backends/elementwise_kernels.js';
import { unaryDef, binaryDef } from '../runtime/ops/elementwise.js';
import * as OPS from '../runtime/ops/elementwise_ops.js';
import * as torch from '../runtime/torch.js';
import { Tensor } from '../runtime/tensor.js';
import { TABLE } from '../mappings/index.js';
import { getBackend } from '../runtime/backends/backend.js';
import { cases } from './ops/cases.js';

const caseOps = new Set(cases.map((c) => c.name.split(':')[0].trim()));
const hasCase = (op: string) => caseOps.has(op) || cases.some((c) => c.name.startsWith(op + ':') || c.name.startsWith(op + ' '));

/** Primitives whose outputs carry no gradient, and why. */
const NON_DIFFERENTIABLE: Record<string, string> = {
  logicalNot: 'bool result', isnan: 'bool result', isinf: 'bool result', isfinite: 'bool result',
  eq: 'bool result', ne: 'bool result', lt: 'bool result', le: 'bool result', gt: 'bool result', ge: 'bool result',
  logicalAnd: 'bool result', logicalOr: 'bool result', logicalXor: 'bool result',
  argmax: 'integer result', argmin: 'integer result',
};

/** Which backend method implements each non-elementwise primitive. */
const KERNEL_OF: Record<(typeof OTHER_PRIMITIVES)[number], string> = {
  where: 'where', cast: 'cast', copy: 'copy', matmul: 'matmul', unfold: 'unfold', fold: 'fold', maxPool2d: 'maxPool2d',
  gather: 'gather', scatter: 'scatter', random: 'random', adamStep: 'adamStep', softmaxCrossEntropy: 'softmaxCrossEntropy',
};

/** A public op exercising each non-elementwise primitive in the table. */
const CASE_OF: Record<(typeof OTHER_PRIMITIVES)[number], string> = {
  where: 'where', cast: 'to', copy: 'contiguous / clone', matmul: 'matmul', unfold: 'conv2d', fold: 'conv2d', maxPool2d: 'maxPool2d',
  gather: 'gather', scatter: 'scatter', random: 'rand', adamStep: '(test/optim.test.ts)',
  softmaxCrossEntropy: '(test/nn_loss.test.ts)',
};

/** A public op whose op-table cases run through each optional kernel set (its first kernel names it). */
const OPTIONAL_CASE_OF: Record<(typeof OPTIONAL_KERNEL_SETS)[number][0], string> = { conv2d: 'conv2d', linear: 'linear', thresholdBackward: 'relu' };

describe.each(['cpu'] as const)('primitive core on %s', (device) => {
  const backend = getBackend(device);

  test.each([...UNARY_OPS])('unary %s: kernel, gradient rule, case', (op) => {
    expect(UNARY_KERNELS[op]?.js, `no CPU kernel expression for ${op}`).toBeTypeOf('string');
    if (!PREDICATE_OPS.has(op)) expect(unaryDef(op).grad ?? NON_DIFFERENTIABLE[op], `no gradient rule for ${op}`).toBeDefined();
    expect(hasCase(op), `no op-table case for ${op}`).toBe(true);
  });

  test.each([...BINARY_OPS])('binary %s: kernel, gradient rule, case', (op) => {
    expect(BINARY_KERNELS[op]?.js, `no CPU kernel expression for ${op}`).toBeTypeOf('string');
    if (!COMPARISON_OPS.has(op)) expect(binaryDef(op).grad, `no gradient rule for ${op}`).toBeDefined();
    else expect(NON_DIFFERENTIABLE[op]).toBeDefined();
    expect(hasCase(op), `no op-table case for ${op}`).toBe(true);
  });

  test.each([...REDUCE_OPS])('reduce %s: kernel and case', (op) => {
    expect(backend.reduce).toBeTypeOf('function');
    expect(hasCase(op), `no op-table case for ${op}`).toBe(true);
  });

  test.each([...OTHER_PRIMITIVES])('%s: kernel and case', (op) => {
    expect((backend as unknown as Record<string, unknown>)[KERNEL_OF[op]], `backend ${device} lacks ${KERNEL_OF[op]}`).toBeTypeOf('function');
    if (!CASE_OF[op].startsWith('(')) expect(hasCase(CASE_OF[op]), `no op-table case for ${CASE_OF[op]}`).toBe(true);
  });

  test.each(OPTIONAL_KERNEL_SETS.map((set) => [set.join(' + '), set] as const))('optional %s: all of the set or none, and an op-table case', (_name, set) => {
    const has = set.map((k) => typeof (backend as unknown as Record<string, unknown>)[k] === 'function');
    expect(has.every((h) => h === has[0]), `backend ${device} implements only some of ${set.join(', ')}`).toBe(true);
    // The case that runs the op each set serves (on every backend, so hook and composite meet the same table).
    expect(hasCase(OPTIONAL_CASE_OF[set[0]])).toBe(true);
  });
});

/**
 * WebGPU: every primitive has a WGSL kernel. Elementwise ops are read from the WGSL expression tables; the
 * rest are backend methods. The one declared host fallback is Random (values drawn on the host from the
 * shared seeded Generator and uploaded, so manualSeed gives identical numbers on every backend).
 */
const WEBGPU_HOST_FALLBACKS: Record<string, string> = { random: 'host Generator + upload: identical seeded streams on cpu and webgpu' };

describe('primitive core on webgpu (WGSL)', async () => {
  const { unaryExpr, binaryExpr } = await import('../runtime/backends/webgpu/wgsl.js');
  const { webgpuBackend } = await import('../runtime/backends/webgpu/index.js');

  test.each([...UNARY_OPS])('unary %s has a WGSL expression (float and integer inputs)', (op) => {
    expect(UNARY_KERNELS[op].wgsl, `no WGSL expression for ${op}`).toBeTypeOf('string');
    expect(unaryExpr(op, 'float32').e).toMatch(/x0|true|false/);
    expect(unaryExpr(op, 'int32').e).toMatch(/x0|true|false/);
  });

  test.each([...BINARY_OPS])('binary %s has a WGSL expression', (op) => {
    expect(BINARY_KERNELS[op].wgsl, `no WGSL expression for ${op}`).toBeTypeOf('string');
    expect(binaryExpr(op, 'float32').e).toContain('x1');
  });

  test.each([...OPTIONAL_KERNELS])('optional %s: WebGPU implements it (implicit-GEMM convolution, bias epilogue, fused ReLU gradient)', (k) => {
    expect((webgpuBackend as unknown as Record<string, unknown>)[k], `webgpu lacks ${k}`).toBeTypeOf('function');
  });

  test.each([...OTHER_PRIMITIVES, 'reduce'])('%s: WebGPU kernel or declared fallback', (op) => {
    const method = op === 'reduce' ? 'reduce' : KERNEL_OF[op as (typeof OTHER_PRIMITIVES)[number]];
    expect((webgpuBackend as unknown as Record<string, unknown>)[method], `webgpu lacks ${method}`).toBeTypeOf('function');
    if (WEBGPU_HOST_FALLBACKS[op]) expect(WEBGPU_HOST_FALLBACKS[op]).toMatch(/host/);
  });
});

/**
 * One definition per elementwise op (runtime/ops/elementwise_ops.ts) and everything derived from it: the
 * primitive list, `torch.<op>`, the Tensor method, the kernels and — where TensorFlow.js has the op — a mapping
 * row that emits it. Adding an op touches its definition, its kernel row and its mapping row; this fails, naming
 * the op, when one of them is missing.
 */
describe('elementwise op definitions', () => {
  const defined = Object.entries(OPS) as [string, { opName?: string }][];
  /** Ops TensorFlow.js has no function for, so no mapping row can emit them (and why). */
  const NO_TFJS_OP: Record<string, string> = {
    log2: 'tfjs has no log2', trunc: 'tfjs has no trunc', remainder: 'tf.mod emits it (the row is named mod)',
    floorDivide: 'tf.floorDiv emits it', ne: 'tf.notEqual emits it', eq: 'tf.equal emits it',
  };
  const targets = TABLE.flatMap((r) => (r.target === undefined ? [] : Array.isArray(r.target) ? r.target : [r.target]))
    .map((t) => (typeof t === 'string' ? t : t.code));

  test.each(defined.map(([name, fn]) => [name, fn] as const))('%s: export name is its op name, torch exports it, Tensor has the method', (name, fn) => {
    expect(fn.opName, `elementwise_ops.ts exports ${name}, which is not an op`).toBe(name);
    expect([...UNARY_OPS, ...BINARY_OPS as readonly string[]]).toContain(name);
    expect((torch as Record<string, unknown>)[name], `torch.${name}`).toBe(fn);
    expect(typeof (Tensor.prototype as unknown as Record<string, unknown>)[name], `Tensor.${name}`).toBe('function');
  });

  test.each(defined.map(([name]) => name))('%s: a mapping row emits it, or tfjs has no such op', (name) => {
    const emitted = targets.some((t) => t.includes(`torch.${name}(`) || t.includes(`.${name}(`));
    if (NO_TFJS_OP[name] && !emitted) return;
    expect(emitted, `no mapping row emits torch.${name} (add one in mappings/table/, or say in NO_TFJS_OP why tfjs has none)`).toBe(true);
  });

  test('the methods work: torch.atan2(a, b) and a.atan2(b) agree, both differentiable', () => {
    const a = torch.tensor([1, -2], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: 'float32' });
    const y = a.atan2(b);
    expect(Array.from(y.dataSync())).toEqual(Array.from(torch.atan2(a, b).dataSync()));
    y.sum().backward();
    // d/da atan2(a, b) = b / (a² + b²)
    expect(Array.from(a.grad!.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.3, 0.2]);
  });
});
