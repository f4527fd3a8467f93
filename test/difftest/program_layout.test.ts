// Units of the program-level diff: layout conversion with known values, layer mapping, probe insertion, traces.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { activationToCandidate, conv2dTransposeKernel, denseKernelToLinear, hwioToOihw, nhwcToNchwFeatureOrder, weightLayoutOf, weightToCandidate } from '../../difftest/program/layout.js';
import { mapLayers, LayerMapError } from '../../difftest/program/layer_map.js';
import { instrumentProgram, InstrumentError } from '../../difftest/program/instrument.js';
import { hashValues, TraceReader, TraceWriter } from '../../difftest/program/trace.js';
import type { ReferenceLayer } from '../../difftest/program/trace_meta.js';
import { lossProbe, metricProbes } from '../../difftest/program/scalar_probes.js';

describe('layout conversion', () => {
  test('Dense kernel [in, out] → Linear weight [out, in]', () => {
    // kernel[i][o] = 10 i + o, in = 3, out = 2
    const k = Float32Array.from([0, 1, 10, 11, 20, 21]);
    const { data, shape } = denseKernelToLinear(k, [3, 2]);
    expect(shape).toEqual([2, 3]);
    expect([...data]).toEqual([0, 10, 20, 1, 11, 21]);
  });

  test('Conv2D HWIO → OIHW', () => {
    // kernel[h][w][i][o] = 1000 h + 100 w + 10 i + o with kh = kw = 2, in = 1, out = 2
    const shape = [2, 2, 1, 2];
    const k = new Float32Array(8);
    for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) for (let o = 0; o < 2; o++) k[((h * 2 + w) * 1 + 0) * 2 + o] = 1000 * h + 100 * w + o;
    const out = hwioToOihw(k, shape);
    expect(out.shape).toEqual([2, 1, 2, 2]);
    // out[o][0][h][w]
    expect([...out.data]).toEqual([0, 100, 1000, 1100, 1, 101, 1001, 1101]);
  });

  test('Flatten order: NHWC features (h, w, c) → NCHW (c, h, w), and the next Dense kernel rows with them', () => {
    // A [h=1, w=2, c=3] map: NHWC flat order is (w0c0, w0c1, w0c2, w1c0, w1c1, w1c2).
    expect([...nhwcToNchwFeatureOrder(1, 2, 3)]).toEqual([0, 3, 1, 4, 2, 5]);
    const act = activationToCandidate(Float32Array.from([0, 1, 2, 3, 4, 5]), [1, 6], { kind: 'flat-nhwc-to-nchw', h: 1, w: 2, c: 3 });
    expect([...act.data]).toEqual([0, 3, 1, 4, 2, 5]);
    // A Dense 6 → 1 whose kernel row r holds r: the Linear weight's column j must hold the NHWC row it reads.
    const w = denseKernelToLinear(Float32Array.from([0, 1, 2, 3, 4, 5]), [6, 1], { h: 1, w: 2, c: 3 });
    expect([...w.data]).toEqual([0, 3, 1, 4, 2, 5]);
    // The same function on both sides: x_nhwc · kernel == x_nchw · weightᵀ.
    const x = [0.5, -1, 2, 3, -0.25, 1.5];
    const ref = x.reduce((s, v, r) => s + v * r, 0);
    const cand = [...act.data].reduce((s, _, j) => s + x[[0, 3, 1, 4, 2, 5][j]] * w.data[j], 0);
    expect(cand).toBeCloseTo(ref, 6);
  });

  test('Conv2DTranspose kernel [kh, kw, out, in] → ConvTranspose2d weight [in, out, kh, kw]', () => {
    // kernel[h][w][o][i] = 1000 h + 100 w + 10 o + i with kh = 1, kw = 2, out = 3, in = 2
    const shape = [1, 2, 3, 2];
    const k = new Float32Array(12);
    for (let w = 0; w < 2; w++) for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) k[(w * 3 + o) * 2 + i] = 100 * w + 10 * o + i;
    const out = conv2dTransposeKernel(k, shape);
    expect(out.shape).toEqual([2, 3, 1, 2]);
    // out[i][o][0][w]
    expect([...out.data]).toEqual([0, 100, 10, 110, 20, 120, 1, 101, 11, 111, 21, 121]);
    expect(weightLayoutOf('Conv2DTranspose', 'kernel')).toEqual({ kind: 'conv2d-transpose-kernel' });
    expect(weightLayoutOf('Conv2DTranspose', 'bias')).toEqual({ kind: 'same' });
    expect([...weightToCandidate(k, shape, { kind: 'conv2d-transpose-kernel' }).data]).toEqual([...out.data]);
    expect(() => conv2dTransposeKernel(k, [2, 6])).toThrow(/a Conv2DTranspose kernel is \[kh, kw, out, in\]/);
  });

  test('activations NHWC → NCHW', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i); // [1, 2, 2, 3]
    const out = activationToCandidate(x, [1, 2, 2, 3], { kind: 'nhwc-to-nchw' });
    expect(out.shape).toEqual([1, 3, 2, 2]);
    expect([...out.data]).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });
});

