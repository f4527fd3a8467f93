/**
 * tfjs's `model.fitDataset(dataset, config)` and `model.evaluateDataset(dataset, config)` on the runtime, with
 * tfjs's loop (tfjs-layers/src/engine/training_dataset.ts) step for step, so a migrated program sees the same
 * batches, logs and callback calls:
 * - without `batchesPerEpoch` each epoch reads a fresh iterator to its end; with it, one iterator runs across
 *   epochs, and an epoch that finds it exhausted warns (tfjs's text), skips validation and training goes on;
 * - an element is `{ xs, ys }` (tfjs's form) or `[xs, ys]` (PyTorch's); its batch size is `xs.shape[0]`; its
 *   tensors are disposed after the step, as tfjs disposes them; a model with several inputs or outputs takes `xs`
 *   and `ys` as arrays (in the model's input/output order) or as objects keyed by the tfjs input/output layer
 *   names, which `inputNames` / `outputNames` then give in order (tfjs's standardizeDataIteratorOutput);
 * - several outputs: the loss is their sum and each output's loss is logged as `<name>_loss`, as utils.fit logs
 *   them (fit_outputs.ts), validation too (each under its own name, where tfjs's own logs are shifted);
 * - validation (a dataset, or `[x, y]` tensors evaluated in batches of `validationBatchSize`, default 32) runs
 *   when the epoch's data is done, and is skipped when a callback stopped training in that epoch first;
 * - epoch logs are batch-size-weighted means (tfjs's BaseLogger); an epoch with no batches has no `loss`.
 */
import { Tensor } from '../tensor.js';
import { dispose, tidy } from '../memory.js';
import { noGrad } from '../autograd/grad_mode.js';
import { withCompiled } from './compile.js';
import * as fitSteps from './fit_steps.js';
import { CallbackList, type FitCallbacks, type Logs, stopRequested } from './callbacks.js';
import {
  checkModel, checkOptimizer, evaluate, EpochLogs, forwardAll, readValues, trainStep,
  type History, type LossFunction, type OptimizerLike, type Trainable,
} from './fit.js';
import { OutputLosses, type ClassWeights, metricEntries as metricEntriesOf, metricValue, type MetricEntry, type Metrics } from './fit_outputs.js';
import { ElementReader } from './dataset_elements.js';

/** What fitDataset reads: a `data.IterableDataset` (or anything with tfjs's `iterator()`). */
export interface DatasetLike {
  iterator(): Promise<{ next(): Promise<IteratorResult<unknown, unknown>> }>;
}

export interface FitDatasetOptions {
  /** Required, a positive integer (as tfjs requires). */
  epochs: number;
  /** Batches per epoch; without it an epoch is one pass over the dataset. */
  batchesPerEpoch?: number;
  /** A dataset of `{ xs, ys }`, or `[x, y]` tensors (x, y arrays for several inputs/outputs), validated after each epoch. */
  validationData?: DatasetLike | readonly (Tensor | Tensor[])[];
  /** Batches of a validation dataset to use (default: all of it). */
  validationBatches?: number;
  /** Batch size for `[x, y]` validation tensors. Default 32 (tfjs's). */
  validationBatchSize?: number;
  callbacks?: FitCallbacks | FitCallbacks[];
  /** Default: the model's utils.compile record; one per output for a model with several (or one for all). */
  loss?: LossFunction | LossFunction[];
  optimizer?: OptimizerLike;
  /** As utils.fit's (several outputs: one object for every output, or one per output; `<outputName>_<key>` logs). */
  metrics?: Metrics;
  /** 0: silent (default); 1 or 2: one line per epoch on stderr. */
  verbose?: 0 | 1 | 2;
  /** The model's input names in order, to read elements whose `xs` is an object keyed by them (tfjs's inputNames). */
  inputNames?: string[];
  /** The output names in order: the `<name>_loss` logs, and the order of `ys` given as an object. Default `output1`, ... */
  outputNames?: string[];
  /**
   * tfjs's `classWeight`, as utils.fit's (fit_outputs.ts; one object, or one (or null) per output): tfjs's
   * fitDataset weighs each batch's samples by their class, and checks every class of the batch has a weight.
   */
  classWeight?: ClassWeights;
}

