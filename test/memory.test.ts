/** Deterministic memory: `using`, dispose of views, tidy nesting and errors, keep, backward freeing its graph. */
import { describe, expect, test } from 'vitest';
import { torch } from 'torchbridge';

describe('memory', () => {
  test('`using` disposes a tensor at the end of its block (Symbol.dispose)', () => {
    const before = torch.memory().numTensors;
    let escaped: torch.Tensor;
    {
      using t = torch.ones(3);
      escaped = t;
      expect(torch.memory().numTensors).toBe(before + 1);
    }
    expect(escaped.isDisposed).toBe(true);
    expect(torch.memory().numTensors).toBe(before);
  });

  test('nested tidy: a returned tensor moves to the outer scope and is freed there', () => {
    const before = torch.memory().numTensors;
    let inner: torch.Tensor | null = null;
    torch.tidy(() => {
      inner = torch.tidy(() => torch.ones(2).mul(3));
      expect(inner!.isDisposed).toBe(false);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(torch.memory().numTensors).toBe(before);
  });

  test('tidy frees its tensors when the function throws', () => {
    const before = torch.memory();
    expect(() => torch.tidy(() => { torch.ones(1000); throw new Error('boom'); })).toThrow('boom');
    expect(torch.memory().numTensors).toBe(before.numTensors);
    expect(torch.memory().numBytes).toBe(before.numBytes);
  });

  test('keep() lets a tensor outlive tidy; dispose of a view keeps the base alive', () => {
    let kept: torch.Tensor | null = null;
    torch.tidy(() => { kept = torch.keep(torch.arange(4)); torch.arange(8); });
    expect(kept!.toArray()).toEqual([0, 1, 2, 3]);
    const base = torch.arange(6).reshape(2, 3);
    const row = base.select(0, 1);
    row.dispose();
    expect(base.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    base.dispose();
    expect(() => row.toArray()).toThrow(/disposed/);
  });

  test('backward() frees the graph: a second backward without retainGraph is a clear error', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/second time.*retainGraph/);
  });
});
