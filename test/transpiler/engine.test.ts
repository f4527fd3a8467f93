/**
 * The engine's finding and rewriting rules as a table of small programs (input → expected fragments), in the
 * style of typescript-eslint's valid/invalid tables, plus the table rows' own worked examples.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { transpileSource } from '../../transpiler/index.js';
import { TABLE } from '../../mappings/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';
import type { TranspileOptions, ReexportInfo } from '../../transpiler/types.js';

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});

function migrate(text: string, file = '/project/src/main.ts', extra: Partial<TranspileOptions> = {}) {
  return transpileSource(file, text, { layout: 'nchw', api, ...extra });
}

interface Case {
  name: string;
  input: string;
  file?: string;
  /** Fragments the output must contain. */
  has?: string[];
  /** Fragments it must not contain. */
  not?: string[];
  todo?: string[];
  reexports?: Record<string, ReexportInfo>;
}

const cases: Case[] = [
  {
    name: 'plain JS: an untyped parameter every call passes a tensor to is a tensor',
    file: '/project/src/main.js',
    input: "import * as tf from '@tensorflow/tfjs';\nconst w = tf.variable(tf.ones([3, 1]));\nfunction predict(x) { return x.matMul(w); }\nconst y = predict(tf.ones([2, 3]));\nconst z = predict(w.transpose());\n",
    has: ['function predict(x) { return torch.matmul(x, w); }'],
  },
  {
    name: 'plain JS: a parameter some call passes a non-tensor to is left as written',
    file: '/project/src/main.js',
    input: "import * as tf from '@tensorflow/tfjs';\nconst w = tf.variable(tf.ones([3, 1]));\nfunction apply(x) { return x.matMul(w); }\nconst y = apply(tf.ones([2, 3]));\nconst z = apply({ matMul: (m) => m });\n",
    has: ['function apply(x) { return x.matMul(w); }'],
  },
  {
    name: 'plain JS: an exported function\'s parameter is not followed (its callers are elsewhere)',
    file: '/project/src/main.js',
    input: "import * as tf from '@tensorflow/tfjs';\nconst w = tf.variable(tf.ones([3, 1]));\nexport function apply(x) { return x.matMul(w); }\nconst y = apply(tf.ones([2, 3]));\n",
    has: ['export function apply(x) { return x.matMul(w); }'],
  },
  {
    name: 'namespace import',
    input: "import * as tf from '@tensorflow/tfjs';\nconst x = tf.zeros([2]);\n",
    has: ["import { torch } from 'torchbridge';", 'const x = torch.zeros([2]);'], not: ['@tensorflow'],
  },
  {
    name: 'default import',
    input: "import tf from '@tensorflow/tfjs';\nconst x = tf.ones([2]).sum();\n",
    has: ['torch.ones([2]).sum()'],
  },
  {
    name: 'named and renamed imports',
    input: "import { tensor1d as t1, relu } from '@tensorflow/tfjs';\nconst y = relu(t1([1, -1]));\n",
    has: ["torch.relu(torch.tensor([1, -1], { dtype: 'float32' }))"],
  },
  {
    name: 'tfjs-core, tfjs-layers and tfjs-node-gpu',
    input: "import * as core from '@tensorflow/tfjs-core';\nimport { layers } from '@tensorflow/tfjs-layers';\nimport * as gpu from '@tensorflow/tfjs-node-gpu';\nconst a = core.square(gpu.scalar(2));\n",
    has: ["torch.square(torch.tensor(2, { dtype: 'float32' }))"], not: ['@tensorflow'],
  },
  {
    name: 'side-effect imports are removed',
    input: "import '@tensorflow/tfjs-backend-wasm';\nimport '@tensorflow/tfjs-node';\nimport * as tf from '@tensorflow/tfjs';\nconst t = tf.eye(2);\n",
    has: ['torch.eye(2)'], not: ['tfjs-backend-wasm', 'tfjs-node'],
  },
  {
    name: 'CommonJS require, whole and destructured',
    file: '/project/a.cjs',
    input: "const tf = require('@tensorflow/tfjs');\nconst { tensor2d } = require('@tensorflow/tfjs');\nconst x = tensor2d([[1]]).add(tf.scalar(1));\n",
    has: ["const { torch } = require('torchbridge');", "torch.tensor([[1]], { dtype: 'float32' }).add(torch.tensor(1, { dtype: 'float32' }))"], not: ['require(\'@tensorflow'],
  },
  {
    name: 'import = require',
    input: "import tf = require('@tensorflow/tfjs');\nconst y = tf.abs(tf.scalar(-1));\n",
    has: ["torch.abs(torch.tensor(-1, { dtype: 'float32' }))"],
  },
  {
    name: 'aliases of namespaces and functions',
    input: "import * as tf from '@tensorflow/tfjs';\nconst T = tf;\nconst { relu } = tf;\nconst sq = tf.square;\nconst y = relu(sq(T.scalar(3)));\n",
    has: ["torch.relu(torch.square(torch.tensor(3, { dtype: 'float32' })))"], not: ['const T =', 'const sq =', '{ relu }'],
  },
  {
    name: 'a local variable named like the binding is not TensorFlow',
    input: "import * as tf from '@tensorflow/tfjs';\nfunction g(tf: { zeros(n: number[]): number }) { return tf.zeros([1]); }\nconst z = tf.zeros([1]);\n",
    has: ['return tf.zeros([1]);', 'const z = torch.zeros([1]);'],
  },
  {
    name: 'methods found through declared types',
    input: "import * as tf from '@tensorflow/tfjs';\nfunction norm(x: tf.Tensor2D): tf.Tensor { return x.square().sum().sqrt(); }\n",
    has: ['function norm(x: torch.Tensor): torch.Tensor { return x.square().sum().sqrt(); }'],
  },
  {
    name: 'methods found by the type checker (a destructured array element)',
    input: "import * as tf from '@tensorflow/tfjs';\nconst pair = [tf.zeros([2]), tf.ones([2])];\nconst [first] = pair;\nconst n = first.argMax();\n",
    has: ['first.argmax(0)'],
  },
  {
    name: 'plain JavaScript: data flow from tf calls',
    file: '/project/a.js',
    input: "import * as tf from '@tensorflow/tfjs';\nconst a = tf.tensor([1, 2]);\nconst b = a.expandDims();\nconsole.log(b.arraySync());\n",
    has: ['const b = a.unsqueeze(0);', 'b.toArray()'],
  },
  {
    name: 'types in annotations and instanceof',
    input: "import * as tf from '@tensorflow/tfjs';\nconst t: tf.Tensor<tf.Rank.R2> = tf.zeros([1, 1]);\nconst isT = t instanceof tf.Tensor;\n",
    has: ['const t: torch.Tensor = torch.zeros([1, 1]);', 'instanceof torch.Tensor'],
  },
  {
    name: 'a function passed as a value becomes an arrow function',
    input: "import * as tf from '@tensorflow/tfjs';\nconst xs = [tf.scalar(1)].map(tf.square);\n",
    has: ['.map((x) => torch.square(x))'],
  },
  {
    name: 'nested rewrites compose',
    input: "import * as tf from '@tensorflow/tfjs';\nconst y = tf.add(tf.mul(tf.scalar(2), tf.scalar(3)), tf.scalar(1));\n",
    has: ["torch.add(torch.mul(torch.tensor(2, { dtype: 'float32' }), torch.tensor(3, { dtype: 'float32' })), torch.tensor(1, { dtype: 'float32' }))"],
  },
  {
    name: 'unmapped API: TODO marker, tf import kept',
    input: "import * as tf from '@tensorflow/tfjs';\nconst x = tf.zeros([2]);\nconst s = tf.signal.hannWindow(4);\n",
    has: ['// torchbridge: TODO(unmapped) tf.signal.hannWindow is not in the mapping table', "import * as tf from '@tensorflow/tfjs';", "import { torch } from 'torchbridge';"],
    todo: ['tf.signal.hannWindow'],
  },
  {
    name: 'manual row: TODO with the row\'s reason',
    input: "import * as tf from '@tensorflow/tfjs';\nconst m = await tf.loadGraphModel('file://model.json');\n",
    has: ["// torchbridge: TODO(load-graph-model) tf.loadGraphModel: a graph model is a frozen TensorFlow graph with no layers to rebuild as a module: convert it with tf2onnx (python -m tf2onnx.convert --tfjs model.json --output model.onnx) and run it with await onnx.load('model.onnx')"], todo: ['tf.loadGraphModel'],
  },
  {
    name: 'a model from tf.loadLayersModel is a module: predict runs its forward',
    input: "import * as tf from '@tensorflow/tfjs';\nconst m = await tf.loadLayersModel('file://model/model.json');\nconst y = m.predict(tf.zeros([1, 4]));\n",
    has: ["const m = await io.loadLayersModel('file://model/model.json');", 'const y = torch.noGrad(() => m.eval().forward(torch.zeros([1, 4])));'],
  },
  {
    name: 'an unmapped Tensor method is a TODO',
    input: "import * as tf from '@tensorflow/tfjs';\nconst x = tf.zeros([4]);\nconst f = x.fft();\n",
    todo: ['Tensor.fft'],
  },
  {
    name: 'optimizer without known parameters is a TODO',
    input: "import * as tf from '@tensorflow/tfjs';\nexport const opt = tf.train.adam(0.01);\n",
    todo: ['tf.train.adam'], has: ['TODO(optimizer-params-unknown)'],
  },
  {
    name: 'a re-exporting module: importers are recognised',
    input: "import { tf, zeros } from './deps';\nconst a = tf.ones([1]).add(zeros([1]));\n",
    reexports: { '/project/src/deps': { star: true, namespaces: ['tf'], named: {} } },
    has: ["import { torch } from 'torchbridge';", 'torch.ones([1]).add(torch.zeros([1]))'], not: ["'./deps'"],
  },
  {
    name: 'the re-exporting module itself',
    input: "export * from '@tensorflow/tfjs';\nexport * as tf from '@tensorflow/tfjs';\n",
    has: ["export * from 'torchbridge';", "export * as tf from 'torchbridge';"],
  },
  {
    name: 'tidy, keep, dispose, memory',
    input: "import * as tf from '@tensorflow/tfjs';\nconst y = tf.tidy(() => tf.keep(tf.ones([2])).mul(2));\ntf.dispose(y);\nconsole.log(tf.memory().numTensors);\n",
    has: ['torch.tidy(() => torch.keep(torch.ones([2])).mul(2))', 'torch.dispose(y)', 'torch.memory().numTensors'],
  },
  {
    name: 'data()/array() keep their async form unless awaited',
    input: "import * as tf from '@tensorflow/tfjs';\nconst t = tf.ones([2]);\nconst a = await t.array();\nconst p = t.array();\nconst d = await t.data();\n",
    has: ['const a = await t.toArray();', 'const p = Promise.resolve(t.toArray());', 'const d = await t.data();'],
  },
  {
    name: 'tf.grad becomes a function over autograd.grad',
    input: "import * as tf from '@tensorflow/tfjs';\nconst g = tf.grad((x: tf.Tensor) => x.square());\nconst dx = g(tf.tensor1d([3]));\n",
    has: ['torch.autograd.grad(y, input, { gradOutputs: dy ?? torch.onesLike(y) })[0]!'],
  },
  {
    name: 'optimizer.minimize in a statement',
    input: "import * as tf from '@tensorflow/tfjs';\nconst w = tf.variable(tf.scalar(1));\nconst opt = tf.train.sgd(0.1);\nopt.minimize(() => w.square().sum() as tf.Scalar);\n",
    has: ['const opt = new optim.SGD([w], { lr: 0.1 });', 'opt.zeroGrad();\ntorch.tidy(() => (w.square().sum() as torch.Tensor).backward());\nopt.step();'],
  },
  {
    name: 'a dense layer whose input size is not known statically → nn.LazyLinear, TensorFlow init when materialized',
    input: "import * as tf from '@tensorflow/tfjs';\nexport function make(inputShape: number[]) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: 4, inputShape, useBias: false }));\n  model.add(tf.layers.dense({ units: 2 }));\n  return model;\n}\n",
    has: ['model.append(new nn.LazyLinear(4, { bias: false }));', 'model.append(new nn.LazyLinear(2));', 'nn.whenMaterialized(model, (m) => {\n    if (m instanceof nn.Linear) {'],
    not: ['for (const m of model.modules())'],
  },
  {
    name: 'dense layers added in a loop: sized from the first call, the init after the loop',
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 8, inputShape: [3] }));\nfor (const u of [6, 4]) {\n  model.add(tf.layers.dense({ units: u, activation: 'tanh' }));\n}\nmodel.add(tf.layers.dense({ units: 1 }));\n",
    has: ['model.append(new nn.Linear(3, 8));', "for (const u of [6, 4]) {\n  model.append(new nn.LazyLinear(u)).append(new nn.Tanh());\n}\nmodel.append(new nn.LazyLinear(1));\n// TensorFlow.js's initialisers", 'nn.whenMaterialized(model, (m) => {'],
  },
  {
    name: 'a convolution added under a condition: appended in place as a tfjs-layout module (permutes around the Conv2d), sized from the shape before the condition',
    input: "import * as tf from '@tensorflow/tfjs';\ndeclare const deep: boolean;\nconst model = tf.sequential();\nmodel.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }));\nif (deep) model.add(tf.layers.conv2d({ filters: 2, kernelSize: 3 }));\nmodel.add(tf.layers.flatten());\n",
    has: ['const model = new nn.Sequential();', 'if (deep) model.append(new nn.Sequential(new nn.Lambda((x: torch.Tensor) => x.permute(0, 3, 1, 2)), new nn.Conv2d(2, 2, 3), new nn.Lambda((x: torch.Tensor) => x.permute(0, 2, 3, 1))));\nmodel.append(new nn.Flatten());\n// TensorFlow.js\'s initialisers'],
    not: ['TODO', '@tensorflow'],
  },
  {
    name: 'dense layers in a loop after a convolution: the convolution permutes back to NHWC itself, the loop\'s layers are lazy',
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }));\nmodel.add(tf.layers.flatten());\nfor (const u of [6, 4]) model.add(tf.layers.dense({ units: u }));\n",
    has: ['model.append(new nn.Sequential(new nn.Lambda((x: torch.Tensor) => x.permute(0, 3, 1, 2)), new nn.Conv2d(1, 2, 3), new nn.Lambda((x: torch.Tensor) => x.permute(0, 2, 3, 1))));\nmodel.append(new nn.Flatten());\nfor (const u of [6, 4]) model.append(new nn.LazyLinear(u));', 'nn.whenMaterialized(model, (m) => {'],
    not: ['TODO', '@tensorflow'],
  },
  {
    name: 'a layer applied eagerly to tensors → its module, forward, TensorFlow init after the declaration',
    input: "import * as tf from '@tensorflow/tfjs';\nexport function head(x: tf.Tensor): tf.Tensor {\n  const hidden = tf.layers.dense({ units: 8, activation: 'relu' });\n  return hidden.apply(x) as tf.Tensor;\n}\n",
    has: ["const hidden = new nn.Sequential(new nn.LazyLinear(8), new nn.ReLU());\n  // TensorFlow.js's initialisers", 'nn.whenMaterialized(hidden, (m) => {', 'return hidden.forward(x) as torch.Tensor;'],
    not: ['@tensorflow'],
  },
  {
    name: 'channels-first layers applied eagerly: NHWC permuted in and back at each call, lazy channels',
    input: "import * as tf from '@tensorflow/tfjs';\nconst conv = tf.layers.conv2d({ filters: 2, kernelSize: 3 });\nconst pool = tf.layers.maxPooling2d({ poolSize: 2 });\nconst y = pool.apply(conv.apply(tf.zeros([1, 8, 8, 1]))) as tf.Tensor;\n",
    has: ['const conv = new nn.LazyConv2d(2, 3);', 'nn.whenMaterialized(conv, (m) => {\n  if (m instanceof nn.Conv2d) {', 'const pool = new nn.MaxPool2d(2);',
      'const y = pool.forward((conv.forward((torch.zeros([1, 8, 8, 1])).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)).permute(0, 2, 3, 1) as torch.Tensor;'],
    not: ['@tensorflow'],
  },
  {
    name: 'tf.layers.inputLayer first in a sequential model: no module, the next layer sized from its inputShape',
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [4] }), tf.layers.dense({ units: 2 })] });\nconsole.log(model);\n",
    has: ['const model = new nn.Sequential(\n  new nn.Linear(4, 2),\n);'],
    not: ['@tensorflow', 'inputLayer', 'TODO'],
  },
  {
    name: 'model.add(tf.layers.inputLayer({ batchInputShape })) gives a conv its input: the add goes, the input is permuted once',
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.inputLayer({ batchInputShape: [null, 8, 8, 1] }));\nmodel.add(tf.layers.conv2d({ filters: 2, kernelSize: 3 }));\nconsole.log(model);\n",
    has: ['new nn.Conv2d(1, 2, 3)', 'x.permute(0, 3, 1, 2)'],
    not: ['@tensorflow', 'inputLayer', 'TODO'],
  },
  {
    name: 'a transposed convolution applied eagerly, its input channels known at run time: nn.LazyConvTranspose2d with the glorot init',
    input: "import * as tf from '@tensorflow/tfjs';\nconst up = tf.layers.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same' });\nconst y = up.apply(tf.zeros([1, 4, 4, 2])) as tf.Tensor;\n",
    has: ['const up = new nn.LazyConvTranspose2d(3, 4, { stride: 2, padding: 1 });', 'nn.whenMaterialized(up, (m) => {\n  if (m instanceof nn.ConvTranspose2d) {'],
    not: ['@tensorflow'],
  },
  {
    name: "an eager transposed convolution whose 'same' padding needs the cropping module, input channels known at run time: its lazy form",
    input: "import * as tf from '@tensorflow/tfjs';\nconst up = tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' });\nconst y = up.apply(tf.zeros([1, 4, 4, 2])) as tf.Tensor;\n",
    // The init inserted after it names nn: the import must carry it.
    has: ["import { torch, nn, compat } from 'torchbridge';", 'const up = new compat.layers.LazyConvTranspose2dSame(3, 3, { stride: 2 });', 'nn.whenMaterialized(up, (m) => {\n  if (m instanceof nn.ConvTranspose2d) {'],
    not: ['@tensorflow', 'TODO'],
  },
  {
    name: 'tf.slice with a size held in a variable (it could be -1): compat.slice, tfjs\'s rules at run time',
    input: "import * as tf from '@tensorflow/tfjs';\nexport function head(x: tf.Tensor, n: number, size: number[]) {\n  return [tf.slice(x, [0, 0], [n, 1]), x.slice([1], size)];\n}\n",
    has: ['return [compat.slice(x, [0, 0], [n, 1]), compat.slice(x, [1], size)];', "import { torch, compat } from 'torchbridge';"],
    not: ['TODO'],
  },
  {
    name: 'tf.matMul transpose flags and tf.pad paddings known only at run time: decided there, no TODO',
    input: "import * as tf from '@tensorflow/tfjs';\nexport function f(a: tf.Tensor, b: tf.Tensor, t: boolean, p: [number, number][], q: [number, number]) {\n  return [tf.matMul(a, b, t, false), tf.pad(a, p, 1), tf.pad1d(b as tf.Tensor1D, q)];\n}\n",
    has: ['torch.matmul((t ? a.mT : a), b)', 'compat.pad(a, p, 1)', 'compat.pad(b as torch.Tensor, [q])'],
    not: ['TODO'],
  },
  {
    name: 'tf.slice with literal sizes stays narrow',
    input: "import * as tf from '@tensorflow/tfjs';\nconst x = tf.ones([4, 3]);\nconst y = tf.slice(x, [1, 0], [2, -1]);\n",
    has: ['const y = x.narrow(0, 1, 2);'],
    not: ['compat.slice'],
  },
  {
    name: 'a layer used in a model and eagerly stays a TODO (one object cannot be both)',
    input: "import * as tf from '@tensorflow/tfjs';\nconst d = tf.layers.dense({ units: 2, inputShape: [3] });\nconsole.log(d.getWeights().length);\n",
    has: ["TODO(layer-standalone) tf.layers.dense: a layer outside tf.sequential/tf.model: 'd' is used other than as d.apply(tensor)"],
    todo: ['Layer.getWeights', 'tf.layers.dense'],
  },
  {
    name: "evaluate's own names do not shadow the user's (y named target)",
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });\nmodel.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });\nconst pred = tf.ones([4, 2]);\nconst target = tf.zeros([4, 1]);\nconsole.log(model.evaluate(pred, target));\n",
    has: ['const pred2 = model.forward(pred); const target2 = target; return lossFn(pred2, target2);'],
  },
  {
    name: 'const optimizer name holding a string, passed as { optimizer }',
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });\nconst optimizer = 'rmsprop';\nmodel.compile({ optimizer, loss: 'meanSquaredError' });\n",
    has: ['new optim.RMSprop(model.parameters(),'], not: ['optimizer: optimizer'],
  },
  {
    name: 'a tf.train optimizer passed as { optimizer } is sized from the compiled model',
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });\nconst optimizer = tf.train.adam(0.01);\nmodel.compile({ optimizer, loss: 'meanSquaredError' });\n",
    has: ['const optimizer = new optim.Adam(model.parameters(), { lr: 0.01, eps: 1e-7 });'],
  },
  {
    name: 'compile/fit on a model a local builder could not migrate: TODOs, not code for a module that does not exist',
    input: "import * as tf from '@tensorflow/tfjs';\nfunction build(): tf.Sequential {\n  const model = tf.sequential();\n  model.add(tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 2, kernelSize: 1 }), inputShape: [3, 4, 4, 1] }));\n  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });\n  return model;\n}\nconst m = build();\nawait m.fit(tf.ones([2, 3, 4, 4, 1]), tf.ones([2, 3, 4, 4, 2]));\n",
    has: ['TODO(compile-fit-loop) LayersModel.compile: the model was not migrated', 'TODO(compile-fit-loop) LayersModel.fit: the model comes from build(), where it was not migrated'],
    not: ['utils.compile', 'utils.fit'],
    todo: ['LayersModel.compile', 'LayersModel.fit', 'tf.layers.timeDistributed', 'tf.sequential'],
  },
  {
    name: 'timeDistributed(dense) as the first layer: sized from its own inputShape, the Linear on [N, T, F] as it is',
    input: "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'relu' }), inputShape: [3, 4] }));\n",
    has: ['model.append(new nn.Linear(4, 2)).append(new nn.ReLU());'],
    not: ['TODO', 'LazyLinear'],
  },
  {
    name: 'a syntax error: reported, file unchanged',
    input: "import * as tf from '@tensorflow/tfjs';\nconst x = tf.zeros([2];\n",
    has: ['tf.zeros([2];'],
  },
];

