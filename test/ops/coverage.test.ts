/**
 * The table covers every public op: run each case once on the CPU with the API and the Tensor methods
 * instrumented, count the calls made directly by case code (not the ops' internal calls), and require every
 * public function, Tensor method and F op to appear — except the listed non-ops, each with where it is tested.
 */
import { expect, test } from 'vitest';
import * as torch from '../../runtime/torch.js';
import { Tensor } from '../../runtime/tensor.js';
import { cases } from './cases.js';
import { apiFor, functional, type TorchApi } from '../support/torch_api.js';
import { materializeInputs } from '../support/run_case.js';
import { hostToTorch } from '../support/specs.js';

/** Public names that are not ops on tensors, with where they are exercised instead. */
const NOT_OPS: Record<string, string> = {
  Tensor: 'the class', toAsync: 'test/webgpu/webgpu.test.ts (async device reads)', Generator: 'creation.ts (generator option)', Device: 'class', device: 'errors.test.ts',
  defaultGenerator: 'object', seed: 'nondeterministic by design', manualSeed: 'creation.ts random cases',
  noGrad: 'grad.test.ts', enableGrad: 'grad.test.ts', isGradEnabled: 'grad.test.ts', setGradEnabled: 'grad.test.ts',
  tidy: 'grad.test.ts memory', keep: 'grad.test.ts memory', dispose: 'grad.test.ts memory', memory: 'grad.test.ts memory', compile: 'compile.test.ts',
  autograd: 'grad.test.ts', allclose: 'forward.test.ts cpu-only', float32: 'constant', float64: 'constant', int32: 'constant',
  bool: 'constant', float: 'constant', double: 'constant', int: 'constant',
  long: 'the constant torch.long; the method .long() is in unary.ts (float/double/long conversions)',
  // Tensor methods
  constructor: 'class', assertAlive: 'internal', unhold: 'internal (memory.test.ts)', release: 'internal (memory.test.ts)', setGradFn: 'internal (memory.test.ts)', dataSync: 'forward.test.ts cpu-only', data: 'the runner reads every result with it',
  item: 'forward.test.ts cpu-only', itemAsync: 'async item', toArray: 'forward.test.ts cpu-only', tolist: 'forward.test.ts cpu-only',
  toString: 'format', size: 'forward.test.ts cpu-only', dim: 'forward.test.ts cpu-only', numel: 'forward.test.ts cpu-only',
  isContiguous: 'forward.test.ts cpu-only', isFloatingPoint: 'runner', equal: 'forward.test.ts cpu-only',
  backward: 'grad.test.ts', detach: 'grad.test.ts', detach_: 'grad.test.ts', requiresGrad_: 'grad.test.ts', retainGrad: 'grad.test.ts',
  setData_: 'nn tests (Module.to() keeps parameter identity)',
};

const direct = new Set<string>();
let depth = 0;

function wrap<F extends (...a: never[]) => unknown>(name: string, f: F): F {
  return function (this: unknown, ...args: never[]) {
    if (depth === 0) direct.add(name);
    depth++;
    try { return f.apply(this, args); } finally { depth--; }
  } as unknown as F;
}

test('every public op, Tensor method and F op is called by some case', () => {
  const api = apiFor('cpu') as unknown as Record<string, unknown>;
  const wrapped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(api)) wrapped[k] = typeof v === 'function' && !/^[A-Z]/.test(k) ? wrap(k, v as never) : v;
  wrapped.F = Object.fromEntries(Object.entries(functional).map(([k, v]) => [k, wrap(`F.${k}`, v as never)]));
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  const saved = new Map<string, PropertyDescriptor>();
  for (const k of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, k)!;
    // NOTE: T and mT are non-configurable getters; views.ts and linalg.ts use them in many cases.
    if (k === 'constructor' || !d.configurable) continue;
    saved.set(k, d);
    if (typeof d.value === 'function') Object.defineProperty(proto, k, { ...d, value: wrap(`.${k}`, d.value) });
    else if (d.get) Object.defineProperty(proto, k, { ...d, get: wrap(`.${k}`, d.get) });
  }
  try {
    for (const c of cases) {
      const xs = materializeInputs(c).map((h) => { depth++; try { return hostToTorch(h); } finally { depth--; } });
      try { torch.tidy(() => c.run(wrapped as unknown as TorchApi, ...xs)); } catch { /* known bugs may throw */ }
    }
  } finally {
    for (const [k, d] of saved) Object.defineProperty(proto, k, d);
  }
  const publicFns = Object.keys(api).filter((k) => typeof api[k] === 'function' && !(k in NOT_OPS) && !/^[A-Z]/.test(k));
  const methods = [...saved.keys()].filter((k) => !(k in NOT_OPS) && !['version', 'device', 'ndim', 'isLeaf', 'isDisposed', '__isTensor'].includes(k));
  const missing = [
    ...publicFns.filter((k) => !direct.has(k)),
    ...methods.filter((k) => !direct.has(`.${k}`)).map((k) => `.${k}`),
    ...Object.keys(functional).filter((k) => !direct.has(`F.${k}`)).map((k) => `F.${k}`),
  ];
  expect(missing).toEqual([]);
});
