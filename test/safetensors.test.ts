import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  SafetensorsError,
  bf16BitsToNumber,
  f16BitsToNumber,
  numberToBf16Bits,
  numberToF16Bits,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
  type StEntry,
} from '../runtime/io/safetensors.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'safetensors-test-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

let counter = 0;
function tmpFile(name = 'f'): string {
  return path.join(tmp, `${counter++}-${name}.safetensors`);
}

/** A file from a raw header string (padded with spaces to 8) and raw data bytes. */
function rawFile(header: string, data: ArrayLike<number> = [], opts: { n?: number; pad?: boolean } = {}): Uint8Array {
  let h = Buffer.from(header, 'utf8');
  if (opts.pad !== false) h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(opts.n ?? h.length));
  return new Uint8Array(Buffer.concat([len, h, Buffer.from(Array.from(data))]));
}

function writeTmp(bytes: Uint8Array, name?: string): string {
  const p = tmpFile(name);
  fs.writeFileSync(p, bytes);
  return p;
}

function expectStError(fn: () => unknown, file: string, ...phrases: string[]): SafetensorsError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsError);
  const msg = (err as Error).message;
  expect(msg).toContain(file);
  for (const p of phrases) expect(msg).toContain(p);
  return err as SafetensorsError;
}

function u16le(vals: number[]): number[] {
  const b = Buffer.alloc(2 * vals.length);
  vals.forEach((v, i) => b.writeUInt16LE(v, 2 * i));
  return Array.from(b);
}

