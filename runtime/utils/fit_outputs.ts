/**
 * What `utils.fit` minimises on one batch, over all of a model's outputs, with tfjs-layers' semantics
 * (`LayersModel.makeTrainFunction`, `standardizeWeights`, `computeWeightedLoss`):
 *
 *   total = mean_b( Σ_i w_i[b] · l_i[b] )        l_i = loss_i(ŷ_i, y_i) per sample, w_i = classWeight_i[class(y_i)]
 *
 * - one loss per output (`loss: [mse, cce]`), or one loss for every output; the outputs' per-sample losses are
 *   SUMMED, unweighted: tfjs-layers has no loss weights (its compile ignores `lossWeights`, a TODO in its source),
 *   so a migration that weights the outputs trains differently from the original;
 * - classWeight: a sample's weight is `classWeight[argmax(y)]` (y one-hot [batch, classes]; y [batch] or [batch, 1]
 *   holds the class index); the weighted loss is `mean(w · l)`, divided by the batch size, not by `Σ w`; metrics and
 *   validation are unweighted (tfjs weights only the training loss);
 * - logs: `loss` is the total; with several outputs each output's (weighted) mean loss is logged as `<name>_loss`
 *   (tfjs's metricsNames, `<name>` the output layer's name; `outputNames` says them). Validation logs each under its
 *   name too; NOTE: tfjs's own test function returns running totals `[l0, l0 + l1]` then `[l0, l1]` under the names
 *   `[loss, <a>_loss, <b>_loss]`, so tfjs's val logs of a multi-output fit are shifted (val_loss is the first
 *   output's loss); test/fit_outputs.test.ts pins both.
 *
 * - metrics (`metricEntries`): with several outputs, tfjs's collectMetrics: `metrics: { acc: fn }` computes every
 *   metric on every output, `metrics: [{ mse: fn }, null]` (tfjs's dict form `{ reg: 'mse' }`) one object per
 *   output; each is logged as `<name>_<key>` (tfjs's `appendMetric`), output by output, after the `<name>_loss`
 *   keys. A metric is the mean over the batch of what its function returns (a scalar, or one value per sample).
 *
 * A loss function may return the batch mean (a scalar) or the per-sample losses (shape [batch], what tfjs's losses
 * return); class weights need the per-sample losses.
 */
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { fmtShape } from '../shape.js';
import type { LossFunction } from './fit.js';

/** tfjs's `classWeight`: class index → the weight of its samples' loss. */
export type ClassWeight = Record<number, number>;

/** `classWeight` as fit takes it: one ClassWeight (one output), or one (or null) per output, in order or by output name. */
export type ClassWeights = ClassWeight | (ClassWeight | null)[] | Record<string, ClassWeight | null>;

/** Metrics by log key; with several outputs also one object (or null) per output, in the model's output order. */
export type Metrics = Record<string, LossFunction> | (Record<string, LossFunction> | null)[];

/** A metric as the loops compute it: its log key, its function, and the output it reads (0 for one output). */
export type MetricEntry = [key: string, fn: LossFunction, output: number];

export class OutputLosses {
  readonly count: number;
  /** The log keys of the per-output losses (empty for one output, which logs only `loss`). */
  readonly logKeys: string[];
  /** Each output's name in the logs (`outputNames`, else `output1`, ...). */
  readonly names: string[];
  private readonly fns: LossFunction[];
  private readonly weights: (ClassWeight | null)[];
  private tables: (Tensor | null)[] | null = null;

