/**
 * tfjs's random creation ops migrate with tfjs's semantics beyond the distribution (mappings/transformers/random.ts):
 * int32 dtypes convert the float draw as tfjs does (randomUniform truncates toward zero, randomNormal rounds), and
 * a per-call seed gives the same values on every call, as in tfjs. The numbers come from another generator, so the
 * check is statistical: value frequencies against tfjs's own on 20,000 draws (tolerance ≈ 5 standard errors).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { torch, nn, F } from 'torchbridge';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi, type RuntimeApi } from '../../mappings/runtime_api.js';

let api: RuntimeApi;
beforeAll(async () => {
  api = await loadRuntimeApi();
  await tf.setBackend('cpu');
});

/** The migrated form of one tfjs expression, and its value on the runtime. */
function migrated(expr: string): { code: string; run: () => torch.Tensor } {
  const src = `import * as tf from '@tensorflow/tfjs';\nexport const r = ${expr};\n`;
  const out = transpileSource('/project/src/main.ts', src, { layout: 'nchw', api }).output!;
  const code = /export const r = (.*);\n/.exec(out)?.[1];
  if (!code || code.includes('tf.')) throw new Error(`${expr} did not migrate:\n${out}`);
  return { code, run: () => new Function('torch', 'nn', `return ${code};`)(torch, nn) as torch.Tensor };
}

/** Relative frequency of each value in `values`. */
function frequencies(values: ArrayLike<number>): Map<number, number> {
  const f = new Map<number, number>();
  for (let i = 0; i < values.length; i++) f.set(values[i], (f.get(values[i]) ?? 0) + 1 / values.length);
  return f;
}

const N = 20_000;
const cases = [
  // Truncation toward zero: 0 collects (-1, 1), -3 only an exact -3.0 — torch.randint would give 6 equal values.
  `tf.randomUniform([${N}], -3, 3, 'int32')`,
  `tf.randomUniformInt([${N}], 0, 4)`,
  // Math.round of a normal draw.
  `tf.randomNormal([${N}], 0, 2, 'int32')`,
  `tf.truncatedNormal([${N}], 1, 2, 'int32')`,
];

describe('int32 random values convert the float draw as tfjs does', () => {
  it.each(cases)('%s: same dtype, same value frequencies as tfjs', (expr) => {
    const ours = migrated(expr).run();
    const theirs = new Function('tf', `return ${expr};`)(tf) as tf.Tensor;
    expect(ours.dtype).toBe('int32');
    expect(theirs.dtype).toBe('int32');
    const [fo, ft] = [frequencies(ours.dataSync()), frequencies(theirs.dataSync())];
    for (const v of new Set([...fo.keys(), ...ft.keys()])) {
      const [p, q] = [fo.get(v) ?? 0, ft.get(v) ?? 0];
      const se = Math.sqrt((Math.max(p, q) * (1 - Math.max(p, q))) / N) + 1 / N;
      expect(Math.abs(p - q), `value ${v}: ours ${p.toFixed(4)}, tfjs ${q.toFixed(4)}`).toBeLessThan(5 * se + 1e-3);
    }
    theirs.dispose();
  });

  it('randomUniform int32 over a negative range is not randint: 0 is twice as frequent, -3 (almost) never drawn', () => {
    const f = frequencies(migrated(`tf.randomUniform([${N}], -3, 3, 'int32')`).run().dataSync());
    expect(f.get(0)!).toBeGreaterThan(0.3);
    expect(f.get(-3) ?? 0).toBeLessThan(0.001);
    expect(f.get(3) ?? 0).toBe(0);
  });
});

describe('a per-call seed gives the same values on every call, as in tfjs', () => {
  it.each([
    "tf.randomUniform([6], -1, 1, 'float32', 42)",
    'tf.randomNormal([6], 5, 2, undefined, 7)',
    'tf.randomStandardNormal([6], undefined, 3)',
    'tf.truncatedNormal([6], 0, 1, undefined, 9)',
    'tf.randomUniformInt([6], 0, 100, 5)',
  ])('%s', (expr) => {
    const m = migrated(expr);
    expect(m.code).toContain('new torch.Generator(');
    const a = Array.from(m.run().dataSync());
    torch.manualSeed(123); // the global generator does not matter
    expect(Array.from(m.run().dataSync())).toEqual(a);
    // and another seed gives other values (tfjs's behaviour too)
    const other = migrated(expr.replace(/(\d+)\)$/, (_, s) => `${Number(s) + 1})`)).run();
    expect(Array.from(other.dataSync())).not.toEqual(a);
    const t = new Function('tf', `return [${expr}, ${expr}];`)(tf) as tf.Tensor[];
    expect(Array.from(t[0].dataSync())).toEqual(Array.from(t[1].dataSync()));
  });

  it('without a seed, calls differ and follow torch.manualSeed', () => {
    const m = migrated('tf.randomUniform([4])');
    expect(m.code).toBe('torch.empty([4]).uniform_()');
    torch.manualSeed(1);
    const a = Array.from(m.run().dataSync());
    expect(Array.from(m.run().dataSync())).not.toEqual(a);
    torch.manualSeed(1);
    expect(Array.from(m.run().dataSync())).toEqual(a);
  });

  it('a dtype known only at run time is a TODO that says why, not a guess', () => {
    const src = "import * as tf from '@tensorflow/tfjs';\ndeclare const dt: 'float32' | 'int32';\nexport const r = tf.randomUniform([4], 0, 5, dt);\n";
    const out = transpileSource('/project/src/main.ts', src, { layout: 'nchw', api }).output!;
    expect(out).toMatch(/TODO\(no-equivalent\) tf\.randomUniform: the dtype \(dt\) is known only at run time/);
  });
});

describe('tf.dropout: noiseShape and seed', () => {
  it('noiseShape broadcasts one mask value per row, as tfjs; a seed gives the same mask every call', () => {
    const expr = 'tf.dropout(tf.ones([64, 5]), 0.5, [64, 1], 11)';
    const src = `import * as tf from '@tensorflow/tfjs';\nexport const r = ${expr};\n`;
    const out = transpileSource('/project/src/main.ts', src, { layout: 'nchw', api }).output!;
    const code = /export const r = (.*);\n/.exec(out)![1];
    expect(code).toBe('F.dropout(torch.ones([64, 5]), { p: 0.5, noiseShape: [64, 1], generator: new torch.Generator(11) })');
    const run = () => new Function('torch', 'F', `return ${code};`)(torch, F) as torch.Tensor;
    const rows = (t: { arraySync?: () => unknown; toArray?: () => unknown }) => (t.toArray ?? t.arraySync)!.call(t) as number[][];
    const ours = rows(run());
    const theirs = rows(new Function('tf', `return ${expr};`)(tf) as tf.Tensor);
    for (const r of [...ours, ...theirs]) {
      expect(new Set(r).size, `row ${r}`).toBe(1); // the whole row kept (×2) or dropped (0)
      expect([0, 2]).toContain(r[0]);
    }
    const kept = ours.filter((r) => r[0] === 2).length;
    expect(kept).toBeGreaterThan(16);
    expect(kept).toBeLessThan(48);
    expect(rows(run())).toEqual(ours);
  });
});