const dense = (name: string, nIn: number, units: number, activation: string): ReferenceLayer => ({
  name, className: 'Dense', activation, inputShape: [nIn], outputShape: [units],
  weights: [{ name: `${name}/kernel`, tensor: 'kernel', shape: [nIn, units], trainable: true }, { name: `${name}/bias`, tensor: 'bias', shape: [units], trainable: true }],
});

describe('layer mapping', () => {
  test('a Dense with a fused activation maps to Linear + activation; names and layouts', () => {
    const m = mapLayers([dense('d1', 784, 50, 'relu'), dense('d2', 50, 10, 'softmax')], [
      { name: '0', type: 'Linear', outputShape: [1, 50] }, { name: '1', type: 'ReLU', outputShape: [1, 50] },
      { name: '2', type: 'Linear', outputShape: [1, 10] }, { name: '3', type: 'Softmax', outputShape: [1, 10] },
    ]);
    expect(m.map((g) => g.modules)).toEqual([['0', '1'], ['2', '3']]);
    expect(m[0].weights).toEqual([
      { tensor: 'kernel', candidateName: '0.weight', layout: { kind: 'dense-kernel' } },
      { tensor: 'bias', candidateName: '0.bias', layout: { kind: 'same' } },
    ]);
  });

  test('a Conv2DTranspose maps to ConvTranspose2d (+ its activation): channels-first output, kernel permuted', () => {
    const up: ReferenceLayer = { name: 't', className: 'Conv2DTranspose', activation: 'relu', inputShape: [2, 2, 4], outputShape: [4, 4, 3], weights: [{ name: 't/kernel', tensor: 'kernel', shape: [3, 3, 3, 4], trainable: true }, { name: 't/bias', tensor: 'bias', shape: [3], trainable: true }] };
    const m = mapLayers([up], [{ name: 'l.0', type: 'ConvTranspose2d', outputShape: [1, 3, 4, 4] }, { name: 'l.1', type: 'ReLU', outputShape: [1, 3, 4, 4] }]);
    expect(m[0].modules).toEqual(['l.0', 'l.1']);
    expect(m[0].output).toEqual({ kind: 'nhwc-to-nchw' });
    expect(m[0].weights).toEqual([
      { tensor: 'kernel', candidateName: 'l.0.weight', layout: { kind: 'conv2d-transpose-kernel' } },
      { tensor: 'bias', candidateName: 'l.0.bias', layout: { kind: 'same' } },
    ]);
    // A candidate laid out NHWC there (no permute at the input) is refused, saying what it expected.
    expect(() => mapLayers([up], [{ name: 'l.0', type: 'ConvTranspose2d', outputShape: [1, 4, 4, 3] }, { name: 'l.1', type: 'ReLU', outputShape: [1, 4, 4, 3] }])).toThrow(LayerMapError);
  });

  test('conv → flatten → dense on an NCHW candidate: NHWC outputs, flattened order and the Dense rows', () => {
    const conv: ReferenceLayer = { name: 'c', className: 'Conv2D', activation: 'relu', inputShape: [4, 4, 1], outputShape: [2, 2, 3], weights: [{ name: 'c/kernel', tensor: 'kernel', shape: [3, 3, 1, 3], trainable: true }] };
    const flat: ReferenceLayer = { name: 'f', className: 'Flatten', inputShape: [2, 2, 3], outputShape: [12], weights: [] };
    const m = mapLayers([conv, flat, dense('d', 12, 2, 'linear')], [
      { name: 'l.0', type: 'Conv2d', outputShape: [1, 3, 2, 2] }, { name: 'l.1', type: 'ReLU', outputShape: [1, 3, 2, 2] },
      { name: 'l.2', type: 'Flatten', outputShape: [1, 12] }, { name: 'l.3', type: 'Linear', outputShape: [1, 2] },
    ]);
    expect(m[0].output).toEqual({ kind: 'nhwc-to-nchw' });
    expect(m[0].weights[0].layout).toEqual({ kind: 'conv2d-kernel' });
    expect(m[1].output).toEqual({ kind: 'flat-nhwc-to-nchw', h: 2, w: 2, c: 3 });
    expect(m[2].weights[0].layout).toEqual({ kind: 'dense-kernel', flattenedFrom: { h: 2, w: 2, c: 3 } });
    expect(m[2].output).toEqual({ kind: 'same' });
  });

  // h = w = c = 4: the reference's [4, 4, 4] and the candidate's [4, 4, 4] look alike, but the candidate's is
  // channels-first: the layouts must come from what the programs state (tfjs's dataFormat, the runtime's modules,
  // --keep-layout), not from comparing shapes.
  const cube = (): ReferenceLayer[] => [
    { name: 'c', className: 'Conv2D', activation: 'relu', dataFormat: 'channelsLast', inputShape: [4, 4, 1], outputShape: [4, 4, 4], weights: [{ name: 'c/kernel', tensor: 'kernel', shape: [3, 3, 1, 4], trainable: true }] },
    { name: 'drop', className: 'Dropout', inputShape: [4, 4, 4], outputShape: [4, 4, 4], weights: [] },
    { name: 'f', className: 'Flatten', inputShape: [4, 4, 4], outputShape: [64], weights: [] },
    dense('d', 64, 2, 'linear'),
  ];
  const cubeLeaves = [
    { name: 'l.0', type: 'Conv2d', outputShape: [1, 4, 4, 4] }, { name: 'l.1', type: 'ReLU', outputShape: [1, 4, 4, 4] },
    { name: 'l.2', type: 'Dropout', outputShape: [1, 4, 4, 4] }, { name: 'l.3', type: 'Flatten', outputShape: [1, 64] },
    { name: 'l.4', type: 'Linear', outputShape: [1, 2] },
  ];

  test('a 4×4×4 activation on an NCHW candidate is NHWC → NCHW, and so is the Dropout after it and the Flatten order', () => {
    const m = mapLayers(cube(), cubeLeaves);
    expect(m[0].output).toEqual({ kind: 'nhwc-to-nchw' });
    expect(m[1].output).toEqual({ kind: 'nhwc-to-nchw' });
    expect(m[2].output).toEqual({ kind: 'flat-nhwc-to-nchw', h: 4, w: 4, c: 4 });
    expect(m[3].weights[0].layout).toEqual({ kind: 'dense-kernel', flattenedFrom: { h: 4, w: 4, c: 4 } });
    // The conversion is a real permutation here (shape-preserving, values moved): [h][w][c] = 16h + 4w + c.
    const x = Float32Array.from({ length: 64 }, (_, i) => i);
    const nchw = activationToCandidate(x, [1, 4, 4, 4], m[0].output);
    expect(nchw.shape).toEqual([1, 4, 4, 4]);
    expect([...nchw.data.slice(0, 5)]).toEqual([0, 4, 8, 12, 16]);
  });

  test('migrated with --keep-layout: the conv leaf is still NCHW, the layers after its permute back are NHWC', () => {
    const m = mapLayers(cube(), cubeLeaves, 'keep');
    expect(m[0].output).toEqual({ kind: 'nhwc-to-nchw' });
    expect(m[1].output).toEqual({ kind: 'same' });
    expect(m[2].output).toEqual({ kind: 'same' });
    expect(m[3].weights[0].layout).toEqual({ kind: 'dense-kernel' });
  });

  test("a tfjs layer in channelsFirst maps as is; a candidate shape that contradicts the stated layout is named", () => {
    const layers = cube();
    layers[0] = { ...layers[0], dataFormat: 'channelsFirst', outputShape: [4, 3, 2] };
    const leaves = [{ name: 'l.0', type: 'Conv2d', outputShape: [1, 4, 3, 2] }, { name: 'l.1', type: 'ReLU', outputShape: [1, 4, 3, 2] }];
    expect(mapLayers(layers.slice(0, 1), leaves)[0].output).toEqual({ kind: 'same' });
    const wrong = cube().slice(0, 1);
    wrong[0] = { ...wrong[0], outputShape: [4, 3, 2] };
    expect(() => mapLayers(wrong, leaves)).toThrow(/tfjs layer c \(Conv2D\) outputs \[4, 3, 2\] \(NHWC\); the migrated model, laid out NCHW after the input permute, should output \[2, 4, 3\] there but l.1 outputs \[4, 3, 2\]/);
  });

  test.each([
    ['migrated to nothing', [] as { name: string; type: string; outputShape: number[] }[]],
    ['kept as nn.Identity', [{ name: '1', type: 'Identity', outputShape: [1, 8] }]],
  ])("a standalone Activation('linear') maps (%s) and passes the previous group's output through", (_, middle) => {
    const act: ReferenceLayer = { name: 'act', className: 'Activation', activation: 'linear', inputShape: [8], outputShape: [8], weights: [] };
    const m = mapLayers([dense('d1', 4, 8, 'linear'), act, dense('d2', 8, 2, 'linear')], [
      { name: '0', type: 'Linear', outputShape: [1, 8] }, ...middle, { name: '2', type: 'Linear', outputShape: [1, 2] },
    ]);
    expect(m.map((g) => g.modules)).toEqual([['0'], middle.map((l) => l.name), ['2']]);
    expect(m[1].candidateOutputShape).toEqual([1, 8]);
    expect(m[1].weights).toEqual([]);
    expect(m[2].weights[0]).toEqual({ tensor: 'kernel', candidateName: '2.weight', layout: { kind: 'dense-kernel' } });
  });

  test("a standalone Activation('relu') maps to its module; an unknown activation is named", () => {
    const act = (activation: string): ReferenceLayer => ({ name: 'act', className: 'Activation', activation, inputShape: [8], outputShape: [8], weights: [] });
    const m = mapLayers([dense('d1', 4, 8, 'linear'), act('relu')], [{ name: '0', type: 'Linear', outputShape: [1, 8] }, { name: '1', type: 'ReLU', outputShape: [1, 8] }]);
    expect(m.map((g) => g.modules)).toEqual([['0'], ['1']]);
    expect(() => mapLayers([act('nosuch')], [])).toThrow(/tfjs layer act: its activation 'nosuch' has no known runtime module/);
  });

  test('a missing activation module is named', () => {
    expect(() => mapLayers([dense('d1', 4, 2, 'relu')], [{ name: '0', type: 'Linear', outputShape: [1, 2] }])).toThrow(LayerMapError);
    expect(() => mapLayers([dense('d1', 4, 2, 'relu')], [{ name: '0', type: 'Linear', outputShape: [1, 2] }])).toThrow(/activation 'relu', so ReLU should follow 0/);
  });
});

