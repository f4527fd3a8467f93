/**
 * tfjs's `model.fit`, described once, step by step. Each step holds its semantics twice, side by side, so they
 * change together: `run`, what `utils.fit` (fit.ts) executes, and `code`, what `torchbridge migrate --fit loop`
 * writes into the user's program (transpiler/rules/fit_loop.ts hands `writeFitLoop` the program's names).
 * `writeFitLoop` composes the steps in fit's order; test/transpiler/fit_loop_equivalence.test.ts runs a program
 * migrated both ways and checks bit-identical parameters and logs.
 *
 * Only types are imported here: the transpiler loads this file, and must not load the runtime with it. A step
 * that needs a runtime function gets it through `RuntimeParts`, named as the written code names it (`data.*`).
 */
import type { Tensor } from '../tensor.js';
import type { DataLoader } from '../data/dataloader.js';
import type { TensorDataset } from '../data/dataset.js';

/** The runtime functions the steps' `run` forms call (fit.ts supplies them), by the namespace the code uses. */
export interface RuntimeParts {
  data: { DataLoader: typeof DataLoader; TensorDataset: typeof TensorDataset };
}

/** What the steps run on: a module with train/eval, an optimizer, a loss `(yPred, yTrue) => scalar`. */
interface Model { train(mode?: boolean): unknown }
interface Optimizer { zeroGrad(): void; step(): unknown }
type Loss = (yPred: Tensor, yTrue: Tensor) => Tensor;

/** The program's names for what fit works on, as source text (the written loop's inputs). */
export interface LoopNames {
  model: string;
  x: string;
  y: string;
  loss: string;
  optimizer: string;
  metrics: readonly { key: string; fn: string }[];
  /** Source text of the options; absent → tfjs's defaults (batch size 32, 1 epoch, shuffled). */
  batchSize?: string;
  /** `epochs` as written, parenthesised by the caller where it is not a simple expression. */
  epochs?: string;
  shuffle?: string;
  validationSplit?: string;
  /** `[valX, valY]` written as an array literal of two, else the expression that holds the pair. */
  validationData?: { pair?: readonly [string, string]; text: string };
  /** The callbacks object literal and the hooks it defines (LOOP_CALLBACKS keys only). */
  callbacks?: { text: string; hooks: readonly string[] };
  /** `const history = await model.fit(...)`: the History object to fill. */
  history?: { name: string; kw: string };
  /** Callbacks are awaited (the fit sits where `await` is allowed). */
  await: boolean;
  /** The file is TypeScript: declarations get types. */
  typed: boolean;
  /** Batch through data.DataLoader; false where a user's `data` shadows the namespace (batched by hand then). */
  loader: boolean;
  /** The indentation of the statement the loop replaces. */
  indent: string;
}

/** The callbacks the written loop calls, with the types a TypeScript file declares them with. */
export const LOOP_CALLBACKS: Record<string, string> = {
  onTrainBegin: '() => unknown', onTrainEnd: '() => unknown', onEpochBegin: '(epoch: number) => unknown',
  onEpochEnd: '(epoch: number, logs: Record<string, number>) => unknown', onBatchBegin: '(batch: number) => unknown',
  onBatchEnd: '(batch: number, logs: Record<string, number>) => unknown', onYield: '() => unknown',
};

/**
 * tfjs's `validationSplit`: the LAST `fraction` of the samples, taken before any shuffling, validate; the rest
 * train. `numVal = floor(n · fraction)`. The tensors are views (narrow) of x and y.
 */
export const validationSplit = {
  /** Any number of tensors (a multi-input or multi-output fit's `[...xs, ...ys]`), split alike. */
  run(tensors: readonly Tensor[], fraction: number, op: string): { train: Tensor[]; val: Tensor[] } {
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
      throw new RangeError(`${op}: validationSplit must be a number in (0, 1), got ${fraction}`);
    }
    const n = tensors[0].shape[0];
    const numVal = Math.floor(n * fraction);
    const numTrain = n - numVal;
    if (numVal === 0 || numTrain === 0) {
      throw new RangeError(`${op}: validationSplit ${fraction} of ${n} samples leaves ${numVal === 0 ? 'no validation' : 'no training'} samples`);
    }
    return { train: tensors.map((t) => t.narrow(0, 0, numTrain)), val: tensors.map((t) => t.narrow(0, numTrain, numVal)) };
  },
  code: (fraction: string): string[] => [
    `// validationSplit: tfjs validates on the last samples, taken before shuffling`,
    `const numVal = Math.floor(fitX.shape[0] * ${fraction});`,
    `const numTrain = fitX.shape[0] - numVal;`,
    `const trainX = fitX.narrow(0, 0, numTrain);`,
    `const trainY = fitY.narrow(0, 0, numTrain);`,
    `const valX = fitX.narrow(0, numTrain, numVal);`,
    `const valY = fitY.narrow(0, numTrain, numVal);`,
  ],
};

