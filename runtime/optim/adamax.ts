/** Adamax (torch.optim.Adamax): Adam with the infinity norm in place of the second moment. */
import type { Tensor } from '../tensor.js';
import { Optimizer, type HyperParams, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkBetas, checkBoolean, checkEps, checkLr, checkWeightDecay } from './validation.js';

export interface AdamaxHyperParams extends HyperParams {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

export type AdamaxOptions = Partial<AdamaxHyperParams>;

export type AdamaxState = { step: number; expAvg: Tensor; expInf: Tensor };

export const ADAMAX_DEFAULTS: Readonly<AdamaxHyperParams> = Object.freeze({
  lr: 2e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maximize: false,
});

/**
 * One Adamax step of `param` in place (PyTorch's algorithm; t = state.step after the increment):
 *
 *   g = ±grad + weightDecay·param
 *   m = β1·m + (1 − β1)·g
 *   u = max(β2·u, |g| + eps)
 *   param −= lr/(1 − β1^t) · m / u
 *
 * Call under noGrad.
 */
export function adamaxUpdate(param: Tensor, grad: Tensor, state: AdamaxState, h: AdamaxHyperParams): void {
  const step = ++state.step;
  const [beta1, beta2] = h.betas;
  let g = h.maximize ? grad.neg() : grad;
  if (h.weightDecay !== 0) g = g.add(param, { alpha: h.weightDecay });
  state.expAvg.lerp_(g, 1 - beta1);
  state.expInf.copy_(state.expInf.mul(beta2).maximum(g.abs().add(h.eps)));
  param.addcdiv_(state.expAvg, state.expInf, { value: -h.lr / (1 - beta1 ** step) });
}

/**
 * `new Adamax(params, { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, maximize = false })`.
 * TensorFlow's Adamax uses eps 1e-7 and adds it outside the max.
 */
export class Adamax extends Optimizer<AdamaxHyperParams, AdamaxState> {
  constructor(params: ParamsInput<AdamaxHyperParams>, options: AdamaxOptions = {}) {
    super('Adamax', params, ADAMAX_DEFAULTS, options);
  }

  protected validate(h: AdamaxHyperParams): void {
    checkLr(this.name, h.lr);
    checkEps(this.name, h.eps);
    checkBetas(this.name, h.betas);
    checkWeightDecay(this.name, h.weightDecay);
    checkBoolean(this.name, 'maximize', h.maximize);
  }

  protected initState(param: Tensor): AdamaxState {
    return { step: 0, expAvg: this.stateTensor(param), expInf: this.stateTensor(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: AdamaxState, group: ParamGroup<AdamaxHyperParams>): void {
    adamaxUpdate(param, grad, state, group);
  }
}
