/**
 * `--fit helper`: the fit/evaluate/predict sites become calls to the runtime's `utils.fit/evaluate/predict`
 * (runtime/utils/fit.ts: the same loop, as one documented function) with the compiled loss, optimizer, metrics
 * and the call's options.
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import { type FileContext, skipParensUp } from '../context.js';
import { fitArgs } from './fit_args.js';
import type { Compiled, Use } from './training_compile.js';
import type { ModelInfo } from './model_registry.js';

/**
 * `outputNames: [...]` (and `inputNames` where `inputs`) for a model with several outputs, so the runtime logs
 * tfjs's `<output layer name>_loss` keys (and reads elements keyed by name); nothing for one output. Where a
 * name is not known statically (layer_names.ts) the option is left out and a note says the keys differ.
 */
function modelNames(ctx: FileContext, u: Use, c: Compiled | 'record', info: ModelInfo | undefined, inputs: boolean): string[] {
  const outs = info?.outputNames ?? (c !== 'record' && c.outputs ? Array.from({ length: c.outputs }, () => undefined) : undefined);
  if (!outs || outs.length < 2) return [];
  const list = (ns: (string | undefined)[]) => `[${ns.map((n) => `'${n!.replace(/[\\']/g, '\\$&')}'`).join(', ')}]`;
  const out: string[] = [];
  if (outs.every((n) => n !== undefined)) out.push(`outputNames: ${list(outs)}`);
  else ctx.note(u.call, 'fit-output-names', u.row.tf);
  const ins = info?.inputNames;
  if (inputs && ins && ins.length > 1 && ins.every((n) => n !== undefined)) out.push(`inputNames: ${list(ins)}`);
  return out;
}

/**
 * `await model.fit(x, y, { ... })` → `await utils.fit(model, x, y, { loss, optimizer, metrics, ... })`: only the
 * call changes; the options literal keeps its properties, comments and layout, with the compiled loss, optimizer
 * and metrics first (verbose is dropped: the loop ignores it too).
 */
export function emitFitHelper(ctx: FileContext, u: Use, c: Compiled | 'record', info?: ModelInfo): void {
  const fail = (why: string) => ctx.todo(u.call, u.row.tf, 'fit-options-unsupported', `model.fit: ${why}`);
  const a = fitArgs(ctx, u, fail, true);
  if (!a) return;
  const { xN, yN, argsN, o } = a;
  // classWeight weights each sample's loss: utils.fit is given the per-sample loss (fit_outputs.ts).
  let loss = c === 'record' ? '' : c.lossFn;
  if (o.classWeight) {
    if (c === 'record' || !c.perSample) return fail("classWeight needs the loss per sample: compile with a loss name (e.g. 'categoricalCrossentropy') beside the fit, or pass utils.fit a loss returning one value per sample");
    loss = c.outputs ? `[${c.perSample.join(', ')}]` : c.perSample[0];
  }
  // 'record': the compile is elsewhere; utils.fit takes loss, optimizer and metrics from its utils.compile record.
  const compiled = c === 'record' ? [] : [`loss: ${loss}`, `optimizer: ${c.optimizer}`];
  if (c !== 'record' && c.metricsCode) compiled.push(`metrics: ${c.metricsCode}`);
  compiled.push(...modelNames(ctx, u, c, info, false));
  const options = argsN && ts.isObjectLiteralExpression(argsN) ? withCompiled(ctx, argsN, compiled) : compiled.length ? `{ ${compiled.join(', ')} }` : '';
  const model = ctx.rewritten(u.receiver);
  const top = skipParensUp(ts.isAwaitExpression(skipParensUp(u.call).parent) ? skipParensUp(u.call).parent : u.call);
  const notes: Mapping['notes'] = ['fit-helper', 'fit-shuffle', 'fit-logs', ...(ts.isVariableDeclaration(top.parent) ? ['fit-history' as const] : []),
    ...(o.callbacks && o.callbacks.kind !== 'object' ? ['early-stopping' as const] : []),
    ...(o.validationSplit ? ['fit-validation-split' as const] : []), ...(c === 'record' ? ['compile-elsewhere' as const] : []),
    ...(o.classWeight ? ['fit-class-weight' as const] : [])];
  const user = [model, ctx.rewritten(xN), ctx.rewritten(yN), ...(argsN ? [ctx.rewritten(argsN)] : [])];
  ctx.rewrite(u.call, u.row.tf, `utils.fit(${model}, ${ctx.rewritten(xN)}, ${ctx.rewritten(yN)}${options ? `, ${options}` : ''})`, notes, undefined, user);
}

