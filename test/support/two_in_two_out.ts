/**
 * One model built twice with the same weights: a tfjs functional model with two inputs and two outputs (a
 * regression head 'reg' and a softmax head 'cls') and its runtime nn.Module, plus data for it and tfjs's
 * per-sample losses written on the runtime. The multi-output fit/evaluate/trainOnBatch/fitDataset tests share it.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { torch, nn, type Tensor } from 'torchbridge';

export const N = 12;
const data = (n: number, d: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => f(i * d + j)));
export const X1 = data(N, 3, (i) => Math.sin(i * 0.37));
export const X2 = data(N, 2, (i) => Math.cos(i * 0.53));
export const Y1 = data(N, 2, (i) => Math.sin(i * 0.11));
export const CLS = Array.from({ length: N }, (_, i) => (i * 7) % 3);
export const Y2 = CLS.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));

/** tfjs's per-sample losses, written on the runtime. */
export const mseRows = (p: torch.Tensor, t: torch.Tensor) => p.sub(t).pow(2).mean(-1);
export const cceRows = (p: torch.Tensor, t: torch.Tensor) => torch.neg(torch.mul(t, torch.log(torch.clamp(torch.div(p, torch.sum(p, -1, true)), 1e-7, 1 - 1e-7))).sum(-1));

/** The kernel of a tfjs Dense as a Linear weight ([in, out] → [out, in]). */
export const asLinear = (l: tf.layers.Layer, m: nn.Linear) => {
  const [k, b] = l.getWeights();
  m.loadStateDict({ weight: torch.tensor(k.transpose().arraySync() as number[][]), bias: torch.tensor(b.arraySync() as number[]) });
};

export class TwoInTwoOut extends nn.Module {
  a = new nn.Linear(3, 4);
  b = new nn.Linear(2, 3);
  c = new nn.Linear(7, 2);
  d = new nn.Linear(7, 3);
  forward(x1: torch.Tensor, x2: torch.Tensor): torch.Tensor[] {
    const h = torch.cat([torch.relu(this.a.forward(x1)), torch.tanh(this.b.forward(x2))], -1);
    return [this.c.forward(h), torch.softmax(this.d.forward(h), -1)];
  }
}

export function tfjsTwoInTwoOut(): tf.LayersModel {
  const a = tf.input({ shape: [3], name: 'in1' });
  const b = tf.input({ shape: [2], name: 'in2' });
  const ha = tf.layers.dense({ units: 4, activation: 'relu', name: 'a' }).apply(a) as tf.SymbolicTensor;
  const hb = tf.layers.dense({ units: 3, activation: 'tanh', name: 'b' }).apply(b) as tf.SymbolicTensor;
  const h = tf.layers.concatenate().apply([ha, hb]) as tf.SymbolicTensor;
  const c = tf.layers.dense({ units: 2, name: 'reg' }).apply(h) as tf.SymbolicTensor;
  const d = tf.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [a, b], outputs: [c, d] });
}

/** The tfjs model (compiled with SGD(lr), mse + cce) and the runtime module with its weights. */
export function twoInTwoOutPair(lr: number): { ref: tf.LayersModel; model: TwoInTwoOut } {
  const ref = tfjsTwoInTwoOut();
  ref.compile({ optimizer: tf.train.sgd(lr), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
  const model = new TwoInTwoOut();
  for (const [name, m] of [['a', model.a], ['b', model.b], ['reg', model.c], ['cls', model.d]] as const) asLinear(ref.getLayer(name), m);
  return { ref, model };
}

/** Every weight of the runtime module close to tfjs's (Dense kernels transposed). */
export function weightsOf(ref: tf.LayersModel, model: TwoInTwoOut): { ref: number[]; ours: number[] } {
  const r: number[] = [];
  const o: number[] = [];
  for (const [name, m] of [['a', model.a], ['b', model.b], ['reg', model.c], ['cls', model.d]] as const) {
    const [k, b] = ref.getLayer(name).getWeights();
    r.push(...(k.transpose().dataSync() as Float32Array), ...(b.dataSync() as Float32Array));
    o.push(...(m.weight.toArray() as number[][]).flat(), ...(m.bias!.toArray() as number[]));
  }
  return { ref: r, ours: o };
}

/** The data as each side takes it (fresh tensors per call), and results read back as numbers. */
export const tfX = () => [tf.tensor2d(X1), tf.tensor2d(X2)];
export const tfY = () => [tf.tensor2d(Y1), tf.tensor2d(Y2)];
export const ourX = () => [torch.tensor(X1), torch.tensor(X2)];
export const ourY = () => [torch.tensor(Y1), torch.tensor(Y2)];
export const values = (ts: tf.Scalar | tf.Scalar[]) => (Array.isArray(ts) ? ts : [ts]).map((t) => t.dataSync()[0]);
export const ours = (ts: Tensor | Tensor[]) => (Array.isArray(ts) ? ts : [ts]).map((t) => t.item());
/** Every value close to tfjs's, as many of them. */
export const closeAll = (got: number[], want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i], `value ${i}`).toBeCloseTo(w, digits));
};
