/**
 * `utils.compile(model, { optimizer, loss, metrics })`: tfjs's `model.compile` kept as a record on the model, for
 * code where the compile and the fit/evaluate are in different files or functions (a model built and compiled by
 * a helper, trained elsewhere). `utils.fit` and `utils.evaluate` use the record for whatever their options leave
 * out; explicit options win. Where both sit side by side, pass them directly instead (what `migrate` writes).
 */
import type { LossFunction, Metrics, OptimizerLike, Trainable } from './fit.js';

export interface CompileConfig {
  optimizer: OptimizerLike;
  /** `(yPred, yTrue) => scalar`; a model with several outputs may have one per output (fit_outputs.ts). */
  loss: LossFunction | LossFunction[];
  /** Metrics by log key (`{ acc: accuracyFn }`). */
  metrics?: Metrics;
  /**
   * Several outputs: their tfjs names (tfjs's compile knows the model's output layers), for the `<name>_loss` logs
   * of a fit, fitDataset or trainOnBatch elsewhere that uses this record.
   */
  outputNames?: string[];
}

const records = new WeakMap<object, CompileConfig>();

/** Records the training configuration of `model` (a later compile replaces it, as in tfjs). */
export function compile(model: Trainable, config: CompileConfig): void {
  if (!model || typeof model !== 'object' || typeof model.forward !== 'function') {
    throw new TypeError('compile: model must be an nn.Module (with forward, train and eval)');
  }
  if (config === null || typeof config !== 'object') throw new TypeError('compile: config must be { optimizer, loss, metrics? }');
  for (const k of Object.keys(config)) {
    if (!['optimizer', 'loss', 'metrics', 'outputNames'].includes(k)) throw new TypeError(`compile: unknown option '${k}' (known: optimizer, loss, metrics, outputNames)`);
  }
  const losses = Array.isArray(config.loss) ? config.loss : [config.loss];
  if (!losses.length || losses.some((l) => typeof l !== 'function')) throw new TypeError(`compile: loss must be a function (yPred, yTrue) => scalar tensor, or one per model output, got ${Array.isArray(config.loss) ? `an array of ${config.loss.map((l) => typeof l).join(', ') || 'nothing'}` : typeof config.loss}`);
  const opt = config.optimizer;
  if (!opt || typeof opt.zeroGrad !== 'function' || typeof opt.step !== 'function') {
    throw new TypeError('compile: optimizer must be an optimizer (with zeroGrad() and step()), e.g. new optim.Adam(model.parameters())');
  }
  const names = config.outputNames;
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string') || (Array.isArray(config.loss) && names.length !== config.loss.length))) {
    throw new TypeError(`compile: outputNames must be one string per output${Array.isArray(config.loss) ? ` (${config.loss.length}, as many as the losses)` : ''}, got ${JSON.stringify(names)}`);
  }
  records.set(model, { ...config });
}

/**
 * `options` completed from the model's compile record. `need` names the options the caller requires; a missing
 * one is an error that says how to provide it.
 */
export function withCompiled<T extends Partial<CompileConfig>, K extends keyof CompileConfig>(op: string, model: Trainable, options: T, need: K[]): T & Required<Pick<CompileConfig, K>> {
  const rec = records.get(model);
  const merged = { ...(rec ? { optimizer: rec.optimizer, loss: rec.loss, ...(rec.metrics ? { metrics: rec.metrics } : {}), ...(rec.outputNames ? { outputNames: rec.outputNames } : {}) } : {}), ...stripUndefined(options) } as T & Required<Pick<CompileConfig, K>>;
  for (const k of need) {
    if (merged[k] === undefined) {
      throw new TypeError(
        `${op}: no ${k}: the model was not compiled (tfjs: "You must compile a model before training/testing"); ` +
          `call utils.compile(model, { optimizer, loss }) first, or pass { ${need.join(', ')} } to ${op}`,
      );
    }
  }
  return merged;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
