/**
 * The plumbing every training rewrite shares: the sites (`Use`), what a migrated `model.compile` left behind
 * (`Compiled`: the optimizer, loss function and metric function names), fresh names for them, and the compile
 * rewrite itself (optimizer, loss and metrics as code).
 */
import { ts } from 'ts-morph';
import { ACCURACY_METRICS, COMPILE_LOSSES, COMPILE_METRICS, COMPILE_OPTIMIZERS, type LossSpec } from '../../mappings/compile.js';
import { lookup } from '../../mappings/index.js';
import { emitRow } from '../../mappings/emit.js';
import type { ArgInfo, Mapping } from '../../mappings/schema.js';
import { fillSnippet } from '../../mappings/template.js';
import { type FileContext, skipParensUp } from '../context.js';

export interface Use {
  call: ts.CallExpression;
  row: Mapping;
  receiver: ts.Expression;
}

export interface Compiled {
  use: Use;
  optimizer: string;
  lossFn: string;
  metrics: { key: string; fn: string }[];
  /**
   * The `metrics` option's code for the runtime helpers: `{ acc: accFn }`, or with several outputs one object (or
   * null) per output, `[{ acc: accFn }, null]` (tfjs's collectMetrics; `metrics` then lists every entry). Absent
   * without metrics.
   */
  metricsCode?: string;
  container: ts.Node;
  ok: boolean;
  /** The compile also recorded itself with utils.compile (the model is used in another function or file). */
  recorded: boolean;
  /** `loss: [...]` (several outputs): how many; `lossFn` is then an array of functions. */
  outputs?: number;
  /** Per output, its loss's per-sample function as code (what classWeight weights), when the loss is a name. */
  perSample?: string[];
}

/** The identifiers of the file (collected once, on first use), and the names the training rewrites add to them. */
export class TrainingNames {
  private taken: Set<string> | undefined;

  constructor(private readonly ctx: FileContext) {}

  names(): Set<string> {
    // A copy of the file's identifiers: the names this set hands out are added to it, not to the file's.
    this.taken ??= new Set(this.ctx.identifiers());
    return this.taken;
  }

