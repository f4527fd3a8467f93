import type { Tensor } from './tensor.js';
import { isFloating } from './dtype.js';

/** PyTorch-like printing: `tensor([[1.0000, 2.0000], ...], requires_grad=true)`, summarised past 1000 elements. */
export function formatTensor(t: Tensor): string {
  const prefix = 'tensor(';
  if (t.storage.device !== 'cpu') return `tensor(<on ${t.storage.device}>, shape=[${t.shape.join(', ')}], dtype=${t.dtype})`;
  const flat = t.dataSync();
  const summarize = flat.length > 1000;
  const edge = 3;
  const float = isFloating(t.dtype);
  let fmt: (v: number) => string;
  if (t.dtype === 'bool') fmt = (v) => (v ? 'true' : 'false');
  else if (!float) fmt = (v) => String(v);
  else {
    let maxAbs = 0;
    let allInt = true;
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (Number.isFinite(v)) {
        maxAbs = Math.max(maxAbs, Math.abs(v));
        if (!Number.isInteger(v)) allInt = false;
      }
    }
    const sci = maxAbs >= 1e8 || (maxAbs > 0 && maxAbs < 1e-4);
    fmt = (v) => {
      if (Number.isNaN(v)) return 'nan';
      if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
      if (sci) return v.toExponential(4);
      return allInt ? `${v}.` : v.toFixed(4);
    };
  }
  const strs = Array.from(flat, fmt);
  const width = strs.reduce((m, s) => Math.max(m, s.length), 0);
  const indent = ' '.repeat(prefix.length);
  const rec = (dim: number, start: number): string => {
    if (t.ndim === 0) return strs[0];
    const n = t.shape[dim];
    let step = 1;
    for (let d = dim + 1; d < t.ndim; d++) step *= t.shape[d];
    const idx: (number | null)[] = summarize && n > 2 * edge ? [...range(edge), null, ...range(edge).map((i) => n - edge + i)] : range(n);
    if (dim === t.ndim - 1) {
      return '[' + idx.map((i) => (i === null ? '...' : strs[start + i].padStart(width))).join(', ') + ']';
    }
    const sep = ',' + '\n'.repeat(t.ndim - dim - 1) + indent + ' '.repeat(dim + 1);
    return '[' + idx.map((i) => (i === null ? '...' : rec(dim + 1, start + i * step))).join(sep) + ']';
  };
  const extras: string[] = [];
  if (t.dtype !== 'float32' && !(t.dtype === 'int32' && false)) extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`grad_fn=${t.gradFn}`);
  else if (t.requiresGrad) extras.push('requires_grad=true');
  if (t.numel() === 0) return `tensor([], size=[${t.shape.join(', ')}]${extras.length ? ', ' + extras.join(', ') : ''})`;
  return prefix + rec(0, 0) + (extras.length ? ', ' + extras.join(', ') : '') + ')';
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
