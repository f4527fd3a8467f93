// Functional (tf.model) graphs in the program-level diff: layers paired by the graph, branches, a shared layer,
// activations written as ops; planted bugs localised to the layer. Real child processes, tfjs wasm reference.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runMigrate } from '../../cli/migrate/run.js';
import { isChain, mapLayersByGraph, type GraphLeaf } from '../../difftest/program/graph_map.js';
import { graphIsolationPlan } from '../../difftest/program/isolation_plan.js';
import { LayerMapError } from '../../difftest/program/layer_map.js';
import { runDiff } from '../../difftest/program/run.js';
import type { ReferenceLayer } from '../../difftest/program/trace_meta.js';

const TWO_BRANCH = resolve('fixtures/functional-two-branch/input.ts');
const SHARED = resolve('test/difftest/fixtures/functional_shared.ts');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tb-graph-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The original migrated with --fit helper (what `diff` does on the fly), then `edit` applied exactly once. */
async function migratedWith(original: string, find: string, replace: string): Promise<string> {
  const dir = tmp();
  await runMigrate({ paths: [original], outDir: dir, inPlace: false, force: false, dryRun: false, report: join(dir, 'report.json'), keepLayout: false, fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true });
  const file = join(dir, basename(original));
  const src = readFileSync(file, 'utf8');
  expect(src.split(find)).toHaveLength(2);
  const out = join(dir, 'planted.ts');
  writeFileSync(out, src.replace(find, replace));
  return out;
}

const dense = (name: string, id: number, nIn: number, units: number, activation: string, inbound: string[][]): ReferenceLayer => ({
  name, id, className: 'Dense', activation, inputShape: [nIn], outputShape: [units], inbound,
  weights: [{ name: `${name}/kernel`, tensor: 'kernel', shape: [nIn, units], trainable: true }, { name: `${name}/bias`, tensor: 'bias', shape: [units], trainable: true }],
});
const leaf = (name: string, nIn: number, units: number, calls: GraphLeaf['calls']): GraphLeaf => ({ name, type: 'Linear', params: [{ name: 'weight', shape: [units, nIn] }, { name: 'bias', shape: [units] }], calls });
const call = (units: number) => ({ outputShape: [1, units], inputFrom: null });

