/**
 * Wrapper layers: `tf.layers.timeDistributed({ layer })` and `tf.layers.bidirectional({ layer, mergeMode })`, planned
 * from the wrapped layer's own call (its config is a layer, not a value a transformer can read) by the model rules
 * (sequential_model.ts through model_registry.ts, graph_fallback.ts, standalone_layers.ts).
 */
import { ts } from 'ts-morph';
import type { CallSite, LayerPlan, Mapping, Shape } from '../../mappings/schema.js';
import { planLayer } from './model_code.js';

/** Layers that wrap another (`{ layer: tf.layers.x(...) }`): planned from the wrapped layer's call (wrapperPlan). */
export const WRAPPER_LAYERS: ReadonlySet<string> = new Set(['tf.layers.timeDistributed', 'tf.layers.bidirectional']);

/** The `layer` of a wrapper's config (`tf.layers.timeDistributed({ layer })`, `bidirectional`), as written. */
export function wrappedLayerOf(call: ts.CallExpression): ts.Expression | undefined {
  const cfg = call.arguments[0];
  if (!cfg || !ts.isObjectLiteralExpression(cfg)) return undefined;
  const prop = cfg.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'layer');
  // Without the casts TypeScript asks for (bidirectional's `layer` is typed RNN: `tf.layers.lstm(...) as tf.RNN`).
  let e = prop?.initializer;
  while (e && (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e))) e = e.expression;
  return e;
}

/** Wrapped layers that act on the last axis only: timeDistributed of them is the layer on [N, T, ...] as it is. */
const LAST_AXIS_LAYERS = new Set(['tf.layers.dense', 'tf.layers.activation', 'tf.layers.dropout']);

/**
 * tf.layers.timeDistributed of the layer `inner` (its row and call site), for an input of `shape` (no batch dim,
 * time first): the wrapped layer's plan for one time step, applied to the whole tensor. Other wrapped layers are
 * refused, naming them.
 */
export function timeDistributedPlan(inner: { row: Mapping; site: CallSite } | undefined, shape: Shape | null, site: CallSite): LayerPlan | { error: string } {
  if (!inner) return { error: 'timeDistributed: its layer is not a tf.layers.* call the transpiler can see' };
  // The first layer of a model: timeDistributed's own inputShape (or batchInputShape), as the layer rows read theirs.
  const own = site.args[0]?.props?.inputShape ?? site.args[0]?.props?.batchInputShape;
  if (!shape && own?.elements) {
    const dims = own.elements.map((e) => (e.kind === 'number' ? (e.value as number) : e.kind === 'null' ? null : e.text));
    shape = site.args[0]?.props?.inputShape ? dims : dims.slice(1);
  }
  if (!LAST_AXIS_LAYERS.has(inner.row.tf)) return { error: `timeDistributed(${inner.row.tf}): only layers acting on the last axis (dense, activation, dropout) are migrated; apply the module to x.flatten(0, 1) and unflatten the result` };
  if (shape && shape.length < 2) return { error: `timeDistributed: its input needs a time axis, got [${shape.join(', ')}] (without the batch dim)` };
  const r = planLayer(inner.row, inner.site, shape ? [shape.slice(1)] : undefined);
  if (!r.plan) return { error: `timeDistributed(${inner.row.tf}): ${r.error}` };
  const out = r.plan.outputShape;
  return { ...r.plan, outputShape: shape && out ? [shape[0], ...out] : null, requires: 'tf', produces: 'tf' };
}

/** The plan of wrapper `wrapper` (a WRAPPER_LAYERS row) around the layer `inner`, for an input of `shape`. */
export function wrapperPlan(wrapper: string, inner: { row: Mapping; site: CallSite } | undefined, shape: Shape | null, site: CallSite): LayerPlan | { error: string } {
  return wrapper === 'tf.layers.bidirectional' ? bidirectionalPlan(inner, shape, site) : timeDistributedPlan(inner, shape, site);
}

const RNN_LAYERS = new Set(['tf.layers.lstm', 'tf.layers.gru', 'tf.layers.simpleRNN']);
const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'];

/**
 * tf.layers.bidirectional({ layer: rnn, mergeMode }): the wrapped RNN's module with `bidirectional: true`, its output
 * merged as tfjs merges its two layers (compat.layers.bidirectionalMerge: which steps each direction contributes,
 * the merge mode). tfjs's backward layer is a copy of the forward one's config, so both directions have the same
 * gates and initialisers, as the runtime's two directions do.
 */
function bidirectionalPlan(inner: { row: Mapping; site: CallSite } | undefined, shape: Shape | null, site: CallSite): LayerPlan | { error: string } {
  if (!inner) return { error: 'bidirectional: its layer is not a tf.layers.* call the transpiler can see' };
  if (!RNN_LAYERS.has(inner.row.tf)) return { error: `bidirectional(${inner.row.tf}): only recurrent layers (lstm, gru, simpleRNN) can run in both directions` };
  const cfg = site.args[0]?.props ?? {};
  const own = cfg.inputShape ?? cfg.batchInputShape;
  if (!shape && own?.elements) {
    const dims = own.elements.map((e) => (e.kind === 'number' ? (e.value as number) : e.kind === 'null' ? null : e.text));
    shape = cfg.inputShape ? dims : dims.slice(1);
  }
  const mode = cfg.mergeMode === undefined ? 'concat' : cfg.mergeMode.kind === 'string' ? String(cfg.mergeMode.value) : null;
  if (mode === null || !MERGE_MODES.includes(mode)) {
    return { error: `bidirectional mergeMode ${cfg.mergeMode?.text ?? ''}: ${cfg.mergeMode?.kind === 'null' ? 'null returns the two directions as two tensors, which a module in a chain cannot pass on; merge them yourself (compat.layers.bidirectionalMerge gives each)' : `one of ${MERGE_MODES.map((m) => `'${m}'`).join(', ')} as a literal`}` };
  }
  const r = planLayer(inner.row, inner.site, shape ? [shape] : undefined);
  if (!r.plan) return { error: `bidirectional(${inner.row.tf}): ${r.error}` };
  const [step] = r.plan.steps;
  if (r.plan.steps.length !== 1 || step.kind !== 'module' || !step.code.includes('{ batchFirst: true')) return { error: `bidirectional(${inner.row.tf}): the wrapped layer did not become one recurrent module` };
  const rs = inner.site.args[0]?.props?.returnSequences;
  const seq = rs?.kind === 'boolean' && rs.value === true;
  const out = r.plan.outputShape;
  const units = out ? out[out.length - 1] : null;
  const width = mode !== 'concat' || units === null ? units : typeof units === 'number' ? units * 2 : /^[\w$.]+$/.test(units) ? `${units} * 2` : `(${units}) * 2`;
  return {
    steps: [
      { ...step, code: step.code.replace('{ batchFirst: true', '{ batchFirst: true, bidirectional: true'), call: '$m.forward($x)[0]' },
      { kind: 'op', code: `compat.layers.bidirectionalMerge($x, '${mode}', ${seq})` },
    ],
    outputShape: out ? [...out.slice(0, -1), width] : null, requires: 'tf', produces: 'tf',
  };
}
