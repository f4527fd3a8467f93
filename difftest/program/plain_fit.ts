/**
 * The candidate's overhead baseline (`torchbridge diff --measure-plain`): the runtime's own `utils.fit`, unprobed,
 * for as many epochs and steps as the probed run trains (--epochs / --steps), so the two wall times compare like
 * for like. utils.fit has no early stop, so a --steps cap ends inside an epoch by fitting that last epoch on a
 * prefix of the training samples (the same number of batches; the timing is what matters here, not which
 * samples); the program's validation set (a validationSplit's tail) stays what it was. Several inputs or outputs
 * are cut alike, every tensor the same prefix.
 */
import type { Tensor } from '../../runtime/tensor.js';
import * as utils from '../../runtime/utils/index.js';
import type { FitOptions, Trainable } from '../../runtime/utils/fit.js';

export async function plainFit(model: Trainable, x: Tensor | Tensor[], y: Tensor | Tensor[], options: FitOptions, limits: { epochs?: number; steps?: number }): Promise<utils.History> {
  const epochs = limits.epochs ?? options.epochs ?? 1;
  if (limits.steps === undefined) return utils.fit(model, x, y, { ...options, epochs });
  const xs = Array.isArray(x) ? x : [x];
  const ys = Array.isArray(y) ? y : [y];
  const first = xs[0];
  const batchSize = options.batchSize ?? 32;
  const nTrain = first.shape[0] - (options.validationSplit !== undefined ? Math.floor(first.shape[0] * options.validationSplit) : 0);
  const perEpoch = Math.ceil(nTrain / batchSize);
  // One tensor stays one tensor (utils.fit's one-input form), several stay a list.
  const like = (orig: Tensor | Tensor[], ts: Tensor[]) => (Array.isArray(orig) ? ts : ts[0]);
  const history: utils.History = { epoch: [], history: {} };
  for (let epoch = 0, done = 0; epoch < epochs && done < limits.steps; epoch++) {
    const batches = Math.min(perEpoch, limits.steps - done);
    let [ex, ey] = [x, y];
    let opts: FitOptions = { ...options, epochs: 1 };
    if (batches < perEpoch) {
      const n = batches * batchSize;
      [ex, ey] = [like(x, xs.map((t) => t.narrow(0, 0, n))), like(y, ys.map((t) => t.narrow(0, 0, n)))];
      // The validation split would otherwise be taken from the prefix; keep the program's validation set.
      if (options.validationSplit !== undefined) {
        const numVal = first.shape[0] - nTrain;
        const tail = (ts: Tensor[]) => ts.map((t) => t.narrow(0, nTrain, numVal));
        opts = { ...opts, validationSplit: undefined, validationData: [like(x, tail(xs)), like(y, tail(ys))] };
      }
    }
    const h = await utils.fit(model, ex, ey, opts);
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(h.history)) (history.history[k] ??= []).push(...v);
    done += batches;
  }
  return history;
}
