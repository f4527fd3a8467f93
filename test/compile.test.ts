/**
 * torch.compile (runtime/compile/): a compiled training step leaves the same parameters as the eager one after N
 * steps (CPU and WebGPU/lavapipe), retraces on a new signature, falls back to eager saying why (host reads in
 * the step, accumulating backward, a live graph returned), throws those reasons with fullgraph, and keeps
 * torch.memory() flat over thousands of replays.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { torch, nn, optim, webgpu } from '../runtime/index.js';
import type { Tensor } from '../runtime/tensor.js';

const gpu = await webgpu.init({ quiet: true });

interface Setup { model: nn.Module; opt: optim.Optimizer; step: (x: Tensor, y: Tensor) => Tensor; sched?: optim.StepLR }

function mlp(device: string, opts: { dropout?: boolean; sgd?: boolean; scheduler?: boolean } = {}): Setup {
  torch.manualSeed(0);
  const layers: nn.Module[] = [new nn.Linear(20, 16), new nn.ReLU()];
  if (opts.dropout) layers.push(new nn.Dropout(0.3));
  layers.push(new nn.Linear(16, 5));
  const model = new nn.Sequential(...layers).to(device);
  const crit = new nn.CrossEntropyLoss();
  const opt: optim.Optimizer = opts.sgd
    ? new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 })
    : new optim.Adam(model.parameters(), { lr: 1e-2 });
  const sched = opts.scheduler ? new optim.StepLR(opt, { stepSize: 3, gamma: 0.5 }) : undefined;
  const step = (x: Tensor, y: Tensor) => {
    const loss = crit.forward(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  return { model, opt, step, sched };
}

function batches(n: number, rows = 8, device = 'cpu', ignore = false): [Tensor, Tensor][] {
  torch.manualSeed(123);
  return Array.from({ length: n }, (_, i) => {
    const y = torch.randint(0, 5, [rows]);
    if (ignore && i % 2 === 1) y.storage.data[0] = -100;
    return [torch.randn([rows, 20]).to(device), y.to(device)];
  });
}

async function maxRelErr(a: nn.Module, b: nn.Module): Promise<number> {
  let worst = 0;
  const pa = a.parameters(), pb = b.parameters();
  for (let k = 0; k < pa.length; k++) {
    const A = await pa[k].data(), B = await pb[k].data();
    for (let i = 0; i < A.length; i++) worst = Math.max(worst, Math.abs(A[i] - B[i]) / Math.max(Math.abs(A[i]), 1e-6));
  }
  return worst;
}

/** Runs `steps` eager and compiled steps side by side; returns the worst parameter difference and the stats. */
async function compare(device: string, opts: Parameters<typeof mlp>[1] = {}, steps = 12, data = batches(4, 8, device)) {
  const eager = mlp(device, opts);
  const comp = mlp(device, opts);
  const compiled = torch.compile(comp.step);
  const losses: [number, number][] = [];
  for (let i = 0; i < steps; i++) {
    const [x, y] = data[i % data.length];
    // Dropout draws from the shared generator: reseed before each so both runs draw the same masks.
    torch.manualSeed(1000 + i);
    const le = eager.step(x, y);
    torch.manualSeed(1000 + i);
    const lc = compiled(x, y);
    losses.push([await le.itemAsync(), await lc.itemAsync()]);
    eager.sched?.step();
    comp.sched?.step();
  }
  return { err: await maxRelErr(eager.model, comp.model), stats: compiled.stats, losses, eager, comp };
}

afterEach(() => vi.restoreAllMocks());

