/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD). */
import type { Tensor } from '../tensor.js';
import { keep } from '../memory.js';
import { Optimizer, type HyperParams, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkBoolean, checkLr, checkNonNegative, checkWeightDecay } from './validation.js';

export interface SGDHyperParams extends HyperParams {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export type SGDOptions = Partial<SGDHyperParams>;

/** No state until the first step with momentum; then the momentum buffer. */
export type SGDState = { momentumBuffer?: Tensor };

/** PyTorch 2.x defaults (lr 1e-3). */
export const SGD_DEFAULTS: Readonly<SGDHyperParams> = Object.freeze({
  lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false,
});

/**
 * One SGD update of `param` in place (PyTorch's algorithm):
 *
 *   g = ±grad + weightDecay·param
 *   buf = g (first step), else buf = momentum·buf + (1 − dampening)·g
 *   g = nesterov ? g + momentum·buf : buf          (when momentum ≠ 0)
 *   param = param − lr·g
 *
 * Call under noGrad; the momentum buffer is created on the first step and kept out of tidy scopes.
 */
export function sgdUpdate(param: Tensor, grad: Tensor, state: SGDState, h: SGDHyperParams): void {
  let g = h.maximize ? grad.neg() : grad;
  if (h.weightDecay !== 0) g = g.add(param, { alpha: h.weightDecay });
  if (h.momentum !== 0) {
    let buf = state.momentumBuffer;
    if (buf === undefined) {
      // The first step takes the gradient as is: no dampening.
      buf = state.momentumBuffer = keep(g.to(param.dtype).clone());
    } else {
      buf.mul_(h.momentum).add_(g, { alpha: 1 - h.dampening });
    }
    g = h.nesterov ? g.add(buf, { alpha: h.momentum }) : buf;
  }
  param.add_(g, { alpha: -h.lr });
}

/**
 * `new SGD(params, { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false })`.
 *
 *   const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDHyperParams, SGDState> {
  constructor(params: ParamsInput<SGDHyperParams>, options: SGDOptions = {}) {
    super('SGD', params, SGD_DEFAULTS, options);
  }

  protected validate(h: SGDHyperParams): void {
    checkLr(this.name, h.lr);
    checkNonNegative(this.name, 'momentum', 'momentum value', h.momentum);
    if (typeof h.dampening !== 'number' || Number.isNaN(h.dampening)) {
      throw new TypeError(`${this.name}: dampening must be a number, got ${String(h.dampening)}`);
    }
    checkWeightDecay(this.name, h.weightDecay);
    checkBoolean(this.name, 'nesterov', h.nesterov);
    checkBoolean(this.name, 'maximize', h.maximize);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new RangeError(`${this.name}: Nesterov momentum requires a momentum and zero dampening; got momentum ${h.momentum}, dampening ${h.dampening}`);
    }
  }

  protected initState(): SGDState {
    return {};
  }

  protected update(param: Tensor, grad: Tensor, state: SGDState, group: ParamGroup<SGDHyperParams>): void {
    sgdUpdate(param, grad, state, group);
  }
}
