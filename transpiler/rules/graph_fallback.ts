/**
 * The functional API where the static graph rule cannot follow it (a graph built across helper functions,
 * layers applied inline, a tf.model whose outputs come from a call): the runtime's own symbolic graph replays it.
 * `tf.input` → `nn.input`, `layer.apply(x)` → `nn.apply(module, x)` (the module built just before the statement,
 * with its input size read from `x` when the layer needs one — Keras builds a layer from its first input, and
 * `nn.dim` is exact or an error), `tf.model(config)` → `new nn.GraphModule(config)`. Every module takes and
 * returns tensors in tfjs's layout (channels-first ones are wrapped in permutes), so the graph's tensors, the
 * data fed to it and its outputs keep tfjs's layout. `nn.apply` computes on tensors and records on symbolic
 * tensors, so the same code is right for both, which JS sources cannot tell apart statically.
 */
import { ts } from 'ts-morph';
import type { LayerPlan, Mapping, NoteId, Shape } from '../../mappings/schema.js';
import { lookup } from '../../mappings/index.js';
import { fillSnippet } from '../../mappings/template.js';
import type { FileContext } from '../context.js';
import { FieldNames, initLoop, permutes, planLayer, resolveStep, type Field } from './model_code.js';
import { WRAPPER_LAYERS, wrappedLayerOf, wrapperPlan } from './wrapper_layers.js';

/** The tfjs input rank (batch excluded) a layer family expects, where the family says it. */
function familyRank(row: Mapping): number | undefined {
  if (/(?:2d|2D)(?:Transpose)?$/.test(row.tf)) return 3;
  if (/(?:1d|1D)$/.test(row.tf) || /\.(lstm|gru|simpleRNN|bidirectional)$/.test(row.tf)) return 2;
  if (/\.dense$/.test(row.tf)) return 1;
  return undefined;
}

/** The index just after the parenthesis that closes the one at `open`. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

export interface LayerModule {
  code: string;
  fields: Field[];
  notes: NoteId[];
  /** The layer's output shape (batch excluded, tfjs's layout), null where unknown. */
  outputShape: Shape | null;
}

/**
 * One layer as a module on tfjs-layout tensors: its modules and ops in a row (ops as nn.Lambda, a module call
 * with extra code split around the module), with permutes around a channels-first layer. `inputShape` is the
 * shape the layer is sized from (null: unknown, lazy modules or an error).
 */
export function layerModule(ctx: FileContext, row: Mapping, call: ts.CallExpression, inputShape: Shape | null, multi: boolean): LayerModule | { error: string } {
  const site = ctx.callSite(row.tf, call);
  const r = WRAPPER_LAYERS.has(row.tf) ? wrapperOf(ctx, call, row.tf, inputShape) : planLayer(row, site, inputShape ? [inputShape] : undefined);
  if (!r.plan) return { error: r.error! };
  const plan = r.plan;
  const rankKnown = inputShape?.length ?? familyRank(row);
  const perm = plan.requires === 'cf' ? (rankKnown === undefined ? undefined : permutes(rankKnown + 1)) : undefined;
  if (plan.requires === 'cf' && !perm) return { error: `${row.tf} is channels-first in the runtime and the rank of its input is unknown here` };
  const T = ctx.typescript;
  const lambda = (param: string, body: string, type = 'torch.Tensor') => `new nn.Lambda((${param}${T ? `: ${type}` : ''}) => ${body})`;
  const parts: string[] = [];
  const fields: Field[] = [];
  if (perm) parts.push(lambda('x', `x.permute(${perm.toCf})`));
  for (const raw of plan.steps) {
    const step = resolveStep(raw, ctx.opts.api, perm ? 1 : -1);
    if (step.kind === 'module') {
      fields.push({ name: step.name, code: step.code, init: step.init });
      const callSnippet = step.call;
      if (!callSnippet) {
        parts.push(step.code);
        continue;
      }
      // `$m.forward(<input code>)<output code>`: the input code before the module, the output code after it.
      const head = '$m.forward(';
      const end = callSnippet.startsWith(head) ? closing(callSnippet, head.length - 1) : -1;
      if (end < 0) return { error: `${row.tf}: its module call (${callSnippet}) cannot be split around the module` };
      const inner = callSnippet.slice(head.length, end - 1);
      const post = callSnippet.slice(end);
      if (inner !== '$x') parts.push(lambda('x', fillSnippet(inner, { x: 'x' })));
      parts.push(step.code);
      if (post) parts.push(lambda('y', `y${post}`, 'torch.Tensor[]'));
    } else {
      const dim = perm ? '1' : '-1';
      parts.push(multi && step.code.includes('$xs')
        ? lambda('xs', fillSnippet(step.code, { x: 'xs', xs: 'xs', dim }), 'torch.Tensor[]')
        : lambda('x', fillSnippet(step.code, { x: 'x', xs: '[x]', dim })));
    }
  }
  if (perm && (plan.outputShape?.length ?? rankKnown ?? 0) === rankKnown) parts.push(lambda('x', `x.permute(${perm.toTf})`));
  if (!parts.length) return { error: `${row.tf} made no module` };
  const code = parts.length === 1 ? parts[0] : `new nn.Sequential(${parts.join(', ')})`;
  return { code, fields, notes: [...r.notes, ...(perm ? (['nhwc-nchw'] as NoteId[]) : [])], outputShape: plan.outputShape };
}

