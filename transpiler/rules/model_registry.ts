/**
 * What the model rules (sequential_model.ts, functional_model.ts, standalone_layers.ts) share for one file: the
 * models they built (the training rules read them), the layer, input and apply sites the walk handed over, the
 * sites a rule has taken, the names the file uses, the runtime graph they fall back on, and how a layer expression
 * resolves to the tf.layers.* call behind it.
 */
import { ts } from 'ts-morph';
import type { LayerPlan, Mapping, Shape } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import type { ChainLayer } from './model_code.js';
import { WRAPPER_LAYERS, wrappedLayerOf, wrapperPlan } from './wrapper_layers.js';
import type { Facts } from './facts.js';
import { GraphFallback } from './graph_fallback.js';
import { TfjsLayerNames } from './layer_names.js';
import type { PatternSite } from './pattern_site.js';

export interface ModelInfo {
  name: string;
  sym?: ts.Symbol;
  /** Migrated to a runtime module (fit/predict on it can be rewritten). */
  migrated: boolean;
  /** Where the model becomes usable (the statement after which it exists, fully built). */
  readyAt: ts.Node;
  /**
   * A functional model's tfjs input and output names (`model.inputNames` / `outputNames`), in order, each
   * undefined where it cannot be known statically (layer_names.ts).
   */
  inputNames?: (string | undefined)[];
  outputNames?: (string | undefined)[];
}

/** A layer a model is built from: its call, its row, the `const` holding it, and a plan when it is not a row's layer. */
export interface LayerRef {
  call: ts.CallExpression | ts.NewExpression;
  row: Mapping;
  decl?: ts.VariableStatement;
  plan?: ChainLayer['plan'];
}

export class ModelRegistry {
  readonly models = new Map<ts.Symbol, ModelInfo>();
  /** tf.layers.* calls (kept for a model; a TODO if no model uses it). */
  readonly layerCalls = new Map<ts.CallExpression, Mapping>();
  readonly inputs = new Map<ts.CallExpression, Mapping>();
  readonly applies = new Map<ts.CallExpression, Mapping>();
  /** Sites a rule has taken (rewritten, or part of a model's TODO): they get no TODO of their own at the end. */
  readonly consumed = new Set<ts.Node>();
  private taken: Set<string> | undefined;
  private graph: GraphFallback | undefined;
  private layerNames: TfjsLayerNames | undefined;

  constructor(readonly ctx: FileContext, readonly facts: Facts) {}

  /** Every identifier in the file (a class or field name the rules make must not clash with one). */
  names(): Set<string> {
    // A copy of the file's identifiers: the names this set hands out are added to it, not to the file's.
    this.taken ??= new Set(this.ctx.identifiers());
    return this.taken;
  }

  /** The runtime symbolic graph, for what the static rules cannot trace (one per file: its field names are shared). */
  fallback(): GraphFallback {
    this.graph ??= new GraphFallback(this.ctx, this.names());
    return this.graph;
  }

  /** The names tfjs gives this file's layers and inputs (read once every site is in). */
  tfjsNames(): TfjsLayerNames {
    this.layerNames ??= new TfjsLayerNames(this.ctx, this.layerCalls, this.inputs);
    return this.layerNames;
  }

  /** The tf.layers.* call behind a layer expression (inline, or a const holding it). */
  layerOf(expr: ts.Expression): LayerRef | undefined {
    let e = expr;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isCallExpression(e) && this.layerCalls.has(e)) {
      const row = this.layerCalls.get(e)!;
      if (WRAPPER_LAYERS.has(row.tf)) return { call: e, row, plan: this.wrapper(e, row.tf) };
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

  /** A wrapper (tf.layers.timeDistributed / bidirectional({ layer: tf.layers.x(...) })): planned from the wrapped layer's call (model_code.ts). */
  private wrapper(call: ts.CallExpression, wrapper: string): ChainLayer['plan'] {
    const expr = wrappedLayerOf(call);
    const inner = expr ? this.layerOf(expr) : undefined;
    return (shape) => {
      const ok = inner && !inner.plan && ts.isCallExpression(inner.call) ? inner : undefined;
      if (ok) this.consumed.add(ok.call);
      return wrapperPlan(wrapper, ok && { row: ok.row, site: this.ctx.callSite(ok.row.tf, ok.call) }, shape, this.ctx.callSite(wrapper, call));
    };
  }

  /** The user's code inside layer configs (kept out of the runtime-name check). */
  userTexts(calls: (ts.CallExpression | ts.NewExpression)[]): string[] {
    return calls.flatMap((c) => this.ctx.callSite('', c).args.flatMap((a) => [a.text, ...Object.values(a.props ?? {}).map((p) => p.text)]));
  }
}

/** The call a model rule's site is (they all are calls), else undefined after a TODO. */
export function modelCall({ node, row, rules }: PatternSite): ts.CallExpression | undefined {
  if (ts.isCallExpression(node)) return node;
  rules.ctx.todo(node, row.tf, 'no-equivalent', `${row.tf} used without a call`);
  return undefined;
}

/** A model rule's row used in a form the rule has no case for. */
export function noModelRule(ctx: FileContext, node: ts.Node, row: Mapping): void {
  ctx.todo(node, row.tf, 'no-equivalent', `${row.tf}: no rule for this use`);
}
