/**
 * Pattern rules for models:
 * - sequentialModel: `tf.sequential({ layers })` or `tf.sequential()` + `model.add(layer)` statements → nn.Sequential
 *   (layers appended in place), or an nn.Module class when the chain needs more than modules in a row (input
 *   permute, RNN outputs, ops without a module);
 * - functionalModel: `tf.input` + `layer.apply(...)` + `tf.model({ inputs, outputs })` → an nn.Module class whose
 *   forward replays the graph.
 * TensorFlow's initialisation is written out (a loop over the model's modules).
 */
import { ts } from 'ts-morph';
import type { LayerPlan, Mapping, Shape } from '../../mappings/schema.js';
import { fillSnippet } from '../../mappings/template.js';
import type { FileContext } from '../context.js';
import { buildChain, classCode, className, FieldNames, initLoop, permutes, planLayer, resolveStep, timeDistributedInner, timeDistributedPlan, type ChainLayer, type Field } from './model_code.js';
import type { Facts } from './facts.js';
import { eagerLayer } from './eager_layers.js';
import { blockStatement as blockStatementOf, GraphFallback, layerModule, type LayerModule } from './graph_fallback.js';
import { addInputShapes } from './add_shapes.js';
import { getLayerSite, loadedModelCut } from './loaded_model_cut.js';
import type { PatternRule } from './pattern_site.js';

export interface ModelInfo {
  name: string;
  sym?: ts.Symbol;
  /** Migrated to a runtime module (fit/predict on it can be rewritten). */
  migrated: boolean;
  /** Where the model becomes usable (the statement after which it exists, fully built). */
  readyAt: ts.Node;
}

interface SequentialPlan {
  call: ts.CallExpression;
  row: Mapping;
  name?: string;
  sym?: ts.Symbol;
  stmt: ts.Statement;
  adds: ts.ExpressionStatement[];
}

/** The rules the table's sequentialModel and functionalModel rows name (ModelRules.site tells them apart). */
export const sequentialModel: PatternRule = (site) => site.rules.models.site(site.node, site.row);
export const functionalModel: PatternRule = sequentialModel;

export class ModelRules {
  readonly layerCalls = new Map<ts.CallExpression, Mapping>();
  readonly inputs = new Map<ts.CallExpression, Mapping>();
  readonly applies = new Map<ts.CallExpression, Mapping>();
  private readonly sequential: SequentialPlan[] = [];
  private readonly functional: { call: ts.CallExpression; row: Mapping }[] = [];
  private readonly orphanAdds: { node: ts.CallExpression; row: Mapping }[] = [];
  private readonly consumed = new Set<ts.Node>();
  readonly models = new Map<ts.Symbol, ModelInfo>();
  private taken: Set<string> | undefined;
  private graph: GraphFallback | undefined;
  /** tf.model calls the static rule could not trace, rewritten last (after the graph inside their config). */
  private readonly graphModels: { call: ts.CallExpression; row: Mapping }[] = [];

  constructor(private readonly ctx: FileContext, private readonly facts: Facts) {}

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

  site(node: ts.Node, row: Mapping): void {
    const ctx = this.ctx;
    if (!ts.isCallExpression(node)) {
      ctx.todo(node, row.tf, 'no-equivalent', `${row.tf} used without a call`);
      return;
    }
    if (row.tf === 'tf.sequential') {
      const stmt = ts.isVariableDeclaration(node.parent) ? node.parent.parent.parent : node.parent;
      const decl = ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent : undefined;
      // `model = tf.sequential(...);` assigning a variable declared elsewhere (a module-level `let head;`).
      const assigned = assignedName(node);
      if (assigned) {
        this.sequential.push({ call: node, row, stmt: node.parent.parent as ts.ExpressionStatement, name: assigned.text, sym: ctx.checker.getSymbolAtLocation(assigned), adds: [] });
        return;
      }
      if (!(decl && ts.isVariableStatement(stmt) && (decl.parent as ts.VariableDeclarationList).declarations.length === 1) && !ts.isReturnStatement(node.parent)) {
        ctx.todo(node, row.tf, 'sequential-model', 'tf.sequential: declare the model with `const model = tf.sequential(...)`, assign it (`model = tf.sequential(...);`) or return it so it can be rewritten');
        return;
      }
      this.sequential.push({
        call: node, row, stmt: ts.isReturnStatement(node.parent) ? node.parent : (stmt as ts.Statement),
        name: decl ? (decl.name as ts.Identifier).text : undefined, sym: decl ? ctx.checker.getSymbolAtLocation(decl.name) : undefined, adds: [],
      });
      return;
    }
    if (row.tf === 'Sequential.add') {
      // Which model it adds to is settled in finalize (by the receiver's symbol).
      this.orphanAdds.push({ node, row });
      return;
    }
    if (row.tf === 'tf.model') {
      this.functional.push({ call: node, row });
      return;
    }
    if (row.tf === 'tf.input' || row.tf === 'tf.layers.input') {
      this.inputs.set(node, row);
      return;
    }
    if (row.tf === 'Layer.apply') {
      this.applies.set(node, row);
      return;
    }
    if (row.tf === 'LayersModel.getLayer') return getLayerSite(ctx, node, row);
    ctx.todo(node, row.tf, 'no-equivalent', `${row.tf}: no rule for this use`);
  }

  /** A tf.layers.* call (kept for a model; a TODO if no model uses it). */
  layer(node: ts.CallExpression, row: Mapping): void {
    this.layerCalls.set(node, row);
  }

