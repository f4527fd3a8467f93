/**
 * Functional graphs (nn.input, module.forward on symbolic tensors, nn.GraphModule) against tfjs's functional API:
 * the same graph with the same weights predicts and differentiates as tf.model does; shapes, sharing, nesting,
 * lazy modules built at construction, running statistics untouched by recording; errors name the input.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nn, torch, Tensor } from '../runtime/index.js';

const seq = (n: number, seed: number) => {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
};
const flat = (t: Tensor) => t.flatten().toArray() as number[];
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Copies a tfjs dense layer's kernel [in, out] and bias into a runtime Linear (weight [out, in]). */
function copyDense(layer: tf.layers.Layer, linear: nn.Linear) {
  const [k, b] = layer.getWeights();
  torch.noGrad(() => {
    linear.weight.copy_(torch.tensor(Array.from(k.dataSync()), { dtype: 'float32', shape: k.shape }).t());
    linear.bias!.copy_(torch.tensor(Array.from(b.dataSync()), { dtype: 'float32' }));
  });
}

function twoInputShared() {
  // tfjs: a dense layer shared by two inputs, concatenated, a dense head.
  const tA = tf.input({ shape: [4] });
  const tB = tf.input({ shape: [4] });
  const tShared = tf.layers.dense({ units: 5, activation: 'relu' });
  const tHead = tf.layers.dense({ units: 2 });
  const tCat = tf.layers.concatenate().apply([tShared.apply(tA), tShared.apply(tB)] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
  const tModel = tf.model({ inputs: [tA, tB], outputs: tHead.apply(tCat) as tf.SymbolicTensor });
  // runtime: the same graph, sizes inferred by lazy modules.
  const a = nn.input({ shape: [4] });
  const b = nn.input({ shape: [4] });
  const dense = new nn.LazyLinear(5);
  const shared = new nn.Sequential(dense, new nn.ReLU());
  const head = new nn.LazyLinear(2);
  const cat = nn.apply(new nn.Lambda((xs: Tensor[]) => torch.cat(xs, -1), 'concatenate'), [nn.apply(shared, a), nn.apply(shared, b)]);
  const model = new nn.GraphModule({ inputs: [a, b], outputs: nn.apply(head, cat) });
  copyDense(tShared, dense as unknown as nn.Linear);
  copyDense(tHead, head as unknown as nn.Linear);
  return { tModel, model, dense, head };
}

describe('nn.GraphModule ≡ tf.model', () => {
  it('a two-input graph with a shared layer predicts as tfjs', () => {
    const { tModel, model } = twoInputShared();
    const xa = seq(3 * 4, 1), xb = seq(3 * 4, 2);
    const ref = tModel.predict([tf.tensor2d(xa, [3, 4]), tf.tensor2d(xb, [3, 4])]) as tf.Tensor;
    const ours = model.forward(torch.tensor(xa, { dtype: 'float32', shape: [3, 4] }), torch.tensor(xb, { dtype: 'float32', shape: [3, 4] })) as Tensor;
    expect(ours.shape).toEqual([3, 2]);
    close(flat(ours), ref.dataSync());
    // The inputs as one array, as tfjs's predict takes them.
    const again = model.forward([torch.tensor(xa, { dtype: 'float32', shape: [3, 4] }), torch.tensor(xb, { dtype: 'float32', shape: [3, 4] })]) as Tensor;
    close(flat(again), ref.dataSync());
  });

  it('gradients through the shared layer accumulate as tfjs’s', () => {
    const { tModel, model, dense, head } = twoInputShared();
    const xa = seq(3 * 4, 3), xb = seq(3 * 4, 4);
    const { grads } = tf.variableGrads(() => (tModel.predict([tf.tensor2d(xa, [3, 4]), tf.tensor2d(xb, [3, 4])]) as tf.Tensor).square().sum() as tf.Scalar);
    const byName = (part: string) => Object.entries(grads).filter(([k]) => k.includes(part)).map(([, v]) => v);
    const [kShared] = byName(tModel.layers[2].name);
    const [kHead] = byName(tModel.layers[4].name);
    (model.forward(torch.tensor(xa, { dtype: 'float32', shape: [3, 4] }), torch.tensor(xb, { dtype: 'float32', shape: [3, 4] })) as Tensor).square().sum().backward();
    close(flat((dense as unknown as nn.Linear).weight.grad!.t()), kShared.dataSync(), 1e-4);
    close(flat((head as unknown as nn.Linear).weight.grad!.t()), kHead.dataSync(), 1e-4);
  });

  it('nn.apply on tensors computes, as tfjs’s layer.apply does', () => {
    const lin = new nn.Linear(2, 1);
    const t = torch.tensor([[1, 2]], { dtype: 'float32' });
    expect(flat(nn.apply(lin, t))).toEqual(flat(lin.forward(t)));
  });

  it('registers each module once, in run order, with stable state-dict keys', () => {
    const { model } = twoInputShared();
    expect(model.layers.length).toBe(3);
    expect(Object.keys(model.stateDict())).toEqual(['sequential_0.0.weight', 'sequential_0.0.bias', 'linear_0.weight', 'linear_0.bias']);
    expect(Object.keys(Object.fromEntries(model.namedChildren()))).toEqual(['sequential_0', 'lambda_0', 'linear_0']);
    expect(model.parameters().length).toBe(4);
  });
});

describe('symbolic recording', () => {
  it('gives tfjs-style shapes: the batch and other run-time sizes are null', () => {
    const x = nn.input({ shape: [null, 3] });
    expect(x.shape).toEqual([null, null, 3]);
    const y = nn.apply(new nn.Linear(3, 5), x);
    expect(y.shape).toEqual([null, null, 5]);
    const z = nn.apply(new nn.Flatten(), nn.input({ shape: [2, 3] }));
    expect(z.shape).toEqual([null, 6]);
    expect(nn.input({ batchShape: [8, 2] }).shape).toEqual([8, 2]);
  });

  it('builds lazy modules at construction, as Keras builds a layer on its first symbolic call', () => {
    const lazy = new nn.LazyLinear(7);
    expect(nn.isLazy(lazy)).toBe(true);
    nn.apply(lazy, nn.input({ shape: [11] }));
    expect(nn.isLazy(lazy)).toBe(false);
    expect((lazy as unknown as nn.Linear).weight.shape).toEqual([7, 11]);
  });

  it('leaves batch-norm running statistics and training modes as they were', () => {
    const bn = new nn.BatchNorm1d(3);
    const before = flat(bn.stateDict()['running_mean'] as Tensor);
    const out = nn.apply(bn, nn.input({ shape: [3] }));
    expect(bn.training).toBe(true);
    expect(flat(bn.stateDict()['running_mean'] as Tensor)).toEqual(before);
    const g = new nn.GraphModule({ inputs: (out.node!.args[0] as nn.SymbolicTensor), outputs: out });
    g.forward(torch.tensor([[1, 2, 3], [3, 4, 5]], { dtype: 'float32' }));
    expect(flat(bn.stateDict()['running_mean'] as Tensor)).not.toEqual(before);
  });

  it('nests: a graph module applied to symbolic tensors is one node of another graph', () => {
    const inner = (() => {
      const x = nn.input({ shape: [2] });
      return new nn.GraphModule({ inputs: x, outputs: nn.apply(new nn.Linear(2, 2), x) });
    })();
    const x = nn.input({ shape: [2] });
    const outer = new nn.GraphModule({ inputs: x, outputs: nn.apply(new nn.ReLU(), nn.apply(inner, x)) });
    const t = torch.tensor([[1, -1]], { dtype: 'float32' });
    expect(flat(outer.forward(t) as Tensor)).toEqual(flat((inner.forward(t) as Tensor).relu()));
    expect(outer.parameters().length).toBe(2);
  });

  it('several outputs come back as an array, a module returning arrays binds each', () => {
    const x = nn.input({ shape: [4] });
    const [p, q] = nn.apply(new nn.Lambda((t: Tensor) => torch.chunk(t, 2, -1)), x) as unknown as nn.SymbolicTensor[];
    expect(p.shape).toEqual([null, 2]);
    const g = new nn.GraphModule({ inputs: x, outputs: [q, p] });
    const [a, b] = g.forward(torch.tensor([[1, 2, 3, 4]], { dtype: 'float32' })) as Tensor[];
    expect([flat(a), flat(b)]).toEqual([[3, 4], [1, 2]]);
  });
});

describe('nn.GraphModule errors name the input and what to do', () => {
  it('a disconnected graph, a wrong input, a failing layer', () => {
    const a = nn.input({ shape: [2], name: 'a' });
    const b = nn.input({ shape: [2], name: 'b' });
    const y = nn.apply(new nn.Lambda((u: Tensor, v: Tensor) => u.add(v)), a, b);
    expect(() => new nn.GraphModule({ inputs: a, outputs: y })).toThrow(/disconnected: outputs\[0\] .* depends on the input b, which is not in inputs/);
    const g = new nn.GraphModule({ inputs: [a, b], outputs: y });
    expect(() => g.forward(torch.zeros([1, 2]))).toThrow(/expected 2 input\(s\) \(a, b\), got 1/);
    expect(() => g.forward(torch.zeros([1, 3]), torch.zeros([1, 2]))).toThrow(/input a expects shape \[any, 2\], got \[1, 3\]/);
    expect(() => nn.apply(new nn.Linear(3, 2), nn.input({ shape: [4] }))).toThrow(/applying Linear to symbolic input\(s\) of shape \[-1, 4\]/);
    expect(() => new nn.GraphModule({ inputs: y, outputs: y })).toThrow(/not a graph input made by nn.input/);
    expect(() => nn.input({ shape: [2], batchShape: [1, 2] })).toThrow(/exactly one of shape/);
    expect(() => nn.apply(3 as never, a)).toThrow(/nn.apply: expected a module/);
  });
});
