/**
 * `optim`: torch.optim in TypeScript idiom: optimizers (PyTorch's defaults and algorithms), their pure update
 * functions, and learning-rate schedulers.
 *
 *   const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
 *   optimizer.zeroGrad(); loss.backward(); optimizer.step();
 */
export { Optimizer } from './optimizer.js';
export type {
  HyperParams, OptimizerState, ParamGroup, ParamGroupInput, ParamsInput, OptimizerStateDict, ZeroGradOptions,
} from './optimizer.js';
export { SGD, sgdUpdate, SGD_DEFAULTS } from './sgd.js';
export type { SGDHyperParams, SGDOptions, SGDState } from './sgd.js';
export { Adam, AdamW, adamUpdate, ADAM_DEFAULTS, ADAMW_DEFAULTS } from './adam.js';
export type { AdamHyperParams, AdamOptions, AdamState } from './adam.js';
export { Adamax, adamaxUpdate, ADAMAX_DEFAULTS } from './adamax.js';
export type { AdamaxHyperParams, AdamaxOptions, AdamaxState } from './adamax.js';
export { Adadelta, adadeltaUpdate, ADADELTA_DEFAULTS } from './adadelta.js';
export type { AdadeltaHyperParams, AdadeltaOptions, AdadeltaState } from './adadelta.js';
export { RMSprop, rmspropUpdate, RMSPROP_DEFAULTS } from './rmsprop.js';
export type { RMSpropHyperParams, RMSpropOptions, RMSpropState } from './rmsprop.js';
export { Adagrad, adagradUpdate, ADAGRAD_DEFAULTS } from './adagrad.js';
export type { AdagradHyperParams, AdagradOptions, AdagradState } from './adagrad.js';
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR,
} from './lr_scheduler.js';
export type {
  SchedulableOptimizer, LRSchedulerOptions, StepLROptions, MultiStepLROptions, ExponentialLROptions,
  CosineAnnealingLROptions, LambdaLROptions, LrLambda,
} from './lr_scheduler.js';