export interface EvaluateDatasetOptions {
  /** Batches to evaluate (default: the whole dataset). */
  batches?: number;
  loss?: LossFunction | LossFunction[];
  metrics?: Metrics;
  /** As fitDataset's: the order of `xs` / `ys` given as objects keyed by name. */
  inputNames?: string[];
  outputNames?: string[];
}

const FIT_DATASET_OPTIONS = ['epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'validationBatchSize', 'callbacks', 'loss', 'optimizer', 'metrics', 'verbose', 'inputNames', 'outputNames', 'classWeight'];

/** `model.fitDataset(dataset, { epochs, ... })`. Returns tfjs's History. */
export async function fitDataset(model: Trainable, dataset: DatasetLike, options: FitDatasetOptions): Promise<History> {
  checkModel('fitDataset', model);
  checkDataset('fitDataset', 'dataset', dataset);
  if (options === null || typeof options !== 'object') throw new TypeError('fitDataset: the 2nd argument (config) is required: { epochs, ... }');
  if ('validationSplit' in options) throw new TypeError('fitDataset: validationSplit is not supported (as in tfjs); give validationData instead');
  for (const k of Object.keys(options)) {
    if (!FIT_DATASET_OPTIONS.includes(k)) throw new TypeError(`fitDataset: unknown option '${k}' (known: ${FIT_DATASET_OPTIONS.join(', ')})`);
  }
  const { loss: lossFn, optimizer, metrics = {}, epochs, batchesPerEpoch, validationData, validationBatches, validationBatchSize = 32, callbacks, verbose = 0, inputNames, outputNames, classWeight } = withCompiled('fitDataset', model, options, ['loss', 'optimizer']);
  if (typeof lossFn !== 'function' && !Array.isArray(lossFn)) throw new TypeError(`fitDataset: loss must be a function (yPred, yTrue) => scalar Tensor, or one per model output, got ${typeof lossFn}`);
  checkOptimizer('fitDataset', optimizer);
  // With several outputs the metrics' keys are per output: known with the number of outputs (lossesFor).
  let metricEntries: MetricEntry[] = [];
  // The checks a plain object's metrics get on any number of outputs, before the first element is read.
  if (!Array.isArray(metrics)) metricEntriesOf('fitDataset', metrics, 1);
  if (!Number.isInteger(epochs) || epochs <= 0) throw new RangeError(`fitDataset: epochs must be a positive integer, got ${epochs}`);
  const perEpoch = batchesPerEpoch !== undefined;
  if (perEpoch) positiveInt('batchesPerEpoch', batchesPerEpoch);
  const reader = new ElementReader('fitDataset', inputNames, outputNames);
  // The number of outputs is known from the names or the losses, else from the first element.
  let losses: OutputLosses | undefined;
  const lossesFor = (count: number): OutputLosses => {
    if (!losses) {
      losses = new OutputLosses('fitDataset', lossFn, count, outputNames, classWeight);
      metricEntries = losses.metricEntries(metrics);
    }
    if (losses.count !== count) throw new RangeError(`fitDataset: an element has ${count} target(s), but ${outputNames ? 'outputNames' : 'loss'} gives ${losses.count} output(s); give one target per model output`);
    return losses;
  };
  const known = outputNames?.length ?? (Array.isArray(lossFn) ? lossFn.length : undefined);
  if (known !== undefined) lossesFor(known);
  let valTensors: readonly (Tensor | Tensor[])[] | undefined;
  if (validationData !== undefined) {
    if (Array.isArray(validationData)) {
      const isTensors = (v: unknown) => v instanceof Tensor || (Array.isArray(v) && v.length > 0 && v.every((t) => t instanceof Tensor));
      if (validationData.length !== 2 || !validationData.every(isTensors)) {
        throw new TypeError('fitDataset: validationData must be a dataset of { xs, ys } or [x, y] tensors (x and y arrays for several inputs/outputs; sample weights are not supported)');
      }
      valTensors = validationData;
      positiveInt('validationBatchSize', validationBatchSize);
    } else {
      checkDataset('fitDataset', 'validationData', validationData as DatasetLike);
      if (validationBatches !== undefined) positiveInt('validationBatches', validationBatches);
    }
  }
  const hooks = new CallbackList('fitDataset', callbacks);

  const history: History = { epoch: [], history: {} };
  hooks.begin(model);
  await hooks.call('onTrainBegin');
  let iterator = await dataset.iterator();
  for (let epoch = 0; epoch < epochs; epoch++) {
    await hooks.call('onEpochBegin', epoch);
    fitSteps.epochBegin.run(model);
    let epochLogs: EpochLogs | undefined;
    const valLogs: Logs = {};
    if (!perEpoch) iterator = await dataset.iterator();
    let steps = 0;
    for (;;) {
      const out = await iterator.next();
      if (perEpoch && out.done) {
        console.warn(`You provided \`batchesPerEpoch\` as ${batchesPerEpoch}, but your dataset iterator ran out of data after ${steps} batches; interrupting training. Make sure that your dataset can generate at least \`batchesPerEpoch * epochs\` batches (in this case, ${batchesPerEpoch! * epochs} batches). You may need to use the repeat() function when building your dataset.`);
        break;
      }
      if (out.value != null) {
        const { xs, ys } = reader.read(out.value);
        try {
          const stepLosses = lossesFor(ys.length);
          epochLogs ??= new EpochLogs(metricEntries, stepLosses.logKeys);
          const batchLogs: Logs = { batch: steps, size: xs[0].shape[0] };
          await hooks.call('onBatchBegin', steps, batchLogs);
          // tfjs's fitDataset standardizes the class weights batch by batch (a class missing from them is an error there).
          if (stepLosses.weighted) {
            stepLosses.dispose();
            await stepLosses.checkClasses(ys);
          }
          model.train();
          Object.assign(batchLogs, (await trainStep('fitDataset', model, stepLosses, optimizer!, metricEntries, xs, ys)).logs);
          epochLogs.add(batchLogs);
          await hooks.call('onBatchEnd', steps, batchLogs);
        } finally {
          dispose([...xs, ...ys]);
        }
        steps++;
      }
      if (perEpoch ? steps >= batchesPerEpoch! : out.done) {
        if (validationData !== undefined) {
          const vals = valTensors
            ? await readValues(toList(evaluate(model, valTensors[0], valTensors[1], { loss: lossFn, metrics, batchSize: validationBatchSize })))
            : await readValues(toList(await evaluateDataset(model, validationData as DatasetLike, { loss: lossFn, metrics, batches: validationBatches, inputNames, outputNames })));
          // evaluate's list is tfjs's (running totals first with several outputs): each value under its own name.
          const count = valTensors ? toList(valTensors[1]).length : losses?.count ?? 1;
          const named = lossesFor(count).namedTestLogs(vals, metricEntries.map(([k]) => k));
          for (const [k, v] of Object.entries(named)) valLogs[`val_${k}`] = v;
        }
        break;
      }
      if (stopRequested(model)) break;
    }
    // tfjs's BaseLogger puts the epoch's means first (an epoch without batches has none).
    const logs: Logs = { ...(steps > 0 && epochLogs ? epochLogs.means() : {}), ...valLogs };
    fitSteps.history.run(history, epoch, logs);
    if (verbose) process.stderr.write(`Epoch ${epoch + 1} / ${epochs} ${Object.entries(logs).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}\n`);
    await hooks.call('onEpochEnd', epoch, logs);
    // A dataset that ran out under batchesPerEpoch does not end training: tfjs goes on (and warns each epoch).
    if (stopRequested(model)) break;
  }
  losses?.dispose();
  await hooks.call('onTrainEnd');
  return history;
}

/**
 * `model.evaluateDataset(dataset, { batches })`: the loss and each metric over the dataset's batches (or the
 * first `batches` of them), each batch weighted by its size, in eval mode under `noGrad`.
 *
 * @returns a scalar tensor, or `[loss, ...metrics]` when there are metrics (tfjs's shape); with several outputs
 *   tfjs's test-function list: the running totals `[l1, l1 + l2, ...]`, then each output's loss (utils.evaluate's)
 */
export async function evaluateDataset(model: Trainable, dataset: DatasetLike, options: EvaluateDatasetOptions = {}): Promise<Tensor | Tensor[]> {
  checkModel('evaluateDataset', model);
  checkDataset('evaluateDataset', 'dataset', dataset);
  if (options === null || typeof options !== 'object') throw new TypeError('evaluateDataset: options must be an object ({ batches })');
  const { loss: lossFn, metrics = {}, batches, inputNames, outputNames } = withCompiled('evaluateDataset', model, options, ['loss']);
  let metricEntries: MetricEntry[] = [];
  if (!Array.isArray(metrics)) metricEntriesOf('evaluateDataset', metrics, 1);
  if (batches !== undefined) positiveInt('batches', batches, 'evaluateDataset');
  const reader = new ElementReader('evaluateDataset', inputNames, outputNames);
  let losses: OutputLosses | undefined;
  const iterator = await dataset.iterator();
  model.eval();
  let totals: Tensor[] | undefined;
  let examples = 0;
  for (let batch = 0; batches === undefined || batch < batches; ) {
    const out = await iterator.next();
    if (out.value != null) {
      const { xs, ys } = reader.read(out.value);
      const prev = totals;
      try {
        if (!losses) {
          losses = new OutputLosses('evaluateDataset', lossFn, ys.length, outputNames);
          metricEntries = losses.metricEntries(metrics);
        }
        const l = losses;
        totals = noGrad(() => tidy(() => {
          const preds = forwardAll('evaluateDataset', model, xs, l.count);
          const values = [...l.testValues(preds, ys), ...metricEntries.map((m) => metricValue(m, preds, ys))];
          return values.map((v, i) => {
            const weighted = v.mul(xs[0].shape[0]);
            return prev ? prev[i].add(weighted) : weighted;
          });
        }));
      } finally {
        dispose([...xs, ...ys]);
      }
      if (prev) dispose(prev);
      examples += xs[0].shape[0];
      batch++;
    }
    if (out.done) {
      if (batches !== undefined) console.warn(`Your dataset iterator ran out of data during evaluateDataset(). Interrupting evalution. Make sure that your dataset can generate at least \`batches\` batches (in this case, ${batches} batches). You may need to use the repeat() function when building your dataset.`);
      break;
    }
  }
  if (!totals) throw new RangeError('evaluateDataset: the dataset gave no batches to evaluate');
  const means = tidy(() => totals!.map((t) => t.div(examples)));
  dispose(totals);
  return means.length === 1 ? means[0] : means;
}

function checkDataset(op: string, name: string, d: DatasetLike): void {
  if (d === null || typeof d !== 'object' || typeof (d as DatasetLike).iterator !== 'function') {
    throw new TypeError(`${op}: ${name} must be a dataset (data.fromArray(...).batch(n), data.zip({ xs, ys }), ...), got ${d === null ? 'null' : Array.isArray(d) ? 'an array' : typeof d}`);
  }
}

function positiveInt(name: string, v: number, op = 'fitDataset'): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${name} must be a positive integer, got ${v}`);
}

function toList(t: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(t) ? t : [t];
}
