/**
 * The functionalModel rule: `tf.input` + `layer.apply(...)` + `tf.model({ inputs, outputs })` → an nn.Module
 * class whose forward replays the graph. What the static graph cannot trace runs on the runtime's symbolic graph
 * (graph_fallback.ts); a tf.model that cuts a loaded model is io.modelUpTo (loaded_model_cut.ts).
 */
import { ts } from 'ts-morph';
import type { Mapping, Shape } from '../../mappings/schema.js';
import { fillSnippet } from '../../mappings/template.js';
import type { FileContext } from '../context.js';
import { classCode, className, FieldNames, permutes, planLayer, resolveStep, type Field } from './model_code.js';
import type { Facts } from './facts.js';
import { blockStatement as blockStatementOf, GraphFallback } from './graph_fallback.js';
import { getLayerSite, loadedModelCut } from './loaded_model_cut.js';
import { modelCall, noModelRule, type ModelRegistry } from './model_registry.js';
import type { PatternRule, PatternSite } from './pattern_site.js';

export class FunctionalModelRule {
  private readonly functional: { call: ts.CallExpression; row: Mapping }[] = [];
  /** tf.model calls the static rule could not trace, rewritten last (after the graph inside their config). */
  private readonly graphModels: { call: ts.CallExpression; row: Mapping }[] = [];
  private readonly ctx: FileContext;
  private readonly facts: Facts;

  constructor(private readonly registry: ModelRegistry) {
    this.ctx = registry.ctx;
    this.facts = registry.facts;
  }

  /** `tf.model(...)`, `tf.input(...)`, `layer.apply(...)`: kept until finalize; `model.getLayer(...)` now. */
  site(site: PatternSite): void {
    const node = modelCall(site);
    if (!node) return;
    const { row } = site;
    const ctx = this.ctx;
    if (row.tf === 'tf.model') {
      this.functional.push({ call: node, row });
      return;
    }
    if (row.tf === 'tf.input' || row.tf === 'tf.layers.input') {
      this.registry.inputs.set(node, row);
      return;
    }
    if (row.tf === 'Layer.apply') {
      this.registry.applies.set(node, row);
      return;
    }
    if (row.tf === 'LayersModel.getLayer') return getLayerSite(ctx, node, row);
    noModelRule(ctx, node, row);
  }

  /** Defers each tf.model's rewrite past the statement declaring it. */
  finalize(): void {
    for (const f of this.functional) {
      const d = f.call.parent;
      this.ctx.defer(ts.isVariableDeclaration(d) ? d.parent.parent : f.call, () => this.finalizeFunctional(f.call, f.row));
    }
  }