  finalize(): void {
    for (const f of this.functional) {
      const d = f.call.parent;
      this.ctx.defer(ts.isVariableDeclaration(d) ? d.parent.parent : f.call, () => this.finalizeFunctional(f.call, f.row));
    }
    for (const s of this.sequential) {
      s.adds = this.orphanAdds.filter((a) => this.addBelongsTo(a.node, s)).map((a) => a.node.parent as ts.ExpressionStatement);
      for (const a of s.adds) this.consumed.add(a.expression);
      this.ctx.defer(s.adds.length ? s.adds[s.adds.length - 1] : s.stmt, () => this.finalizeSequential(s));
    }
    this.ctx.after(() => this.leftovers());
  }

  /** The runtime symbolic graph, for what the static rules cannot trace. */
  private fallback(): GraphFallback {
    this.graph ??= new GraphFallback(this.ctx, this.names());
    return this.graph;
  }

  private leftovers(): void {
    for (const a of this.orphanAdds) {
      if (!this.consumed.has(a.node)) this.ctx.todo(a.node, a.row.tf, 'sequential-model', 'model.add on a model that was not created with tf.sequential in this file (or added conditionally)');
    }
    // Innermost first: a rewrite reads the rewritten text of what it contains, so what it contains goes before it.
    const outer = (c: ts.CallExpression): ts.Node => (ts.isPropertyAccessExpression(c.parent) && ts.isCallExpression(c.parent.parent) ? c.parent.parent : c);
    // The layer a timeDistributed wraps is planned with it (or is part of its TODO), never on its own.
    for (const [call, row] of this.layerCalls) {
      const inner = row.tf === 'tf.layers.timeDistributed' ? timeDistributedInner(call) : undefined;
      if (inner && ts.isCallExpression(inner) && this.layerCalls.has(inner)) this.consumed.add(inner);
    }
    for (const [call, row] of [...this.layerCalls].sort((a, b) => outer(a[0]).end - outer(b[0]).end || outer(b[0]).pos - outer(a[0]).pos)) {
      if (this.consumed.has(call)) continue;
      const eager = eagerLayer(this.ctx, this.facts, call, row, this.applies, this.consumed);
      const graph = eager === undefined ? true : this.layerOnGraph(call, row);
      const why = graph === true ? undefined : graph ?? eager;
      if (why !== undefined) this.ctx.todo(call, row.tf, 'layer-standalone', `${row.tf}: a layer outside tf.sequential/tf.model: ${why}`);
    }
    for (const [m, map] of [[this.inputs, 'tf.input'], [this.applies, 'Layer.apply']] as const) {
      for (const [call, row] of m) {
        if (this.consumed.has(call)) continue;
        if (map === 'tf.input') {
          const why = this.fallback().input(call, row);
          if (why === undefined) {
            this.consumed.add(call);
            continue;
          }
          this.ctx.todo(call, row.tf, 'functional-model', `${row.tf}: ${why}`);
          continue;
        }
        if (this.applyOnModel(call)) continue;
        const onLayer = map === 'Layer.apply' && ts.isPropertyAccessExpression(call.expression) && this.declaredLayer(call.expression.expression);
        this.ctx.todo(call, row.tf ?? map, 'functional-model', onLayer
          ? `${row.tf}: a layer applied outside a tf.model whose layer could not be migrated (see the layer's TODO)`
          : `${row.tf}: a symbolic graph outside a tf.model(...) the transpiler could trace`);
      }
    }
    this.graphModelsLast();
  }

  /** The tf.model calls left to the runtime graph, innermost first (a model built inside another's config). */
  private graphModelsLast(): void {
    for (const { call, row } of [...this.graphModels].sort((a, b) => a.call.end - b.call.end)) this.fallback().model(call, row);
  }

  /**
   * A layer the eager rule could not take, applied on the runtime graph: inline (`tf.layers.x(c).apply(a)`) or
   * declared and only ever applied. True when done, else why not; undefined when neither form applies.
   */
  private layerOnGraph(call: ts.CallExpression, row: Mapping): true | string | undefined {
    const pa = call.parent;
    const apply = pa && ts.isPropertyAccessExpression(pa) && pa.expression === call && pa.name.text === 'apply' && ts.isCallExpression(pa.parent) && pa.parent.expression === pa ? pa.parent : undefined;
    if (apply && this.applies.has(apply)) {
      const why = this.fallback().inlineApply(apply, call, row);
      if (why !== undefined) return why;
      this.consumed.add(call).add(apply);
      return true;
    }
    const decl = call.parent;
    if (!ts.isVariableDeclaration(decl) || decl.initializer !== call || !ts.isIdentifier(decl.name)) return undefined;
    const sym = this.ctx.checker.getSymbolAtLocation(decl.name);
    if (!sym) return undefined;
    const uses: ts.CallExpression[] = [];
    for (const r of this.facts.refs(sym)) {
      if (r === decl.name) continue;
      const p = r.parent;
      const c = p?.parent;
      if (!ts.isPropertyAccessExpression(p) || p.expression !== r || p.name.text !== 'apply' || !c || !ts.isCallExpression(c) || c.expression !== p || !this.applies.has(c)) return undefined;
      uses.push(c);
    }
    if (!uses.length) return undefined;
    const why = this.fallback().declaredLayer(call, row, uses);
    if (why !== undefined) return why;
    this.consumed.add(call);
    for (const u of uses) this.consumed.add(u);
    return true;
  }

  /** `model.apply(x)` on a model this file migrated (a module): `nn.apply(model, x)`. */
  private applyOnModel(call: ts.CallExpression): boolean {
    if (!ts.isPropertyAccessExpression(call.expression) || call.arguments.length !== 1) return false;
    const recv = call.expression.expression;
    if (!ts.isIdentifier(recv)) return false;
    const sym = this.ctx.checker.getSymbolAtLocation(recv);
    if (!sym || !this.models.get(sym)?.migrated) return false;
    const arg = this.ctx.rewritten(call.arguments[0]);
    if (!this.ctx.rewrite(call, 'Layer.apply', `nn.apply(${recv.text}, ${arg})`, ['functional-graph'], undefined, [arg, recv.text])) return false;
    this.consumed.add(call);
    return true;
  }

