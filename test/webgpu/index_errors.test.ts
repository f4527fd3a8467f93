/**
 * Out-of-range indices on the GPU (runtime/backends/webgpu/index_errors.ts): kernels record the first bad index,
 * and the next wait on the GPU (a read, or webgpu.sync()) rejects with a message like the CPU's. In-range results
 * are unchanged, and the record is cleared, so the backend works again after the error. Runs on lavapipe in CI;
 * skipped, with the reason, where no adapter exists.
 */
import { describe, expect, test } from 'vitest';
import { torch, F, webgpu } from '../../runtime/index.js';

const init = await webgpu.init({ quiet: true });

const idx = (values: number[] | number[][]) => torch.tensor(values, { dtype: 'int32' });

describe.skipIf(init.ok)(`webgpu unavailable here (${init.reason})`, () => {
  test('the GPU index checks are not run', () => {
    expect(init.reason).toBeTruthy();
  });
});

describe.skipIf(!init.ok)('webgpu: out-of-range indices reject at the next read', () => {
  const x = () => torch.tensor([[1, 2], [3, 4], [5, 6]]).to('webgpu');

  test('in range: gather and indexSelect give the CPU\'s values', async () => {
    const i = idx([[2, 0], [1, 1]]);
    const cpu = torch.tensor([[1, 2], [3, 4], [5, 6]]);
    expect(Array.from(await x().gather(0, i.to('webgpu')).data())).toEqual(Array.from(cpu.gather(0, i).dataSync()));
    expect(Array.from(await x().indexSelect(0, idx([2, 0, 2]).to('webgpu')).data())).toEqual([5, 6, 1, 2, 5, 6]);
    expect(Array.from(await x().indexSelect(1, idx([1]).to('webgpu')).data())).toEqual([2, 4, 6]);
  });

  test('gather: the next read rejects naming the op, the value, the valid range and the position', async () => {
    const y = x().gather(0, idx([[2, 0], [3, 1]]).to('webgpu'));
    await expect(y.data()).rejects.toThrow(
      /^gather: index 3 is out of bounds for dim 0 with size 3 \(valid: 0\.\.2; position \[1, 0\] of index \[2, 2\]; input \[3, 2\]\)\. Found on webgpu while reading a tensor/,
    );
  });

  test('indexSelect: named as indexSelect, the position in the 1-D index; negative indices too', async () => {
    const y = x().indexSelect(0, idx([0, -1, 2]).to('webgpu'));
    await expect(y.data()).rejects.toThrow(/^indexSelect: index -1 is out of bounds for dim 0 with size 3 \(valid: 0\.\.2; position 1 of index \[3\]; input \[3, 2\]\)/);
    const z = x().indexSelect(1, idx([1, 5]).to('webgpu'));
    await expect(z.sum().itemAsync()).rejects.toThrow(/^indexSelect: index 5 is out of bounds for dim 1 with size 2 \(valid: 0\.\.1; position 1 of index \[2\]/);
  });

  test('the error surfaces at the next read of any tensor, and at webgpu.sync()', async () => {
    x().gather(1, idx([[0, 7], [1, 0], [0, 0]]).to('webgpu'));
    const other = torch.ones(4).to('webgpu').mul(2);
    await expect(other.data()).rejects.toThrow(/^gather: index 7 .* dim 1 with size 2/);
    F.embedding(idx([1, 9]).to('webgpu'), torch.randn(4, 3).to('webgpu'));
    await expect(webgpu.sync()).rejects.toThrow(/^embedding: index 9 is out of bounds for dim 0 with size 4 .*at webgpu\.sync\(\)/);
    await webgpu.sync(); // cleared
  });

  test('only the first bad index (in dispatch order) is reported; then the backend is usable again', async () => {
    const a = x().gather(0, idx([[5, 0], [6, 7]]).to('webgpu'));
    const b = x().indexSelect(0, idx([9]).to('webgpu'));
    await expect(b.data()).rejects.toThrow(/^gather: index 5 .*position \[0, 0\] of index \[2, 2\]; input \[3, 2\]\)\. Found/);
    a.dispose();
    // The record was cleared by that read: in-range work reads normally, and a new error is reported anew.
    expect(Array.from(await x().indexSelect(0, idx([1]).to('webgpu')).data())).toEqual([3, 4]);
    await expect(x().indexSelect(0, idx([3]).to('webgpu')).data()).rejects.toThrow(/^indexSelect: index 3 /);
    expect(Array.from(await x().gather(1, idx([[1], [0], [1]]).to('webgpu')).data())).toEqual([2, 3, 6]);
  });

  test('scatter and scatterAdd (same mechanism): out-of-range rejects; in range as on the CPU', async () => {
    const base = () => torch.zeros(2, 3).to('webgpu');
    const src = torch.tensor([[1, 2, 3], [4, 5, 6]]).to('webgpu');
    expect(Array.from(await base().scatterAdd(1, idx([[0, 0, 2], [1, 2, 1]]).to('webgpu'), src).data())).toEqual([3, 0, 3, 0, 10, 5]);
    await expect(base().scatter(1, idx([[0, 3, 1], [0, 1, 2]]).to('webgpu'), src).data())
      .rejects.toThrow(/^scatter: index 3 is out of bounds for dim 1 with size 3 \(valid: 0\.\.2; position \[0, 1\] of index \[2, 3\]/);
    await expect(base().scatterAdd(0, idx([[0, 1, 1], [1, 0, 2]]).to('webgpu'), src).data())
      .rejects.toThrow(/^scatterAdd: index 2 is out of bounds for dim 0 with size 2 \(valid: 0\.\.1; position \[1, 2\] of index \[2, 3\]/);
  });

  test('cross-entropy targets (the fused kernel): out of range rejects, ignoreIndex is not out of range, in range as on the CPU', async () => {
    const logits = torch.tensor([[1, 2, 0.5], [0.1, -1, 3]]);
    const want = F.crossEntropy(logits, idx([2, 0])).item();
    expect(await F.crossEntropy(logits.to('webgpu'), idx([2, 0]).to('webgpu')).itemAsync()).toBeCloseTo(want, 5);
    const ignored = F.crossEntropy(logits.to('webgpu'), idx([2, -100]).to('webgpu'));
    expect(await ignored.itemAsync()).toBeCloseTo(F.crossEntropy(logits, idx([2, -100])).item(), 5);
    await expect(F.crossEntropy(logits.to('webgpu'), idx([3, 0]).to('webgpu')).itemAsync())
      .rejects.toThrow(/^crossEntropy \(target\): index 3 is out of bounds for dim 1 with size 3 \(valid: 0\.\.2; position 0 of index \[2\]; input \[2, 3\]\)/);
  });

  test('a read with no index kernel since the last wait skips the record', async () => {
    await webgpu.sync();
    expect(Array.from(await torch.arange(0, 3).to('webgpu').add(1).data())).toEqual([1, 2, 3]);
  });
});
