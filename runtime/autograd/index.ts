/** `torch.autograd`: the functional gradient API. */
export { grad, backward } from './backward.js';
export type { BackwardOptions, GradOptions } from './backward.js';
export { noGrad, enableGrad, isGradEnabled } from './grad_mode.js';
export { gradcheck } from './gradcheck.js';
