/// <reference types="@webgpu/types" />
/**
 * Bind-group cache. A training step binds the same buffers to the same kernels every iteration (the pool hands
 * back the same buffers for the same sizes), so a bind group is created once per (layout, parameter-slot size,
 * buffers) and reused; the parameter slot's position travels as a dynamic offset, not in the group.
 *
 * Keys name buffers by a per-buffer id (never reused), so a group made for a buffer that was destroyed can never
 * be hit again; `forgetBuffer` drops such groups at once, and the cache is bounded (oldest out first).
 */

/** Bounded: a long run over varying shapes must not keep every group (and its buffers) alive. */
const MAX_GROUPS = 4096;

const ids = new WeakMap<GPUBuffer, number>();
let nextId = 1;
const groups = new Map<string, GPUBindGroup>();
/** buffer id → keys of the groups that bind it. */
const byBuffer = new Map<number, Set<string>>();

export const bindGroupStats = { created: 0, hits: 0 };

/** A buffer's id: unique for the life of the process (the pool also orders its free lists by it). */
export function bufferId(b: GPUBuffer): number {
  let id = ids.get(b);
  if (id === undefined) ids.set(b, (id = nextId++));
  return id;
}

function drop(key: string): void {
  groups.delete(key);
  for (const id of key.split('|')[2].split(',')) byBuffer.get(Number(id))?.delete(key);
}

/**
 * The bind group of `layout` (cache key `signature`) with binding 0 = `params` (a `paramBytes` window whose
 * offset is given at setBindGroup) and bindings 1.. = `buffers`, whole.
 */
export function bindGroupFor(
  device: GPUDevice, layout: GPUBindGroupLayout, signature: string, params: GPUBuffer, paramBytes: number, buffers: GPUBuffer[],
): GPUBindGroup {
  const bufIds = [params, ...buffers].map(bufferId);
  const key = `${signature}|${paramBytes}|${bufIds.join(',')}`;
  const hit = groups.get(key);
  if (hit) {
    bindGroupStats.hits++;
    // Re-insert: Map order is then least-recently-used first.
    groups.delete(key);
    groups.set(key, hit);
    return hit;
  }
  const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: params, offset: 0, size: paramBytes } }];
  for (let i = 0; i < buffers.length; i++) entries.push({ binding: i + 1, resource: { buffer: buffers[i] } });
  const group = device.createBindGroup({ layout, entries });
  bindGroupStats.created++;
  groups.set(key, group);
  for (const id of bufIds) {
    let s = byBuffer.get(id);
    if (!s) byBuffer.set(id, (s = new Set()));
    s.add(key);
  }
  if (groups.size > MAX_GROUPS) drop(groups.keys().next().value!);
  return group;
}

/** Forgets every group that binds `b` (called before the pool destroys a buffer). */
export function forgetBuffer(b: GPUBuffer): void {
  const id = ids.get(b);
  if (id === undefined) return;
  const keys = byBuffer.get(id);
  if (keys) for (const k of [...keys]) drop(k);
  byBuffer.delete(id);
}

export function cachedBindGroupCount(): number {
  return groups.size;
}
