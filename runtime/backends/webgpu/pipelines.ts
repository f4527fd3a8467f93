/// <reference types="@webgpu/types" />
/**
 * Pipeline cache: one compiled compute pipeline per distinct WGSL source. Kernels generate their source from
 * (op, dtypes, variant), so the source text is the natural key and a training step compiles nothing after
 * its first iteration.
 */
import { gpuContext } from './context.js';

const cache = new Map<string, GPUComputePipeline>();

export const pipelineStats = { compiled: 0, hits: 0 };

export function pipelineFor(code: string, label: string): GPUComputePipeline {
  let p = cache.get(code);
  if (p) {
    pipelineStats.hits++;
    return p;
  }
  const { device } = gpuContext();
  const module = device.createShaderModule({ code, label });
  p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label });
  pipelineStats.compiled++;
  cache.set(code, p);
  return p;
}
