/**
 * A small Keras-like trainer for `nn.Module`s: `fit`, `evaluate` and `predict` with TensorFlow.js's semantics
 * made explicit. fit's steps are described once in fit_steps.ts, which also writes them out as the loop
 * `torchbridge migrate --fit loop` puts inline; `--fit helper` emits calls to this function:
 *
 *   const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
 *   const history = await utils.fit(model, x, y, {
 *     loss: (yPred, yTrue) => F.mseLoss(yPred, yTrue), optimizer, batchSize: 32, epochs: 5, validationSplit: 0.2,
 *   });
 *   history.history.val_loss; // one number per epoch
 *
 * tfjs semantics kept:
 * - `validationSplit` takes the LAST fraction of the samples, before shuffling;
 * - the training data is reshuffled every epoch (`shuffle: true`), through a DataLoader;
 * - an epoch's logs are sample-weighted means over its batches (`loss`, each metric, then `val_loss`,
 *   `val_<metric>` for validation); `fit` resolves to a History `{ epoch, history }` under tfjs's keys;
 * - callbacks may be async: fit awaits each one before it goes on (as tfjs's fit does);
 * - `evaluate` and the validation pass run in batches of `batchSize` and weight each batch by its size.
 *
 * PyTorch's side made explicit: `model.train()` at the start of every epoch, `model.eval()` + `torch.noGrad`
 * for validation, evaluate and predict (the model stays in eval mode afterwards, as in the migrated loop);
 * every batch runs inside `torch.tidy`, so memory stays flat however long the fit.
 */
import { Tensor } from '../tensor.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/grad_mode.js';
import { cat } from '../ops/join.js';
import { fmtShape } from '../shape.js';
import { DataLoader } from '../data/dataloader.js';
import { TensorDataset } from '../data/dataset.js';
import { withCompiled } from './compile.js';
import * as steps from './fit_steps.js';
import { EpochLogs } from './fit_steps.js';
import { CallbackList, type FitCallbacks, type Logs, stopRequested } from './callbacks.js';
import { OutputLosses, metricEntries, metricValue, type ClassWeight, type ClassWeights, type MetricEntry, type Metrics } from './fit_outputs.js';

export type { FitCallbacks, Logs } from './callbacks.js';
export type { ClassWeight, ClassWeights, MetricEntry, Metrics } from './fit_outputs.js';
export { EpochLogs } from './fit_steps.js';

/** The runtime functions fit_steps' rows call. */
const PARTS: steps.RuntimeParts = { data: { DataLoader, TensorDataset } };

/** A loss or metric: `(yPred, yTrue) => scalar tensor` (the mean over the batch). */
export type LossFunction = (yPred: Tensor, yTrue: Tensor) => Tensor;

/** What fit trains: a module with a forward (one input, or one per tensor of an `x` array) and train/eval modes. */
export interface Trainable {
  forward(x: Tensor, ...more: Tensor[]): unknown;
  train(mode?: boolean): unknown;
  eval(): unknown;
  /** tfjs's `model.stopTraining`: a callback sets it to end the fit after the current batch. */
  stopTraining?: boolean;
}

/** What fit steps: any optimizer (`optim.SGD`, `optim.Adam`, ...). */
export interface OptimizerLike {
  zeroGrad(): void;
  step(): unknown;
}

export interface FitOptions {
  /**
   * `(yPred, yTrue) => scalar` (or the per-sample losses [batch]): what the optimizer minimises; for a model with
   * several outputs one function per output (their sum is minimised, fit_outputs.ts). Default: the model's
   * utils.compile record.
   */
  loss?: LossFunction | LossFunction[];
  /** Default: the model's utils.compile record. */
  optimizer?: OptimizerLike;
  /**
   * Metrics by log key (`{ acc: accuracyFn }`), computed on detached predictions. Several outputs: one object is
   * every output's, or give one object (or null) per output; logged as `<outputName>_<key>` (fit_outputs.ts).
   */
  metrics?: Metrics;
  /** Samples per gradient step. Default 32 (tfjs's default). */
  batchSize?: number;
  /** Passes over the training data. Default 1. */
  epochs?: number;
  /** Reshuffle the training samples every epoch. Default true. */
  shuffle?: boolean;
  /** Fraction in (0, 1) of the samples, the last ones before shuffling, held out for validation. */
  validationSplit?: number;
  /** `[x, y]` to validate on after every epoch (instead of validationSplit); x and y arrays for several inputs/outputs. */
  validationData?: readonly Tensor[] | readonly [Tensor | Tensor[], Tensor | Tensor[]];
  /** Hooks, or a list of hook objects (tfjs's `callbacks: [...]`, e.g. `[utils.earlyStopping(), { onEpochEnd }]`). */
  callbacks?: FitCallbacks | FitCallbacks[];
  /** 0 (default): silent; 1 or 2: one line per epoch with its logs on stderr. */
  verbose?: 0 | 1 | 2;
  /**
   * tfjs's `classWeight`: each training sample's loss weighted by its class's weight (`classWeight[argmax(y)]`),
   * the loss then `mean(w · loss)`; needs a loss returning per-sample losses. Several outputs: one (or null) per output.
   */
  classWeight?: ClassWeights;
  /** Several outputs: their names, for the `<name>_loss` logs (tfjs's output layer names). Default `output1`, ... */
  outputNames?: string[];
}

