/**
 * compileFit: `model.compile({ optimizer, loss, metrics })` becomes the optimizer and loss function
 * (training_compile.ts); `model.fit` the explicit PyTorch-style training loop (fit_loop.ts) with tfjs's batch size,
 * epochs, shuffling, validation and callbacks; `evaluate`/`predict` run the model in eval mode without gradients.
 * With `fit: 'helper'` the fit/evaluate/predict sites become calls to the runtime's `utils.fit/evaluate/predict`
 * (fit_helper.ts) with the same loss, optimizer, metrics and options.
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import { lookup } from '../../mappings/index.js';
import { type FileContext, skipParensUp } from '../context.js';
import { emitDatasetHelper, emitEvaluateHelper, emitFitHelper, emitPredictHelper } from './fit_helper.js';
import { callbacksNeedHelper } from './fit_args.js';
import { emitEvaluateLoop, emitFitLoop, emitPredictLoop, insideGradientFunction } from './fit_loop.js';
import type { ModelRules } from './models.js';
import type { ModelInfo } from './model_registry.js';
import type { Facts } from './facts.js';
import type { PatternRule } from './pattern_site.js';
import { type Compiled, compileModel, TrainingNames, type Use } from './training_compile.js';

/** The compileFit rule: compile/fit/evaluate/predict on a model, rewritten at finalize (models first). */
export const compileFit: PatternRule = ({ node, row, receiver, rules }) => rules.training.site(node, row, receiver);

export class TrainingRules {
  private readonly uses: Use[] = [];
  private readonly compiled = new Map<ts.Symbol, Compiled>();
  private readonly names: TrainingNames;

  constructor(private readonly ctx: FileContext, private readonly models: ModelRules, private readonly facts: Facts) {
    this.names = new TrainingNames(ctx);
  }

  site(call: ts.Node, row: Mapping, receiver: ts.Expression | undefined): void {
    if (!ts.isCallExpression(call) || !receiver) {
      this.ctx.todo(call, row.tf, 'compile-fit-loop', `${row.tf} used without a call`);
      return;
    }
    this.uses.push({ call, row, receiver });
  }

  /** What the model rules know of the receiver (its tfjs input/output names). */
  private infoOf(u: Use): ModelInfo | undefined {
    const sym = this.symbolOf(u.receiver);
    return sym ? this.models.models.get(sym) : undefined;
  }

