/**
 * A layer row's `target` documents what its transformer emits (MAPPINGS.md shows it); the code itself is built by
 * the transformer (mappings/transformers/layers.ts), so the two could drift. Each `tf.layers.*` row with a
 * transformer migrates a one-layer program here, and:
 * - every runtime module the migration constructs (`new nn.X(`) is one the row's target names;
 * - every module, op or helper the target names (`new nn.X(`, `torch.f(`, `x.m(`, `compat.layers.f(`) is in the
 *   migrated code of at least one of the row's cases.
 * A layer row with neither a case nor a listed reason fails, so a new row gets one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../mappings/index.js';
import { templateTexts } from '../../mappings/template.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';
import { transpileSource } from '../../transpiler/index.js';

/** A config (without inputShape) and the input shape; `afterConv`: after a conv ('2d' or '1d'), as a pooling layer is used. */
type Case = { config?: string; shape: string; afterConv?: true } | { merge: string };

const CONV = 'tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [8, 8, 3] })';
const CONV1 = 'tf.layers.conv1d({ filters: 2, kernelSize: 3, inputShape: [8, 3] })';
const POOL2: Case[] = [{ config: '{ poolSize: 2 }', shape: '[8, 8, 3]' }];
const POOL1: Case[] = [{ config: '{ poolSize: 2 }', shape: '[8, 3]' }];

const CASES: Record<string, Case[]> = {
  dense: [{ config: '{ units: 3 }', shape: '[4]' }],
  conv2d: [{ config: '{ filters: 2, kernelSize: 3 }', shape: '[8, 8, 3]' }],
  conv2dTranspose: [{ config: '{ filters: 2, kernelSize: 3 }', shape: '[8, 8, 3]' }],
  conv1d: [{ config: '{ filters: 2, kernelSize: 3 }', shape: '[8, 3]' }],
  maxPooling2d: POOL2, maxPool2d: POOL2,
  averagePooling2d: POOL2, avgPool2d: POOL2, avgPooling2d: POOL2,
  maxPooling1d: POOL1, maxPool1d: POOL1,
  averagePooling1d: POOL1, avgPool1d: POOL1, avgPooling1d: POOL1,
  // First in the model too: its input rank is its inputShape's (it once fell back to the output's).
  globalAveragePooling2d: [{ shape: '2d', afterConv: true }, { shape: '[8, 8, 3]' }], globalMaxPooling2d: [{ shape: '2d', afterConv: true }, { shape: '[8, 8, 3]' }],
  globalMaxPool2d: [{ shape: '2d', afterConv: true }],
  globalAveragePooling1d: [{ shape: '1d', afterConv: true }, { shape: '[8, 3]' }], globalMaxPooling1d: [{ shape: '1d', afterConv: true }, { shape: '[8, 3]' }],
  globalMaxPool1d: [{ shape: '1d', afterConv: true }],
  flatten: [{ shape: '[4, 4]' }],
  reshape: [{ config: '{ targetShape: [2, 8] }', shape: '[16]' }],
  dropout: [{ config: '{ rate: 0.5 }', shape: '[4]' }],
  batchNormalization: [{ shape: '[4]' }, { shape: '2d', afterConv: true }],
  layerNormalization: [{ shape: '[4]' }],
  activation: [{ config: "{ activation: 'relu' }", shape: '[4]' }],
  reLU: [{ shape: '[4]' }], leakyReLU: [{ shape: '[4]' }], elu: [{ shape: '[4]' }], softmax: [{ shape: '[4]' }],
  embedding: [{ config: '{ inputDim: 10, outputDim: 3 }', shape: '[5]' }],
  simpleRNN: [{ config: '{ units: 3 }', shape: '[5, 4]' }], lstm: [{ config: '{ units: 3 }', shape: '[5, 4]' }], gru: [{ config: '{ units: 3 }', shape: '[5, 4]' }],
  concatenate: [{ merge: '{}' }], add: [{ merge: '{}' }], multiply: [{ merge: '{}' }], average: [{ merge: '{}' }],
  maximum: [{ merge: '{}' }], minimum: [{ merge: '{}' }], dot: [{ merge: '{ axes: 1 }' }],
  permute: [{ config: '{ dims: [2, 1] }', shape: '[5, 4]' }],
  repeatVector: [{ config: '{ n: 3 }', shape: '[4]' }],
  upSampling2d: [{ config: '{ size: [2, 3] }', shape: '[4, 4, 3]' }, { config: "{ interpolation: 'bilinear' }", shape: '[4, 4, 3]' }],
  zeroPadding2d: [{ config: '{ padding: [[1, 2], [0, 3]] }', shape: '[4, 4, 3]' }],
  cropping2D: [{ config: '{ cropping: 1 }', shape: '[4, 4, 3]' }],
  depthwiseConv2d: [{ config: '{ kernelSize: 3, depthMultiplier: 2 }', shape: '[8, 8, 3]' }],
  separableConv2d: [{ config: '{ filters: 4, kernelSize: 3 }', shape: '[8, 8, 3]' }],
  prelu: [{ shape: '[4]' }, { config: '{ sharedAxes: [1, 2] }', shape: '[8, 8, 3]' }],
  thresholdedReLU: [{ config: '{ theta: 0.5 }', shape: '[4]' }],
  rescaling: [{ config: '{ scale: 0.5, offset: 1 }', shape: '[4]' }],
  gaussianNoise: [{ config: '{ stddev: 0.1 }', shape: '[4]' }],
  gaussianDropout: [{ config: '{ rate: 0.1 }', shape: '[4]' }],
  spatialDropout1d: [{ config: '{ rate: 0.1 }', shape: '[5, 4]' }],
  resizing: [{ config: '{ height: 3, width: 5 }', shape: '[4, 4, 3]' }, { config: "{ height: 3, width: 5, interpolation: 'nearest' }", shape: '[4, 4, 3]' }],
};

