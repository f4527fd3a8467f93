/**
 * WebGPU vs CPU, side by side in one run: square matmuls, conv2d forward+backward (WebGPU both with its
 * implicit-GEMM kernels and with the Unfold + Matmul composite the CPU uses), and an MNIST-MLP training step
 * (784→50→10, Adam, batch 64, synthetic data). On lavapipe (Vulkan on the CPU) the figures only show regressions; on a real
 * GPU they are the backend's speed. Each timing ends with a read, so queued GPU work is included.
 *
 *   XDG_RUNTIME_DIR=/tmp/xdg npx tsx bench/webgpu.ts [--sizes 64,128,256] [--steps 50]
 * Bundle for a device machine (no npm there): see ../shared/device/pack.sh (esbuild into .device/).
 */
import { parseArgs } from 'node:util';
import { torch, nn, optim, F, webgpu } from '../runtime/index.js';
import { getBackend, type Backend } from '../runtime/backends/backend.js';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '64,128,256' }, steps: { type: 'string', default: '50' } } });
const sizes = args.sizes!.split(',').map(Number);
const steps = Number(args.steps);
const init = await webgpu.init();
const devices: ('cpu' | 'webgpu')[] = init.ok ? ['cpu', 'webgpu'] : ['cpu'];
console.log(`adapter: ${init.ok ? webgpu.info().adapter : `none (${init.reason})`}`);

async function timeIt(fn: () => torch.Tensor, reps: number): Promise<number> {
  await (fn()).data(); // warm-up: pipelines compiled, pool filled
  const t0 = performance.now();
  let last: torch.Tensor | null = null;
  for (let i = 0; i < reps; i++) { last?.dispose(); last = fn(); }
  await last!.data();
  last!.dispose();
  return (performance.now() - t0) / reps;
}

for (const n of sizes) {
  const row: string[] = [`matmul ${n}³`];
  for (const dev of devices) {
    const a = torch.randn(n, n).to(dev), b = torch.randn(n, n).to(dev);
    const ms = await timeIt(() => a.matmul(b), n >= 512 ? 3 : 10);
    row.push(`${dev} ${ms.toFixed(2)} ms (${((2 * n ** 3) / ms / 1e6).toFixed(2)} GFLOP/s)`);
  }
  console.log(row.join(' | '));
}

// conv2d forward + backward (∂x, ∂w, ∂b). 'webgpu im2col' hides the backend's implicit-GEMM hook for the row.
const convs: { name: string; x: number[]; w: number[]; padding: number }[] = [
  { name: 'conv 5×5 [64,1,28,28]→16', x: [64, 1, 28, 28], w: [16, 1, 5, 5], padding: 0 },
  { name: 'conv 3×3 [32,16,14,14]→32', x: [32, 16, 14, 14], w: [32, 16, 3, 3], padding: 1 },
];
for (const c of convs) {
  const row: string[] = [`${c.name} fwd+bwd`];
  const variants: ['cpu' | 'webgpu', boolean][] = init.ok ? [['cpu', true], ['webgpu', true], ['webgpu', false]] : [['cpu', true]];
  for (const [dev, implicit] of variants) {
    const be = getBackend(dev) as { -readonly [K in keyof Backend]: Backend[K] };
    const hook = be.conv2d;
    if (!implicit) be.conv2d = undefined;
    torch.manualSeed(0);
    const x = torch.randn(...c.x).to(dev).requiresGrad_(), w = torch.randn(...c.w).to(dev).requiresGrad_();
    const b = torch.randn(c.w[0]).to(dev).requiresGrad_();
    const ms = await timeIt(() => torch.tidy(() => {
      x.grad = null; w.grad = null; b.grad = null;
      F.conv2d(x, w, b, { padding: c.padding }).sum().backward();
      return w.grad!.sum();
    }), 3);
    be.conv2d = hook;
    row.push(`${dev === 'cpu' ? 'cpu' : implicit ? 'webgpu implicit-GEMM' : 'webgpu im2col'} ${ms.toFixed(1)} ms`);
  }
  console.log(row.join(' | '));
}

