/** RMSprop (torch.optim.RMSprop): plain or centered, with optional momentum; eps outside the root, or inside (tfjs's). */
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
  /**
   * Put eps inside the square root, as TensorFlow.js's tf.train.rmsprop does: avg = √(v + eps), centered
   * avg = √(v − ḡ² − eps) (tfjs-core subtracts it there, so a variance below eps gives NaN, as in tfjs).
   * Default false: PyTorch's √v + eps.
   */
  epsInside: boolean;
}

export type RMSpropOptions = Partial<RMSpropHyperParams>;

export type RMSpropState = { step: number; squareAvg: Tensor; momentumBuffer?: Tensor; gradAvg?: Tensor };

export const RMSPROP_DEFAULTS: Readonly<RMSpropHyperParams> = Object.freeze({
  lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, epsInside: false,
});

/**
 * One RMSprop step of `param` in place (PyTorch's algorithm):
 *
 *   g = ±grad + weightDecay·param
 *   v = α·v + (1 − α)·g²
 *   centered: ḡ = α·ḡ + (1 − α)·g,  avg = √(v − ḡ²) + eps;   otherwise avg = √v + eps
 *   momentum > 0: buf = momentum·buf + g/avg,  param −= lr·buf;   otherwise param −= lr·g/avg
 *
 * With `epsInside` (tfjs's placement): avg = √(v + eps), centered avg = √(v − ḡ² − eps). tfjs keeps lr inside
 * its momentum buffer (mom = momentum·mom + lr·g/avg, param −= mom): the same update while lr is constant.
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
    const variance = squareAvg.sub(gradAvg.mul(gradAvg));
    // NOTE: tfjs computes sqrt(ms - (mg² + eps)): eps is subtracted in its centered form, so that is reproduced.
    avg = h.epsInside ? variance.sub(h.eps).sqrt() : variance.sqrt().add(h.eps);
  } else {
    avg = h.epsInside ? squareAvg.add(h.eps).sqrt() : squareAvg.sqrt().add(h.eps);
  }
  if (h.momentum > 0) {
    const buf = state.momentumBuffer!;
    buf.mul_(h.momentum).addcdiv_(g, avg);
    param.add_(buf, { alpha: -h.lr });
  } else {
    param.addcdiv_(g, avg, { value: -h.lr });
  }
}

/**
 * `new RMSprop(params, { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false, epsInside = false })`.
 *
 * TensorFlow.js's tf.train.rmsprop(lr, decay = 0.9, momentum = 0, epsilon = 1e-7, centered = false) is
 * `new RMSprop(params, { lr, alpha: decay, eps: epsilon, momentum, centered, epsInside: true })`: its accumulators
 * start at zero like PyTorch's, and only the place of eps differs (see rmspropUpdate).
 *
 * @example
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, alpha: 0.9, eps: 1e-7, epsInside: true });
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
    checkBoolean(this.name, 'epsInside', h.epsInside);
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
