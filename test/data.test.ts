import { describe, expect, test } from 'vitest';
import { mkdtempSync, copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { torch, data } from 'torchbridge';
import { U8Rows } from '../runtime/backends/cpu/wasm/convert.js';

describe('DataLoader', () => {
  const x = torch.arange(10).reshape(10, 1).float();
  const y = torch.arange(10);
  const ds = new data.TensorDataset(x, y);

  test('batches in order without shuffle; last batch smaller unless dropLast', () => {
    const batches = [...new data.DataLoader(ds, { batchSize: 4, recycle: false })];
    expect(batches.map(([, b]) => b.toArray())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[0][0].shape).toEqual([4, 1]);
    const dropped = [...new data.DataLoader(ds, { batchSize: 4, dropLast: true, recycle: false })];
    expect(dropped.length).toBe(2);
    expect(new data.DataLoader(ds, { batchSize: 4 }).length).toBe(3);
  });

  test('shuffle is a permutation, different per epoch, reproducible under a seed', () => {
    const order = (seed: number) => {
      const loader = new data.DataLoader(ds, { batchSize: 3, shuffle: true, generator: new torch.Generator(seed), recycle: false });
      const epoch = () => [...loader].flatMap(([, b]) => b.toArray() as number[]);
      return [epoch(), epoch()];
    };
    const [e1, e2] = order(7);
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    expect(order(7)).toEqual([e1, e2]);
    expect(order(8)[0]).not.toEqual(e1);
  });

  test('global manualSeed drives shuffling by default', () => {
    const loader = new data.DataLoader(ds, { batchSize: 10, shuffle: true, recycle: false });
    torch.manualSeed(3);
    const a = [...loader][0][1].toArray();
    torch.manualSeed(3);
    const b = [...loader][0][1].toArray();
    expect(a).toEqual(b);
  });

  test('batches are recycled when the loop moves on or ends, unless kept; the error says so', () => {
    const loader = new data.DataLoader(ds, { batchSize: 4 });
    const seen: torch.Tensor[][] = [];
    for (const batch of loader) {
      if (seen.length === 1) torch.keep(batch[0]);
      seen.push(batch);
    }
    expect(seen[0][0].isDisposed).toBe(true);
    expect(() => seen[0][0].toArray()).toThrow(/disposed by the DataLoader.*recycle: false/);
    expect(seen[1][0].isDisposed).toBe(false); // kept
    expect(seen[1][1].isDisposed).toBe(true);
    expect(seen[2][1].isDisposed).toBe(true); // the last one goes when the loop ends
  });

  test('iterating outside tidy leaves no tensors behind (batches recycled, intermediates freed)', () => {
    const loader = new data.DataLoader(new data.TensorDataset(torch.rand(64, 3), torch.arange(64)), { batchSize: 8, shuffle: true });
    for (const b of loader) void b;
    const before = torch.memory().numTensors;
    for (let e = 0; e < 3; e++) for (const b of loader) void b;
    expect(torch.memory().numTensors).toBe(before);
  });

  test('features and labels stay paired after shuffling', () => {
    for (const [xb, yb] of new data.DataLoader(ds, { batchSize: 3, shuffle: true })) {
      expect((xb.reshape(-1).toArray() as number[]).map(Math.round)).toEqual(yb.toArray());
    }
  });

  test('generic datasets are collated by stacking', () => {
    class Squares extends data.Dataset<[torch.Tensor, number]> {
      get length() { return 5; }
      getItem(i: number): [torch.Tensor, number] { return [torch.tensor([i, i * i], { dtype: 'float32' }), i % 2]; }
    }
    const [[xb, yb]] = [...new data.DataLoader(new Squares(), { batchSize: 5, recycle: false })];
    expect(xb.toArray()).toEqual([[0, 0], [1, 1], [2, 4], [3, 9], [4, 16]]);
    expect(yb.dtype).toBe('int32');
    expect(yb.toArray()).toEqual([0, 1, 0, 1, 0]);
  });

  test('bad arguments are named', () => {
    expect(() => new data.DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize should be a positive integer/);
    expect(() => new data.TensorDataset(torch.zeros(3, 2), torch.zeros(4))).toThrow(/size mismatch.*\[4\]/);
  });
});

describe('MNIST', () => {
  test('reads the bundled files as ToTensor() would', () => {
    const test = new data.MNIST({ train: false });
    expect(test.length).toBe(10000);
    expect(test.images.shape).toEqual([10000, 1, 28, 28]);
    expect(test.images.dtype).toBe('float32');
    expect(test.targets.dtype).toBe('int32');
    expect(test.targets.slice(0, 0, 3).toArray()).toEqual([7, 2, 1]);
    expect(test.images.max().item()).toBe(1);
    expect(test.images.min().item()).toBe(0);
    const [img, label] = test.getItem(0);
    expect(img.shape).toEqual([1, 28, 28]);
    expect(label.item()).toBe(7);
  });

  test('normalize and limit', () => {
    const ds = new data.MNIST({ train: true, limit: 100, normalize: { mean: 0.1307, std: 0.3081 } });
    expect(ds.length).toBe(100);
    expect(ds.images.min().item()).toBeCloseTo(-0.1307 / 0.3081, 5);
  });

  test('numWorkers: 1 prefetches on a worker thread and yields exactly the batches of numWorkers: 0', () => {
    const ds = new data.MNIST({ train: false, limit: 1000 });
    const run = (numWorkers: number) => {
      const loader = new data.DataLoader(ds, { batchSize: 64, shuffle: true, numWorkers, generator: new torch.Generator(11) });
      const sums: number[] = [];
      for (const [x, y] of loader) sums.push(x.sum().item() + 1000 * y.sum().item());
      let k = 0;
      for (const [x] of loader) { if (++k > 3) break; sums.push(x.sum().item()); } // abandoned epoch
      for (const [x, y] of loader) sums.push(x.mean().item() + y.float().mean().item());
      return sums;
    };
    const inline = run(0);
    expect(inline.length).toBe(16 + 3 + 16);
    expect(run(1)).toEqual(inline);
  });

  test('numWorkers on a dataset without a worker recipe warns and loads in-process', () => {
    const warn = console.warn;
    const seen: string[] = [];
    console.warn = (m: string) => seen.push(m);
    try {
      const loader = new data.DataLoader(new data.TensorDataset(torch.arange(4)), { batchSize: 2, numWorkers: 1, recycle: false });
      expect([...loader].map(([b]) => b.toArray())).toEqual([[0, 1], [2, 3]]);
    } finally {
      console.warn = warn;
    }
    expect(seen[0]).toMatch(/numWorkers=1 ignored: TensorDataset has no workerRecipe/);
  });

  test('reads .gz copies and names the file when one is corrupt', () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-mnist-'));
    const src = data.defaultMnistRoot();
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(join(root, f + '.gz'), gzipSync(readFileSync(join(src, f))));
    }
    const gz = new data.MNIST({ root, train: false, limit: 5 });
    expect(gz.targets.toArray()).toEqual([7, 2, 1, 0, 4]);

    const bad = mkdtempSync(join(tmpdir(), 'tb-mnist-bad-'));
    copyFileSync(join(src, 't10k-labels-idx1-ubyte'), join(bad, 't10k-labels-idx1-ubyte'));
    writeFileSync(join(bad, 't10k-images-idx3-ubyte'), readFileSync(join(src, 't10k-images-idx3-ubyte')).subarray(0, 5000));
    expect(() => new data.MNIST({ root: bad, train: false })).toThrow(new RegExp(`${join(bad, 't10k-images-idx3-ubyte').replace(/[/.-]/g, '\\$&')}.*truncated|truncated.*t10k-images`, 's'));
    expect(() => new data.MNIST({ root: join(bad, 'nope'), train: false })).toThrow(/nope/);
  });
});

