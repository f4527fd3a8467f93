/**
 * tf.layers.bidirectional migrated (transpiler/rules/model_code.ts bidirectionalPlan → the RNN module with
 * bidirectional: true and compat.layers.bidirectionalMerge): the migrated module, given the tfjs layer's forward and
 * backward weights (kernels transposed, a GRU's gates reordered z, r, h → r, z, n; tfjs's one bias as bias_ih, bias_hh
 * zero), computes tfjs's output and input gradient for every merge mode, with and without returnSequences, for LSTM,
 * GRU and SimpleRNN. The migrated code is the transpiler's own output, imported and run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { compat, nn, torch, type Tensor } from '../runtime/index.js';
import { transpileSource } from '../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../mappings/runtime_api.js';
import { gruGates } from '../difftest/program/layout.js';
import { maxAbsDiff, randomInput, randomizeWeights } from './support/tfjs_models.js';

type Case = [rnn: 'lstm' | 'gru' | 'simpleRNN', mergeMode: 'concat' | 'sum' | 'mul' | 'ave', returnSequences: boolean];
const CASES: Case[] = [
  ['lstm', 'concat', false], ['lstm', 'concat', true], ['lstm', 'sum', false], ['lstm', 'ave', true],
  ['gru', 'concat', false], ['gru', 'mul', true], ['simpleRNN', 'concat', true], ['simpleRNN', 'sum', false],
];
const [T, F, U] = [5, 3, 4];

let api: RuntimeApi;
let dir: string;
beforeAll(async () => {
  api = await loadRuntimeApi();
  dir = mkdtempSync(join(import.meta.dirname, '.tmp-bidirectional-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tensor = (w: tf.Tensor, cls: string, kind: 'kernel' | 'bias') => {
  const v = w.dataSync();
  if (cls === 'GRU') {
    const g = gruGates(v, w.shape, kind === 'kernel');
    return torch.tensor(Array.from(g.data), { shape: g.shape });
  }
  const t = torch.tensor(Array.from(v), { shape: w.shape });
  return kind === 'kernel' ? t.transpose(0, 1).contiguous() : t;
};

describe('tf.layers.bidirectional ≡ its migration', () => {
  it.each(CASES)('%s, mergeMode %s, returnSequences %s', async (rnn, mergeMode, returnSequences) => {
    const src = `import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.bidirectional({ layer: tf.layers.${rnn}({ units: ${U}, returnSequences: ${returnSequences} }) as tf.RNN, mergeMode: '${mergeMode}', inputShape: [${T}, ${F}] }));
  return model;
}
`;
    const file = join(dir, `${rnn}_${mergeMode}_${returnSequences}.ts`);
    const r = transpileSource(file, src, { layout: 'nchw', api });
    expect(r.output).not.toContain('TODO');
    expect(r.output).toContain(`bidirectional: true`);
    expect(r.output).toContain(`compat.layers.bidirectionalMerge(x, '${mergeMode}', ${returnSequences})`);
    writeFileSync(file, r.output!);
    const module = ((await import(pathToFileURL(file).href)) as { build(): nn.Module }).build();

    const layer = tf.layers.bidirectional({ layer: tf.layers[rnn]({ units: U, returnSequences }) as tf.RNN, mergeMode, inputShape: [T, F] });
    const ref = tf.sequential({ layers: [layer] });
    randomizeWeights(ref, 5);
    const cls = { lstm: 'LSTM', gru: 'GRU', simpleRNN: 'SimpleRNN' }[rnn];
    const w = ref.getWeights();
    const m = [...module.modules()].find((x): x is nn.LSTM => x instanceof nn.LSTM || x instanceof nn.GRU || x instanceof nn.RNN)!;
    const G = w[0].shape[1] as number;
    m.loadStateDict({
      weight_ih_l0: tensor(w[0], cls, 'kernel'), weight_hh_l0: tensor(w[1], cls, 'kernel'), bias_ih_l0: tensor(w[2], cls, 'bias'), bias_hh_l0: torch.zeros([G]),
      weight_ih_l0_reverse: tensor(w[3], cls, 'kernel'), weight_hh_l0_reverse: tensor(w[4], cls, 'kernel'), bias_ih_l0_reverse: tensor(w[5], cls, 'bias'), bias_hh_l0_reverse: torch.zeros([G]),
    });

    const xv = randomInput([2, T, F], 3);
    const x = tf.tensor(xv, [2, T, F]);
    const y = ref.predict(x) as tf.Tensor;
    const gv = randomInput(y.shape, 9);
    const dx = tf.grad((t: tf.Tensor) => (ref.apply(t) as tf.Tensor).mul(tf.tensor(gv, y.shape)).sum())(x);
    const cx = torch.tensor(Array.from(xv), { shape: [2, T, F] }).requiresGrad_();
    const cy = module.forward(cx) as Tensor;
    expect(cy.shape).toEqual(y.shape);
    expect(maxAbsDiff(cy.contiguous().dataSync(), y.dataSync())).toBeLessThan(1e-5);
    cy.mul(torch.tensor(Array.from(gv), { shape: y.shape })).sum().backward();
    expect(maxAbsDiff(cx.grad!.contiguous().dataSync(), dx.dataSync())).toBeLessThan(1e-5);
  });

  it("mergeMode null is refused with what to do; a non-recurrent wrapped layer too", () => {
    const one = (cfg: string) => transpileSource(join(dir, 'refused.ts'), `import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.bidirectional({ ${cfg}, inputShape: [${T}, ${F}] }));\n`, { layout: 'nchw', api }).output!;
    expect(one(`layer: tf.layers.lstm({ units: 2 }) as tf.RNN, mergeMode: null`)).toMatch(/bidirectional mergeMode null: null returns the two directions as two tensors/);
    expect(one(`layer: tf.layers.dense({ units: 2 }) as unknown as tf.RNN`)).toMatch(/bidirectional\(tf\.layers\.dense\): only recurrent layers/);
  });
});

describe('compat.layers.bidirectionalMerge', () => {
  it("picks the forward direction's last step and the reverse direction's first when returnSequences is false", () => {
    // [N = 1, T = 3, 2H = 4]: step t = [10t, 10t + 1 | 10t + 2, 10t + 3]
    const out = torch.tensor([[[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]]);
    expect(compat.layers.bidirectionalMerge(out, 'concat', false).toArray()).toEqual([[20, 21, 2, 3]]);
    expect(compat.layers.bidirectionalMerge(out, 'sum', false).toArray()).toEqual([[22, 24]]);
    expect(compat.layers.bidirectionalMerge(out, 'ave', true).toArray()).toEqual([[[1, 2], [11, 12], [21, 22]]]);
    expect(() => compat.layers.bidirectionalMerge(out, 'max' as never, true)).toThrow(/mergeMode must be one of concat, sum, mul, ave/);
    expect(() => compat.layers.bidirectionalMerge(torch.zeros([2, 3]), 'sum', true)).toThrow(/expected a bidirectional RNN's batch-first output/);
  });
});
