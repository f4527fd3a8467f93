/**
 * The runtime's streaming datasets against tfjs's tf.data on the same pipelines: the same elements in the same
 * order (seeded shuffles included), the same batches, sizes and CSV parsing; and the memory rules.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { data, torch, Tensor } from '../runtime/index.js';

/** Elements as plain JSON (tensors → { shape, dtype, values }) so both libraries' outputs compare with toEqual. */
function plain(x: unknown): unknown {
  if (x instanceof tf.Tensor) return { shape: x.shape, dtype: x.dtype, values: Array.from(x.dataSync() as ArrayLike<number>).map(Number) };
  if (x instanceof Tensor) return { shape: x.shape, dtype: x.dtype === 'bool' ? 'bool' : x.dtype, values: (x.flatten().toArray() as (number | boolean)[]).map(Number) };
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
}

type Pipe = (ds: any) => any;

async function both(items: unknown[], pipe: Pipe, runtimeItems: unknown[] = items): Promise<[unknown, unknown]> {
  const ref = await pipe(tf.data.array(items as tf.TensorContainer[])).toArray();
  const ours = await pipe(data.fromArray(runtimeItems)).toArray();
  return [plain(ref), plain(ours)];
}

const nums = Array.from({ length: 23 }, (_, i) => i);
const objs = nums.map((i) => ({ x: [i, i * 2], y: i % 3, w: i / 10 }));

const PIPELINES: [string, Pipe][] = [
  ['map', (d) => d.map((x: number) => x * x)],
  ['filter', (d) => d.filter((x: number) => x % 3 === 0)],
  ['batch', (d) => d.batch(5)],
  ['batch without the small last one', (d) => d.batch(5, false)],
  ['take/skip', (d) => d.skip(4).take(7)],
  ['take(-1) keeps all', (d) => d.take(-1)],
  ['repeat(3)', (d) => d.repeat(3)],
  ['repeat().take(50)', (d) => d.repeat().take(50)],
  ['seeded shuffle', (d) => d.shuffle(7, 'seed-1')],
  ['seeded shuffle, window larger than data', (d) => d.shuffle(100, 'abc')],
  ['seeded shuffle, reshuffled each pass', (d) => d.shuffle(5, 'x').repeat(3)],
  ['seeded shuffle, same order each pass', (d) => d.shuffle(5, 'x', false).repeat(2)],
  ['shuffle then batch', (d) => d.shuffle(10, '42').batch(4)],
  ['prefetch', (d) => d.prefetch(3).map((x: number) => x + 1)],
  ['concatenate', (d) => d.take(3).concatenate(d.skip(20))],
];

describe('data.IterableDataset ≡ tf.data', () => {
  it.each(PIPELINES)('%s on numbers', async (_, pipe) => {
    const [ref, ours] = await both(nums, pipe);
    expect(ours).toEqual(ref);
  });

  it('batches objects key by key and arrays as tensors, as tfjs', async () => {
    const [ref, ours] = await both(objs, (d) => d.shuffle(8, 's').batch(6));
    expect(ours).toEqual(ref);
    expect((ours as any[])[0].x.shape).toEqual([6, 2]);
  });

  it('batches tensors by stacking and booleans as bool', async () => {
    const refItems = nums.slice(0, 6).map((i) => ({ t: tf.tensor2d([[i, -i]]), b: i % 2 === 0 }));
    const ourItems = nums.slice(0, 6).map((i) => ({ t: torch.tensor([[i, -i]], { dtype: 'float32' }), b: i % 2 === 0 }));
    const [ref, ours] = await both(refItems, (d) => d.batch(4), ourItems);
    expect(ours).toEqual(ref);
  });

  it('sizes follow tfjs through every stage', async () => {
    const cases: Pipe[] = [
      (d) => d, (d) => d.batch(5), (d) => d.batch(5, false), (d) => d.take(3), (d) => d.take(100), (d) => d.skip(5),
      (d) => d.skip(100), (d) => d.repeat(2), (d) => d.repeat(), (d) => d.filter(() => true), (d) => d.shuffle(3).batch(2),
      (d) => d.concatenate(d), (d) => d.repeat().concatenate(d),
    ];
    for (const pipe of cases) expect(pipe(data.fromArray(nums)).size).toBe(pipe(tf.data.array(nums)).size);
  });

  it('zip combines structures and ends with the shortest', async () => {
    const ref = await tf.data.zip({ a: tf.data.array([1, 2, 3]), b: { c: tf.data.array([4, 5]) } }).batch(2).toArray();
    const ours = await data.zip({ a: data.fromArray([1, 2, 3]), b: { c: data.fromArray([4, 5]) } }).batch(2).toArray();
    expect(plain(ours)).toEqual(plain(ref));
    const arr = await data.zip([data.fromArray([1, 2]), data.fromArray(['a', 'b', 'c'])]).toArray();
    expect(arr).toEqual([[1, 'a'], [2, 'b']]);
  });

  it('a generator dataset re-runs the generator on every pass (sync and async generators)', async () => {
    let calls = 0;
    const gen = function* () {
      calls++;
      for (let i = 0; i < 4; i++) yield { v: i };
    };
    const ds = data.fromGenerator(gen).batch(3);
    expect(ds.size).toBe(null);
    const a = plain(await ds.toArray());
    const b = plain(await ds.toArray());
    expect(a).toEqual(b);
    expect(calls).toBe(2);
    expect(a).toEqual(plain(await tf.data.generator(gen as any).batch(3).toArray()));
    const agen = async function* () {
      yield 1;
      yield 2;
    };
    expect(await data.fromGenerator(agen).toArray()).toEqual([1, 2]);
  });

  it('iterator().next() and for await read the same elements', async () => {
    const ds = data.fromArray([1, 2, 3]).map((x) => x * 10);
    const it = await ds.iterator();
    expect(await it.next()).toEqual({ value: 10, done: false });
    const seen: number[] = [];
    for await (const x of ds) seen.push(x);
    expect(seen).toEqual([10, 20, 30]);
  });
});