  constructor(private readonly op: string, loss: LossFunction | LossFunction[], count: number, outputNames?: string[], classWeight?: ClassWeights) {
    this.count = count;
    if (Array.isArray(loss)) {
      if (loss.length !== count) throw new RangeError(`${op}: loss is an array of ${loss.length} function(s), but the model has ${count} output(s); give one loss per output (or one function for all)`);
      loss.forEach((fn, i) => checkLoss(op, `loss[${i}]`, fn));
      this.fns = loss;
    } else {
      checkLoss(op, 'loss', loss);
      this.fns = Array.from({ length: count }, () => loss);
    }
    if (outputNames !== undefined && (!Array.isArray(outputNames) || outputNames.length !== count || outputNames.some((n) => typeof n !== 'string'))) {
      throw new TypeError(`${op}: outputNames must be ${count} string(s), one per output (the tfjs output layers' names, for the <name>_loss logs), got ${JSON.stringify(outputNames)}`);
    }
    this.names = Array.from({ length: count }, (_, i) => outputNames?.[i] ?? `output${i + 1}`);
    this.logKeys = count > 1 ? this.names.map((n) => `${n}_loss`) : [];
    this.weights = classWeightsPerOutput(op, classWeight, this.names, outputNames !== undefined);
  }

  /** `metrics` as entries over this model's outputs (tfjs's collectMetrics and metric names; see the header). */
  metricEntries(metrics: Metrics | undefined): MetricEntry[] {
    return metricEntries(this.op, metrics, this.count, this.names);
  }

  get weighted(): boolean {
    return this.weights.some((w) => w !== null);
  }

  /**
   * tfjs's check before training: every class in the targets has a weight. Also builds the per-class weight
   * tables the batches gather from (freed by dispose()).
   */
  async checkClasses(ys: Tensor[]): Promise<void> {
    this.tables = [];
    for (let i = 0; i < this.count; i++) {
      const cw = this.weights[i];
      if (!cw) {
        this.tables.push(null);
        continue;
      }
      const classes = classIndices(this.op, ys[i], i);
      const seen = (await classes.data()) as ArrayLike<number>;
      classes.dispose();
      let max = 0;
      for (const c of Object.keys(cw)) max = Math.max(max, Number(c));
      for (let k = 0; k < seen.length; k++) {
        const c = seen[k];
        if (cw[c] === undefined || cw[c] === null) {
          throw new RangeError(`${this.op}: classWeight${this.count > 1 ? `[${i}]` : ''} must give a weight to every class in the training data; class ${c} is in y${this.count > 1 ? `[${i}]` : ''} but not in classWeight (${JSON.stringify(cw)})`);
        }
        max = Math.max(max, c);
      }
      this.tables.push(tensor(Array.from({ length: max + 1 }, (_, c) => Number(cw[c] ?? 0)), { dtype: 'float32' }).to(ys[i].device));
    }
  }

  /** Frees the class-weight tables. */
  dispose(): void {
    for (const t of this.tables ?? []) t?.dispose();
    this.tables = null;
  }

  /**
   * The batch's total loss and each output's mean loss. `weighted`: apply the class weights (training); the
   * validation pass leaves them out, as tfjs does.
   */
  compute(preds: Tensor[], ys: Tensor[], weighted: boolean): { total: Tensor; perOutput: Tensor[] } {
    if (preds.length !== this.count) throw new RangeError(`${this.op}: model.forward returned ${preds.length} output(s), but ${this.count} target(s) were given; give one y per model output`);
    // One output, unweighted: the loss as the function returns it (a scalar is used as is, so the step is the
    // same tensor ops as `loss(pred, y).backward()`).
    if (this.count === 1 && !(weighted && this.weights[0])) {
      const l = this.fns[0](preds[0], ys[0]);
      checkLossValue(this.op, 'loss', l, preds[0]);
      const total = l.ndim === 0 ? l : l.mean();
      return { total, perOutput: [total] };
    }
    const perSample: Tensor[] = [];
    const perOutput: Tensor[] = [];
    preds.forEach((pred, i) => {
      let l = this.fns[i](pred, ys[i]);
      checkLossValue(this.op, this.count > 1 ? `loss[${i}]` : 'loss', l, pred);
      const table = weighted ? this.tables?.[i] : null;
      if (weighted && this.weights[i] && !table) throw new Error(`${this.op}: class weights were given but not checked against the data (call checkClasses first)`);
      if (table) {
        if (l.ndim !== 1) throw new RangeError(`${this.op}: classWeight needs the loss per sample, but loss${this.count > 1 ? `[${i}]` : ''} returned a scalar; return the per-sample losses (shape [batch], e.g. without the final .mean())`);
        l = l.mul(table.indexSelect(0, classIndices(this.op, ys[i], i)));
      }
      perSample.push(l);
      perOutput.push(l.ndim === 0 ? l : l.mean());
    });
    // tfjs sums the outputs' per-sample losses and then takes the mean; a scalar loss can only be added as a mean.
    const total = perSample.every((l) => l.ndim === 1)
      ? perSample.slice(1).reduce((a, b) => a.add(b), perSample[0]).mean()
      : perOutput.slice(1).reduce((a, b) => a.add(b), perOutput[0]);
    return { total, perOutput };
  }
  /**
   * tfjs's test function over one batch (what its `evaluate` and `evaluateDataset` return, unweighted): the running
   * totals `[l1, l1 + l2, ...]`, then, with several outputs, each output's mean loss `[l1, l2, ...]`.
   */
  testValues(preds: Tensor[], ys: Tensor[]): Tensor[] {
    const { perOutput } = this.compute(preds, ys, false);
    const running: Tensor[] = [];
    for (const l of perOutput) running.push(running.length ? running[running.length - 1].add(l) : l);
    return this.count > 1 ? [...running, ...perOutput] : running;
  }