/** A wrapper's plan (timeDistributed, bidirectional) from its wrapped layer's call (model_code.ts), as planLayer answers. */
function wrapperOf(ctx: FileContext, call: ts.CallExpression, wrapper: string, inputShape: Shape | null): { plan?: LayerPlan; notes: NoteId[]; error?: string } {
  const inner = wrappedLayerOf(call);
  const q = inner && ts.isCallExpression(inner) ? ctx.qualify(inner.expression) : undefined;
  const row = q ? lookup(q) : undefined;
  const p = wrapperPlan(wrapper, row && inner && ts.isCallExpression(inner) ? { row, site: ctx.callSite(row.tf, inner) } : undefined, inputShape, ctx.callSite(wrapper, call));
  return 'error' in p ? { notes: [], error: p.error } : { plan: p, notes: [...(lookup(wrapper)?.notes ?? [])] };
}

/** The statement directly in a block (or the file) that holds `node`; undefined inside an expression-bodied arrow. */
export function blockStatement(node: ts.Node): ts.Statement | undefined {
  let n: ts.Node = node;
  while (n.parent && !ts.isBlock(n.parent) && !ts.isSourceFile(n.parent) && !ts.isModuleBlock(n.parent) && !ts.isCaseClause(n.parent) && !ts.isDefaultClause(n.parent)) {
    if (ts.isArrowFunction(n.parent) && n.parent.body === n) return undefined;
    n = n.parent;
  }
  return n.parent ? (n as ts.Statement) : undefined;
}

/** Input shape expressions read from `arg` at the apply site: the last `rank` dims, by `nn.dim`. */
function shapeFrom(arg: string, rank: number): Shape {
  return Array.from({ length: rank }, (_v, i) => `nn.dim(${arg}, ${i - rank})`);
}

export class GraphFallback {
  private readonly names: FieldNames;

  constructor(private readonly ctx: FileContext, taken: ReadonlySet<string>) {
    this.names = new FieldNames(taken);
  }

  /** `tf.input(config)` → `nn.input(config)` (same keys: shape, batchShape, batchSize, dtype, name). */
  input(call: ts.CallExpression, row: Mapping): string | undefined {
    const cfg = call.arguments[0];
    if (call.arguments.length !== 1) return 'tf.input takes one config object';
    if (ts.isObjectLiteralExpression(cfg)) {
      for (const p of cfg.properties) {
        const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
        if (!key || !['shape', 'batchShape', 'batchSize', 'dtype', 'name'].includes(key)) return `tf.input option ${key ?? p.getText(this.ctx.sf)} has no runtime equivalent (nn.input takes shape, batchShape, batchSize, dtype, name)`;
      }
    }
    const arg = this.ctx.rewritten(cfg);
    return this.ctx.rewrite(call, row.tf, `nn.input(${arg})`, ['functional-graph'], undefined, [arg]) ? undefined : 'the runtime lacks nn.input';
  }

  /** `tf.layers.x(config).apply(arg)` → the layer's module built before the statement, then `nn.apply(module, arg)`. */
  inlineApply(apply: ts.CallExpression, layerCall: ts.CallExpression, row: Mapping): string | undefined {
    const ctx = this.ctx;
    if (apply.arguments.length !== 1) return `${row.tf}.apply with options (kwargs) has no runtime equivalent`;
    const stmt = blockStatement(apply);
    if (!stmt) return 'the layer is applied inside an arrow function without a block: write the body as a block';
    const argNode = apply.arguments[0];
    const arg = ctx.rewritten(argNode);
    const multi = ts.isArrayLiteralExpression(argNode);
    let built = layerModule(ctx, row, layerCall, null, multi);
    const rank = familyRank(row);
    if ('error' in built && rank !== undefined && ts.isIdentifier(argNode) && !multi) built = layerModule(ctx, row, layerCall, shapeFrom(arg, rank), false);
    if ('error' in built) return built.error;
    const name = this.names.next(built.fields[0]?.name ?? row.tf.slice(row.tf.lastIndexOf('.') + 1));
    const indent = ctx.indent(stmt);
    const user = ctx.callSite(row.tf, layerCall).args.flatMap((a) => [a.text, ...Object.values(a.props ?? {}).map((p) => p.text)]);
    const code = `nn.apply(${name}, ${arg})`;
    if (!ctx.rewrite(apply, 'Layer.apply', code, [...built.notes, 'functional-graph'], undefined, [arg, ...user])) return undefined;
    ctx.record(layerCall, row.tf, 'rewritten');
    const decl = [`${indent}const ${name} = ${built.code};`, ...initLoop(built.fields, name, indent)];
    ctx.insert(lineStart(ctx, stmt), `${decl.join('\n')}\n`);
    return undefined;
  }