describe('torch.compile on the CPU', () => {
  test('a compiled Adam step gives the eager parameters after 12 steps (rel err ≤ 1e-6), replaying from step 2', async () => {
    const { err, stats, losses } = await compare('cpu');
    expect(err).toBeLessThanOrEqual(1e-6);
    expect(stats).toMatchObject({ traces: 1, replays: 11, eagerCalls: 0, fallbacks: [] });
    for (const [e, c] of losses) expect(c).toBeCloseTo(e, 6);
    // The parameters moved: the comparison is not between two untouched models.
    expect(losses[11][0]).not.toBeCloseTo(losses[0][0], 3);
  });

  test('fusion (folded constants, bias + ReLU in one pass) and resident Adam state change the kernel count, not a bit', async () => {
    const data = batches(4);
    const a = mlp('cpu'), b = mlp('cpu');
    const fused = torch.compile(a.step), plain = torch.compile(b.step, { fuse: false });
    for (let i = 0; i < 10; i++) { const [x, y] = data[i % 4]; fused(x, y); plain(x, y); }
    expect(await maxRelErr(a.model, b.model)).toBe(0);
    // 20 recorded kernels; folding removes the scalar fills and their quotient (4: the mean's N, the seed 1,
    // 1/N, the −1 column of the cross-entropy gradient), the epilogue fuses bias add + ReLU (2 into 1).
    expect(plain.stats.kernelCalls).toBe(20);
    expect(fused.stats.kernelCalls).toBe(15);
    // The Adam moments now live in a WebAssembly memory of their own (updated in place).
    const st = (a.opt as unknown as { state: Map<Tensor, { expAvg: Tensor }> }).state.get(a.model.parameters()[0])!;
    expect(st.expAvg.storage.data.buffer).not.toBe(a.model.parameters()[0].grad!.storage.data.buffer);
    expect(a.model.parameters()[0].storage.data.buffer).toBe(st.expAvg.storage.data.buffer);
  });

  test('SGD with momentum, Dropout (random masks replayed from the shared generator) and a StepLR schedule read live', async () => {
    const { err, stats, comp } = await compare('cpu', { dropout: true, sgd: true, scheduler: true });
    expect(err).toBeLessThanOrEqual(1e-6);
    expect(stats.replays).toBe(11);
    // The scheduler halved lr after every 3 steps (4 times in 12): the replays' optimizer.step() read each lr
    // live, or the parameters above would differ from eager's.
    expect(comp.opt.paramGroups[0].lr).toBeCloseTo(0.05 / 16, 12);
  });

  test('a small CNN (conv, max-pool, dropout, Adam) compiled gives the eager parameters after 6 steps', async () => {
    class Net extends nn.Module {
      conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
      pool = new nn.MaxPool2d(2);
      drop = new nn.Dropout(0.25);
      fc = new nn.Linear(4 * 4 * 4, 3);
      forward(x: Tensor): Tensor {
        return this.fc.forward(this.drop.forward(this.pool.forward(nn.functional.relu(this.conv.forward(x))).flatten(1)));
      }
    }
    const make = () => {
      torch.manualSeed(0);
      const model = new Net();
      const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
      return { model, step: (x: Tensor, y: Tensor) => { const l = nn.functional.crossEntropy(model.forward(x), y); opt.zeroGrad(); l.backward(); opt.step(); return l; } };
    };
    const e = make(), c = make();
    const compiled = torch.compile(c.step);
    torch.manualSeed(5);
    const data = Array.from({ length: 3 }, () => [torch.randn([6, 1, 8, 8]), torch.randint(0, 3, [6])] as const);
    for (let i = 0; i < 6; i++) {
      const [x, y] = data[i % 3];
      torch.manualSeed(i); e.step(x, y);
      torch.manualSeed(i); compiled(x, y);
    }
    expect(compiled.stats).toMatchObject({ traces: 1, replays: 5, fallbacks: [] });
    expect(await maxRelErr(e.model, c.model)).toBeLessThanOrEqual(1e-6);
  });

  test('a hand-written in-place update (p.sub_ under noGrad) replays its writes into the parameters', async () => {
    const make = () => {
      const s = mlp('cpu', { sgd: true });
      const params = s.model.parameters();
      const crit = new nn.CrossEntropyLoss();
      return { s, step: (x: Tensor, y: Tensor) => {
        const loss = crit.forward(s.model.forward(x), y);
        s.opt.zeroGrad();
        loss.backward();
        torch.noGrad(() => { for (const p of params) p.sub_(p.grad!.mul(0.1)); });
        return loss;
      } };
    };
    const e = make(), c = make();
    const compiled = torch.compile(c.step);
    const data = batches(3);
    const v0 = c.s.model.parameters()[0].version;
    for (let i = 0; i < 6; i++) { const [x, y] = data[i % 3]; e.step(x, y); compiled(x, y); }
    expect(compiled.stats).toMatchObject({ traces: 1, replays: 5, fallbacks: [] });
    expect(await maxRelErr(e.s.model, c.s.model)).toBe(0);
    // Each replayed in-place write bumped the parameter's version, as the eager sub_ does.
    expect(c.s.model.parameters()[0].version - v0).toBe(e.s.model.parameters()[0].version - v0);
  });

  test('a new input shape traces again, and each shape keeps its own plan', async () => {
    const data = [...batches(2, 8), ...batches(2, 3)];
    const { err, stats } = await compare('cpu', {}, 8, data);
    expect(err).toBeLessThanOrEqual(1e-6);
    expect(stats).toMatchObject({ traces: 2, replays: 6, eagerCalls: 0 });
  });

  test('targets with ignoreIndex change what the loss computes: a value guard retraces for them', async () => {
    const { err, stats } = await compare('cpu', {}, 8, batches(4, 8, 'cpu', true));
    expect(err).toBeLessThanOrEqual(1e-6);
    expect(stats.traces).toBe(2);
    expect(stats.replays).toBe(6);
  });

  test('item() inside the step (data-dependent control flow) falls back to eager, says why once, and stays correct', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const eager = mlp('cpu'), comp = mlp('cpu');
    const branchy = (s: Setup) => (x: Tensor, y: Tensor) => {
      const loss = s.step(x, y);
      // A branch on a value computed in the step: the trace cannot know which way the next call goes.
      if (loss.item() > 100) s.opt.paramGroups[0].lr = 0;
      return loss;
    };
    const e = branchy(eager), c = torch.compile(branchy(comp));
    for (const [x, y] of batches(4)) { e(x, y); c(x, y); }
    expect(c.stats.traces).toBe(1);
    expect(c.stats.eagerCalls).toBe(3);
    expect(c.stats.fallbacks).toHaveLength(1);
    expect(c.stats.fallbacks[0]).toMatch(/item\(\) read a value computed inside the step \(data-dependent control flow/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^torch\.compile: falling back to eager: item\(\)/);
    expect(await maxRelErr(eager.model, comp.model)).toBe(0);
  });

  test('a host read of an input, and backward into an existing .grad, fall back with their reasons', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const s = mlp('cpu');
    const reads = torch.compile((x: Tensor, y: Tensor) => { x.dataSync(); return s.step(x, y); });
    const [x, y] = batches(1)[0];
    reads(x, y);
    expect(reads.stats.fallbacks[0]).toMatch(/dataSync\(\) read the values of input 0 inside the step/);
    const noZero = torch.compile((a: Tensor, b: Tensor) => {
      const loss = nn.functional.crossEntropy(s.model.forward(a), b);
      loss.backward();
      return loss.detach();
    });
    noZero(x, y);
    noZero(x, y);
    expect(noZero.stats.fallbacks[0]).toMatch(/accumulated into an existing \.grad.*zeroGrad/);
    const asyncStep = torch.compile(async (a: Tensor) => a.mul(2));
    void asyncStep(x);
    expect(asyncStep.stats.fallbacks[0]).toMatch(/the step is asynchronous/);
  });

  test('fullgraph: a changed shape past the cache limit, and an item() in the step, throw the reason instead', () => {
    const s = mlp('cpu');
    const strict = torch.compile(s.step, { fullgraph: true, cacheLimit: 1 });
    const [x, y] = batches(1, 8)[0];
    const [x3, y3] = batches(1, 3)[0];
    strict(x, y);
    strict(x, y);
    expect(() => strict(x3, y3)).toThrow(/torch\.compile \(fullgraph\).*input 0 \[3, 20\] float32 on cpu.*differs from the traced one \(input 0 \[8, 20\].*cache limit of 1/);
    const itemy = torch.compile((a: Tensor) => a.sum().item(), { fullgraph: true });
    expect(() => itemy(x)).toThrow(/fullgraph.*item\(\) read a value computed inside the step/);
  });

  test('compile(module): the forward replays under noGrad; a forward whose output keeps its graph falls back', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { model } = mlp('cpu');
    const fwd = torch.compile(model);
    const [x] = batches(1)[0];
    const want = torch.noGrad(() => model.forward(x)).dataSync();
    for (let i = 0; i < 3; i++) expect(Array.from(torch.noGrad(() => fwd.forward(x)).dataSync())).toEqual(Array.from(want));
    expect(fwd.stats.replays).toBe(2);
    // Eval mode changes what modules do: the mode is guarded, so this retraces.
    model.eval();
    torch.noGrad(() => fwd(x));
    expect(fwd.stats.traces).toBe(2);
    model.train();
    const out = fwd(x);
    expect(out.requiresGrad).toBe(true); // the eager result, with its graph
    expect(fwd.stats.fallbacks[0]).toMatch(/autograd graph is still live/);
    expect(warn).toHaveBeenCalled();
  });

  test('memory is flat over 3,000 compiled steps (exact torch.memory() counters)', () => {
    const s = mlp('cpu');
    const step = torch.compile(s.step);
    const data = batches(4);
    const seen: { numTensors: number; numStorages: number; numBytes: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const [x, y] = data[i % 4];
      step(x, y).dispose();
      if (i === 10 || i === 1000 || i === 2999) seen.push(torch.memory());
    }
    expect(step.stats.replays).toBe(2999);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });
});

describe.skipIf(!gpu.ok)('torch.compile on WebGPU (lavapipe)', () => {
  test('a compiled Adam step gives the eager parameters after 8 steps (rel err ≤ 1e-6)', async () => {
    const { err, stats } = await compare('webgpu', {}, 8);
    expect(err).toBeLessThanOrEqual(1e-6);
    expect(stats).toMatchObject({ traces: 1, replays: 7, eagerCalls: 0, fallbacks: [] });
  });

  test('SGD with momentum and Dropout on WebGPU', async () => {
    const { err, stats } = await compare('webgpu', { dropout: true, sgd: true }, 6);
    expect(err).toBeLessThanOrEqual(1e-6);
    expect(stats.replays).toBe(5);
  });
});
