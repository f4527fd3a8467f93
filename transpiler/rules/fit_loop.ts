/**
 * The loop form of `model.fit`: the explicit PyTorch-style training loop (DataLoader, zeroGrad/backward/step) with
 * tfjs's batch size, epochs, shuffling, validation and callbacks; `evaluate`/`predict` run the model in eval mode
 * without gradients.
 */
import { ts } from 'ts-morph';
import type { Mapping, NoteId } from '../../mappings/schema.js';
import { type FileContext, skipParensUp } from '../context.js';
import { writeFitLoop, type LoopNames } from '../../runtime/utils/fit_steps.js';
import { fitArgs } from './fit_args.js';
import type { Compiled, TrainingNames, Use } from './training_compile.js';
import type { ModelInfo } from './model_registry.js';

/** `model.fit(x, y, { ... })` (or `const history = await model.fit(...)`) → a block with the training loop. */
export function emitFitLoop(ctx: FileContext, u: Use, c: Compiled, names: TrainingNames, info?: ModelInfo): void {
  const fail = (why: string) => ctx.todo(u.call, u.row.tf, 'fit-options-unsupported', `model.fit: ${why}`);
  const top = skipParensUp(ts.isAwaitExpression(skipParensUp(u.call).parent) ? skipParensUp(u.call).parent : u.call);
  let stmt = top.parent;
  let historyName: string | undefined;
  let kw = 'const';
  if (ts.isVariableDeclaration(stmt) && ts.isIdentifier(stmt.name) && (stmt.parent as ts.VariableDeclarationList).declarations.length === 1 && ts.isVariableStatement(stmt.parent.parent)) {
    historyName = stmt.name.text;
    kw = stmt.parent.flags & ts.NodeFlags.Const ? 'const' : 'let';
    stmt = stmt.parent.parent;
  }
  if (!(ts.isExpressionStatement(stmt) || ts.isVariableStatement(stmt)) || !(ts.isBlock(stmt.parent) || ts.isSourceFile(stmt.parent))) {
    return fail('the call is not a statement (or `const history = await model.fit(...)`) of its own');
  }
  const a = fitArgs(ctx, u, fail);
  if (!a) return;
  const { xN, yN, o } = a;
  const several = severalOf(ctx, u, c, info, xN, yN, fail);
  if (several === null) return;
  const cb = o.callbacks;
  const vd = o.validationData;
  if (o.validationSplit) ctx.note(u.call, 'fit-validation-split');
  const model = ctx.rewritten(u.receiver);
  const code = writeFitLoop({
    model, x: ctx.rewritten(xN), y: ctx.rewritten(yN), loss: c.lossFn, optimizer: c.optimizer, metrics: c.metrics,
    batchSize: o.batchSize?.text,
    epochs: o.epochs ? (o.epochs.simple || o.epochs.kind === 'number' ? o.epochs.text : `(${o.epochs.text})`) : undefined,
    shuffle: o.shuffle?.text,
    validationSplit: o.validationSplit?.text,
    validationData: vd && { text: vd.text, pair: vd.kind === 'array' && vd.elements?.length === 2 ? [vd.elements[0].text, vd.elements[1].text] : undefined },
    callbacks: cb && { text: cb.text, hooks: Object.keys(cb.props ?? {}) },
    history: historyName ? { name: historyName, kw } : undefined,
    await: awaitAllowed(ctx, u.call),
    typed: ctx.typescript,
    // A user variable named `data` would shadow the runtime's namespace: batch by hand then.
    loader: !names.names().has('data'),
    indent: ctx.indent(stmt),
    ...(several ? { several } : {}),
  });
  const notes: Mapping['notes'] = ['compile-fit-loop', 'fit-shuffle', 'fit-logs', ...(historyName ? ['fit-history' as const] : []), ...(several && several.outputs > 1 ? ['fit-output-losses' as const] : [])];
  const user = [model, ctx.rewritten(xN), ctx.rewritten(yN), cb?.text ?? '', o.validationData?.text ?? '', o.epochs?.text ?? '', o.batchSize?.text ?? '', o.validationSplit?.text ?? ''];
  ctx.rewrite(stmt, u.row.tf, code, notes, undefined, user);
}

