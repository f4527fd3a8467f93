/** Lookup-table functions: F.embedding and F.oneHot. */
import type { Tensor } from '../../tensor.js';
import { checkTensor } from '../../ops/util.js';
import { fmtShape } from '../../shape.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { where } from '../../ops/elementwise.js';
import { indexSelectAs, oneHot as oneHotOp } from '../../ops/indexing.js';
import { intTensor, paddingIndex } from './util.js';
import { activeTracer, traceOp } from '../../ops/trace.js';

export interface EmbeddingOptions {
  /** Row whose output is not differentiated (its gradient stays 0); negative counts from the end. */
  paddingIdx?: number | null;
  /** Rows looked up with a p-norm above maxNorm are rescaled IN PLACE in weight to norm maxNorm. */
  maxNorm?: number | null;
  /** The p of maxNorm. Default 2. */
  normType?: number;
}

function checkIndices(input: Tensor, op: string, what: string): void {
  checkTensor(input, op, 'input');
  if (input.dtype !== 'int32') {
    throw new TypeError(`${op}: input must be an int32 tensor of ${what}, got ${input.dtype} (shape ${fmtShape(input.shape)}); convert it with .int()`);
  }
}

/** Host copy of an index tensor, or null where a synchronous read is not possible (validation is skipped there). */
function hostIndices(input: Tensor): Int32Array | null {
  return input.storage.device === 'cpu' ? (input.dataSync() as Int32Array) : null;
}

/**
 * Looks up rows of `weight` by index: out[..., :] = weight[input[...], :].
 *
 * @param input int32 indices in [0, numEmbeddings), any shape [*]
 * @param weight [numEmbeddings, embeddingDim]
 * @returns [*, embeddingDim]
 */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  checkIndices(input, 'embedding', 'indices');
  checkTensor(weight, 'embedding', 'weight');
  if (weight.ndim !== 2) throw new RangeError(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got ${fmtShape(weight.shape)}`);
  const [num, dim] = weight.shape;
  const pad = paddingIndex(opts.paddingIdx, num, 'embedding');
  const host = hostIndices(input);
  if (host) {
    for (const v of host) {
      if (v < 0 || v >= num) throw new RangeError(`embedding: index ${v} is out of range for an embedding table of ${num} rows (weight ${fmtShape(weight.shape)})`);
    }
  }
  if (opts.maxNorm !== null && opts.maxNorm !== undefined) renorm(weight, input, host, opts.maxNorm, opts.normType ?? 2);
  const flat = input.reshape([-1]);
  let out = indexSelectAs(weight, 0, flat, 'embedding');
  if (pad !== null) {
    // Same values, but the padding positions take their value from a detached copy: no gradient reaches that row.
    out = where(flat.ne(pad).unsqueeze(1), out, out.detach());
  }
  const y = out.reshape([...input.shape, dim]);
  // One Gather in an exported graph, whatever the padding bookkeeping above recorded.
  if (activeTracer !== null) traceOp(y, 'Embedding', [input, weight]);
  return y;
}

/** PyTorch's embedding_renorm_: rows referenced by input with norm > maxNorm are scaled to maxNorm/(norm + 1e-7). */
function renorm(weight: Tensor, input: Tensor, host: Int32Array | null, maxNorm: number, normType: number): void {
  noGrad(() => {
    const ids = host ? [...new Set(host)] : null;
    const idx = ids ? intTensor(ids, weight) : input.reshape([-1]);
    const rows = weight.indexSelect(0, idx);
    const norms = rows.norm(normType, 1, true);
    const scale = where(norms.gt(maxNorm), norms.add(1e-7).reciprocal().mul(maxNorm), 1);
    const full = idx.unsqueeze(1).expand(idx.shape[0], weight.shape[1]);
    weight.copy_(weight.scatter(0, full, rows.mul(scale)));
  });
}

/**
 * One-hot encoding: [*] int32 class indices → [*, numClasses] int32 (PyTorch gives int64).
 * @param numClasses default −1: one more than the largest index
 */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  checkIndices(input, 'oneHot', 'class indices');
  const host = hostIndices(input);
  if (host) {
    for (const v of host) {
      if (v < 0) throw new RangeError(`oneHot: class values must be non-negative, got ${v}`);
      if (numClasses >= 0 && v >= numClasses) throw new RangeError(`oneHot: class value ${v} is out of range for numClasses=${numClasses}`);
    }
  }
  return oneHotOp(input, numClasses);
}