  /** `layer` is a variable holding a tf.layers.* call of this file. */
  private declaredLayer(e: ts.Expression): boolean {
    const d = ts.isIdentifier(e) ? this.ctx.checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
    return !!d && ts.isVariableDeclaration(d) && !!d.initializer && ts.isCallExpression(d.initializer) && this.layerCalls.has(d.initializer);
  }

  private addBelongsTo(call: ts.CallExpression, s: SequentialPlan): boolean {
    const recv = (call.expression as ts.PropertyAccessExpression).expression;
    if (!s.sym || !ts.isIdentifier(recv) || this.ctx.checker.getSymbolAtLocation(recv) !== s.sym) return false;
    return ts.isExpressionStatement(call.parent) && call.parent.pos > s.stmt.pos && topStatement(call.parent, s.stmt.parent) !== undefined;
  }

  /** The tf.layers.* call behind a layer expression (inline, or a const holding it). */
  private layerOf(expr: ts.Expression): { call: ts.CallExpression | ts.NewExpression; row: Mapping; decl?: ts.VariableStatement; plan?: ChainLayer['plan'] } | undefined {
    let e = expr;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isCallExpression(e) && this.layerCalls.has(e)) {
      const row = this.layerCalls.get(e)!;
      if (row.tf === 'tf.layers.timeDistributed') return { call: e, row, plan: this.timeDistributed(e) };
      return { call: e, row };
    }
    if (ts.isNewExpression(e)) {
      const custom = this.customLayer(e);
      if (custom) return custom;
    }
    if (ts.isIdentifier(e)) {
      const d = this.ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
      if (d && ts.isVariableDeclaration(d) && d.initializer) {
        const inner = this.layerOf(d.initializer);
        if (inner) return { ...inner, decl: (d.parent as ts.VariableDeclarationList).declarations.length === 1 && ts.isVariableStatement(d.parent.parent) ? d.parent.parent : undefined };
      }
    }
    return undefined;
  }

  /**
   * `new X(args)` of a class declared in this file as `class X extends tf.layers.Layer` (it becomes a
   * compat.layers.Layer, an nn.Module): one module step in tfjs's layout, its output shape unknown statically (the
   * layers after it are sized on their first call). It is built where it is made, with the symbolic input shape
   * tfjs's model.add builds it with (batch dim null): its weights must exist before the optimizer is made from
   * model.parameters(), or they would silently never train. Without a static input shape that cannot be done, so
   * the model is not rebuilt (a TODO says why).
   */
  private customLayer(e: ts.NewExpression): { call: ts.NewExpression; row: Mapping; plan: (shape: Shape | null) => LayerPlan | { error: string } } | undefined {
    if (!ts.isIdentifier(e.expression)) return undefined;
    const d = this.ctx.checker.getSymbolAtLocation(e.expression)?.valueDeclaration;
    if (!d || !ts.isClassDeclaration(d)) return undefined;
    const base = d.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!base || this.ctx.qualify(base) !== 'tf.layers.Layer') return undefined;
    const args = this.ctx.callSite('tf.layers.Layer', e).args.map((a) => a.text).join(', ');
    const name = e.expression.text;
    const field = name.charAt(0).toLowerCase() + name.slice(1);
    return {
      call: e,
      row: { tf: 'tf.layers.Layer', kind: 'class', status: 'exact', notes: ['custom-layer'] },
      plan: (shape) => (shape && shape.every((d) => d !== null)
        ? { steps: [{ kind: 'module', name: field, code: `compat.layers.build(new ${name}(${args}), [null, ${shape.join(', ')}])` }], outputShape: null, requires: 'tf', produces: 'tf' }
        : { error: `custom layer ${name}: its input shape is not known statically, so it cannot be built where the model is made, and weights it creates on its first call would not be in an optimizer made before that; give the model an inputShape, or build the layer by hand (layer.build([null, ...])) before making the optimizer` }),
    };
  }

  /** tf.layers.timeDistributed({ layer: tf.layers.x(...) }): planned from the wrapped layer's call (model_code.ts). */
  private timeDistributed(call: ts.CallExpression): ChainLayer['plan'] {
    const expr = timeDistributedInner(call);
    const inner = expr ? this.layerOf(expr) : undefined;
    return (shape) => {
      const ok = inner && !inner.plan && ts.isCallExpression(inner.call) ? inner : undefined;
      if (ok) this.consumed.add(ok.call);
      return timeDistributedPlan(ok && { row: ok.row, site: this.ctx.callSite(ok.row.tf, ok.call) }, shape, this.ctx.callSite('tf.layers.timeDistributed', call));
    };
  }

  /** The user's code inside layer configs (kept out of the runtime-name check). */
  private userTexts(calls: (ts.CallExpression | ts.NewExpression)[]): string[] {
    return calls.flatMap((c) => this.ctx.callSite('', c).args.flatMap((a) => [a.text, ...Object.values(a.props ?? {}).map((p) => p.text)]));
  }

  private fail(node: ts.Node, key: string, why: string): void {
    this.ctx.todo(node, key, 'shape-unknown', why);
  }

  /**
   * A sequential model that cannot be rebuilt: the reason where it lies, a TODO on tf.sequential, its layers and
   * adds taken (so they do not get TODOs of their own that point elsewhere), and the model registered as not
   * migrated, so that compile/fit/predict on it become TODOs too instead of code for a module that does not exist.
   */
  private failSequential(s: SequentialPlan, at: ts.Node, key: string, why: string): void {
    const name = s.name ?? 'model';
    this.fail(at, key, why);
    if (at !== s.call) this.ctx.todo(s.call, 'tf.sequential', 'sequential-model', `model '${name}' cannot be rebuilt until the layer TODOs below it are resolved`);
    const within = (n: ts.Node) => n.pos >= s.call.pos && n.end <= s.call.end || s.adds.some((a) => n.pos >= a.pos && n.end <= a.end);
    for (const call of this.layerCalls.keys()) if (within(call)) this.consumed.add(call);
    for (const a of s.adds) this.consumed.add(a.expression);
    this.register(s, false, s.adds.length ? topStatement(s.adds[s.adds.length - 1], s.stmt.parent) ?? s.stmt : s.stmt);
  }

  private finalizeSequential(s: SequentialPlan): void {
    const ctx = this.ctx;
    const config = s.call.arguments[0];
    const layerExprs: ts.Expression[] = [];
    let inputShape: Shape | null = null;
    if (config) {
      if (!ts.isObjectLiteralExpression(config)) return this.failSequential(s, s.call, 'tf.sequential', 'tf.sequential with a config that is not an object literal');
      for (const p of config.properties) {
        if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'layers') {
          if (!ts.isArrayLiteralExpression(p.initializer)) return this.failSequential(s, s.call, 'tf.sequential', 'tf.sequential layers that are not an array literal');
          layerExprs.push(...p.initializer.elements);
        }
      }
    }
    for (const add of s.adds) layerExprs.push((add.expression as ts.CallExpression).arguments[0]);
    const layers: { call: ts.CallExpression | ts.NewExpression; row: Mapping; decl?: ts.VariableStatement; plan?: ChainLayer['plan'] }[] = [];
    // Which layer each expression became (null: an inputLayer, which only gives the input shape).
    const layerIndex: (number | null)[] = [];
    for (const e of layerExprs) {
      const l = this.layerOf(e);
      if (!l) return this.failSequential(s, e, 'Sequential.add', 'a layer that is not a tf.layers.* call the transpiler can see');
      layerIndex.push(l.row.tf === 'tf.layers.inputLayer' ? null : layers.length);
      if (l.row.tf === 'tf.layers.inputLayer') {
        const cfg = ctx.callSite(l.row.tf, l.call).args[0];
        const sh = cfg?.props?.inputShape ?? cfg?.props?.batchInputShape;
        if (sh?.elements) inputShape = sh.elements.map((x) => (x.kind === 'number' ? (x.value as number) : x.kind === 'null' ? null : x.text)).slice(cfg?.props?.inputShape ? 0 : 1);
        this.consumed.add(l.call);
        continue;
      }
      layers.push(l);
    }
    const name = s.name ?? 'model';
    const chainLayers: ChainLayer[] = layers.map((l) => ({ row: l.row, site: ctx.callSite(l.row.tf, l.call), plan: l.plan }));
    // Field names only need to be unique within the model (they are read as this.<name>).
    const fieldNames = new FieldNames(new Set());
    // Adds inside a loop or a condition: how many layers come before each later one is known only at run time,
    // so from the first of them on no input size is inferred (those layers become lazy modules).
    const firstAdd = layerExprs.length - s.adds.length;
    const firstNested = s.adds.findIndex((a) => a.parent !== s.stmt.parent);
    const unknownFrom = firstNested < 0 ? Infinity : layerIndex.slice(firstAdd + firstNested).find((li) => li !== null) ?? Infinity;
    const chain = buildChain(chainLayers, inputShape, ctx.opts.layout, ctx.opts.api, fieldNames, name, unknownFrom);
    // Adds in loops or conditions that the in-place chain cannot take: one tfjs-layout module per layer instead.
    const nested = firstNested >= 0 && !config && !!s.name;
    if ('error' in chain) {
      if (nested) return this.nestedSequential(s, layers, layerIndex, inputShape);
      return this.failSequential(s, layers[chain.at]?.call ?? s.call, layers[chain.at]?.row.tf ?? 'tf.sequential', chain.error);
    }
    for (const l of layers) this.consumed.add(l.call);
    for (const a of s.adds) this.consumed.add(a.expression);
    ctx.layoutFacts.push(...chain.facts);
    const indent = ctx.indent(s.stmt);
    const plain = chain.modulesOnly && !chain.inputPermute && !chain.outputPermute;
    const ts_ = ctx.typescript;
    let ok: boolean;
    if (firstNested >= 0 && !(plain && !config && s.name)) {
      if (nested) return this.nestedSequential(s, layers, layerIndex, inputShape);
      const why = !plain
        ? 'its layers need a layout change (channels-first convolutions, RNN outputs or ops between modules), which cannot be planned when layers are added in a loop or under a condition'
        : 'layers added in a loop or under a condition can only be appended in place to a model declared as `const model = tf.sequential()`';
      ctx.todo(s.call, 'tf.sequential', 'sequential-model', `model '${name}': ${why}; build the model with straight-line adds, or by hand`);
      for (const a of s.adds) ctx.todo(a.expression, 'Sequential.add', 'sequential-model', `model '${name}' is not rebuilt (see its tf.sequential TODO)`);
      this.register(s, false, topStatement(s.adds[s.adds.length - 1], s.stmt.parent) ?? s.stmt);
      return;
    }
    if (plain && s.adds.length && !config && s.name) {
      // model.add style: the model stays where it is; each add appends the layer's modules.
      ok = ctx.rewrite(s.call, 'tf.sequential', 'new nn.Sequential()', ['sequential-model'], undefined, this.userTexts(layers.map((l) => l.call)));
      const byLayer = chain.fieldsByLayer;
      s.adds.forEach((add, i) => {
        const li = layerIndex[firstAdd + i];
        const fs = li === null ? [] : byLayer[li] ?? [];
        const code = fs.length ? `${name}${fs.map((f) => `.append(${f.code})`).join('')};` : '';
        if (code) ctx.rewrite(add, 'Sequential.add', code, ['sequential-model'], undefined, this.userTexts(layers.map((l) => l.call)));
        else ctx.removeStatement(add);
      });
      // After the statement holding the last add (the loop or if around it, when it is nested).
      const last = topStatement(s.adds[s.adds.length - 1], s.stmt.parent)!;
      const init = initLoop(chain.fields, name, indent);
      if (init.length) ctx.edits.insert(lineEndAfter(ctx, last), `${init.join('\n')}\n`);
      this.register(s, ok, last);
      return;
    }
    if (plain) {
      const modules = chain.fields.map((f) => `${indent}  ${f.code},`).join('\n');
      const construct = `new nn.Sequential(\n${modules}\n${indent})`;
      const init = initLoop(chain.fields, name, indent);
      if (ts.isReturnStatement(s.stmt)) {
        ok = ctx.rewrite(s.stmt, 'tf.sequential', [`const ${name} = ${construct};`, ...init.map((l) => l.slice(indent.length)), `return ${name};`].join(`\n${indent}`), ['sequential-model']);
      } else {
        ok = ctx.rewrite(s.call, 'tf.sequential', construct, ['sequential-model'], undefined, this.userTexts(layers.map((l) => l.call)));
        if (ok && init.length) ctx.edits.insert(lineEndAfter(ctx, s.stmt), `${init.join('\n')}\n`);
      }
      for (const a of s.adds) ctx.removeStatement(a);
      this.register(s, ok, s.stmt);
      return;
    }
    // A class: fields, initialisation, a forward with the input permute / RNN outputs / ops.
    const cls = className(name, this.names());
    const body: string[] = [];
    let x = 'x';
    if (chain.modulesOnly) {
      const seq: Field = { name: fieldNames.named('layers'), code: `new nn.Sequential(\n${chain.fields.map((f) => `${indent}    ${f.code},`).join('\n')}\n${indent}  )` };
      body.push(`return this.${seq.name}.forward(${chain.inputPermute ? `x.permute(${chain.inputPermute})` : 'x'})${chain.outputPermute ? `.permute(${chain.outputPermute})` : ''};`);
      const code = classCode({ name: cls, fields: [{ ...seq, init: undefined }], params: ['x'], body, typescript: ts_, indent, returns: 'torch.Tensor' });
      // The init loop covers the inner Sequential's modules through this.modules().
      const withInit = injectInit(code, chain.fields, indent);
      ok = this.placeClass(s, cls, withInit, indent, this.userTexts(layers.map((l) => l.call)));
    } else {
      if (chain.inputPermute) body.push(`x = x.permute(${chain.inputPermute});`);
      for (const st of chain.steps) body.push(`${x} = ${st.expr(x)};`);
      body.push(`return ${x};`);
      const code = classCode({ name: cls, fields: chain.fields, params: ['x'], body, typescript: ts_, indent, returns: 'torch.Tensor' });
      ok = this.placeClass(s, cls, code, indent, this.userTexts(layers.map((l) => l.call)));
    }
    this.register(s, ok, s.adds.length ? s.adds[s.adds.length - 1] : s.stmt);
  }

  /**
   * `const model = tf.sequential()` with adds in loops and conditions whose layers need more than modules in a row
   * (RNN outputs, permutes, ops): each add appends one module that takes and returns tfjs's layout (the runtime
   * graph's layer modules: channels-first layers wrapped in permutes, RNN outputs and ops as nn.Lambda), sized
   * from the shape the statements around it give (add_shapes.ts), so the model is built at run time as tfjs
   * builds it.
   */
  private nestedSequential(s: SequentialPlan, layers: { call: ts.CallExpression | ts.NewExpression; row: Mapping; plan?: ChainLayer['plan'] }[], layerIndex: (number | null)[], inputShape: Shape | null): void {
    const ctx = this.ctx;
    const name = s.name!;
    const addLayer = new Map<ts.Statement, (typeof layers)[number]>();
    s.adds.forEach((a, i) => {
      const li = layerIndex[i];
      if (li !== null) addLayer.set(a, layers[li]);
    });
    for (const l of addLayer.values()) {
      if (!ts.isCallExpression(l.call) || (l.plan && l.row.tf !== 'tf.layers.timeDistributed')) {
        return this.failSequential(s, l.call, l.row.tf, `${l.row.tf}: a custom layer added in a loop or under a condition is not rebuilt; add it in straight-line code`);
      }
    }
    const block = s.stmt.parent as ts.Block | ts.SourceFile;
    const last = topStatement(s.adds[s.adds.length - 1], block)!;
    const stmts = block.statements.slice(block.statements.indexOf(s.stmt) + 1, block.statements.indexOf(last) + 1);
    const moduleOf = (add: ts.Statement, shape: Shape | null) => {
      const l = addLayer.get(add)!;
      return layerModule(ctx, l.row, l.call as ts.CallExpression, shape, false);
    };
    const shapes = addInputShapes(stmts, new Set(s.adds), inputShape, (add, shape) => {
      if (!addLayer.has(add)) return shape;
      const m = moduleOf(add, shape);
      return 'error' in m ? null : m.outputShape;
    });
    const built = new Map<ts.Statement, LayerModule>();
    for (const [add, l] of addLayer) {
      const m = moduleOf(add, shapes.get(add) ?? null);
      if ('error' in m) {
        const why = shapes.get(add) === null ? ' (it or a layer before it is added in a loop or under a condition whose shapes do not agree, so its input is known only at run time)' : '';
        return this.failSequential(s, l.call, l.row.tf, `${m.error}${why}`);
      }
      built.set(add, m);
    }
    const user = this.userTexts(layers.map((l) => l.call));
    for (const l of layers) this.consumed.add(l.call);
    for (const a of s.adds) this.consumed.add(a.expression);
    const ok = ctx.rewrite(s.call, 'tf.sequential', 'new nn.Sequential()', ['sequential-model', 'sequential-nested'], undefined, user);
    for (const add of s.adds) {
      const m = built.get(add);
      if (!m) {
        ctx.removeStatement(add);
        continue;
      }
      const l = addLayer.get(add)!;
      for (const n of m.notes) ctx.note(l.call, n, l.row.tf);
      ctx.rewrite(add, 'Sequential.add', `${name}.append(${m.code});`, ['sequential-model'], undefined, user);
    }
    const init = initLoop([...built.values()].flatMap((m) => m.fields), name, ctx.indent(s.stmt));
    if (init.length) ctx.edits.insert(lineEndAfter(ctx, last), `${init.join('\n')}\n`);
    this.register(s, ok, last);
  }

  /** Writes `class X ...` + `const model = new X();` where the model is complete, removing the tf statements. */
  private placeClass(s: SequentialPlan, cls: string, code: string, indent: string, user: string[]): boolean {
    const ctx = this.ctx;
    const name = s.name ?? 'model';
    const kw = ts.isVariableStatement(s.stmt) && !(s.stmt.declarationList.flags & ts.NodeFlags.Const) ? 'let' : 'const';
    const create = ts.isReturnStatement(s.stmt) ? `return new ${cls}();` : ts.isExpressionStatement(s.stmt) ? `${name} = new ${cls}();` : `${kw} ${name} = new ${cls}();`;
    const where = s.adds.length ? s.adds[s.adds.length - 1] : s.stmt;
    if (s.adds.length && this.usedBetween(s)) {
      ctx.todo(s.call, 'tf.sequential', 'sequential-model', `model '${name}' is used between its creation and its last add; build it in one place`);
      return false;
    }
    const ok = ctx.rewrite(where, 'tf.sequential', `${code}\n${indent}${create}`, ['sequential-model'], undefined, user);
    if (!ok) return false;
    if (where !== s.stmt) ctx.removeStatement(s.stmt);
    for (const a of s.adds) if (a !== where) ctx.removeStatement(a);
    return true;
  }

  private usedBetween(s: SequentialPlan): boolean {
    if (!s.sym) return false;
    const last = s.adds[s.adds.length - 1];
    return this.facts.refs(s.sym).some((r) => r.pos > s.stmt.end && r.pos < last.pos && !s.adds.some((a) => r.pos >= a.pos && r.end <= a.end));
  }

  private register(s: SequentialPlan, ok: boolean, readyAt: ts.Node): void {
    if (s.sym) this.models.set(s.sym, { name: s.name!, sym: s.sym, migrated: ok, readyAt });
  }

  // --- tf.model graphs -------------------------------------------------------------------------------------

  private finalizeFunctional(call: ts.CallExpression, row: Mapping): void {
    const ctx = this.ctx;
    const decl = call.parent;
    // A cut of a loaded model (transfer learning): the runtime's io.modelUpTo, whatever holds the result.
    const cut = loadedModelCut(ctx, call);
    if (cut !== undefined) {
      if (!ctx.rewrite(call, row.tf, cut, ['loaded-model-cut'])) return;
      const target = ts.isVariableDeclaration(decl) ? decl.name : ts.isBinaryExpression(decl) && decl.operatorToken.kind === ts.SyntaxKind.EqualsToken && decl.right === call ? decl.left : undefined;
      const sym = target && ts.isIdentifier(target) ? ctx.checker.getSymbolAtLocation(target) : undefined;
      if (sym) this.models.set(sym, { name: (target as ts.Identifier).text, sym, migrated: true, readyAt: blockStatementOf(call) ?? call });
      return;
    }
    // What the static rule cannot trace runs on the runtime's symbolic graph (its nodes are migrated in leftovers).
    const fail = (why: string, at: ts.Node = call) => {
      if (!GraphFallback.modelConfigOk(call)) return ctx.todo(at, row.tf, 'functional-model', `tf.model: ${why}`);
      this.graphModels.push({ call, row });
      const sym = ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) ? ctx.checker.getSymbolAtLocation(decl.name) : undefined;
      if (sym) this.models.set(sym, { name: (decl as ts.VariableDeclaration).name.getText(ctx.sf), sym, migrated: true, readyAt: blockStatementOf(call) ?? call });
    };
    if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || (decl.parent as ts.VariableDeclarationList).declarations.length !== 1 || !ts.isVariableStatement(decl.parent.parent)) {
      return fail('declare the model with `const model = tf.model({ inputs, outputs })`');
    }
    const stmt = decl.parent.parent;
    const config = call.arguments[0];
    if (!config || !ts.isObjectLiteralExpression(config)) return fail('the config is not an object literal');
    const prop = (n: string) => config.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === n)?.initializer;
    const list = (e: ts.Expression | undefined): ts.Expression[] | undefined => (!e ? undefined : ts.isArrayLiteralExpression(e) ? [...e.elements] : [e]);
    const inputsE = list(prop('inputs'));
    const outputsE = list(prop('outputs'));
    if (!inputsE || !outputsE) return fail('inputs/outputs are missing');
    if (![...inputsE, ...outputsE].every(ts.isIdentifier)) return fail('inputs/outputs must be names of symbolic tensors');

    // A node per definition, not per variable: `deep = layer.apply(deep)` reassigns a `let` (SSA-style, each
    // assignment is its own node; a reference reads the definition that reaches it).
    interface GNode { name: string; sym: ts.Symbol; stmt: ts.VariableStatement | ts.ExpressionStatement; reassigned: boolean; first: boolean; kind: 'input' | 'apply'; call: ts.CallExpression; inputs: GNode[]; layer?: { call: ts.CallExpression; row: Mapping; decl?: ts.VariableStatement }; shape?: Shape | null }
    const nodes = new Map<ts.Node, GNode>();
    const defsMemo = new Map<ts.Symbol, Definition[] | string>();
    let error: string | undefined;
    const nodeOf = (id: ts.Identifier): GNode | undefined => {
      const sym = ctx.checker.getSymbolAtLocation(id);
      if (!sym) return undefined;
      const defs = defsMemo.get(sym) ?? defsMemo.set(sym, definitionsOf(ctx, this.facts, sym, id.text)).get(sym)!;
      if (typeof defs === 'string') {
        error = defs;
        return undefined;
      }
      const def = [...defs].reverse().find((d) => d.stmt.end <= id.getStart(ctx.sf));
      if (!def) {
        error = `'${id.text}' is used before it is assigned`;
        return undefined;
      }
      if (nodes.has(def.stmt)) return nodes.get(def.stmt);
      let init = def.init;
      while (ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (!ts.isCallExpression(init)) {
        error = `'${id.text}' is not made by tf.input or layer.apply`;
        return undefined;
      }
      const base = { name: id.text, sym, stmt: def.stmt, reassigned: defs.length > 1, first: def === defs[0], call: init, inputs: [] as GNode[] };
      if (this.inputs.has(init)) {
        const n: GNode = { ...base, kind: 'input' };
        nodes.set(def.stmt, n);
        return n;
      }
      if (this.applies.has(init) && ts.isPropertyAccessExpression(init.expression)) {
        const found = this.layerOf(init.expression.expression);
        if (!found || found.plan || !ts.isCallExpression(found.call)) {
          error = found ? `the layer applied to make '${id.text}' is a custom layer, which the static graph does not trace` : `the layer applied to make '${id.text}' is not a tf.layers.* call`;
          return undefined;
        }
        const layer = { ...found, call: found.call };
        const arg = init.arguments[0];
        const ins = arg && ts.isArrayLiteralExpression(arg) ? [...arg.elements] : arg ? [arg] : [];
        if (!ins.every(ts.isIdentifier)) {
          error = `the inputs of '${id.text}' must be names`;
          return undefined;
        }
        const n: GNode = { ...base, kind: 'apply', layer };
        nodes.set(def.stmt, n);
        for (const i of ins as ts.Identifier[]) {
          const child = nodeOf(i);
          if (!child) return undefined;
          n.inputs.push(child);
        }
        return n;
      }
      error = `'${id.text}' is not made by tf.input or layer.apply`;
      return undefined;
    };
    const outs = (outputsE as ts.Identifier[]).map(nodeOf);
    const ins = (inputsE as ts.Identifier[]).map(nodeOf);
    if (error || outs.some((o) => !o) || ins.some((i) => !i)) return fail(error ?? 'could not trace the graph');
    const graph = [...nodes.values()].sort((a, b) => a.stmt.pos - b.stmt.pos);
    // The graph's names must not be used outside it (their statements are removed).
    const graphStmts = new Set<ts.Node>([...graph.map((g) => g.stmt), stmt]);
    for (const g of graph) {
      for (const r of this.facts.refs(g.sym)) {
        const inGraph = [...graphStmts].some((s) => r.pos >= s.pos && r.end <= s.end);
        if (!inGraph) return fail(`'${g.name}' is used outside the graph`, r);
      }
    }
    const names = new FieldNames(new Set());
    const fields: Field[] = [];
    const builtLayers = new Map<ts.CallExpression, { steps: ReturnType<typeof resolveStep>[]; fields: Field[]; plan: NonNullable<ReturnType<typeof planLayer>['plan']> }>();
    const body: string[] = [];
    const name = decl.name.text;
    const facts: typeof ctx.layoutFacts = [];
    for (const g of graph) {
      if (g.kind === 'input') {
        const site = ctx.callSite('tf.input', g.call);
        const cfg = site.args[0];
        const sh = cfg?.props?.shape ?? cfg?.props?.batchShape;
        g.shape = sh?.elements ? sh.elements.map((x) => (x.kind === 'number' ? (x.value as number) : x.kind === 'null' ? null : x.text)).slice(cfg?.props?.shape ? 0 : 1) : null;
        continue;
      }
      const layer = g.layer!;
      let built = builtLayers.get(layer.call);
      if (!built) {
        const r = planLayer(layer.row, ctx.callSite(layer.row.tf, layer.call), g.inputs.map((i) => i.shape ?? null));
        if (!r.plan) return fail(r.error!, layer.call);
        for (const n of r.notes) ctx.note(layer.call, n, layer.row.tf);
        // In a forward written out step by step, activations read better as functions than as modules.
        const steps = r.plan.steps;
        const fs: Field[] = [];
        for (const s of steps) {
          if (s.kind === 'module') {
            const f: Field = { name: names.next(s.name), code: s.code, init: s.init };
            fs.push(f);
            fields.push(f);
            if (/nn\.Linear\(/.test(s.code)) facts.push({ model: name, kind: 'dense-kernel-transpose', detail: `${f.name}.weight = kernel of ${layer.row.tf} transposed` });
          }
        }
        built = { steps, fields: fs, plan: r.plan };
        builtLayers.set(layer.call, built);
      }
      // Graph tensors keep tfjs's layout; channels-first layers are wrapped in permutes.
      const rank = (g.inputs[0]?.shape?.length ?? 1) + 1;
      const p = built.plan.requires === 'cf' ? permutes(rank) : undefined;
      if (built.plan.requires === 'cf' && !p) return fail(`${layer.row.tf}: cannot lay out its input channels-first`, layer.call);
      let expr = g.inputs.length > 1 ? `[${g.inputs.map((i) => i.name).join(', ')}]` : g.inputs[0].name;
      let fi = 0;
      if (p) expr = `${expr}.permute(${p.toCf})`;
      for (const s of built.steps) {
        if (s.kind === 'module') {
          const f = built.fields[fi++];
          expr = fillSnippet(s.call ?? '$m.forward($x)', { m: `this.${f.name}`, x: expr });
        } else {
          expr = fillSnippet(s.code, { x: expr, xs: g.inputs.length > 1 ? expr : `[${expr}]`, dim: p ? '1' : '-1' });
        }
      }
      if (p && (built.plan.outputShape?.length ?? 0) + 1 === rank) expr = `${expr}.permute(${p.toTf})`;
      g.shape = built.plan.outputShape;
      // A reassigned name stays one `let` in forward, assigned in the source's order.
      body.push(`${g.reassigned ? (g.first ? 'let ' : '') : 'const '}${g.name} = ${expr};`);
    }
    const outNames = (outs as GNode[]).map((o) => o.name);
    body.push(`return ${outNames.length === 1 ? outNames[0] : `[${outNames.join(', ')}]`};`);
    const indent = ctx.indent(stmt);
    const cls = className(name, this.names());
    const code = classCode({
      name: cls, fields, params: (ins as GNode[]).map((i) => i.name), body, typescript: ctx.typescript, indent,
      returns: outNames.length === 1 ? 'torch.Tensor' : 'torch.Tensor[]',
    });
    const kw = stmt.declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
    const ok = ctx.rewrite(stmt, row.tf, `${code}\n${indent}${kw} ${name} = new ${cls}();`, ['functional-model']);
    if (!ok) return;
    ctx.layoutFacts.push(...facts);
    for (const g of graph) {
      this.consumed.add(g.call);
      if (g.layer) {
        this.consumed.add(g.layer.call);
        if (g.layer.decl) ctx.removeStatement(g.layer.decl);
      }
      ctx.removeStatement(g.stmt);
      ctx.record(g.call, g.kind === 'input' ? 'tf.input' : 'Layer.apply', 'rewritten');
    }
    const sym = ctx.checker.getSymbolAtLocation(decl.name);
    if (sym) this.models.set(sym, { name, sym, migrated: true, readyAt: stmt });
  }
}