/** fit's result, like tfjs's History: the epochs run and one number per epoch under each log key. */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

export interface EvaluateOptions {
  /** Default: the model's utils.compile record; one per output for a model with several (or one for all). */
  loss?: LossFunction | LossFunction[];
  /** As fit's; with several outputs the metrics follow the losses in the list (tfjs's order). */
  metrics?: Metrics;
  /** Samples per forward pass. Default 32. */
  batchSize?: number;
}

export interface PredictOptions {
  /** Samples per forward pass. Default 32. */
  batchSize?: number;
}

/** One batch's place in the fit: its epoch, its index in the epoch, its samples. */
export interface StepInfo {
  epoch: number;
  batch: number;
  /** The batch's (first) input and target. */
  x: Tensor;
  y: Tensor;
  /** Every input and target of the batch (a multi-input or multi-output fit has several). */
  xs: Tensor[];
  ys: Tensor[];
}

/** An epoch of a fit: its number and its batches `[x, y]`. */
export interface EpochPlan {
  epoch: number;
  batches: Iterable<Tensor[]>;
}

/**
 * Hooks into fit's loop, so a tool that must run fit differently runs this loop, not a copy of it: the
 * differential tester (difftest/program/probe_runtime.ts) follows a recorded tfjs run with it — the reference's
 * batches, its weights re-loaded before a step, gradients and layer outputs recorded. Everything fit computes
 * (the step, the logs, validation, callbacks, History) stays as it is. Tensors the in-step hooks return survive
 * the step's tidy and are handed to afterStep, which owns them.
 */
export interface FitDriver {
  /**
   * The epochs and their batches, instead of `epochs` passes of a (shuffled) DataLoader. A batch is `[x, y]`, or
   * with several inputs/outputs `[...xs, ...ys]` (`all` holds every training tensor then).
   */
  plan?(x: Tensor, y: Tensor, batchSize: number, all?: { xs: Tensor[]; ys: Tensor[] }): Iterable<EpochPlan>;
  /** Before the step of a batch (after onBatchBegin). */
  beforeStep?(info: StepInfo): void | Promise<void>;
  /** Inside the step, after backward and before optimizer.step: tensors to keep (e.g. the gradients). */
  beforeOptimizerStep?(info: StepInfo): Tensor[];
  /** Inside the step, after optimizer.step: tensors to keep (e.g. layer outputs of this forward); `preds`: every output. */
  afterOptimizerStep?(info: StepInfo, pred: Tensor, preds?: Tensor[]): Tensor[];
  /** After the step, with the batch's logs and the kept tensors (before onBatchEnd). */
  afterStep?(info: StepInfo, logs: Logs, kept: Tensor[]): void | Promise<void>;
  /** After an epoch's logs and validation (before onEpochEnd). */
  afterEpoch?(epoch: number, logs: Logs): void;
  /** A callback asked to stop, after a batch or an epoch: false to go on regardless. */
  stop?(epoch: number, where: 'batch' | 'epoch'): boolean;
}

const FIT_OPTIONS = ['loss', 'optimizer', 'metrics', 'batchSize', 'epochs', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'classWeight', 'outputNames'];