/** The (rewritten) options literal without `verbose`, with `compiled` properties first, in its own layout. */
function withCompiled(ctx: FileContext, lit: ts.ObjectLiteralExpression, compiled: string[]): string {
  const src = ctx.text;
  const start = lit.getStart(ctx.sf);
  const end = lit.getEnd();
  const verbose = lit.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'verbose');
  let text = ctx.edits.textOf(start, end);
  if (verbose) {
    let cutStart = verbose.getStart(ctx.sf);
    let cutEnd = verbose.getEnd();
    cutEnd += /^[ \t]*,?[ \t]*/.exec(src.slice(cutEnd))![0].length;
    const lineStart = src.lastIndexOf('\n', cutStart - 1) + 1;
    // Alone on its line: the whole line goes.
    if (/^[ \t]*$/.test(src.slice(lineStart, cutStart)) && /^\r?\n/.test(src.slice(cutEnd)) && lineStart > start) {
      cutStart = lineStart;
      cutEnd += /^\r?\n/.exec(src.slice(cutEnd))![0].length;
    }
    text = ctx.edits.textOf(start, cutStart) + ctx.edits.textOf(cutEnd, end);
  }
  if (!compiled.length) return text;
  const body = text.slice(1);
  const multi = /^([ \t]*\r?\n[ \t]*)/.exec(body);
  if (multi && !/^\s*\}$/.test(body)) {
    const sep = multi[1];
    return `{${sep}${compiled.map((p) => `${p},`).join(sep)}${sep}${body.slice(sep.length)}`;
  }
  const rest = body.trim();
  return rest === '}' ? `{ ${compiled.join(', ')} }` : `{ ${compiled.join(', ')}, ${body.trimStart()}`;
}

/** `model.evaluate(x, y, { batchSize })` → `utils.evaluate(model, x, y, { loss, metrics, batchSize })`. */
export function emitEvaluateHelper(ctx: FileContext, u: Use, c: Compiled | 'record', xN: ts.Expression, yN: ts.Expression, info?: ModelInfo): void {
  const model = ctx.rewritten(u.receiver);
  const argsN = u.call.arguments[2];
  const o = argsN ? ctx.argInfo(argsN) : undefined;
  if (argsN && o?.kind !== 'object') return void ctx.todo(u.call, u.row.tf, 'evaluate-returns', 'model.evaluate: the options are not an object literal');
  const extra = Object.keys(o?.props ?? {}).find((k) => k !== 'batchSize' && k !== 'verbose');
  if (extra) return void ctx.todo(u.call, u.row.tf, 'evaluate-returns', `model.evaluate: option '${extra}' is not supported by utils.evaluate`);
  // 'record': the compile is elsewhere; utils.evaluate takes loss and metrics from its utils.compile record.
  const opts = c === 'record' ? [] : [`loss: ${c.lossFn}`];
  if (c !== 'record' && c.metricsCode) opts.push(`metrics: ${c.metricsCode}`);
  if (o?.props?.batchSize) opts.push(`batchSize: ${o.props.batchSize.text}`);
  const user = [model, ctx.rewritten(xN), ctx.rewritten(yN), o?.props?.batchSize?.text ?? ''];
  const several = (info?.outputNames?.length ?? 1) > 1 || (c !== 'record' && !!c.outputs);
  const notes: Mapping['notes'] = ['fit-helper', 'evaluate-returns', ...(several ? ['evaluate-outputs' as const] : []), ...(c === 'record' ? ['compile-elsewhere' as const] : [])];
  ctx.rewrite(u.call, u.row.tf, `utils.evaluate(${model}, ${ctx.rewritten(xN)}, ${ctx.rewritten(yN)}${opts.length ? `, { ${opts.join(', ')} }` : ''})`, notes, undefined, user);
}

/** `model.predict(x, { batchSize })` → `utils.predict(model, x, { batchSize })`. */
export function emitPredictHelper(ctx: FileContext, u: Use, x: ts.Expression): void {
  const model = ctx.rewritten(u.receiver);
  const argsN = u.call.arguments[1];
  const o = argsN ? ctx.argInfo(argsN) : undefined;
  if (argsN && o?.kind !== 'object') return void ctx.todo(u.call, u.row.tf, 'predict-eval', 'model.predict: the options are not an object literal');
  const extra = Object.keys(o?.props ?? {}).find((k) => k !== 'batchSize' && k !== 'verbose');
  if (extra) return void ctx.todo(u.call, u.row.tf, 'predict-eval', `model.predict: option '${extra}' is not supported by utils.predict`);
  const bs = o?.props?.batchSize?.text;
  ctx.rewrite(u.call, u.row.tf, `utils.predict(${model}, ${ctx.rewritten(x)}${bs ? `, { batchSize: ${bs} }` : ''})`, ['fit-helper', 'predict-eval'], undefined, [model, ctx.rewritten(x), bs ?? '']);
}

