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
import type { MetricEntry } from './fit_outputs.js';

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
  /** The compiled metrics, by log key; with several outputs each on its output (`output`, the index; default 0). */
  metrics: readonly { key: string; fn: string; output?: number }[];
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
  /**
   * Several inputs or outputs (`fit([x1, x2], [y1, y2])`): `x` and `y` are arrays (source text), the counts say
   * how many tensors each holds, `outputNames` the outputs' log names (`reg` → `reg_loss`, tfjs's keys), and
   * `loss` is a list of one loss per output when `lossPerOutput`, else the one loss every output is scored with.
   */
  several?: { inputs: number; outputs: number; outputNames: readonly string[]; lossPerOutput: boolean };
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
  /** Several inputs/outputs: every tensor of the lists split alike. */
  severalCode: (fraction: string): string[] => [
    `// validationSplit: tfjs validates on the last samples, taken before shuffling`,
    `const numVal = Math.floor(fitXs[0].shape[0] * ${fraction});`,
    `const numTrain = fitXs[0].shape[0] - numVal;`,
    `const trainXs = fitXs.map((t) => t.narrow(0, 0, numTrain));`,
    `const trainYs = fitYs.map((t) => t.narrow(0, 0, numTrain));`,
    `const valXs = fitXs.map((t) => t.narrow(0, numTrain, numVal));`,
    `const valYs = fitYs.map((t) => t.narrow(0, numTrain, numVal));`,
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
  /** Several inputs/outputs: the loader over `[...xs, ...ys]` (as utils.fit's), each batch split back into the two lists. */
  severalCode: (n: LoopNames, xs: string, ys: string): string[] => n.loader
    ? [`const loader = new data.DataLoader(new data.TensorDataset(...${xs}, ...${ys}), { batchSize: ${batchSizeOf(n)}, shuffle: ${shuffleOf(n)} });`]
    : [`const numSamples = ${xs}[0].shape[0];`, `const batchSize = ${batchSizeOf(n)};`],
  severalLoopCode: (n: LoopNames, xs: string, ys: string): { head: string; body: string[] } => n.loader
    ? { head: `for (const tensors of loader) {`, body: [`const batchXs = tensors.slice(0, ${n.several!.inputs});`, `const batchYs = tensors.slice(${n.several!.inputs});`] }
    : {
        head: `for (let start = 0; start < numSamples; start += batchSize) {`,
        body: [`const idx = order.narrow(0, start, Math.min(batchSize, numSamples - start));`, `const batchXs = ${xs}.map((t) => t.indexSelect(0, idx));`, `const batchYs = ${ys}.map((t) => t.indexSelect(0, idx));`],
      },
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
  /**
   * Several inputs/outputs: forward takes one argument per input and returns one tensor per output; the loss is
   * the outputs' losses added in order, as utils.fit adds them (fit_outputs.ts; tfjs has no loss weights).
   */
  severalCode: (n: LoopNames): string[] => [
    ...forwardCode(n, 'preds', 'batchXs'),
    ...(n.several!.outputs > 1
      ? [`const outputLosses = ${outputLossesCode(n, 'preds', 'batchYs')};`, `const loss = ${sumCode(n, 'outputLosses')};`]
      : [`const loss = ${lossOf(n, 0)}(preds[0], batchYs[0]);`]),
    `${n.optimizer}.zeroGrad();`,
    `loss.backward();`,
    `${n.optimizer}.step();`,
  ],
};

/** `const <preds> = [...]`: the model's outputs for the inputs `<xs>`, always a list. */
function forwardCode(n: LoopNames, preds: string, xs: string): string[] {
  const call = `${n.model}.forward(${Array.from({ length: n.several!.inputs }, (_, i) => `${xs}[${i}]`).join(', ')})`;
  return [n.several!.outputs > 1 ? `const ${preds} = ${call}${n.typed ? ' as torch.Tensor[]' : ''};` : `const ${preds} = [${call}${n.typed ? ' as torch.Tensor' : ''}];`];
}

/** Output i's loss function. */
const lossOf = (n: LoopNames, i: number): string => (n.several!.lossPerOutput ? `${n.loss}[${i}]` : n.loss);

