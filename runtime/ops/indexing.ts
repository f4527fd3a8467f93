/** Indexing ops on the Gather/Scatter primitives: gather, scatter, indexSelect, maskedFill, boolean masks. */
import { hostValues } from '../compile/hooks.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes, fmtShape, normDim } from '../shape.js';
import { backendOf, castTo, checkTensor, record } from './util.js';
import { activeTracer, traceOp } from './trace.js';
import { where } from './elementwise.js';
import { expand, reshape, unsqueeze } from './view.js';

function checkIndexTensor(index: Tensor, op: string): Tensor {
  checkTensor(index, op, 'index');
  if (index.dtype !== 'int32') throw new TypeError(`${op}: index must be an int32 tensor, got ${index.dtype}; use .int() or torch.tensor(..., { dtype: 'int32' })`);
  return index;
}

/** Throws naming the op and shapes when an index is outside [0, size). */
function checkRange(index: Tensor, size: number, op: string, dim: number, x: Tensor): void {
  if (index.storage.device !== 'cpu') return; // the kernel records it on other devices (thrown at the next read)
  hostValues(index, `${op} index check`, (d) => {
    for (let i = 0; i < d.length; i++) {
      if (d[i] < 0 || d[i] >= size) {
        throw new RangeError(`${op}: index ${d[i]} is out of bounds for dim ${dim} with size ${size} (position ${i} of index ${fmtShape(index.shape)}; input ${fmtShape(x.shape)})`);
      }
    }
  });
}

/** out[i][j] = x[index[i][j]][j] for dim 0 (and so on); index has x's rank. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  return gatherAs(x, dim, index, 'gather');
}

/** gather, with errors naming `op` (indexSelect and embedding are gathers underneath). */
function gatherAs(x: Tensor, dim: number, index: Tensor, op: string): Tensor {
  checkTensor(x, op);
  checkIndexTensor(index, op);
  const d = normDim(dim, x.ndim, op);
  if (index.ndim !== x.ndim) throw new RangeError(`${op}: index ${fmtShape(index.shape)} must have the same number of dimensions as input ${fmtShape(x.shape)}`);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) throw new RangeError(`${op}: index ${fmtShape(index.shape)} is larger than input ${fmtShape(x.shape)} at dim ${i}`);
  }
  // Out-of-range values: the backend throws (cpu) or records them for the next read (webgpu).
  const out = backendOf(x).gather(x, d, index, op);
  if (activeTracer !== null) traceOp(out, 'GatherElements', [x, index], { dim: d });
  const xShape = x.shape;
  return record(out, 'Gather', [x], (g) => [scatterAdd(backendOf(g).full(xShape.slice(), 0, g.dtype), d, index, g)], [index]);
}

function scatterOp(x: Tensor, dim: number, index: Tensor, src: Tensor | number, mode: 'assign' | 'add', op: string): Tensor {
  checkTensor(x, op);
  checkIndexTensor(index, op);
  const d = normDim(dim, x.ndim, op);
  let s: Tensor;
  if (typeof src === 'number') s = expand(backendOf(x).full([], src, x.dtype), index.shape);
  else {
    checkTensor(src, op, 'src');
    s = castTo(src, x.dtype);
  }
  const out = backendOf(x).scatter(x, d, index, s, mode, op);
  if (activeTracer !== null) traceOp(out, mode === 'add' ? 'ScatterAdd' : 'Scatter', [x, index, s], { dim: d });
  return record(out, mode === 'add' ? 'ScatterAdd' : 'Scatter', [x, s], (g) => {
    // assign: the overwritten positions get no gradient from x.
    const gx = mode === 'add' ? g : scatterOp(g, d, index, 0, 'assign', op);
    const gs = gather(g, d, index);
    return [gx, gs];
  }, [index]);
}

export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  return scatterOp(x, dim, index, src, 'assign', 'scatter');
}

export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterOp(x, dim, index, src, 'add', 'scatterAdd');
}

/** Rows (or slices along dim) picked by a 1-D index: x.indexSelect(0, idx) = x[idx]. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  return indexSelectAs(x, dim, index, 'indexSelect');
}

/** indexSelect, with errors naming `op` (F.embedding's lookup is one). */
export function indexSelectAs(x: Tensor, dim: number, index: Tensor, op: string): Tensor {
  checkTensor(x, op);
  checkIndexTensor(index, op);
  if (index.ndim > 1) throw new RangeError(`${op}: index must be 0-D or 1-D, got shape ${fmtShape(index.shape)}`);
  const d = normDim(dim, x.ndim, op);
  const idx1 = reshape(index, [-1]);
  checkRange(idx1, x.shape[d], op, d, x);
  const shape = x.shape.slice();
  shape[d] = idx1.shape[0];
  // Broadcast the index across the other dims, then gather along dim.
  const viewShape = x.shape.map((_, i) => (i === d ? idx1.shape[0] : 1));
  const full = expand(reshape(idx1, viewShape), shape);
  return gatherAs(x, d, full, op);
}

export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  checkTensor(x, 'maskedFill');
  checkTensor(mask, 'maskedFill', 'mask');
  if (mask.dtype !== 'bool') throw new TypeError(`maskedFill: mask must be a bool tensor, got ${mask.dtype}`);
  const v = typeof value === 'number' ? backendOf(x).full([], value, x.dtype) : castTo(value, x.dtype);
  return where(mask, v, x);
}

/** The elements where mask is true, as a 1-D tensor (x[mask] in PyTorch). */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensor(x, 'maskedSelect');
  checkTensor(mask, 'maskedSelect', 'mask');
  const shape = broadcastShapes(x.shape, mask.shape, 'maskedSelect', ['input', 'mask']);
  const idx = nonzeroFlat(expand(castTo(mask, 'bool'), shape));
  return reshape(expand(x, shape), [-1]).indexSelect(0, idx);
}

/** Linear indices of the true elements of a bool tensor. */
function nonzeroFlat(m: Tensor): Tensor {
  const data = m.dataSync();
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i]) out.push(i);
  return backendOf(m).fromData(Int32Array.from(out), [out.length], 'int32');
}

/** Coordinates of non-zero elements, [count, ndim] (torch.nonzero). */
export function nonzero(x: Tensor): Tensor {
  checkTensor(x, 'nonzero');
  const data = x.dataSync();
  const coords: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (!data[i]) continue;
    let r = i;
    const c = new Array<number>(x.ndim);
    for (let d = x.ndim - 1; d >= 0; d--) { c[d] = r % x.shape[d]; r = Math.floor(r / x.shape[d]); }
    coords.push(...c);
  }
  return backendOf(x).fromData(Int32Array.from(coords), [coords.length / Math.max(x.ndim, 1), x.ndim], 'int32');
}

/** One-hot encoding of int32 class indices: [...] → [..., numClasses] int32 (F.one_hot). */
export function oneHot(index: Tensor, numClasses = -1): Tensor {
  checkIndexTensor(index, 'oneHot');
  const n = numClasses >= 0 ? numClasses : (index.numel() ? index.max().item() + 1 : 0);
  const zeros = backendOf(index).full([...index.shape, n], 0, 'int32');
  return scatter(zeros, -1, unsqueeze(index, -1), 1);
}
