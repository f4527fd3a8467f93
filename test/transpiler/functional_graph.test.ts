/**
 * The functional API the static graph rule cannot trace (a graph built across helper functions, layers applied
 * inline, a shared layer declared apart, tf.model returned from a function) migrates onto the runtime's symbolic
 * graph (nn.input / nn.apply / nn.GraphModule) — and the migrated model computes what the tfjs model computes,
 * given tfjs's weights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { compat, torch, nn } from 'torchbridge';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';

const OUT = join(import.meta.dirname, '..', '..', '.test-out', 'functional_graph');
let api: RuntimeApi;

beforeAll(async () => {
  api = await loadRuntimeApi();
  await tf.setBackend('cpu');
  mkdirSync(OUT, { recursive: true });
});
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

// Two inputs, helpers, dot-product attention, concatenate, a conv branch (channels-first in the runtime), flatten.
const ATTENTION = `import * as tf from '@tensorflow/tfjs';

function project(x: tf.SymbolicTensor, units: number): tf.SymbolicTensor {
  return tf.layers.dense({ units, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
}

function convFeatures(img: tf.SymbolicTensor): tf.SymbolicTensor {
  const c = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }).apply(img) as tf.SymbolicTensor;
  return tf.layers.flatten().apply(c) as tf.SymbolicTensor;
}

export function build(): tf.LayersModel {
  const a = tf.input({ shape: [4, 6] });
  const b = tf.input({ shape: [5, 7] });
  const img = tf.input({ shape: [6, 6, 2] });
  const ha = project(a, 8);
  const hb = project(b, 8);
  const scores = tf.layers.dot({ axes: [2, 2] }).apply([ha, hb]) as tf.SymbolicTensor;
  const weights = tf.layers.activation({ activation: 'softmax' }).apply(scores) as tf.SymbolicTensor;
  const context = tf.layers.dot({ axes: [2, 1] }).apply([weights, hb]) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([context, ha]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(joined) as tf.SymbolicTensor;
  const all = tf.layers.concatenate().apply([flat, convFeatures(img)]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(all) as tf.SymbolicTensor;
  return tf.model({ inputs: [a, b, img], outputs: out });
}
`;

// A shared layer declared apart and applied to two inputs; plain JS; the model returned directly.
const SHARED = `import * as tf from '@tensorflow/tfjs';

export function build() {
  const left = tf.input({ shape: [5] });
  const right = tf.input({ shape: [5] });
  const shared = tf.layers.dense({ units: 4, activation: 'tanh' });
  const sum = tf.layers.add().apply([shared.apply(left), shared.apply(right)]);
  return tf.model({ inputs: [left, right], outputs: tf.layers.dense({ units: 2 }).apply(sum) });
}
`;

function migrate(name: string, text: string): string {
  const r = transpileSource(`/project/${name}`, text, { layout: 'nchw', api });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.line}: ${d.message}`)).toEqual([]);
  expect(r.output).not.toContain('@tensorflow/tfjs');
  return r.output ?? "";
}

async function load<T>(name: string, code: string): Promise<T> {
  const file = join(OUT, name);
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as T;
}

/** tfjs's weights into the migrated module, layer by layer in graph order (Linear transposed, conv HWIO → OIHW). */
function copyWeights(tfModel: tf.LayersModel, module: nn.Module): void {
  const params = module.parameters();
  const tfWeights = tfModel.layers.flatMap((l) => l.getWeights());
  expect(params.length).toBe(tfWeights.length);
  params.forEach((p, i) => {
    const w = tfWeights[i];
    const values = w.rank === 2 ? tf.transpose(w) : w.rank === 4 ? tf.transpose(w, [3, 2, 0, 1]) : w;
    expect(p.shape).toEqual(values.shape);
    torch.noGrad(() => p.copy_(torch.tensor(Array.from(values.dataSync()), { dtype: 'float32' }).reshape(values.shape)));
  });
}

function randomInputs(shapes: number[][]): { tfIn: tf.Tensor[]; torchIn: torch.Tensor[] } {
  const tfIn = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 7 + i));
  return { tfIn, torchIn: tfIn.map((t) => torch.tensor(Array.from(t.dataSync()), { dtype: 'float32' }).reshape(t.shape)) };
}

