/**
 * Decoding one weight of a tfjs weights manifest from its bytes, as tfjs-core's `io.decodeWeights` does:
 *
 *   float32 / int32        4 bytes a value; bool 1 byte
 *   quantization uint8     1 byte  q → q·scale + min
 *   quantization uint16    2 bytes q → q·scale + min
 *   quantization float16   2 bytes, IEEE half precision
 *
 * Everything decodes to float32, the dtype every layer weight the loader knows is in.
 */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** IEEE 754 half → number (subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes `spec` from `buffer` at `offset`. `where` names the shard(s) and model.json for messages (a function, so
 * the name is only built when something is wrong).
 */
export function decodeWeight(spec: WeightSpec, buffer: Uint8Array, offset: number, where: () => string): { data: Float32Array; byteLength: number } {
  const q = spec.quantization;
  const stored = q ? q.dtype : spec.dtype;
  const size = BYTES[stored];
  if (spec.dtype !== 'float32' && spec.dtype !== 'int32' && spec.dtype !== 'bool') {
    throw new Error(`loadLayersModel: weight '${spec.name}' in ${where()} has dtype '${spec.dtype}'; only float32, int32 and bool weights can be loaded (convert the model's weights to float32)`);
  }
  if (q && !['uint8', 'uint16', 'float16'].includes(q.dtype)) {
    throw new Error(`loadLayersModel: weight '${spec.name}' in ${where()} is quantized as '${q.dtype}'; the supported quantizations are uint8, uint16 and float16 (re-convert with one of them)`);
  }
  if (q && q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number')) {
    throw new Error(`loadLayersModel: weight '${spec.name}' in ${where()} is quantized as ${q.dtype} but its quantization has no numeric scale and min; the manifest is damaged (re-convert the model)`);
  }
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const byteLength = n * size;
  if (offset + byteLength > buffer.byteLength) {
    throw new Error(`loadLayersModel: weight '${spec.name}' [${spec.shape.join(', ')}] needs bytes ${offset}..${offset + byteLength} but ${where()} hold only ${buffer.byteLength} bytes; the shard is truncated or from another model (re-save the model)`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset + offset, byteLength);
  const data = new Float32Array(n);
  if (!q) {
    if (spec.dtype === 'float32') for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true);
    else if (spec.dtype === 'int32') for (let i = 0; i < n; i++) data[i] = view.getInt32(4 * i, true);
    else for (let i = 0; i < n; i++) data[i] = view.getUint8(i);
  } else if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(2 * i, true));
  } else {
    const { scale, min } = q as { scale: number; min: number };
    const round = spec.dtype === 'int32';
    for (let i = 0; i < n; i++) {
      const v = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true)) * scale + min;
      data[i] = round ? Math.round(v) : v;
    }
  }
  return { data, byteLength };
}
