/**
 * tfjs's `model.fitDataset(dataset, config)` and `model.evaluateDataset(dataset, config)` on the runtime, with
 * tfjs's loop (tfjs-layers/src/engine/training_dataset.ts) step for step, so a migrated program sees the same
 * batches, logs and callback calls:
 * - without `batchesPerEpoch` each epoch reads a fresh iterator to its end; with it, one iterator runs across
 *   epochs, and an epoch that finds it exhausted warns (tfjs's text), skips validation and training goes on;
 * - an element is `{ xs, ys }` (tfjs's form) or `[xs, ys]` (PyTorch's); its batch size is `xs.shape[0]`; its
 *   tensors are disposed after the step, as tfjs disposes them;
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
  asTensor, checkFunction, checkMetrics, checkModel, checkOptimizer, evaluate, EpochLogs, readValues, trainStep,
  type History, type LossFunction, type OptimizerLike, type Trainable,
} from './fit.js';

/** What fitDataset reads: a `data.IterableDataset` (or anything with tfjs's `iterator()`). */
export interface DatasetLike {
  iterator(): Promise<{ next(): Promise<IteratorResult<unknown, unknown>> }>;
}

export interface FitDatasetOptions {
  /** Required, a positive integer (as tfjs requires). */
  epochs: number;
  /** Batches per epoch; without it an epoch is one pass over the dataset. */
  batchesPerEpoch?: number;
  /** A dataset of `{ xs, ys }`, or `[x, y]` tensors, validated after each epoch. */
  validationData?: DatasetLike | readonly Tensor[];
  /** Batches of a validation dataset to use (default: all of it). */
  validationBatches?: number;
  /** Batch size for `[x, y]` validation tensors. Default 32 (tfjs's). */
  validationBatchSize?: number;
  callbacks?: FitCallbacks | FitCallbacks[];
  /** Default: the model's utils.compile record. */
  loss?: LossFunction;
  optimizer?: OptimizerLike;
  metrics?: Record<string, LossFunction>;
  /** 0: silent (default); 1 or 2: one line per epoch on stderr. */
  verbose?: 0 | 1 | 2;
}

export interface EvaluateDatasetOptions {
  /** Batches to evaluate (default: the whole dataset). */
  batches?: number;
  loss?: LossFunction;
  metrics?: Record<string, LossFunction>;
}