  fresh(base: string, model: string): string {
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
}

/**
 * `model.compile({ optimizer, loss, metrics })` → `const optimizer = ...; const lossFn = ...; const accFn = ...;`.
 * Returns what fit/evaluate need (with `ok` false when the rewrite did not apply), or undefined after a TODO.
 */
export function compileModel(ctx: FileContext, u: Use, names: TrainingNames, helper: boolean, record: boolean, outputNames?: (string | undefined)[]): Omit<Compiled, 'use'> | undefined {
  let outputs: number | undefined;
  let perSample: string[] | undefined;
  const fail = (why: string) => void ctx.todo(u.call, u.row.tf, 'compile-fit-loop', `model.compile: ${why}`);
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
  const named = cfg.optimizer;
  let optimizer: string;
  if (!named) return fail('no optimizer');
  // `const optimizer = 'rmsprop'; model.compile({ optimizer, ... })`: the name holds a string, not an optimizer.
  const constant = named.kind === 'identifier' ? stringConstant(ctx, cfgNode, 'optimizer') : undefined;
  const opt: ArgInfo = constant !== undefined ? { ...named, kind: 'string', value: constant } : named;
  if (opt.kind === 'string') {
    const spec = COMPILE_OPTIMIZERS[opt.value as string];
    const row = spec && lookup(spec.row);
    if (!spec || !row) return fail(`optimizer '${opt.value}' is not mapped`);
    const e = emitRow(row, {
      key: row.tf, args: spec.args.map((a) => ({ text: a, kind: 'number', value: Number(a), simple: false }) as ArgInfo),
      awaited: false, layout: ctx.opts.layout, typescript: T, paramsCode: `${model}.parameters()`,
    });
    if (e.kind !== 'code') return fail(`optimizer '${opt.value}': ${e.kind === 'todo' ? e.detail : ''}`);
    optimizer = names.fresh('optimizer', modelName);
    lines.push(`const ${optimizer} = ${e.code};`);
    ctx.note(u.call, 'optimizer-string');
  } else if (opt.kind === 'identifier') {
    optimizer = opt.text;
  } else {
    if (/\btf\b/.test(opt.text) && ctx.referencesTf(cfgNode)) return fail('the optimizer expression was not migrated');
    optimizer = names.fresh('optimizer', modelName);
    lines.push(`const ${optimizer} = ${opt.text};`);
  }
  // Loss.
  const lossArg = cfg.loss;
  if (!lossArg) return fail('no loss');
  let lossSpec: LossSpec | undefined;
  const lossFn = names.fresh('lossFn', modelName);
  const P = T ? '(yPred: torch.Tensor, yTrue: torch.Tensor)' : '(yPred, yTrue)';
  if (lossArg.kind === 'string') {
    lossSpec = COMPILE_LOSSES[lossArg.value as string];
    if (!lossSpec) return fail(`loss '${lossArg.value}' is not mapped`);
    lines.push(`const ${lossFn} = ${P} => ${fillSnippet(lossSpec.code, { yPred: 'yPred', yTrue: 'yTrue' })};`);
    perSample = [`${P} => ${fillSnippet(lossSpec.perSample, { yPred: 'yPred', yTrue: 'yTrue' })}`];
    for (const n of lossSpec.notes ?? []) ctx.note(u.call, n, 'LayersModel.compile');
  } else if (lossArg.kind === 'array') {
    // One loss per output (utils.fit and the written loop add them, as tfjs does: fit_outputs.ts).
    const specs = (lossArg.elements ?? []).map((e) => (e.kind === 'string' ? COMPILE_LOSSES[e.value as string] : undefined));
    if (!specs.length || specs.some((x) => !x)) return fail('several losses: each must be a mapped loss name');
    const fill = (code: string) => `${P} => ${fillSnippet(code, { yPred: 'yPred', yTrue: 'yTrue' })}`;
    lines.push(`const ${lossFn} = [${specs.map((x) => fill(x!.code)).join(', ')}];`);
    outputs = specs.length;
    perSample = specs.map((x) => fill(x!.perSample));
    lossSpec = specs[0];
    for (const n of new Set(specs.flatMap((x) => x!.notes ?? []))) ctx.note(u.call, n, 'LayersModel.compile');
    ctx.note(u.call, 'fit-output-losses', 'LayersModel.compile');
  } else if (lossArg.kind === 'object') {
    return fail('several losses by output name are not supported (give them as an array, in the model\'s output order)');
  } else {
    // A loss function: tfjs calls it as (yTrue, yPred) and takes the mean.
    lines.push(`const ${lossFn} = ${P} => (${lossArg.text})(yTrue, yPred).mean();`);
  }
  // tfjs-layers never reads lossWeights: the migration keeps the original's (unweighted) numbers and says so.
  if (cfg.lossWeights) ctx.note(u.call, 'loss-weights-ignored', 'LayersModel.compile');
  // Metrics.
  const metrics: { key: string; fn: string; output?: number }[] = [];
  let metricsCode: string | undefined;
  const ms = cfg.metrics;
  const outputCount = outputNames?.length ?? outputs ?? 1;
  if (ms && outputCount > 1) {
    // tfjs's collectMetrics: a name or a list is every output's, an object by output name one output's.
    const lossNames = (lossArg.kind === 'array' ? (lossArg.elements ?? []).map((e) => e.value as string) : Array.from({ length: outputCount }, () => lossArg.kind === 'string' ? (lossArg.value as string) : undefined));
    let perOutput: ArgInfo[][];
    if (ms.kind === 'object') {
      const known = outputNames?.every((n) => n !== undefined) ? (outputNames as string[]) : undefined;
      if (!known) return fail("metrics by output name: the model's output layer names are not known here (name its output layers)");
      const unknown = Object.keys(ms.props ?? {}).find((k) => !known.includes(k));
      if (unknown !== undefined) return fail(`metrics by output name: '${unknown}' is not an output of the model (${known.join(', ')})`);
      perOutput = known.map((n) => {
        const m = ms.props?.[n];
        return m ? (m.kind === 'array' ? m.elements ?? [] : [m]) : [];
      });
    } else {
      const list = ms.kind === 'array' ? ms.elements ?? [] : [ms];
      perOutput = Array.from({ length: outputCount }, () => list);
    }
    const byCode = new Map<string, string>();
    const objects: string[] = [];
    for (let i = 0; i < outputCount; i++) {
      const entries: string[] = [];
      for (const m of perOutput[i]) {
        if (m.kind !== 'string') return fail('metrics must be names (strings)');
        const spec = COMPILE_METRICS[m.value as string];
        if (!spec) return fail(`metric '${m.value}' is not mapped`);
        const key = spec === 'accuracy' ? 'acc' : spec.key;
        if (spec === 'accuracy' && lossNames[i] === undefined) return fail("metrics: 'accuracy' with several outputs needs the loss by name (tfjs picks each output's accuracy from its loss)");
        const body = spec === 'accuracy' ? outputAccuracy(lossNames[i]!) : fillSnippet(spec.code, { yPred: 'yPred', yTrue: 'yTrue' });
        let fn = byCode.get(body);
        if (!fn) {
          fn = names.fresh(`${key}Fn`, modelName);
          byCode.set(body, fn);
          lines.push(`const ${fn} = ${P} => ${body};`);
        }
        entries.push(`${key}: ${fn}`);
        metrics.push({ key: `${outputNames?.[i] ?? `output${i + 1}`}_${key}`, fn, output: i });
        if (spec === 'accuracy') ctx.note(u.call, 'accuracy-metric');
      }
      objects.push(entries.length ? `{ ${entries.join(', ')} }` : 'null');
    }
    if (metrics.length) metricsCode = `[${objects.join(', ')}]`;
  } else {
    const list = ms ? (ms.kind === 'array' ? ms.elements ?? [] : [ms]) : [];
    for (const m of list) {
      if (m.kind !== 'string') return fail('metrics must be names (strings)');
      const spec = COMPILE_METRICS[m.value as string];
      if (!spec) return fail(`metric '${m.value}' is not mapped`);
      const key = spec === 'accuracy' ? 'acc' : spec.key;
      // A loss other than the crossentropies (mse, mae, hinge, ...): tfjs's accuracy is binary for one unit only,
      // categorical otherwise, so the choice is the output's shape at run time (outputAccuracy).
      const byShape = spec === 'accuracy' && lossArg.kind === 'string' && lossSpec && !CROSSENTROPIES.includes(lossArg.value as string);
      const code = byShape ? outputAccuracy(lossArg.value as string) : spec === 'accuracy' ? ACCURACY_METRICS[lossSpec?.accuracy ?? 'categorical'] : spec.code;
      const fn = names.fresh(`${key}Fn`, modelName);
      lines.push(`const ${fn} = ${P} => ${fillSnippet(code, { yPred: 'yPred', yTrue: 'yTrue' })};`);
      metrics.push({ key, fn });
      if (spec === 'accuracy') ctx.note(u.call, 'accuracy-metric');
    }
    if (metrics.length) metricsCode = `{ ${metrics.map((m) => `${m.key}: ${m.fn}`).join(', ')} }`;
  }
  if (record) {
    const msCode = metricsCode ? `, metrics: ${metricsCode}` : '';
    // Several outputs: the record carries tfjs's output names, for the logs of a fit that uses it elsewhere.
    const several = (outputNames?.length ?? outputs ?? 1) > 1;
    const known = several && outputNames?.every((n) => n !== undefined) ? `, outputNames: [${(outputNames as string[]).map((n) => `'${n.replace(/[\\']/g, '\\$&')}'`).join(', ')}]` : '';
    if (several && !known) ctx.note(u.call, 'fit-output-names', 'LayersModel.compile');
    lines.push(`utils.compile(${model}, { optimizer: ${optimizer}, loss: ${lossFn}${msCode}${known} });`);
  }
  const indent = ctx.indent(stmt);
  const ok = ctx.rewrite(stmt, u.row.tf, lines.join(`\n${indent}`), [helper ? 'fit-helper' : 'compile-fit-loop', ...(record ? ['compile-elsewhere' as const] : [])], undefined, [model, opt.text, lossArg.text]);
  return { optimizer, lossFn, metrics, ...(metricsCode ? { metricsCode } : {}), container: stmt.parent, ok, recorded: record, ...(outputs ? { outputs } : {}), ...(perSample ? { perSample } : {}) };
}

