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
import * as torch from '../runtime/torch.js';
import { F, io, nn, onnx } from '../runtime/index.js';
import { maxAbsDiff, randomInput } from './support/tfjs_models.js';
import { predictTf, trainedCnn, trainedMlp, type TrainedModel } from './support/tfjs_trained.js';
import { onnxProto } from '../runtime/onnx/graph.js';

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
    class Net extends nn.Module {
      body = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.AvgPool2d(2));
      forward(x: torch.Tensor) { return this.body.forward(x); }
    }
    expect(() => onnx.export(new Net(), [input([1, 6, 6], 2, 1)], null)).toThrow(/op 'Unfold' in module 'body\.1': has no ONNX mapping/);
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

  it('run with the wrong inputs names them', async () => {
    const s = await onnx.loadBytes(onnx.exportToBytes(new MnistMlp(), [input([784], 2, 1)]));
    await expect(s.run()).rejects.toThrow(/takes 1 input\(s\) \(input\), got 0/);
    await expect(s.run({ images: input([784], 2, 1) })).rejects.toThrow(/input 'input' is missing/);
    await s.release();
  });
});