  /**
   * `const layer = tf.layers.x(config)` applied (`layer.apply(a)`, maybe to several inputs: a shared layer) →
   * the module, sized lazily where its size is not in its config, and each use → `nn.apply(layer, a)`.
   */
  declaredLayer(call: ts.CallExpression, row: Mapping, uses: ts.CallExpression[]): string | undefined {
    const ctx = this.ctx;
    const decl = call.parent;
    if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return 'declare the layer with `const layer = tf.layers.x(...)`';
    const stmt = blockStatement(decl);
    if (!stmt) return 'the layer is declared inside an arrow function without a block';
    const multi = uses.some((u) => u.arguments[0] && ts.isArrayLiteralExpression(u.arguments[0]));
    const built = layerModule(ctx, row, call, null, multi);
    if ('error' in built) return `${built.error} (where the layer is declared its input is unknown: build it where it is applied, \`tf.layers.x(...).apply(input)\`)`;
    if (uses.some((u) => u.arguments.length !== 1)) return `${row.tf}.apply with options (kwargs) has no runtime equivalent`;
    const name = decl.name.text;
    const user = ctx.callSite(row.tf, call).args.flatMap((a) => [a.text, ...Object.values(a.props ?? {}).map((p) => p.text)]);
    if (!ctx.rewrite(call, row.tf, built.code, [...built.notes, 'functional-graph'], undefined, user)) return undefined;
    const init = initLoop(built.fields, name, ctx.indent(stmt));
    if (init.length) {
      const nl = ctx.text.indexOf('\n', stmt.getEnd());
      ctx.insert(nl === -1 ? ctx.text.length : nl + 1, `${init.join('\n')}\n`);
    }
    for (const u of uses) {
      const arg = ctx.rewritten(u.arguments[0]);
      ctx.rewrite(u, 'Layer.apply', `nn.apply(${name}, ${arg})`, ['functional-graph'], undefined, [arg, name]);
    }
    return undefined;
  }

  /** Whether `tf.model(config)` can become `new nn.GraphModule(config)`: one config of inputs, outputs, name. */
  static modelConfigOk(call: ts.CallExpression): boolean {
    const cfg = call.arguments[0];
    if (!cfg || call.arguments.length !== 1) return false;
    if (!ts.isObjectLiteralExpression(cfg)) return false;
    // Inputs and outputs the graph makes (names, layer applications): not another model's `inputs` or a layer's
    // `output`, which are tfjs graph handles the runtime graph does not have (truncating a loaded model).
    const graphValue = (e: ts.Expression): boolean => {
      while (ts.isAsExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
      return ts.isIdentifier(e) || ts.isCallExpression(e) || (ts.isArrayLiteralExpression(e) && e.elements.every(graphValue));
    };
    return cfg.properties.every((p) => {
      const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
      if (key === 'name' && ts.isPropertyAssignment(p)) return true;
      if (ts.isShorthandPropertyAssignment(p)) return key === 'inputs' || key === 'outputs';
      return ts.isPropertyAssignment(p) && (key === 'inputs' || key === 'outputs') && graphValue(p.initializer);
    });
  }

  /** `tf.model(config)` → `new nn.GraphModule(config)` (inputs, outputs, name); run after the graph inside the config. */
  model(call: ts.CallExpression, row: Mapping): boolean {
    const cfg = call.arguments[0];
    const arg = this.ctx.rewritten(cfg);
    return this.ctx.rewrite(call, row.tf, `new nn.GraphModule(${arg})`, ['functional-graph'], undefined, [arg]);
  }
}

function lineStart(ctx: FileContext, stmt: ts.Statement): number {
  return ctx.text.lastIndexOf('\n', stmt.getStart(ctx.sf) - 1) + 1;
}
