/** Adagrad (torch.optim.Adagrad): per-coordinate learning rates from the sum of squared gradients. */
import type { Tensor } from '../tensor.js';
import { Optimizer, type HyperParams, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkBoolean, checkEps, checkLr, checkNonNegative, checkWeightDecay } from './validation.js';

export interface AdagradHyperParams extends HyperParams {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  /** Starting value of the accumulated squared gradients. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export type AdagradOptions = Partial<AdagradHyperParams>;

export type AdagradState = { step: number; sum: Tensor };

export const ADAGRAD_DEFAULTS: Readonly<AdagradHyperParams> = Object.freeze({
  lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false,
});

/**
 * One Adagrad step of `param` in place (PyTorch's algorithm; t = state.step after the increment):
 *
 *   g = ±grad + weightDecay·param
 *   clr = lr / (1 + (t − 1)·lrDecay)
 *   sum += g²
 *   param −= clr · g / (√sum + eps)
 *
 * Call under noGrad.
 */
export function adagradUpdate(param: Tensor, grad: Tensor, state: AdagradState, h: AdagradHyperParams): void {
  const step = ++state.step;
  let g = h.maximize ? grad.neg() : grad;
  if (h.weightDecay !== 0) g = g.add(param, { alpha: h.weightDecay });
  const clr = h.lr / (1 + (step - 1) * h.lrDecay);
  state.sum.addcmul_(g, g);
  const std = state.sum.sqrt().add(h.eps);
  param.addcdiv_(g, std, { value: -clr });
}

/**
 * `new Adagrad(params, { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false })`.
 * TensorFlow's Adagrad starts the accumulator at 0.1; pass `initialAccumulatorValue: 0.1` to match it.
 */
export class Adagrad extends Optimizer<AdagradHyperParams, AdagradState> {
  constructor(params: ParamsInput<AdagradHyperParams>, options: AdagradOptions = {}) {
    super('Adagrad', params, ADAGRAD_DEFAULTS, options);
  }

  protected validate(h: AdagradHyperParams): void {
    checkLr(this.name, h.lr);
    checkNonNegative(this.name, 'lrDecay', 'lr_decay value', h.lrDecay);
    checkWeightDecay(this.name, h.weightDecay);
    checkNonNegative(this.name, 'initialAccumulatorValue', 'initial_accumulator_value value', h.initialAccumulatorValue);
    checkEps(this.name, h.eps);
    checkBoolean(this.name, 'maximize', h.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<AdagradHyperParams>): AdagradState {
    return { step: 0, sum: this.stateTensor(param, group.initialAccumulatorValue) };
  }

  protected update(param: Tensor, grad: Tensor, state: AdagradState, group: ParamGroup<AdagradHyperParams>): void {
    adagradUpdate(param, grad, state, group);
  }
}