  /**
   * Validation logs from tfjs's test-function list (`testValues`' layout, then the metrics): `loss` the total (the
   * last running total), each output's loss under its `<name>_loss`, then the metrics, each under its own name.
   */
  namedTestLogs(values: readonly number[], metricKeys: readonly string[]): Record<string, number> {
    const n = this.count;
    const logs: Record<string, number> = { loss: values[n - 1] };
    this.logKeys.forEach((k, i) => (logs[k] = values[n + i]));
    const first = n > 1 ? 2 * n : 1;
    metricKeys.forEach((k, i) => (logs[k] = values[first + i]));
    return logs;
  }
}

/**
 * `metrics` as `[key, fn, output]` entries: one output, `{ key: fn }` as is; several, every metric of a plain
 * object on every output, or per output from an array, each keyed `<name>_<key>` (tfjs's order: output by output).
 */
export function metricEntries(op: string, metrics: Metrics | undefined, count: number, names?: readonly string[]): MetricEntry[] {
  if (metrics === undefined || metrics === null) return [];
  const perOutput: (Record<string, LossFunction> | null)[] = Array.isArray(metrics) ? metrics : Array.from({ length: count }, () => metrics);
  if (Array.isArray(metrics) && metrics.length !== count) {
    throw new RangeError(`${op}: metrics is an array of ${metrics.length} object(s), but the model has ${count} output(s); give one object of metrics (or null) per output, or one object for every output`);
  }
  const entries: MetricEntry[] = [];
  perOutput.forEach((m, i) => {
    const where = Array.isArray(metrics) ? `metrics[${i}]` : 'metrics';
    if (m === null || m === undefined) return;
    if (typeof m !== 'object' || Array.isArray(m)) {
      throw new TypeError(`${op}: ${where} must be an object of functions by log key ({ acc: accuracyFn })${count > 1 ? ', or an array with one such object (or null) per output' : ''}, got ${Array.isArray(m) ? 'an array' : typeof m}`);
    }
    for (const [k, fn] of Object.entries(m)) {
      if (k === 'loss' || k.startsWith('val_') || k === 'batch' || k === 'size') throw new RangeError(`${op}: metric key '${k}' clashes with a log key of fit's own`);
      if (typeof fn !== 'function') throw new TypeError(`${op}: ${where}.${k} must be a function (yPred, yTrue) => scalar Tensor, got ${typeof fn}`);
      entries.push([count > 1 ? `${names?.[i] ?? `output${i + 1}`}_${k}` : k, fn, i]);
    }
  });
  const keys = entries.map(([k]) => k);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i || (count > 1 && (names ?? []).some((n) => `${n}_loss` === k)));
  if (twice !== undefined) throw new RangeError(`${op}: two logs would be named '${twice}'; give the metrics distinct keys`);
  return entries;
}

