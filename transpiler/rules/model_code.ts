/**
 * Builds runtime module code from layer plans: a chain of layers (tf.sequential) or one layer at a time
 * (tf.model graphs), tracking shapes and the tensor layout (TF's channels-last vs the runtime's channels-first
 * convolutions), then writes nn.Sequential, or an nn.Module class with fields, TensorFlow's initialisation and
 * a forward.
 */
import { ts } from 'ts-morph';
import type { CallSite, InitSpec, LayerPlan, LayerStep, Layout, Mapping, NoteId, Shape } from '../../mappings/schema.js';
import { TRANSFORMERS } from '../../mappings/transformers/index.js';
import { fillSnippet } from '../../mappings/template.js';
import { missingNames, type RuntimeApi } from '../../mappings/runtime_api.js';
import type { LayoutFact } from '../types.js';

export type TensorLayout = 'tf' | 'cf';

/** A module field of the generated model. */
export interface Field {
  name: string;
  code: string;
  init?: InitSpec;
}

/** The permutation from TF's layout to channels-first and back, by rank (batch included). */
export function permutes(rank: number): { toCf: string; toTf: string } | undefined {
  if (rank === 4) return { toCf: '0, 3, 1, 2', toTf: '0, 2, 3, 1' };
  if (rank === 3) return { toCf: '0, 2, 1', toTf: '0, 2, 1' };
  return undefined;
}

export class FieldNames {
  private readonly used = new Set<string>();
  constructor(private readonly taken: ReadonlySet<string>) {}
  next(base: string): string {
    for (let i = 1; ; i++) {
      const n = `${base}${i}`;
      if (!this.used.has(n) && !this.taken.has(n)) {
        this.used.add(n);
        return n;
      }
    }
  }
  named(name: string): string {
    if (!this.used.has(name) && !this.taken.has(name)) {
      this.used.add(name);
      return name;
    }
    return this.next(name);
  }
}

export interface PlanResult {
  plan?: LayerPlan;
  notes: NoteId[];
  error?: string;
}

/** Runs a layer row's transformer for a call site with the given input shapes. */
export function planLayer(row: Mapping, site: CallSite, inputShapes: (Shape | null)[] | undefined): PlanResult {
  const t = row.transform ? TRANSFORMERS[row.transform] : undefined;
  if (!t) return { notes: [], error: `${row.tf} has no layer transformer` };
  const e = t({ ...site, inputShapes: inputShapes?.every((s) => s === null) ? undefined : inputShapes }, row);
  if (e.kind === 'todo') return { notes: [], error: e.detail };
  if (e.kind !== 'layer') return { notes: [], error: `${row.tf} did not produce a layer` };
  return { plan: e.plan, notes: [...(row.notes ?? []), ...(e.notes ?? [])] };
}

/** A step with a module alternative becomes a module when the runtime has it (so nn.Sequential can hold it). */
export function resolveStep(step: LayerStep, api: RuntimeApi, dim: number): LayerStep {
  if (step.kind === 'op' && step.module) {
    const m = fillSnippet(step.module, { dim: String(dim) });
    if (!missingNames(m, api).length) return { kind: 'module', name: moduleBaseName(m), code: m };
  }
  return step;
}

function moduleBaseName(code: string): string {
  const m = /new (?:nn|compat\.layers)\.(\w+)/.exec(code);
  const cls = (m ? m[1] : 'layer').replace(/[0-9]d$/i, '').replace('ReLU', 'Relu').replace(/^(E|SE|GE|Si)LU$/, (_x, p: string) => `${p}lu`);
  return cls.charAt(0).toLowerCase() + cls.slice(1);
}

/** One step of a forward: `x = <expr>` on the current value. */
export interface ForwardStep {
  expr: (x: string) => string;
  /** The permutation this step applies (consecutive inverse permutes cancel out). */
  permute?: string;
  /** The module field this step calls (Sequential form), if it is a plain module call. */
  field?: Field;
}

export interface ChainResult {
  fields: Field[];
  steps: ForwardStep[];
  /** Permutation applied to the model input (inside forward). */
  inputPermute?: string;
  /**
   * Permutation back to tfjs's layout applied to the output of a modules-only chain that ends channels-first on a
   * spatial tensor (an autoencoder's image): the model returns what the tfjs model returns, NHWC.
   */
  outputPermute?: string;
  outputShape: Shape | null;
  notes: NoteId[];
  facts: LayoutFact[];
  /** Every step is a plain module call: nn.Sequential can hold the chain. */
  modulesOnly: boolean;
  /** The fields each layer of the chain made, by layer. */
  fieldsByLayer: Field[][];
}

export interface ChainLayer {
  row: Mapping;
  site: CallSite;
  /** A plan made by the rule itself for the layer's input shape (a custom layer's module), not by the row's transformer. */
  plan?: (inputShape: Shape | null) => LayerPlan | { error: string };
}

