/**
 * onnx.export + onnx.load end to end: models trained and saved by tfjs, loaded with io.loadLayersModel, exported,
 * and run by onnxruntime-node must predict what tfjs predicts; the runtime's own MLP / CNN / LSTM text model must
 * give their eager forward's numbers; the batch axis is dynamic; what cannot be exported fails with a clear error.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../runtime/torch.js';
import { F, io, nn, onnx } from '../runtime/index.js';
import { maxAbsDiff, randomInput, randomizeWeights } from './support/tfjs_models.js';
import { predictTf, saveAsFiles, trainedCnn, trainedMlp, type TrainedModel } from './support/tfjs_trained.js';
import { onnxProto } from '../runtime/onnx/graph.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
let root: string;
let mlp: TrainedModel;
let cnn: TrainedModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'tb-onnx-'));
  mlp = await trainedMlp(join(root, 'mlp'));
  cnn = await trainedCnn(join(root, 'cnn'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The ModelProto as plain JSON-like data (int64s as numbers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function decode(bytes: Uint8Array): any {
  const P = onnxProto().ModelProto;
  return P.toObject(P.decode(bytes), { longs: Number, defaults: true });
}

function input(rowShape: number[], batch: number, seed: number): torch.Tensor {
  const shape = [batch, ...rowShape];
  return torch.tensor(randomInput(shape, seed), { shape });
}

async function runOnnx(path: string, ...xs: torch.Tensor[]): Promise<torch.Tensor> {
  const s = await onnx.load(path);
  try {
    return (await s.run(...xs)) as torch.Tensor;
  } finally {
    await s.release();
  }
}

describe.each([
  ['MLP (Dense relu → Dense softmax)', () => mlp],
  ['NHWC CNN (Conv2D same relu → MaxPooling2D → Conv2D valid → Flatten → Dense)', () => cnn],
])('a tfjs-trained %s', (_, get) => {
  it('io.loadLayersModel predicts what tfjs predicts, and so does its ONNX export in onnxruntime-node (batch 2 traced, 7 run)', async () => {
    const t = get();
    const m = await io.loadLayersModel(t.path);
    const x = input(t.rowShape, 7, 5);
    const want = predictTf(t.model, x.dataSync() as Float32Array, x.shape);
    const eager = torch.noGrad(() => m.forward(x) as torch.Tensor);
    expect(eager.shape).toEqual(want.shape);
    expect(maxAbsDiff(eager.dataSync(), want.data)).toBeLessThan(1e-5);

    const path = join(root, `${t.rowShape.length}d.onnx`);
    onnx.export(m, [input(t.rowShape, 2, 9)], path);
    const got = await runOnnx(path, x);
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.dataSync(), want.data)).toBeLessThan(1e-5);
    // The outputs must carry information, or a wrong graph could match by accident.
    expect(Math.max(...Array.from(want.data, Math.abs))).toBeGreaterThan(1e-2);
  });
});

/** More tfjs architectures (random weights): the layers and layout changes io.loadLayersModel produces. */
const ARCHITECTURES: [string, () => tf.LayersModel, number[]][] = [
  ["strided Conv2D 'same' (asymmetric padding), 'same' max and average pooling, Dropout, channel softmax", () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [8, 7, 2], filters: 3, kernelSize: 4, strides: 2, padding: 'same' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }));
    m.add(tf.layers.activation({ activation: 'softmax' }));
    return m;
  }, [8, 7, 2]],
  ['BatchNormalization after a Conv2D and after a Dense', () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }));
    m.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 4 }));
    m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
    return m;
  }, [6, 6, 2]],
  ['Reshape and GlobalAveragePooling2D', () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [12], units: 24 }));
    m.add(tf.layers.reshape({ targetShape: [2, 3, 4] }));
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 1 }));
    m.add(tf.layers.globalAveragePooling2d({}));
    return m;
  }, [12]],
  ['LeakyReLU, ELU, ReLU(max 6), Softmax layers on NHWC maps', () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 2 }));
    m.add(tf.layers.leakyReLU());
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 2 }));
    m.add(tf.layers.elu());
    m.add(tf.layers.reLU({ maxValue: 6 }));
    m.add(tf.layers.softmax({ axis: -1 }));
    return m;
  }, [4, 4, 2]],
  ['ZeroPadding2D → DepthwiseConv2D (multiplier 2, stride 2, relu6) → 1×1 Conv2D → GlobalMaxPooling2D', () => {
    const m = tf.sequential();
    m.add(tf.layers.zeroPadding2d({ inputShape: [7, 6, 3], padding: [[1, 0], [0, 2]] }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'valid', activation: 'relu6' }));
    m.add(tf.layers.conv2d({ filters: 4, kernelSize: 1, padding: 'same' }));
    m.add(tf.layers.globalMaxPooling2d({}));
    return m;
  }, [7, 6, 3]],
  ['Dense sigmoid, tanh (no bias), elu, selu, softplus, linear', () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 5, activation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 5, activation: 'tanh', useBias: false }));
    m.add(tf.layers.dense({ units: 5, activation: 'elu' }));
    m.add(tf.layers.dense({ units: 5, activation: 'selu' }));
    m.add(tf.layers.dense({ units: 5, activation: 'softplus' }));
    m.add(tf.layers.dense({ units: 2, activation: 'linear' }));
    return m;
  }, [4]],
  ['a functional residual CNN: Add, BatchNormalization, two Dense heads, Concatenate', () => {
    const input = tf.input({ shape: [6, 5, 2] });
    const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(c1) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([c1, c2]) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization().apply(sum) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }).apply(bn) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
    const h1 = tf.layers.dense({ units: 3 }).apply(flat) as tf.SymbolicTensor;
    const h2 = tf.layers.dense({ units: 2, activation: 'tanh' }).apply(flat) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([h1, h2]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(joined) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  }, [6, 5, 2]],
];