describe('engine cases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = migrate(c.input, c.file, c.reexports ? { reexports: new Map(Object.entries(c.reexports)) } : {});
    for (const h of c.has ?? []) expect(r.output, `missing: ${h}`).toContain(h);
    for (const n of c.not ?? []) expect(r.output, `unexpected: ${n}`).not.toContain(n);
    expect(r.uncovered).toEqual([...(c.todo ?? [])].sort());
    // Idempotent on every case.
    if (r.status !== 'failed') expect(migrate(r.output!, c.file, c.reexports ? { reexports: new Map(Object.entries(c.reexports)) } : {}).output).toBe(r.output);
  });

  it('reports a syntax error with its position and leaves the file as it was', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst x = tf.zeros([2];\n";
    const r = migrate(text);
    expect(r.status).toBe('failed');
    expect(r.output).toBe(text);
    expect(r.diagnostics[0]).toMatchObject({ line: 2, id: 'syntax-error', severity: 'error' });
  });

  it('leaves files without TensorFlow.js alone', () => {
    const text = 'const x = [1, 2].map((v) => v * 2);\n';
    expect(migrate(text)).toMatchObject({ status: 'unchanged', output: text, changed: false });
  });

  it('keeps comments and formatting outside rewritten code', () => {
    const text = "/** License header. */\nimport * as tf from '@tensorflow/tfjs';\n\n// Build it.\nconst   x   =   tf.zeros([2]);   // odd spacing stays\n\nfunction untouched( a ,b ){ return a+b }\n";
    const out = migrate(text).output!;
    expect(out).toContain('/** License header. */');
    expect(out).toContain('// Build it.\nconst   x   =   torch.zeros([2]);   // odd spacing stays');
    expect(out).toContain('function untouched( a ,b ){ return a+b }');
  });
});

describe('the table\'s worked examples migrate as documented', () => {
  const examples = TABLE.flatMap((row) => (row.examples ?? []).map((e) => [row.tf, e] as const));
  it.each(examples)('%s: %o', (_key, e) => {
    // The example is wrapped so that an optimizer has a model to take its parameters from.
    const src = `import * as tf from '@tensorflow/tfjs';\ndeclare const x: tf.Tensor, w: tf.Tensor, w0: tf.Tensor, logits: tf.Tensor, ys: tf.Tensor, preds: tf.Tensor;\nconst model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });\nconst r = ${e.tf};\nmodel.compile({ optimizer: r, loss: 'meanSquaredError' });\n`;
    const out = migrate(src).output!;
    expect(out).toContain(`const r = ${e.torch};`);
  });
});
