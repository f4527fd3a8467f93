/**
 * compileFit: `model.compile({ optimizer, loss, metrics })` becomes the optimizer and loss function; `model.fit`
 * the explicit PyTorch-style training loop (DataLoader, zeroGrad/backward/step) with tfjs's batch size, epochs,
 * shuffling, validation and callbacks; `evaluate`/`predict` run the model in eval mode without gradients.
 * With `fit: 'helper'` the fit/evaluate/predict sites become calls to the runtime's `utils.fit/evaluate/predict`
 * (runtime/utils/fit.ts: the same loop, as one documented function) with the same loss, optimizer, metrics and
 * options.
 */
import { ts } from 'ts-morph';
import { ACCURACY_METRICS, COMPILE_LOSSES, COMPILE_METRICS, COMPILE_OPTIMIZERS, type LossSpec } from '../../mappings/compile.js';
import { lookup } from '../../mappings/index.js';
import { emitRow } from '../../mappings/emit.js';
import type { ArgInfo, Mapping, NoteId } from '../../mappings/schema.js';
import { fillSnippet } from '../../mappings/template.js';
import { type FileContext, skipParensUp } from '../context.js';
import type { ModelRules } from './models.js';

interface Use {
  call: ts.CallExpression;
  row: Mapping;
  receiver: ts.Expression;
}

interface Compiled {
  use: Use;
  optimizer: string;
  lossFn: string;
  metrics: { key: string; fn: string }[];
  container: ts.Node;
  ok: boolean;
}

const CALLBACK_SIGNATURES: Record<string, string> = {
  onTrainBegin: '() => unknown', onTrainEnd: '() => unknown', onEpochBegin: '(epoch: number) => unknown',
  onEpochEnd: '(epoch: number, logs: Record<string, number>) => unknown', onBatchBegin: '(batch: number) => unknown',
  onBatchEnd: '(batch: number, logs: Record<string, number>) => unknown', onYield: '() => unknown',
};

export class TrainingRules {
  private readonly uses: Use[] = [];
  private readonly compiled = new Map<ts.Symbol, Compiled>();
  private taken: Set<string> | undefined;

  constructor(private readonly ctx: FileContext, private readonly models: ModelRules) {}

  site(call: ts.Node, row: Mapping, receiver: ts.Expression | undefined): void {
    if (!ts.isCallExpression(call) || !receiver) {
      this.ctx.todo(call, row.tf, 'compile-fit-loop', `${row.tf} used without a call`);
      return;
    }
    this.uses.push({ call, row, receiver });
  }

