/**
 * A dataset element as fitDataset / evaluateDataset read it: tfjs's `standardizeDataIteratorOutput`
 * (tfjs-layers/src/engine/training_dataset.ts). An element is `{ xs, ys }` (tfjs's form) or `[xs, ys]` (PyTorch's);
 * `xs` and `ys` are each a Tensor, an array of Tensors (one per model input/output, in order), or an object keyed
 * by the tfjs input/output layer names. The runtime's model has no layer names, so an object is read in the order
 * the caller's `inputNames` / `outputNames` give; without them it is an error naming the option, not a guess at the
 * object's key order.
 *
 * The first element fixes how many inputs and outputs there are; a later element with a different count is an
 * error (tfjs checks each against the model's inputs and outputs).
 */
import { Tensor } from '../tensor.js';
import { dispose } from '../memory.js';

export class ElementReader {
  private counts: [number, number] | undefined;

  constructor(private readonly op: string, private readonly inputNames?: readonly string[], private readonly outputNames?: readonly string[]) {
    checkNames(op, 'inputNames', inputNames);
    checkNames(op, 'outputNames', outputNames);
    if (inputNames && outputNames) this.counts = [inputNames.length, outputNames.length];
  }

  /** The element's inputs and targets, each a batch with the same first dimension. */
  read(value: unknown): { xs: Tensor[]; ys: Tensor[] } {
    const v = value as { xs?: unknown; ys?: unknown } & unknown[];
    const [x, y] = Array.isArray(value) && value.length === 2 ? [v[0], v[1]] : value !== null && typeof value === 'object' && !(value instanceof Tensor) ? [v.xs, v.ys] : [undefined, undefined];
    if (x == null || y == null) {
      const what = Array.isArray(value) ? `an array of ${value.length}` : value instanceof Tensor ? 'a Tensor' : value !== null && typeof value === 'object' ? `an object with keys ${Object.keys(value as object).join(', ') || '(none)'}` : typeof value;
      throw new TypeError(`${this.op}: the dataset must give elements { xs, ys } (or [xs, ys]), each a Tensor, an array of Tensors (one per model input/output) or an object of Tensors by layer name; got ${what}`);
    }
    const xs = this.flatten(x, 'xs', 'input', this.inputNames);
    const ys = this.flatten(y, 'ys', 'output', this.outputNames);
    const all = [...xs, ...ys];
    const bad = all.findIndex((t) => t.ndim === 0 || t.shape[0] !== xs[0].shape[0]);
    if (bad >= 0) {
      dispose(all);
      throw new RangeError(`${this.op}: an element's xs and ys must be batches with the same first dimension, got ${describe(xs, 'xs')} and ${describe(ys, 'ys')} (batch the dataset with .batch(n))`);
    }
    this.counts ??= [xs.length, ys.length];
    if (this.counts[0] !== xs.length || this.counts[1] !== ys.length) {
      dispose(all);
      throw new RangeError(`${this.op}: an element has ${xs.length} input(s) and ${ys.length} target(s), but the dataset's first had ${this.counts[0]} and ${this.counts[1]}; every element must hold one per model input and output`);
    }
    return { xs, ys };
  }

  private flatten(value: unknown, key: string, what: string, names: readonly string[] | undefined): Tensor[] {
    if (value instanceof Tensor) {
      if (names && names.length !== 1) throw new RangeError(`${this.op}: an element's ${key} is one Tensor, but ${what}Names gives ${names.length} (${names.join(', ')}); give an array or an object with one Tensor per model ${what}`);
      return [value];
    }
    if (Array.isArray(value)) {
      if (!value.length || !value.every((t) => t instanceof Tensor)) throw new TypeError(`${this.op}: an element's ${key} is an array that is not all Tensors (${value.map((t) => (t instanceof Tensor ? 'Tensor' : typeof t)).join(', ') || 'empty'}); give one Tensor per model ${what}`);
      if (names && value.length !== names.length) throw new RangeError(`${this.op}: an element's ${key} has ${value.length} Tensor(s), but ${what}Names gives ${names.length} (${names.join(', ')})`);
      return value as Tensor[];
    }
    if (value === null || typeof value !== 'object') throw new TypeError(`${this.op}: an element's ${key} must be a Tensor, an array of Tensors or an object of Tensors by ${what} name, got ${typeof value}`);
    const keys = Object.keys(value);
    if (!names) throw new TypeError(`${this.op}: an element's ${key} is an object keyed by ${what} name (${keys.join(', ')}); give options.${what}Names, the model's ${what} layer names in order, so each Tensor goes to its ${what}`);
    return names.map((n) => {
      const t = (value as Record<string, unknown>)[n];
      if (!(t instanceof Tensor)) throw new TypeError(`${this.op}: an element's ${key} lacks the ${what} key '${n}' (it has ${keys.join(', ') || 'none'})`);
      return t;
    });
  }
}

function checkNames(op: string, option: string, names: readonly string[] | undefined): void {
  if (names === undefined) return;
  if (!Array.isArray(names) || !names.length || names.some((n) => typeof n !== 'string')) throw new TypeError(`${op}: ${option} must be an array of strings (layer names in order), got ${JSON.stringify(names)}`);
}

function describe(ts: Tensor[], key: string): string {
  return ts.length === 1 ? `${key} [${ts[0].shape}]` : `${key} ${ts.map((t) => `[${t.shape}]`).join(', ')}`;
}
