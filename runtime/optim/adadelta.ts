/** Adadelta (torch.optim.Adadelta): step sizes from running averages of squared gradients and updates. */
import type { Tensor } from '../tensor.js';
import { Optimizer, type HyperParams, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkBoolean, checkEps, checkInRange, checkLr, checkWeightDecay } from './validation.js';

export interface AdadeltaHyperParams extends HyperParams {
  /** Scales the computed update (PyTorch's default 1.0 is the original algorithm). */
  lr: number;
  /** Decay rate of both running averages. */
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

export type AdadeltaOptions = Partial<AdadeltaHyperParams>;

export type AdadeltaState = { step: number; squareAvg: Tensor; accDelta: Tensor };

export const ADADELTA_DEFAULTS: Readonly<AdadeltaHyperParams> = Object.freeze({
  lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false,
});

/**
 * One Adadelta step of `param` in place (PyTorch's algorithm):
 *
 *   g = ±grad + weightDecay·param
 *   v = ρ·v + (1 − ρ)·g²
 *   Δ = √(u + eps) / √(v + eps) · g
 *   u = ρ·u + (1 − ρ)·Δ²
 *   param −= lr·Δ
 *
 * Call under noGrad.
 */
export function adadeltaUpdate(param: Tensor, grad: Tensor, state: AdadeltaState, h: AdadeltaHyperParams): void {
  state.step++;
  let g = h.maximize ? grad.neg() : grad;
  if (h.weightDecay !== 0) g = g.add(param, { alpha: h.weightDecay });
  const { squareAvg, accDelta } = state;
  squareAvg.mul_(h.rho).addcmul_(g, g, { value: 1 - h.rho });
  const std = squareAvg.add(h.eps).sqrt();
  const delta = accDelta.add(h.eps).sqrt().div(std).mul(g);
  accDelta.mul_(h.rho).addcmul_(delta, delta, { value: 1 - h.rho });
  param.add_(delta, { alpha: -h.lr });
}

/**
 * `new Adadelta(params, { lr = 1.0, rho = 0.9, eps = 1e-6, weightDecay = 0, maximize = false })`.
 * TensorFlow's Adadelta defaults differ (learningRate 0.001, rho 0.95, epsilon 1e-7).
 */
export class Adadelta extends Optimizer<AdadeltaHyperParams, AdadeltaState> {
  constructor(params: ParamsInput<AdadeltaHyperParams>, options: AdadeltaOptions = {}) {
    super('Adadelta', params, ADADELTA_DEFAULTS, options);
  }

  protected validate(h: AdadeltaHyperParams): void {
    checkLr(this.name, h.lr);
    checkInRange(this.name, 'rho', 'rho value', h.rho, 0, 1);
    checkEps(this.name, h.eps);
    checkWeightDecay(this.name, h.weightDecay);
    checkBoolean(this.name, 'maximize', h.maximize);
  }

  protected initState(param: Tensor): AdadeltaState {
    return { step: 0, squareAvg: this.stateTensor(param), accDelta: this.stateTensor(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: AdadeltaState, group: ParamGroup<AdadeltaHyperParams>): void {
    adadeltaUpdate(param, grad, state, group);
  }
}
