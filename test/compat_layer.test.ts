/**
 * compat.layers.Layer (a migrated `class X extends tf.layers.Layer`) and compat.initializers against TensorFlow.js:
 * the same custom layer source written against both, weights copied, outputs compared; the build-on-first-call
 * contract; registration of the weights (optimizers and stateDict see them); the Module/`call` name clash; and the
 * initializers' fans and scales against tfjs's on large shapes (moments) and exact values for the deterministic ones.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compat, nn, optim, torch, Tensor } from '../runtime/index.js';

await tf.setBackend('cpu');

/** A gated dense layer: y = (x·W + b) ⊙ σ(x·G), with a non-trainable scale. Written as tfjs users write them. */
class TfGated extends tf.layers.Layer {
  static className = 'TfGated';
  units: number;
  kernel!: tf.LayerVariable;
  gate!: tf.LayerVariable;
  bias!: tf.LayerVariable;
  scale!: tf.LayerVariable;
  builtWith: (number | null)[] | null = null;
  constructor(config: { units: number; name?: string }) {
    super(config);
    this.units = config.units;
  }
  build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as (number | null)[];
    this.builtWith = s;
    const inDim = s[s.length - 1]!;
    this.kernel = this.addWeight('kernel', [inDim, this.units], 'float32', tf.initializers.glorotNormal({ seed: 1 }));
    this.gate = this.addWeight('gate', [inDim, this.units], 'float32', tf.initializers.heUniform({ seed: 2 }));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.scale = this.addWeight('scale', [1], 'float32', tf.initializers.constant({ value: 2 }), undefined, false);
    this.built = true;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return x.matMul(this.kernel.read()).add(this.bias.read()).mul(tf.sigmoid(x.matMul(this.gate.read()))).mul(this.scale.read());
    });
  }
  computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return [...(s as tf.Shape).slice(0, -1), this.units];
  }
}

/** The same class as the transpiler leaves it: tf.* → torch/compat, the bodies unchanged. */
class Gated extends compat.layers.Layer {
  static className = 'Gated';
  units: number;
  kernel!: compat.layers.LayerVariable;
  gate!: compat.layers.LayerVariable;
  bias!: compat.layers.LayerVariable;
  scale!: compat.layers.LayerVariable;
  builtWith: (number | null)[] | null = null;
  constructor(config: { units: number; name?: string }) {
    super(config);
    this.units = config.units;
  }
  build(inputShape: (number | null)[] | (number | null)[][]): void {
    const s = inputShape as (number | null)[];
    this.builtWith = s;
    const inDim = s[s.length - 1]!;
    this.kernel = this.addWeight('kernel', [inDim, this.units], 'float32', compat.initializers.glorotNormal({ seed: 1 }));
    this.gate = this.addWeight('gate', [inDim, this.units], 'float32', compat.initializers.heUniform({ seed: 2 }));
    this.bias = this.addWeight('bias', [this.units], 'float32', compat.initializers.zeros());
    this.scale = this.addWeight('scale', [1], 'float32', compat.initializers.constant({ value: 2 }), undefined, false);
    this.built = true;
  }
  call(inputs: Tensor | Tensor[]): Tensor {
    return torch.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return x.matmul(this.kernel.read()).add(this.bias.read()).mul(torch.sigmoid(x.matmul(this.gate.read()))).mul(this.scale.read());
    });
  }
}

const X = [[0.5, -1, 2], [1.5, 0.25, -0.75], [-2, 1, 0.5], [0, 0.3, -0.1]];

async function maxDiff(a: Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const x = await a.data() as ArrayLike<number>;
  const y = b.dataSync();
  return Math.max(...Array.from(y, (v, i) => Math.abs(v - x[i])));
}

