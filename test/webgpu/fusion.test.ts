/**
 * WebGPU fusion: the Linear hook (bias added in the GEMM's epilogue) and the ThresholdBackward hook (ReLU's
 * gradient in one pass). Each is checked three ways: bit-identical to the unfused WebGPU path it replaces (the
 * same f32 operations in the same order, so any difference is a bug, not rounding), close to the CPU, and by the
 * dispatches it saves in real training steps (dispatch counts are deterministic, so they are asserted exactly).
 */
import { describe, expect, test } from 'vitest';
import { torch, nn, optim, F, webgpu } from '../../runtime/index.js';
import { getBackend, type Backend } from '../../runtime/backends/backend.js';
import { thresholdBackward } from '../../runtime/ops/elementwise.js';

const { autograd } = torch;
const init = await webgpu.init({ quiet: true });
const { fillOptions } = init.ok ? await import('../../runtime/backends/webgpu/elementwise.js') : { fillOptions: { uploadMax: 0 } };

/**
 * Runs fn on the path before fusion: the backend's Linear and ThresholdBackward hooks removed (the op layer's
 * composites run instead) and, unless `keepUploads`, small fills dispatched instead of uploaded.
 */
async function unfused<T>(fn: () => Promise<T>, keepUploads = false): Promise<T> {
  const be = getBackend('webgpu') as { -readonly [K in keyof Backend]: Backend[K] };
  const { linear, thresholdBackward: tb } = be;
  const { uploadMax } = fillOptions;
  be.linear = undefined;
  be.thresholdBackward = undefined;
  if (!keepUploads) fillOptions.uploadMax = 0;
  try {
    return await fn();
  } finally {
    be.linear = linear;
    be.thresholdBackward = tb;
    fillOptions.uploadMax = uploadMax;
  }
}

function maxErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
}

const dispatches = () => webgpu.stats().dispatches;

type LinearCase = { name: string; x: number[]; w: number[]; bias?: (b: torch.Tensor) => torch.Tensor; biasLen?: number };
const linearCases: LinearCase[] = [
  { name: 'MNIST hidden layer 64×784 → 50 (scalar stores: 50 is not a multiple of 4)', x: [64, 784], w: [50, 784] },
  { name: 'N a multiple of 4 (vec4 stores), bias across two 64-wide tiles', x: [9, 12], w: [72, 12] },
  { name: '3-D input (rows flattened), odd K', x: [2, 3, 7], w: [5, 7] },
  { name: 'bias a strided view (every other element, offset 1)', x: [6, 8], w: [4, 8], bias: (b) => b.narrow(0, 1, 8).reshape(4, 2).select(1, 0), biasLen: 9 },
  { name: 'empty K: the output is the bias', x: [3, 0], w: [4, 0] },
];

describe.skipIf(!init.ok)('webgpu fusion: Linear with the bias in the GEMM epilogue', () => {
  test.each(linearCases)('$name', async (c) => {
    torch.manualSeed(11);
    const x0 = torch.randn(...c.x), w0 = torch.randn(...c.w), b0 = torch.randn(c.biasLen ?? c.w[0]);
    const view = c.bias ?? ((b: torch.Tensor) => b);
    const run = (dev: 'cpu' | 'webgpu') => F.linear(x0.to(dev), w0.to(dev), view(b0.to(dev)));
    const before = dispatches();
    const fused = run('webgpu');
    // One dispatch: the GEMM with its epilogue (no Binary(add) after it).
    expect(dispatches() - before).toBe(1);
    const got = await fused.data();
    const plain = await unfused(() => run('webgpu').data());
    expect(Array.from(got)).toEqual(Array.from(plain));
    expect(fused.shape).toEqual([...c.x.slice(0, -1), c.w[0]]);
    // Against the CPU: another summation order over K (up to 784 terms), so float32 GEMM tolerance.
    expect(maxErr(got, run('cpu').dataSync())).toBeLessThan(1e-4);
  });

  test('without a bias linear stays one Matmul; int32 operands take the integer epilogue', async () => {
    const x = torch.randint(-4, 4, [5, 6]), w = torch.randint(-4, 4, [3, 6]), b = torch.randint(-4, 4, [3]);
    const want = Array.from(F.linear(x, w, b).dataSync());
    expect(Array.from(await F.linear(x.to('webgpu'), w.to('webgpu'), b.to('webgpu')).data())).toEqual(want);
    const xf = x.float().to('webgpu'), wf = w.float().to('webgpu');
    const before = dispatches();
    const y = F.linear(xf, wf);
    expect(dispatches() - before).toBe(1);
    // Small integers in f32: every partial sum is exact, whatever the order.
    expect(maxErr(await y.data(), F.linear(x.float(), w.float()).dataSync())).toBe(0);
  });
});