/** A metric's value on a batch: the mean of what it returns (tfjs takes `mean(metric(yTrue, yPred))`). */
export function metricValue(entry: MetricEntry, preds: readonly Tensor[], ys: readonly Tensor[]): Tensor {
  const [key, fn, output] = entry;
  const v = fn(preds[output], ys[output]);
  if (!(v instanceof Tensor)) throw new TypeError(`metric '${key}' must return a Tensor, got ${typeof v}`);
  return v.ndim === 0 ? v : v.mean();
}

function checkLoss(op: string, name: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${op}: ${name} must be a function (yPred, yTrue) => scalar Tensor (or per-sample losses [batch]), got ${typeof fn}`);
}

function checkLossValue(op: string, name: string, l: unknown, pred: Tensor): void {
  if (!(l instanceof Tensor)) throw new TypeError(`${op}: ${name} must return a Tensor, got ${typeof l}`);
  if (l.ndim === 0 || (l.ndim === 1 && l.shape[0] === pred.shape[0])) return;
  throw new RangeError(`${op}: ${name} returned shape ${fmtShape(l.shape)}; a loss returns a scalar (the batch mean) or one value per sample (shape [${pred.shape[0]}])`);
}

/** The class index of each sample, as tfjs's standardizeWeights reads it from the targets. */
function classIndices(op: string, y: Tensor, output: number): Tensor {
  const name = output > 0 ? `y[${output}]` : 'y';
  if (y.ndim === 1) return y.to('int32');
  if (y.ndim === 2 && y.shape[1] > 1) return y.argmax(1);
  if (y.ndim === 2 && y.shape[1] === 1) return y.reshape([y.shape[0]]).to('int32');
  throw new RangeError(`${op}: classWeight needs ${name} as class indices ([batch] or [batch, 1]) or one-hot ([batch, classes]), got shape ${fmtShape(y.shape)}`);
}

/**
 * tfjs's standardizeClassWeights: one object for a one-output model (or one keyed by its output's name), else an
 * array with one entry per output, or an object keyed by output names (an output it does not name is unweighted,
 * and a key naming no output is ignored, as tfjs does). The keyed form needs the outputs' tfjs names (`outputNames`):
 * without them no key could match, and every weight would be dropped without a word.
 */
function classWeightsPerOutput(op: string, cw: ClassWeights | undefined, names: readonly string[], named: boolean): (ClassWeight | null)[] {
  const count = names.length;
  if (cw === undefined || cw === null || (Array.isArray(cw) && cw.length === 0)) return Array.from({ length: count }, () => null);
  const check = (w: unknown, where: string): ClassWeight | null => {
    if (w === null || w === undefined) return null;
    if (typeof w !== 'object' || Array.isArray(w)) throw new TypeError(`${op}: ${where} must be an object of weights by class index ({ 0: 1, 1: 5 }), got ${JSON.stringify(w)}`);
    for (const [k, v] of Object.entries(w)) {
      if (!/^\d+$/.test(k) || typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${op}: ${where} maps class indices to finite numbers; '${k}': ${JSON.stringify(v)} is not one`);
    }
    return w as ClassWeight;
  };
  if (Array.isArray(cw)) {
    if (cw.length !== count) throw new RangeError(`${op}: classWeight is an array of ${cw.length} element(s), but the model has ${count} output(s); give one (or null) per output`);
    return cw.map((w, i) => check(w, `classWeight[${i}]`));
  }
  const byName = cw as Record<string, unknown>;
  if (count === 1) return [check(named && names[0] in byName ? byName[names[0]] : cw, 'classWeight')];
  const first = Object.keys(byName)[0];
  if (first === undefined || typeof byName[first] !== 'object') throw new TypeError(`${op}: the model has ${count} outputs, so classWeight must be an array with one object (or null) per output, or an object of them by output name`);
  if (!named) throw new TypeError(`${op}: classWeight is keyed by output name (${Object.keys(byName).join(', ')}), but the outputs' names are not known here; pass outputNames (tfjs's output layer names, in order) or an array with one object (or null) per output`);
  return names.map((n) => check(n in byName ? byName[n] : null, `classWeight.${n}`));
}