const row: string[] = ['MNIST MLP step (batch 64)'];
for (const dev of devices) {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10)).to(dev);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-4 });
  const xs = torch.rand(64, 784), ys = torch.randint(0, 10, [64]);
  const step = () => torch.tidy(() => {
    const loss = F.crossEntropy(model.forward(xs.to(dev)), ys.to(dev));
    opt.zeroGrad(); loss.backward(); opt.step();
    return loss.detach();
  });
  await step().data();
  const t0 = performance.now();
  let last: torch.Tensor | null = null;
  for (let i = 0; i < steps; i++) { last?.dispose(); last = step(); }
  await last!.data();
  row.push(`${dev} ${((performance.now() - t0) / steps).toFixed(2)} ms`);
}
console.log(row.join(' | '));

// Fusion: dispatches and time per training step with the Linear (bias epilogue) and ThresholdBackward hooks and
// uploaded small fills off ('before': the composites) and on ('after'), in one run, on the same models and data.
if (init.ok) {
  const { fillOptions } = await import('../runtime/backends/webgpu/elementwise.js');
  const be = getBackend('webgpu') as { -readonly [K in keyof Backend]: Backend[K] };
  const hooks = { linear: be.linear, thresholdBackward: be.thresholdBackward, uploadMax: fillOptions.uploadMax };
  const setFusion = (on: boolean) => {
    be.linear = on ? hooks.linear : undefined;
    be.thresholdBackward = on ? hooks.thresholdBackward : undefined;
    fillOptions.uploadMax = on ? hooks.uploadMax : 0;
  };
  const models: { name: string; make: () => nn.Module; x: number[]; steps: number }[] = [
    { name: 'MNIST MLP 784→50→ReLU→10, batch 64', make: () => new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10)), x: [64, 784], steps },
    {
      name: 'CNN conv5-ReLU-pool ×2 → Linear, batch 16',
      make: () => new nn.Sequential(
        new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
        new nn.Flatten(), new nn.Linear(256, 10),
      ),
      x: [16, 1, 28, 28], steps: Math.max(5, Math.round(steps / 5)),
    },
  ];
  // Before and after alternate in rounds (median per side): on a shared machine the load drifts between blocks.
  const ROUNDS = 5;
  for (const m of models) {
    const runs = [false, true].map((on) => {
      setFusion(on);
      torch.manualSeed(0);
      const model = m.make().to('webgpu');
      const opt = new optim.Adam(model.parameters(), { lr: 1e-4 });
      const xs = torch.rand(...m.x).to('webgpu'), ys = torch.randint(0, 10, [m.x[0]]).to('webgpu');
      const step = () => torch.tidy(() => {
        const loss = F.crossEntropy(model.forward(xs), ys);
        opt.zeroGrad(); loss.backward(); opt.step();
        return loss.detach();
      });
      return { on, step, ms: [] as number[], dispatches: 0 };
    });
    for (let round = -1; round < ROUNDS; round++) {
      for (const r of round % 2 ? [...runs].reverse() : runs) { // alternating who goes first, too
        setFusion(r.on);
        const d0 = webgpu.stats().dispatches;
        const t0 = performance.now();
        const n = round < 0 ? 1 : m.steps; // round -1 is the warm-up: pipelines compiled, pool filled
        let last: torch.Tensor | null = null;
        for (let i = 0; i < n; i++) { last?.dispose(); last = r.step(); }
        await last!.data();
        last!.dispose();
        if (round < 0) continue;
        r.ms.push((performance.now() - t0) / n);
        r.dispatches = (webgpu.stats().dispatches - d0) / n;
      }
    }
    const median = (v: number[]) => v.slice().sort((a, b) => a - b)[v.length >> 1];
    const cells = runs.map((r) => `${r.on ? 'after' : 'before'} ${r.dispatches.toFixed(0)} dispatches ${median(r.ms).toFixed(2)} ms (${Math.min(...r.ms).toFixed(2)}–${Math.max(...r.ms).toFixed(2)})`);
    setFusion(true);
    console.log(`fusion: ${m.name} step | ${cells.join(' | ')}`);
  }
}