describe('golden bytes', () => {
  it('one F32 tensor [2] = [1, 2]', () => {
    const out = serializeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    // header {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 54 bytes, padded with 2 spaces to 56
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expect(header.length).toBe(54);
    const expected = [
      56, 0, 0, 0, 0, 0, 0, 0,
      ...Array.from(Buffer.from(header)),
      32, 32,
      0, 0, 0x80, 0x3f, // 1.0f LE
      0, 0, 0, 0x40, // 2.0f LE
    ];
    expect(Array.from(out)).toEqual(expected);
    const back = parseSafetensors(out, 'golden');
    expect(back.metadata).toEqual({});
    expect(back.tensors.a!.dtype).toBe('F32');
    expect(back.tensors.a!.shape).toEqual([2]);
    expect(Array.from(back.tensors.a!.data)).toEqual([1, 2]);
  });

  // The next three are the byte vectors from the reference implementation's own unit tests
  // (huggingface/safetensors, safetensors/src/tensor.rs: test_serialization_forced_alignement, test_empty).
  it('reference vector: F32 [1,1,2,3] "attn0" with alignment padding', () => {
    const out = serializeSafetensors({
      attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) },
    });
    expect(Array.from(out)).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
  });

  it('reference vectors: empty file, and empty file with metadata', () => {
    expect(Array.from(serializeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMeta = serializeSafetensors({}, { framework: 'pt' });
    expect(Array.from(withMeta)).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
    expect(parseSafetensors(withMeta, 'meta')).toEqual({ tensors: {}, metadata: { framework: 'pt' } });
  });

  it('layout: descending dtype alignment then name, each tensor aligned to its item size', () => {
    const out = serializeSafetensors({
      b: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      a: { dtype: 'U8', shape: [1], data: new Uint8Array([9]) },
      w: { dtype: 'F32', shape: [1], data: new Float32Array([0.5]) },
      i: { dtype: 'I64', shape: [1], data: new Int32Array([-1]) },
      h: { dtype: 'F16', shape: [1], data: new Float32Array([1]) },
    });
    const n = Number(Buffer.from(out).readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = Buffer.from(out.subarray(8, 8 + n)).toString('utf8').trimEnd();
    expect(header).toBe(
      '{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
        '"w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
        '"h":{"dtype":"F16","shape":[1],"data_offsets":[12,14]},' +
        '"a":{"dtype":"U8","shape":[1],"data_offsets":[14,15]},' +
        '"b":{"dtype":"U8","shape":[3],"data_offsets":[15,18]}}',
    );
    expect(Array.from(out.subarray(8 + n))).toEqual([
      255, 255, 255, 255, 255, 255, 255, 255, // I64 -1
      0, 0, 0, 0x3f, // F32 0.5
      0, 0x3c, // F16 1.0
      9, 1, 2, 3,
    ]);
  });

  it('serialization is deterministic regardless of insertion order; integer-like names keep order', () => {
    const x = { dtype: 'F32' as const, shape: [1], data: new Float32Array([1]) };
    const a = serializeSafetensors({ '10': x, '2': x, b: x }, { z: '1', a: '2' });
    const b = serializeSafetensors({ b: x, '2': x, '10': x }, { a: '2', z: '1' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const n = Number(Buffer.from(a).readBigUInt64LE(0));
    const header = Buffer.from(a.subarray(8, 8 + n)).toString('utf8');
    // byte-wise name order: "10" < "2" < "b"; metadata first with sorted keys
    expect(header.indexOf('"__metadata__":{"a":"2","z":"1"}')).toBe(1);
    expect(header.indexOf('"10":{')).toBeGreaterThan(0);
    expect(header.indexOf('"10":{')).toBeLessThan(header.indexOf('"2":{'));
    expect(header.indexOf('"2":{')).toBeLessThan(header.indexOf('"b":{'));
  });
});

describe('round trip', () => {
  it('every dtype, plus scalars, empty tensors, metadata and odd names, through a file', () => {
    const entries: Record<string, StEntry> = {
      f64: { dtype: 'F64', shape: [2, 2], data: new Float64Array([Math.PI, -1e300, 5e-324, -0]) },
      f32: { dtype: 'F32', shape: [3], data: new Float32Array([1.5, -Infinity, 3.4028234663852886e38]) },
      f16: { dtype: 'F16', shape: [2, 3], data: new Float32Array([1, -2, 65504, 2 ** -24, Infinity, 0.333251953125]) },
      bf16: { dtype: 'BF16', shape: [4], data: new Float32Array([1, -2, 3.140625, 2 ** -133]) },
      i64: { dtype: 'I64', shape: [4], data: new Int32Array([0, -1, 2147483647, -2147483648]) },
      i32: { dtype: 'I32', shape: [2], data: new Int32Array([-7, 123456789]) },
      i16: { dtype: 'I16', shape: [3], data: new Int16Array([-32768, 0, 32767]) },
      i8: { dtype: 'I8', shape: [3], data: new Int8Array([-128, 0, 127]) },
      u8: { dtype: 'U8', shape: [1, 3], data: new Uint8Array([0, 128, 255]) },
      bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
      scalar: { dtype: 'F32', shape: [], data: new Float32Array([42]) },
      empty: { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) },
      'layer.0.weight/ünïcode': { dtype: 'U8', shape: [1], data: new Uint8Array([7]) },
      __proto__x: { dtype: 'U8', shape: [1], data: new Uint8Array([3]) },
    };
    const meta = { format: 'pt', note: 'ünïcode ok' };
    const p = tmpFile('roundtrip');
    writeSafetensors(p, entries, meta);
    const back = readSafetensors(p);
    expect(back.metadata).toEqual(meta);
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(entries).sort());
    for (const [name, e] of Object.entries(entries)) {
      const got = back.tensors[name]!;
      expect(got.dtype, name).toBe(e.dtype);
      expect(got.shape, name).toEqual(e.shape);
      expect(got.data.constructor, name).toBe(e.data.constructor);
      expect(Array.from(got.data), name).toEqual(Array.from(e.data));
      // aligned, standalone copies
      expect(got.data.byteOffset % got.data.BYTES_PER_ELEMENT).toBe(0);
      expect(got.data.buffer.byteLength, name).toBe(got.data.byteLength);
    }
    // bytes on disk equal the in-memory serialization
    expect(Buffer.from(fs.readFileSync(p)).equals(Buffer.from(serializeSafetensors(entries, meta)))).toBe(true);
  });

  it('a tensor literally named "__proto__" survives parsing as an own key', () => {
    const bytes = rawFile('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [5]);
    const t = parseSafetensors(bytes, 'proto').tensors;
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(Array.from(Object.getOwnPropertyDescriptor(t, '__proto__')!.value.data)).toEqual([5]);
  });

  it('BOOL normalizes non-zero bytes to 1', () => {
    const out = serializeSafetensors({ m: { dtype: 'BOOL', shape: [3], data: new Uint8Array([0, 7, 255]) } });
    expect(Array.from(parseSafetensors(out, 'b').tensors.m!.data)).toEqual([0, 1, 1]);
  });

  it('parses from an unaligned Uint8Array view and copies out of it', () => {
    const out = serializeSafetensors({
      d: { dtype: 'F64', shape: [2], data: new Float64Array([1.25, -8]) },
      f: { dtype: 'F32', shape: [1], data: new Float32Array([3]) },
    });
    const big = new Uint8Array(out.length + 3);
    big.set(out, 3);
    const view = big.subarray(3);
    const t = parseSafetensors(view, 'unaligned').tensors;
    expect(Array.from(t.d!.data)).toEqual([1.25, -8]);
    expect(Array.from(t.f!.data)).toEqual([3]);
    expect(t.d!.data.buffer).not.toBe(big.buffer);
    view.fill(0);
    expect(Array.from(t.d!.data)).toEqual([1.25, -8]);
  });
});

describe('half precision', () => {
  it('F16 decoding of known values', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555];
    const bytes = rawFile(`{"h":{"dtype":"F16","shape":[${bits.length}],"data_offsets":[0,${2 * bits.length}]}}`, u16le(bits));
    const t = parseSafetensors(bytes, 'f16').tensors.h!;
    expect(t.dtype).toBe('F16');
    expect(t.data).toBeInstanceOf(Float32Array);
    const v = Array.from(t.data);
    expect(v[0]).toBe(1);
    expect(v[1]).toBe(-2);
    expect(v[2]).toBe(65504);
    expect(v[3]).toBe(2 ** -24); // smallest subnormal, 5.960464477539063e-8
    expect(v[4]).toBe(1023 * 2 ** -24); // largest subnormal
    expect(v[5]).toBe(2 ** -14); // smallest normal
    expect(v[6]).toBe(Infinity);
    expect(v[7]).toBe(-Infinity);
    expect(Number.isNaN(v[8])).toBe(true);
    expect(Object.is(v[9], -0)).toBe(true);
    expect(v[10]).toBe(0.333251953125);
  });

  it('BF16 decoding of known values', () => {
    const bits = [0x3f80, 0xc000, 0x477f, 0x4780, 0x0001, 0x7f80, 0xff80, 0x7fc0, 0x8000];
    const bytes = rawFile(`{"b":{"dtype":"BF16","shape":[${bits.length}],"data_offsets":[0,${2 * bits.length}]}}`, u16le(bits));
    const t = parseSafetensors(bytes, 'bf16').tensors.b!;
    expect(t.dtype).toBe('BF16');
    expect(t.data).toBeInstanceOf(Float32Array);
    const v = Array.from(t.data);
    expect(v[0]).toBe(1);
    expect(v[1]).toBe(-2);
    expect(v[2]).toBe(65280);
    expect(v[3]).toBe(65536);
    expect(v[4]).toBe(2 ** -133); // smallest bf16 subnormal
    expect(v[5]).toBe(Infinity);
    expect(v[6]).toBe(-Infinity);
    expect(Number.isNaN(v[7])).toBe(true);
    expect(Object.is(v[8], -0)).toBe(true);
  });

  it('bit helpers agree with the decoder and round to nearest even on encode', () => {
    expect(f16BitsToNumber(0x3c00)).toBe(1);
    expect(bf16BitsToNumber(0x3f80)).toBe(1);
    // f16 encode
    expect(numberToF16Bits(1)).toBe(0x3c00);
    expect(numberToF16Bits(-2)).toBe(0xc000);
    expect(numberToF16Bits(65504)).toBe(0x7bff);
    expect(numberToF16Bits(65519)).toBe(0x7bff); // below the halfway point to 65536
    expect(numberToF16Bits(65520)).toBe(0x7c00); // tie rounds to even = inf
    expect(numberToF16Bits(1e10)).toBe(0x7c00);
    expect(numberToF16Bits(-Infinity)).toBe(0xfc00);
    expect(numberToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(numberToF16Bits(NaN) & 0x3ff).not.toBe(0);
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, even stays
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd rounds up
    expect(numberToF16Bits(2 ** -24)).toBe(0x0001);
    expect(numberToF16Bits(2 ** -25)).toBe(0x0000); // tie to even -> 0
    expect(numberToF16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(numberToF16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 -> 2
    expect(numberToF16Bits(1e-10)).toBe(0x0000);
    expect(numberToF16Bits(-1e-10)).toBe(0x8000);
    expect(numberToF16Bits(2 ** -14 - 2 ** -26)).toBe(0x0400); // subnormal rounding carries into the smallest normal
    // bf16 encode
    expect(numberToBf16Bits(1)).toBe(0x3f80);
    expect(numberToBf16Bits(65504)).toBe(0x4780);
    expect(numberToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie, even stays
    expect(numberToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie, odd rounds up
    expect(numberToBf16Bits(Infinity)).toBe(0x7f80);
    expect(Number.isNaN(bf16BitsToNumber(numberToBf16Bits(NaN)))).toBe(true);
    // exhaustive f16: every finite bit pattern survives decode -> encode
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaN
      expect(numberToF16Bits(f16BitsToNumber(h))).toBe(h);
    }
  });

  it('F16/BF16 written from Float64Array input', () => {
    const out = serializeSafetensors({
      h: { dtype: 'F16', shape: [2], data: new Float64Array([0.1, -3]) },
      b: { dtype: 'BF16', shape: [2], data: new Float64Array([0.1, -3]) },
    });
    const t = parseSafetensors(out, 'f64in').tensors;
    expect(Array.from(t.h!.data)).toEqual([f16BitsToNumber(0x2e66), -3]);
    expect(Array.from(t.b!.data)).toEqual([bf16BitsToNumber(0x3dcd), -3]);
  });
});

describe('corrupt files give SafetensorsError naming the file', () => {
  it('missing file', () => {
    const p = path.join(tmp, 'no', 'such.safetensors');
    expectStError(() => readSafetensors(p), p, 'not found');
  });

  it('shorter than 8 bytes', () => {
    const p = writeTmp(new Uint8Array([1, 2, 3]));
    expectStError(() => readSafetensors(p), p, 'truncated');
  });

  it('header length beyond the file', () => {
    const p = writeTmp(rawFile('{}', [], { n: 1000 }));
    expectStError(() => readSafetensors(p), p, 'header length 1000 is beyond the file');
    const huge = writeTmp(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7b, 0x7d]));
    expectStError(() => readSafetensors(huge), huge, 'beyond the file');
  });

  it('invalid JSON / not an object / bad UTF-8', () => {
    const p = writeTmp(rawFile('{"a": {"dtype": "F32",'));
    expectStError(() => readSafetensors(p), p, 'invalid JSON');
    const q = writeTmp(rawFile('[1,2]'));
    expectStError(() => readSafetensors(q), q, "does not start with '{'");
    const r = writeTmp(rawFile('{"a":"b"}'));
    expectStError(() => readSafetensors(r), r, 'tensor "a"', 'must be an object');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(8n);
    const s = writeTmp(Buffer.concat([len, Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 32, 32, 32, 32])]));
    expectStError(() => readSafetensors(s), s, 'UTF-8');
  });

  it('unknown dtype names the tensor', () => {
    const p = writeTmp(rawFile('{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', [0]));
    const e = expectStError(() => readSafetensors(p), p, 'tensor "w"', 'unknown dtype "F8_E4M3"');
    expect(e.tensor).toBe('w');
    expect(e.file).toBe(p);
  });

  it('shape x itemsize != offsets span', () => {
    const p = writeTmp(rawFile('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}', new Array(12).fill(0)));
    expectStError(() => readSafetensors(p), p, 'tensor "w"', '16 bytes', 'span 12 bytes');
  });

  it('bad shape / bad offsets values', () => {
    const p = writeTmp(rawFile('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]));
    expectStError(() => readSafetensors(p), p, 'tensor "w"', 'non-negative integers');
    const q = writeTmp(rawFile('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4]}}', [0, 0, 0, 0]));
    expectStError(() => readSafetensors(q), q, 'tensor "w"', 'data_offsets');
    const r = writeTmp(rawFile('{"w":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}', [0]));
    expectStError(() => readSafetensors(r), r, 'tensor "w"', 'end before they begin');
  });

  it('file truncated (offsets out of range)', () => {
    const good = serializeSafetensors({ w: { dtype: 'F32', shape: [4], data: new Float32Array([1, 2, 3, 4]) } });
    const p = writeTmp(good.subarray(0, good.length - 4));
    expectStError(() => readSafetensors(p), p, 'file truncated', 'tensor "w"', '[0, 16]', 'only 12 bytes');
  });

  it('overlapping offsets', () => {
    const p = writeTmp(
      rawFile(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        new Array(12).fill(0),
      ),
    );
    expectStError(() => readSafetensors(p), p, 'tensor "b"', 'overlap tensor "a"');
  });

  it('gap in the buffer', () => {
    const p = writeTmp(
      rawFile(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
        new Array(12).fill(0),
      ),
    );
    expectStError(() => readSafetensors(p), p, 'tensor "b"', 'gap', 'not covering');
  });

  it('trailing bytes not covered by any tensor', () => {
    const good = serializeSafetensors({ w: { dtype: 'U8', shape: [2], data: new Uint8Array([1, 2]) } });
    const p = writeTmp(Buffer.concat([good, Buffer.from([0, 0, 0])]));
    expectStError(() => readSafetensors(p), p, '3 trailing byte', 'not covering');
  });

  it('I64 values that do not fit int32 name the tensor', () => {
    const b = Buffer.alloc(16);
    b.writeBigInt64LE(5n, 0);
    b.writeBigInt64LE(2n ** 40n, 8);
    const p = writeTmp(rawFile('{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', b));
    const e = expectStError(() => readSafetensors(p), p, 'tensor "ids"', '1099511627776', 'int32');
    expect(e.tensor).toBe('ids');
    const ok = Buffer.alloc(16);
    ok.writeBigInt64LE(-3n, 0);
    ok.writeBigInt64LE(-(2n ** 31n), 8);
    const t = parseSafetensors(rawFile('{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', ok), 'ok').tensors.ids!;
    expect(t.dtype).toBe('I64');
    expect(t.data).toBeInstanceOf(Int32Array);
    expect(Array.from(t.data)).toEqual([-3, -2147483648]);
  });

  it('non-string metadata', () => {
    const p = writeTmp(rawFile('{"__metadata__":{"epoch":3}}'));
    expectStError(() => readSafetensors(p), p, '__metadata__', '"epoch"', 'string');
  });
});

describe('write', () => {
  it('is atomic: overwrites in place, leaves no temp files behind', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const p = path.join(dir, 'model.safetensors');
    writeSafetensors(p, { a: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } });
    writeSafetensors(p, { a: { dtype: 'F32', shape: [1], data: new Float32Array([2]) } });
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
    expect(Array.from(readSafetensors(p).tensors.a!.data)).toEqual([2]);
  });

  it('failed writes throw SafetensorsError naming the file and leave nothing behind', () => {
    const missingDir = path.join(tmp, 'missing-dir', 'x.safetensors');
    expectStError(
      () => writeSafetensors(missingDir, { a: { dtype: 'U8', shape: [1], data: new Uint8Array([1]) } }),
      missingDir,
      'could not write',
    );
    const dir = fs.mkdtempSync(path.join(tmp, 'badwrite-'));
    const p = path.join(dir, 'y.safetensors');
    expectStError(
      () => writeSafetensors(p, { a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }),
      p,
      'tensor "a"',
      '3 elements',
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('rejects wrong array types, bad shapes and reserved names', () => {
    expect(() =>
      serializeSafetensors({ a: { dtype: 'F32', shape: [1], data: new Float64Array([1]) } }),
    ).toThrow(/tensor "a".*Float32Array/);
    expect(() =>
      serializeSafetensors({ a: { dtype: 'I64', shape: [1], data: new Float32Array([1]) } }),
    ).toThrow(SafetensorsError);
    expect(() =>
      serializeSafetensors({ a: { dtype: 'U8', shape: [1.5], data: new Uint8Array([1]) } }),
    ).toThrow(/non-negative integers/);
    expect(() =>
      serializeSafetensors({ __metadata__: { dtype: 'U8', shape: [1], data: new Uint8Array([1]) } }),
    ).toThrow(/reserved/);
    expect(() =>
      serializeSafetensors({ a: { dtype: 'X' as never, shape: [1], data: new Uint8Array([1]) } }),
    ).toThrow(/unknown dtype/);
  });
});
