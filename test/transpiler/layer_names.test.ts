/**
 * The tfjs names the migration passes as outputNames / inputNames (transpiler/rules/layer_names.ts) are tfjs's
 * own: each program builds its model with tfjs in a fresh Node process (tfjs's name counters are process-wide,
 * so a shared process would count the other cases' layers) and prints model.inputNames / outputNames, which must
 * be the names in the migrated utils.fitDataset call.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { transpileSource } from '../../transpiler/index.js';
import { TABLE } from '../../mappings/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});

const HEAD = `import * as tf from '@tensorflow/tfjs';\n`;
const TRAIN = `model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'meanSquaredError'] });
const ds = tf.data.zip({ xs: tf.data.array([[0, 0, 0]]), ys: tf.data.array([[0, 0]]) }).batch(1);
await model.fitDataset(ds, { epochs: 1 });
`;

const CASES: [string, string][] = [
  ['unnamed layers applied inline (the runtime graph)', `const a = tf.input({ shape: [3] });
const b = tf.input({ shape: [2] });
const h = tf.layers.concatenate().apply([tf.layers.dense({ units: 4 }).apply(a) as tf.SymbolicTensor, tf.layers.dense({ units: 4 }).apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor;
const c = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
const d = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
const model = tf.model({ inputs: [a, b], outputs: [c, d] });
`],
  ['named layers do not advance the counter; a sequential model made first does', `const pre = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 }), tf.layers.dense({ units: 2 })] });
const a = tf.input({ shape: [3], name: 'left' });
const b = tf.input({ shape: [2] });
const ha = tf.layers.dense({ units: 4, name: 'h1' }).apply(a) as tf.SymbolicTensor;
const hb = tf.layers.dense({ units: 4 }).apply(b) as tf.SymbolicTensor;
const merged = tf.layers.concatenate().apply([ha, hb]) as tf.SymbolicTensor;
const c = tf.layers.dense({ units: 2 }).apply(merged) as tf.SymbolicTensor;
const d = tf.layers.dense({ units: 2, name: 'second' }).apply(merged) as tf.SymbolicTensor;
const model = tf.model({ inputs: [a, b], outputs: [c, d] });
`],
  ['layers held in consts, one applied twice', `const a = tf.input({ shape: [3] });
const b = tf.input({ shape: [3] });
const shared = tf.layers.dense({ units: 4, activation: 'relu' });
const ha = shared.apply(a) as tf.SymbolicTensor;
const hb = shared.apply(b) as tf.SymbolicTensor;
const headA = tf.layers.dense({ units: 2 });
const headB = tf.layers.dense({ units: 2 });
const model = tf.model({ inputs: [a, b], outputs: [headA.apply(ha) as tf.SymbolicTensor, headB.apply(hb) as tf.SymbolicTensor] });
`],
];

/** model.inputNames / outputNames as tfjs gives them, from a fresh process. */
function tfjsNames(body: string): { inputs: string[]; outputs: string[] } {
  const js = `const tf = require('@tensorflow/tfjs');\n${body.replace(/ as tf\.SymbolicTensor/g, '')}\nconsole.log(JSON.stringify({ inputs: model.inputNames, outputs: model.outputNames }));\n`;
  const r = spawnSync(process.execPath, ['-'], { input: js, cwd: process.cwd(), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe("the names passed for a model's outputs and inputs are tfjs's", () => {
  test.each(CASES)('%s', (_name, body) => {
    const want = tfjsNames(body);
    const r = transpileSource('/p/main.ts', HEAD + body + TRAIN, { layout: 'nchw', api, fit: 'helper' });
    const call = r.output!.split('\n').find((l) => l.includes('utils.fitDataset('));
    expect(call, r.output).toBeDefined();
    const list = (key: string) => JSON.parse(new RegExp(`\\b${key}: (\\[[^\\]]*\\])`).exec(call!)?.[1].replace(/'/g, '"') ?? 'null');
    expect(list('outputNames')).toEqual(want.outputs);
    // The inputs: passed where every one is known (tf.input's counter, or a given name).
    expect(list('inputNames')).toEqual(want.inputs);
  });
});

describe('the class counter layer_names.ts reads', () => {
  /** The tfjs class a tf.layers.* function makes, read from its source (`new Dense(args)`, or the function it calls). */
  const classOf = (name: string): string | undefined => {
    const fn = (tf.layers as unknown as Record<string, unknown>)[name];
    const src = typeof fn === 'function' ? fn.toString() : '';
    const made = /new (\w+)\(/.exec(src)?.[1];
    const delegate = /return (\w+)\(args\)/.exec(src)?.[1];
    return made ?? (delegate && delegate !== name ? classOf(delegate) : undefined);
  };

  test("only rows naming a class advance its counter: a row's diff.className is its tfjs class, and rows without one make classes no paired row makes", () => {
    const rows = TABLE.filter((r) => r.tf.startsWith('tf.layers.') && r.tf !== 'tf.layers.Layer');
    const paired = new Set(rows.flatMap((r) => (r.diff ? [r.diff.className] : [])));
    expect(paired.has('Dense')).toBe(true);
    for (const r of rows) {
      const cls = classOf(r.tf.slice('tf.layers.'.length));
      if (r.tf === 'tf.layers.input') continue; // Input(): an InputLayer, named on tf.input's counter
      expect(cls, r.tf).toBeDefined();
      if (r.diff) expect(cls, r.tf).toBe(r.diff.className);
      else expect(paired.has(cls!), `${r.tf} makes ${cls}, a class a paired row makes`).toBe(false);
    }
  });
});