describe('probe insertion', () => {
  test('tfjs side: model.fit / model.evaluate become __tb calls; tfjs-node imports are listed', () => {
    const src = "import * as tf from '@tensorflow/tfjs-node';\nawait model.fit(xs, ys, { epochs: 2 });\nconst r = model.evaluate(xs, ys);\n";
    const out = instrumentProgram('a.ts', src, 'reference', 'file:///probe.ts');
    expect(out.text).toContain('__tb.fit(model, xs, ys, { epochs: 2 })');
    expect(out.text).toContain('__tb.evaluate(model, xs, ys)');
    expect(out.text.startsWith('import "file:///probe.ts"; import * as __tb from "file:///probe.ts";')).toBe(true);
    expect(out.tfjsNodeImports).toEqual(['@tensorflow/tfjs-node']);
  });

  test('runtime side: only utils.* from torchbridge; an explicit loop is refused with what to do', () => {
    const src = "import { utils as u } from 'torchbridge';\nawait u.fit(model, x, y, { loss, optimizer });\nother.fit(a, b);\n";
    const out = instrumentProgram('b.ts', src, 'candidate', 'file:///p.ts');
    expect(out.text).toContain('__tb.fit(model, x, y');
    expect(out.text).toContain('other.fit(a, b)');
    expect(() => instrumentProgram('c.ts', "import { torch } from 'torchbridge';\nloss.backward();\n", 'candidate', 'file:///p.ts')).toThrow(InstrumentError);
    expect(() => instrumentProgram('c.ts', "import { torch } from 'torchbridge';\nloss.backward();\n", 'candidate', 'file:///p.ts')).toThrow(/--fit helper/);
  });

  test('CommonJS programs: utils from require(\'torchbridge\') is probed, and the module system is told', () => {
    const cjs = "const { torch, utils: u } = require('torchbridge');\nasync function main() { await u.fit(model, x, y, {}); }\nmain();\n";
    const out = instrumentProgram('train.js', cjs, 'candidate', 'file:///p.js');
    expect(out.text).toContain('await __tb.fit(model, x, y, {})');
    expect(out.format).toBe('commonjs');
    const cases: [string, string, 'module' | 'commonjs'][] = [
      ['a.js', "const tf = require('@tensorflow/tfjs');\nmodel.fit(x, y);\n", 'commonjs'],
      ['a.js', 'model.fit(x, y);\nmodule.exports = { model };\n', 'commonjs'],
      ['a.js', "import * as tf from '@tensorflow/tfjs';\nmodel.fit(x, y);\n", 'module'],
      ['a.ts', 'export const m = 1;\nmodel.fit(x, y);\n', 'module'],
      ['a.cjs', 'model.fit(x, y);\n', 'commonjs'],
      ['a.mjs', "const tf = require('@tensorflow/tfjs');\nmodel.fit(x, y);\n", 'module'],
      ['a.js', 'model.fit(x, y);\n', 'module'],
    ];
    for (const [file, text, format] of cases) expect([file, text, instrumentProgram(file, text, 'reference', 'file:///p.js').format]).toEqual([file, text, format]);
  });
});

