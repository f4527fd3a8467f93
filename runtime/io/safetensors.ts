/**
 * The safetensors format (https://github.com/huggingface/safetensors).
 *
 *   8 bytes   N, little-endian u64: length of the header
 *   N bytes   UTF-8 JSON header:
 *               { "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 *                 "__metadata__": {string: string} }
 *             padded with spaces to a multiple of 8 bytes
 *   rest      the byte buffer; offsets are relative to its start; tensors are contiguous,
 *             row-major, little-endian, and together cover the buffer exactly.
 *
 * This module is a pure format module on typed arrays: it deliberately does not depend on the
 * tensor library.
 *
 * Write layout: we follow the reference implementation (safetensors/src/tensor.rs `prepare`):
 * tensors are ordered by dtype in *descending* alignment order (the Rust `Dtype` enum order,
 * reversed: I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then by name (byte-wise UTF-8
 * order, like Rust's `str::cmp`). Together with the 8-byte header padding this puts every tensor
 * at an offset aligned to its item size, and makes our output byte-identical to the reference's
 * for the same inputs. The header JSON lists `__metadata__` first (only when metadata is given;
 * its keys sorted by name) and then the tensors in buffer order; the tensor-info keys are
 * written in the order dtype, shape, data_offsets, with no whitespace, like serde_json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export type StDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export type StData = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array;

/**
 * One tensor. In-memory representation per dtype (the same on write and on read):
 *   F64 Float64Array · F32 Float32Array · F16, BF16 Float32Array (a Float64Array is also accepted
 *   on write) · I64 Int32Array (widened on write; on read values must fit int32) · I32 Int32Array ·
 *   I16 Int16Array · I8 Int8Array · U8 Uint8Array · BOOL Uint8Array of 0/1 (any non-zero byte
 *   reads/writes as 1).
 */
export interface StEntry {
  dtype: StDtype;
  shape: number[];
  data: StData;
}

export interface StFile {
  tensors: Record<string, StEntry>;
  metadata: Record<string, string>;
}

/** Every failure of this module is a SafetensorsError; `file` and `tensor` say what it concerns. */
export class SafetensorsError extends Error {
  readonly file: string | undefined;
  readonly tensor: string | undefined;
  constructor(message: string, opts: { file?: string | undefined; tensor?: string | undefined } = {}) {
    super(message);
    this.name = 'SafetensorsError';
    this.file = opts.file;
    this.tensor = opts.tensor;
  }
}

const ITEMSIZE: Record<StDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

/** Rank in the reference's `Dtype` enum (increasing alignment); we sort descending. */
const DTYPE_RANK: Record<StDtype, number> = {
  BOOL: 0, U8: 1, I8: 2, I16: 5, F16: 7, BF16: 8, I32: 9, F32: 11, F64: 12, I64: 13,
};

/** Reference implementation's limit; anything larger is treated as corruption. */
const MAX_HEADER_SIZE = 100_000_000;

const METADATA_KEY = '__metadata__';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isStDtype(x: unknown): x is StDtype {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ITEMSIZE, x);
}

/** Define an own property even for names like "__proto__" (plain assignment would not). */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

// ---------------------------------------------------------------------------------------------
// half-precision conversions

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** IEEE binary16 bits -> number (exact). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** number -> IEEE binary16 bits, round to nearest even (via float32, like Math.fround). */
export function numberToF16Bits(x: number): number {
  f32buf[0] = x;
  const b = u32buf[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13); // inf / quiet NaN
  const e = exp - 127 + 15; // rebiased exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    // subnormal half (or zero)
    if (e < -10) return sign; // below half the smallest subnormal: rounds to (signed) zero
    const m = mant | 0x800000;
    const shift = 14 - e; // 14..24
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h; // h may carry to 0x400 = smallest normal, which is correct
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // may carry into exponent / to inf: correct
  return sign | h;
}

/** bfloat16 bits -> number (exact). */
export function bf16BitsToNumber(h: number): number {
  u32buf[0] = (h & 0xffff) << 16;
  return f32buf[0]!;
}