/**
 * Trains `model` on `(x, y)` with the compiled `loss` and `optimizer`, tfjs's `model.fit` made explicit.
 *
 * Per epoch: `onEpochBegin(epoch)`, `model.train()`, then per batch of the (reshuffled) training samples:
 * `onBatchBegin(batch)`, `pred = model.forward(xb)`, `loss(pred, yb)`, `zeroGrad/backward/step`, metrics on
 * `pred.detach()`, `onBatchEnd(batch, { batch, size, loss, ...metrics })`; then the epoch's logs (means over
 * samples), validation under `noGrad` in eval mode, the History entry, `onEpochEnd(epoch, logs)`.
 *
 * @param model an nn.Module whose `forward(x)` returns a tensor
 * @param x inputs, samples along dim 0
 * @param y targets, as many rows as x
 * @param options loss, optimizer, metrics, batchSize = 32, epochs = 1, shuffle = true, validationSplit,
 *   validationData, callbacks, verbose = 0
 * @param driver hooks into the loop for a tool that follows another run (the diff's probe); users leave it out
 * @returns a History: `{ epoch: [0, 1, ...], history: { loss: [...], acc: [...], val_loss: [...], ... } }`
 */
export async function fit(model: Trainable, x: Tensor | Tensor[], y: Tensor | Tensor[], options: FitOptions = {}, driver: FitDriver = {}): Promise<History> {
  checkModel('fit', model);
  const xs = asList('fit', x, 'x');
  const ys = asList('fit', y, 'y');
  checkSamples('fit', xs, ys);
  if (options === null || typeof options !== 'object') throw new TypeError('fit: options must be an object (with { loss, optimizer } unless the model was compiled with utils.compile)');
  for (const k of Object.keys(options)) {
    if (!FIT_OPTIONS.includes(k)) throw new TypeError(`fit: unknown option '${k}' (known: ${FIT_OPTIONS.join(', ')})`);
  }
  const { loss: lossFn, optimizer, metrics = {}, batchSize = 32, epochs = 1, shuffle = true, validationSplit, validationData, callbacks = {}, verbose = 0, classWeight, outputNames } = withCompiled('fit', model, options, ['loss', 'optimizer']);
  const losses = new OutputLosses('fit', lossFn, ys.length, outputNames, classWeight);
  checkOptimizer('fit', optimizer);
  const metricEntries = losses.metricEntries(metrics);
  checkBatchSize('fit', batchSize);
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (typeof shuffle !== 'boolean') throw new TypeError(`fit: shuffle must be true or false, got ${JSON.stringify(shuffle)} ('batch' shuffling is not supported)`);
  const hooks = new CallbackList('fit', callbacks);
  if (validationSplit !== undefined && validationData !== undefined) {
    throw new TypeError('fit: give validationSplit or validationData, not both');
  }

  // Views made here are disposed at the end, so a fit leaves memory as it found it.
  const views: Tensor[] = [];
  let trainXs = xs;
  let trainYs = ys;
  let val: { xs: Tensor[]; ys: Tensor[] } | undefined;
  if (validationSplit !== undefined) {
    const split = splitValidationAll([...xs, ...ys], validationSplit, 'fit');
    trainXs = split.train.slice(0, xs.length);
    trainYs = split.train.slice(xs.length);
    val = { xs: split.val.slice(0, xs.length), ys: split.val.slice(xs.length) };
    views.push(...split.train, ...split.val);
  } else if (validationData !== undefined) {
    if (!Array.isArray(validationData) || validationData.length !== 2) {
      throw new TypeError('fit: validationData must be [x, y] (sample weights are not supported)');
    }
    val = { xs: asList('fit', validationData[0] as Tensor | Tensor[], 'validationData[0]'), ys: asList('fit', validationData[1] as Tensor | Tensor[], 'validationData[1]') };
    checkSamples('fit', val.xs, val.ys, 'validationData[0]', 'validationData[1]');
    if (val.xs.length !== xs.length || val.ys.length !== ys.length) throw new RangeError(`fit: validationData has ${val.xs.length} input(s) and ${val.ys.length} target(s); x and y have ${xs.length} and ${ys.length}`);
  }
  // tfjs checks every class of the targets has a weight before it trains (all of y: it weighs before it splits).
  if (losses.weighted) await losses.checkClasses(ys);

  const nIn = xs.length;
  const several = xs.length > 1 || ys.length > 1;
  const plan = driver.plan?.(trainXs[0], trainYs[0], batchSize, several ? { xs: trainXs, ys: trainYs } : undefined) ?? loaderPlan([...trainXs, ...trainYs], batchSize, shuffle, epochs);
  const numBatches = Math.ceil(trainXs[0].shape[0] / batchSize);
  const history: History = { epoch: [], history: {} };
  try {
    hooks.begin(model);
    await hooks.call('onTrainBegin');
    for (const { epoch, batches: epochBatches } of plan) {
      await hooks.call('onEpochBegin', epoch);
      steps.epochBegin.run(model);
      const epochLogs = new EpochLogs(metricEntries, losses.logKeys);
      let batch = 0;
      let stopped = false;
      for (const tensors of epochBatches) {
        const batchXs = tensors.slice(0, nIn);
        const batchYs = tensors.slice(nIn);
        await hooks.call('onBatchBegin', batch);
        const info: StepInfo = { epoch, batch, x: batchXs[0], y: batchYs[0], xs: batchXs, ys: batchYs };
        await driver.beforeStep?.(info);
        const { logs: stepLogs, kept } = await trainStep('fit', model, losses, optimizer, metricEntries, batchXs, batchYs, driver, info);
        const batchLogs: Logs = { batch, size: batchXs[0].shape[0], ...stepLogs };
        await driver.afterStep?.(info, batchLogs, kept);
        epochLogs.add(batchLogs);
        await hooks.call('onBatchEnd', batch, batchLogs);
        batch++;
        // tfjs stops after the batch a callback stopped in; it validates in the last batch (before its
        // onBatchEnd), so a stop there keeps the epoch's validation and a stop earlier skips it.
        if (stopRequested(model) && driver.stop?.(epoch, 'batch') !== false) {
          stopped = batch < numBatches;
          break;
        }
      }
      const logs = epochLogs.means();
      if (val && !stopped) {
        const valLogs = await evaluateToNumbers(model, val.xs, val.ys, losses, metricEntries, batchSize);
        for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
      }
      steps.history.run(history, epoch, logs);
      if (verbose) process.stderr.write(`Epoch ${epoch + 1} / ${epochs} ${Object.entries(logs).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}\n`);
      driver.afterEpoch?.(epoch, logs);
      await hooks.call('onEpochEnd', epoch, logs);
      if (stopRequested(model) && driver.stop?.(epoch, 'epoch') !== false) break;
    }
    await hooks.call('onTrainEnd');
  } finally {
    for (const v of views) v.dispose();
    losses.dispose();
  }
  return history;
}

