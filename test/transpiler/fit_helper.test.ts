/**
 * `--fit helper`: fit/evaluate/predict sites become utils.fit/evaluate/predict calls with the compiled loss,
 * optimizer and metrics and the site's own options (layout and comments kept, verbose dropped); a local `utils`
 * falls back to the loop; unsupported options are TODOs as in the loop; the CLI passes the option through.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';
import { runMigrate } from '../../cli/migrate/run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const HEAD = `import * as tf from '@tensorflow/tfjs';
const x = tf.randomNormal([8, 3]);
const y = tf.randomNormal([8, 1]);
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
`;
let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});
const migrate = (body: string, fit: 'loop' | 'helper' = 'helper', head = HEAD) =>
  transpileSource('/project/src/main.ts', head + body, { layout: 'nchw', api, fit });

describe('--fit helper', () => {
  it.each([
    {
      name: 'one-line options: compiled first, verbose dropped, comments kept',
      body: 'await model.fit(x, y, { batchSize: 4, verbose: 0, epochs: 2 /* two */ });\n',
      has: ['await utils.fit(model, x, y, { loss: lossFn, optimizer: modelOptimizer, batchSize: 4, epochs: 2 /* two */ });'],
    },
    {
      name: 'no options, not awaited (a Promise, as in tfjs)',
      body: 'const p = model.fit(x, y);\n',
      has: ['const p = utils.fit(model, x, y, { loss: lossFn, optimizer: modelOptimizer });'],
    },
    {
      name: 'multi-line options keep their layout; verbose on its own line goes',
      body: 'async function go() {\n  const h = await model.fit(x, y, {\n    epochs: 3,\n    verbose: 1,\n    shuffle: false,\n  });\n  return h.history.loss;\n}\n',
      has: ['  const h = await utils.fit(model, x, y, {\n    loss: lossFn,\n    optimizer: modelOptimizer,\n    epochs: 3,\n    shuffle: false,\n  });'],
    },
    {
      name: 'evaluate and predict with batchSize',
      body: 'const e = model.evaluate(x, y, { batchSize: 4 });\nconst p = model.predict(x, { batchSize: 2 });\n',
      has: ['const e = utils.evaluate(model, x, y, { loss: lossFn, batchSize: 4 });', 'const p = utils.predict(model, x, { batchSize: 2 });'],
    },
  ])('$name', ({ body, has }) => {
    const r = migrate(body);
    expect(r.status).toBe('migrated');
    for (const h of has) expect(r.output).toContain(h);
    expect(r.output).toContain("import { torch, nn, F, optim, utils } from 'torchbridge';");
    expect(r.output).not.toContain('for (let epoch');
    expect(r.diagnostics.some((d) => d.id === 'fit-helper')).toBe(true);
    expect(r.diagnostics.some((d) => d.id === 'compile-fit-loop')).toBe(false);
  });

  it('unsupported options stay TODOs, as in the loop form', () => {
    // (classWeight is one utils.fit takes: test/transpiler/fit_outputs_migrate.test.ts.)
    const r = migrate('await model.fit(x, y, { sampleWeight: [1] });\n');
    expect(r.output).toContain("// torchbridge: TODO(fit-options-unsupported) model.fit: option 'sampleWeight' has no loop equivalent here");
    expect(r.output).not.toContain('utils.fit');
  });

  it('a local `utils` would shadow the runtime namespace: the loop form is written', () => {
    const r = migrate('const utils = 1;\nawait model.fit(x, y, { epochs: 1 });\n');
    expect(r.output).toContain('for (let epoch = 0; epoch < 1; epoch++) {');
    expect(r.output).not.toContain('utils.fit');
    expect(r.diagnostics.some((d) => d.id === 'compile-fit-loop')).toBe(true);
  });

  it('the default (loop) is unchanged', () => {
    const body = 'await model.fit(x, y, { epochs: 1 });\nmodel.predict(x);\n';
    const r = transpileSource('/project/src/main.ts', HEAD + body, { layout: 'nchw', api });
    expect(r.output).toBe(migrate(body, 'loop').output);
    expect(r.output).toContain('torch.noGrad(() => model.eval().forward(x))');
    // The model's init loop, inserted before the compile line, is not part of the receiver's text.
    expect(r.output).toContain('const modelOptimizer = new optim.SGD(model.parameters(), { lr: 0.01 });');
    expect(r.output!.match(/for \(const m of model\.modules\(\)\)/g)).toHaveLength(1);
    expect(r.diagnostics.some((d) => d.id === 'fit-helper')).toBe(false);
  });
});