/** number -> bfloat16 bits, round to nearest even (via float32). NaN stays a quiet NaN. */
export function numberToBf16Bits(x: number): number {
  f32buf[0] = x;
  const b = u32buf[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// write

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function checkShape(shape: unknown, where: { file?: string | undefined; tensor?: string | undefined }, label: string): number {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new SafetensorsError(
      `${label}: shape ${JSON.stringify(shape)} must be an array of non-negative integers.`,
      where,
    );
  }
  let n = 1;
  for (const d of shape as number[]) n *= d;
  if (!Number.isSafeInteger(n)) {
    throw new SafetensorsError(`${label}: shape [${(shape as number[]).join(', ')}] is absurdly large.`, where);
  }
  return n;
}

const EXPECTED_ARRAY: Record<StDtype, string> = {
  F64: 'Float64Array', F32: 'Float32Array', F16: 'Float32Array', BF16: 'Float32Array',
  I64: 'Int32Array', I32: 'Int32Array', I16: 'Int16Array', I8: 'Int8Array', U8: 'Uint8Array', BOOL: 'Uint8Array',
};

function arrayMatches(dtype: StDtype, data: StData): boolean {
  switch (dtype) {
    case 'F64': return data instanceof Float64Array;
    case 'F32': return data instanceof Float32Array;
    case 'F16':
    case 'BF16': return data instanceof Float32Array || data instanceof Float64Array;
    case 'I64':
    case 'I32': return data instanceof Int32Array;
    case 'I16': return data instanceof Int16Array;
    case 'I8': return data instanceof Int8Array;
    case 'U8':
    case 'BOOL': return data instanceof Uint8Array;
  }
}

function rawBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Encode one tensor's elements into `out` (exactly n * itemsize bytes), little-endian. */
function encodeInto(e: StEntry, out: Uint8Array): void {
  const n = e.data.length;
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  switch (e.dtype) {
    case 'F64':
    case 'F32':
    case 'I32':
    case 'I16':
      if (LITTLE_ENDIAN) out.set(rawBytes(e.data));
      else {
        const d = e.data;
        for (let i = 0; i < n; i++) {
          if (e.dtype === 'F64') dv.setFloat64(8 * i, d[i]!, true);
          else if (e.dtype === 'F32') dv.setFloat32(4 * i, d[i]!, true);
          else if (e.dtype === 'I32') dv.setInt32(4 * i, d[i]!, true);
          else dv.setInt16(2 * i, d[i]!, true);
        }
      }
      return;
    case 'I8':
    case 'U8':
      out.set(rawBytes(e.data));
      return;
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = e.data[i] ? 1 : 0;
      return;
    case 'F16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, numberToF16Bits(e.data[i]!), true);
      return;
    case 'BF16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, numberToBf16Bits(e.data[i]!), true);
      return;
    case 'I64':
      for (let i = 0; i < n; i++) {
        const v = e.data[i]!;
        dv.setInt32(8 * i, v, true);
        dv.setInt32(8 * i + 4, v < 0 ? -1 : 0, true);
      }
      return;
  }
}

/** Serialize tensors (and optional string metadata) to the bytes of a .safetensors file. */
export function serializeSafetensors(entries: Record<string, StEntry>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(entries);
  for (const name of names) {
    const where = { tensor: name };
    const label = `safetensors: tensor "${name}"`;
    if (name === METADATA_KEY) {
      throw new SafetensorsError(`${label}: the name ${METADATA_KEY} is reserved for metadata.`, where);
    }
    const e = entries[name]!;
    if (!isStDtype(e.dtype)) {
      throw new SafetensorsError(
        `${label}: unknown dtype ${JSON.stringify(e.dtype)}; expected one of ${Object.keys(ITEMSIZE).join(', ')}.`,
        where,
      );
    }
    const n = checkShape(e.shape, where, label);
    if (!arrayMatches(e.dtype, e.data)) {
      throw new SafetensorsError(
        `${label}: dtype ${e.dtype} needs its data as a ${EXPECTED_ARRAY[e.dtype]}, got ${
          (e.data as object)?.constructor?.name ?? typeof e.data
        }.`,
        where,
      );
    }
    if (e.data.length !== n) {
      throw new SafetensorsError(
        `${label}: shape [${e.shape.join(', ')}] has ${n} elements but the data has ${e.data.length}.`,
        where,
      );
    }
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new SafetensorsError(`safetensors: metadata value for "${k}" must be a string, got ${typeof v}.`);
      }
    }
  }

  names.sort((a, b) => DTYPE_RANK[entries[b]!.dtype] - DTYPE_RANK[entries[a]!.dtype] || utf8Compare(a, b));

  // Build the JSON by hand: JS objects reorder integer-like keys ("0", "1", ...), which would
  // break the intended order.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const mk = Object.keys(metadata).sort(utf8Compare);
    parts.push(
      `${JSON.stringify(METADATA_KEY)}:{${mk.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`,
    );
  }
  let offset = 0;
  const spans: [number, number][] = [];
  for (const name of names) {
    const e = entries[name]!;
    const nbytes = e.data.length * ITEMSIZE[e.dtype];
    spans.push([offset, offset + nbytes]);
    parts.push(
      `${JSON.stringify(name)}:{"dtype":${JSON.stringify(e.dtype)},"shape":[${e.shape.join(',')}],` +
        `"data_offsets":[${offset},${offset + nbytes}]}`,
    );
    offset += nbytes;
  }
  const json = `{${parts.join(',')}}`;
  const headerRaw = Buffer.from(json, 'utf8');
  const pad = (8 - (headerRaw.length % 8)) % 8;
  const headerLen = headerRaw.length + pad;

  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(headerRaw, 8);
  out.fill(0x20, 8 + headerRaw.length, 8 + headerLen);
  const base = 8 + headerLen;
  names.forEach((name, i) => {
    const [b, e] = spans[i]!;
    encodeInto(entries[name]!, out.subarray(base + b, base + e));
  });
  return out;
}

