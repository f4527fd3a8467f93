/**
 * The sequentialModel rule: `tf.sequential({ layers })` or `tf.sequential()` + `model.add(layer)` statements →
 * nn.Sequential (layers appended in place), or an nn.Module class when the chain needs more than modules in a row
 * (input permute, RNN outputs, ops without a module). Adds in loops or conditions become one tfjs-layout module
 * per add (nestedSequential). TensorFlow's initialisation is written out (a loop over the model's modules).
 */
import { ts } from 'ts-morph';
import type { Mapping, Shape } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import { buildChain, classCode, className, FieldNames, initLoop, type ChainLayer, type Field } from './model_code.js';
import { WRAPPER_LAYERS } from './wrapper_layers.js';
import type { Facts } from './facts.js';
import { layerModule, type LayerModule } from './graph_fallback.js';
import { addInputShapes } from './add_shapes.js';
import { modelCall, noModelRule, type ModelRegistry } from './model_registry.js';
import type { PatternRule, PatternSite } from './pattern_site.js';

interface SequentialPlan {
  call: ts.CallExpression;
  row: Mapping;
  name?: string;
  sym?: ts.Symbol;
  stmt: ts.Statement;
  adds: ts.ExpressionStatement[];
}

export class SequentialModelRule {
  private readonly sequential: SequentialPlan[] = [];
  private readonly orphanAdds: { node: ts.CallExpression; row: Mapping }[] = [];
  private readonly ctx: FileContext;
  private readonly facts: Facts;

  constructor(private readonly registry: ModelRegistry) {
    this.ctx = registry.ctx;
    this.facts = registry.facts;
  }

  /** `tf.sequential(...)` or `model.add(layer)`: kept until finalize, when every layer and add is known. */
  site(site: PatternSite): void {
    const node = modelCall(site);
    if (!node) return;
    const { row } = site;
    const ctx = this.ctx;
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
    noModelRule(ctx, node, row);
  }

  /** Gives each model its adds (by the receiver's symbol) and defers its rewrite past the last of them. */
  finalize(): void {
    for (const s of this.sequential) {
      s.adds = this.orphanAdds.filter((a) => this.addBelongsTo(a.node, s)).map((a) => a.node.parent as ts.ExpressionStatement);
      for (const a of s.adds) this.registry.consumed.add(a.expression);
      this.ctx.defer(s.adds.length ? s.adds[s.adds.length - 1] : s.stmt, () => this.finalizeSequential(s));
    }
  }

  /** After every rewrite: an add no model took. */
  leftovers(): void {
    for (const a of this.orphanAdds) {
      if (!this.registry.consumed.has(a.node)) this.ctx.todo(a.node, a.row.tf, 'sequential-model', 'model.add on a model that was not created with tf.sequential in this file (or added conditionally)');
    }
  }

