/**
 * What the layer-migration tests share: a tfjs sequential program migrated by the transpiler, written, imported
 * and run beside tfjs itself on random weights (biases too), its output, input gradient and weight gradients
 * compared. The tfjs reference is built from the very layer texts the program holds.
 */
import { expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { nn, torch, type Tensor } from '../../runtime/index.js';
import { transpileSource } from '../../transpiler/index.js';
import type { RuntimeApi } from '../../mappings/runtime_api.js';
import { maxAbsDiff, randomInput, randomizeWeights } from './tfjs_models.js';

/** A tfjs weight (values, shape) in the runtime's layout. */
export type Convert = (t: Tensor) => Tensor;
/** For each of the tfjs model's trainable weights, in order: the runtime parameter it is, and its layout change. */
export type WeightMap = (module: nn.Module) => Array<[param: Tensor, convert: Convert]>;

export interface Migrated {
  code: string;
  module: nn.Module;
}

export async function migrateLayers(dir: string, file: string, layers: string[], api: RuntimeApi): Promise<Migrated> {
  const src = `import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
${layers.map((l) => `  model.add(${l});`).join('\n')}
  return model;
}
`;
  const path = join(dir, file);
  const r = transpileSource(path, src, { layout: 'nchw', api });
  expect(r.output, JSON.stringify(r.diagnostics)).not.toContain('torchbridge: TODO');
  writeFileSync(path, r.output!);
  const mod = (await import(pathToFileURL(path).href)) as { build(): nn.Module };
  return { code: r.output!, module: mod.build() };
}

const tensorOf = (t: tf.Tensor): Tensor => torch.tensor(Array.from(t.dataSync()), { shape: t.shape });

/**
 * Runs the migrated module and the tfjs model (built from the same layer texts) on one random batch: outputs,
 * the input gradient and every weight gradient (through `weights`' layout change) agree within `tol`.
 */
export function compareWithTfjs(m: Migrated, layers: string[], inputShape: number[], weights: WeightMap | null, seed: number, opts: { tol?: number; batch?: number; grads?: boolean; eagerLast?: boolean } = {}): void {
  const tol = opts.tol ?? 1e-5;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  // eagerLast: the last layer is applied to the model's output eagerly (a layer tfjs cannot run inside a model).
  const inModel = opts.eagerLast ? layers.slice(0, -1) : layers;
  const model = new Function('tf', `return tf.sequential({ layers: [${inModel.join(', ')}] });`)(tf) as tf.Sequential;
  const last = opts.eagerLast ? new Function('tf', `return ${layers[layers.length - 1]};`)(tf) as tf.layers.Layer : null;
  const ref = { trainableWeights: model.trainableWeights, apply: (t: tf.Tensor, kw?: { training: boolean }) => {
    const y = model.apply(t, kw) as tf.Tensor;
    return last ? (last.apply(y) as tf.Tensor) : y;
  } };
  randomizeWeights(model, seed);
  const pairs = weights ? weights(m.module) : [];
  const tfWeights = ref.trainableWeights.map((w) => w.read() as tf.Variable);
  expect(pairs.length).toBe(tfWeights.length);
  torch.noGrad(() => pairs.forEach(([p, convert], i) => {
    const v = convert(tensorOf(tfWeights[i]));
    expect(p.shape, `weight ${i} (${tfWeights[i].name})`).toEqual(v.shape);
    p.copy_(v);
  }));

  const xShape = [opts.batch ?? 2, ...inputShape];
  const xv = randomInput(xShape, seed + 1);
  const x = tf.tensor(xv, xShape);
  const y = ref.apply(x, { training: false }) as tf.Tensor;
  if (opts.grads === false) {
    m.module.eval();
    const out = torch.noGrad(() => m.module.forward(torch.tensor(Array.from(xv), { shape: xShape }))) as Tensor;
    expect(out.shape).toEqual(y.shape);
    expect(maxAbsDiff(out.flatten().toArray() as number[], y.dataSync()), 'output').toBeLessThan(tol);
    return;
  }
  const gv = randomInput(y.shape, seed + 2);
  const gy = tf.tensor(gv, y.shape);
  const dx = tf.grad((t: tf.Tensor) => (ref.apply(t) as tf.Tensor).mul(gy).sum())(x);
  const { grads } = tf.variableGrads(() => (ref.apply(x) as tf.Tensor).mul(gy).sum() as tf.Scalar, tfWeights);

  m.module.eval();
  const cx = torch.tensor(Array.from(xv), { shape: xShape }).requiresGrad_();
  const cy = m.module.forward(cx) as Tensor;
  expect(cy.shape).toEqual(y.shape);
  expect(maxAbsDiff(cy.flatten().toArray() as number[], y.dataSync()), 'output').toBeLessThan(tol);
  cy.mul(torch.tensor(Array.from(gv), { shape: y.shape })).sum().backward();
  expect(maxAbsDiff(cx.grad!.flatten().toArray() as number[], dx.dataSync()), 'input gradient').toBeLessThan(tol);
  pairs.forEach(([p, convert], i) => {
    const want = convert(tensorOf(grads[tfWeights[i].name]));
    expect(maxAbsDiff(p.grad!.flatten().toArray() as number[], want.flatten().toArray() as number[]), `gradient of ${tfWeights[i].name}`).toBeLessThan(tol * 10);
  });
}

/** The migrated module's nn.Conv2d modules, in order. */
export const convs = (m: nn.Module): nn.Conv2d[] => [...m.modules()].filter((c): c is nn.Conv2d => c instanceof nn.Conv2d);
/** A tfjs conv2d kernel [kh, kw, in, out] as an nn.Conv2d weight [out, in, kh, kw]. */
export const hwioToOihw: Convert = (t) => t.permute([3, 2, 0, 1]).contiguous();
export const same: Convert = (t) => t;
