/**
 * compat.layers.Activation: a tfjs activation named at run time. Name by name it computes what the migration writes
 * for the literal name (mappings/compile.ts ACTIVATIONS, the snippet evaluated) and what tfjs's own activation layer
 * computes; both tables know the same names. The migration emits it for a non-literal `activation`.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compat, F, torch } from '../runtime/index.js';
import { ACTIVATIONS } from '../mappings/compile.js';
import { ACTIVATION_NAMES } from '../runtime/compat/activation.js';
import { transpileSource } from '../transpiler/index.js';
import { loadRuntimeApi } from '../mappings/runtime_api.js';

const X = [[-2.5, -0.3, 0, 0.4, 1.7, 3.1], [0.9, -1.2, 2.2, -0.05, 0.6, -3.3]];

describe('compat.layers.Activation', () => {
  it('knows the names the migration knows', () => {
    expect([...ACTIVATION_NAMES].sort()).toEqual(Object.keys(ACTIVATIONS).sort());
  });

  it.each(Object.keys(ACTIVATIONS))("'%s' computes the migration's snippet and tfjs's activation", async (name) => {
    await tf.setBackend('cpu');
    const x = torch.tensor(X, { dtype: 'float32' });
    const got = Array.from(new compat.layers.Activation(name).forward(x).contiguous().dataSync());
    const spec = ACTIVATIONS[name];
    const snippet = spec ? new Function('torch', 'F', 'x', `return ${spec.fn.replace(/\$x/g, 'x').replace(/\$dim/g, '-1')};`)(torch, F, x) as torch.Tensor : x;
    Array.from(snippet.contiguous().dataSync()).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    const ref = (tf.layers.activation({ activation: name as never }).apply(tf.tensor(X)) as tf.Tensor).dataSync();
    Array.from(ref).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  });

  it('undefined is linear; an unknown name is an error naming it', () => {
    expect(new compat.layers.Activation(undefined).forward(torch.tensor([1, -2])).toArray()).toEqual([1, -2]);
    expect(() => new compat.layers.Activation('leaky')).toThrow(/unknown activation "leaky" \(tfjs's names: linear, relu/);
  });

  it("the migration emits it for an activation that is not a literal", async () => {
    const src = "import * as tf from '@tensorflow/tfjs';\nexport function build(act: string) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ units: 3, activation: act as any, inputShape: [4] }));\n  return model;\n}\n";
    const r = transpileSource('/tmp/act.ts', src, { layout: 'nchw', api: await loadRuntimeApi() });
    expect(r.output).toContain('new compat.layers.Activation(act as any, -1)');
    expect(r.output).not.toContain('TODO');
  });
});
