/** RMSprop (torch.optim.RMSprop): plain or centered, with optional momentum. */
import type { Tensor } from '../tensor.js';
import { Optimizer, type HyperParams, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkBoolean, checkEps, checkLr, checkNonNegative, checkWeightDecay } from './validation.js';

export interface RMSpropHyperParams extends HyperParams {
  lr: number;
  /** Smoothing constant of the running average of squared gradients. */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment. */
  centered: boolean;
  maximize: boolean;
}

export type RMSpropOptions = Partial<RMSpropHyperParams>;

export type RMSpropState = { step: number; squareAvg: Tensor; momentumBuffer?: Tensor; gradAvg?: Tensor };

export const RMSPROP_DEFAULTS: Readonly<RMSpropHyperParams> = Object.freeze({
  lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false,
});

/**
 * One RMSprop step of `param` in place (PyTorch's algorithm):
 *
 *   g = ±grad + weightDecay·param
 *   v = α·v + (1 − α)·g²
 *   centered: ḡ = α·ḡ + (1 − α)·g,  avg = √(v − ḡ²) + eps;   otherwise avg = √v + eps
 *   momentum > 0: buf = momentum·buf + g/avg,  param −= lr·buf;   otherwise param −= lr·g/avg
 *
 * `state.momentumBuffer` must exist when momentum > 0 and `state.gradAvg` when centered. Call under noGrad.
 */
export function rmspropUpdate(param: Tensor, grad: Tensor, state: RMSpropState, h: RMSpropHyperParams): void {
  state.step++;
  let g = h.maximize ? grad.neg() : grad;
  if (h.weightDecay !== 0) g = g.add(param, { alpha: h.weightDecay });
  const { squareAvg } = state;
  squareAvg.mul_(h.alpha).addcmul_(g, g, { value: 1 - h.alpha });
  let avg: Tensor;
  if (h.centered) {
    const gradAvg = state.gradAvg!;
    gradAvg.lerp_(g, 1 - h.alpha);
    avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
  } else {
    avg = squareAvg.sqrt();
  }
  avg = avg.add(h.eps);
  if (h.momentum > 0) {
    const buf = state.momentumBuffer!;
    buf.mul_(h.momentum).addcdiv_(g, avg);
    param.add_(buf, { alpha: -h.lr });
  } else {
    param.addcdiv_(g, avg, { value: -h.lr });
  }
}

/**
 * `new RMSprop(params, { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false })`.
 * TensorFlow's RMSprop differs (decay 0.9, epsilon 1e-7 added inside the square root).
 */
export class RMSprop extends Optimizer<RMSpropHyperParams, RMSpropState> {
  constructor(params: ParamsInput<RMSpropHyperParams>, options: RMSpropOptions = {}) {
    super('RMSprop', params, RMSPROP_DEFAULTS, options);
  }

  protected validate(h: RMSpropHyperParams): void {
    checkLr(this.name, h.lr);
    checkEps(this.name, h.eps);
    checkNonNegative(this.name, 'momentum', 'momentum value', h.momentum);
    checkWeightDecay(this.name, h.weightDecay);
    checkNonNegative(this.name, 'alpha', 'alpha value', h.alpha);
    checkBoolean(this.name, 'centered', h.centered);
    checkBoolean(this.name, 'maximize', h.maximize);
  }

  protected initState(param: Tensor): RMSpropState {
    return { step: 0, squareAvg: this.stateTensor(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: RMSpropState, group: ParamGroup<RMSpropHyperParams>): void {
    // Created on demand, so momentum or centering may also be switched on in a group later.
    if (group.momentum > 0 && !state.momentumBuffer) state.momentumBuffer = this.stateTensor(param);
    if (group.centered && !state.gradAvg) state.gradAvg = this.stateTensor(param);
    rmspropUpdate(param, grad, state, group);
  }
}
