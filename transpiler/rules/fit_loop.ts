/**
 * The loop form of `model.fit`: the explicit PyTorch-style training loop (DataLoader, zeroGrad/backward/step) with
 * tfjs's batch size, epochs, shuffling, validation and callbacks; `evaluate`/`predict` run the model in eval mode
 * without gradients.
 */
import { ts } from 'ts-morph';
import type { Mapping, NoteId } from '../../mappings/schema.js';
import { type FileContext, skipParensUp } from '../context.js';
import { CALLBACK_SIGNATURES, fitArgs } from './fit_args.js';
import type { Compiled, TrainingNames, Use } from './training_compile.js';

/** `model.fit(x, y, { ... })` (or `const history = await model.fit(...)`) → a block with the training loop. */
export function emitFitLoop(ctx: FileContext, u: Use, c: Compiled, names: TrainingNames): void {
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
  const cb = o.callbacks;
  const T = ctx.typescript;
  const ind = ctx.indent(stmt);
  const i1 = `${ind}  `;
  const i2 = `${ind}    `;
  const i3 = `${ind}      `;
  const model = ctx.rewritten(u.receiver);
  const canAwait = awaitAllowed(ctx, u.call);
  const aw = canAwait ? 'await ' : '';
  const batchSize = o.batchSize?.text ?? '32';
  const epochs = o.epochs ? (o.epochs.simple || o.epochs.kind === 'number' ? o.epochs.text : `(${o.epochs.text})`) : '1';
  const shuffle = o.shuffle?.text ?? 'true';
  // A user variable named `data` would shadow the runtime's namespace: batch by hand then.
  const useLoader = !names.names().has('data');
  const lines: string[] = [];
  const L = (indent: string, s: string) => lines.push(`${indent}${s}`);
  if (historyName) L('', `${kw} ${historyName} = { history: {}${T ? ' as Record<string, number[]>' : ''} };`);
  L(historyName ? ind : '', '{');
  const described = [o.batchSize ? `batch size ${o.batchSize.text}` : 'batch size 32 (tfjs default)', `${o.epochs ? o.epochs.text : 1} epoch(s)`,
    o.validationSplit ? `validation split ${o.validationSplit.text}` : o.validationData ? 'validation data' : ''].filter(Boolean).join(', ');
  L(i1, `// model.fit as an explicit training loop: ${described}`);
  L(i1, `const fitX = ${ctx.rewritten(xN)};`);
  L(i1, `const fitY = ${ctx.rewritten(yN)};`);
  let trainX = 'fitX';
  let trainY = 'fitY';
  let hasVal = false;
  if (o.validationSplit) {
    L(i1, `// validationSplit: tfjs validates on the last samples, taken before shuffling`);
    L(i1, `const numVal = Math.floor(fitX.shape[0] * ${o.validationSplit.text});`);
    L(i1, `const numTrain = fitX.shape[0] - numVal;`);
    L(i1, `const trainX = fitX.narrow(0, 0, numTrain);`);
    L(i1, `const trainY = fitY.narrow(0, 0, numTrain);`);
    L(i1, `const valX = fitX.narrow(0, numTrain, numVal);`);
    L(i1, `const valY = fitY.narrow(0, numTrain, numVal);`);
    [trainX, trainY, hasVal] = ['trainX', 'trainY', true];
    ctx.note(u.call, 'fit-validation-split');
  } else if (o.validationData) {
    const vd = o.validationData;
    if (vd.kind === 'array' && vd.elements?.length === 2) {
      L(i1, `const valX = ${vd.elements[0].text};`);
      L(i1, `const valY = ${vd.elements[1].text};`);
    } else L(i1, `const [valX, valY] = ${vd.text};`);
    hasVal = true;
  }
  if (useLoader) {
    L(i1, `const loader = new data.DataLoader(new data.TensorDataset(${trainX}, ${trainY}), { batchSize: ${batchSize}, shuffle: ${shuffle} });`);
  } else {
    L(i1, `const numSamples = ${trainX}.shape[0];`);
    L(i1, `const batchSize = ${batchSize};`);
  }
  if (cb) {
    const sig = Object.keys(cb.props ?? {}).map((k) => `${k}?: ${CALLBACK_SIGNATURES[k]}`).join('; ');
    L(i1, `const callbacks${T ? `: { ${sig} }` : ''} = ${cb.text};`);
  }
  const call = (name: string, args: string) => (cb?.props?.[name] ? `${aw}callbacks.${name}?.(${args});` : null);
  const push = (indent: string, s: string | null) => s && L(indent, s);
  push(i1, call('onTrainBegin', ''));
  L(i1, `for (let epoch = 0; epoch < ${epochs}; epoch++) {`);
  push(i2, call('onEpochBegin', 'epoch'));
  L(i2, `${model}.train();`);
  L(i2, `let lossSum = 0;`);
  for (const m of c.metrics) L(i2, `let ${m.key}Sum = 0;`);
  L(i2, `let seen = 0;`);
  const batchCallbacks = !!(cb?.props?.onBatchBegin || cb?.props?.onBatchEnd);
  if (batchCallbacks) L(i2, `let batch = 0;`);
  if (useLoader) L(i2, `for (const [batchX, batchY] of loader) {`);
  else {
    L(i2, `const order = ${shuffle === 'false' ? 'torch.arange(numSamples)' : 'torch.randperm(numSamples)'};`);
    L(i2, `for (let start = 0; start < numSamples; start += batchSize) {`);
    L(i3, `const idx = order.narrow(0, start, Math.min(batchSize, numSamples - start));`);
    L(i3, `const batchX = ${trainX}.indexSelect(0, idx);`);
    L(i3, `const batchY = ${trainY}.indexSelect(0, idx);`);
  }
  push(i3, call('onBatchBegin', 'batch'));
  L(i3, `const pred = ${model}.forward(batchX);`);
  L(i3, `const loss = ${c.lossFn}(pred, batchY);`);
  L(i3, `${c.optimizer}.zeroGrad();`);
  L(i3, `loss.backward();`);
  L(i3, `${c.optimizer}.step();`);
  L(i3, `const size = batchX.shape[0];`);
  L(i3, `const batchLoss = loss.item();`);
  for (const m of c.metrics) L(i3, `const batch${cap(m.key)} = ${m.fn}(pred.detach(), batchY).item();`);
  L(i3, `lossSum += batchLoss * size;`);
  for (const m of c.metrics) L(i3, `${m.key}Sum += batch${cap(m.key)} * size;`);
  L(i3, `seen += size;`);
  push(i3, call('onBatchEnd', `batch, { batch, size, loss: batchLoss${c.metrics.map((m) => `, ${m.key}: batch${cap(m.key)}`).join('')} }`));
  if (batchCallbacks) L(i3, `batch++;`);
  L(i2, '}');
  const needLogs = hasVal || !!historyName || !!(cb?.props?.onEpochEnd);
  const summary = `{ loss: lossSum / seen${c.metrics.map((m) => `, ${m.key}: ${m.key}Sum / seen`).join('')} }`;
  if (needLogs) L(i2, `const logs${T ? ': Record<string, number>' : ''} = ${summary};`);
  else L(i2, `// epoch summary (tfjs logs): ${summary}`);
  if (hasVal) {
    L(i2, `torch.noGrad(() => {`);
    L(i3, `${model}.eval();`);
    L(i3, `const valPred = ${model}.forward(valX);`);
    L(i3, `logs.val_loss = ${c.lossFn}(valPred, valY).item();`);
    for (const m of c.metrics) L(i3, `logs.val_${m.key} = ${m.fn}(valPred, valY).item();`);
    L(i2, `});`);
  }
  if (historyName) L(i2, `for (const [key, value] of Object.entries(logs)) (${historyName}.history[key] ??= []).push(value);`);
  push(i2, call('onEpochEnd', 'epoch, logs'));
  L(i1, '}');
  push(i1, call('onTrainEnd', ''));
  L(ind, '}');
  const notes: Mapping['notes'] = ['compile-fit-loop', 'fit-shuffle', 'fit-logs', ...(historyName ? ['fit-history' as const] : [])];
  const user = [model, ctx.rewritten(xN), ctx.rewritten(yN), cb?.text ?? '', o.validationData?.text ?? '', o.epochs?.text ?? '', o.batchSize?.text ?? '', o.validationSplit?.text ?? ''];
  ctx.rewrite(stmt, u.row.tf, lines.join('\n').replace(/^\s+/, ''), notes, undefined, user);
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
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