describe('data.IterableDataset memory, as tfjs', () => {
  it('the source array’s tensors survive the pipeline; consumed elements are disposed', async () => {
    const src = [torch.tensor([1, 2]), torch.tensor([3, 4])];
    const seen: Tensor[] = [];
    await data.fromArray(src).forEachAsync((t) => seen.push(t as Tensor));
    expect(src.every((t) => !t.isDisposed)).toBe(true);
    expect(seen.every((t) => t.isDisposed)).toBe(true);
    const mapped = await data.fromArray(src).map((t) => (t as Tensor).mul(2)).toArray();
    expect(mapped.map((t) => (t as Tensor).toArray())).toEqual([[2, 4], [6, 8]]);
  });

  it('a map returning its input keeps it; batched rows are disposed, the batch is not', async () => {
    const rows: Tensor[] = [];
    const batches = await data.fromArray([torch.tensor([1]), torch.tensor([2])]).map((t) => (rows.push(t as Tensor), t)).batch(2).toArray();
    expect(rows.every((t) => t.isDisposed)).toBe(true);
    expect((batches[0] as Tensor).toArray()).toEqual([[1], [2]]);
  });
});

describe('data.IterableDataset errors name the stage and the fix', () => {
  it.each([
    ['batch of strings', () => data.fromArray(['a', 'b']).batch(2).toArray(), /Dataset.batch: the element holds a string/],
    ['batch of arrays of tensors', () => data.fromArray([[torch.tensor(1)]]).batch(1).toArray(), /make the element an object/],
    ['batch size', () => data.fromArray([1]).batch(0), /batchSize needs to be positive/],
    ['endless toArray', () => data.fromArray([1]).repeat().toArray(), /endless dataset/],
    ['shuffle without buffer', () => (data.fromArray([1]) as any).shuffle(), /bufferSize must be given/],
    ['map without function', () => (data.fromArray([1]) as any).map(3), /Dataset.map: transform must be a function/],
    ['zip of numbers', () => data.zip({ a: 1 } as any), /datasets.a is number/],
    ['generator not returning an iterator', () => data.fromGenerator((() => 3) as any).toArray(), /must return an iterator/],
  ])('%s', async (_, f, message) => {
    await expect(async () => f()).rejects.toThrow(message);
  });
});

describe('data.csv ≡ tf.data.csv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-csv-'));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return pathToFileURL(p).href;
  };
  const CASES: [string, string, Parameters<typeof tf.data.csv>[1] & object][] = [
    ['plain numbers', 'a,b,c\n1,2,3\n4,5.5,-6\n', {}],
    ['labels, dtypes, defaults', 'f1,f2,label\n1,,1\n2,3,0\n', { columnConfigs: { label: { isLabel: true }, f2: { default: 7 }, f1: { dtype: 'int32' } } }],
    ['quotes and strings, CRLF', 'name,v\r\n"a, b",1\r\n"say ""hi""",2\r\n', {}],
    ['configured columns only, bool', 'x,y,z\n1,true,3\n0,false,4\n', { columnConfigs: { y: { dtype: 'bool' }, z: { isLabel: true } }, configuredColumnsOnly: true }],
    ['no header', '1;2\n3;4\n', { hasHeader: false, columnNames: ['p', 'q'], delimiter: ';' }],
    ['whitespace delimiter', 'a b\n1  2\n3 4\n', { delimWhitespace: true }],
  ];
  it.each(CASES)('%s', async (name, text, config) => {
    const url = write(`${name.replace(/\W/g, '_')}.csv`, text);
    const ref = await tf.data.csv(url, config).toArray();
    const ours = await data.csv(url, config as data.CSVConfig).toArray();
    expect(ours).toEqual(ref);
    expect(await data.csv(url.replace('file://', ''), config as data.CSVConfig).toArray()).toEqual(ref);
  });

  it('batches rows into feature tensors as tfjs does', async () => {
    const url = write('batch.csv', 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n');
    const cfg = { columnConfigs: { y: { isLabel: true } } };
    const ref = await tf.data.csv(url, cfg).map((r: any) => ({ xs: Object.values(r.xs), ys: Object.values(r.ys) })).batch(2).toArray();
    const ours = await data.csv(url, cfg).map((r: any) => ({ xs: Object.values(r.xs), ys: Object.values(r.ys) })).batch(2).toArray();
    expect(plain(ours)).toEqual(plain(ref));
  });

  it('says which file and line is wrong', async () => {
    await expect(data.csv(join(dir, 'missing.csv')).toArray()).rejects.toThrow(/data.csv\(.*missing.csv\): cannot read the file \(ENOENT\)/);
    const bad = write('bad.csv', 'a,b\n1,2\n3\n');
    await expect(data.csv(bad).toArray()).rejects.toThrow(/line 3 has 1 fields, 2 expected/);
    const req = write('req.csv', 'a,b\n1,\n');
    await expect(data.csv(req, { columnConfigs: { b: { required: true } } }).toArray()).rejects.toThrow(/required column 'b' is empty on line 2/);
  });
});
