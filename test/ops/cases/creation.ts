/**
 * Creation ops (no inputs: they create on the case's device) and seeded random ops. Random cases are
 * property checks: the same seed gives the same values, a different seed different ones, and the
 * distribution's moments are within 3σ of the expected ones.
 */
import { expect } from 'vitest';
import type { OpCase } from '../../support/op_case.js';
import { f32, i32, vals } from '../../support/specs.js';
import { ref } from '../../support/reference.js';
import type { HostTensor } from '../../support/assert_close.js';
import { assertClose } from '../../support/assert_close.js';
import type { Tensor } from '../../../runtime/tensor.js';

const values = (h: HostTensor) => Array.from(h.data as ArrayLike<number>);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => { const m = mean(v); return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length); };

/** The same seed reproduces, another seed differs. outs = [seed s, seed s again, seed s + 1]. */
function reproducible([a, b, c]: HostTensor[]): void {
  assertClose(a, b, { rtol: 0, atol: 0, msg: 'same seed, same values' });
  expect(values(a)).not.toEqual(values(c));
}

export const creationOpCases: OpCase[] = [
  { name: 'arange: end only → int32', inputs: () => [], run: (t) => t.arange(0, 5, 1, { device: t.deviceType }), reference: () => ref([0, 1, 2, 3, 4], [5], 'int32') },
  { name: 'arange: start, end, step → int32', inputs: () => [], run: (t) => t.arange(2, 11, 3, { device: t.deviceType }), reference: () => ref([2, 5, 8], [3], 'int32') },
  { name: 'arange: fractional step → float32', inputs: () => [], run: (t) => t.arange(1, 2.5, 0.5, { device: t.deviceType }), reference: () => ref([1, 1.5, 2], [3]) },
  { name: 'arange: negative step', inputs: () => [], run: (t) => t.arange(5, 0, -2, { device: t.deviceType }), reference: () => ref([5, 3, 1], [3], 'int32') },
  {
    // NOTE: arange(end, options) works at run time but its TypeScript signature only allows a number second argument.
    name: 'arange: arange(end, options) form',
    inputs: () => [],
    run: (t) => (t.arange as (...a: unknown[]) => Tensor)(3, { dtype: 'float64', device: t.deviceType }),
    reference: () => ref([0, 1, 2], [3], 'float64'),
  },
  { name: 'arange: explicit dtype float32', inputs: () => [], run: (t) => t.arange(0, 4, 1, { dtype: 'float32', device: t.deviceType }), tfjs: (tf) => tf.range(0, 4) },
  { name: 'linspace: 0..1 in 5 steps', inputs: () => [], run: (t) => t.linspace(0, 1, 5, { device: t.deviceType }), tfjs: (tf) => tf.linspace(0, 1, 5) },
  { name: 'linspace: last value is exactly end', inputs: () => [], run: (t) => t.linspace(-1, 0.3, 7, { device: t.deviceType }), reference: () => ref(Array.from({ length: 7 }, (_, i) => (i < 3 ? -1 + (1.3 / 6) * i : 0.3 - (1.3 / 6) * (6 - i))), [7]) },
  { name: 'linspace: steps 1 → [start]; steps 0 → []', inputs: () => [], run: (t) => [t.linspace(3, 9, 1, { device: t.deviceType }), t.linspace(3, 9, 0, { device: t.deviceType })], reference: () => [ref([3], [1]), ref([], [0])] },
  { name: 'eye: square and rectangular', inputs: () => [], run: (t) => [t.eye(3, { device: t.deviceType }), t.eye(2, 4, { device: t.deviceType })], tfjs: (tf) => [tf.eye(3), tf.eye(2, 4)] },
  { name: 'full: float value; bool value gives bool', inputs: () => [], run: (t) => [t.full([2, 3], 7.5, { device: t.deviceType }), t.full([2], true, { device: t.deviceType })], reference: () => [ref([7.5, 7.5, 7.5, 7.5, 7.5, 7.5], [2, 3]), ref([1, 1], [2], 'bool')] },
  { name: 'zeros / ones: varargs, array and dtype forms', inputs: () => [], run: (t) => [t.zeros(2, 3, { device: t.deviceType }), t.ones([2, 2], { dtype: 'int32', device: t.deviceType }), t.zeros([], { device: t.deviceType })], tfjs: (tf) => [tf.zeros([2, 3]), tf.ones([2, 2], 'int32'), tf.zeros([])] },
  { name: 'empty: has the shape and dtype asked for', inputs: () => [], run: (t) => t.empty(2, 3, { dtype: 'float64', device: t.deviceType }).zero_(), reference: () => ref([0, 0, 0, 0, 0, 0], [2, 3], 'float64') },
  {
    name: 'zerosLike / onesLike / fullLike / emptyLike / newZeros / newOnes / newTensor keep dtype (or take one)',
    inputs: () => [i32([2, 3])],
    run: (t, x) => [t.zerosLike(x), t.onesLike(x), t.fullLike(x, 4), x.newZeros(3), x.newOnes([1, 2]), x.zerosLike(), x.onesLike(), x.fullLike(-2), x.newTensor(9), t.emptyLike(x).fill_(0), t.zerosLike(x, { dtype: 'float64' })],
    reference: () => [ref([0, 0, 0, 0, 0, 0], [2, 3], 'int32'), ref([1, 1, 1, 1, 1, 1], [2, 3], 'int32'), ref([4, 4, 4, 4, 4, 4], [2, 3], 'int32'), ref([0, 0, 0], [3], 'int32'), ref([1, 1], [1, 2], 'int32'),
      ref([0, 0, 0, 0, 0, 0], [2, 3], 'int32'), ref([1, 1, 1, 1, 1, 1], [2, 3], 'int32'), ref([-2, -2, -2, -2, -2, -2], [2, 3], 'int32'), ref([9], [], 'int32'), ref([0, 0, 0, 0, 0, 0], [2, 3], 'int32'), ref([0, 0, 0, 0, 0, 0], [2, 3], 'float64')],
  },
  { name: 'tensor: nested integers → int32', inputs: () => [], run: (t) => t.tensor([[1, 2, 3], [4, 5, 6]], { device: t.deviceType }), reference: () => ref([1, 2, 3, 4, 5, 6], [2, 3], 'int32') },
  { name: 'tensor: nested floats → float32', inputs: () => [], run: (t) => t.tensor([[0.5], [1]], { device: t.deviceType }), reference: () => ref([0.5, 1], [2, 1]) },
  { name: 'tensor: nested booleans → bool', inputs: () => [], run: (t) => t.tensor([true, false, true], { device: t.deviceType }), reference: () => ref([1, 0, 1], [3], 'bool') },
  { name: 'tensor: scalar → 0-d', inputs: () => [], run: (t) => t.tensor(3.25, { device: t.deviceType }), reference: () => ref([3.25], []) },
  { name: 'tensor: dtype option overrides inference', inputs: () => [], run: (t) => t.tensor([1, 2], { dtype: 'float64', device: t.deviceType }), reference: () => ref([1, 2], [2], 'float64') },
  { name: 'tensor: Float64Array keeps float64; typed array with shape', inputs: () => [], run: (t) => [t.tensor(new Float64Array([0.1, 0.2]), { device: t.deviceType }), t.tensor(new Int32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2], device: t.deviceType })], reference: () => [ref([0.1, 0.2], [2], 'float64'), ref([1, 2, 3, 4, 5, 6], [3, 2], 'int32')] },
  { name: 'tensor: copies the source array', inputs: () => [], run: (t) => { const src = new Float32Array([1, 2]); const x = t.tensor(src, { device: t.deviceType }); src[0] = 99; return x; }, reference: () => ref([1, 2], [2]) },
  { name: 'tensor: empty nested array → float32 [0]', inputs: () => [], run: (t) => t.tensor([], { device: t.deviceType }), reference: () => ref([], [0]) },
  // Random.
  {
    name: 'rand: reproducible after manualSeed, values in [0, 1)',
    inputs: () => [],
    run: (t) => { t.manualSeed(1234); const a = t.rand([2000], { device: t.deviceType }); t.manualSeed(1234); const b = t.rand(2000, { device: t.deviceType }); t.manualSeed(1235); return [a, b, t.rand([2000], { device: t.deviceType })]; },
    check: (outs) => {
      reproducible(outs);
      const v = values(outs[0]);
      expect(outs[0].dtype).toBe('float32');
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThan(1);
      // Uniform(0, 1): mean 1/2, std 1/√12; 3σ bound for the mean of n samples.
      expect(Math.abs(mean(v) - 0.5)).toBeLessThan(3 / Math.sqrt(12 * v.length));
    },
  },
  {
    name: 'randn: reproducible after manualSeed',
    inputs: () => [],
    run: (t) => { t.manualSeed(7); const a = t.randn([3, 5], { device: t.deviceType }); t.manualSeed(7); const b = t.randn(3, 5, { device: t.deviceType }); t.manualSeed(8); return [a, b, t.randn([3, 5], { device: t.deviceType })]; },
    check: reproducible,
  },
  {
    name: 'randn: 1e5 samples have mean 0 and std 1 within 3σ',
    inputs: () => [],
    run: (t) => { t.manualSeed(42); return t.randn([100000], { device: t.deviceType }); },
    check: ([x]) => {
      const v = values(x);
      const n = v.length;
      // σ(mean) = 1/√n; σ(sample std) ≈ 1/√(2n) for a normal.
      expect(Math.abs(mean(v))).toBeLessThan(3 / Math.sqrt(n));
      expect(Math.abs(std(v) - 1)).toBeLessThan(3 / Math.sqrt(2 * n));
      // Tails: about 0.27% beyond 3σ (binomial 3σ bounds).
      const beyond = v.filter((e) => Math.abs(e) > 3).length / n;
      expect(Math.abs(beyond - 0.0027)).toBeLessThan(3 * Math.sqrt(0.0027 / n));
    },
  },
  {
    name: 'randint: reproducible, in [low, high), every value hit, int32',
    inputs: () => [],
    run: (t) => { t.manualSeed(5); const a = t.randint(3, 10, [1000], { device: t.deviceType }); t.manualSeed(5); const b = t.randint(3, 10, [1000], { device: t.deviceType }); t.manualSeed(6); return [a, b, t.randint(3, 10, [1000], { device: t.deviceType })]; },
    check: (outs) => {
      reproducible(outs);
      expect(outs[0].dtype).toBe('int32');
      expect([...new Set(values(outs[0]))].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]);
    },
  },
  {
    name: 'multinomial: with replacement, frequencies within 4σ of p (unnormalised weights), reproducible',
    inputs: () => [vals([[1, 2, 3, 4], [0, 5, 0, 5]])],
    run: (t, w) => { t.manualSeed(4); const a = t.multinomial(w, 4000, { replacement: true }); t.manualSeed(4); const b = w.multinomial(4000, { replacement: true }); t.manualSeed(5); return [a, b, t.multinomial(w, 4000, { replacement: true })]; },
    check: (outs) => {
      reproducible(outs);
      expect(outs[0].dtype).toBe('int32');
      expect(outs[0].shape).toEqual([2, 4000]);
      const v = values(outs[0]);
      const p = [[0.1, 0.2, 0.3, 0.4], [0, 0.5, 0, 0.5]];
      for (let r = 0; r < 2; r++) {
        const row = v.slice(r * 4000, (r + 1) * 4000);
        for (let c = 0; c < 4; c++) {
          const f = row.filter((i) => i === c).length / 4000;
          const sigma = Math.sqrt((p[r][c] * (1 - p[r][c])) / 4000);
          expect(Math.abs(f - p[r][c]), `row ${r} category ${c}: frequency ${f}, p ${p[r][c]}`).toBeLessThanOrEqual(4 * sigma + 1e-12);
        }
      }
    },
  },
  {
    name: 'multinomial: without replacement, distinct samples, zero weights never drawn, first draw follows p',
    inputs: () => [],
    run: (t) => {
      t.manualSeed(8);
      const w = t.tensor([0.5, 0, 0.25, 0.25, 0], { device: t.deviceType }).reshape([1, 5]).expand([3000, 5]).contiguous();
      return t.multinomial(w, 3);
    },
    check: ([x]) => {
      expect(x.shape).toEqual([3000, 3]);
      const v = values(x);
      const first = [0, 0, 0, 0, 0];
      for (let r = 0; r < 3000; r++) {
        const row = v.slice(r * 3, r * 3 + 3);
        expect(new Set(row).size, `row ${r}: ${row}`).toBe(3);
        expect(row.every((i) => i === 0 || i === 2 || i === 3), `row ${r}: ${row}`).toBe(true);
        first[row[0]]++;
      }
      for (const [c, p] of [[0, 0.5], [2, 0.25], [3, 0.25]]) {
        expect(Math.abs(first[c] / 3000 - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / 3000));
      }
    },
  },
  {
    name: 'randint: high-only form randint(high, size)',
    inputs: () => [],
    run: (t) => { t.manualSeed(3); return t.randint(4, [2, 500], { device: t.deviceType }); },
    check: ([x]) => { expect(x.shape).toEqual([2, 500]); expect([...new Set(values(x))].sort()).toEqual([0, 1, 2, 3]); },
  },
  {
    name: 'randperm: a reproducible permutation',
    inputs: () => [],
    run: (t) => { t.manualSeed(9); const a = t.randperm(50, { device: t.deviceType }); t.manualSeed(9); const b = t.randperm(50, { device: t.deviceType }); t.manualSeed(10); return [a, b, t.randperm(50, { device: t.deviceType })]; },
    check: (outs) => { reproducible(outs); expect([...values(outs[0])].sort((p, q) => p - q)).toEqual([...Array(50).keys()]); },
  },
  {
    name: 'randLike / randnLike: shape and dtype of the input',
    inputs: () => [{ shape: [3, 4], dtype: 'float64' }],
    run: (t, x) => { t.manualSeed(1); return [t.randLike(x), t.randnLike(x)]; },
    check: ([u, n]) => { expect([u.dtype, n.dtype]).toEqual(['float64', 'float64']); expect(u.shape).toEqual([3, 4]); expect(n.shape).toEqual([3, 4]); },
  },
  {
    name: 'generator option: an explicit Generator does not touch the global seed',
    inputs: () => [],
    run: (t) => {
      t.manualSeed(11);
      const a = t.rand([100], { device: t.deviceType });
      t.manualSeed(11);
      t.rand([10], { generator: new t.Generator(99), device: t.deviceType });
      return [a, t.rand([100], { device: t.deviceType }), t.rand([100], { generator: new t.Generator(11), device: t.deviceType })];
    },
    check: ([a, b, c]) => { assertClose(b, a, { rtol: 0, atol: 0 }); assertClose(c, a, { rtol: 0, atol: 0, msg: 'Generator(11) = manualSeed(11)' }); },
  },
  {
    name: 'uniform_ / normal_: in place, seeded, right moments',
    inputs: () => [f32([20000])],
    run: (t, x) => { t.manualSeed(2); const u = x.clone().uniform_(-3, 5); const n = x.clone().normal_(2, 0.5); return [u, n]; },
    check: ([u, n]) => {
      const uv = values(u), nv = values(n);
      expect(Math.min(...uv)).toBeGreaterThanOrEqual(-3);
      expect(Math.max(...uv)).toBeLessThan(5);
      expect(Math.abs(mean(uv) - 1)).toBeLessThan((3 * 8) / Math.sqrt(12 * uv.length));
      expect(Math.abs(mean(nv) - 2)).toBeLessThan((3 * 0.5) / Math.sqrt(nv.length));
      expect(Math.abs(std(nv) - 0.5)).toBeLessThan((3 * 0.5) / Math.sqrt(2 * nv.length));
    },
  },
];