/** `epochs` passes of a DataLoader over the training samples (`[...xs, ...ys]`), reshuffled each epoch when `shuffle`. */
function* loaderPlan(tensors: Tensor[], batchSize: number, shuffle: boolean, epochs: number): Generator<EpochPlan> {
  const loader = steps.batches.run(PARTS, tensors, batchSize, shuffle);
  for (let epoch = 0; epoch < epochs; epoch++) yield { epoch, batches: batches(loader) };
}

/**
 * tfjs's `validationSplit` (fit_steps.ts): the last `fraction` of the samples, before shuffling, validate. The
 * tensors are views of x and y. utils.fit and the diff's probe split here.
 */
export function splitValidation(x: Tensor, y: Tensor, fraction: number, op = 'splitValidation'): { train: [Tensor, Tensor]; val: [Tensor, Tensor] } {
  const { train, val } = splitValidationAll([x, y], fraction, op);
  return { train: [train[0], train[1]], val: [val[0], val[1]] };
}

/** splitValidation over any number of tensors (a multi-input or multi-output fit's `[...xs, ...ys]`). */
export function splitValidationAll(tensors: Tensor[], fraction: number, op = 'splitValidation'): { train: Tensor[]; val: Tensor[] } {
  return steps.validationSplit.run(tensors, fraction, op);
}

/**
 * One gradient step on one batch, everything it makes freed at its end: `{ loss, <output>_loss..., <metric>... }`
 * of the batch (metrics on the detached predictions). `x`/`y`: one tensor each, or one per model input/output
 * (`lossFn` then an OutputLosses, fit_outputs.ts).
 */
