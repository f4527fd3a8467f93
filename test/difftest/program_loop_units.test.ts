// The custom-loop diff's pure parts: instrumenting a loop program, pairing variables, the child's stderr tail.
import { describe, expect, test } from 'vitest';
import { stderrTail } from '../../difftest/program/child_error.js';
import { instrumentProgram, InstrumentError } from '../../difftest/program/instrument.js';
import { pairOptimizers, pairVariables } from '../../difftest/program/loop_pairing.js';

describe('instrumentProgram on custom loops', () => {
  const ref = [
    "import * as tf from '@tensorflow/tfjs';",
    'const w = tf.variable(tf.zeros([2]));',
    'const opt = tf.train.sgd(0.1);',
    'opt.minimize(() => w.square().sum() as tf.Scalar);',
  ].join('\n');

  test('a minimize loop is instrumented (probe imported on line 1, line numbers kept) and its variables named', () => {
    const out = instrumentProgram('loop.ts', ref, 'reference', 'file:///probe.ts');
    expect(out.customLoop).toBe(true);
    expect(out.fitCalls).toBe(0);
    const lines = out.text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('import "file:///probe.ts"; import * as __tb from "file:///probe.ts"; import * as tf from \'@tensorflow/tfjs\';');
    expect(lines[1]).toBe("const w = __tb.declared(tf.variable(tf.zeros([2])), \"w\");");
    expect(lines[3]).toBe('opt.minimize(() => w.square().sum() as tf.Scalar);');
  });

  test('applyGradients counts as a loop; a program with a fit keeps the fit path; step() needs a backward()', () => {
    expect(instrumentProgram('g.ts', 'const { grads } = tf.variableGrads(f);\nopt.applyGradients(grads);\n', 'reference', 'file:///p.ts').customLoop).toBe(true);
    expect(instrumentProgram('f.ts', 'opt.minimize(f);\nawait model.fit(x, y, {});\n', 'reference', 'file:///p.ts').customLoop).toBe(false);
    const cand = "import { torch } from 'torchbridge';\nopt.zeroGrad();\nloss.backward();\nopt.step();\n";
    expect(instrumentProgram('c.ts', cand, 'candidate', 'file:///p.ts').customLoop).toBe(true);
    expect(() => instrumentProgram('c.ts', "import { torch } from 'torchbridge';\nscheduler.step();\n", 'candidate', 'file:///p.ts')).toThrow(InstrumentError);
    expect(() => instrumentProgram('n.ts', 'tf.variableGrads(f);\n', 'reference', 'file:///p.ts')).toThrow(/n\.ts: found nothing to probe/);
  });

  test('a shebang stays first', () => {
    const out = instrumentProgram('s.ts', `#!/usr/bin/env node\n${ref}`, 'reference', 'file:///probe.ts');
    expect(out.text.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(out.text.split('\n')[1]).toMatch(/^import "file:\/\/\/probe\.ts"; .*import \* as tf/);
  });
});

describe('pairVariables', () => {
  const v = (name: string, shape: number[], label?: string) => ({ name, shape, label });
  const t = (...shape: number[]) => ({ shape });
  const ref = [v('0', [2, 3], 'w'), v('1', [3], 'b')];

  test('the optimizer\'s params pair by position when counts and shapes agree', () => {
    const [w, b] = [t(2, 3), t(3)];
    const p = pairVariables(ref, [w, b], [w, b]);
    expect(p.problems).toEqual([]);
    expect(p.pairs.map((x) => [x.refIndex, x.tensor, x.candidate, x.inOptimizer])).toEqual([[0, w, 'params[0]', true], [1, b, 'params[1]', true]]);
  });

  test('a variable left out of the optimizer is paired by creation order and named', () => {
    const [w, b] = [t(2, 3), t(3)];
    const p = pairVariables(ref, [w], [w, b]);
    expect(p.pairs.map((x) => [x.candidate, x.inOptimizer])).toEqual([['leaf #0', true], ['leaf #1', false]]);
    expect(p.problems).toEqual([expect.stringMatching(/^variable 'b' \(#1, tfjs variable '1', shape \[3\]\) is updated by the original's optimizer, but .* is not in the migrated optimizer's params/)]);
  });

  test('counts or shapes that do not pair are reported, what pairs is kept, nothing throws', () => {
    const p = pairVariables(ref, [t(3, 2), t(3), t(1)], []);
    expect(p.pairs.map((x) => x.refIndex)).toEqual([1]);
    expect(p.problems).toHaveLength(2);
    expect(p.problems[0]).toMatch(/updates 2 variable\(s\) \[2, 3\] \[3\], the migrated optimizer has 3 param\(s\) \[3, 2\] \[3\] \[1\]/);
    expect(p.problems[1]).toMatch(/variable 'w' .* pairs with the migrated optimizer's params\[0\], of shape \[3, 2\]: the shapes differ/);
    expect(pairVariables(ref, [], []).problems.slice(1)).toEqual([expect.stringMatching(/'w' .* no counterpart/), expect.stringMatching(/'b' .* no counterpart/)]);
  });
});

test('stderrTail drops the toolkit\'s frames and a dependency\'s rethrow site, keeps the program\'s', () => {
  const stderr = [
    '/x/node_modules/@tensorflow/tfjs-backend-wasm/dist/wasm-out/tfjs-backend-wasm.js:9',
    'var Module=typeof WasmBackendModule...',
    '     ^',
    '',
    'Error: boom',
    '    at main (/home/u/prog.ts:4:9)',
    '    at installLoopProbes (/repo/difftest/program/loop_probe_tfjs.ts:80:3)',
    '    at node:internal/modules/esm/module_job:1:1',
    '',
    'Node.js v20.20.2',
  ].join('\n');
  expect(stderrTail(stderr)).toBe('Error: boom\n    at main (/home/u/prog.ts:4:9)');
});

describe('pairOptimizers (several optimizers, GAN-style)', () => {
  const v = (name: string, shape: number[]) => ({ name, shape });
  const t = (...shape: number[]) => ({ shape });
  // Creation order: the generator's two variables, then the discriminator's; the discriminator's optimizer steps first.
  const ref = [v('g/k', [4, 3]), v('g/b', [4]), v('d/k', [1, 4]), v('d/b', [1])];
  const refOptimizers = [['d/k', 'd/b'], ['g/k', 'g/b']];

  test('each migrated optimizer pairs with the tfjs optimizer whose variables have its params\' shapes, whatever the order', () => {
    const [gk, gb, dk, db] = [t(4, 3), t(4), t(1, 4), t(1)];
    for (const order of [[[dk, db], [gk, gb]], [[gk, gb], [dk, db]]]) {
      const p = pairOptimizers(ref, refOptimizers, order, []);
      expect(p.problems).toEqual([]);
      expect(p.pairs.map((x) => [x.refIndex, x.tensor]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([[0, gk], [1, gb], [2, dk], [3, db]]);
    }
    expect(pairOptimizers(ref, refOptimizers, [[dk, db], [gk, gb]], []).pairs[0].candidate).toBe('optimizer #0 params[0]');
  });

  test('an optimizer whose params match none, and a tfjs optimizer left without a counterpart, are named', () => {
    const p = pairOptimizers(ref, refOptimizers, [[t(1, 4), t(1)], [t(4, 3)]], []);
    expect(p.pairs.map((x) => x.refIndex)).toEqual([2, 3]);
    expect(p.problems).toEqual([
      expect.stringMatching(/^the migrated program's optimizer #1 \(params \[4, 3\]\) matches none of the original's 2 optimizers/),
      expect.stringMatching(/^the original's optimizer #1 .*variables 'g\/k', 'g\/b'\) has no counterpart/),
    ]);
  });

  test('one tfjs optimizer: all migrated params pair as pairVariables pairs them', () => {
    const [gk, gb, dk, db] = [t(4, 3), t(4), t(1, 4), t(1)];
    const p = pairOptimizers(ref, [['g/k', 'g/b', 'd/k', 'd/b']], [[gk, gb], [dk, db]], []);
    expect(p.pairs.map((x) => x.candidate)).toEqual(['params[0]', 'params[1]', 'params[2]', 'params[3]']);
  });
});