describe('U8Rows: the SIMD uint8 → float32 row converter behind MNIST batches', () => {
  test('gives Math.fround(v / 255) for every byte value, on the vector and the scalar tail path', () => {
    for (const rowLen of [256, 20]) {
      const bytes = Uint8Array.from({ length: 2 * rowLen }, (_, i) => (i * 37 + 11) % 256);
      const rows = U8Rows.from(bytes);
      expect(rows, 'convert.wasm should load on Node 20').not.toBeNull();
      const out = new Float32Array(3 * rowLen);
      rows!.gather(rows!.region, rowLen, Int32Array.of(1, 0, 1), out);
      for (const [i, r] of [1, 0, 1].entries()) {
        for (let j = 0; j < rowLen; j++) expect(out[i * rowLen + j]).toBe(Math.fround(bytes[r * rowLen + j] / 255));
      }
    }
  });

  test('MNIST batches are identical with and without it (normalize {0, 1} takes the table path)', () => {
    const simd = new data.MNIST({ train: false, limit: 300 });
    const table = new data.MNIST({ train: false, limit: 300, normalize: { mean: 0, std: 1 } });
    const idx = Int32Array.from({ length: 1000 }, (_, i) => (i * 7) % 300); // more than one scratch chunk (334 rows)
    const [a, la] = simd.getItems(idx), [b, lb] = table.getItems(idx);
    const bytes = (t: typeof a) => { const d = t.dataSync(); return Buffer.from(d.buffer, d.byteOffset, d.byteLength); };
    expect(Buffer.compare(bytes(a), bytes(b))).toBe(0);
    expect(Array.from(la.dataSync())).toEqual(Array.from(lb.dataSync()));
  });

  test('batches written into the converter\'s slots: equal values, a held batch keeps its slot, a freed one is reused', () => {
    const simd = new data.MNIST({ train: false, limit: 300 });
    const table = new data.MNIST({ train: false, limit: 300, normalize: { mean: 0, std: 1 } });
    const batch = (k: number) => Int32Array.from({ length: 64 }, (_, i) => (i * 13 + k * 5) % 300);
    const want = (k: number) => Array.from(table.getItems(batch(k))[0].dataSync());
    // Six batches held at once: four slots, then two through the scratch; none overwrites another.
    const held = [0, 1, 2, 3, 4, 5].map((k) => simd.getItems(batch(k))[0]);
    const inWasm = held.map((t) => t.storage.data.buffer === held[0].storage.data.buffer);
    expect(inWasm).toEqual([true, true, true, true, false, false]);
    held.forEach((t, k) => expect(Array.from(t.dataSync()), `batch ${k}`).toEqual(want(k)));
    // Freeing batch 1 frees its slot: the next batch takes it (same memory), and batch 2 is untouched.
    const slot1 = held[1].storage.data.byteOffset;
    held[1].dispose();
    const next = simd.getItems(batch(6))[0];
    expect(next.storage.data.byteOffset).toBe(slot1);
    expect(Array.from(next.dataSync())).toEqual(want(6));
    expect(Array.from(held[2].dataSync())).toEqual(want(2));
    // A view keeps the slot's storage alive: not reused while the view lives.
    const view = held[3].reshape(64, 784);
    held[3].dispose();
    const other = simd.getItems(batch(7))[0];
    expect(other.storage.data.byteOffset).not.toBe(held[3].storage.data.byteOffset);
    expect(Array.from(view.dataSync())).toEqual(want(3));
  });
});