/**
 * The batches of an epoch: a DataLoader over the training samples, reshuffled every epoch when `shuffle` (tfjs
 * shuffles each epoch too). Written by hand — a randperm (or arange) and indexSelect — where the program's `data`
 * shadows the runtime's namespace: shuffled each epoch as well, but not with the DataLoader's draws (its own
 * Fisher–Yates), so that form's batch order differs from utils.fit's under the same seed.
 */
export const batches = {
  /** Over `[...xs, ...ys]`: each batch holds every tensor's rows of the same samples. */
  run: ({ data }: RuntimeParts, tensors: readonly Tensor[], batchSize: number, shuffle: boolean): DataLoader =>
    new data.DataLoader(new data.TensorDataset(...tensors), { batchSize, shuffle }),
  code: (n: LoopNames, x: string, y: string): string[] => n.loader
    ? [`const loader = new data.DataLoader(new data.TensorDataset(${x}, ${y}), { batchSize: ${batchSizeOf(n)}, shuffle: ${shuffleOf(n)} });`]
    : [`const numSamples = ${x}.shape[0];`, `const batchSize = ${batchSizeOf(n)};`],
  loopCode: (n: LoopNames, x: string, y: string): { head: string; body: string[] } => n.loader
    ? { head: `for (const [batchX, batchY] of loader) {`, body: [] }
    : {
        head: `for (let start = 0; start < numSamples; start += batchSize) {`,
        body: [`const idx = order.narrow(0, start, Math.min(batchSize, numSamples - start));`, `const batchX = ${x}.indexSelect(0, idx);`, `const batchY = ${y}.indexSelect(0, idx);`],
      },
  /** Before the hand-written batch loop, each epoch: the order of the samples. */
  orderCode: (n: LoopNames): string => `const order = ${shuffleOf(n) === 'false' ? 'torch.arange(numSamples)' : 'torch.randperm(numSamples)'};`,
};

/** An epoch begins in training mode (PyTorch's `model.train()`; tfjs's fit sets its learning phase). */
export const epochBegin = {
  run: (model: Model): void => void model.train(),
  code: (n: LoopNames): string => `${n.model}.train();`,
};

/**
 * One gradient step: forward, loss, zeroGrad, backward, step, in that order (tfjs's fit computes the loss, its
 * gradients, then applies them). `between` runs after backward and before the optimizer's step.
 */
export const step = {
  /** `forward()` the predictions, `loss(pred)` the scalar minimised (a multi-output fit's sum). */
  run<P, T>(forward: () => P, loss: (pred: P) => Tensor, optimizer: Optimizer, between: () => T): { pred: P; loss: Tensor; between: T } {
    const pred = forward();
    const value = loss(pred);
    optimizer.zeroGrad();
    value.backward();
    const kept = between();
    optimizer.step();
    return { pred, loss: value, between: kept };
  },
  code: (n: LoopNames): string[] => [
    `const pred = ${n.model}.forward(batchX);`,
    `const loss = ${n.loss}(pred, batchY);`,
    `${n.optimizer}.zeroGrad();`,
    `loss.backward();`,
    `${n.optimizer}.step();`,
  ],
};

