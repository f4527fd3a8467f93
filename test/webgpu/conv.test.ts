/**
 * Implicit-GEMM convolution on WebGPU (Backend.conv2d and its gradient kernels) against the CPU's
 * Unfold + Matmul: forward, ∂x, ∂w and ∂bias over strides, paddings, dilations, groups, odd sizes (scalar
 * loads) and multiple-of-4 sizes (vec4 loads), and a strided (permuted) input. Cases with fewer than 8
 * channels a group take the composite input gradient (by design, see webgpu/conv.ts); the rest the kernel.
 */
import { describe, expect, test } from 'vitest';
import { torch, F, webgpu } from '../../runtime/index.js';

const { autograd } = torch;

const init = await webgpu.init({ quiet: true });

type Case = {
  name: string; x: number[]; w: number[]; stride?: number | [number, number];
  padding?: number | [number, number] | 'same'; dilation?: number | [number, number]; groups?: number; nhwc?: boolean;
};
const cases: Case[] = [
  { name: 'MNIST-like 5×5, no padding (C·kh·kw = 25: scalar weight loads)', x: [2, 1, 12, 12], w: [4, 1, 5, 5] },
  { name: '3×3 padding 1, C·kh·kw = 36 (vec4 weight loads), L = 64 (vec4 gy loads)', x: [2, 4, 8, 8], w: [6, 4, 3, 3], padding: 1 },
  { name: 'stride 2, odd spatial size', x: [1, 9, 9, 7], w: [5, 9, 3, 3], stride: 2, padding: 1 },
  { name: 'stride [2, 3], padding [2, 0], dilation 2', x: [2, 8, 11, 10], w: [3, 8, 3, 2], stride: [2, 3], padding: [2, 0], dilation: 2 },
  { name: "padding 'same' with an even kernel", x: [1, 8, 6, 5], w: [2, 8, 4, 2], padding: 'same' },
  { name: 'groups 2 (8 channels a group)', x: [2, 16, 7, 7], w: [6, 8, 3, 3], groups: 2, padding: 1 },
  { name: 'depthwise (groups = C)', x: [1, 3, 6, 6], w: [3, 1, 3, 3], groups: 3 },
  { name: '1×1 kernel (a plain GEMM), stride 1', x: [2, 8, 5, 5], w: [4, 8, 1, 1] },
  { name: 'strided input (an NHWC tensor permuted to NCHW)', x: [2, 6, 6, 3], w: [4, 3, 3, 3], padding: 1, nhwc: true },
  { name: 'more output channels than one 64-wide tile', x: [1, 2, 5, 5], w: [70, 2, 3, 3] },
  { name: 'weight gradient split over 3 image chunks (split-K + Reduce)', x: [6, 2, 40, 40], w: [3, 2, 3, 3] },
];

function maxErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
}

describe.skipIf(!init.ok)('webgpu implicit-GEMM conv2d', () => {
  test.each(cases)('$name', async (c) => {
    torch.manualSeed(5);
    const x0 = torch.randn(...c.x), w0 = torch.randn(...c.w), b0 = torch.randn(c.w[0]);
    const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
    const run = (dev: 'cpu' | 'webgpu') => {
      const xd = x0.detach().to(dev), x = (c.nhwc ? xd.permute(0, 3, 1, 2) : xd).requiresGrad_();
      const w = w0.detach().to(dev).requiresGrad_(), b = b0.detach().to(dev).requiresGrad_();
      const y = F.conv2d(x, w, b, opts);
      // A non-uniform upstream gradient, so a transposed or misplaced ∂ shows.
      y.mul(y).sum().backward();
      return { y, gx: x.grad!, gw: w.grad!, gb: b.grad! };
    };
    const cpu = run('cpu'), gpu = run('webgpu');
    expect(gpu.y.shape).toEqual(cpu.y.shape);
    for (const k of ['y', 'gx', 'gw', 'gb'] as const) {
      expect(maxErr(await gpu[k].data(), cpu[k].dataSync()), k).toBeLessThan(1e-4);
    }
  });

  test('the WebGPU graph records one Conv2d node (no Unfold/Matmul); the CPU keeps Unfold + Matmul', () => {
    const x = torch.randn(1, 2, 5, 5).requiresGrad_();
    const w = torch.randn(3, 2, 3, 3).requiresGrad_();
    const names = (y: torch.Tensor) => {
      const seen: string[] = [];
      const walk = (t: torch.Tensor | null) => {
        if (!t?.gradFn) return;
        seen.push(t.gradFn.name);
        t.gradFn.inputs.forEach(walk);
      };
      walk(y);
      return seen;
    };
    const onGpu = names(F.conv2d(x.detach().to('webgpu').requiresGrad_(), w.detach().to('webgpu').requiresGrad_()));
    expect(onGpu).toContain('Conv2d');
    expect(onGpu).not.toContain('Unfold');
    const onCpu = names(F.conv2d(x, w));
    expect(onCpu).toContain('Unfold');
    expect(onCpu).not.toContain('Conv2d');
  });

  test('second-order gradients (createGraph) go through the differentiable composite and match the CPU', async () => {
    torch.manualSeed(6);
    const x0 = torch.randn(1, 2, 6, 6), w0 = torch.randn(3, 2, 3, 3);
    const run = (dev: 'cpu' | 'webgpu') => {
      const x = x0.detach().to(dev).requiresGrad_(), w = w0.detach().to(dev).requiresGrad_();
      const y = F.conv2d(x, w, null, { padding: 1, stride: 2 });
      const [gx] = autograd.grad([y.square().sum()], [x], { createGraph: true });
      // d/dw of Σ gx²: needs the gradient of the input-gradient kernel, i.e. the composite.
      const [gw2] = autograd.grad([gx!.square().sum()], [w]);
      return gw2!;
    };
    expect(maxErr(await run('webgpu').data(), run('cpu').dataSync())).toBeLessThan(1e-3);
  });
});