describe.each(ARCHITECTURES)('a tfjs model (%s) through ONNX', (name, build, rowShape) => {
  it('predicts what tfjs predicts in onnxruntime-node (batch 2 traced, 5 run)', async () => {
    const model = build();
    randomizeWeights(model, 7);
    const path = await saveAsFiles(model, join(root, `arch-${ARCHITECTURES.findIndex(([n]) => n === name)}`));
    const m = await io.loadLayersModel(path);
    const x = input(rowShape, 5, 3);
    const want = predictTf(model, x.dataSync() as Float32Array, x.shape);
    const s = await onnx.loadBytes(onnx.exportToBytes(m, input(rowShape, 2, 4)));
    const got = (await s.run(x)) as torch.Tensor;
    await s.release();
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.dataSync(), want.data)).toBeLessThan(1e-5);
  });
});

it('a functional tfjs model with two inputs, two outputs and a shared layer', async () => {
  const a = tf.input({ shape: [4], name: 'a' });
  const b = tf.input({ shape: [4], name: 'b' });
  const shared = tf.layers.dense({ units: 3, activation: 'elu', name: 'shared' });
  const sa = shared.apply(a) as tf.SymbolicTensor;
  const sb = shared.apply(b) as tf.SymbolicTensor;
  const diff = tf.layers.maximum().apply([sa, sb]) as tf.SymbolicTensor;
  const prod = tf.layers.multiply().apply([sa, sb]) as tf.SymbolicTensor;
  const out1 = tf.layers.dense({ units: 2 }).apply(tf.layers.concatenate().apply([diff, prod]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [a, b], outputs: [out1, sa] });
  randomizeWeights(model, 31);
  const m = await io.loadLayersModel(await saveAsFiles(model, join(root, 'two-io')));
  const s = await onnx.loadBytes(onnx.exportToBytes(m, [input([4], 2, 1), input([4], 2, 2)], { inputNames: ['a', 'b'], outputNames: ['out', 'shared'] }));
  expect([s.inputNames, s.outputNames]).toEqual([['a', 'b'], ['out', 'shared']]);
  const xa = input([4], 3, 5), xb = input([4], 3, 6);
  const want = tf.tidy(() => (model.predict([tf.tensor(xa.dataSync(), [3, 4]), tf.tensor(xb.dataSync(), [3, 4])]) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array));
  const got = (await s.run({ b: xb, a: xa })) as torch.Tensor[];
  got.forEach((g, i) => expect(maxAbsDiff(g.dataSync(), want[i])).toBeLessThan(1e-5));
  await s.release();
});