/**
 * Sizes and lays out a chain of layers. Default layout: channels-first from the first convolution on, with the
 * input permuted once at the boundary; `keep`: permutes around every channels-first layer, so every tensor
 * between layers keeps tfjs's layout. From layer `unknownFrom` on no input size is known (layers added in a
 * loop or under a condition): those that need one become lazy modules or fail.
 */
export function buildChain(layers: ChainLayer[], inputShape: Shape | null, layout: Layout, api: RuntimeApi, names: FieldNames, model: string, unknownFrom = Infinity): ChainResult | { error: string; at: number } {
  let shape = inputShape;
  let state: TensorLayout = 'tf';
  const fields: Field[] = [];
  const steps: ForwardStep[] = [];
  const notes: NoteId[] = [];
  const facts: LayoutFact[] = [];
  let inputPermute: string | undefined;
  let modulesOnly = true;
  const fieldsByLayer: Field[][] = [];
  const INVERSE: Record<string, string> = { '0, 3, 1, 2': '0, 2, 3, 1', '0, 2, 3, 1': '0, 3, 1, 2', '0, 2, 1': '0, 2, 1' };
  const pushPermute = (p: string) => {
    const last = steps[steps.length - 1];
    if (last?.permute && INVERSE[last.permute] === p) steps.pop();
    else steps.push({ expr: (x) => `${x}.permute(${p})`, permute: p });
  };
  for (let i = 0; i < layers.length; i++) {
    fieldsByLayer.push([]);
    const { row, site } = layers[i];
    if (i >= unknownFrom) shape = null;
    const own = layers[i].plan?.(shape);
    if (own && 'error' in own) return { error: own.error, at: i };
    const r = own ? { plan: own, notes: [] as NoteId[], error: undefined } : planLayer(row, site, shape ? [shape] : undefined);
    if (!r.plan) return { error: i >= unknownFrom ? `${r.error!} (it or a layer before it is added in a loop or under a condition, so its input is known only at run time)` : r.error!, at: i };
    const plan = r.plan;
    notes.push(...r.notes);
    const rank = (plan.outputShape ?? shape ?? []).length + 1;
    // The first layer's input is its own inputShape (a global pool or flatten changes the rank on the way out).
    const ownInput = i === 0 && !shape ? site.args[0]?.props?.inputShape?.elements : undefined;
    const inRank = shape ? shape.length + 1 : ownInput ? ownInput.length + 1 : rank;
    const perm = permutes(inRank);
    if (plan.requires === 'cf' && state === 'tf') {
      if (!perm) return { error: `${row.tf}: cannot lay out a rank-${inRank} input channels-first`, at: i };
      if (layout === 'nchw' && steps.length === 0) {
        inputPermute = perm.toCf;
        const given = shape ?? site.args[0]?.props?.inputShape?.elements?.map((e) => e.text) ?? null;
        facts.push({ model, kind: 'input-permute', detail: `the input${given ? ` [N, ${given.join(', ')}]` : ''} (tfjs layout, channels last) is permuted (${perm.toCf}) to channels-first inside forward` });
        notes.push('model-input-permute');
      } else {
        pushPermute(perm.toCf);
        modulesOnly = false;
      }
      state = 'cf';
    } else if (plan.requires === 'tf' && state === 'cf') {
      if (!perm) return { error: `${row.tf}: cannot restore tfjs's layout for a rank-${inRank} tensor`, at: i };
      pushPermute(perm.toTf);
      modulesOnly = false;
      state = 'tf';
    }
    if (row.tf.endsWith('.flatten') && state === 'cf' && shape) {
      notes.push('flatten-order');
      facts.push({ model, kind: 'flatten-order', detail: `Flatten of [${shape.join(', ')}] (tfjs order H, W, C) yields channels-first order C, H, W in the runtime` });
    }
    for (const raw of plan.steps) {
      const step = resolveStep(raw, api, state === 'cf' ? 1 : -1);
      if (step.kind === 'module') {
        const field: Field = { name: names.next(step.name), code: step.code, init: step.init };
        fields.push(field);
        fieldsByLayer[i].push(field);
        const call = step.call;
        if (call) modulesOnly = false;
        if (/nn\.(Lazy)?Linear\(/.test(step.code)) facts.push({ model, kind: 'dense-kernel-transpose', detail: `${field.name}.weight = kernel of ${row.tf} transposed ([in, out] → [out, in])` });
        if (/nn\.(Lazy)?Conv[12]d\(/.test(step.code)) facts.push({ model, kind: 'conv-kernel-permute', detail: `${field.name}.weight = kernel of ${row.tf} permuted (HWIO → OIHW)` });
        if (/(nn\.|compat\.layers\.)(Lazy)?ConvTranspose2d(Same)?\(/.test(step.code)) facts.push({ model, kind: 'conv-kernel-permute', detail: `${field.name}.weight = kernel of ${row.tf} permuted ([kh, kw, out, in] → [in, out, kh, kw])` });
        steps.push({ field: call ? undefined : field, expr: (x) => fillSnippet(call ?? '$m.forward($x)', { m: `this.${field.name}`, x }) });
      } else {
        const dim = String(state === 'cf' ? 1 : -1);
        steps.push({ expr: (x) => fillSnippet(step.code, { x, xs: `[${x}]`, dim }) });
        modulesOnly = false;
      }
    }
    const produced: TensorLayout = plan.produces === 'same' ? state : plan.produces === 'any' ? ((plan.outputShape?.length ?? 2) <= 1 ? 'tf' : state) : plan.produces;
    state = produced;
    if (layout === 'keep' && state === 'cf') {
      const p = permutes((plan.outputShape?.length ?? 0) + 1);
      if (p) {
        pushPermute(p.toTf);
        modulesOnly = false;
      }
      state = 'tf';
    }
    shape = plan.outputShape;
  }
  // A chain that ends channels-first on a spatial output gives it back in tfjs's layout (as the source model does).
  let outputPermute: string | undefined;
  const back = state === 'cf' && shape ? permutes(shape.length + 1) : undefined;
  if (back) {
    if (modulesOnly) outputPermute = back.toTf;
    else pushPermute(back.toTf);
  }
  if (layout === 'keep' && facts.some((f) => f.kind !== 'dense-kernel-transpose')) notes.push('keep-layout');
  return { fields, steps, inputPermute, outputPermute, outputShape: shape, notes: [...new Set(notes)], facts, modulesOnly, fieldsByLayer };
}

/** TensorFlow.js's initialisation for the modules of a model, as one loop over `target.modules()`. */
export function initLoop(fields: Field[], target: string, indent: string): string[] {
  const byBody = new Map<string, string[]>();
  for (const f of fields) {
    if (!f.init) continue;
    const key = f.init.body.join('\n');
    const classes = byBody.get(key) ?? [];
    const test = f.init.where ? `(m instanceof ${f.init.cls} && ${f.init.where})` : `m instanceof ${f.init.cls}`;
    if (!classes.includes(test)) classes.push(test);
    byBody.set(key, classes);
  }
  if (!byBody.size) return [];
  // A guarded group (a depthwise conv among plain convs) goes first: the plain class test would take its modules.
  const groups = [...byBody].sort(([, a], [, b]) => Number(b.every((t) => t.startsWith('('))) - Number(a.every((t) => t.startsWith('('))));
  const out = [`${indent}// TensorFlow.js's initialisers (tfjs-layers' defaults; PyTorch's differ): glorotNormal kernels, zero biases`];
  // Lazy modules have no parameters before their first call: whenMaterialized runs the same code then.
  const lazy = fields.some((f) => f.init && /new (nn|compat\.layers)\.Lazy/.test(f.code));
  if (lazy) out[0] += ' (lazy modules: on their first call)';
  out.push(lazy ? `${indent}nn.whenMaterialized(${target}, (m) => {` : `${indent}for (const m of ${target}.modules()) {`);
  let first = true;
  for (const [body, classes] of groups) {
    out.push(`${indent}  ${first ? '' : '} else '}if (${classes.join(' || ')}) {`);
    for (const line of body.split('\n')) out.push(`${indent}    ${line}`);
    first = false;
  }
  out.push(`${indent}  }`, lazy ? `${indent}});` : `${indent}}`);
  return out;
}

/** An nn.Module class: module fields, TensorFlow's initialisation in the constructor, and a forward. */
export function classCode(opts: {
  name: string; fields: Field[]; params: string[]; body: string[]; typescript: boolean; indent: string; returns: string;
}): string {
  const { name, fields, params, body, typescript, indent, returns } = opts;
  const i1 = `${indent}  `;
  const i2 = `${indent}    `;
  const T = typescript ? ': torch.Tensor' : '';
  const lines = [`${indent}class ${name} extends nn.Module {`];
  for (const f of fields) lines.push(`${i1}${f.name} = ${f.code};`);
  const init = initLoop(fields, 'this', i2);
  if (init.length) lines.push('', `${i1}constructor() {`, `${i2}super();`, ...init, `${i1}}`);
  lines.push('', `${i1}forward(${params.map((p) => `${p}${T}`).join(', ')})${typescript ? `: ${returns}` : ''} {`);
  for (const b of body) lines.push(`${i2}${b}`);
  lines.push(`${i1}}`, `${indent}}`);
  return lines.join('\n').replace(/^\s+/, '');
}

/** PascalCase of a variable name, not clashing with names in the file. */
export function className(varName: string, taken: ReadonlySet<string>): string {
  const base = varName.charAt(0).toUpperCase() + varName.slice(1);
  let n = base === varName ? `${base}Module` : base;
  for (let i = 2; taken.has(n); i++) n = `${base}${i}`;
  return n;
}