  private addBelongsTo(call: ts.CallExpression, s: SequentialPlan): boolean {
    const recv = (call.expression as ts.PropertyAccessExpression).expression;
    if (!s.sym || !ts.isIdentifier(recv) || this.ctx.checker.getSymbolAtLocation(recv) !== s.sym) return false;
    return ts.isExpressionStatement(call.parent) && call.parent.pos > s.stmt.pos && topStatement(call.parent, s.stmt.parent) !== undefined;
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
    for (const call of this.registry.layerCalls.keys()) if (within(call)) this.registry.consumed.add(call);
    for (const a of s.adds) this.registry.consumed.add(a.expression);
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
      const l = this.registry.layerOf(e);
      if (!l) return this.failSequential(s, e, 'Sequential.add', 'a layer that is not a tf.layers.* call the transpiler can see');
      layerIndex.push(l.row.tf === 'tf.layers.inputLayer' ? null : layers.length);
      if (l.row.tf === 'tf.layers.inputLayer') {
        const cfg = ctx.callSite(l.row.tf, l.call).args[0];
        const sh = cfg?.props?.inputShape ?? cfg?.props?.batchInputShape;
        if (sh?.elements) inputShape = sh.elements.map((x) => (x.kind === 'number' ? (x.value as number) : x.kind === 'null' ? null : x.text)).slice(cfg?.props?.inputShape ? 0 : 1);
        this.registry.consumed.add(l.call);
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
    for (const l of layers) this.registry.consumed.add(l.call);
    for (const a of s.adds) this.registry.consumed.add(a.expression);
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
      ok = ctx.rewrite(s.call, 'tf.sequential', 'new nn.Sequential()', ['sequential-model'], undefined, this.registry.userTexts(layers.map((l) => l.call)));
      const byLayer = chain.fieldsByLayer;
      s.adds.forEach((add, i) => {
        const li = layerIndex[firstAdd + i];
        const fs = li === null ? [] : byLayer[li] ?? [];
        const code = fs.length ? `${name}${fs.map((f) => `.append(${f.code})`).join('')};` : '';
        if (code) ctx.rewrite(add, 'Sequential.add', code, ['sequential-model'], undefined, this.registry.userTexts(layers.map((l) => l.call)));
        else ctx.removeStatement(add);
      });
      // After the statement holding the last add (the loop or if around it, when it is nested).
      const last = topStatement(s.adds[s.adds.length - 1], s.stmt.parent)!;
      const init = initLoop(chain.fields, name, indent);
      if (init.length) ctx.insert(lineEndAfter(ctx, last), `${init.join('\n')}\n`);
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
        ok = ctx.rewrite(s.call, 'tf.sequential', construct, ['sequential-model'], undefined, this.registry.userTexts(layers.map((l) => l.call)));
        if (ok && init.length) ctx.insert(lineEndAfter(ctx, s.stmt), `${init.join('\n')}\n`);
      }
      for (const a of s.adds) ctx.removeStatement(a);
      this.register(s, ok, s.stmt);
      return;
    }
    // A class: fields, initialisation, a forward with the input permute / RNN outputs / ops.
    const cls = className(name, this.registry.names());
    const body: string[] = [];
    let x = 'x';
    if (chain.modulesOnly) {
      const seq: Field = { name: fieldNames.named('layers'), code: `new nn.Sequential(\n${chain.fields.map((f) => `${indent}    ${f.code},`).join('\n')}\n${indent}  )` };
      body.push(`return this.${seq.name}.forward(${chain.inputPermute ? `x.permute(${chain.inputPermute})` : 'x'})${chain.outputPermute ? `.permute(${chain.outputPermute})` : ''};`);
      const code = classCode({ name: cls, fields: [{ ...seq, init: undefined }], params: ['x'], body, typescript: ts_, indent, returns: 'torch.Tensor' });
      // The init loop covers the inner Sequential's modules through this.modules().
      const withInit = injectInit(code, chain.fields, indent);
      ok = this.placeClass(s, cls, withInit, indent, this.registry.userTexts(layers.map((l) => l.call)));
    } else {
      if (chain.inputPermute) body.push(`x = x.permute(${chain.inputPermute});`);
      for (const st of chain.steps) body.push(`${x} = ${st.expr(x)};`);
      body.push(`return ${x};`);
      const code = classCode({ name: cls, fields: chain.fields, params: ['x'], body, typescript: ts_, indent, returns: 'torch.Tensor' });
      ok = this.placeClass(s, cls, code, indent, this.registry.userTexts(layers.map((l) => l.call)));
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
      if (!ts.isCallExpression(l.call) || (l.plan && !WRAPPER_LAYERS.has(l.row.tf))) {
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
    const user = this.registry.userTexts(layers.map((l) => l.call));
    for (const l of layers) this.registry.consumed.add(l.call);
    for (const a of s.adds) this.registry.consumed.add(a.expression);
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
    if (init.length) ctx.insert(lineEndAfter(ctx, last), `${init.join('\n')}\n`);
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
    // A sequential model has one input and one output (their names are not needed: nothing logs them).
    if (s.sym) this.registry.models.set(s.sym, { name: s.name!, sym: s.sym, migrated: ok, readyAt, inputNames: [undefined], outputNames: [undefined] });
  }
}

/** The rule the table's sequentialModel rows name (tf.sequential, Sequential.add). */
export const sequentialModel: PatternRule = (site) => site.rules.models.sequential.site(site);

/** The variable of `name = <call>;` (an assignment statement of its own), else undefined. */
function assignedName(call: ts.CallExpression): ts.Identifier | undefined {
  const b = call.parent;
  if (!ts.isBinaryExpression(b) || b.operatorToken.kind !== ts.SyntaxKind.EqualsToken || b.right !== call || !ts.isIdentifier(b.left)) return undefined;
  return ts.isExpressionStatement(b.parent) ? b.left : undefined;
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