describe('functional graphs the static rule cannot trace run on nn.GraphModule', () => {
  it('migrates helpers, dot attention, concatenate and a conv branch with no TODO, and predicts as tfjs does', async () => {
    const out = migrate('attention.ts', ATTENTION);
    for (const s of ['nn.input({ shape: [4, 6] })', 'new nn.GraphModule({ inputs: [a, b, img], outputs: out })', 'compat.layers.dot(xs, [2, 2])', 'nn.dim(img, -1)', 'x.permute(0, 3, 1, 2)']) expect(out).toContain(s);
    const original = await load<{ build: () => tf.LayersModel }>('attention_tfjs.ts', ATTENTION);
    const migrated = await load<{ build: () => nn.Module }>('attention.ts', out);
    const tfModel = original.build();
    const module = migrated.build();
    expect(module).toBeInstanceOf(nn.GraphModule);
    copyWeights(tfModel, module);
    module.eval();
    const { tfIn, torchIn } = randomInputs([[3, 4, 6], [3, 5, 7], [3, 6, 6, 2]]);
    const want = (tfModel.predict(tfIn) as tf.Tensor).arraySync() as number[][];
    const got = (module.forward(...torchIn) as torch.Tensor).tolist() as number[][];
    expect(got.length).toBe(3);
    got.flat().forEach((v, i) => expect(Math.abs(v - want.flat()[i])).toBeLessThan(1e-5));
  });

  it('a shared layer declared apart is one module applied twice (JS, model returned directly)', async () => {
    const out = migrate('shared.js', SHARED);
    expect(out).toContain('nn.apply(shared, left)');
    expect(out).toContain('nn.apply(shared, right)');
    const original = await load<{ build: () => tf.LayersModel }>('shared_tfjs.js', SHARED);
    const migrated = await load<{ build: () => nn.Module }>('shared.js', out);
    const tfModel = original.build();
    const module = migrated.build();
    // One shared dense (kernel + bias) and the output dense: four parameters, as tfjs has four weights.
    copyWeights(tfModel, module);
    const { tfIn, torchIn } = randomInputs([[4, 5], [4, 5]]);
    const want = (tfModel.predict(tfIn) as tf.Tensor).arraySync() as number[][];
    const got = (module.forward(...torchIn) as torch.Tensor).tolist() as number[][];
    got.flat().forEach((v, i) => expect(Math.abs(v - want.flat()[i])).toBeLessThan(1e-5));
  });

  it('compat.layers.dot is tfjs batchDot (ranks 2 and 3, every axes pair, normalize)', () => {
    const cases: { a: number[]; b: number[]; axes: number | [number, number]; normalize?: boolean }[] = [
      { a: [2, 5], b: [2, 5], axes: 1 },
      { a: [2, 5], b: [2, 5], axes: -1, normalize: true },
      { a: [2, 3, 4], b: [2, 5, 4], axes: [2, 2] },
      { a: [2, 3, 4], b: [2, 4, 5], axes: [2, 1] },
      { a: [2, 4, 3], b: [2, 4, 5], axes: [1, 1] },
      { a: [2, 4, 3], b: [2, 5, 4], axes: [1, 2], normalize: true },
    ];
    for (const c of cases) {
      const { tfIn, torchIn } = randomInputs([c.a, c.b]);
      const want = (tf.layers.dot({ axes: c.axes, normalize: c.normalize }).apply(tfIn) as tf.Tensor);
      const res = compat.layers.dot(torchIn, c.axes, c.normalize);
      expect(res.shape).toEqual(want.shape);
      const w = Array.from(want.dataSync());
      const g = res.reshape([-1]).tolist() as number[];
      expect(g.length).toBe(w.length);
      g.forEach((v, i) => expect(Math.abs(v - w[i])).toBeLessThan(1e-5));
    }
    expect(() => compat.layers.dot([torch.zeros([2, 3]), torch.zeros([2, 4])], 1)).toThrow(/contracted axes differ/);
    expect(() => compat.layers.dot([torch.zeros([2, 3, 4, 5]), torch.zeros([2, 3, 4, 5])], 1)).toThrow(/rank 2 or 3/);
  });

  it('nn.dim reads a known dimension and refuses one known only at run time', () => {
    const x = nn.input({ shape: [null, 6] });
    expect(nn.dim(x, -1)).toBe(6);
    expect(() => nn.dim(x, 1)).toThrow(/known only at run time/);
    expect(() => nn.dim(x, 3)).toThrow(/out of range/);
  });
});
