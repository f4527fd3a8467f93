/**
 * Buffer planning for the optimizer: after a trace, the parameters and Adam moments that a live Adam/AdamW
 * step updates on the CPU are moved into a WebAssembly memory of their own (backends/cpu/wasm/resident.ts),
 * so each replayed step updates them in place instead of copying them through the kernel's memory. Values,
 * Storage objects and tensors stay the same; only where the bytes live changes.
 */
import type { Tensor } from '../tensor.js';
import type { Storage } from '../storage.js';
import { makeResident } from '../backends/cpu/wasm/resident.js';
import type { Trace } from './trace.js';

interface AdamLike { paramGroups: { params: Tensor[]; amsgrad?: boolean }[]; state: Map<Tensor, { expAvg?: Tensor; expAvgSq?: Tensor; maxExpAvgSq?: Tensor }> }

export function planResidentOptimizerState(trace: Trace): void {
  for (const n of trace.nodes) {
    if (n.kind !== 'live' || n.method !== 'step') continue;
    const opt = n.target as Partial<AdamLike>;
    if (!opt.paramGroups || !(opt.state instanceof Map)) continue;
    const storages: Storage[] = [];
    for (const g of opt.paramGroups) {
      for (const p of g.params) {
        const st = opt.state.get(p);
        // Only the fused float32 kernel's case: a dense CPU parameter covering its storage, both moments alike.
        if (!st || !st.expAvg || !st.expAvgSq || st.maxExpAvgSq || g.amsgrad) continue;
        const whole = (t: Tensor) => t.storage.device === 'cpu' && t.dtype === 'float32' && t.offset === 0 && t.isContiguous() && t.numel() === t.storage.length;
        if (!whole(p) || !whole(st.expAvg) || !whole(st.expAvgSq)) continue;
        storages.push(p.storage, st.expAvg.storage, st.expAvgSq.storage);
      }
    }
    if (storages.length) makeResident(storages);
  }
}