/**
 * A fit with several inputs or outputs: how many of each (the fit's array literals, else the model's), the
 * outputs' log names (tfjs's layer names where known, layer_names.ts; else output<i> and a note), and whether
 * the compile gave one loss per output. undefined for one input and one output; null after a TODO.
 */
function severalOf(ctx: FileContext, u: Use, c: Compiled, info: ModelInfo | undefined, xN: ts.Expression, yN: ts.Expression, fail: (why: string) => void): LoopNames['several'] | null | undefined {
  const count = (e: ts.Expression, known: number | undefined) => (ts.isArrayLiteralExpression(e) ? e.elements.length : known);
  const inputs = count(xN, info?.inputNames?.length) ?? 1;
  const outputs = count(yN, info?.outputNames?.length ?? c.outputs) ?? 1;
  if (inputs === 1 && outputs === 1 && !ts.isArrayLiteralExpression(xN) && !ts.isArrayLiteralExpression(yN)) {
    // A name holding a list of tensors, on a model this file did not build: the count is unknown here.
    const isList = (e: ts.Expression) => {
      if (ctx.kindOf(e) === 'Tensor[]') return true;
      const t = ctx.checker.getTypeAtLocation(e);
      return ctx.checker.isArrayType(t) || ctx.checker.isTupleType(t);
    };
    if (isList(xN) || isList(yN)) return void fail('x or y holds a list of tensors (several inputs/outputs): give them as array literals, so the loop knows how many tensors each holds'), null;
    return undefined;
  }
  if ((ts.isArrayLiteralExpression(xN) || ts.isArrayLiteralExpression(yN)) && [xN, yN].some((e) => ts.isArrayLiteralExpression(e) && e.elements.some((el) => ts.isSpreadElement(el)))) return void fail('x or y spreads an array: the loop needs to know how many tensors each holds'), null;
  if (info?.inputNames && info.inputNames.length !== inputs) return void fail(`x has ${inputs} tensor(s) but the model has ${info.inputNames.length} input(s)`), null;
  if (info?.outputNames && info.outputNames.length !== outputs) return void fail(`y has ${outputs} tensor(s) but the model has ${info.outputNames.length} output(s)`), null;
  if (c.outputs !== undefined && c.outputs !== outputs) return void fail(`the compile gives ${c.outputs} losses for ${outputs} output(s)`), null;
  if ((inputs > 1 && !ts.isArrayLiteralExpression(xN) && !info?.inputNames) || (outputs > 1 && !ts.isArrayLiteralExpression(yN) && !info?.outputNames && c.outputs === undefined)) {
    return void fail('several inputs/outputs: give x and y as array literals, so the loop knows how many tensors each holds'), null;
  }
  const known = info?.outputNames?.length === outputs && info.outputNames.every((n) => n !== undefined) ? (info.outputNames as string[]) : undefined;
  if (outputs > 1 && !known) ctx.note(u.call, 'fit-output-names', u.row.tf);
  return { inputs, outputs, outputNames: known ?? Array.from({ length: outputs }, (_, i) => `output${i + 1}`), lossPerOutput: c.outputs !== undefined };
}

/** `await` is allowed at the fit: inside an async function, or at the top level of an ES module. */
function awaitAllowed(ctx: FileContext, node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n)) return !!(ts.getCombinedModifierFlags(n as ts.Declaration) & ts.ModifierFlags.Async);
  }
  return !/\.c[jt]s$/.test(ctx.fileName) && ctx.tfImports.some((i) => i.kind === 'import');
}