describe('the exported graph', () => {
  it('has opset 17, a symbolic batch dim, parameters as initializers under their module names', async () => {
    const m = await io.loadLayersModel(mlp.path);
    const bytes = onnx.exportToBytes(m, input(mlp.rowShape, 3, 1), { inputNames: ['features'], outputNames: ['probs'] });
    const model = decode(bytes);
    expect(model.opsetImport[0].version).toBe(17);
    const graph = model.graph;
    expect(graph.input.map((i: { name: string }) => i.name)).toEqual(['features']);
    expect(graph.output.map((o: { name: string }) => o.name)).toEqual(['probs']);
    const dims = graph.input[0].type.tensorType.shape.dim;
    expect(dims[0].dimParam).toBe('batch');
    expect(dims[1].dimValue).toBe(10);
    expect(graph.output[0].type.tensorType.shape.dim[0].dimParam).toBe('batch');
    const paramNames = m.namedParameters().map(([n]) => n);
    expect(paramNames.length).toBeGreaterThan(0);
    const inits = graph.initializer.map((i: { name: string }) => i.name);
    for (const n of paramNames) expect(inits).toContain(n);
    expect(graph.node.map((n: { opType: string }) => n.opType)).toEqual(expect.arrayContaining(['Gemm', 'Relu', 'Softmax']));
  });

  it('with dynamicAxes: false keeps the sample shape', async () => {
    const m = await io.loadLayersModel(mlp.path);
    const bytes = onnx.exportToBytes(m, input(mlp.rowShape, 1, 1), { dynamicAxes: false });
    const dims = decode(bytes).graph.input[0].type.tensorType.shape.dim;
    expect(dims.map((d: { dimValue: number }) => d.dimValue)).toEqual([1, 10]);
    const s = await onnx.loadBytes(bytes);
    await expect(s.run(input(mlp.rowShape, 2, 1))).rejects.toThrow();
    const y = (await s.run(input(mlp.rowShape, 1, 4))) as torch.Tensor;
    expect(y.shape).toEqual([1, 4]);
  });
});

// The runtime's own models, as examples/mnist-mlp.ts, examples/mnist-cnn.ts and fixtures/rnn-text/output.ts build them.
class MnistMlp extends nn.Module {
  fc1 = new nn.Linear(784, 50);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(50, 10);
  forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x.reshape(x.shape[0], -1))));
  }
}

class MnistCnn extends nn.Module {
  conv1 = new nn.Conv2d(1, 16, 5, { padding: 2 });
  conv2 = new nn.Conv2d(16, 32, 5, { padding: 2 });
  pool = new nn.MaxPool2d(2);
  dropout = new nn.Dropout(0.25);
  fc1 = new nn.Linear(32 * 7 * 7, 128);
  fc2 = new nn.Linear(128, 10);
  forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = this.dropout.forward(x.flatten(1));
    return F.logSoftmax(this.fc2.forward(F.relu(this.fc1.forward(x))), 1);
  }
}

class TextModel extends nn.Module {
  embedding1 = new nn.Embedding(50, 8);
  lstm1 = new nn.LSTM(8, 12, { batchFirst: true });
  layerNorm1 = new nn.LayerNorm(12, { eps: 1e-3 });
  dense1 = new nn.Linear(12, 8);
  leakyRelu1 = new nn.LeakyReLU(0.1);
  dropout1 = new nn.Dropout(0.1);
  dense2 = new nn.Linear(8, 1);
  sigmoid1 = new nn.Sigmoid();
  forward(x: torch.Tensor): torch.Tensor {
    x = this.embedding1.forward(x.int());
    x = this.lstm1.forward(x)[0].select(1, -1);
    x = this.layerNorm1.forward(x);
    x = this.dense1.forward(x);
    x = this.leakyRelu1.forward(x);
    x = this.dropout1.forward(x);
    x = this.dense2.forward(x);
    return this.sigmoid1.forward(x);
  }
}