/** A batch's logs: its size, its loss, each metric on the detached predictions (no gradient flows through one). */
export const batchLogs = {
  /** `[loss, ...outputLosses, ...metrics]`; a multi-output fit's metrics are on its first output, as tfjs's. */
  run: (loss: Tensor, outputLosses: readonly Tensor[], pred: Tensor, y: Tensor, metrics: readonly [string, Loss][]): Tensor[] => {
    const detached = pred.detach();
    return [loss.detach(), ...outputLosses, ...metrics.map(([, fn]) => fn(detached, y))];
  },
  code: (n: LoopNames): string[] => [
    `const size = batchX.shape[0];`,
    `const batchLoss = loss.item();`,
    ...n.metrics.map((m) => `const batch${cap(m.key)} = ${m.fn}(pred.detach(), batchY).item();`),
  ],
  /** The logs object tfjs hands onBatchEnd. */
  logsCode: (n: LoopNames): string => `{ batch, size, loss: batchLoss${n.metrics.map((m) => `, ${m.key}: batch${cap(m.key)}`).join('')} }`,
};

/** An epoch's logs as tfjs's BaseLogger makes them: each key's mean over the batches, weighted by batch size. */
export class EpochLogs {
  private readonly sums = new Map<string, number>();
  private seen = 0;

  /** `outputKeys`: a multi-output fit's `<name>_loss` keys (logged after `loss`, before the metrics, as tfjs's). */
  constructor(metricEntries: readonly [string, unknown][], outputKeys: readonly string[] = []) {
    for (const k of ['loss', ...outputKeys, ...metricEntries.map(([k]) => k)]) this.sums.set(k, 0);
  }

  add(logs: Record<string, number>): void {
    const size = logs.size;
    for (const k of this.sums.keys()) this.sums.set(k, this.sums.get(k)! + logs[k] * size);
    this.seen += size;
  }

  means(): Record<string, number> {
    const logs: Record<string, number> = {};
    for (const [k, s] of this.sums) logs[k] = s / this.seen;
    return logs;
  }

  /** The written loop's form of the class: sums declared per epoch, added per batch, divided at the end. */
  static code = {
    declare: (n: LoopNames): string[] => ['let lossSum = 0;', ...n.metrics.map((m) => `let ${m.key}Sum = 0;`), 'let seen = 0;'],
    add: (n: LoopNames): string[] => ['lossSum += batchLoss * size;', ...n.metrics.map((m) => `${m.key}Sum += batch${cap(m.key)} * size;`), 'seen += size;'],
    means: (n: LoopNames): string => `{ loss: lossSum / seen${n.metrics.map((m) => `, ${m.key}: ${m.key}Sum / seen`).join('')} }`,
  };
}

/**
 * Validation after each epoch, in eval mode without gradients, under `val_<key>`. utils.fit evaluates in batches
 * of batchSize weighted by size, as tfjs does (memory stays bounded); the written loop in one forward. The means
 * agree to float rounding.
 */
export const validate = {
  code: (n: LoopNames): string[] => [
    `torch.noGrad(() => {`,
    `  ${n.model}.eval();`,
    `  const valPred = ${n.model}.forward(valX);`,
    `  logs.val_loss = ${n.loss}(valPred, valY).item();`,
    ...n.metrics.map((m) => `  logs.val_${m.key} = ${m.fn}(valPred, valY).item();`),
    `});`,
  ],
};

/**
 * tfjs's `model.stopTraining`: reset when fit starts; a callback sets it to end the fit, read after each batch's
 * onBatchEnd and each epoch's onEpochEnd. tfjs validates in the epoch's last batch, so a stop in an earlier batch
 * skips the epoch's validation (all samples seen ⇔ the last batch ran). The written loop reads it wherever it has
 * callbacks: any of them may set it, directly or through a function it calls.
 */
export const stop = {
  run: (model: object): boolean => (model as { stopTraining?: boolean }).stopTraining === true,
  resetCode: (n: LoopNames): string => `${n.model}.stopTraining = false; // a callback may set it to end the fit (tfjs's model.stopTraining)`,
  code: (n: LoopNames): string => `if (${n.model}.stopTraining) break;`,
  /** The condition validation runs under: the epoch's last batch ran. */
  validateCode: (x: string): string => `if (seen === ${x}.shape[0]) `,
};

/** tfjs's History: one number per epoch under each log key. */
export const history = {
  run(h: { epoch: number[]; history: Record<string, number[]> }, epoch: number, logs: Record<string, number>): void {
    h.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (h.history[k] ??= []).push(v);
  },
  code: (name: string): string => `for (const [key, value] of Object.entries(logs)) (${name}.history[key] ??= []).push(value);`,
};

/**
 * The explicit training loop for `model.fit(x, y, options)`: the steps above in fit's order, callbacks called
 * where fit calls them. Returns the statements, the first without indentation.
 */