/** `model.evaluate(x, y)` → the loss (and metrics) on the whole input, in eval mode, without gradients. */
export function emitEvaluateLoop(ctx: FileContext, u: Use, c: Compiled, xN: ts.Expression, yN: ts.Expression): void {
  const model = ctx.rewritten(u.receiver);
  const x = ctx.rewritten(xN);
  const y = ctx.rewritten(yN);
  // The block's own names must not shadow what x and y refer to (`model.evaluate(xs, target)`).
  const free = (base: string) => {
    for (let i = 1; ; i++) {
      const n = i === 1 ? base : `${base}${i}`;
      if (![model, x, y].some((t) => new RegExp(`(?<![\\w$])${n}(?![\\w$])`).test(t))) return n;
    }
  };
  const pred = free('pred');
  const target = free('target');
  const results = [`${c.lossFn}(${pred}, ${target})`, ...c.metrics.map((m) => `${m.fn}(${pred}, ${target})`)];
  const ret = results.length === 1 ? results[0] : `[${results.join(', ')}]`;
  ctx.rewrite(u.call, u.row.tf, `torch.noGrad(() => { ${model}.eval(); const ${pred} = ${model}.forward(${x}); const ${target} = ${y}; return ${ret}; })`, loopNotes(u.row), undefined, [model, x, y]);
}

/**
 * `model.predict(x)` → `torch.noGrad(() => model.eval().forward(x))`; inside a function given to a gradient API
 * (`optimizer.minimize(() => …)`, `tf.variableGrads`, `tf.grads` …) → `model.eval().forward(x)`: tfjs records
 * predict on the tape there (a GAN's generator loss goes through `discriminator.predict`), so no noGrad.
 */
export function emitPredictLoop(ctx: FileContext, u: Use, x: ts.Expression): void {
  const model = ctx.rewritten(u.receiver);
  const recv = ts.isIdentifier(u.receiver) || ts.isPropertyAccessExpression(u.receiver) ? model : `(${model})`;
  if (insideGradientFunction(ctx, u.call)) {
    ctx.rewrite(u.call, u.row.tf, `${recv}.eval().forward(${ctx.rewritten(x)})`, [...loopNotes(u.row).filter((n) => n !== 'predict-eval'), 'predict-in-gradient'], undefined, [model, ctx.rewritten(x)]);
    return;
  }
  ctx.rewrite(u.call, u.row.tf, `torch.noGrad(() => ${recv}.eval().forward(${ctx.rewritten(x)}))`, loopNotes(u.row), undefined, [model, ctx.rewritten(x)]);
}

/** tfjs calls whose function argument runs on the gradient tape. */
const GRADIENT_APIS = new Set(['tf.grad', 'tf.grads', 'tf.valueAndGrad', 'tf.valueAndGrads', 'tf.variableGrads', 'tf.customGrad']);
const GRADIENT_METHODS = new Set(['minimize', 'computeGradients']);

const isGradientCall = (ctx: FileContext, call: ts.CallExpression): boolean =>
  GRADIENT_APIS.has(ctx.qualify(call.expression) ?? '') || (ts.isPropertyAccessExpression(call.expression) && GRADIENT_METHODS.has(call.expression.name.text));

/**
 * True when `node` is inside a function given to a gradient API in this file: written as its argument
 * (`opt.minimize(() => …)`), or named and passed by that name (`const f = () => …; opt.minimize(f)`, a function
 * declaration too).
 */
export function insideGradientFunction(ctx: FileContext, node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (!ts.isArrowFunction(n) && !ts.isFunctionExpression(n) && !ts.isFunctionDeclaration(n)) continue;
    const call = n.parent;
    if (call && ts.isCallExpression(call) && call.arguments.includes(n as ts.Expression) && isGradientCall(ctx, call)) return true;
    const name = ts.isFunctionDeclaration(n) ? n.name : ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name) ? n.parent.name : undefined;
    if (name && passedToGradientApi(ctx, name)) return true;
  }
  return false;
}

/** Some gradient API call in the file takes the function `name` declares as an argument. */
function passedToGradientApi(ctx: FileContext, name: ts.Identifier): boolean {
  const sym = ctx.checker.getSymbolAtLocation(name);
  if (!sym) return false;
  const visit = (n: ts.Node): boolean => {
    if (ts.isCallExpression(n) && n.arguments.some((a) => ts.isIdentifier(a) && a.text === name.text && ctx.checker.getSymbolAtLocation(a) === sym) && isGradientCall(ctx, n)) return true;
    return ts.forEachChild(n, visit) ?? false;
  };
  return visit(ctx.sf);
}

/** The row's notes for the loop form (the row also documents the helper form). */
const loopNotes = (row: Mapping): NoteId[] => (row.notes ?? []).filter((n) => n !== 'fit-helper');