/** The compiled options a helper call passes first (none with 'record': the helper reads utils.compile's record). */
function compiledOptions(c: Compiled | 'record', optimizer: boolean): string[] {
  if (c === 'record') return [];
  const out = [`loss: ${c.lossFn}`, ...(optimizer ? [`optimizer: ${c.optimizer}`] : [])];
  if (c.metricsCode) out.push(`metrics: ${c.metricsCode}`);
  return out;
}

const DATASET_OPTIONS: Record<string, string[]> = {
  'LayersModel.fitDataset': ['epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'validationBatchSize', 'callbacks', 'verbose', 'classWeight'],
  'LayersModel.evaluateDataset': ['batches', 'verbose'],
};

/**
 * `model.fitDataset(ds, { epochs, ... })` → `utils.fitDataset(model, ds, { loss, optimizer, metrics, epochs, ... })`,
 * `model.evaluateDataset(ds, { batches })` → `utils.evaluateDataset(model, ds, { loss, metrics, batches })`,
 * `model.trainOnBatch(x, y)` → `utils.trainOnBatch(model, x, y, { loss, optimizer, metrics })`: runtime helpers with
 * tfjs's loops (runtime/utils/fit_dataset.ts, fit.ts).
 */
export function emitDatasetHelper(ctx: FileContext, u: Use, c: Compiled | 'record', info?: ModelInfo): void {
  const name = u.row.tf.slice('LayersModel.'.length);
  const note = name === 'trainOnBatch' ? 'train-on-batch' : 'fit-dataset';
  const fail = (why: string) => ctx.todo(u.call, u.row.tf, name === 'fitDataset' ? 'fit-options-unsupported' : note, `model.${name}: ${why}`);
  if (ctx.declaredNames().has('utils')) return fail(`this file's own 'utils' hides the runtime's utils.${name}`);
  const model = ctx.rewritten(u.receiver);
  const [a0, a1] = u.call.arguments;
  if (name === 'trainOnBatch') {
    if (!a0 || !a1) return fail('x and y are needed');
    const counts = [[a0, info?.inputNames, 'input'], [a1, info?.outputNames, 'output']] as const;
    for (const [arg, known, what] of counts) {
      const n = ts.isArrayLiteralExpression(arg) ? arg.elements.length : 1;
      if (known && known.length !== n) return fail(`${ts.isArrayLiteralExpression(arg) ? `${n} ${what} tensors are given` : `one ${what} tensor is given`}, but the model has ${known.length} ${what}(s)`);
    }
    const opts = compiledOptions(c, true);
    const user = [model, ctx.rewritten(a0), ctx.rewritten(a1)];
    ctx.rewrite(u.call, u.row.tf, `utils.trainOnBatch(${model}, ${ctx.rewritten(a0)}, ${ctx.rewritten(a1)}${opts.length ? `, { ${opts.join(', ')} }` : ''})`, [note, ...(c === 'record' ? ['compile-elsewhere' as const] : [])], undefined, user);
    return;
  }
  if (!a0) return fail('the dataset is needed');
  if (name === 'fitDataset' && !a1) return fail('the config ({ epochs, ... }) is required, as in tfjs');
  const o = a1 ? ctx.argInfo(a1) : undefined;
  if (a1 && (o?.kind !== 'object' || !ts.isObjectLiteralExpression(a1))) return fail('the options are not an object literal');
  const extra = Object.keys(o?.props ?? {}).find((k) => !DATASET_OPTIONS[u.row.tf].includes(k));
  if (extra) return fail(`option '${extra}' is not supported by utils.${name}`);
  // classWeight weights each sample's loss: utils.fitDataset is given the per-sample loss, as utils.fit is.
  const weighted = name === 'fitDataset' && !!o?.props?.classWeight;
  if (weighted && (c === 'record' || !c.perSample)) return fail("classWeight needs the loss per sample: compile with a loss name (e.g. 'categoricalCrossentropy') beside the fitDataset");
  const base = compiledOptions(c, name === 'fitDataset');
  if (weighted && c !== 'record') base[0] = `loss: ${c.outputs ? `[${c.perSample!.join(', ')}]` : c.perSample![0]}`;
  const compiled = [...base, ...modelNames(ctx, u, c, info, true)];
  const options = a1 && ts.isObjectLiteralExpression(a1) ? withCompiled(ctx, a1, compiled) : compiled.length ? `{ ${compiled.join(', ')} }` : '';
  const notes: Mapping['notes'] = [note, ...(name === 'fitDataset' ? ['fit-logs' as const] : ['evaluate-returns' as const]), ...(c === 'record' ? ['compile-elsewhere' as const] : []), ...(weighted ? ['fit-class-weight' as const] : [])];
  const user = [model, ctx.rewritten(a0), ...(a1 ? [ctx.rewritten(a1)] : [])];
  ctx.rewrite(u.call, u.row.tf, `utils.${name}(${model}, ${ctx.rewritten(a0)}${options && options !== '{}' ? `, ${options}` : ''})`, notes, undefined, user);
}