/** `[loss_0(preds[0], ys[0]), ...]`: each output's loss. */
const outputLossesCode = (n: LoopNames, preds: string, ys: string): string =>
  `[${n.several!.outputNames.map((_, i) => `${lossOf(n, i)}(${preds}[${i}], ${ys}[${i}])`).join(', ')}]`;

/** `l[0].add(l[1])...`: the outputs' losses added left to right. */
const sumCode = (n: LoopNames, list: string): string =>
  n.several!.outputNames.slice(1).reduce((acc, _, i) => `${acc}.add(${list}[${i + 1}])`, `${list}[0]`);

/** An object key, quoted where the name is not an identifier (a tfjs layer name may be any string). */
const keyOf = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k.replace(/[\\']/g, '\\$&')}'`);
/** A property read of the same key. */
const readOf = (o: string, k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${o}.${k}` : `${o}[${keyOf(k)}]`);

/** A batch's logs: its size, its loss, each metric on the detached predictions (no gradient flows through one). */
export const batchLogs = {
  /** `[loss, ...outputLosses, ...metrics]`, each metric on its output's detached prediction (fit_outputs.ts). */
  run: (loss: Tensor, outputLosses: readonly Tensor[], preds: readonly Tensor[], ys: readonly Tensor[], metrics: readonly MetricEntry[]): Tensor[] => {
    const detached = preds.map((p) => p.detach());
    // tfjs logs mean(metric(yTrue, yPred)): a metric may return the batch's value or one per sample.
    const value = ([, fn, output]: MetricEntry) => {
      const v = fn(detached[output], ys[output]);
      return v.ndim === 0 ? v : v.mean();
    };
    return [loss.detach(), ...outputLosses, ...metrics.map(value)];
  },
  code: (n: LoopNames): string[] => n.several
    ? [
        `const size = batchXs[0].shape[0];`,
        `const batchLoss = loss.item();`,
        ...(n.several.outputs > 1 ? [`const batchOutputLosses = outputLosses.map((l) => l.item());`] : []),
        // Each metric on its own output (tfjs's keys, `<output>_<metric>`, may be any string: kept in a list).
        ...(n.metrics.length ? [`const batchMetrics = [${n.metrics.map((m) => `${m.fn}(preds[${m.output ?? 0}].detach(), batchYs[${m.output ?? 0}]).item()`).join(', ')}];`] : []),
      ]
    : [
        `const size = batchX.shape[0];`,
        `const batchLoss = loss.item();`,
        ...n.metrics.map((m) => `const batch${cap(m.key)} = ${m.fn}(pred.detach(), batchY).item();`),
      ],
  /** The logs object tfjs hands onBatchEnd. */
  logsCode: (n: LoopNames): string => `{ batch, size, loss: batchLoss${outputKeys(n).map((k, i) => `, ${keyOf(k)}: batchOutputLosses[${i}]`).join('')}${n.metrics.map((m, i) => (n.several ? `, ${keyOf(m.key)}: batchMetrics[${i}]` : `, ${m.key}: batch${cap(m.key)}`)).join('')} }`,
};

/** A multi-output fit's per-output log keys (`<name>_loss`), none for one output. */
const outputKeys = (n: LoopNames): string[] => (n.several && n.several.outputs > 1 ? n.several.outputNames.map((o) => `${o}_loss`) : []);

/** An epoch's logs as tfjs's BaseLogger makes them: each key's mean over the batches, weighted by batch size. */
export class EpochLogs {
  private readonly sums = new Map<string, number>();
  private seen = 0;

  /** `outputKeys`: a multi-output fit's `<name>_loss` keys (logged after `loss`, before the metrics, as tfjs's). */
  constructor(metricEntries: readonly (readonly [string, ...unknown[]])[], outputKeys: readonly string[] = []) {
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
    declare: (n: LoopNames): string[] => ['let lossSum = 0;', ...(outputKeys(n).length ? [`const outputLossSums = [${outputKeys(n).map(() => '0').join(', ')}];`] : []), ...(n.several ? (n.metrics.length ? [`const metricSums = [${n.metrics.map(() => '0').join(', ')}];`] : []) : n.metrics.map((m) => `let ${m.key}Sum = 0;`)), 'let seen = 0;'],
    add: (n: LoopNames): string[] => ['lossSum += batchLoss * size;', ...(outputKeys(n).length ? ['batchOutputLosses.forEach((l, i) => (outputLossSums[i] += l * size));'] : []), ...(n.several ? (n.metrics.length ? ['batchMetrics.forEach((v, i) => (metricSums[i] += v * size));'] : []) : n.metrics.map((m) => `${m.key}Sum += batch${cap(m.key)} * size;`)), 'seen += size;'],
    means: (n: LoopNames): string => `{ loss: lossSum / seen${outputKeys(n).map((k, i) => `, ${keyOf(k)}: outputLossSums[${i}] / seen`).join('')}${n.metrics.map((m, i) => (n.several ? `, ${keyOf(m.key)}: metricSums[${i}] / seen` : `, ${m.key}: ${m.key}Sum / seen`)).join('')} }`,
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
  /** Several inputs/outputs: `val_loss` the outputs' losses added, each output's under `val_<name>_loss`. */
  severalCode: (n: LoopNames): string[] => [
    `torch.noGrad(() => {`,
    `  ${n.model}.eval();`,
    ...forwardCode(n, 'valPreds', 'valXs').map((l) => `  ${l}`),
    ...(n.several!.outputs > 1
      ? [`  const valLosses = ${outputLossesCode(n, 'valPreds', 'valYs')};`, `  logs.val_loss = ${sumCode(n, 'valLosses')}.item();`, ...outputKeys(n).map((k, i) => `  ${readOf('logs', `val_${k}`)} = valLosses[${i}].item();`)]
      : [`  logs.val_loss = ${lossOf(n, 0)}(valPreds[0], valYs[0]).item();`]),
    ...n.metrics.map((m) => `  ${readOf('logs', `val_${m.key}`)} = ${m.fn}(valPreds[${m.output ?? 0}], valYs[${m.output ?? 0}]).item();`),
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
  const several = !!n.several;
  // The lists of a multi-input/output fit are named in the plural (fitXs, trainXs, valXs, batchXs).
  const [X, Y] = several ? ['Xs', 'Ys'] : ['X', 'Y'];
  L(i1, `// model.fit as an explicit training loop: ${described}`, `const fit${X} = ${n.x};`, `const fit${Y} = ${n.y};`);
  let [trainX, trainY] = [`fit${X}`, `fit${Y}`];
  if (n.validationSplit) {
    L(i1, ...(several ? validationSplit.severalCode(n.validationSplit) : validationSplit.code(n.validationSplit)));
    [trainX, trainY] = [`train${X}`, `train${Y}`];
  } else if (n.validationData) {
    const vd = n.validationData;
    L(i1, ...(vd.pair ? [`const val${X} = ${vd.pair[0]};`, `const val${Y} = ${vd.pair[1]};`] : [`const [val${X}, val${Y}] = ${vd.text};`]));
  }
  const hasVal = !!(n.validationSplit || n.validationData);
  L(i1, ...(several ? batches.severalCode(n, trainX, trainY) : batches.code(n, trainX, trainY)));
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
  const loop = several ? batches.severalLoopCode(n, trainX, trainY) : batches.loopCode(n, trainX, trainY);
  if (!n.loader) L(i2, batches.orderCode(n));
  L(i2, loop.head);
  L(i3, ...loop.body, hook('onBatchBegin', 'batch'), ...(several ? step.severalCode(n) : step.code(n)), ...batchLogs.code(n), ...EpochLogs.code.add(n));
  L(i3, hook('onBatchEnd', `batch, ${batchLogs.logsCode(n)}`));
  if (batchCallbacks) L(i3, 'batch++;');
  if (stops) L(i3, stop.code(n));
  L(i2, '}');
  const needLogs = hasVal || !!n.history || !!n.callbacks?.hooks.includes('onEpochEnd');
  const means = EpochLogs.code.means(n);
  L(i2, needLogs ? `const logs${n.typed ? ': Record<string, number>' : ''} = ${means};` : `// epoch summary (tfjs logs): ${means}`);
  if (hasVal) {
    const [first, ...rest] = several ? validate.severalCode(n) : validate.code(n);
    L(i2, `${stops ? stop.validateCode(several ? `${trainX}[0]` : trainX) : ''}${first}`, ...rest);
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