export async function trainStep(
  op: string, model: Trainable, lossFn: LossFunction | OutputLosses, optimizer: OptimizerLike, metricEntries: MetricEntry[], x: Tensor | Tensor[], y: Tensor | Tensor[],
  driver: FitDriver = {}, info?: StepInfo,
): Promise<{ logs: Logs; kept: Tensor[] }> {
  const xs = Array.isArray(x) ? x : [x];
  const ys = Array.isArray(y) ? y : [y];
  const losses = lossFn instanceof OutputLosses ? lossFn : new OutputLosses(op, lossFn, 1);
  const [values, kept] = tidy(() => {
    let perOutput: Tensor[] = [];
    const { pred: preds, loss: total, between: keptBefore } = steps.step.run(
      () => forwardAll(op, model, xs, losses.count),
      (p) => {
        const r = losses.compute(p, ys, true);
        perOutput = r.perOutput;
        return r.total;
      },
      optimizer,
      () => (info && driver.beforeOptimizerStep ? driver.beforeOptimizerStep(info) : []),
    );
    const outputLosses = losses.logKeys.length ? perOutput.map((t) => t.detach()) : [];
    const values = steps.batchLogs.run(total, outputLosses, preds, ys, metricEntries);
    const keptAfter = info && driver.afterOptimizerStep ? driver.afterOptimizerStep(info, preds[0], preds) : [];
    return [values, [...keptBefore, ...keptAfter]] as [Tensor[], Tensor[]];
  });
  const numbers = await readValues(values);
  const logs: Logs = { loss: numbers[0] };
  losses.logKeys.forEach((k, i) => (logs[k] = numbers[i + 1]));
  metricEntries.forEach(([k], i) => (logs[k] = numbers[i + 1 + losses.logKeys.length]));
  return { logs, kept };
}

/** trainOnBatch's options: the compiled loss (one per output, or one for all), optimizer and metrics. */
export interface TrainOnBatchOptions {
  loss?: LossFunction | LossFunction[];
  optimizer?: OptimizerLike;
  /** As fit's (several outputs: one object for every output, or one per output). */
  metrics?: Metrics;
}

/**
 * tfjs's `model.trainOnBatch(x, y)`: one gradient step on all of `(x, y)` as one batch, in training mode. `x`/`y`:
 * one tensor each, or one per model input/output (the loss then summed over the outputs, fit_outputs.ts).
 *
 * @returns the batch's loss; `[loss, ...metrics]` when there are metrics; with several outputs
 *   `[loss, <output 1>_loss, <output 2>_loss, ...]` (tfjs's train function: the total, then each output's mean loss)
 */
export async function trainOnBatch(model: Trainable, x: Tensor | Tensor[], y: Tensor | Tensor[], options: TrainOnBatchOptions = {}): Promise<number | number[]> {
  checkModel('trainOnBatch', model);
  const xs = asList('trainOnBatch', x, 'x');
  const ys = asList('trainOnBatch', y, 'y');
  checkSamples('trainOnBatch', xs, ys);
  const { loss: lossFn, optimizer, metrics = {} } = withCompiled('trainOnBatch', model, options ?? {}, ['loss', 'optimizer']);
  const losses = new OutputLosses('trainOnBatch', lossFn, ys.length);
  checkOptimizer('trainOnBatch', optimizer);
  const metricEntries = losses.metricEntries(metrics);
  model.train();
  const { logs } = await trainStep('trainOnBatch', model, losses, optimizer, metricEntries, xs, ys);
  const rest = [...losses.logKeys, ...metricEntries.map(([k]) => k)].map((k) => logs[k]);
  return rest.length ? [logs.loss, ...rest] : logs.loss;
}

/**
 * tfjs's `model.evaluate(x, y)`: the loss and each metric over all of `(x, y)`, computed in batches of
 * `batchSize` under `noGrad` in eval mode, each batch weighted by its size:
 * `loss = Σ_b size_b · loss_b / Σ_b size_b`. `x`/`y`: one tensor each, or one per model input/output.
 *
 * With several outputs the result is tfjs's test function's list as it stands, so a migrated program that reads
 * it by position reads the same numbers: first the RUNNING totals `[l1, l1 + l2, ..., l1 + ... + ln]` (the last is
 * the total loss), then each output's loss `[l1, ..., ln]` — 2n scalars, where `model.metricsNames` names n + 1.
 *
 * @returns the loss as a scalar tensor when there are no metrics and one output, else a list (tfjs's shape)
 */