/** The losses whose accuracy tfjs's compile reads from the loss itself (binary, sparse or categorical). */
const CROSSENTROPIES = ['binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

/**
 * 'accuracy' on one of several outputs (or on one output under a loss other than the crossentropies), as tfjs-layers' compile picks it: binary where the output has one unit
 * (read from the prediction's last dim, the output's shape) or the loss is binaryCrossentropy, else sparse
 * categorical for sparseCategoricalCrossentropy, else categorical.
 */
function outputAccuracy(lossName: string): string {
  const fill = (kind: 'binary' | 'sparse' | 'categorical') => fillSnippet(ACCURACY_METRICS[kind], { yPred: 'yPred', yTrue: 'yTrue' });
  if (lossName === 'binaryCrossentropy') return fill('binary');
  const other = COMPILE_LOSSES[lossName]?.sparse ? fill('sparse') : fill('categorical');
  return `yPred.shape[yPred.ndim - 1] === 1 ? ${fill('binary')} : ${other}`;
}

/** The string a config property's identifier value holds when it is a `const` initialised with a string literal. */
function stringConstant(ctx: FileContext, cfg: ts.ObjectLiteralExpression, key: string): string | undefined {
  const p = cfg.properties.find((q) => q.name && ts.isIdentifier(q.name) && q.name.text === key);
  if (!p) return undefined;
  const sym = ts.isShorthandPropertyAssignment(p) ? ctx.checker.getShorthandAssignmentValueSymbol(p)
    : ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer) ? ctx.checker.getSymbolAtLocation(p.initializer) : undefined;
  const d = sym?.valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !(ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const)) return undefined;
  return ts.isStringLiteral(d.initializer) || ts.isNoSubstitutionTemplateLiteral(d.initializer) ? d.initializer.text : undefined;
}