describe('mapping by graph (units)', () => {
  // The two-branch fixture's model as tfjs describes it: topological order, so Dense2 (deep) before Dense1 (wide).
  const input: ReferenceLayer = { name: 'input1', id: 0, className: 'InputLayer', inputShape: [16], outputShape: [16], inbound: [[]], weights: [] };
  const layers: ReferenceLayer[] = [
    input,
    dense('dense_Dense2', 2, 16, 12, 'tanh', [['input1']]),
    dense('dense_Dense1', 1, 16, 8, 'relu', [['input1']]),
    dense('dense_Dense3', 3, 12, 6, 'relu', [['dense_Dense2']]),
    { name: 'concatenate_Concatenate1', id: 4, className: 'Concatenate', inputShape: [8], outputShape: [14], inbound: [['dense_Dense1', 'dense_Dense3']], weights: [] },
    dense('dense_Dense4', 5, 14, 3, 'softmax', [['concatenate_Concatenate1']]),
  ];
  const leaves = [leaf('dense1', 16, 8, [call(8)]), leaf('dense2', 16, 12, [call(12)]), leaf('dense3', 12, 6, [call(6)]), leaf('dense4', 14, 3, [call(3)])];

  test('a branched model is not a chain; a sequential one is', () => {
    expect(isChain(layers)).toBe(false);
    expect(isChain([dense('a', 0, 4, 4, 'relu', [[]]), dense('b', 1, 4, 2, 'linear', [['a']])])).toBe(true);
  });

  test('layers pair with the modules named after them; activations written as ops are read where the forward shows them', () => {
    const m = mapLayersByGraph(layers, { leaves, outputShape: [1, 3] }, ['dense_Dense4']);
    expect(m.map((x) => [x.layer, x.modules.join('+'), x.source])).toEqual([
      ['input1', '', { kind: 'none', why: 'the model input' }],
      // tanh of dense2 is dense3's input.
      ['dense_Dense2', 'dense2', { kind: 'input-of', module: 'dense3', call: 0, consumer: 'dense_Dense3' }],
      // relu of dense1 only goes into the concatenation: its first 8 features.
      ['dense_Dense1', 'dense1', { kind: 'slice-of', layer: 'concatenate_Concatenate1', start: 0, length: 8 }],
      ['dense_Dense3', 'dense3', { kind: 'slice-of', layer: 'concatenate_Concatenate1', start: 8, length: 6 }],
      ['concatenate_Concatenate1', '', { kind: 'input-of', module: 'dense4', call: 0, consumer: 'dense_Dense4' }],
      ['dense_Dense4', 'dense4', { kind: 'model-output' }],
    ]);
    expect(m.find((x) => x.layer === 'dense_Dense2')!.weights.map((w) => w.candidateName)).toEqual(['dense2.weight', 'dense2.bias']);
  });

  test('without the transpiler\'s names, modules pair in creation order by their weights\' sizes', () => {
    const anon = leaves.map((l, i) => ({ ...l, name: `m${i}` }));
    const m = mapLayersByGraph(layers, { leaves: anon, outputShape: [1, 3] }, ['dense_Dense4']);
    expect(m.filter((x) => x.modules.length).map((x) => [x.layer, x.modules[0]])).toEqual([['dense_Dense2', 'm1'], ['dense_Dense1', 'm0'], ['dense_Dense3', 'm2'], ['dense_Dense4', 'm3']]);
  });

  test('a shared layer needs its module called once per application', () => {
    const shared = [input, dense('dense_Dense1', 1, 16, 16, 'tanh', [['input1'], ['dense_Dense1']])];
    expect(() => mapLayersByGraph(shared, { leaves: [leaf('dense1', 16, 16, [call(16)])], outputShape: [1, 16] }, ['dense_Dense1'])).toThrow(/tfjs layer dense_Dense1 is applied 2 time\(s\), but the module it pairs with, dense1 \(Linear\), is called 1 time\(s\)/);
    const m = mapLayersByGraph(shared, { leaves: [leaf('dense1', 16, 16, [call(16), call(16)])], outputShape: [1, 16] }, ['dense_Dense1']);
    // Its first application's output is what its second one is given.
    expect(m[1].source).toEqual({ kind: 'input-of', module: 'dense1', call: 1, consumer: 'dense_Dense1' });
  });

  test('--replay layer\'s feeds: each layer\'s module gets its inbound layer\'s output; the model input, a shared layer and a merge input are not fed', () => {
    const m = mapLayersByGraph(layers, { leaves, outputShape: [1, 3] }, ['dense_Dense4']);
    const plan = graphIsolationPlan(m, layers, () => 'Linear');
    expect(plan.feeds).toEqual([
      { module: 'dense3', from: 'dense_Dense2', layout: { kind: 'same' } },
      { module: 'dense4', from: 'concatenate_Concatenate1', layout: { kind: 'same' } },
    ]);
    expect(plan.notFed).toEqual([]);
    // A channels-first module is fed its inbound layer's NHWC output as NCHW.
    expect(graphIsolationPlan(m, layers.map((l) => (l.name === 'dense_Dense2' ? { ...l, outputShape: [4, 4, 12] } : l)), (n) => (n === 'dense3' ? 'Conv2d' : 'Linear')).feeds[0].layout).toEqual({ kind: 'nhwc-to-nchw' });
    const shared = [input, dense('dense_Dense1', 1, 16, 16, 'tanh', [['input1'], ['dense_Dense1']])];
    const sm = mapLayersByGraph(shared, { leaves: [leaf('dense1', 16, 16, [call(16), call(16)])], outputShape: [1, 16] }, ['dense_Dense1']);
    expect(graphIsolationPlan(sm, shared, () => 'Linear')).toEqual({ feeds: [], notFed: ['dense_Dense1 (applied 2 times: its module runs on its own inputs)'] });
  });

  test('a module no layer maps to is an error naming it', () => {
    expect(() => mapLayersByGraph(layers, { leaves: [...leaves, leaf('extra', 3, 3, [call(3)])], outputShape: [1, 3] }, ['dense_Dense4'])).toThrow(LayerMapError);
    expect(() => mapLayersByGraph(layers, { leaves: [...leaves, leaf('extra', 3, 3, [call(3)])], outputShape: [1, 3] }, ['dense_Dense4'])).toThrow(/modules no tfjs layer maps to: extra \(Linear\)/);
  });
});