test('traces round-trip tensors by key; hashes tell data apart', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tb-trace-')), 't');
  const w = new TraceWriter(dir, { a: 1 });
  w.put('0/output/d/output', [2, 2], Float32Array.from([1, 2, 3, 4]));
  w.put('-/perm/train/epoch0', [3], Int32Array.from([2, 0, 1]));
  w.close();
  const r = new TraceReader<{ a: number }>(dir);
  expect(r.meta.a).toBe(1);
  expect([...r.require('0/output/d/output').data]).toEqual([1, 2, 3, 4]);
  expect(r.require('-/perm/train/epoch0').data).toBeInstanceOf(Int32Array);
  expect(r.get('nope')).toBeUndefined();
  r.close();
  expect(hashValues([1, 2, 3])).toBe(hashValues(Float32Array.from([1, 2, 3])));
  expect(hashValues([1, 2, 3])).not.toBe(hashValues([1, 2, 4]));
});

describe('scalar probes', () => {
  const row = (lossReference: number, lossCandidate: number, pass: boolean) => ({ step: 7, epoch: 0, batch: 7, lossReference, lossCandidate, absDiff: Math.abs(lossCandidate - lossReference), relDiff: Math.abs(lossCandidate - lossReference) / Math.abs(lossReference), pass });

  test("a step's loss: |Δ|, rel, sign agreement; a failing one names both values and the tolerance", () => {
    const ok = lossProbe(row(2, 2.0000001, true), { lossRtol: 1e-4, lossAtol: 0 });
    expect(ok).toMatchObject({ step: 7, kind: 'loss', layer: '', tensor: 'loss', pass: true, message: null });
    expect(ok.metrics!.maxRelError).toBeCloseTo(5e-8, 12);
    expect(ok.metrics!.cosineSimilarity).toBe(1);
    const bad = lossProbe(row(2, 2.5, false), { lossRtol: 1e-4, lossAtol: 0 });
    expect(bad.metrics).toMatchObject({ mismatchCount: 1, maxAbsError: 0.5, maxRelError: 0.25 });
    expect(bad.message).toBe('loss 2.5 vs 2: |Δ| 5.000e-1, rel 2.500e-1 > rtol 0.0001');
  });

  test('final metrics at the last step; accuracies in points; NaN on one side fails', () => {
    const ps = metricProbes([
      { name: 'evaluate acc (points)', reference: 91.2, candidate: 91.0, diff: 0.2, pass: true },
      { name: 'evaluate loss', reference: 0.3, candidate: NaN, diff: NaN, pass: false },
    ], 2813, 0.3);
    expect(ps.map((p) => [p.step, p.kind, p.tensor, p.pass])).toEqual([[2813, 'metric', 'evaluate acc (points)', true], [2813, 'metric', 'evaluate loss', false]]);
    expect(ps[1].metrics!.maxAbsError).toBe(Infinity);
    expect(ps[1].message).toMatch(/^evaluate loss: NaN vs 0\.3000 .*> 0\.3% of the reference\)$/);
  });
});
