/**
 * nn: Parameter and the Module API (registration, names, state dicts, modes, conversion, hooks, printing),
 * containers, the F export list, and an end-to-end training loop (loss decreases, memory stays flat).
 */
import { describe, it, expect } from 'vitest';
import * as torch from '../runtime/torch.js';
import * as nn from '../runtime/nn/index.js';
import * as F from '../runtime/nn/functional.js';
import type { Tensor } from '../runtime/tensor.js';

const vals = (t: Tensor | null | undefined): number[] => Array.from(t!.dataSync());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (|Δ| = ${Math.abs(a - e)})`);
    }
  }
}

const ft = (data: number[] | number[][] | number[][][]) => torch.tensor(data, { dtype: 'float32' });

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 50);
  fc2 = new nn.Linear(50, 10);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(F.relu(this.fc1.forward(x)));
  }
}
describe('Parameter', () => {
  it('makes a leaf that requires grad, shares storage, and is recognised with or without new', () => {
    const t = ft([1, 2, 3]);
    const p = nn.Parameter(t);
    const q = new nn.Parameter(torch.zeros(2), false);
    expect(p).not.toBe(t);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(q.requiresGrad).toBe(false);
    expect(nn.isParameter(p)).toBe(true);
    expect(nn.isParameter(q)).toBe(true);
    expect(nn.isParameter(t)).toBe(false);
    torch.noGrad(() => t.mul_(2));
    expect(vals(p)).toEqual([2, 4, 6]);
  });

  it('survives torch.tidy, as do modules built inside it', () => {
    const [p, lin] = torch.tidy(() => [nn.Parameter(torch.ones(3)), new nn.Linear(3, 2)] as const);
    expect(p.isDisposed).toBe(false);
    expect(vals(p)).toEqual([1, 1, 1]);
    expect(lin.weight.isDisposed).toBe(false);
    const bn = torch.tidy(() => new nn.BatchNorm1d(3));
    expect(vals(bn.runningVar)).toEqual([1, 1, 1]);
  });

  it('refuses integer data that would require grad', () => {
    expect(() => nn.Parameter(torch.tensor([1, 2]))).toThrow(/floating-point/);
    expect(nn.Parameter(torch.tensor([1, 2]), false).dtype).toBe('int32');
  });
});

describe('Module registration and traversal', () => {
  it('discovers class fields in declaration order; plain tensors and arrays of modules are not registered', () => {
    class M extends nn.Module {
      a = new nn.Linear(2, 3);
      scale = nn.Parameter(torch.ones(1));
      plain = torch.zeros(2);
      list = [new nn.Linear(1, 1)];
      b = new nn.ReLU();
      forward(x: Tensor) { return x; }
    }
    const m = new M();
    // PyTorch's order: this module's own parameters first, then each child's.
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'a.weight', 'a.bias']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['a', 'b']);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'a', 'b']);
    expect(m.buffers()).toEqual([]);
  });

  it('dedups shared parameters and modules (weight tying) but keeps both keys in the state dict', () => {
    class Tied extends nn.Module {
      enc = new nn.Linear(4, 4, { bias: false });
      dec = new nn.Linear(4, 4, { bias: false });
      same: nn.Linear;
      constructor() {
        super();
        this.dec.weight = this.enc.weight;
        this.same = this.enc;
      }
    }
    const m = new Tied();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['enc.weight']);
    expect(m.parameters()).toHaveLength(1);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'enc', 'dec']);
    expect(m.namedParameters('', true, false).map(([n]) => n)).toEqual(['enc.weight', 'dec.weight', 'same.weight']);
    expect(Object.keys(m.stateDict())).toEqual(['enc.weight', 'dec.weight', 'same.weight']);
    expect(m.numParameters()).toBe(16);
  });

  it('registers explicitly, in order, with PyTorch-style errors', () => {
    class M extends nn.Module {
      first = new nn.Linear(1, 1);
      constructor() {
        super();
        this.registerBuffer('stat', torch.zeros(2));
        this.registerBuffer('scratch', torch.zeros(1), false);
        this.registerParameter('alpha', nn.Parameter(torch.ones(1)));
        this.registerParameter('none', null);
        this.addModule('act', new nn.Tanh());
      }
    }
    const m = new M();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['alpha', 'first.weight', 'first.bias']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['stat', 'scratch']);
    expect(Object.keys(m.stateDict())).toEqual(['alpha', 'stat', 'first.weight', 'first.bias']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['first', 'act']);
    expect(() => m.registerParameter('w', torch.ones(1))).toThrow(/must be an nn.Parameter.*wrap it with nn.Parameter/);
    expect(() => m.registerBuffer('a.b', torch.ones(1))).toThrow(/can't contain "."/);
    expect(() => m.registerBuffer('forward', torch.ones(1))).toThrow(/attribute 'forward' already exists/);
    expect(() => m.registerBuffer('alpha', torch.ones(1))).toThrow(/already registered as a parameter/);
    // Assigning a registered buffer replaces it (and keeps it out of tidy).
    const fresh = torch.tidy(() => { (m as unknown as { stat: Tensor }).stat = torch.ones(2).mul(3); return 0; });
    expect(fresh).toBe(0);
    expect(vals(m.getBuffer('stat'))).toEqual([3, 3]);
    expect(m.getParameter('first.bias')).toBe(m.first.bias);
    expect(m.getSubmodule('act')).toBeInstanceOf(nn.Tanh);
    expect(() => m.getSubmodule('nope')).toThrow(/has no submodule 'nope'/);
  });

  it('errors when a parameter slot is overwritten with a plain tensor', () => {
    const lin = new nn.Linear(2, 2);
    (lin as { weight: Tensor }).weight = torch.ones(2, 2);
    expect(() => lin.parameters()).toThrow(/'weight' was registered as a parameter but now holds a plain Tensor \[2, 2\]/);
  });

  it('forward must be defined; call runs pre-hooks and hooks around forward', () => {
    expect(() => new nn.Module().forward()).toThrow(/missing the required "forward" function/);
    const lin = new nn.Linear(2, 2);
    const seen: string[] = [];
    const h1 = lin.registerForwardPreHook((_m, args) => { seen.push('pre'); return [(args[0] as Tensor).mul(0)]; });
    const h2 = lin.registerForwardHook((_m, _args, out) => { seen.push('post'); return (out as Tensor).add(1); });
    const y = lin.call(torch.ones(1, 2));
    expect(seen).toEqual(['pre', 'post']);
    expectClose(vals(y), vals(lin.bias!.add(1)));
    h1.remove();
    h2.remove();
    expectClose(vals(lin.call(torch.ones(1, 2))), vals(lin.forward(torch.ones(1, 2))));
  });

  it('apply visits children first, requiresGrad_ freezes, numParameters counts trainable ones', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.Sequential(new nn.Linear(3, 1)));
    const order: string[] = [];
    seq.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Linear', 'Linear', 'Sequential', 'Sequential']);
    expect(seq.numParameters()).toBe(9 + 4);
    seq.at(0).requiresGrad_(false);
    expect(seq.numParameters({ trainableOnly: true })).toBe(4);
  });
});

describe('stateDict / loadStateDict', () => {
  it('round-trips into a fresh model: identical outputs', () => {
    torch.manualSeed(1);
    const a = new Net();
    torch.manualSeed(2);
    const b = new Net();
    const x = torch.randn([3, 784]);
    expect(a.forward(x).allclose(b.forward(x))).toBe(false);
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(vals(b.forward(x))).toEqual(vals(a.forward(x)));
    // Parameters keep their identity.
    expect(b.parameters()[0]).toBe(b.fc1.weight);
  });

  it('gives detached tensors that share storage with the parameters', () => {
    const lin = new nn.Linear(2, 2);
    const sd = lin.stateDict();
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    expect(sd.weight.requiresGrad).toBe(false);
    expect(sd.weight).not.toBe(lin.weight);
    torch.noGrad(() => lin.weight.fill_(7));
    expect(vals(sd.weight)).toEqual([7, 7, 7, 7]);
    expect(lin.stateDict({ keepVars: true }).weight).toBe(lin.weight);
    expect(Object.keys(lin.stateDict({ prefix: 'enc.' }))).toEqual(['enc.weight', 'enc.bias']);
  });

  it('strict mode names missing and unexpected keys; non-strict returns them', () => {
    const net = new Net();
    const sd = net.stateDict();
    const partial: Record<string, Tensor> = { ...sd, 'fc3.weight': torch.zeros(1) };
    delete partial['fc2.bias'];
    const before = vals(net.fc1.weight);
    expect(() => net.loadStateDict(partial)).toThrow(/Unexpected key\(s\) in state_dict: "fc3.weight"[\s\S]*Missing key\(s\) in state_dict: "fc2.bias"/);
    expect(() => net.loadStateDict(partial)).toThrow(/error\(s\) in loading state_dict for Net/);
    const other = new Net();
    const res = other.loadStateDict(partial, { strict: false });
    expect(res).toEqual({ missingKeys: ['fc2.bias'], unexpectedKeys: ['fc3.weight'] });
    expect(vals(other.fc1.weight)).toEqual(before);
  });

  it('a shape mismatch names the key and both shapes, and nothing is copied', () => {
    const net = new Net();
    const sd = { ...net.stateDict(), 'fc1.weight': torch.zeros(50, 100) };
    const target = new Net();
    const fc2Before = vals(target.fc2.weight);
    expect(() => target.loadStateDict(sd)).toThrow('size mismatch for fc1.weight: copying a param with shape [50, 100] from checkpoint, the shape in current model is [50, 784]');
    expect(() => target.loadStateDict(sd, { strict: false })).toThrow(/size mismatch for fc1.weight/);
    expect(vals(target.fc2.weight)).toEqual(fc2Before);
  });

  it('includes BatchNorm buffers under PyTorch names, and not non-persistent buffers', () => {
    const seq = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2));
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
    expect(seq.stateDict()['1.num_batches_tracked'].dtype).toBe('int32');
  });
});

describe('modes, gradients and conversion', () => {
  it('train/eval switch dropout and batchnorm behaviour recursively', () => {
    const model = new nn.Sequential(new nn.BatchNorm1d(3), new nn.Dropout(0.5));
    const x = torch.randn([8, 3]);
    expect(model.training).toBe(true);
    model.eval();
    expect(model.modules().every((m) => !m.training)).toBe(true);
    // eval: running stats are (0, 1), dropout is the identity.
    expectClose(vals(model.forward(x)), vals(x.div(Math.sqrt(1 + 1e-5))), 1e-6);
    model.train();
    expect(model.at(1).training).toBe(true);
    const y = model.forward(x);
    const zeros = vals(y).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(() => model.train(1 as unknown as boolean)).toThrow(/boolean/);
  });

  it('zeroGrad sets gradients to null (default) or zeroes them in place', () => {
    const lin = new nn.Linear(3, 2);
    lin.forward(torch.ones(1, 3)).sum().backward();
    expect(vals(lin.bias!.grad)).toEqual([1, 1]);
    const g = lin.weight.grad!;
    lin.zeroGrad({ setToNone: false });
    expect(lin.weight.grad).toBe(g);
    expect(vals(lin.weight.grad)).toEqual([0, 0, 0, 0, 0, 0]);
    lin.forward(torch.ones(1, 3)).sum().backward();
    expect(vals(lin.bias!.grad)).toEqual([1, 1]);
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
    expect(lin.bias!.grad).toBeNull();
  });

  it('to(dtype) converts floating parameters and buffers in place, keeping object identity', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    const w = model.at(0).parameters()[0];
    const before = vals(w);
    const nbt = model.at(1).buffers()[2];
    expect(model.double()).toBe(model);
    expect(model.parameters()[0]).toBe(w);
    expect(w.dtype).toBe('float64');
    expect(nn.isParameter(w)).toBe(true);
    expectClose(vals(w), before, 0);
    expect(model.buffers().map((b) => b.dtype)).toEqual(['float64', 'float64', 'int32']);
    expect(model.at(1).buffers()[2]).toBe(nbt);
    const y = model.forward(torch.randn([4, 2], { dtype: 'float64' }));
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(w.grad!.dtype).toBe('float64');
    model.to({ dtype: 'float32' });
    expect(w.dtype).toBe('float32');
    expect(w.grad!.dtype).toBe('float32');
    expect(() => model.to('int32')).toThrow(/only floating-point dtypes/);
    expect(() => model.to('tpu')).toThrow(/unknown device 'tpu'/);
  });

  it('toString prints PyTorch reprs, nested and indented', () => {
    class Small extends nn.Module {
      features = new nn.Sequential(
        new nn.Conv2d(1, 8, 3, { padding: 1 }),
        new nn.BatchNorm2d(8),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Dropout(0.25),
      );
      flat = new nn.Flatten();
      head = new nn.Linear(8 * 14 * 14, 10, { bias: false });
      act = new nn.LeakyReLU(0.2);
      norm = new nn.LayerNorm(10);
      emb = new nn.Embedding(100, 16, { paddingIdx: 0 });
      rnn = new nn.LSTM(16, 32, { numLayers: 2, batchFirst: true });
    }
    expect(new Small().toString()).toBe(
      [
        'Small(',
        '  (features): Sequential(',
        '    (0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))',
        '    (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
        '    (2): ReLU()',
        '    (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
        '    (4): Dropout(p=0.25, inplace=False)',
        '  )',
        '  (flat): Flatten(start_dim=1, end_dim=-1)',
        '  (head): Linear(in_features=1568, out_features=10, bias=False)',
        '  (act): LeakyReLU(negative_slope=0.2)',
        '  (norm): LayerNorm((10,), eps=1e-05, elementwise_affine=True)',
        '  (emb): Embedding(100, 16, padding_idx=0)',
        '  (rnn): LSTM(16, 32, num_layers=2, batch_first=True)',
        ')',
      ].join('\n'),
    );
    expect(new nn.Conv1d(2, 4, 3, { stride: 2, groups: 2, paddingMode: 'reflect', padding: 1 }).toString())
      .toBe('Conv1d(2, 4, kernel_size=(3,), stride=(2,), padding=(1,), groups=2, padding_mode=reflect)');
    expect(new nn.BatchNorm1d(3, { momentum: null, affine: false }).toString())
      .toBe('BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, track_running_stats=True)');
    expect(new nn.GELU({ approximate: 'tanh' }).toString()).toBe("GELU(approximate='tanh')");
  });
});

describe('containers', () => {
  it('Sequential chains, indexes, iterates, appends; a Record names the children', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(seq.length).toBe(2);
    expect(seq.at(-1)).toBeInstanceOf(nn.ReLU);
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU']);
    seq.append(new nn.Linear(3, 1));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = torch.randn([4, 2]);
    const manual = (seq.at(2) as nn.Linear).forward((seq.at(0) as nn.Linear).forward(x).relu());
    expectClose(vals(seq.forward(x)), vals(manual), 1e-6);
    expect(() => seq.at(3)).toThrow(/index 3 is out of range for 3 module/);
    seq.insert(1, new nn.Identity());
    expect(seq.namedChildren().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual(['0:Linear', '1:Identity', '2:ReLU', '3:Linear']);
    expect(seq.pop(1)).toBeInstanceOf(nn.Identity);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh() });
    expect(named.namedChildren().map(([n]) => n)).toEqual(['fc', 'act']);
    expect(named.at(1)).toBeInstanceOf(nn.Tanh);
    expect(() => new nn.Sequential(nn.ReLU as unknown as nn.Module)).toThrow(/did you mean to pass an nn module/);
  });

  it('ModuleList registers its items; ModuleDict keeps insertion order even for integer-like keys', () => {
    class M extends nn.Module {
      layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
      heads = new nn.ModuleDict(new Map<string, nn.Module>([['10', new nn.Linear(2, 1)], ['2', new nn.Linear(2, 1)]]));
    }
    const m = new M();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias',
      'heads.10.weight', 'heads.10.bias', 'heads.2.weight', 'heads.2.bias',
    ]);
    expect([...m.heads]).toEqual(['10', '2']);
    expect(m.heads.get('2')).toBeInstanceOf(nn.Linear);
    expect(() => m.heads.get('x')).toThrow(/no module named 'x'/);
    expect(() => m.heads.set('train', new nn.ReLU())).toThrow(/attribute 'train' already exists/);
    expect(() => new nn.ModuleList().forward()).toThrow(/missing the required "forward"/);
  });

  it('Flatten, Unflatten, Identity', () => {
    const x = torch.randn([2, 3, 4, 5]);
    expect(new nn.Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new nn.Flatten(0, 1).forward(x).shape).toEqual([6, 4, 5]);
    expect(new nn.Unflatten(1, [3, 20]).forward(x.flatten(1)).shape).toEqual([2, 3, 20]);
    expect(new nn.Identity(54, { unused: true }).forward(x)).toBe(x);
  });
});

describe('F exports', () => {
  it('has every function the modules and migrations rely on', () => {
    const names = ['linear', 'conv1d', 'conv2d', 'maxPool1d', 'maxPool2d', 'avgPool1d', 'avgPool2d', 'adaptiveAvgPool2d',
      'dropout', 'dropout2d', 'batchNorm', 'layerNorm', 'groupNorm', 'embedding', 'relu', 'leakyRelu', 'elu', 'gelu', 'sigmoid',
      'tanh', 'softmax', 'logSoftmax', 'silu', 'softplus', 'relu6', 'oneHot', 'pad', 'crossEntropy', 'nllLoss', 'mseLoss',
      'l1Loss', 'binaryCrossEntropy', 'binaryCrossEntropyWithLogits', 'huberLoss', 'smoothL1Loss', 'klDiv', 'normalize',
      'cosineSimilarity'];
    for (const n of names) expect(typeof (F as Record<string, unknown>)[n], n).toBe('function');
    expect(nn.functional.crossEntropy).toBe(F.crossEntropy);
  });
});

describe('a training loop', () => {
  it('keeps torch.memory() flat across steps (tidy + zeroGrad + in-place BatchNorm stats)', () => {
    torch.manualSeed(21);
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Dropout(0.2), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 10));
    const lstm = new nn.LSTM(8, 8, { batchFirst: true });
    const emb = new nn.Embedding(20, 8, { paddingIdx: 0 });
    const params = [...model.parameters(), ...lstm.parameters(), ...emb.parameters()];
    const x = torch.randn([8, 1, 8, 8]), y = torch.randint(0, 10, [8]), tokens = torch.randint(0, 20, [8, 5]);
    const counts: number[] = [];
    for (let step = 0; step < 6; step++) {
      torch.tidy(() => {
        const [seq] = lstm.forward(emb.forward(tokens));
        const loss = F.crossEntropy(model.forward(x), y, { labelSmoothing: 0.1 }).add(seq.square().mean());
        for (const m of [model, lstm, emb]) m.zeroGrad();
        loss.backward();
        nn.utils.clipGradNorm_(params, 1);
        torch.noGrad(() => { for (const p of params) p.sub_(p.grad!.mul(0.01)); });
      });
      counts.push(torch.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});

describe('an MLP trains', () => {
  it('loss decreases with plain SGD on a toy problem (end-to-end)', () => {
    torch.manualSeed(20);
    const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
    const x = torch.randn([64, 2]);
    const y = x.select(1, 0).mul(x.select(1, 1)).gt(0).int();
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      torch.tidy(() => {
        const loss = F.crossEntropy(model.forward(x), y);
        model.zeroGrad();
        loss.backward();
        torch.noGrad(() => { for (const p of model.parameters()) p.sub_(p.grad!.mul(0.5)); });
        losses.push(loss.item());
      });
    }
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
  });
});