describe('runDiff on functional graphs', () => {
  test('the two-branch fixture, migrated on the fly, agrees layer by layer', async () => {
    const r = await runDiff({ original: TWO_BRANCH, replay: 'step', reference: 'wasm', progress: false });
    expect(r.steps).toBe(15);
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
    const outputs = r.probes.filter((p) => p.kind === 'output');
    // Every layer but the input is compared at each recorded step, its output read by graph.
    expect(new Set(outputs.map((p) => p.layer))).toEqual(new Set(['dense_Dense1', 'dense_Dense2', 'dense_Dense3', 'concatenate_Concatenate1', 'dense_Dense4']));
    expect(outputs.every((p) => p.pass)).toBe(true);
    expect(r.nameMap).toContainEqual({ reference: 'dense_Dense2/kernel', candidate: 'dense2.weight' });
    expect(r.notes.join('\n')).toMatch(/layers mapped by the model's graph/);
  }, 120_000);

  test('planted: the deep branch\'s tanh written as sigmoid is pinned to dense_Dense2 at step 0', async () => {
    const migrated = await migratedWith(TWO_BRANCH, 'const deep1 = torch.tanh(', 'const deep1 = torch.sigmoid(');
    const r = await runDiff({ original: TWO_BRANCH, migrated, steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'output', layer: 'dense_Dense2' });
    // The other branch is untouched.
    expect(r.probes.filter((p) => p.layer === 'dense_Dense1' && p.kind === 'output').every((p) => p.pass)).toBe(true);
  }, 120_000);

  test('planted: the wide branch\'s relu written as sigmoid is pinned to dense_Dense1 (read from its part of the concatenation)', async () => {
    const migrated = await migratedWith(TWO_BRANCH, 'const wide = torch.relu(', 'const wide = torch.sigmoid(');
    const r = await runDiff({ original: TWO_BRANCH, migrated, steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'output', layer: 'dense_Dense1' });
    expect(r.probes.filter((p) => (p.layer === 'dense_Dense2' || p.layer === 'dense_Dense3') && p.kind === 'output').every((p) => p.pass)).toBe(true);
  }, 120_000);

  test('--replay layer: a correct migration agrees, every layer but the input compared isolated (fed the reference\'s input) at every step', async () => {
    const r = await runDiff({ original: TWO_BRANCH, steps: 3, replay: 'layer', reference: 'wasm', progress: false });
    expect(r.failures).toEqual([]);
    const isolated = r.probes.filter((p) => p.kind === 'output' && p.tensor === 'isolated');
    expect(isolated.map((p) => [p.step, p.layer])).toEqual([0, 1, 2].flatMap((step) => ['dense_Dense2', 'dense_Dense1', 'dense_Dense3', 'concatenate_Concatenate1', 'dense_Dense4'].map((l) => [step, l])));
    expect(isolated.every((p) => p.pass)).toBe(true);
    expect(r.notes.join('\n')).toMatch(/replay layer: each layer's module is fed the reference's output of the layer feeding it/);
    expect(r.notes.join('\n')).not.toMatch(/ran as --replay step/);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('--replay layer: the deep branch\'s second layer with sigmoid for relu is pinned to dense_Dense3\'s isolated output; fed the reference\'s concatenation, the head downstream holds', async () => {
    const migrated = await migratedWith(TWO_BRANCH, 'const deep2 = torch.relu(', 'const deep2 = torch.sigmoid(');
    const r = await runDiff({ original: TWO_BRANCH, migrated, steps: 2, replay: 'layer', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'output', layer: 'dense_Dense3', tensor: 'isolated' });
    const at0 = (layer: string, tensor: string) => r.probes.find((p) => p.step === 0 && p.kind === 'output' && p.layer === layer && p.tensor === tensor)!;
    // The other branch and the layer before it in this one hold.
    expect(at0('dense_Dense1', 'isolated').pass).toBe(true);
    expect(at0('dense_Dense2', 'isolated').pass).toBe(true);
    // The concatenation holds the bad part; the head, fed the reference's concatenation, holds in isolation while
    // its output in the training forward (fed the bad concatenation) does not: the difference is not the head's.
    expect(at0('concatenate_Concatenate1', 'isolated').pass).toBe(false);
    expect(at0('dense_Dense4', 'isolated').pass).toBe(true);
    expect(at0('dense_Dense4', 'output').pass).toBe(false);
  }, 120_000);

  test('a shared layer (one Dense applied twice) agrees; a wrong activation at its first application is pinned to it', async () => {
    const ok = await runDiff({ original: SHARED, replay: 'step', reference: 'wasm', progress: false });
    expect(ok.failures).toEqual([]);
    expect(ok.pass).toBe(true);
    expect(ok.nameMap).toEqual([
      { reference: 'dense_Dense1/kernel', candidate: 'dense1.weight' }, { reference: 'dense_Dense1/bias', candidate: 'dense1.bias' },
      { reference: 'dense_Dense2/kernel', candidate: 'dense2.weight' }, { reference: 'dense_Dense2/bias', candidate: 'dense2.bias' },
    ]);
    const migrated = await migratedWith(SHARED, 'const h1 = torch.tanh(', 'const h1 = torch.relu(');
    const bad = await runDiff({ original: SHARED, migrated, steps: 2, replay: 'step', reference: 'wasm', progress: false });
    expect(bad.pass).toBe(false);
    expect(bad.firstDivergence).toMatchObject({ step: 0, kind: 'output', layer: 'dense_Dense1' });
  }, 180_000);
});
