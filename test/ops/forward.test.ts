/** Forward values of every op case on every backend, against TensorFlow.js (cpu) or the float64 reference. */
import { bugLabel } from '../support/op_case.js';
import { describe, expect, test } from 'vitest';
import * as torch from '../../runtime/torch.js';
import { assertClose } from '../support/assert_close.js';
import { cases } from './cases.js';
import { backends, skippedBackends, unsupportedOn } from '../support/backends.js';
import { initTfjs, runForwardCase } from '../support/run_case.js';

await initTfjs();

/** TORCHBRIDGE_SHOW_KNOWN_BUGS=1 runs known-bug cases as plain tests, to see how they fail today. */
const showBugs = !!process.env.TORCHBRIDGE_SHOW_KNOWN_BUGS;

describe.each(backends)('forward on %s', (device) => {
  for (const c of cases) {
    const run = () => runForwardCase(c, device);
    const unsupported = unsupportedOn(c, device);
    if (unsupported) test.skip(`${c.name} [${unsupported}]`, run);
    else if (c.knownBug && !showBugs) test.fails(`${c.name} [${bugLabel(c.knownBug)}]`, run);
    else test(c.name, run);
  }
});

for (const s of skippedBackends) {
  describe.skip(`forward on ${s.device} (skipped: ${s.reason})`, () => {
    test('every op case', () => {});
  });
}

/** What only the CPU has: host memory shared with typed arrays, synchronous reads. */
describe('cpu only', () => {
  test('fromTypedArray shares memory with the array (PyTorch from_numpy)', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = torch.fromTypedArray(data, [2, 2]);
    data[3] = 40;
    assertClose(t, [[1, 2], [3, 40]]);
    torch.noGrad(() => t.mul_(2));
    expect(Array.from(data)).toEqual([2, 4, 6, 80]);
  });

  test('synchronous reads: dataSync, item, toArray/tolist (bool gives booleans)', () => {
    const t = torch.tensor([[1.5, 2], [3, 4]]);
    expect(Array.from(t.T.dataSync())).toEqual([1.5, 3, 2, 4]);
    expect(t.select(0, 1).select(0, 0).item()).toBe(3);
    expect(t.toArray()).toEqual([[1.5, 2], [3, 4]]);
    expect(t.gt(2).tolist()).toEqual([[false, false], [true, true]]);
    expect(torch.tensor(7).toArray()).toBe(7);
  });

  test('equal: same shape and values; shape or value differences give false', () => {
    const x = torch.tensor([[1.5, 2, 3], [4, 5, 6]]);
    expect([x.equal(x.clone()), x.equal(x.reshape(3, 2)), x.equal(x.add(1)), torch.tensor([1, 2]).equal(torch.tensor([1, 2]))]).toEqual([true, false, false, true]);
  });

  test('allclose: |a − b| ≤ atol + rtol·|b| with defaults rtol 1e-5, atol 1e-8', () => {
    const x = torch.tensor([1, 1.5, 2]);
    expect([torch.allclose(x, x.add(1e-6)), torch.allclose(x, x.mul(1.001)), x.allclose(x.mul(1.001), 1e-2), x.allclose(x.add(0.5), 0, 0.6)]).toEqual([true, false, true, true]);
  });

  test('metadata: shape, size(), ndim, numel, isContiguous of views', () => {
    const t = torch.zeros(2, 3, 4);
    expect([t.size(), t.size(-1), t.ndim, t.dim(), t.numel()]).toEqual([[2, 3, 4], 4, 3, 3, 24]);
    expect(t.isContiguous()).toBe(true);
    expect(t.transpose(0, 2).isContiguous()).toBe(false);
    expect(t.narrow(0, 1, 1).isContiguous()).toBe(true);
    expect(t.slice(2, 0, 4, 2).isContiguous()).toBe(false);
  });
});
