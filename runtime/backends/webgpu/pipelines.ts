/// <reference types="@webgpu/types" />
/**
 * Pipeline cache: one compiled compute pipeline per distinct WGSL source. Kernels generate their source from
 * (op, dtypes, variant), so the source text is the natural key and a training step compiles nothing after
 * its first iteration.
 *
 * Layouts are explicit rather than 'auto', for two reasons: binding 0 (the parameter slot, see commands.ts)
 * needs a dynamic offset, which 'auto' layouts cannot have, and pipelines with the same binding signature
 * then share one layout, so a cached bind group serves every kernel that reads the same buffers
 * (see bind_groups.ts).
 */
import { gpuContext } from './context.js';

export interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** The binding signature ('r' read-only, 'w' read_write per binding after 0): the layout's cache key. */
  signature: string;
}

const cache = new Map<string, Kernel>();
const layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();

export const pipelineStats = { compiled: 0, hits: 0 };

const BINDING = /@group\(0\)\s*@binding\((\d+)\)\s*var<storage,\s*(read_write|read)>/g;

/** The binding signature of a kernel's WGSL: bindings must be 0..n-1, binding 0 the read-only parameters. */
export function bindingSignature(code: string, label: string): string {
  const access: string[] = [];
  for (const m of code.matchAll(BINDING)) access[Number(m[1])] = m[2] === 'read' ? 'r' : 'w';
  if (access[0] !== 'r') throw new Error(`webgpu: kernel '${label}' must declare binding 0 as var<storage, read> parameters`);
  for (let i = 0; i < access.length; i++) {
    if (!access[i]) throw new Error(`webgpu: kernel '${label}' skips binding ${i}; bindings must be numbered 0..n-1`);
  }
  return access.slice(1).join('');
}

function layoutFor(signature: string): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
  let l = layouts.get(signature);
  if (l) return l;
  const { device } = gpuContext();
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage', hasDynamicOffset: true } },
  ];
  for (let i = 0; i < signature.length; i++) {
    entries.push({ binding: i + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: signature[i] === 'r' ? 'read-only-storage' : 'storage' } });
  }
  const group = device.createBindGroupLayout({ entries, label: `bindings ${signature}` });
  l = { group, pipeline: device.createPipelineLayout({ bindGroupLayouts: [group] }) };
  layouts.set(signature, l);
  return l;
}

export function pipelineFor(code: string, label: string): Kernel {
  let k = cache.get(code);
  if (k) {
    pipelineStats.hits++;
    return k;
  }
  const { device } = gpuContext();
  const signature = bindingSignature(code, label);
  const layout = layoutFor(signature);
  const module = device.createShaderModule({ code, label });
  const pipeline = device.createComputePipeline({ layout: layout.pipeline, compute: { module, entryPoint: 'main' }, label });
  pipelineStats.compiled++;
  k = { pipeline, layout: layout.group, signature };
  cache.set(code, k);
  return k;
}
