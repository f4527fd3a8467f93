/** CPU Matmul kernel: picks a GEMM per dtype and maps each operand's strides onto (trans, leading dim). */
import { allocArray, type TypedArray } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { contiguousOf } from './reduce.js';
import { gemmJs } from './gemm_js.js';
import { sgemm } from './wasm/gemm.js';

/** How a [rows, cols] matrix view can be fed to GEMM without a copy. */
function layout(t: Tensor): { data: TypedArray; offset: number; trans: boolean; ld: number; batchStrides: number[] } {
  const nd = t.ndim;
  const rows = t.shape[nd - 2], cols = t.shape[nd - 1];
  const sr = t.strides[nd - 2], sc = t.strides[nd - 1];
  const batchStrides = t.strides.slice(0, nd - 2).map((s, i) => (t.shape[i] === 1 ? 0 : s));
  // Row-major: element (i, j) at i*ld + j, which needs unit column stride and rows that do not overlap.
  if ((sc === 1 || cols === 1) && (rows === 1 || sr >= cols)) return { data: t.storage.data, offset: t.offset, trans: false, ld: rows === 1 ? cols : sr, batchStrides };
  // Column-major (a transposed view): (i, j) at j*ld + i.
  if ((sr === 1 || rows === 1) && (cols === 1 || sc >= rows)) return { data: t.storage.data, offset: t.offset, trans: true, ld: cols === 1 ? rows : sc, batchStrides };
  // Anything else (expanded stride-0 dims, overlapping or gapped strides) is copied to a dense matrix first.
  const c = contiguousOf(t);
  const cs: number[] = [];
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) { cs[i] = s; s *= t.shape[i]; }
  return { data: c.data, offset: c.offset, trans: false, ld: cols, batchStrides: cs.slice(0, nd - 2).map((v, i) => (t.shape[i] === 1 ? 0 : v)) };
}

/** a [...ba, M, K] @ b [...bb, K, N] → [...batchShape, M, N]; batch dims already checked broadcastable. */
export function matmulKernel(a: Tensor, b: Tensor, batchShape: number[]): { data: TypedArray; shape: number[] } {
  const M = a.shape[a.ndim - 2], K = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  const la = layout(a), lb = layout(b);
  let batch = 1;
  for (const d of batchShape) batch *= d;
  const out = allocArray(a.dtype, batch * M * N);
  const gemm = a.dtype === 'float32' ? sgemm : null;
  // Per-operand batch strides aligned to the right of batchShape (broadcast dims stride 0).
  const nb = batchShape.length;
  const sa = new Array(nb).fill(0), sb = new Array(nb).fill(0);
  la.batchStrides.forEach((s, i) => (sa[nb - la.batchStrides.length + i] = s));
  lb.batchStrides.forEach((s, i) => (sb[nb - lb.batchStrides.length + i] = s));
  const idx = new Array(nb).fill(0);
  let oa = la.offset, ob = lb.offset;
  for (let t = 0; t < batch; t++) {
    if (gemm) {
      gemm(la.trans, lb.trans, M, N, K, 1, la.data as Float32Array, oa, la.ld, lb.data as Float32Array, ob, lb.ld, 0, out as Float32Array, t * M * N, N);
    } else {
      gemmJs(la.trans, lb.trans, M, N, K, la.data, oa, la.ld, lb.data, ob, lb.ld, out, t * M * N, N);
    }
    for (let d = nb - 1; d >= 0; d--) {
      idx[d]++; oa += sa[d]; ob += sb[d];
      if (idx[d] < batchShape[d]) break;
      idx[d] = 0; oa -= sa[d] * batchShape[d]; ob -= sb[d] * batchShape[d];
    }
  }
  return { data: out, shape: [...batchShape, M, N] };
}