/** Rows whose target is prose, not code. */
const PROSE: Record<string, string> = {
  timeDistributed: 'its modules are the wrapped layer\'s (test/transpiler covers the wrapping)',
  bidirectional: 'its module is the wrapped RNN\'s (test/bidirectional_layer.test.ts migrates and runs every form)',
  inputLayer: 'it emits no code (test/transpiler/engine.test.ts covers it)',
};

function program(name: string, c: Case): string {
  const head = `import * as tf from '@tensorflow/tfjs';\n`;
  if ('merge' in c) {
    return `${head}const a = tf.input({ shape: [4] });\nconst b = tf.input({ shape: [4] });\nconst out = tf.layers.${name}(${c.merge}).apply([a, b]) as tf.SymbolicTensor;\nconst model = tf.model({ inputs: [a, b], outputs: out });\nconsole.log(model);\n`;
  }
  const cfg = c.config ?? '{}';
  const layer = c.afterConv ? `${c.shape === '1d' ? CONV1 : CONV}, tf.layers.${name}(${cfg})` : `tf.layers.${name}(${cfg === '{}' ? `{ inputShape: ${c.shape} }` : cfg.replace(/ }$/, `, inputShape: ${c.shape} }`)})`;
  return `${head}const model = tf.sequential({ layers: [${layer}] });\nconsole.log(model);\n`;
}

/** What code names: `new nn.X(` modules, and every called name (`torch.cat(`, `x.amax(`, `compat.layers.dot(`). */
const modulesIn = (code: string) => new Set([...code.matchAll(/new nn\.(\w+)\(/g)].map((m) => m[1]));
const callsIn = (code: string) => new Set([...code.matchAll(/(?:new nn|torch|compat\.layers|\bx)\.(\w+)\(/g)].map((m) => m[1]));

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});

const rows = TABLE.filter((r) => r.tf.startsWith('tf.layers.') && r.transform);

describe("a layer row's target says what its transformer emits", () => {
  it('every tf.layers row with a transformer has cases here or a reason its target is prose', () => {
    const missing = rows.map((r) => r.tf.slice('tf.layers.'.length)).filter((n) => !CASES[n] && !PROSE[n]);
    expect(missing).toEqual([]);
  });

  it.each(rows.filter((r) => CASES[r.tf.slice('tf.layers.'.length)]).map((r) => [r.tf, r] as const))('%s', (tf, row) => {
    const name = tf.slice('tf.layers.'.length);
    const target = templateTexts(row).join(' ');
    const emitted: string[] = [];
    for (const c of CASES[name]) {
      const r = transpileSource(`/virtual/${name}.ts`, program(name, c), { layout: 'nchw', api });
      expect(r.status, `${tf}: ${JSON.stringify(r.diagnostics.filter((d) => d.severity === 'error'))}`).toBe('migrated');
      const code = r.output!;
      emitted.push(code);
      const conv = 'afterConv' in c ? (c.shape === '1d' ? 'Conv1d' : 'Conv2d') : undefined;
      for (const m of modulesIn(code)) {
        if (m === 'Sequential' || m === conv) continue;
        expect(target, `${tf} emits new nn.${m}( but its target does not name it`).toContain(`nn.${m}(`);
      }
    }
    const all = emitted.join('\n');
    for (const called of callsIn(target)) {
      expect(all, `${tf}'s target names ${called}( but no migration here emits it`).toMatch(new RegExp(`\\.${called}\\(`));
    }
  });
});