/**
 * Write a .safetensors file atomically: the bytes go to a temporary file in the same directory,
 * which is fsynced and then renamed over `file`.
 */
export function writeSafetensors(file: string, entries: Record<string, StEntry>, metadata?: Record<string, string>): void {
  let bytes: Uint8Array;
  try {
    bytes = serializeSafetensors(entries, metadata);
  } catch (e) {
    if (e instanceof SafetensorsError) {
      throw new SafetensorsError(`${e.message} (while writing ${file})`, { file, tensor: e.tensor });
    }
    throw e;
  }
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try { fs.closeSync(fd); } catch { /* ignore */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* ignore: may not exist */ }
    const code = errnoCode(e);
    const hint = code === 'ENOENT' ? ` (does the directory ${dir} exist?)` : '';
    throw new SafetensorsError(`safetensors: could not write ${file}${hint}: ${errMessage(e)}`, { file });
  }
}

// ---------------------------------------------------------------------------------------------
// read

interface RawInfo {
  name: string;
  dtype: StDtype;
  shape: number[];
  begin: number;
  end: number;
}

function copyBytes(src: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(src.length);
  out.set(src);
  return out;
}

function decode(
  info: RawInfo,
  bytes: Uint8Array,
  start: number, // absolute offset in `bytes`
  file: string,
): StData {
  const n = (info.end - info.begin) / ITEMSIZE[info.dtype];
  const src = bytes.subarray(start, start + (info.end - info.begin));
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  // Copy into a fresh buffer: aligned, and independent of the file buffer.
  const copyAs = <T extends StData>(ctor: { new (b: ArrayBuffer): T }, read: (i: number) => number): T => {
    const buf = new ArrayBuffer(src.length);
    const out = new ctor(buf);
    if (LITTLE_ENDIAN) new Uint8Array(buf).set(src);
    else for (let i = 0; i < n; i++) out[i] = read(i);
    return out;
  };
  switch (info.dtype) {
    case 'F64': return copyAs(Float64Array, (i) => dv.getFloat64(8 * i, true));
    case 'F32': return copyAs(Float32Array, (i) => dv.getFloat32(4 * i, true));
    case 'I32': return copyAs(Int32Array, (i) => dv.getInt32(4 * i, true));
    case 'I16': return copyAs(Int16Array, (i) => dv.getInt16(2 * i, true));
    // Note: `src` may be a Node Buffer, whose .slice() is a view, not a copy; copy explicitly.
    case 'I8': return new Int8Array(copyBytes(src).buffer);
    case 'U8': return copyBytes(src);
    case 'BOOL': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] ? 1 : 0;
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16BitsToNumber(dv.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = dv.getUint16(2 * i, true) << 16;
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = dv.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new SafetensorsError(
            `safetensors file ${file}: tensor "${info.name}" (I64) holds ${v} at flat index ${i}, which does not ` +
              `fit in int32; this runtime keeps I64 tensors as Int32Array and cannot load it.`,
            { file, tensor: info.name },
          );
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** Parse the bytes of a .safetensors file. `name` is used in error messages. */
export function parseSafetensors(bytes: Uint8Array, name: string): StFile {
  const file = name;
  const fail = (msg: string, tensor?: string): never => {
    throw new SafetensorsError(`safetensors file ${file}: ${msg}`, { file, tensor });
  };
  if (bytes.length < 8) {
    fail(`file truncated: only ${bytes.length} byte(s), too short for the 8-byte header length.`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    fail(
      `header length ${n64} is beyond the file: only ${bytes.length - 8} bytes follow the 8-byte length ` +
        `(file truncated, or not a safetensors file).`,
    );
  }
  const n = Number(n64);
  if (n > MAX_HEADER_SIZE) fail(`header length ${n} exceeds the ${MAX_HEADER_SIZE}-byte limit; the file is corrupt.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail(`header is not valid UTF-8; the file is corrupt.`);
  }
  if (!text.startsWith('{')) fail(`header does not start with '{' (found ${JSON.stringify(text.slice(0, 16))}); invalid JSON header.`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is invalid JSON (${errMessage(e)}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return fail(`header JSON must be an object.`);
  }

  const metadata: Record<string, string> = {};
  const infos: RawInfo[] = [];
  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    if (key === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(`${METADATA_KEY} must be an object of string values.`);
      }
      for (const [mk, mv] of Object.entries(value as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`${METADATA_KEY} value for "${mk}" must be a string, got ${JSON.stringify(mv)}.`);
        setOwn(metadata, mk, mv as string);
      }
      continue;
    }
    const t = `tensor "${key}"`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(`${t}: entry must be an object with dtype, shape and data_offsets.`, key);
    }
    const v = value as Record<string, unknown>;
    if (!isStDtype(v.dtype)) {
      fail(
        `${t}: unknown dtype ${JSON.stringify(v.dtype)}; this reader supports ${Object.keys(ITEMSIZE).join(', ')}.`,
        key,
      );
    }
    const dtype = v.dtype as StDtype;
    const count = checkShape(v.shape, { file, tensor: key }, `safetensors file ${file}: ${t}`);
    const off = v.data_offsets;
    if (
      !Array.isArray(off) || off.length !== 2 ||
      !off.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)
    ) {
      fail(`${t}: data_offsets ${JSON.stringify(off)} must be [begin, end] with non-negative integers.`, key);
    }
    const [begin, end] = off as [number, number];
    if (end < begin) fail(`${t}: data_offsets [${begin}, ${end}] end before they begin.`, key);
    const nbytes = count * ITEMSIZE[dtype];
    if (end - begin !== nbytes) {
      fail(
        `${t}: shape [${(v.shape as number[]).join(', ')}] × ${dtype} (${ITEMSIZE[dtype]} bytes each) = ${nbytes} bytes, ` +
          `but data_offsets [${begin}, ${end}] span ${end - begin} bytes.`,
        key,
      );
    }
    infos.push({ name: key, dtype, shape: (v.shape as number[]).slice(), begin, end });
  }

  const bufLen = bytes.length - 8 - n;
  for (const info of infos) {
    if (info.end > bufLen) {
      fail(
        `file truncated: tensor "${info.name}" has data_offsets [${info.begin}, ${info.end}] but the data buffer ` +
          `is only ${bufLen} bytes (offsets out of range).`,
        info.name,
      );
    }
  }
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]!;
    if (info.begin < pos) {
      fail(
        `tensor "${info.name}" data_offsets [${info.begin}, ${info.end}] overlap tensor "${infos[i - 1]!.name}" ` +
          `(which ends at ${pos}).`,
        info.name,
      );
    }
    if (info.begin > pos) {
      fail(
        `tensor "${info.name}" data_offsets [${info.begin}, ${info.end}] leave a gap: bytes [${pos}, ${info.begin}) ` +
          `of the data buffer belong to no tensor (offsets not covering the buffer).`,
        info.name,
      );
    }
    pos = info.end;
  }
  if (pos !== bufLen) {
    fail(
      `the tensors cover ${pos} bytes of the data buffer but it is ${bufLen} bytes: ${bufLen - pos} trailing ` +
        `byte(s) not covered by any tensor (offsets not covering the buffer).`,
    );
  }

  const tensors: Record<string, StEntry> = {};
  for (const info of infos) {
    setOwn(tensors, info.name, { dtype: info.dtype, shape: info.shape, data: decode(info, bytes, 8 + n + info.begin, file) });
  }
  return { tensors, metadata };
}

/** Read and parse a .safetensors file. */
export function readSafetensors(file: string): StFile {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') throw new SafetensorsError(`safetensors file not found: ${file}`, { file });
    throw new SafetensorsError(`safetensors file ${file} could not be read (${code ?? 'error'}: ${errMessage(e)}).`, {
      file,
    });
  }
  return parseSafetensors(bytes, file);
}