export function evaluate(model: Trainable, x: Tensor | Tensor[], y: Tensor | Tensor[], options: EvaluateOptions = {}): Tensor | Tensor[] {
  checkModel('evaluate', model);
  const xs = asList('evaluate', x, 'x');
  const ys = asList('evaluate', y, 'y');
  checkSamples('evaluate', xs, ys);
  if (options === null || typeof options !== 'object') throw new TypeError('evaluate: options must be an object (with { loss } unless the model was compiled with utils.compile)');
  const { loss: lossFn, metrics = {}, batchSize = 32 } = withCompiled('evaluate', model, options, ['loss']);
  const losses = new OutputLosses('evaluate', lossFn, ys.length);
  const metricEntries = losses.metricEntries(metrics);
  checkBatchSize('evaluate', batchSize);
  const values: BatchValues = ys.length > 1 ? (preds, ts) => [...losses.testValues(preds, ts), ...metricEntries.map((m) => metricValue(m, preds, ts))] : batchValues(losses, metricEntries);
  const results = weightedMeans('evaluate', model, xs, ys, values, batchSize);
  return results.length === 1 ? results[0] : results;
}

/**
 * tfjs's `model.predict(x)`: the model's outputs for `x`, computed in batches of `batchSize` under `noGrad`
 * in eval mode and concatenated along dim 0.
 */
export function predict(model: Trainable, x: Tensor, options: PredictOptions = {}): Tensor {
  checkModel('predict', model);
  checkTensor('predict', x, 'x');
  const { batchSize = 32 } = options ?? {};
  checkBatchSize('predict', batchSize);
  const n = x.shape[0];
  model.eval();
  return noGrad(() => {
    if (n <= batchSize) return tidy(() => asTensor('predict', model.forward(x)));
    const parts: Tensor[] = [];
    for (let start = 0; start < n; start += batchSize) {
      parts.push(tidy(() => asTensor('predict', model.forward(x.narrow(0, start, Math.min(batchSize, n - start))))));
    }
    const out = cat(parts, 0);
    for (const p of parts) p.dispose();
    return out;
  });
}

type BatchValues = (preds: Tensor[], ys: Tensor[]) => Tensor[];

/** A batch's unweighted `[loss, <output>_loss..., <metric>...]` (what evaluate and validation report). */
function batchValues(losses: OutputLosses, metrics: MetricEntry[]): BatchValues {
  return (preds, ys) => {
    const { total, perOutput } = losses.compute(preds, ys, false);
    return [total, ...(losses.logKeys.length ? perOutput : []), ...metrics.map((m) => metricValue(m, preds, ys))];
  };
}

/** Batch-weighted means of `values(model(xs), ys)`, as tensors (kept on the tensors' device, no reads). */
function weightedMeans(op: string, model: Trainable, xs: Tensor[], ys: Tensor[], values: BatchValues, batchSize: number): Tensor[] {
  const n = xs[0].shape[0];
  if (n === 0) throw new RangeError(`${op}: x has no samples (shape ${fmtShape(xs[0].shape)})`);
  const count = ys.length;
  model.eval();
  return noGrad(() => {
    let totals: Tensor[] | undefined;
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const prev = totals;
      totals = tidy(() => {
        const preds = forwardAll(op, model, xs.map((x) => x.narrow(0, start, size)), count);
        return values(preds, ys.map((y) => y.narrow(0, start, size))).map((v, i) => {
          const weighted = v.mul(size);
          return prev ? prev[i].add(weighted) : weighted;
        });
      });
      if (prev) for (const t of prev) t.dispose();
    }
    const means = tidy(() => totals!.map((t) => t.div(n)));
    for (const t of totals!) t.dispose();
    return means;
  });
}

async function evaluateToNumbers(model: Trainable, xs: Tensor[], ys: Tensor[], losses: OutputLosses, metrics: MetricEntry[], batchSize: number): Promise<Logs> {
  const values = await readValues(weightedMeans('fit (validation)', model, xs, ys, batchValues(losses, metrics), batchSize));
  const keys = ['loss', ...losses.logKeys, ...metrics.map(([k]) => k)];
  const logs: Logs = {};
  keys.forEach((k, i) => (logs[k] = values[i]));
  return logs;
}

/**
 * The loader's batches, each fetched inside `tidy`: the index tensors and views a fetch makes are freed at once
 * (iterated bare, they are left to the garbage collector); the batch itself is the DataLoader's to recycle.
 */
function* batches(loader: DataLoader): Generator<Tensor[]> {
  const it = loader[Symbol.iterator]();
  try {
    for (;;) {
      const next = tidy(() => it.next());
      if (next.done) return;
      yield next.value;
    }
  } finally {
    it.return?.();
  }
}

/** Reads scalar tensors (asynchronously, so a GPU backend works too) and disposes them. */
export async function readValues(ts: Tensor[]): Promise<number[]> {
  try {
    const out: number[] = [];
    for (const t of ts) out.push(await t.itemAsync());
    return out;
  } finally {
    for (const t of ts) t.dispose();
  }
}

