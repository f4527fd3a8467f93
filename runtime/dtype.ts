/**
 * Data types. float32 is the default, as in PyTorch; float64 exists for references and gradient checks;
 * int32 stands in for PyTorch's int64 index tensors (JS typed arrays have no fast 64-bit integers); bool is
 * stored one byte per element.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export function arrayCtor(dtype: DType): Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor {
  switch (dtype) {
    case 'float32': return Float32Array;
    case 'float64': return Float64Array;
    case 'int32': return Int32Array;
    case 'bool': return Uint8Array;
  }
}

/**
 * Buffers freed by dispose()/tidy() wait here to be reused by the next allocation of the same dtype and
 * length: a training step allocates the same shapes every time, so after the first step most allocations
 * are pool hits, which saves both the zero-fill of `new Float32Array(n)` and the garbage collector's work.
 */
const pool: Record<DType, Map<number, TypedArray[]>> = { float32: new Map(), float64: new Map(), int32: new Map(), bool: new Map() };
const pooled = new WeakSet<TypedArray>();
let pooledBytes = 0;
const POOL_LIMIT_BYTES = 256 * 1024 * 1024;

/** A new array; its contents are unspecified unless `zero` (reused buffers hold old values). */
export function allocArray(dtype: DType, size: number, zero = false): TypedArray {
  const free = pool[dtype].get(size);
  if (free && free.length) {
    const a = free.pop()!;
    pooledBytes -= a.byteLength;
    if (zero) a.fill(0);
    return a;
  }
  const a = new (arrayCtor(dtype))(size);
  if (size >= 16) pooled.add(a);
  return a;
}

/** Returns a buffer allocated by allocArray to the pool (others, e.g. user arrays wrapped without copy, are ignored). */
export function releaseArray(dtype: DType, a: TypedArray): void {
  if (!pooled.has(a) || pooledBytes + a.byteLength > POOL_LIMIT_BYTES) return;
  let free = pool[dtype].get(a.length);
  if (!free) pool[dtype].set(a.length, (free = []));
  free.push(a);
  pooledBytes += a.byteLength;
}

export function itemSize(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's result_type for two tensors: the higher category wins. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * result_type of a tensor and a JS number. As in PyTorch, a scalar only moves the result to a higher
 * *category* (bool < integer < floating): `intTensor * 0.5` is float32, `floatTensor * 2` keeps its dtype.
 */
export function promoteWithScalar(t: DType, v: number | boolean): DType {
  if (typeof v === 'boolean') return t;
  if (!Number.isInteger(v)) return isFloating(t) ? t : 'float32';
  return t === 'bool' ? 'int32' : t;
}

export function checkDType(dtype: string, op: string): DType {
  if ((DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new TypeError(`${op}: unknown dtype '${dtype}'; expected one of ${DTYPES.join(', ')}`);
}
