/**
 * `migrate --fit helper` for model.fit with several inputs and outputs and with classWeight (training_compile.ts,
 * fit_helper.ts): one loss per output in the model's order, classWeight given the per-sample loss; what utils.fit
 * cannot take (the loop, a loss by output name, classWeight over a custom loss) stays a TODO naming why; the
 * output names passed for tfjs's log keys (layer_names.ts; checked against tfjs's own in layer_names.test.ts). The numbers of these migrations are checked against tfjs in test/difftest/program_fit_outputs.test.ts.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});

const TWO_OUT = `import * as tf from '@tensorflow/tfjs';
const a = tf.input({ shape: [3] });
const b = tf.input({ shape: [2] });
const h = tf.layers.concatenate().apply([tf.layers.dense({ units: 4 }).apply(a) as tf.SymbolicTensor, tf.layers.dense({ units: 4 }).apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor;
const c = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
const d = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(h) as tf.SymbolicTensor;
const model = tf.model({ inputs: [a, b], outputs: [c, d] });
const x1 = tf.zeros([8, 3]);
const x2 = tf.zeros([8, 2]);
const y1 = tf.zeros([8, 2]);
const y2 = tf.zeros([8, 3]);
`;
const CLASSIFIER = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' }));
const xs = tf.zeros([8, 4]);
const ys = tf.zeros([8, 3]);
`;
const migrate = (src: string, fit: 'helper' | 'loop' = 'helper') => transpileSource('/p/main.ts', src, { layout: 'nchw', api, fit });
const errors = (r: ReturnType<typeof migrate>) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('several inputs and outputs', () => {
  test("--fit helper: one loss per output, the inputs and targets as arrays, tfjs's output names for the log keys", () => {
    const r = migrate(`${TWO_OUT}model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
await model.fit([x1, x2], [y1, y2], { epochs: 1, batchSize: 4 });
`);
    expect(errors(r)).toEqual([]);
    expect(r.output).toContain('const lossFn = [(yPred: torch.Tensor, yTrue: torch.Tensor) => F.mseLoss(yPred, yTrue), (yPred: torch.Tensor, yTrue: torch.Tensor) => torch.neg(');
    // The output layers are the 3rd and 4th unnamed Dense of the file: tfjs names them dense_Dense3, dense_Dense4.
    expect(r.output).toContain("await utils.fit(model, [x1, x2], [y1, y2], { loss: lossFn, optimizer: modelOptimizer, outputNames: ['dense_Dense3', 'dense_Dense4'], epochs: 1, batchSize: 4 });");
    expect(r.diagnostics.find((d) => d.id === 'fit-output-losses')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/passes outputNames/) });
    expect(r.diagnostics.some((d) => d.id === 'fit-output-names')).toBe(false);
  });

  test("--fit loop: the written loop's several form, each output's loss under tfjs's keys", () => {
    const r = migrate(`${TWO_OUT}model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
await model.fit([x1, x2], [y1, y2], { epochs: 1, batchSize: 4 });
model.evaluate([x1, x2], [y1, y2]);
`, 'loop');
    expect(errors(r)).toEqual([]);
    expect(r.output).toContain('const loader = new data.DataLoader(new data.TensorDataset(...fitXs, ...fitYs), { batchSize: 4, shuffle: true });');
    expect(r.output).toContain('const outputLosses = [lossFn[0](preds[0], batchYs[0]), lossFn[1](preds[1], batchYs[1])];');
    expect(r.output).toContain('// epoch summary (tfjs logs): { loss: lossSum / seen, dense_Dense3_loss: outputLossSums[0] / seen, dense_Dense4_loss: outputLossSums[1] / seen }');
    // evaluate of several outputs: utils.evaluate (tfjs's list), even in the loop form.
    expect(r.output).toContain('utils.evaluate(model, [x1, x2], [y1, y2], { loss: lossFn });');
  });

  test("a compile in the function that builds the model, the fit elsewhere: the record carries the losses and tfjs's output names", () => {
    const r = migrate(`import * as tf from '@tensorflow/tfjs';
export function build(): tf.LayersModel {
  const a = tf.input({ shape: [3] });
  const b = tf.input({ shape: [2] });
  const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
  const reg = tf.layers.dense({ units: 2, name: 'reg' }).apply(merged) as tf.SymbolicTensor;
  const cls = tf.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(merged) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [a, b], outputs: [reg, cls] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
  return model;
}
export async function train(m: tf.LayersModel, x1: tf.Tensor, x2: tf.Tensor, y1: tf.Tensor, y2: tf.Tensor) {
  return m.fit([x1, x2], [y1, y2], { epochs: 1 });
}
`);
    expect(errors(r)).toEqual([]);
    expect(r.output).toContain("utils.compile(model, { optimizer: modelOptimizer, loss: lossFn, outputNames: ['reg', 'cls'] });");
    expect(r.output).toContain('return utils.fit(m, [x1, x2], [y1, y2], { epochs: 1 });');
  });

  test('lossWeights, which tfjs-layers ignores: the losses stay unweighted and a warning says why', () => {
    const r = migrate(`${TWO_OUT}model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'], lossWeights: [1, 0.5] });
await model.fit([x1, x2], [y1, y2]);
`);
    expect(r.diagnostics.find((d) => d.id === 'loss-weights-ignored')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/ignored by tfjs-layers/) });
    expect(r.output).not.toMatch(/0\.5/);
    expect(r.output).toContain('utils.fit(model, [x1, x2], [y1, y2], { loss: lossFn,');
  });

  test("metrics with several outputs (--fit helper): tfjs's collectMetrics, each output's accuracy picked as tfjs picks it", () => {
    const every = migrate(`${TWO_OUT}model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: ['accuracy', 'mse'] });
await model.fit([x1, x2], [y1, y2]);
model.evaluate([x1, x2], [y1, y2]);
`);
    expect(errors(every)).toEqual([]);
    // One unit: binary; else categorical (mse and cce alike: tfjs reads the output's shape, then the loss).
    expect(every.output).toContain('const accFn = (yPred: torch.Tensor, yTrue: torch.Tensor) => yPred.shape[yPred.ndim - 1] === 1 ? torch.eq(yTrue.float(), torch.gt(yPred, 0.5).float()).float().mean() : torch.eq(torch.argmax(yTrue, -1), torch.argmax(yPred, -1)).float().mean();');
    expect(every.output).toContain("metrics: [{ acc: accFn, mse: mseFn }, { acc: accFn, mse: mseFn }], outputNames: ['dense_Dense3', 'dense_Dense4']");
    expect(every.output).toContain('utils.evaluate(model, [x1, x2], [y1, y2], { loss: lossFn, metrics: [{ acc: accFn, mse: mseFn }, { acc: accFn, mse: mseFn }] });');
    const one = migrate(`${TWO_OUT}model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'], metrics: { dense_Dense4: ['accuracy'] } });
await model.fit([x1, x2], [y1, y2]);
`);
    expect(errors(one)).toEqual([]);
    expect(one.output).toContain('torch.eq(yTrue.reshape(-1).float(), torch.argmax(yPred, -1).float()).float().mean()');
    expect(one.output).toContain('metrics: [null, { acc: accFn }]');
  });

  test("one output under mse with 'accuracy': binary only for one unit, categorical otherwise (tfjs reads the output's shape)", () => {
    const r = migrate(`${CLASSIFIER}model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['accuracy'] });
await model.fit(xs, ys);
`);
    expect(errors(r)).toEqual([]);
    expect(r.output).toContain('const accFn = (yPred: torch.Tensor, yTrue: torch.Tensor) => yPred.shape[yPred.ndim - 1] === 1 ? torch.eq(yTrue.float(), torch.gt(yPred, 0.5).float()).float().mean() : torch.eq(torch.argmax(yTrue, -1), torch.argmax(yPred, -1)).float().mean();');
  });

  test.each([
    ['the loop, lists in names on a model received from elsewhere', `export async function train(m: tf.LayersModel, xs: tf.Tensor[], ys: tf.Tensor[]) {\n  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });\n  await m.fit(xs, ys);\n}\n`, 'loop', /x or y holds a list of tensors \(several inputs\/outputs\): give them as array literals/],
    ['the loop, a compile with 3 losses for 2 outputs', `model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'meanSquaredError', 'meanSquaredError'] });\nawait model.fit([x1, x2], [y1, y2]);\n`, 'loop', /the compile gives 3 losses for 2 output\(s\)|y has 2 tensor\(s\) but the model has/],
    ['losses by output name', `model.compile({ optimizer: tf.train.sgd(0.1), loss: { a: 'meanSquaredError', b: 'categoricalCrossentropy' } });\nawait model.fit([x1, x2], [y1, y2]);\n`, 'helper', /several losses by output name are not supported \(give them as an array/],
    ['metrics by an output name the model lacks', `model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: { nope: 'mse' } });\nawait model.fit([x1, x2], [y1, y2]);\n`, 'helper', /metrics by output name: 'nope' is not an output of the model \(dense_Dense3, dense_Dense4\)/],
  ] as const)('%s: a TODO naming why', (_name, body, fit, why) => {
    expect(errors(migrate(TWO_OUT + body, fit)).join('\n')).toMatch(why);
  });
});

describe('several outputs beyond fit', () => {
  test("evaluate, trainOnBatch and fitDataset become the runtime's helpers with the arrays and tfjs's names", () => {
    const r = migrate(`${TWO_OUT}model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
const ev = model.evaluate([x1, x2], [y1, y2], { batchSize: 4 });
const tb = await model.trainOnBatch([x1, x2], [y1, y2]);
const ds = tf.data.zip({ xs: tf.data.array([[0, 0, 0]]), ys: tf.data.array([[0, 0]]) }).batch(1);
await model.fitDataset(ds, { epochs: 1 });
`);
    expect(errors(r)).toEqual([]);
    expect(r.output).toContain('const ev = utils.evaluate(model, [x1, x2], [y1, y2], { loss: lossFn, batchSize: 4 });');
    expect(r.diagnostics.find((d) => d.id === 'evaluate-outputs')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/running totals/) });
    expect(r.output).toContain('const tb = await utils.trainOnBatch(model, [x1, x2], [y1, y2], { loss: lossFn, optimizer: modelOptimizer });');
    expect(r.output).toContain("await utils.fitDataset(model, ds, { loss: lossFn, optimizer: modelOptimizer, outputNames: ['dense_Dense3', 'dense_Dense4'], inputNames: ['input1', 'input2'], epochs: 1 });");
  });

  test('a file that imports a local module first: the layers tfjs names by counter are not known here, so no outputNames and a warning', () => {
    // ./setup.js runs before this file's layers and may make Dense layers of its own (the counter is process-wide).
    const r = migrate(`${TWO_OUT.replace("import * as tf from '@tensorflow/tfjs';", "import * as tf from '@tensorflow/tfjs';\nimport './setup.js';")}model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
await model.fit([x1, x2], [y1, y2]);
`);
    expect(r.output).toContain('await utils.fit(model, [x1, x2], [y1, y2], { loss: lossFn, optimizer: modelOptimizer });');
    expect(r.diagnostics.find((d) => d.id === 'fit-output-names')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/output<i>_loss/) });
  });

  test('named output layers: their names, whatever the counter', () => {
    const src = TWO_OUT.replace('units: 2 }', "units: 2, name: 'reg' }").replace("activation: 'softmax' }", "activation: 'softmax', name: 'cls' }");
    const r = migrate(`${src}import './setup.js';\nmodel.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
await model.fit([x1, x2], [y1, y2]);
`);
    expect(r.output).toContain("outputNames: ['reg', 'cls']");
    expect(r.diagnostics.some((d) => d.id === 'fit-output-names')).toBe(false);
  });
});

describe('classWeight', () => {
  test('--fit helper: utils.fit gets the per-sample loss and the classWeight as written', () => {
    const r = migrate(`${CLASSIFIER}model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
await model.fit(xs, ys, { epochs: 1, classWeight: { 0: 1, 1: 3, 2: 0.5 } });
`);
    expect(errors(r)).toEqual([]);
    // The per-sample loss: the batch loss without its final mean.
    expect(r.output).toContain('await utils.fit(model, xs, ys, { loss: (yPred: torch.Tensor, yTrue: torch.Tensor) => torch.neg(torch.mul(yTrue, torch.log(torch.clamp(torch.div(yPred, torch.sum(yPred, -1, true)), 1e-7, 1 - 1e-7))).sum(-1)), optimizer: modelOptimizer, epochs: 1, classWeight: { 0: 1, 1: 3, 2: 0.5 } });');
    expect(r.diagnostics.some((d) => d.id === 'fit-class-weight')).toBe(true);
  });

  test.each([
    ['the loop (--fit loop)', `model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });\nawait model.fit(xs, ys, { classWeight: { 0: 1 } });\n`, 'loop', /option 'classWeight' has no loop equivalent here/],
    ['a custom loss function', `model.compile({ optimizer: tf.train.sgd(0.1), loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.meanSquaredError(yt, yp) });\nawait model.fit(xs, ys, { classWeight: { 0: 1 } });\n`, 'helper', /classWeight needs the loss per sample/],
  ] as const)('%s: a TODO naming why', (_name, body, fit, why) => {
    expect(errors(migrate(CLASSIFIER + body, fit)).join('\n')).toMatch(why);
  });
});