export function writeFitLoop(n: LoopNames): string {
  const ind = n.indent;
  const [i1, i2, i3] = [`${ind}  `, `${ind}    `, `${ind}      `];
  const lines: string[] = [];
  const L = (indent: string, ...ss: (string | null)[]) => { for (const s of ss) if (s !== null) lines.push(`${indent}${s}`); };
  const hook = (name: string, args: string) => (n.callbacks?.hooks.includes(name) ? `${n.await ? 'await ' : ''}callbacks.${name}?.(${args});` : null);

  if (n.history) L('', `${n.history.kw} ${n.history.name} = { history: {}${n.typed ? ' as Record<string, number[]>' : ''} };`);
  L(n.history ? ind : '', '{');
  const described = [n.batchSize ? `batch size ${n.batchSize}` : 'batch size 32 (tfjs default)', `${n.epochs ?? 1} epoch(s)`,
    n.validationSplit ? `validation split ${n.validationSplit}` : n.validationData ? 'validation data' : ''].filter(Boolean).join(', ');
  L(i1, `// model.fit as an explicit training loop: ${described}`, `const fitX = ${n.x};`, `const fitY = ${n.y};`);
  let [trainX, trainY] = ['fitX', 'fitY'];
  if (n.validationSplit) {
    L(i1, ...validationSplit.code(n.validationSplit));
    [trainX, trainY] = ['trainX', 'trainY'];
  } else if (n.validationData) {
    const vd = n.validationData;
    L(i1, ...(vd.pair ? [`const valX = ${vd.pair[0]};`, `const valY = ${vd.pair[1]};`] : [`const [valX, valY] = ${vd.text};`]));
  }
  const hasVal = !!(n.validationSplit || n.validationData);
  L(i1, ...batches.code(n, trainX, trainY));
  if (n.callbacks) {
    const sig = n.callbacks.hooks.map((k) => `${k}?: ${LOOP_CALLBACKS[k]}`).join('; ');
    L(i1, `const callbacks${n.typed ? `: { ${sig} }` : ''} = ${n.callbacks.text};`);
  }
  const stops = !!n.callbacks;
  if (stops) L(i1, stop.resetCode(n));
  L(i1, hook('onTrainBegin', ''));
  L(i1, `for (let epoch = 0; epoch < ${n.epochs ?? 1}; epoch++) {`);
  L(i2, hook('onEpochBegin', 'epoch'), epochBegin.code(n), ...EpochLogs.code.declare(n));
  const batchCallbacks = !!n.callbacks?.hooks.some((k) => k === 'onBatchBegin' || k === 'onBatchEnd');
  if (batchCallbacks) L(i2, 'let batch = 0;');
  const loop = batches.loopCode(n, trainX, trainY);
  if (!n.loader) L(i2, batches.orderCode(n));
  L(i2, loop.head);
  L(i3, ...loop.body, hook('onBatchBegin', 'batch'), ...step.code(n), ...batchLogs.code(n), ...EpochLogs.code.add(n));
  L(i3, hook('onBatchEnd', `batch, ${batchLogs.logsCode(n)}`));
  if (batchCallbacks) L(i3, 'batch++;');
  if (stops) L(i3, stop.code(n));
  L(i2, '}');
  const needLogs = hasVal || !!n.history || !!n.callbacks?.hooks.includes('onEpochEnd');
  const means = EpochLogs.code.means(n);
  L(i2, needLogs ? `const logs${n.typed ? ': Record<string, number>' : ''} = ${means};` : `// epoch summary (tfjs logs): ${means}`);
  if (hasVal) {
    const [first, ...rest] = validate.code(n);
    L(i2, `${stops ? stop.validateCode(trainX) : ''}${first}`, ...rest);
  }
  if (n.history) L(i2, history.code(n.history.name));
  L(i2, hook('onEpochEnd', 'epoch, logs'), stops ? stop.code(n) : null);
  L(i1, '}');
  L(i1, hook('onTrainEnd', ''));
  L(ind, '}');
  return lines.join('\n').replace(/^\s+/, '');
}

const batchSizeOf = (n: LoopNames) => n.batchSize ?? '32';
const shuffleOf = (n: LoopNames) => n.shuffle ?? 'true';
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