  private symbolOf(e: ts.Expression): ts.Symbol | undefined {
    return this.ctx.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(e) ? e.name : e);
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
    if (!info && decl && ts.isVariableDeclaration(decl) && decl.initializer && this.ctx.referencesTf(decl.initializer) && !this.loadedByMigratedCall(decl.initializer)) {
      this.ctx.todo(u.call, u.row.tf, 'compile-fit-loop', `${u.row.tf}: the model comes from a TensorFlow.js API that was not migrated`);
      return false;
    }
    const builder = !info && decl && ts.isVariableDeclaration(decl) && decl.initializer ? this.unmigratedBuilder(decl.initializer) : undefined;
    if (builder) {
      this.ctx.todo(u.call, u.row.tf, 'compile-fit-loop', `${u.row.tf}: the model comes from ${builder}(), where it was not migrated (see the TODO there)`);
      return false;
    }
    return true;
  }

  /** `build(...)` (awaited or not) of a function in this file that returns a model it could not migrate: its name. */
  private unmigratedBuilder(init: ts.Expression): string | undefined {
    let e = init;
    while (ts.isAwaitExpression(e) || ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression)) return undefined;
    const fn = this.ctx.checker.getSymbolAtLocation(e.expression)?.valueDeclaration;
    const body = fn && (ts.isFunctionDeclaration(fn) ? fn.body : ts.isVariableDeclaration(fn) && fn.initializer && (ts.isArrowFunction(fn.initializer) || ts.isFunctionExpression(fn.initializer)) ? fn.initializer.body : undefined);
    if (!body) return undefined;
    for (const m of this.models.models.values()) {
      if (m.migrated || !m.sym?.valueDeclaration) continue;
      const d = m.sym.valueDeclaration;
      if (d.pos >= body.pos && d.end <= body.end) return e.expression.text;
    }
    return undefined;
  }

  /**
   * `await tf.loadLayersModel(path)` and the like: a call whose row migrates it (not manual) and says it returns a
   * model, with arguments free of tf. The migrated value is a module, which evaluate/predict can run.
   */
  private loadedByMigratedCall(init: ts.Expression): boolean {
    let e: ts.Expression = init;
    while (ts.isAwaitExpression(e) || ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (!ts.isCallExpression(e)) return false;
    const key = this.ctx.qualify(e.expression);
    const row = key ? lookup(key) : undefined;
    if (!row || row.status === 'manual' || (row.returns !== 'LayersModel' && row.returns !== 'Sequential')) return false;
    return !e.arguments.some((a) => this.ctx.referencesTf(a));
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
        else if (DATASET_METHODS.has(u.row.tf)) this.datasetHelper(u);
        else if (u.row.tf === 'LayersModel.evaluate') this.evaluate(u);
        else this.predict(u);
      });
    }
  }

  private compile(u: Use): void {
    if (!this.modelOk(u)) return;
    const record = this.escapes(u) && !this.ctx.declaredNames().has('utils');
    const c = compileModel(this.ctx, u, this.names, this.helper(), record, this.infoOf(u)?.outputNames);
    if (!c) return;
    const sym = this.symbolOf(u.receiver);
    if (sym) this.compiled.set(sym, { use: u, ...c });
  }

  /**
   * Whether the compiled model is used where the compile's names are not in scope — another function or file:
   * it is declared outside the compile's block (a parameter, an outer or exported variable, a property), or
   * leaves it (returned, passed, stored, exported). Such a compile also records itself with utils.compile.
   */
  private escapes(u: Use): boolean {
    const sym = this.symbolOf(u.receiver);
    const stmt = skipParensUp(u.call).parent;
    const container = stmt.parent;
    if (!sym || !ts.isIdentifier(u.receiver)) return true;
    const decl = sym.valueDeclaration;
    if (!decl || !within(decl, container) || ts.isParameter(decl)) return true;
    const declStmt = ts.isVariableDeclaration(decl) ? decl.parent.parent : undefined;
    if (declStmt && ts.isVariableStatement(declStmt) && declStmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
    for (const r of this.facts.refs(sym)) {
      if (!within(r, container)) return true;
      let e: ts.Node = r;
      while (ts.isParenthesizedExpression(e.parent) || ts.isAsExpression(e.parent) || ts.isNonNullExpression(e.parent)) e = e.parent;
      const p = e.parent;
      if (ts.isReturnStatement(p) || ts.isExportSpecifier(p) || ts.isExportAssignment(p) || ts.isArrayLiteralExpression(p) ||
        ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isArrowFunction(p) ||
        (ts.isCallExpression(p) && p.arguments.includes(e as ts.Expression)) || (ts.isNewExpression(p) && p.arguments?.includes(e as ts.Expression)) ||
        (ts.isBinaryExpression(p) && p.right === e && p.operatorToken.kind === ts.SyntaxKind.EqualsToken)) return true;
    }
    return false;
  }

  /**
   * The compile this fit/evaluate uses: the one in scope before it, else — when the compile is in another file
   * or function — `'record'`: the call becomes utils.fit/evaluate on the model's utils.compile record.
   */
  private compiledFor(u: Use): Compiled | 'record' | undefined {
    const sym = this.symbolOf(u.receiver);
    const c = sym ? this.compiled.get(sym) : undefined;
    if (c && !c.ok) {
      this.ctx.todo(u.call, u.row.tf, 'fit-no-compile', `${u.row.tf}: the model's model.compile was not migrated (see its TODO)`);
      return undefined;
    }
    // The compile's names must be in scope here: the fit sits inside the block that holds the compile, after it.
    if (c && within(u.call, c.container) && u.call.pos > c.use.call.pos) return c;
    if (this.ctx.declaredNames().has('utils')) {
      this.ctx.todo(u.call, u.row.tf, 'fit-no-compile', `${u.row.tf}: model.compile is in another file or scope, and this file's own 'utils' hides the runtime's utils.fit/evaluate`);
      return undefined;
    }
    if (c && !c.recorded) {
      this.ctx.todo(u.call, u.row.tf, 'fit-no-compile', `${u.row.tf}: model.compile comes later in this scope; move it before this call`);
      return undefined;
    }
    return 'record';
  }

  private fit(u: Use): void {
    const c = this.compiledFor(u);
    if (!c) return;
    // Callback lists and objects (tf.callbacks.earlyStopping(), a variable) go to utils.fit, which takes them.
    const helper = c === 'record' || this.helper() || (callbacksNeedHelper(this.ctx, u) && !this.ctx.declaredNames().has('utils'));
    if (helper) emitFitHelper(this.ctx, u, c, this.infoOf(u));
    else emitFitLoop(this.ctx, u, c, this.names, this.infoOf(u));
  }

  /** fitDataset / evaluateDataset / trainOnBatch: always runtime helpers (their loops are tfjs's, not a few lines). */
  private datasetHelper(u: Use): void {
    const c = this.compiledFor(u);
    if (c) emitDatasetHelper(this.ctx, u, c, this.infoOf(u));
  }

  private evaluate(u: Use): void {
    const c = this.compiledFor(u);
    if (!c) return;
    const [xN, yN] = u.call.arguments;
    if (!xN || !yN) {
      this.ctx.todo(u.call, u.row.tf, 'evaluate-returns', 'model.evaluate needs x and y');
      return;
    }
    const info = this.infoOf(u);
    // Several inputs/outputs: utils.evaluate, whose result is tfjs's list (a loop of a few lines would not say it).
    const several = c !== 'record' && !!c.outputs || (info?.outputNames?.length ?? 1) > 1 || (info?.inputNames?.length ?? 1) > 1 || ts.isArrayLiteralExpression(xN) || ts.isArrayLiteralExpression(yN);
    if (c === 'record' || this.helper() || (several && !this.ctx.declaredNames().has('utils'))) emitEvaluateHelper(this.ctx, u, c, xN, yN, info);
    else if (several) this.ctx.todo(u.call, u.row.tf, 'evaluate-returns', "model.evaluate with several inputs/outputs: utils.evaluate does it, but this file's own 'utils' hides the runtime's");
    else emitEvaluateLoop(this.ctx, u, c, xN, yN);
  }

  private predict(u: Use): void {
    const x = u.call.arguments[0];
    if (!x) {
      this.ctx.todo(u.call, u.row.tf, 'predict-eval', 'model.predict needs an input');
      return;
    }
    if (ts.isArrayLiteralExpression(x)) {
      this.ctx.todo(u.call, u.row.tf, 'predict-eval', 'model.predict with several inputs: call model.forward(a, b) under torch.noGrad');
      return;
    }
    if (this.helper() && u.row.tf === 'LayersModel.predict' && !insideGradientFunction(this.ctx, u.call)) emitPredictHelper(this.ctx, u, x);
    else emitPredictLoop(this.ctx, u, x);
  }
}

const DATASET_METHODS = new Set(['LayersModel.fitDataset', 'LayersModel.evaluateDataset', 'LayersModel.trainOnBatch']);

function within(node: ts.Node, container: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === container) return true;
  return false;
}