/** The variable of `name = <call>;` (an assignment statement of its own), else undefined. */
function assignedName(call: ts.CallExpression): ts.Identifier | undefined {
  const b = call.parent;
  if (!ts.isBinaryExpression(b) || b.operatorToken.kind !== ts.SyntaxKind.EqualsToken || b.right !== call || !ts.isIdentifier(b.left)) return undefined;
  return ts.isExpressionStatement(b.parent) ? b.left : undefined;
}

/** One definition of a graph variable: its declaration or a later `name = ...;` statement. */
interface Definition { stmt: ts.VariableStatement | ts.ExpressionStatement; init: ts.Expression }

/**
 * The definitions of a graph variable in source order: `const|let x = init` (the only declaration in its
 * statement) and `x = init;` statements in the same block. Anything else that writes it (a compound
 * assignment, an assignment in a nested block or an expression) is a reason the graph cannot be traced.
 */
function definitionsOf(ctx: FileContext, facts: Facts, sym: ts.Symbol, name: string): Definition[] | string {
  const d = sym.valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || (d.parent as ts.VariableDeclarationList).declarations.length !== 1 || !ts.isVariableStatement(d.parent.parent)) {
    return `'${name}' is not a variable holding a symbolic tensor`;
  }
  const declStmt = d.parent.parent;
  const defs: Definition[] = [{ stmt: declStmt, init: d.initializer }];
  for (const r of facts.refs(sym)) {
    const p = r.parent;
    const writes = (ts.isBinaryExpression(p) && p.left === r && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) ||
      ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && p.operand === r);
    if (!writes) continue;
    const bin = p as ts.BinaryExpression;
    if (!ts.isBinaryExpression(p) || bin.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isExpressionStatement(p.parent) || p.parent.parent !== declStmt.parent) {
      return `'${name}' is written other than by \`${name} = layer.apply(...)\` statements beside its declaration`;
    }
    defs.push({ stmt: p.parent, init: bin.right });
  }
  return defs.sort((a, b) => a.stmt.pos - b.stmt.pos);
}

/**
 * The statement directly in `block` that contains `node` (itself when it is one); undefined when `node` is not
 * inside `block`, or only through a nested function (which may run at another time).
 */
function topStatement(node: ts.Node, block: ts.Node): ts.Statement | undefined {
  let n: ts.Node = node;
  while (n.parent && n.parent !== block) {
    if (ts.isFunctionLike(n.parent) || ts.isClassLike(n.parent)) return undefined;
    n = n.parent;
  }
  return n.parent === block ? (n as ts.Statement) : undefined;
}

function lineEndAfter(ctx: FileContext, node: ts.Node): number {
  const nl = ctx.text.indexOf('\n', node.getEnd());
  return nl === -1 ? ctx.text.length : nl + 1;
}

/** Adds the initialisation loop as a constructor to a class that has none. */
function injectInit(code: string, fields: Field[], indent: string): string {
  const init = initLoop(fields, 'this', `${indent}    `);
  if (!init.length) return code;
  const marker = `\n\n${indent}  forward(`;
  const i = code.indexOf(marker);
  return `${code.slice(0, i)}\n\n${indent}  constructor() {\n${indent}    super();\n${init.join('\n')}\n${indent}  }${code.slice(i)}`;
}