describe('compat.layers.Layer', () => {
  it('builds on the first call with the input shape, then computes what the tfjs layer computes (weights copied)', async () => {
    const theirs = new TfGated({ units: 2 });
    const tfOut = theirs.apply(tf.tensor(X)) as tf.Tensor;
    const ours = new Gated({ units: 2 });
    expect(ours.built).toBe(false);
    ours.apply(torch.tensor(X)); // builds
    expect(ours.builtWith).toEqual([4, 3]);
    expect(theirs.builtWith).toEqual([4, 3]);
    theirs.getWeights().forEach((w, i) => [ours.kernel, ours.gate, ours.bias, ours.scale][[0, 1, 2, 3][i]].write(torch.tensor(Array.from(w.dataSync())).reshape(w.shape)));
    // tfjs lists trainable then non-trainable weights: kernel, gate, bias, scale.
    expect(theirs.getWeights().map((w) => w.shape)).toEqual([[3, 2], [3, 2], [2], [1]]);
    expect(await maxDiff(ours.apply(torch.tensor(X)) as Tensor, tfOut)).toBeLessThan(1e-6);
  });

  it('registers its weights: trainable ones as parameters (optimizers train them), the rest as buffers', () => {
    const model = new nn.Sequential(new Gated({ units: 2 }), new nn.Linear(2, 1));
    const x = torch.tensor(X);
    const y = torch.tensor([[1], [0], [-1], [0.5]]);
    model.call(x); // the Sequential builds the layer through Module's call
    const gated = model.at(0) as Gated;
    expect(gated.built).toBe(true);
    expect(Object.keys(model.stateDict())).toEqual(['0.vars.kernel', '0.vars.gate', '0.vars.bias', '0.vars.scale', '1.weight', '1.bias']);
    expect([...model.parameters()].length).toBe(5);
    const before = gated.kernel.read().clone();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const loss0 = model.forward(x).sub(y).square().mean().item();
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      model.forward(x).sub(y).square().mean().backward();
      opt.step();
    }
    expect(model.forward(x).sub(y).square().mean().item()).toBeLessThan(loss0);
    expect(gated.kernel.read().sub(before).abs().max().item()).toBeGreaterThan(0);
    expect(gated.scale.read().item()).toBe(2);
  });

  it('compat.layers.build builds with tfjs\'s symbolic shape, so an optimizer made next holds the weights', () => {
    const layer = compat.layers.build(new Gated({ units: 2 }), [null, 3]);
    expect(layer.builtWith).toEqual([null, 3]);
    expect(layer.built).toBe(true);
    expect([...layer.parameters()].map((p) => p.shape)).toEqual([[3, 2], [3, 2], [2]]);
    expect(compat.layers.build(layer, [null, 9])).toBe(layer); // built once
    expect(layer.builtWith).toEqual([null, 3]);
  });

  it('keeps Module.apply(fn) and names layers as tfjs does', () => {
    const a = new Gated({ units: 1 });
    const visited: string[] = [];
    a.apply((m: nn.Module) => { visited.push(m.constructor.name); });
    expect(visited).toEqual(['Gated']);
    expect(new Gated({ units: 1, name: 'mine' }).name).toBe('mine');
    expect(a.name).toMatch(/^gated_\d+$/);
  });

  it('refuses what it cannot carry: a regularizer, a missing initializer, a duplicate name', () => {
    class Bad extends compat.layers.Layer {
      build(): void {
        this.addWeight('w', [2], 'float32', compat.initializers.zeros(), { apply: () => 0 });
      }
    }
    expect(() => new Bad().apply(torch.zeros([1, 2]))).toThrow(/regularizer, which the runtime cannot attach.*add its penalty to the loss/);
    class NoInit extends compat.layers.Layer {
      build(): void { this.addWeight('w', [2]); }
    }
    expect(() => new NoInit().apply(torch.zeros([1, 2]))).toThrow(/needs an initializer/);
    class Twice extends compat.layers.Layer {
      build(): void { this.addWeight('w', [2], 'float32', compat.initializers.zeros()); this.addWeight('w', [2], 'float32', compat.initializers.zeros()); }
    }
    expect(() => new Twice().apply(torch.zeros([1, 2]))).toThrow(/duplicate weight name w/);
  });
});

describe('compat.initializers: tfjs\'s fans and scales', () => {
  const moments = (v: ArrayLike<number>) => {
    const a = Array.from(v);
    const m = a.reduce((s, x) => s + x, 0) / a.length;
    return { mean: m, std: Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length), max: Math.max(...a.map(Math.abs)) };
  };
  // bound: 2σ for the truncated normals (σ = √(scale/n)), √(3·scale/n) for the uniforms, with tfjs's fans.
  const cases: [string, (s: { seed?: number }) => compat.initializers.Initializer, (s: { seed?: number }) => { apply: (s: number[]) => tf.Tensor }, number[], number][] = [
    ['glorotNormal 2-D', compat.initializers.glorotNormal, tf.initializers.glorotNormal, [300, 200], 2 * Math.sqrt(1 / 250)],
    ['glorotUniform 2-D', compat.initializers.glorotUniform, tf.initializers.glorotUniform, [300, 200], Math.sqrt(3 / 250)],
    ['heNormal conv HWIO', compat.initializers.heNormal, tf.initializers.heNormal, [3, 3, 40, 64], 2 * Math.sqrt(2 / 360)],
    ['heUniform conv HWIO', compat.initializers.heUniform, tf.initializers.heUniform, [3, 3, 40, 64], Math.sqrt(6 / 360)],
    ['leCunNormal 1-D (√size fans)', compat.initializers.leCunNormal, tf.initializers.leCunNormal, [40000], 2 * Math.sqrt(1 / 200)],
    ['leCunUniform 3-D', compat.initializers.leCunUniform, tf.initializers.leCunUniform, [5, 60, 80], Math.sqrt(3 / 300)],
  ];
  it.each(cases)('%s: same std as tfjs (within 3%%), both inside the same bound and reaching it', (_n, ours, theirs, shape, bound) => {
    const a = moments(ours({ seed: 3 }).apply(shape).dataSync() as ArrayLike<number>);
    const b = moments(theirs({ seed: 3 }).apply(shape).dataSync());
    expect(Math.abs(a.mean)).toBeLessThan(0.05 * b.std);
    expect(a.std / b.std).toBeGreaterThan(0.97);
    expect(a.std / b.std).toBeLessThan(1.03);
    for (const m of [a.max, b.max]) {
      expect(m).toBeLessThanOrEqual(bound * (1 + 1e-6));
      expect(m).toBeGreaterThan(bound * 0.97);
    }
  });
  it('deterministic ones give tfjs\'s values, and a seed reproduces', () => {
    expect(Array.from(compat.initializers.constant({ value: 0.5 }).apply([2, 2]).dataSync() as ArrayLike<number>)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(compat.initializers.identity({ gain: 3 }).apply([2, 2]).dataSync() as ArrayLike<number>)).toEqual(Array.from(tf.initializers.identity({ gain: 3 }).apply([2, 2]).dataSync()));
    const g = () => Array.from(compat.initializers.glorotUniform({ seed: 11 }).apply([4, 4]).dataSync() as ArrayLike<number>);
    expect(g()).toEqual(g());
  });
});