  private symbolOf(e: ts.Expression): ts.Symbol | undefined {
    return this.ctx.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(e) ? e.name : e);
  }

  private names(): Set<string> {
    if (!this.taken) {
      this.taken = new Set();
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) this.taken!.add(n.text);
        ts.forEachChild(n, visit);
      };
      visit(this.ctx.sf);
    }
    return this.taken;
  }

  private fresh(base: string, model: string): string {
    const names = this.names();
    const candidates = [base, `${model}${base.charAt(0).toUpperCase()}${base.slice(1)}`];
    for (const c of candidates) if (!names.has(c)) {
      names.add(c);
      return c;
    }
    for (let i = 2; ; i++) if (!names.has(`${base}${i}`)) {
      names.add(`${base}${i}`);
      return `${base}${i}`;
    }
  }

  /**
   * `--fit helper`: calls to utils.fit/evaluate/predict. A name `utils` the file declares itself would shadow the
   * runtime's namespace (it is then not imported): the loop form is written instead.
   */
  private helper(): boolean {
    return this.ctx.opts.fit === 'helper' && !this.ctx.declaredNames().has('utils');
  }

  /** Rewrites are only safe on models this file migrated, or models it receives (typed as tfjs models). */
  private modelOk(u: Use): boolean {
    const sym = this.symbolOf(u.receiver);
    const info = sym ? this.models.models.get(sym) : undefined;
    if (info && !info.migrated) {
      this.ctx.todo(u.call, u.row.tf, 'compile-fit-loop', `${u.row.tf}: the model was not migrated (see the TODO where it is built)`);
      return false;
    }
    const decl = sym?.valueDeclaration;
    if (!info && decl && ts.isVariableDeclaration(decl) && decl.initializer && this.ctx.referencesTf(decl.initializer)) {
      this.ctx.todo(u.call, u.row.tf, 'compile-fit-loop', `${u.row.tf}: the model comes from a TensorFlow.js API that was not migrated`);
      return false;
    }
    return true;
  }

  finalize(): void {
    for (const u of this.uses) {
      // Each runs once the code inside it is rewritten (and the model/compile before it are done).
      let node: ts.Node = skipParensUp(u.call);
      if (ts.isAwaitExpression(node.parent)) node = skipParensUp(node.parent);
      if (u.row.tf === 'LayersModel.compile' || u.row.tf === 'LayersModel.fit') {
        if (ts.isExpressionStatement(node.parent)) node = node.parent;
        else if (ts.isVariableDeclaration(node.parent) && ts.isVariableStatement(node.parent.parent.parent)) node = node.parent.parent.parent;
      }
      this.ctx.defer(node, () => {
        if (u.row.tf === 'LayersModel.compile') return this.compile(u);
        if (!this.modelOk(u)) return;
        if (u.row.tf === 'LayersModel.fit') this.fit(u);
        else if (u.row.tf === 'LayersModel.evaluate') this.evaluate(u);
        else this.predict(u);
      });
    }
  }

  private compile(u: Use): void {
    const ctx = this.ctx;
    const fail = (why: string) => ctx.todo(u.call, u.row.tf, 'compile-fit-loop', `model.compile: ${why}`);
    if (!this.modelOk(u)) return;
    const stmt = skipParensUp(u.call).parent;
    if (!ts.isExpressionStatement(stmt) || !(ts.isBlock(stmt.parent) || ts.isSourceFile(stmt.parent))) return fail('not a statement of its own');
    const cfgNode = u.call.arguments[0];
    if (!cfgNode || !ts.isObjectLiteralExpression(cfgNode)) return fail('the config is not an object literal');
    const cfg = ctx.argInfo(cfgNode).props ?? {};
    const model = ctx.rewritten(u.receiver);
    const modelName = ts.isIdentifier(u.receiver) ? u.receiver.text : ts.isPropertyAccessExpression(u.receiver) ? u.receiver.name.text : 'model';
    const lines: string[] = [];
    const T = ctx.typescript;
    // Optimizer.
    const opt = cfg.optimizer;
    let optimizer: string;
    if (!opt) return fail('no optimizer');
    if (opt.kind === 'string') {
      const spec = COMPILE_OPTIMIZERS[opt.value as string];
      const row = spec && lookup(spec.row);
      if (!spec || !row) return fail(`optimizer '${opt.value}' is not mapped`);
      const e = emitRow(row, {
        key: row.tf, args: spec.args.map((a) => ({ text: a, kind: 'number', value: Number(a), simple: false }) as ArgInfo),
        awaited: false, layout: ctx.opts.layout, typescript: T, paramsCode: `${model}.parameters()`,
      });
      if (e.kind !== 'code') return fail(`optimizer '${opt.value}': ${e.kind === 'todo' ? e.detail : ''}`);
      optimizer = this.fresh('optimizer', modelName);
      lines.push(`const ${optimizer} = ${e.code};`);
      ctx.note(u.call, 'optimizer-string');
    } else if (opt.kind === 'identifier') {
      optimizer = opt.text;
    } else {
      if (/\btf\b/.test(opt.text) && ctx.referencesTf(cfgNode)) return fail('the optimizer expression was not migrated');
      optimizer = this.fresh('optimizer', modelName);
      lines.push(`const ${optimizer} = ${opt.text};`);
    }
    // Loss.
    const lossArg = cfg.loss;
    if (!lossArg) return fail('no loss');
    let lossSpec: LossSpec | undefined;
    const lossFn = this.fresh('lossFn', modelName);
    const P = T ? '(yPred: torch.Tensor, yTrue: torch.Tensor)' : '(yPred, yTrue)';
    if (lossArg.kind === 'string') {
      lossSpec = COMPILE_LOSSES[lossArg.value as string];
      if (!lossSpec) return fail(`loss '${lossArg.value}' is not mapped`);
      lines.push(`const ${lossFn} = ${P} => ${fillSnippet(lossSpec.code, { yPred: 'yPred', yTrue: 'yTrue' })};`);
      for (const n of lossSpec.notes ?? []) ctx.note(u.call, n, 'LayersModel.compile');
    } else if (lossArg.kind === 'array' || lossArg.kind === 'object') {
      return fail('several losses (multi-output models) are not supported');
    } else {
      // A loss function: tfjs calls it as (yTrue, yPred) and takes the mean.
      lines.push(`const ${lossFn} = ${P} => (${lossArg.text})(yTrue, yPred).mean();`);
    }
    // Metrics.
    const metrics: { key: string; fn: string }[] = [];
    const ms = cfg.metrics;
    const list = ms ? (ms.kind === 'array' ? ms.elements ?? [] : [ms]) : [];
    for (const m of list) {
      if (m.kind !== 'string') return fail('metrics must be names (strings)');
      const spec = COMPILE_METRICS[m.value as string];
      if (!spec) return fail(`metric '${m.value}' is not mapped`);
      const key = spec === 'accuracy' ? 'acc' : spec.key;
      const code = spec === 'accuracy' ? ACCURACY_METRICS[lossSpec?.accuracy ?? 'categorical'] : spec.code;
      const fn = this.fresh(`${key}Fn`, modelName);
      lines.push(`const ${fn} = ${P} => ${fillSnippet(code, { yPred: 'yPred', yTrue: 'yTrue' })};`);
      metrics.push({ key, fn });
      if (spec === 'accuracy') ctx.note(u.call, 'accuracy-metric');
    }
    const indent = ctx.indent(stmt);
    const ok = ctx.rewrite(stmt, u.row.tf, lines.join(`\n${indent}`), [this.helper() ? 'fit-helper' : 'compile-fit-loop'], undefined, [model, opt.text, lossArg.text]);
    const sym = this.symbolOf(u.receiver);
    if (sym) this.compiled.set(sym, { use: u, optimizer, lossFn, metrics, container: stmt.parent, ok });
  }

  private compiledFor(u: Use): Compiled | undefined {
    const sym = this.symbolOf(u.receiver);
    const c = sym ? this.compiled.get(sym) : undefined;
    if (!c || !c.ok) {
      this.ctx.todo(u.call, u.row.tf, 'fit-no-compile', `${u.row.tf}: no migrated model.compile for this model in this file`);
      return undefined;
    }
    // The compile's names must be in scope here: the fit sits inside the block that holds the compile.
    let n: ts.Node | undefined = u.call;
    while (n && n !== c.container) n = n.parent;
    if (!n || u.call.pos < c.use.call.pos) {
      this.ctx.todo(u.call, u.row.tf, 'fit-no-compile', `${u.row.tf}: model.compile is in another scope (or later); move it before this call in the same function`);
      return undefined;
    }
    return c;
  }

  /** fit's x, y and options, as far as the loop (and the helper) support them; undefined after a TODO. */
  private fitArgs(u: Use, fail: (why: string) => void): { xN: ts.Expression; yN: ts.Expression; argsN?: ts.Expression; o: Record<string, ArgInfo> } | undefined {
    const ctx = this.ctx;
    const [xN, yN, argsN] = u.call.arguments;
    if (!xN || !yN) return void fail('x and y are needed (datasets: fitDataset is not migrated)');
    if (ts.isArrayLiteralExpression(xN) || ts.isArrayLiteralExpression(yN)) return void fail('several inputs/outputs are not supported');
    const args = argsN ? ctx.argInfo(argsN) : undefined;
    if (argsN && args?.kind !== 'object') return void fail('the options are not an object literal');
    const o = args?.props ?? {};
    for (const k of Object.keys(o)) {
      if (!['batchSize', 'epochs', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose'].includes(k)) return void fail(`option '${k}' has no loop equivalent here`);
    }
    const cb = o.callbacks;
    if (cb && cb.kind !== 'object') return void fail('callbacks must be an object literal of functions (onEpochEnd, onBatchEnd, ...)');
    for (const k of Object.keys(cb?.props ?? {})) if (!CALLBACK_SIGNATURES[k]) return void fail(`callback '${k}' is not supported`);
    if (o.shuffle && o.shuffle.kind === 'string') return void fail("shuffle 'batch' is not supported");
    return { xN, yN, argsN, o };
  }

  /**
   * `await model.fit(x, y, { ... })` → `await utils.fit(model, x, y, { loss, optimizer, metrics, ... })`: only the
   * call changes; the options literal keeps its properties, comments and layout, with the compiled loss, optimizer
   * and metrics first (verbose is dropped: the loop ignores it too).
   */
  private fitHelper(u: Use, c: Compiled): void {
    const ctx = this.ctx;
    const fail = (why: string) => ctx.todo(u.call, u.row.tf, 'fit-options-unsupported', `model.fit: ${why}`);
    const a = this.fitArgs(u, fail);
    if (!a) return;
    const { xN, yN, argsN, o } = a;
    const compiled = [`loss: ${c.lossFn}`, `optimizer: ${c.optimizer}`];
    if (c.metrics.length) compiled.push(`metrics: { ${c.metrics.map((m) => `${m.key}: ${m.fn}`).join(', ')} }`);
    const options = argsN && ts.isObjectLiteralExpression(argsN) ? this.withCompiled(argsN, compiled) : `{ ${compiled.join(', ')} }`;
    const model = ctx.rewritten(u.receiver);
    const top = skipParensUp(ts.isAwaitExpression(skipParensUp(u.call).parent) ? skipParensUp(u.call).parent : u.call);
    const notes: Mapping['notes'] = ['fit-helper', 'fit-shuffle', 'fit-logs', ...(ts.isVariableDeclaration(top.parent) ? ['fit-history' as const] : []),
      ...(o.validationSplit ? ['fit-validation-split' as const] : [])];
    const user = [model, ctx.rewritten(xN), ctx.rewritten(yN), ...(argsN ? [ctx.rewritten(argsN)] : [])];
    ctx.rewrite(u.call, u.row.tf, `utils.fit(${model}, ${ctx.rewritten(xN)}, ${ctx.rewritten(yN)}, ${options})`, notes, undefined, user);
  }

  /** The (rewritten) options literal without `verbose`, with `compiled` properties first, in its own layout. */
  private withCompiled(lit: ts.ObjectLiteralExpression, compiled: string[]): string {
    const ctx = this.ctx;
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
    const body = text.slice(1);
    const multi = /^([ \t]*\r?\n[ \t]*)/.exec(body);
    if (multi && !/^\s*\}$/.test(body)) {
      const sep = multi[1];
      return `{${sep}${compiled.map((p) => `${p},`).join(sep)}${sep}${body.slice(sep.length)}`;
    }
    const rest = body.trim();
    return rest === '}' ? `{ ${compiled.join(', ')} }` : `{ ${compiled.join(', ')}, ${body.trimStart()}`;
  }

  private fit(u: Use): void {
    const ctx = this.ctx;
    const c = this.compiledFor(u);
    if (!c) return;
    if (this.helper()) return this.fitHelper(u, c);
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
    const a = this.fitArgs(u, fail);
    if (!a) return;
    const { xN, yN, o } = a;
    const cb = o.callbacks;
    const T = ctx.typescript;
    const ind = ctx.indent(stmt);
    const i1 = `${ind}  `;
    const i2 = `${ind}    `;
    const i3 = `${ind}      `;
    const model = ctx.rewritten(u.receiver);
    const canAwait = this.canAwait(u.call);
    const aw = canAwait ? 'await ' : '';
    const batchSize = o.batchSize?.text ?? '32';
    const epochs = o.epochs ? (o.epochs.simple || o.epochs.kind === 'number' ? o.epochs.text : `(${o.epochs.text})`) : '1';
    const shuffle = o.shuffle?.text ?? 'true';
    // A user variable named `data` would shadow the runtime's namespace: batch by hand then.
    const useLoader = !this.names().has('data');
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
  private canAwait(node: ts.Node): boolean {
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
      if (ts.isFunctionLike(n)) return !!(ts.getCombinedModifierFlags(n as ts.Declaration) & ts.ModifierFlags.Async);
    }
    return !/\.c[jt]s$/.test(this.ctx.fileName) && this.ctx.tfImports.some((i) => i.kind === 'import');
  }

  private evaluate(u: Use): void {
    const ctx = this.ctx;
    const c = this.compiledFor(u);
    if (!c) return;
    const [xN, yN] = u.call.arguments;
    if (!xN || !yN) {
      ctx.todo(u.call, u.row.tf, 'evaluate-returns', 'model.evaluate needs x and y');
      return;
    }
    const model = ctx.rewritten(u.receiver);
    if (this.helper()) {
      const argsN = u.call.arguments[2];
      const o = argsN ? ctx.argInfo(argsN) : undefined;
      if (argsN && o?.kind !== 'object') return void ctx.todo(u.call, u.row.tf, 'evaluate-returns', 'model.evaluate: the options are not an object literal');
      const extra = Object.keys(o?.props ?? {}).find((k) => k !== 'batchSize' && k !== 'verbose');
      if (extra) return void ctx.todo(u.call, u.row.tf, 'evaluate-returns', `model.evaluate: option '${extra}' is not supported by utils.evaluate`);
      const opts = [`loss: ${c.lossFn}`];
      if (c.metrics.length) opts.push(`metrics: { ${c.metrics.map((m) => `${m.key}: ${m.fn}`).join(', ')} }`);
      if (o?.props?.batchSize) opts.push(`batchSize: ${o.props.batchSize.text}`);
      const user = [model, ctx.rewritten(xN), ctx.rewritten(yN), o?.props?.batchSize?.text ?? ''];
      ctx.rewrite(u.call, u.row.tf, `utils.evaluate(${model}, ${ctx.rewritten(xN)}, ${ctx.rewritten(yN)}, { ${opts.join(', ')} })`, ['fit-helper', 'evaluate-returns'], undefined, user);
      return;
    }
    const results = [`${c.lossFn}(pred, target)`, ...c.metrics.map((m) => `${m.fn}(pred, target)`)];
    const ret = results.length === 1 ? results[0] : `[${results.join(', ')}]`;
    ctx.rewrite(u.call, u.row.tf, `torch.noGrad(() => { ${model}.eval(); const pred = ${model}.forward(${ctx.rewritten(xN)}); const target = ${ctx.rewritten(yN)}; return ${ret}; })`, loopNotes(u.row), undefined, [model, ctx.rewritten(xN), ctx.rewritten(yN)]);
  }

  private predict(u: Use): void {
    const ctx = this.ctx;
    const x = u.call.arguments[0];
    if (!x) {
      ctx.todo(u.call, u.row.tf, 'predict-eval', 'model.predict needs an input');
      return;
    }
    if (ts.isArrayLiteralExpression(x)) {
      ctx.todo(u.call, u.row.tf, 'predict-eval', 'model.predict with several inputs: call model.forward(a, b) under torch.noGrad');
      return;
    }
    const model = ctx.rewritten(u.receiver);
    if (this.helper() && u.row.tf === 'LayersModel.predict') {
      const argsN = u.call.arguments[1];
      const o = argsN ? ctx.argInfo(argsN) : undefined;
      if (argsN && o?.kind !== 'object') return void ctx.todo(u.call, u.row.tf, 'predict-eval', 'model.predict: the options are not an object literal');
      const extra = Object.keys(o?.props ?? {}).find((k) => k !== 'batchSize' && k !== 'verbose');
      if (extra) return void ctx.todo(u.call, u.row.tf, 'predict-eval', `model.predict: option '${extra}' is not supported by utils.predict`);
      const bs = o?.props?.batchSize?.text;
      ctx.rewrite(u.call, u.row.tf, `utils.predict(${model}, ${ctx.rewritten(x)}${bs ? `, { batchSize: ${bs} }` : ''})`, ['fit-helper', 'predict-eval'], undefined, [model, ctx.rewritten(x), bs ?? '']);
      return;
    }
    const recv = ts.isIdentifier(u.receiver) || ts.isPropertyAccessExpression(u.receiver) ? model : `(${model})`;
    ctx.rewrite(u.call, u.row.tf, `torch.noGrad(() => ${recv}.eval().forward(${ctx.rewritten(x)}))`, loopNotes(u.row), undefined, [model, ctx.rewritten(x)]);
  }
}

/** The row's notes for the loop form (the row also documents the helper form). */
const loopNotes = (row: Mapping): NoteId[] => (row.notes ?? []).filter((n) => n !== 'fit-helper');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