describe.skipIf(!init.ok)('webgpu fusion: ThresholdBackward (ReLU gradient)', () => {
  // ±0, NaN and ±inf in x (the gradient is 0 at x = 0 and where x is NaN); NaN and inf in the upstream gradient.
  const x = [-2, -0, 0, 1e-30, 3, NaN, Infinity, -Infinity, 0.5, -1e-30, 7, 2];
  const g = [1, 2, 3, 4, NaN, 6, Infinity, 8, -9, 10, -Infinity, 0.25];

  test('values equal the composite where(x > 0, g, 0) on the CPU, in one dispatch', async () => {
    const xc = torch.tensor(x), gc = torch.tensor(g);
    const want = Array.from(torch.where(xc.gt(0), gc, 0).dataSync());
    const before = dispatches();
    const y = thresholdBackward(gc.to('webgpu'), xc.to('webgpu'), 0);
    expect(dispatches() - before).toBe(1);
    expect(Array.from(await y.data())).toEqual(want);
  });

  test('broadcast grad, a non-zero threshold, a transposed x', async () => {
    torch.manualSeed(2);
    const xc = torch.randn(5, 4).T, gc = torch.randn(4, 1);
    const want = Array.from(torch.where(xc.gt(0.3), gc, 0).dataSync());
    const y = thresholdBackward(gc.to('webgpu'), xc.to('webgpu'), 0.3);
    expect(y.shape).toEqual([4, 5]);
    expect(Array.from(await y.data())).toEqual(want);
  });

  test('relu gradients and double backward match the CPU', async () => {
    torch.manualSeed(4);
    const x0 = torch.randn(6, 5);
    const run = async (dev: 'cpu' | 'webgpu') => {
      const xv = x0.clone().to(dev).requiresGrad_();
      const y = F.relu(xv).square().sum();
      const gx = autograd.grad([y], [xv], { createGraph: true })[0]!;
      // ∂/∂x of Σ gx·x: exercises ThresholdBackward's own gradient (with respect to its upstream gradient).
      const ggx = autograd.grad([gx.mul(xv).sum()], [xv])[0]!;
      return [Array.from(await gx.data()), Array.from(await ggx.data())];
    };
    const [gCpu, ggCpu] = await run('cpu');
    const [gGpu, ggGpu] = await run('webgpu');
    expect(maxErr(gGpu, gCpu)).toBeLessThan(1e-6);
    expect(maxErr(ggGpu, ggCpu)).toBeLessThan(1e-6);
  });
});

/** Dispatches of one training step (after a warm-up step) and the losses of three steps. */
async function trainingStep(model: () => nn.Module, xShape: number[]): Promise<{ dispatches: number; losses: number[] }> {
  torch.manualSeed(0);
  const m = model().to('webgpu');
  const opt = new optim.Adam(m.parameters(), { lr: 1e-2 });
  const xs = torch.rand(...xShape).to('webgpu'), ys = torch.randint(0, 10, [xShape[0]]).to('webgpu');
  const losses: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const before = dispatches();
    const loss = torch.tidy(() => {
      const l = F.crossEntropy(m.forward(xs), ys);
      opt.zeroGrad(); l.backward(); opt.step();
      return l.detach();
    });
    if (i === 1) count = dispatches() - before;
    losses.push(await loss.itemAsync());
    loss.dispose();
  }
  return { dispatches: count, losses };
}

const mlp = () => new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10));
const cnn = () => new nn.Sequential(
  new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(256, 10),
);

describe.skipIf(!init.ok)('webgpu fusion: small fills are uploaded, not dispatched', () => {
  test.each([
    { dtype: 'float32', values: [0, -0, 1.5, NaN, Infinity, -Infinity] },
    { dtype: 'int32', values: [0, -7, 2147483647] },
    { dtype: 'bool', values: [0, 1] },
  ] as const)('$dtype constants, and the 65-element fill that is dispatched', async ({ dtype, values }) => {
    for (const v of values) {
      const before = dispatches();
      const small = torch.full([], v, { dtype, device: 'webgpu' });
      expect(dispatches() - before, `full([], ${v}) dispatched`).toBe(0);
      expect(Array.from(await small.data())).toEqual(Array.from(torch.full([], v, { dtype }).dataSync()));
      const big = torch.full([5, 13], v, { dtype, device: 'webgpu' });
      expect(dispatches() - before).toBe(1);
      expect(Array.from(await big.data())).toEqual(Array.from(torch.full([5, 13], v, { dtype }).dataSync()));
    }
  });
});

describe.skipIf(!init.ok)('webgpu fusion: dispatches per training step', () => {
  // Saved per step by the hooks: a Binary(add) per Linear with a bias, and per ReLU Binary(gt) + Where → one
  // ThresholdBackward; by uploads: every fill of ≤ 64 elements (in the MLP the ReLU composite's two 0s, the seed
  // 1 of backward, the loss's constants; the CNN adds a second ReLU's and the small fills of its pooling and conv
  // gradients). The losses of the three runs agree to the last bit.
  test.each([
    { name: 'MNIST MLP 784→50→ReLU→10, Adam', model: mlp, x: [16, 784], hooks: 2 + 1, uploads: 4 + 2 },
    { name: 'small CNN, 2 conv + ReLU + pool, 1 Linear', model: cnn, x: [4, 1, 28, 28], hooks: 1 + 2, uploads: 10 },
  ])('$name: $hooks fewer by the hooks, $uploads by uploaded fills', async ({ model, x, hooks, uploads }) => {
    const fused = await trainingStep(model, x);
    const hooksOff = await unfused(() => trainingStep(model, x), true);
    const plain = await unfused(() => trainingStep(model, x));
    expect(hooksOff.dispatches - fused.dispatches).toBe(hooks);
    expect(plain.dispatches - hooksOff.dispatches).toBe(uploads);
    expect(hooksOff.losses).toEqual(plain.losses);
    // The same f32 operations in the same order: the training runs agree to the last bit.
    expect(fused.losses).toEqual(plain.losses);
    expect(fused.losses[2]).toBeLessThan(fused.losses[0]);
  });
});