function tokens(batch: number, seqLen: number, seed: number): torch.Tensor {
  const v = randomInput([batch, seqLen], seed).map((r) => Math.floor((r + 1) * 25));
  return torch.tensor(v, { shape: [batch, seqLen] });
}

describe('the runtime\'s own models match their eager forward through ONNX', () => {
  it.each([
    ['MNIST MLP', () => new MnistMlp(), (b: number, s: number) => input([1, 28, 28], b, s)],
    ['MNIST CNN (dropout, log-softmax)', () => new MnistCnn(), (b: number, s: number) => input([1, 28, 28], b, s)],
    ['LSTM text classifier (Embedding, LSTM, LayerNorm, LeakyReLU, Dropout, Sigmoid)', () => new TextModel(), (b: number, s: number) => tokens(b, 6, s)],
  ])('%s: exported with batch 2, run with batch 5', async (name, make, sample) => {
    torch.manualSeed(3);
    const m = make();
    const path = join(root, `${name.split(' ')[0]}-${name.length}.onnx`);
    onnx.export(m, [sample(2, 1)], path);
    expect(m.training).toBe(true); // export switched to eval for the trace and back
    const x = sample(5, 2);
    m.eval();
    const want = torch.noGrad(() => m.forward(x));
    const got = await runOnnx(path, x);
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.dataSync(), want.dataSync())).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(want.dataSync(), Math.abs))).toBeGreaterThan(1e-3);
  });

  it.each([
    ['GRU (2 layers, batch first)', () => new nn.GRU(3, 4, { numLayers: 2, batchFirst: true })],
    ['RNN (relu, bidirectional)', () => new nn.RNN(3, 4, { nonlinearity: 'relu', bidirectional: true, batchFirst: true })],
  ])('%s: output and final state match eager, batch 2 traced, 6 run', async (_, make) => {
    torch.manualSeed(5);
    const rnn = make();
    const s = await onnx.loadBytes(onnx.exportToBytes(rnn, [input([5, 3], 2, 1)]));
    const x = input([5, 3], 6, 2);
    const outs = (await s.run(x)) as torch.Tensor[];
    const [o, h] = torch.noGrad(() => rnn.eval().forward(x)) as [torch.Tensor, torch.Tensor];
    expect(outs.map((t) => t.shape)).toEqual([o.shape, h.shape]);
    expect(maxAbsDiff(outs[0].dataSync(), o.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(outs[1].dataSync(), h.dataSync())).toBeLessThan(1e-5);
    await s.release();
  });

  it('several outputs come back in order (the LSTM\'s [output, [h, c]])', async () => {
    torch.manualSeed(4);
    const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
    const path = join(root, 'lstm.onnx');
    // Input [T, N, 3]: the batch is dim 1. Traced with N = 2, run with N = 5.
    onnx.export(lstm, [input([2, 3], 4, 8)], path, { dynamicAxes: { input: 1 } });
    const s = await onnx.load(path);
    expect(s.outputNames).toEqual(['output_0', 'output_1', 'output_2']);
    const xs = input([5, 3], 4, 9);
    const outs = (await s.run(xs)) as torch.Tensor[];
    const [o, [h, c]] = torch.noGrad(() => lstm.eval().forward(xs));
    expect(outs.map((t) => t.shape)).toEqual([[4, 5, 4], [2, 5, 4], [2, 5, 4]]);
    [o, h, c].forEach((want, i) => expect(maxAbsDiff(outs[i].dataSync(), want.dataSync())).toBeLessThan(1e-5));
    await s.release();
  });
});