export function asTensor(op: string, out: unknown): Tensor {
  if (!(out instanceof Tensor)) {
    throw new TypeError(`${op}: model.forward(x) must return one Tensor, got ${Array.isArray(out) ? 'an array (several outputs are not supported)' : typeof out}`);
  }
  return out;
}

/** The model's outputs for `xs` (its forward given one argument per input): `count` tensors. */
export function forwardAll(op: string, model: Trainable, xs: Tensor[], count: number): Tensor[] {
  const out = model.forward(xs[0], ...xs.slice(1));
  if (count === 1) return [asTensor(op, out)];
  if (!Array.isArray(out) || out.length !== count || !out.every((t) => t instanceof Tensor)) {
    throw new TypeError(`${op}: ${count} targets were given, so model.forward must return ${count} Tensors (one per output), got ${Array.isArray(out) ? `an array of ${out.length}` : typeof out}`);
  }
  return out as Tensor[];
}

/** `x` as a list: one tensor, or an array of them (one per model input or output). */
function asList(op: string, t: Tensor | Tensor[], name: string): Tensor[] {
  if (!Array.isArray(t)) return [t];
  if (!t.every((e) => e instanceof Tensor)) {
    throw new TypeError(`${op}: ${name} must be a Tensor, got an array of ${t.map((e) => (e === null ? 'null' : e instanceof Tensor ? 'Tensor' : typeof e)).join(', ')} (an array must hold one Tensor per model input or output; wrap values with torch.tensor)`);
  }
  if (t.length === 0) throw new RangeError(`${op}: ${name} is an empty array; give a Tensor, or one Tensor per model ${name.startsWith('y') || name.endsWith('[1]') ? 'output' : 'input'}`);
  return t;
}

/** Every input and target a tensor with the same number of samples. */
function checkSamples(op: string, xs: Tensor[], ys: Tensor[], xName = 'x', yName = 'y'): void {
  const named = [...xs.map((t, i) => [t, xs.length > 1 ? `${xName}[${i}]` : xName] as const), ...ys.map((t, i) => [t, ys.length > 1 ? `${yName}[${i}]` : yName] as const)];
  for (const [t, name] of named) checkTensor(op, t, name);
  const [first, firstName] = named[0];
  for (const [t, name] of named.slice(1)) {
    if (t.shape[0] !== first.shape[0]) {
      throw new RangeError(`${op}: ${firstName} has ${first.shape[0]} samples but ${name} has ${t.shape[0]} (shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)}); they must match in dim 0`);
    }
  }
}

export function checkModel(op: string, model: Trainable): void {
  if (!model || typeof model.forward !== 'function' || typeof model.train !== 'function' || typeof model.eval !== 'function') {
    throw new TypeError(`${op}: model must be an nn.Module (with forward, train and eval), got ${model === null ? 'null' : typeof model}`);
  }
}

export function checkTensor(op: string, t: Tensor, name: string): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${Array.isArray(t) ? 'an array (several inputs are not supported; wrap values with torch.tensor)' : t === null ? 'null' : typeof t}`);
  t.assertAlive(op, name);
  if (t.ndim === 0) throw new RangeError(`${op}: ${name} must have a sample dimension (dim 0), got a scalar`);
}

export function checkOptimizer(op: string, optimizer: OptimizerLike | undefined): void {
  if (!optimizer || typeof optimizer.zeroGrad !== 'function' || typeof optimizer.step !== 'function') {
    throw new TypeError(`${op}: optimizer must be an optimizer (with zeroGrad() and step()), e.g. new optim.Adam(model.parameters())`);
  }
}

export function checkFunction(op: string, name: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${op}: ${name} must be a function (yPred, yTrue) => scalar Tensor, got ${typeof fn}`);
}

export function checkBatchSize(op: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`${op}: batchSize must be a positive integer, got ${batchSize}`);
}

/** One output's metrics as entries (the checks of fit_outputs.ts's metricEntries). */
export function checkMetrics(op: string, metrics: Metrics): MetricEntry[] {
  if (metrics === null || typeof metrics !== 'object') {
    throw new TypeError(`${op}: metrics must be an object of functions by log key ({ acc: accuracyFn }), got ${typeof metrics}`);
  }
  return metricEntries(op, metrics, 1);
}