describe('callbacks, fitDataset, evaluateDataset, trainOnBatch (runtime helpers in either --fit mode)', () => {
  it.each(['loop', 'helper'] as const)('--fit %s: callback lists and instances go to utils.fit', (fit) => {
    const r = migrate([
      "const stop = tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2 });",
      'await model.fit(x, y, { epochs: 5, validationSplit: 0.25, callbacks: [stop, { onEpochEnd: () => {} }] });',
      'await model.fit(x, y, { epochs: 5, callbacks: new tf.EarlyStopping() });',
      'const cbs = { onEpochEnd: () => {} };',
      'await model.fit(x, y, { epochs: 1, callbacks: cbs });',
      '',
    ].join('\n'), fit);
    expect(r.status).toBe('migrated');
    expect(r.output).toContain("const stop = utils.earlyStopping({ monitor: 'val_loss', patience: 2 });");
    expect(r.output).toContain('await utils.fit(model, x, y, { loss: lossFn, optimizer: modelOptimizer, epochs: 5, validationSplit: 0.25, callbacks: [stop, { onEpochEnd: () => {} }] });');
    expect(r.output).toContain('await utils.fit(model, x, y, { loss: lossFn, optimizer: modelOptimizer, epochs: 5, callbacks: new utils.EarlyStopping() });');
    expect(r.output).toContain('await utils.fit(model, x, y, { loss: lossFn, optimizer: modelOptimizer, epochs: 1, callbacks: cbs });');
    expect(r.output).not.toContain('tf.');
  });

  it('an inline hooks object still becomes the loop under --fit loop', () => {
    const r = migrate('await model.fit(x, y, { epochs: 1, callbacks: { onEpochEnd: (e) => console.log(e) } });\n', 'loop');
    expect(r.output).toContain('for (let epoch = 0; epoch < 1; epoch++) {');
    expect(r.output).not.toContain('utils.fit');
  });

  it('fitDataset / evaluateDataset / trainOnBatch become utils calls with the compiled loss and optimizer', () => {
    const r = migrate([
      'const ds = tf.data.zip({ xs: tf.data.array([[1, 2, 3]]), ys: tf.data.array([[1]]) }).batch(1);',
      'const h = await model.fitDataset(ds, {',
      '  epochs: 2,',
      '  batchesPerEpoch: 1,',
      '  validationData: ds,',
      '});',
      'const e = await model.evaluateDataset(ds as tf.data.Dataset<{}>, { batches: 1 });',
      'const l = await model.trainOnBatch(x, y);',
      '',
    ].join('\n'), 'loop');
    expect(r.status).toBe('migrated');
    expect(r.output).toContain('const h = await utils.fitDataset(model, ds, {\n  loss: lossFn,\n  optimizer: modelOptimizer,\n  epochs: 2,\n  batchesPerEpoch: 1,\n  validationData: ds,\n});');
    expect(r.output).toContain('const e = await utils.evaluateDataset(model, ds as data.IterableDataset, { loss: lossFn, batches: 1 });');
    expect(r.output).toContain('const l = await utils.trainOnBatch(model, x, y, { loss: lossFn, optimizer: modelOptimizer });');
    for (const id of ['fit-dataset', 'train-on-batch']) expect(r.diagnostics.some((d) => d.id === id), id).toBe(true);
  });

  it('fitDataset with classWeight: the per-sample loss, the class weights passed on; a loss function of its own is a TODO', () => {
    const r = migrate('const ds = tf.data.array([{ xs: [1, 2, 3], ys: [1] }]).batch(1);\nawait model.fitDataset(ds, { epochs: 1, classWeight: { 0: 1, 1: 2 } });\n', 'loop');
    expect(r.output).toContain('await utils.fitDataset(model, ds, { loss: (yPred: torch.Tensor, yTrue: torch.Tensor) => torch.sub(yPred, yTrue).square().mean(-1), optimizer: modelOptimizer, epochs: 1, classWeight: { 0: 1, 1: 2 } });');
    expect(r.diagnostics.some((d) => d.id === 'fit-class-weight')).toBe(true);
    const custom = migrate('const ds = tf.data.array([{ xs: [1, 2, 3], ys: [1] }]).batch(1);\nawait model.fitDataset(ds, { epochs: 1, classWeight: { 0: 1 } });\n', 'loop', HEAD.replace("loss: 'meanSquaredError'", 'loss: (a: tf.Tensor, b: tf.Tensor) => tf.losses.meanSquaredError(a, b)'));
    expect(custom.output).toContain("// torchbridge: TODO(fit-options-unsupported) model.fitDataset: classWeight needs the loss per sample: compile with a loss name (e.g. 'categoricalCrossentropy') beside the fitDataset");
  });

  it.each([
    ['fitDataset without a config', 'await model.fitDataset(ds);', 'fit-options-unsupported', 'model.fitDataset: the config ({ epochs, ... }) is required, as in tfjs'],
    ['fitDataset with a config variable', 'const cfg = { epochs: 1 };\nawait model.fitDataset(ds, cfg);', 'fit-options-unsupported', 'model.fitDataset: the options are not an object literal'],
    ['trainOnBatch with several inputs', 'await model.trainOnBatch([x, x], y);', 'train-on-batch', 'model.trainOnBatch: 2 input tensors are given, but the model has 1 input(s)'],
    ["a file's own utils", 'const utils = 1;\nawait model.trainOnBatch(x, y);', 'train-on-batch', "model.trainOnBatch: this file's own 'utils' hides the runtime's utils.trainOnBatch"],
  ])('%s is a TODO naming why', (_name, body, id, why) => {
    const r = migrate(`const ds = tf.data.array([{ xs: [1, 2, 3], ys: [1] }]).batch(1);\n${body}\n`, 'loop');
    expect(r.output).toContain(`// torchbridge: TODO(${id}) ${why}`);
  });
});

describe('migrate --fit helper (CLI)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'tb-fit-helper-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('passes the option to the transpiler, in this thread and in worker threads', async () => {
    for (const jobs of [1, 2]) {
      const src = join(tmp, `src${jobs}`);
      const out = join(tmp, `out${jobs}`);
      const files = ['a.ts', 'b.ts'];
      mkdirSync(src);
      for (const f of files) writeFileSync(join(src, f), `${HEAD}await model.fit(x, y, { epochs: 1 });\n`);
      const code = await runMigrate({
        paths: [src], outDir: out, inPlace: false, force: false, dryRun: false, keepLayout: false, typeChecker: true, maxSize: 5_000_000,
        verbose: false, quiet: true, jobs, fit: 'helper',
      });
      expect(code).toBe(0);
      for (const f of files) expect(readFileSync(join(out, f), 'utf8')).toContain('await utils.fit(model, x, y, { loss: lossFn, optimizer: modelOptimizer, epochs: 1 });');
    }
  }, 60_000);

  it('offers loop and helper for --fit and refuses anything else (usage error)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'cli', 'bin.mjs'), 'migrate', join(tmp, 'none.ts'), '--fit', 'magic'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Choices: "loop", "helper"/);
  }, 60_000);
});
