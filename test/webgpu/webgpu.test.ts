/**
 * What is specific to the WebGPU backend (the shared op table covers the math): asynchronous reads and the
 * synchronous-read errors, float64, buffer release on dispose/tidy, flat memory over 1,000 training steps,
 * the adapter-limit error, and the no-adapter report. Runs on lavapipe in CI; skipped, with the reason, where
 * no adapter exists.
 */
import { describe, expect, test } from 'vitest';
import { torch, nn, optim, F, webgpu } from '../../runtime/index.js';

const init = await webgpu.init({ quiet: true });

describe.skipIf(init.ok)(`webgpu unavailable here (${init.reason})`, () => {
  test('the reason says what is missing and the runtime stays on cpu', () => {
    expect(init.reason).toMatch(/webgpu|adapter|WebGPU/);
    expect(() => torch.zeros(2).to('webgpu')).toThrow(/webgpu/);
    expect(torch.zeros(2).device.type).toBe('cpu');
  });
});

describe.skipIf(!init.ok)('webgpu backend', () => {
  test('init is idempotent and reports the adapter and its limits', async () => {
    expect(await webgpu.isAvailable()).toBe(true);
    expect(await webgpu.unavailableReason()).toBeNull();
    const i = webgpu.info();
    expect(i.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
  });

  test('reads are asynchronous: data(), itemAsync(), toAsync; sync reads throw naming what to call', async () => {
    const x = torch.tensor([[1, 2], [3, 4]]).to('webgpu');
    expect(x.device.type).toBe('webgpu');
    expect(Array.from(await x.T.data())).toEqual([1, 3, 2, 4]);
    expect(await x.sum().itemAsync()).toBe(10);
    expect(() => x.dataSync()).toThrow(/await t\.data\(\)/);
    expect(() => x.sum().item()).toThrow(/await t\.itemAsync\(\).*await t\.data\(\)/);
    expect(() => x.cpu()).toThrow(/toAsync/);
    const back = await torch.toAsync(x, 'cpu');
    expect(back.device.type).toBe('cpu');
    expect(back.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(await torch.tensor([true, false]).to('webgpu').logicalNot().data())).toEqual([0, 1]);
  });

  test('float64 is CPU-only: a clear error, as on PyTorch MPS', () => {
    expect(() => torch.zeros(3, { dtype: 'float64' }).to('webgpu')).toThrow(/float64 .*not supported.*WGSL has no f64/);
    expect(() => torch.zeros(3).to('webgpu').double()).toThrow(/float64/);
  });

  test('dispose and tidy return GPU buffers at once (bytes drop; the pool reuses them)', () => {
    const before = torch.memory().numBytes;
    const x = torch.ones(1024, 256, { device: 'webgpu' });
    expect(torch.memory().numBytes - before).toBe(1024 * 256 * 4);
    x.dispose();
    expect(torch.memory().numBytes).toBe(before);
    torch.tidy(() => { torch.ones(64, 64).to('webgpu').mul(2).add(1); });
    expect(torch.memory().numBytes).toBe(before);
    webgpu.synchronize();
    const created = webgpu.stats().buffersCreated;
    const y = torch.ones(1024, 256, { device: 'webgpu' });
    expect(webgpu.stats().buffersCreated).toBe(created); // served from the pool
    y.dispose();
  });

  test('in steady state a training step compiles no pipeline and creates no bind group (both cached)', () => {
    torch.manualSeed(2);
    const model = torch.tidy(() => new nn.Sequential(new nn.Linear(12, 8), new nn.ReLU(), new nn.Linear(8, 3)).to('webgpu'));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const [x, y] = torch.tidy(() => [torch.randn(16, 12).to('webgpu'), torch.randint(0, 3, [16]).to('webgpu')]);
    const step = () => torch.tidy(() => {
      const l = F.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      l.backward();
      opt.step();
      // A submit per step, as a read would do: buffers freed in the step return to the pool for the next one.
      webgpu.synchronize();
    });
    // The pool's canonical free-list order makes the buffer assignment periodic after a few dozen steps (a
    // plain stack kept permuting it: ~6 new bind groups a step after 300 steps).
    for (let i = 0; i < 60; i++) step();
    const before = webgpu.stats();
    for (let i = 0; i < 5; i++) step();
    const after = webgpu.stats();
    expect(after.dispatches - before.dispatches).toBeGreaterThan(5 * 10);
    expect(after.pipelinesCompiled).toBe(before.pipelinesCompiled);
    expect(after.bindGroupsCreated).toBe(before.bindGroupsCreated);
    expect(after.bindGroupsReused - before.bindGroupsReused).toBe(after.dispatches - before.dispatches);
    x.dispose(); y.dispose();
  });

  test('emptyCache drops the bind groups of the buffers it destroys', () => {
    torch.tidy(() => { torch.ones(40, 40).to('webgpu').mul(3).add(1); });
    webgpu.synchronize();
    const held = webgpu.stats().bindGroupsCached;
    expect(held).toBeGreaterThan(0);
    webgpu.emptyCache();
    expect(webgpu.stats().bindGroupsCached).toBeLessThan(held);
  });

  test('a tensor past maxStorageBufferBindingSize is a clear error naming the shape and the limit', () => {
    const limit = webgpu.info().limits.maxStorageBufferBindingSize;
    const n = Math.floor(limit / 4) + 1024;
    expect(() => torch.zeros(n, { device: 'webgpu' })).toThrow(new RegExp(`shape \\[${n}\\].*maxStorageBufferBindingSize ${limit}.*split`));
  });

  test('memory is flat over 1,000 training steps (MLP, Adam, CPU batches moved each step)', async () => {
    torch.manualSeed(0);
    const model = torch.tidy(() => new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Linear(16, 4)).to('webgpu'));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    // Setup in tidy so no CPU temporaries are left for the garbage collector to free mid-measurement.
    const [x, y] = torch.tidy(() => {
      const xs = torch.randn(32, 20);
      return [xs.to('webgpu'), xs.narrow(1, 0, 4).argmax(1).to('webgpu')];
    });
    let first = 0, at300 = { numBytes: 0, numTensors: 0 }, pool300 = 0;
    for (let step = 1; step <= 1000; step++) {
      const loss = torch.tidy(() => {
        const l = F.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.detach();
      });
      if (step === 1) first = await loss.itemAsync();
      // The baseline comes after 300 steps: a batch is submitted every 256 recorded operations, so where that
      // boundary falls within a step (which decides how many freed buffers wait for a submit) cycles with a period of
      // at most 256 steps; by step 300 the pool has met every phase, and any later growth is a leak.
      if (step === 300) { webgpu.synchronize(); at300 = torch.memory(); pool300 = webgpu.stats().allocatedBytes; }
      if (step % 250 === 0) await loss.itemAsync();
      loss.dispose();
    }
    webgpu.synchronize();
    const m = torch.memory();
    const last = await torch.tidy(() => F.crossEntropy(model.forward(x), y)).itemAsync();
    // ≤ rather than =: the garbage collector may free CPU tensors other suites left behind meanwhile.
    expect(m.numBytes).toBeLessThanOrEqual(at300.numBytes);
    expect(m.numTensors).toBeLessThanOrEqual(at300.numTensors);
    expect(webgpu.stats().allocatedBytes).toBeLessThanOrEqual(pool300);
    expect(last).toBeLessThan(first * 0.5); // it trains
  });

  test('matches the CPU on a conv + pool + linear forward and backward', async () => {
    torch.manualSeed(1);
    const x = torch.randn(2, 3, 9, 9);
    const conv = new nn.Conv2d(3, 4, 3, { padding: 1 });
    const fc = new nn.Linear(4 * 4 * 4, 5);
    const run = (dev: 'cpu' | 'webgpu') => {
      conv.to(dev); fc.to(dev); conv.zeroGrad(); fc.zeroGrad();
      const h = F.maxPool2d(F.relu(conv.forward(x.to(dev))), 2);
      const out = fc.forward(h.flatten(1));
      out.square().sum().backward();
      return [out, conv.weight.grad!, fc.weight.grad!];
    };
    const cpu = run('cpu').map((t) => Array.from(t.dataSync()));
    const gpu = await Promise.all(run('webgpu').map(async (t) => Array.from(await t.data())));
    for (let k = 0; k < cpu.length; k++) for (let i = 0; i < cpu[k].length; i++) expect(gpu[k][i]).toBeCloseTo(cpu[k][i], 3);
  });
});
