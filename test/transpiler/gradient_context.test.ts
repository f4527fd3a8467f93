// Custom training loops in the shape of a GAN (two models, two optimizers, minimize with a varList): predict inside
// a gradient function stays on the tape, a loss template that writes an impure argument twice evaluates it once,
// and an optimizer whose varList is declared after it is a TODO, not a read before declaration.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';
import { torch } from '../../runtime/index.js';

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
});
const migrate = (body: string) => transpileSource('/p/gan.ts', `import * as tf from '@tensorflow/tfjs';\n${body}`, { layout: 'nchw', api });

const MODELS = `const g = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
const d = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, activation: 'sigmoid' })] });
const z = tf.randomNormal([8, 4]);
`;

describe('predict inside a function given to a gradient API', () => {
  it.each([
    ['optimizer.minimize', "const opt = tf.train.sgd(0.1);\nopt.minimize(() => tf.mean(d.predict(g.predict(z) as tf.Tensor) as tf.Tensor) as tf.Scalar);"],
    ['tf.variableGrads', 'const r = tf.variableGrads(() => tf.mean(d.predict(g.predict(z) as tf.Tensor) as tf.Tensor) as tf.Scalar);'],
    ['a named function passed to minimize', "const opt = tf.train.sgd(0.1);\nconst lossFn = () => tf.mean(d.predict(g.predict(z) as tf.Tensor) as tf.Tensor) as tf.Scalar;\nopt.minimize(lossFn);"],
    ['a function declaration passed to tf.grads', "function f(z: tf.Tensor) { return tf.mean(d.predict(g.predict(z) as tf.Tensor) as tf.Tensor); }\nconst gs = tf.grads(f)([z]);"],
  ])('%s: model.eval().forward(x), no noGrad, so the gradient reaches both models', (_, loop) => {
    const r = migrate(`${MODELS}${loop}\nconst out = g.predict(z);\n`);
    const out = r.output!;
    expect(out).toContain('d.eval().forward(g.eval().forward(z) as torch.Tensor)');
    // Outside the gradient function predict is inference, as in tfjs.
    expect(out).toContain('const out = torch.noGrad(() => g.eval().forward(z));');
    expect(out.match(/noGrad/g)).toHaveLength(1);
    expect(r.diagnostics.map((d) => d.id)).toContain('predict-in-gradient');
  });
});

describe('a loss template that writes an argument twice', () => {
  it('binds an impure labels argument once (an arrow called at once) and gives tfjs\'s logLoss', () => {
    const r = migrate('const p = tf.tensor2d([[0.2], [0.9], [0.6]]);\nconst loss = tf.losses.logLoss(tf.onesLike(p), p);\n');
    const line = r.output!.split('\n').find((l) => l.startsWith('const loss'))!;
    expect(line).toMatch(/^const loss = \(\(_labels\) => torch\.neg\(.*\)\(torch\.onesLike\(p\)\);$/);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const code = line.replace(/^const loss = /, '').replace(/;$/, '');
    const p = torch.tensor([[0.2], [0.9], [0.6]]);
    const ours = (new Function('torch', 'p', `return ${code};`) as (t: typeof torch, p: unknown) => torch.Tensor)(torch, p).item();
    const pt = tf.tensor2d([[0.2], [0.9], [0.6]]);
    const theirs = tf.losses.logLoss(tf.onesLike(pt), pt).dataSync()[0];
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-6);
  });

  it('keeps the order of evaluation: every impure argument is bound, in tfjs\'s order', () => {
    const r = migrate('const p = tf.tensor2d([[0.2]]);\nconst loss = tf.losses.logLoss(tf.onesLike(p), tf.sigmoid(p));\n');
    expect(r.output).toMatch(/\(\(_labels, _predictions\) => .*\)\(torch\.onesLike\(p\), torch\.sigmoid\(p\)\)/);
  });
});

describe('an optimizer whose minimize varList is declared after it', () => {
  it('is a TODO naming what to pass, not a read of the list before its declaration', () => {
    const r = migrate(`const w = tf.variable(tf.zeros([2]));
const opt = tf.train.adam(0.01);
const vars = [w];
opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, true, vars);
`);
    expect(r.output).not.toMatch(/new optim\.Adam\(vars/);
    expect(r.diagnostics.map((d) => d.id)).toContain('optimizer-params-unknown');
  });

  it('declared before it: the list is passed', () => {
    const r = migrate(`const w = tf.variable(tf.zeros([2]));
const vars = [w];
const opt = tf.train.adam(0.01);
opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, true, vars);
`);
    expect(r.output).toMatch(/new optim\.Adam\(vars, \{ lr: 0\.01, eps: 1e-7 \}\)/);
  });
});
