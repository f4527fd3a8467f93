// Sequential models whose layers migrate to ops or to several modules (RepeatVector, Permute, a reshape,
// GlobalMaxPooling → amax, GlobalAveragePooling → pool + Flatten, TimeDistributed(dense), Embedding) and 1-D
// convolutions, GRUs (gates reordered), a Bidirectional LSTM and a custom layer, in the program-level diff: mapping units, then real child processes on a tfjs wasm reference.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runMigrate } from '../../cli/migrate/run.js';
import { LayerMapError, mapLayers, type CandidateLeaf } from '../../difftest/program/layer_map.js';
import { activationToCandidate, conv1dKernel, gruGates, weightLayoutOf } from '../../difftest/program/layout.js';
import { runDiff } from '../../difftest/program/run.js';
import type { ReferenceLayer } from '../../difftest/program/trace_meta.js';

// custom-layer is the transpiler's fixture (a class extends tf.layers.Layer inside a tf.sequential).
const fixture = (name: string) => (name === 'custom-layer' ? resolve('fixtures/custom-layer/input.ts') : resolve('test/difftest/fixtures/op_layers', `${name}.ts`));
const layer = (name: string, className: string, outputShape: number[], more: Partial<ReferenceLayer> = {}): ReferenceLayer => ({ name, className, inputShape: [], outputShape, weights: [], ...more });
const dense = (name: string, nIn: number, units: number, activation = 'linear'): ReferenceLayer => layer(name, 'Dense', [units], {
  activation, weights: [{ name: `${name}/kernel`, tensor: 'kernel', shape: [nIn, units], trainable: true }, { name: `${name}/bias`, tensor: 'bias', shape: [units], trainable: true }],
});
const leaf = (name: string, type: string, outputShape: number[]): CandidateLeaf => ({ name, type, outputShape });

