/// <reference types="@webgpu/types" />
/**
 * Fused WebGPU kernels: SoftmaxCrossEntropy (one invocation per row: max, log-sum-exp, softmax and the
 * row's loss in one pass over the logits) and AdamStep (the whole Adam/AdamW/AMSGrad update of a parameter in
 * one dispatch, in place, instead of ~10 elementwise ops).
 */
import type { Tensor } from '../../tensor.js';
import type { AdamParams } from '../backend.js';
import { dispatch, floatBits, grid } from './commands.js';
import { elementwiseNew, operand } from './elementwise.js';
import { pipelineFor } from './pipelines.js';
import { bufferOf, emptyGpu } from './tensors.js';
import { HELPERS } from './wgsl.js';
import { indexCheckTag, indexErrorBuffer, indexErrorWgsl } from './index_errors.js';

const WG = 256;
const MAIN = `@compute @workgroup_size(${WG})\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

export function softmaxCrossEntropyGpu(logits: Tensor, target: Tensor, ignoreIndex: number): { loss: Tensor; softmax: Tensor } {
  const [N, C] = logits.shape;
  const loss = emptyGpu([N], logits.dtype, 'softmaxCrossEntropy');
  const softmax = emptyGpu([N, C], logits.dtype, 'softmaxCrossEntropy');
  if (N === 0) return { loss, softmax };
  const code = `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> loss: array<f32>;
@group(0) @binding(2) var<storage, read_write> sm: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> t: array<i32>;
${indexErrorWgsl(5)}
${HELPERS}
${MAIN} {
  let n = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (n >= prm[0]) { return; }
  let C = prm[1];
  let row = prm[2] + n * prm[3];
  let sc = prm[4];
  var m = -inf_();
  for (var c = 0; c < C; c++) { let v = x[row + c * sc]; if (v > m || isnan_(v)) { m = v; } }
  // An all -inf row: keep exp(x - m) free of NaN.
  if (isinf_(m) && m < 0.0) { m = 0.0; }
  var s = 0.0;
  for (var c = 0; c < C; c++) { s = s + exp(x[row + c * sc] - m); }
  let lse = m + log(s);
  for (var c = 0; c < C; c++) { sm[n * C + c] = exp(x[row + c * sc] - lse); }
  let k = t[prm[5] + n * prm[6]];
  if (k == prm[7]) { loss[n] = 0.0; return; }
  // An out-of-range class would read another row's logit: reported at the next wait on the GPU (index_errors.ts).
  if (k < 0 || k >= C) { reportBadIndex(prm[8], k, n); loss[n] = nan_(); return; }
  loss[n] = lse - x[row + k * sc];
}`;
  const tag = indexCheckTag({ op: 'crossEntropy (target)', dim: 1, size: C, indexShape: target.shape.slice(), indexStrides: target.strides.slice(), inputShape: logits.shape.slice() });
  const meta = [N, C, logits.offset, logits.strides[0], logits.strides[1], target.offset, target.strides[0], ignoreIndex, tag];
  dispatch(pipelineFor(code, 'softmaxCrossEntropy'), [bufferOf(loss), bufferOf(softmax), bufferOf(logits), bufferOf(target), indexErrorBuffer()], meta, grid(N, WG));
  return { loss, softmax };
}

function contiguous(t: Tensor): { t: Tensor; temp: boolean } {
  if (t.isContiguous()) return { t, temp: false };
  return { t: elementwiseNew('contiguous', 'x0', 'f32', [operand(t, t.shape, 'f32')], t.shape.slice(), t.dtype), temp: true };
}

export function adamStepGpu(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, vmax: Tensor | null, p: AdamParams): void {
  for (const [t, name] of [[param, 'param'], [m, 'expAvg'], [v, 'expAvgSq'], ...(vmax ? [[vmax, 'maxExpAvgSq']] : [])] as [Tensor, string][]) {
    if (!t.isContiguous()) throw new Error(`adamStep: ${name} must be contiguous on webgpu (shape [${t.shape.join(', ')}], strides [${t.strides.join(', ')}])`);
  }
  const n = param.numel();
  if (n === 0) return;
  const g = contiguous(grad);
  const amsgrad = vmax !== null;
  const code = `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> M: array<f32>;
@group(0) @binding(3) var<storage, read_write> V: array<f32>;
@group(0) @binding(4) var<storage, read> G: array<f32>;
${amsgrad ? '@group(0) @binding(5) var<storage, read_write> VM: array<f32>;' : ''}
fn f(k: i32) -> f32 { return bitcast<f32>(prm[k]); }
${MAIN} {
  let i = i32(gid.x + gid.y * nwg.x * ${WG}u);
  if (i >= prm[0]) { return; }
  let beta1 = f(6); let beta2 = f(7); let stepSize = f(8); let invSqrtBc2 = f(9); let eps = f(10); let decay = f(11); let l2 = f(12);
  var w = P[prm[1] + i];
  let g = G[prm[4] + i] + l2 * w;
  w = w * decay;
  let mi = beta1 * M[prm[2] + i] + (1.0 - beta1) * g;
  let vi = beta2 * V[prm[3] + i] + (1.0 - beta2) * g * g;
  M[prm[2] + i] = mi;
  V[prm[3] + i] = vi;
  var vHat = vi;
  ${amsgrad ? 'vHat = max(VM[prm[5] + i], vi); VM[prm[5] + i] = vHat;' : ''}
  P[prm[1] + i] = w - (stepSize * mi) / (sqrt(vHat) * invSqrtBc2 + eps);
}`;
  const decay = p.decoupled ? 1 - p.lr * p.weightDecay : 1;
  const l2 = p.decoupled ? 0 : p.weightDecay;
  const meta = [
    n, param.offset, m.offset, v.offset, g.t.offset, vmax ? vmax.offset : 0,
    floatBits(p.beta1), floatBits(p.beta2), floatBits(p.lr / p.biasCorrection1), floatBits(1 / Math.sqrt(p.biasCorrection2)),
    floatBits(p.eps), floatBits(decay), floatBits(l2),
  ];
  const buffers = [bufferOf(param), bufferOf(m), bufferOf(v), bufferOf(g.t), ...(vmax ? [bufferOf(vmax)] : [])];
  dispatch(pipelineFor(code, amsgrad ? 'adamStep:amsgrad' : 'adamStep'), buffers, meta, grid(n, WG));
  if (g.temp) g.t.dispose();
}