  /** After every rewrite: inputs and applies no model took (to the runtime graph, or a TODO), then its models. */
  leftovers(): void {
    for (const [m, map] of [[this.registry.inputs, 'tf.input'], [this.registry.applies, 'Layer.apply']] as const) {
      for (const [call, row] of m) {
        if (this.registry.consumed.has(call)) continue;
        if (map === 'tf.input') {
          const why = this.registry.fallback().input(call, row);
          if (why === undefined) {
            this.registry.consumed.add(call);
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
    for (const { call, row } of [...this.graphModels].sort((a, b) => a.call.end - b.call.end)) this.registry.fallback().model(call, row);
  }

  /** `model.apply(x)` on a model this file migrated (a module): `nn.apply(model, x)`. */
  private applyOnModel(call: ts.CallExpression): boolean {
    if (!ts.isPropertyAccessExpression(call.expression) || call.arguments.length !== 1) return false;
    const recv = call.expression.expression;
    if (!ts.isIdentifier(recv)) return false;
    const sym = this.ctx.checker.getSymbolAtLocation(recv);
    if (!sym || !this.registry.models.get(sym)?.migrated) return false;
    const arg = this.ctx.rewritten(call.arguments[0]);
    if (!this.ctx.rewrite(call, 'Layer.apply', `nn.apply(${recv.text}, ${arg})`, ['functional-graph'], undefined, [arg, recv.text])) return false;
    this.registry.consumed.add(call);
    return true;
  }

  /** `layer` is a variable holding a tf.layers.* call of this file. */
  private declaredLayer(e: ts.Expression): boolean {
    const d = ts.isIdentifier(e) ? this.ctx.checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
    return !!d && ts.isVariableDeclaration(d) && !!d.initializer && ts.isCallExpression(d.initializer) && this.registry.layerCalls.has(d.initializer);
  }

  /**
   * The tfjs input and output names of a `tf.model({ inputs, outputs })` the static rule left to the runtime
   * graph, where each is a name made by `tf.input(...)` or `<layer>.apply(...)` of a layer this file makes.
   */
  private configNames(call: ts.CallExpression): { inputNames?: (string | undefined)[]; outputNames?: (string | undefined)[] } {
    const config = call.arguments[0];
    if (!config || !ts.isObjectLiteralExpression(config)) return {};
    const tfNames = this.registry.tfjsNames();
    const nameOf = (e: ts.Expression): string | undefined => {
      const d = ts.isIdentifier(e) ? this.ctx.checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
      let init = !ts.isIdentifier(e) ? e : d && ts.isVariableDeclaration(d) && ts.isVariableDeclarationList(d.parent) && d.parent.flags & ts.NodeFlags.Const ? d.initializer : undefined;
      while (init && (ts.isAsExpression(init) || ts.isParenthesizedExpression(init))) init = init.expression;
      if (!init || !ts.isCallExpression(init)) return undefined;
      if (this.registry.inputs.has(init)) return tfNames.input(init);
      if (!this.registry.applies.has(init) || !ts.isPropertyAccessExpression(init.expression)) return undefined;
      const layer = this.registry.layerOf(init.expression.expression);
      return layer && !layer.plan && ts.isCallExpression(layer.call) ? tfNames.layer(layer.call) : undefined;
    };
    const names = (key: string) => {
      const p = config.properties.find((q): q is ts.PropertyAssignment => ts.isPropertyAssignment(q) && ts.isIdentifier(q.name) && q.name.text === key)?.initializer;
      return !p ? undefined : ts.isArrayLiteralExpression(p) ? p.elements.map(nameOf) : [nameOf(p)];
    };
    return { inputNames: names('inputs'), outputNames: names('outputs') };
  }

  private finalizeFunctional(call: ts.CallExpression, row: Mapping): void {
    const ctx = this.ctx;
    const decl = call.parent;
    // A cut of a loaded model (transfer learning): the runtime's io.modelUpTo, whatever holds the result.
    const cut = loadedModelCut(ctx, call);
    if (cut !== undefined) {
      if (!ctx.rewrite(call, row.tf, cut, ['loaded-model-cut'])) return;
      const target = ts.isVariableDeclaration(decl) ? decl.name : ts.isBinaryExpression(decl) && decl.operatorToken.kind === ts.SyntaxKind.EqualsToken && decl.right === call ? decl.left : undefined;
      const sym = target && ts.isIdentifier(target) ? ctx.checker.getSymbolAtLocation(target) : undefined;
      if (sym) this.registry.models.set(sym, { name: (target as ts.Identifier).text, sym, migrated: true, readyAt: blockStatementOf(call) ?? call });
      return;
    }
    // What the static rule cannot trace runs on the runtime's symbolic graph (its nodes are migrated in leftovers).
    const fail = (why: string, at: ts.Node = call) => {
      if (!GraphFallback.modelConfigOk(call)) return ctx.todo(at, row.tf, 'functional-model', `tf.model: ${why}`);
      this.graphModels.push({ call, row });
      const sym = ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) ? ctx.checker.getSymbolAtLocation(decl.name) : undefined;
      if (sym) this.registry.models.set(sym, { name: (decl as ts.VariableDeclaration).name.getText(ctx.sf), sym, migrated: true, readyAt: blockStatementOf(call) ?? call, ...this.configNames(call) });
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
      if (this.registry.inputs.has(init)) {
        const n: GNode = { ...base, kind: 'input' };
        nodes.set(def.stmt, n);
        return n;
      }
      if (this.registry.applies.has(init) && ts.isPropertyAccessExpression(init.expression)) {
        const found = this.registry.layerOf(init.expression.expression);
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
    const cls = className(name, this.registry.names());
    const code = classCode({
      name: cls, fields, params: (ins as GNode[]).map((i) => i.name), body, typescript: ctx.typescript, indent,
      returns: outNames.length === 1 ? 'torch.Tensor' : 'torch.Tensor[]',
    });
    const kw = stmt.declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
    const ok = ctx.rewrite(stmt, row.tf, `${code}\n${indent}${kw} ${name} = new ${cls}();`, ['functional-model']);
    if (!ok) return;
    ctx.layoutFacts.push(...facts);
    for (const g of graph) {
      this.registry.consumed.add(g.call);
      if (g.layer) {
        this.registry.consumed.add(g.layer.call);
        if (g.layer.decl) ctx.removeStatement(g.layer.decl);
      }
      ctx.removeStatement(g.stmt);
      ctx.record(g.call, g.kind === 'input' ? 'tf.input' : 'Layer.apply', 'rewritten');
    }
    const sym = ctx.checker.getSymbolAtLocation(decl.name);
    const tfNames = this.registry.tfjsNames();
    const nameOf = (g: GNode) => (g.kind === 'input' ? tfNames.input(g.call) : tfNames.layer(g.layer!.call));
    if (sym) this.registry.models.set(sym, { name, sym, migrated: true, readyAt: stmt, inputNames: (ins as GNode[]).map(nameOf), outputNames: (outs as GNode[]).map(nameOf) });
  }
}

/** The rule the table's functionalModel rows name (tf.model, tf.input, tf.layers.input, Layer.apply, getLayer). */
export const functionalModel: PatternRule = (site) => site.rules.models.functional.site(site);

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