describe('mapping op layers by order (units)', () => {
  test('a RepeatVector (an op) is read as the input of the module after it; the last layer as the model output', () => {
    const m = mapLayers(
      [dense('d1', 5, 8), layer('rv', 'RepeatVector', [4, 8]), layer('lstm', 'LSTM', [4, 6], { activation: 'tanh', weights: [] }), layer('rv2', 'RepeatVector', [2, 4, 6])],
      [leaf('dense1', 'Linear', [1, 8]), leaf('lstm1', 'LSTM', [1, 4, 6])],
    );
    expect(m.map((x) => [x.layer, x.candidateType, x.source])).toEqual([
      ['d1', 'Linear', undefined],
      ['rv', '(op)', { kind: 'input-of', module: 'lstm1', call: 0, consumer: 'lstm' }],
      ['lstm', 'LSTM', undefined],
      ['rv2', '(op)', { kind: 'model-output' }],
    ]);
  });

  test('two op layers in a row: only the second shows its output; the first says why it is not compared', () => {
    const m = mapLayers([dense('d1', 5, 12), layer('p', 'Permute', [12]), layer('rv', 'RepeatVector', [3, 12]), layer('f', 'Flatten', [36])], [
      leaf('dense1', 'Linear', [1, 12]), leaf('flatten1', 'Flatten', [1, 36]),
    ]);
    expect(m[1].source).toMatchObject({ kind: 'none', why: expect.stringContaining('the next layer, rv') });
    expect(m[2].source).toEqual({ kind: 'input-of', module: 'flatten1', call: 0, consumer: 'f' });
  });

  test('a Reshape pairs with nn.Unflatten when the migration wrote one, with an op otherwise', () => {
    const asModule = mapLayers([dense('d1', 5, 12), layer('r', 'Reshape', [3, 4]), layer('f', 'Flatten', [12])], [leaf('dense1', 'Linear', [1, 12]), leaf('unflatten1', 'Unflatten', [1, 3, 4]), leaf('flatten1', 'Flatten', [1, 12])]);
    expect(asModule[1]).toMatchObject({ candidateType: 'Unflatten', modules: ['unflatten1'] });
    expect(asModule[1].source).toBeUndefined();
    const asOp = mapLayers([dense('d1', 5, 12), layer('r', 'Reshape', [3, 4]), layer('f', 'Flatten', [12])], [leaf('dense1', 'Linear', [1, 12]), leaf('flatten1', 'Flatten', [1, 12])]);
    expect(asOp[1]).toMatchObject({ candidateType: '(op)', source: { kind: 'input-of', module: 'flatten1' } });
  });

  test('an op layer feeding a channels-first module is read NCHW there', () => {
    const m = mapLayers([dense('d1', 6, 48), layer('r', 'Reshape', [4, 4, 3]), layer('p', 'Permute', [4, 4, 3]), layer('c', 'Conv2D', [3, 3, 2], { weights: [] })], [
      leaf('dense1', 'Linear', [1, 48]), leaf('unflatten1', 'Unflatten', [1, 4, 4, 3]), leaf('conv1', 'Conv2d', [1, 2, 3, 3]),
    ]);
    expect(m[2]).toMatchObject({ output: { kind: 'nhwc-to-nchw' }, candidateOutputShape: [1, 3, 4, 4] });
    expect(m[3].output).toEqual({ kind: 'nhwc-to-nchw' });
  });

  test('GlobalAveragePooling2D is its pool and the Flatten after it; a missing Flatten is named', () => {
    const ref = [layer('c', 'Conv2D', [6, 6, 4], { activation: 'relu' }), layer('g', 'GlobalAveragePooling2D', [4]), dense('d', 4, 3)];
    const m = mapLayers(ref, [leaf('conv1', 'Conv2d', [1, 4, 6, 6]), leaf('relu1', 'ReLU', [1, 4, 6, 6]), leaf('pool1', 'AdaptiveAvgPool2d', [1, 4, 1, 1]), leaf('flatten1', 'Flatten', [1, 4]), leaf('dense1', 'Linear', [1, 3])]);
    expect(m[1]).toMatchObject({ modules: ['pool1', 'flatten1'], output: { kind: 'same' } });
    expect(() => mapLayers(ref, [leaf('conv1', 'Conv2d', [1, 4, 6, 6]), leaf('relu1', 'ReLU', [1, 4, 6, 6]), leaf('pool1', 'AdaptiveAvgPool2d', [1, 4, 1, 1]), leaf('dense1', 'Linear', [1, 3])]))
      .toThrow(/migrates to AdaptiveAvgPool2d \+ Flatten, so Flatten should follow pool1; found dense1 \(Linear\)/);
  });

  test('a layer class the diff cannot pair still fails, naming it', () => {
    expect(() => mapLayers([layer('c', 'ConvLSTM2D', [8], { weights: [] })], [leaf('lstm1', 'LSTM', [1, 4, 8])])).toThrow(LayerMapError);
  });

  test('1-D convolutions: NWC sequences are NCW on the candidate, through pooling and a Flatten', () => {
    const m = mapLayers([layer('c', 'Conv1D', [8, 4], { activation: 'relu', weights: [{ name: 'c/kernel', tensor: 'kernel', shape: [3, 2, 4], trainable: true }] }), layer('p', 'MaxPooling1D', [4, 4]), layer('f', 'Flatten', [16]), dense('d', 16, 1)], [
      leaf('conv1', 'Conv1d', [1, 4, 8]), leaf('relu1', 'ReLU', [1, 4, 8]), leaf('pool1', 'MaxPool1d', [1, 4, 4]), leaf('flatten1', 'Flatten', [1, 16]), leaf('dense1', 'Linear', [1, 1]),
    ]);
    expect(m.map((x) => x.output)).toEqual([{ kind: 'nhwc-to-nchw' }, { kind: 'nhwc-to-nchw' }, { kind: 'flat-nhwc-to-nchw', h: 1, w: 4, c: 4 }, { kind: 'same' }]);
    expect(m[0].weights[0].layout).toEqual({ kind: 'conv1d-kernel' });
    expect(m[3].weights[0].layout).toEqual({ kind: 'dense-kernel', flattenedFrom: { h: 1, w: 4, c: 4 } });
    // kernel[k][i][o] = 100 k + 10 i + o (k = 2, in = 1, out = 2) → weight[o][i][k]
    expect([...conv1dKernel(Float32Array.from([0, 1, 100, 101]), [2, 1, 2]).data]).toEqual([0, 100, 1, 101]);
    expect(weightLayoutOf('Conv1D', 'kernel')).toEqual({ kind: 'conv1d-kernel' });
    // [n=1, t=2, c=3] → [1, 3, 2]
    expect([...activationToCandidate(Float32Array.from([0, 1, 2, 3, 4, 5]), [1, 2, 3], { kind: 'nhwc-to-nchw' }).data]).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('custom layers (units)', () => {
  test("a tfjs class no row knows pairs with the migrated module of its name; its weights keep tfjs's names and layout", () => {
    const gated = layer('gated_Gated2', 'Gated', [6], { weights: [{ name: 'gated_Gated2/kernel', tensor: 'kernel', shape: [8, 6], trainable: true }] });
    const m = mapLayers([dense('d1', 4, 8, 'relu'), gated, dense('d2', 6, 1)], [
      leaf('0', 'Linear', [1, 8]), leaf('1', 'ReLU', [1, 8]), leaf('2', 'Gated', [1, 6]), leaf('3', 'Linear', [1, 1]),
    ]);
    expect(m[1]).toMatchObject({ modules: ['2'], candidateType: 'Gated', weights: [{ tensor: 'kernel', candidateName: '2.vars.kernel', layout: { kind: 'same' } }] });
    expect(() => mapLayers([dense('d1', 4, 8, 'relu'), gated], [leaf('0', 'Linear', [1, 8]), leaf('1', 'ReLU', [1, 8]), leaf('2', 'Other', [1, 6])]))
      .toThrow(/its class Gated has no known runtime module, and the next module is not a custom layer of that name/);
  });
});

describe('GRU weights (units)', () => {
  test("tfjs's gate columns z, r, h become the runtime's rows r, z, n, transposed; the bias's blocks likewise", () => {
    // kernel [in = 2, 3H = 6], H = 2: kernel[i][c] = 10 i + c
    const k = Float32Array.from({ length: 12 }, (_, j) => 10 * Math.floor(j / 6) + (j % 6));
    const w = gruGates(k, [2, 6], true);
    expect(w.shape).toEqual([6, 2]);
    // rows: r (tfjs cols 2, 3), z (cols 0, 1), n (cols 4, 5); each row [col c of input 0, of input 1]
    expect([...w.data]).toEqual([2, 12, 3, 13, 0, 10, 1, 11, 4, 14, 5, 15]);
    expect([...gruGates(Float32Array.from([0, 1, 2, 3, 4, 5]), [6], false).data]).toEqual([2, 3, 0, 1, 4, 5]);
    expect(weightLayoutOf('GRU', 'recurrent_kernel')).toEqual({ kind: 'gru-kernel' });
    expect(weightLayoutOf('GRU', 'bias')).toEqual({ kind: 'gru-bias' });
    expect(() => gruGates(k, [3, 4], true)).toThrow(/a GRU kernel is \[in, 3·units\]/);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The fixture migrated with --fit helper (what `diff` does on the fly), then `find` replaced exactly once. */
async function planted(original: string, find: string, replace: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-op-layers-'));
  dirs.push(dir);
  await runMigrate({ paths: [original], outDir: dir, inPlace: false, force: false, dryRun: false, report: join(dir, 'report.json'), keepLayout: false, fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true });
  const src = readFileSync(join(dir, basename(original)), 'utf8');
  expect(src.split(find)).toHaveLength(2);
  const out = join(dir, 'planted.ts');
  writeFileSync(out, src.replace(find, replace));
  return out;
}

describe('runDiff on models with op layers', () => {
  test.each([
    ['seq2seq', ['dense_Dense1', 'repeat_vector_RepeatVector1', 'lstm_LSTM1', 'time_distributed_TimeDistributed1']],
    ['cnn_global_max', ['conv2d_Conv2D1', 'global_max_pooling2d_GlobalMaxPooling2D1', 'dense_Dense1']],
    ['embedding_average', ['embedding_Embedding1', 'global_average_pooling1d_GlobalAveragePooling1D1', 'dense_Dense1']],
    ['reshape_permute_conv', ['dense_Dense1', 'reshape_Reshape1', 'permute_Permute1', 'conv2d_Conv2D1', 'flatten_Flatten1', 'dense_Dense2']],
    ['conv1d_flatten', ['conv1d_Conv1D1', 'max_pooling1d_MaxPooling1D1', 'flatten_Flatten1', 'dense_Dense1']],
    ['gru_classifier', ['gru_GRU1', 'dense_Dense1']],
    ['custom-layer', ['dense_Dense1', 'gated_Gated2', 'dense_Dense2']],
    ['bidirectional_lstm', ['bidirectional_Bidirectional1', 'dense_Dense1']],
    ['activation_param', ['dense_Dense1', 'dense_Dense2']],
    ['activation_layer_param', ['dense_Dense1', 'activation_Activation1', 'dense_Dense2']],
    // Migrated onto the runtime graph: its ops are nn.Lambda modules, which the layers do not pair with.
    ['functional_bidirectional', ['bidirectional_Bidirectional1', 'global_average_pooling1d_GlobalAveragePooling1D1', 'dense_Dense1']],
  ])('%s, migrated on the fly, agrees layer by layer', async (name, layers) => {
    const r = await runDiff({ original: fixture(name), steps: 4, replay: 'step', reference: 'wasm', progress: false });
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
    const outputs = r.probes.filter((p) => p.kind === 'output');
    // Every layer is compared at every step, an op layer's output where the migrated forward shows it.
    expect(new Set(outputs.map((p) => p.layer))).toEqual(new Set(layers));
    expect(outputs.filter((p) => p.layer === layers[1]).length).toBe(4);
    // Gradients too (a GRU's gates reordered both ways would still pass its outputs only by chance).
    expect(r.probes.filter((p) => p.kind === 'gradient').every((p) => p.pass)).toBe(true);
    if (name === 'embedding_average') expect(r.reference.fallbacks.join(' ')).toMatch(/UnsortedSegmentSum/);
  }, 120_000);

  test.each([
    ['cnn_global_max', 'x = x.amax([2, 3]);', 'x = x.mean([2, 3]).mul(2);', 'global_max_pooling2d_GlobalMaxPooling2D1'],
    ['seq2seq', 'x = x.unsqueeze(1).expand(-1, 4, -1);', 'x = x.unsqueeze(1).expand(-1, 4, -1).mul(torch.tensor([1, 1, 1, 0.5]).reshape(1, 4, 1));', 'repeat_vector_RepeatVector1'],
    ['gru_classifier', 'resetAfter: false', 'resetAfter: true', 'gru_GRU1'],
    // The classic bidirectional bug: the module's last step, whose reverse half has read one element.
    ['bidirectional_lstm', "x = compat.layers.bidirectionalMerge(x, 'concat', false);", 'x = x.select(1, -1);', 'bidirectional_Bidirectional1'],
    ['custom-layer', 'return torch.relu(torch.matmul(x, this.kernel.read())', 'return torch.sigmoid(torch.matmul(x, this.kernel.read())', 'gated_Gated2'],
  ])('planted in %s: a wrong op is pinned to its layer', async (name, find, replace, culprit) => {
    const migrated = await planted(fixture(name), find, replace);
    const r = await runDiff({ original: fixture(name), migrated, steps: 2, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'output', layer: culprit });
  }, 120_000);
});