describe('what cannot be exported, or loaded, says so', () => {
  it('an op with no ONNX mapping names the op and the module path', () => {
    class ScatterSum extends nn.Module {
      forward(x: torch.Tensor) { return torch.scatterAdd(x.zerosLike(), 1, torch.tensor([[0, 0, 1], [1, 1, 0]], { dtype: 'int32' }), x); }
    }
    class Net extends nn.Module {
      body = new nn.Sequential(new nn.Linear(4, 3), new ScatterSum());
      forward(x: torch.Tensor) { return this.body.forward(x); }
    }
    expect(() => onnx.export(new Net(), [input([4], 2, 1)], null)).toThrow(/op 'ScatterAdd' in module 'body\.1': has no ONNX mapping/);
  });

  it('a value computed by an op that reports nothing to the tracer is an error, not a frozen constant', () => {
    class Net extends nn.Module {
      fc = new nn.Linear(4, 3);
      // argmin over the flattened tensor reports nothing: its result must not be baked into the graph.
      forward(x: torch.Tensor) { return this.fc.forward(x).add(x.argmin().float()); }
    }
    expect(() => onnx.export(new Net(), [input([4], 2, 1)], null)).toThrow(/computed by the backend kernel 'reduce' outside any traced op/);
  });

  it('a constant that carries the sample batch size cannot become a dynamic-batch graph', () => {
    class Net extends nn.Module {
      forward(x: torch.Tensor) { return x.add(torch.ones(3, 4)); }
    }
    expect(() => onnx.export(new Net(), [input([4], 3, 1)], null)).toThrow(/has the batch size at dim 0 but does not depend on the input.*dynamicAxes: false/);
    expect(onnx.exportToBytes(new Net(), [input([4], 3, 1)], { dynamicAxes: false }).length).toBeGreaterThan(0);
  });

  it('an in-place op during the trace is refused', () => {
    class Net extends nn.Module {
      forward(x: torch.Tensor) { const y = x.mul(2); y.add_(1); return y; }
    }
    expect(() => onnx.export(new Net(), [input([4], 2, 1)], null)).toThrow(/in-place write/);
  });

  it('a sample batch of 1 with a dynamic batch is refused (it could not be told from a size-1 dim)', () => {
    expect(() => onnx.export(new MnistMlp(), [input([784], 1, 1)], null)).toThrow(/sampleInputs\[0\] has shape \[1, 784\].*at least 2.*dynamicAxes: false/);
  });

  it('onnx.load of a corrupt file names the file', async () => {
    const bad = join(root, 'corrupt.onnx');
    const good = onnx.exportToBytes(new MnistMlp(), [input([784], 2, 1)]);
    writeFileSync(bad, good.subarray(0, Math.floor(good.length / 3)));
    await expect(onnx.load(bad)).rejects.toThrow(new RegExp(`onnx.load: '${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' is not a valid ONNX model`));
    await expect(onnx.load(join(root, 'missing.onnx'))).rejects.toThrow(/onnx.load: cannot read '.*missing\.onnx'/);
    expect(readFileSync(bad).length).toBeGreaterThan(0);
  });

  it('without onnxruntime-node installed, onnx.load says how to get it (and export still works)', () => {
    const script = [
      "import { onnx, nn, torch } from './runtime/index.ts';",
      "const bytes = onnx.exportToBytes(new nn.Linear(3, 2), torch.zeros([2, 3]));",
      "try { await onnx.loadBytes(bytes); console.log('loaded?!'); } catch (e) { console.log(`exported ${bytes.length} bytes; ${e.message}`); }",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/support/hide_onnxruntime.mjs', '--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toMatch(/exported \d+ bytes; onnx.load: onnxruntime-node is not installed; it is an optional peer dependency: npm install onnxruntime-node/);
  });

  it('run with the wrong inputs names them', async () => {
    const s = await onnx.loadBytes(onnx.exportToBytes(new MnistMlp(), [input([784], 2, 1)]));
    await expect(s.run()).rejects.toThrow(/takes 1 input\(s\) \(input\), got 0/);
    await expect(s.run({ images: input([784], 2, 1) })).rejects.toThrow(/input 'input' is missing/);
    await s.release();
  });
});
