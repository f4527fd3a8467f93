/**
 * The reference probe's fit with several inputs or outputs and with classWeight (probe_tfjs.ts calls these): what
 * tfjs-layers' fit does with them, made explicit so the probe's step computes the same numbers.
 *
 * - `fit([x1, x2], [y1, y2])`: one tensor per model input and output, in the model's order (a dict by name is read
 *   in `model.inputNames` / `model.outputNames` order, as tfjs's standardizeInputData does).
 * - classWeight: a training sample's weight is `classWeight[class]`, the class read from its target (argmax of a
 *   one-hot row, or the index itself): tfjs's standardizeWeights, over the training targets.
 * - validation logs of a multi-output model: tfjs's test function returns running totals, then the per-output
 *   losses, under names that do not line up (see validationLogs); the probe logs each under its own name.
 */
import * as tf from '@tensorflow/tfjs';

export { evaluationNames } from './trace_meta.js';

type Data = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

/** The fit's inputs and targets as lists in the model's order; anything else is an error naming what was given. */
export function fitInputs(model: tf.LayersModel, x: unknown, y: unknown): { xs: tf.Tensor[]; ys: tf.Tensor[] } {
  return { xs: asList(x as Data, model.inputNames, 'x', 'input'), ys: asList(y as Data, model.outputNames, 'y', 'output') };
}

function asList(d: Data, names: string[], arg: string, what: string): tf.Tensor[] {
  const list = d instanceof tf.Tensor ? [d] : Array.isArray(d) ? d : d && typeof d === 'object' ? names.map((n) => (d as Record<string, tf.Tensor>)[n]) : [];
  if (list.length !== names.length || !list.every((t) => t instanceof tf.Tensor)) {
    const got = d instanceof tf.Tensor ? 'one Tensor' : Array.isArray(d) ? `an array of ${d.length}` : d && typeof d === 'object' ? `an object with keys ${Object.keys(d).join(', ')}` : typeof d;
    throw new Error(`torchbridge diff: model.fit's ${arg} must be one Tensor per model ${what} (${names.join(', ')}), got ${got}`);
  }
  return list;
}

type ClassWeight = Record<number, number>;

/** Per output, each training sample's class weight (null: that output is unweighted). */
export async function classSampleWeights(model: tf.LayersModel, ys: tf.Tensor[], classWeight: unknown): Promise<(tf.Tensor1D | null)[]> {
  const perOutput: (ClassWeight | null)[] = ys.length === 1
    ? [Array.isArray(classWeight) ? (classWeight[0] as ClassWeight) : ((classWeight as Record<string, ClassWeight>)[model.outputNames[0]] ?? (classWeight as ClassWeight))]
    : Array.isArray(classWeight)
      ? (classWeight as ClassWeight[])
      : model.outputNames.map((n) => (classWeight as Record<string, ClassWeight>)[n] ?? null);
  const out: (tf.Tensor1D | null)[] = [];
  for (let i = 0; i < ys.length; i++) {
    const cw = perOutput[i];
    if (!cw) {
      out.push(null);
      continue;
    }
    const y = ys[i];
    const classes = tf.tidy(() => (y.rank === 1 ? y.clone() : y.rank === 2 && y.shape[1]! > 1 ? tf.argMax(y, 1) : y.reshape([y.shape[0]])));
    const idx = Array.from(await classes.data());
    classes.dispose();
    out.push(tf.tensor1d(idx.map((c) => {
      if (cw[c] === undefined || cw[c] === null) throw new Error(`classWeight must contain all classes in the training data. The class ${c} exists in the data but not in classWeight`);
      return cw[c];
    }), 'float32'));
  }
  return out;
}

const SHIFT_NOTE = "tfjs's own model.fit logs a multi-output model's validation losses shifted (its test function returns running totals [l0, l0 + l1, ...] then each output's loss, under the names [loss, <output>_loss, ...]); the reference's val_* logs here are each under its own name";

/**
 * `val_*` logs from `model.evaluate`'s results. One output: results and names line up. Several (n) outputs: tfjs's
 * test function returns n running totals, then the metrics (the n per-output losses first), while the names are
 * `loss`, the n `<output>_loss`, then the other metrics: the total is result n - 1, output i's loss result n + i,
 * metric j result 2n + j.
 */
export function validationLogs(names: string[], values: number[], outputs: number, notes: string[]): Record<string, number> {
  const logs: Record<string, number> = {};
  if (outputs === 1) {
    names.forEach((k, i) => (logs[`val_${k}`] = values[i]));
    return logs;
  }
  if (!notes.includes(SHIFT_NOTE)) notes.push(SHIFT_NOTE);
  logs.val_loss = values[outputs - 1];
  names.slice(1).forEach((k, j) => (logs[`val_${k}`] = values[outputs + j]));
  return logs;
}