const FIT_DATASET_OPTIONS = ['epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'validationBatchSize', 'callbacks', 'loss', 'optimizer', 'metrics', 'verbose'];

/** `model.fitDataset(dataset, { epochs, ... })`. Returns tfjs's History. */
export async function fitDataset(model: Trainable, dataset: DatasetLike, options: FitDatasetOptions): Promise<History> {
  checkModel('fitDataset', model);
  checkDataset('fitDataset', 'dataset', dataset);
  if (options === null || typeof options !== 'object') throw new TypeError('fitDataset: the 2nd argument (config) is required: { epochs, ... }');
  if ('validationSplit' in options) throw new TypeError('fitDataset: validationSplit is not supported (as in tfjs); give validationData instead');
  for (const k of Object.keys(options)) {
    if (!FIT_DATASET_OPTIONS.includes(k)) throw new TypeError(`fitDataset: unknown option '${k}' (known: ${FIT_DATASET_OPTIONS.join(', ')})`);
  }
  const { loss: lossFn, optimizer, metrics = {}, epochs, batchesPerEpoch, validationData, validationBatches, validationBatchSize = 32, callbacks, verbose = 0 } = withCompiled('fitDataset', model, options, ['loss', 'optimizer']);
  checkFunction('fitDataset', 'loss', lossFn);
  checkOptimizer('fitDataset', optimizer);
  const metricEntries = checkMetrics('fitDataset', metrics);
  if (!Number.isInteger(epochs) || epochs <= 0) throw new RangeError(`fitDataset: epochs must be a positive integer, got ${epochs}`);
  const perEpoch = batchesPerEpoch !== undefined;
  if (perEpoch) positiveInt('batchesPerEpoch', batchesPerEpoch);
  let valTensors: readonly Tensor[] | undefined;
  if (validationData !== undefined) {
    if (Array.isArray(validationData)) {
      if (validationData.length !== 2 || !validationData.every((t) => t instanceof Tensor)) {
        throw new TypeError('fitDataset: validationData must be a dataset of { xs, ys } or [x, y] tensors (sample weights are not supported)');
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
    const epochLogs = new EpochLogs(metricEntries);
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
        const [xs, ys] = element('fitDataset', out.value);
        try {
          const batchLogs: Logs = { batch: steps, size: xs.shape[0] };
          await hooks.call('onBatchBegin', steps, batchLogs);
          model.train();
          Object.assign(batchLogs, (await trainStep('fitDataset', model, lossFn!, optimizer!, metricEntries, xs, ys)).logs);
          epochLogs.add(batchLogs);
          await hooks.call('onBatchEnd', steps, batchLogs);
        } finally {
          dispose([xs, ys]);
        }
        steps++;
      }
      if (perEpoch ? steps >= batchesPerEpoch! : out.done) {
        if (validationData !== undefined) {
          const vals = valTensors
            ? await readValues(toList(evaluate(model, valTensors[0], valTensors[1], { loss: lossFn, metrics, batchSize: validationBatchSize })))
            : await readValues(toList(await evaluateDataset(model, validationData as DatasetLike, { loss: lossFn, metrics, batches: validationBatches })));
          ['loss', ...metricEntries.map(([k]) => k)].forEach((k, i) => (valLogs[`val_${k}`] = vals[i]));
        }
        break;
      }
      if (stopRequested(model)) break;
    }
    // tfjs's BaseLogger puts the epoch's means first (an epoch without batches has none).
    const logs: Logs = { ...(steps > 0 ? epochLogs.means() : {}), ...valLogs };
    fitSteps.history.run(history, epoch, logs);
    if (verbose) process.stderr.write(`Epoch ${epoch + 1} / ${epochs} ${Object.entries(logs).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}\n`);
    await hooks.call('onEpochEnd', epoch, logs);
    // A dataset that ran out under batchesPerEpoch does not end training: tfjs goes on (and warns each epoch).
    if (stopRequested(model)) break;
  }
  await hooks.call('onTrainEnd');
  return history;
}

/**
 * `model.evaluateDataset(dataset, { batches })`: the loss and each metric over the dataset's batches (or the
 * first `batches` of them), each batch weighted by its size, in eval mode under `noGrad`.
 *
 * @returns a scalar tensor, or `[loss, ...metrics]` when there are metrics (tfjs's shape)
 */
export async function evaluateDataset(model: Trainable, dataset: DatasetLike, options: EvaluateDatasetOptions = {}): Promise<Tensor | Tensor[]> {
  checkModel('evaluateDataset', model);
  checkDataset('evaluateDataset', 'dataset', dataset);
  if (options === null || typeof options !== 'object') throw new TypeError('evaluateDataset: options must be an object ({ batches })');
  const { loss: lossFn, metrics = {}, batches } = withCompiled('evaluateDataset', model, options, ['loss']);
  checkFunction('evaluateDataset', 'loss', lossFn);
  const fns = [lossFn!, ...checkMetrics('evaluateDataset', metrics).map(([, fn]) => fn)];
  if (batches !== undefined) positiveInt('batches', batches, 'evaluateDataset');
  const iterator = await dataset.iterator();
  model.eval();
  let totals: Tensor[] | undefined;
  let examples = 0;
  for (let batch = 0; batches === undefined || batch < batches; ) {
    const out = await iterator.next();
    if (out.value != null) {
      const [xs, ys] = element('evaluateDataset', out.value);
      const prev = totals;
      try {
        totals = noGrad(() => tidy(() => {
          const pred = asTensor('evaluateDataset', model.forward(xs));
          return fns.map((fn, i) => {
            const weighted = fn(pred, ys).mul(xs.shape[0]);
            return prev ? prev[i].add(weighted) : weighted;
          });
        }));
      } finally {
        dispose([xs, ys]);
      }
      if (prev) dispose(prev);
      examples += xs.shape[0];
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

/** An element's `(xs, ys)`: `{ xs, ys }` as tfjs requires, or `[xs, ys]`. */
function element(op: string, value: unknown): [Tensor, Tensor] {
  const v = value as { xs?: unknown; ys?: unknown } & unknown[];
  const [xs, ys] = Array.isArray(value) && value.length === 2 ? [v[0], v[1]] : [v.xs, v.ys];
  if (!(xs instanceof Tensor) || !(ys instanceof Tensor)) {
    const what = Array.isArray(value) ? `an array of ${value.length}` : value instanceof Tensor ? 'a Tensor' : typeof value === 'object' ? `an object with keys ${Object.keys(value as object).join(', ') || '(none)'}` : typeof value;
    throw new TypeError(`${op}: the dataset must give elements { xs: Tensor, ys: Tensor } (or [xs, ys]), got ${what} (several inputs or outputs are not supported)`);
  }
  if (xs.ndim === 0 || ys.ndim === 0 || xs.shape[0] !== ys.shape[0]) {
    dispose([xs, ys]);
    throw new RangeError(`${op}: an element's xs and ys must be batches with the same first dimension, got xs [${xs.shape}] and ys [${ys.shape}] (batch the dataset with .batch(n))`);
  }
  return [xs, ys];
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
