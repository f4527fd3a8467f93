export { progress, ProgressBar } from './progress.js';
export type { ProgressOptions } from './progress.js';
export { fit, evaluate, predict } from './fit.js';
export { compile } from './compile.js';
export type { CompileConfig } from './compile.js';
export type { FitOptions, FitCallbacks, EvaluateOptions, PredictOptions, History, Logs, LossFunction, Trainable, OptimizerLike } from './fit.js';
