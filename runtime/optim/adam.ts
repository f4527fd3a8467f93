/**
 * Adam and AdamW (torch.optim.Adam / AdamW). Both run one pure update, `adamUpdate`, which calls the backend's
 * fused `adamStep` kernel (one pass, no allocation) and falls back to tensor ops for non-contiguous tensors.
 */
import type { Tensor } from '../tensor.js';
import { getBackend } from '../backends/backend.js';
import { Optimizer, type HyperParams, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkBetas, checkBoolean, checkEps, checkLr, checkWeightDecay } from './validation.js';

export interface AdamHyperParams extends HyperParams {
  lr: number;
  /** Decay rates of the first and second moment estimates. */
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export type AdamOptions = Partial<AdamHyperParams>;

export type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq?: Tensor };

export const ADAM_DEFAULTS: Readonly<AdamHyperParams> = Object.freeze({
  lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false,
});

/** AdamW differs only in its default weight decay (and in applying it decoupled). */
export const ADAMW_DEFAULTS: Readonly<AdamHyperParams> = Object.freeze({ ...ADAM_DEFAULTS, weightDecay: 1e-2 });

/**
 * One Adam step of `param` in place (PyTorch's algorithm; t = state.step after the increment):
 *
 *   g = ±grad (+ weightDecay·param, Adam)       param *= 1 − lr·weightDecay (AdamW, `decoupled`)
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²                       v̂max = max(v̂max, v) with amsgrad
 *   param −= lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
 *
 * Call under noGrad. Bumps the version counter of every tensor it writes.
 */
export function adamUpdate(param: Tensor, grad: Tensor, state: AdamState, h: AdamHyperParams, decoupled: boolean): void {
  const step = ++state.step;
  const [beta1, beta2] = h.betas;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const g = h.maximize ? grad.neg() : grad;
  const { expAvg, expAvgSq } = state;
  const maxExpAvgSq = h.amsgrad ? state.maxExpAvgSq ?? null : null;
  if (canFuse(param, g, expAvg, expAvgSq, maxExpAvgSq)) {
    getBackend(param.storage.device).adamStep(param, g, expAvg, expAvgSq, maxExpAvgSq, {
      lr: h.lr, beta1, beta2, eps: h.eps, weightDecay: h.weightDecay, decoupled, amsgrad: h.amsgrad,
      biasCorrection1, biasCorrection2,
    });
    // The kernel writes storages directly: bump versions so autograd sees the in-place change.
    param.storage.version++;
    expAvg.storage.version++;
    expAvgSq.storage.version++;
    if (maxExpAvgSq) maxExpAvgSq.storage.version++;
    return;
  }
  adamUpdateOps(param, g, expAvg, expAvgSq, maxExpAvgSq, h, decoupled, biasCorrection1, biasCorrection2);
}

/** The fused kernel needs dense tensors of one dtype on one device (offsets are honoured; fresh state starts at 0 anyway). */
function canFuse(param: Tensor, grad: Tensor, ...bufs: (Tensor | null)[]): boolean {
  if (!param.isContiguous() || !grad.isContiguous() || grad.dtype !== param.dtype || grad.storage.device !== param.storage.device) return false;
  const n = param.numel();
  for (const b of bufs) {
    if (b && (b.offset !== 0 || !b.isContiguous() || b.dtype !== param.dtype || b.numel() !== n || b.storage.device !== param.storage.device)) return false;
  }
  return true;
}

/** The same update with tensor ops, for strided parameters or gradients. */
function adamUpdateOps(
  param: Tensor, g: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null,
  h: AdamHyperParams, decoupled: boolean, biasCorrection1: number, biasCorrection2: number,
): void {
  const [beta1, beta2] = h.betas;
  if (h.weightDecay !== 0) {
    if (decoupled) param.mul_(1 - h.lr * h.weightDecay);
    else g = g.add(param, { alpha: h.weightDecay });
  }
  expAvg.lerp_(g, 1 - beta1);
  expAvgSq.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 });
  let v = expAvgSq;
  if (maxExpAvgSq) {
    maxExpAvgSq.copy_(maxExpAvgSq.maximum(expAvgSq));
    v = maxExpAvgSq;
  }
  const denom = v.sqrt().div(Math.sqrt(biasCorrection2)).add(h.eps);
  param.addcdiv_(expAvg, denom, { value: -h.lr / biasCorrection1 });
}

/** What Adam and AdamW share; they differ in defaults and in how weight decay is applied. */
abstract class AdamFamily extends Optimizer<AdamHyperParams, AdamState> {
  protected constructor(
    name: string, params: ParamsInput<AdamHyperParams>, defaults: AdamHyperParams, options: AdamOptions,
    private readonly decoupled: boolean,
  ) {
    super(name, params, defaults, options);
  }

  protected validate(h: AdamHyperParams): void {
    checkLr(this.name, h.lr);
    checkEps(this.name, h.eps);
    checkBetas(this.name, h.betas);
    checkWeightDecay(this.name, h.weightDecay);
    checkBoolean(this.name, 'amsgrad', h.amsgrad);
    checkBoolean(this.name, 'maximize', h.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamHyperParams>): AdamState {
    const state: AdamState = { step: 0, expAvg: this.stateTensor(param), expAvgSq: this.stateTensor(param) };
    if (group.amsgrad) state.maxExpAvgSq = this.stateTensor(param);
    return state;
  }

  protected update(param: Tensor, grad: Tensor, state: AdamState, group: ParamGroup<AdamHyperParams>): void {
    // amsgrad may be switched on in a group after the first step.
    if (group.amsgrad && !state.maxExpAvgSq) state.maxExpAvgSq = this.stateTensor(param);
    adamUpdate(param, grad, state, group, this.decoupled);
  }
}

/**
 * `new Adam(params, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false })`.
 * Weight decay is L2 (added to the gradient); use AdamW for decoupled decay. TensorFlow's Adam uses eps 1e-7.
 *
 *   const opt = new optim.Adam(model.parameters(), { lr: 1e-4 });
 */
export class Adam extends AdamFamily {
  constructor(params: ParamsInput<AdamHyperParams>, options: AdamOptions = {}) {
    super('Adam', params, ADAM_DEFAULTS, options, false);
  }
}

/**
 * `new AdamW(params, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2, amsgrad = false, maximize = false })`:
 * Adam with decoupled weight decay (param *= 1 − lr·weightDecay before the Adam step).
 */
export class AdamW extends AdamFamily {
  constructor(params: ParamsInput<AdamHyperParams>, options: AdamOptions = {}) {
    super('AdamW', params, ADAMW_DEFAULTS, options, true);
  }
}
