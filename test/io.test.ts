import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torch, io } from 'torchbridge';

describe('io.save / io.load (safetensors)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-io-'));

  test('round trip keeps dtype, shape and values, views included', () => {
    torch.manualSeed(1);
    const sd = {
      'fc.weight': torch.randn(3, 4),
      'fc.bias': torch.randn(4).double(),
      steps: torch.tensor([7], { dtype: 'int32' }),
      mask: torch.tensor([true, false, true]),
      transposed: torch.arange(6).reshape(2, 3).float().T,
    };
    const path = join(dir, 'model.safetensors');
    io.save(sd, path, { metadata: { format: 'pt' } });
    const back = io.load(path);
    expect(Object.keys(back).sort()).toEqual(Object.keys(sd).sort());
    for (const [k, t] of Object.entries(sd)) {
      expect(back[k].dtype).toBe(t.dtype);
      expect(back[k].shape).toEqual(t.shape);
      expect(back[k].toArray()).toEqual(t.toArray());
    }
    expect(io.loadMetadata(path)).toEqual({ format: 'pt' });
  });

  test('refuses to overwrite when asked not to, and names corrupt files', () => {
    const path = join(dir, 'keep.safetensors');
    io.save({ a: torch.ones(2) }, path);
    const before = readFileSync(path);
    expect(() => io.save({ a: torch.zeros(2) }, path, { overwrite: false })).toThrow(/already exists/);
    expect(readFileSync(path).equals(before)).toBe(true);
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, before.subarray(0, before.length - 3));
    expect(() => io.load(bad)).toThrow(/bad\.safetensors/);
  });
});
