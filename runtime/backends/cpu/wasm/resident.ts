/**
 * Resident optimizer buffers: parameters and Adam moments whose storage lives in a WebAssembly memory of
 * their own, so the fused Adam step updates them where they are instead of copying four arrays in and three
 * back every step (~1.1 MB a step for the seed MLP: most of the kernel's time). torch.compile moves a plan's
 * Adam parameters and state here once (runtime/compile/resident.ts); eager steps on them benefit too.
 *
 * Each arena is a memory sized once and never grown (growth would detach the views the storages hold). Slots
 * are padded to whole f32x4 groups because the kernel writes whole groups; the gradient is copied into a
 * scratch slot unless it is resident too. Storages keep their Storage objects: only `data` becomes a view,
 * so every other reader (dataSync, stateDict, the GEMM) sees the same values.
 */
import type { Storage } from '../../../storage.js';
import { releaseArray } from '../../../dtype.js';
import { adamKernelOver, type AdamFn, type AdamScalars } from './adam.js';

interface Arena {
  heap: Float32Array; adam: AdamFn; scratch: number; scratchLen: number;
  /** Byte offset of each slot's start → the element count of the storage there. */
  slots: Map<number, number>;
}

const arenas = new Map<ArrayBuffer, Arena>();

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * Moves the data of float32 CPU storages into one new arena (values unchanged). False, and nothing moved,
 * when the kernel is unavailable or a storage is not a plain float32 CPU one.
 */
export function makeResident(storages: Storage[]): boolean {
  const list = [...new Set(storages)].filter((s) => !arenas.has(s.data.buffer as ArrayBuffer));
  if (!list.length) return true;
  if (list.some((s) => s.device !== 'cpu' || s.dtype !== 'float32' || s.disposed)) return false;
  const maxLen = Math.max(...list.map((s) => s.length));
  // [16 reserved bytes][slot per storage][gradient scratch]
  let floats = 4;
  const offsets = list.map((s) => { const o = floats; floats += pad4(s.length); return o; });
  const scratch = floats;
  floats += pad4(maxLen);
  const pages = Math.ceil((floats * 4) / 65536);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch {
    return false;
  }
  const adam = adamKernelOver(memory);
  if (!adam) return false;
  const heap = new Float32Array(memory.buffer);
  const slots = new Map<number, number>();
  list.forEach((s, i) => {
    const old = s.data as Float32Array;
    heap.set(old.subarray(0, s.length), offsets[i]);
    s.data = heap.subarray(offsets[i], offsets[i] + s.length);
    slots.set(offsets[i] * 4, s.length);
    releaseArray('float32', old);
  });
  arenas.set(memory.buffer, { heap, adam, scratch, scratchLen: pad4(maxLen), slots });
  return true;
}

/**
 * The Adam update in place when P, M and V (n floats each, from their storages' start) are resident in one
 * arena; false otherwise (the caller copies through adamStepWasm).
 */
export function adamStepResident(P: Float32Array, G: Float32Array, M: Float32Array, V: Float32Array, s: AdamScalars): boolean {
  const arena = arenas.get(P.buffer as ArrayBuffer);
  if (!arena || M.buffer !== P.buffer || V.buffer !== P.buffer) return false;
  const n = P.length;
  // The kernel writes whole groups of 4: only arrays that are a whole slot (their padding is theirs) qualify.
  const { slots } = arena;
  if (slots.get(P.byteOffset) !== n || slots.get(M.byteOffset) !== n || slots.get(V.byteOffset) !== n) return false;
  let g = G.byteOffset;
  if (G.buffer !== P.buffer || g % 16) {
    arena.heap.set(G, arena.scratch);
    g = arena.scratch * 4;
  }
  arena.adam(P.byteOffset, g, M.byteOffset, V.byteOffset, pad4(n) / 4, s.beta1, s.beta2, 1 - s.beta1, 1 - s.beta2, s.stepSize, s.invSqrtBc2, s.eps, s.l2, s.decay);
  return true;
}
