/**
 * Layer transformers: a tfjs layer config (and the input shape the model rule inferred) becomes module/op steps,
 * TensorFlow's initialisation, the layout the layer needs and its output shape.
 */
import type { ArgInfo, CallSite, Dim, Emit, InitSpec, LayerPlan, LayerStep, LayoutNeed, NoteId, Shape, Transformer } from '../schema.js';
import { ACTIVATIONS } from '../compile.js';
import { isBool, isNum, isStr, todo } from './util.js';

// --- shapes and dimensions --------------------------------------------------------------------------------

export const dimText = (d: Dim): string => (typeof d === 'number' ? String(d) : /^[\w$.]+(\[[\w$.]+\])*$/.test(d) ? d : `(${d})`);

/** The product of dims: a number when all are known numbers, code otherwise, null when one is unknown. */
export function prod(dims: (Dim | null)[]): Dim | null {
  if (dims.some((d) => d === null)) return null;
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1);
  return (dims as Dim[]).map(dimText).join(' * ');
}

export function windowOut(n: Dim | null, k: Dim, s: Dim, d: Dim, padding: 'same' | 'valid'): Dim | null {
  if (n === null) return null;
  if (typeof n === 'number' && typeof k === 'number' && typeof s === 'number' && typeof d === 'number') {
    return padding === 'same' ? Math.ceil(n / s) : Math.floor((n - d * (k - 1) - 1) / s) + 1;
  }
  if (padding === 'same') return s === 1 ? n : `Math.ceil(${dimText(n)} / ${dimText(s)})`;
  const span = d === 1 ? dimText(k) : `${dimText(d)} * (${dimText(k)} - 1) + 1`;
  return s === 1 && d === 1 ? `${dimText(n)} - ${dimText(k)} + 1` : `Math.floor((${dimText(n)} - ${span}) / ${dimText(s)}) + 1`;
}

export const dimOf = (a: ArgInfo | undefined): Dim | null => (a === undefined || a.kind === 'null' ? null : isNum(a) ? a.value : a.text);

/** [a, b] from a number or a two-element literal (or a name, used for both). */
export function pairOf(a: ArgInfo | undefined, dflt: [Dim, Dim]): [Dim, Dim] | null {
  if (!a) return dflt;
  if (isNum(a)) return [a.value, a.value];
  if (a.kind === 'array' && a.elements?.length === 2) {
    const [x, y] = a.elements.map(dimOf);
    return x === null || y === null ? null : [x, y];
  }
  if (a.kind === 'identifier') return [a.text, a.text];
  return null;
}

export const pairText = (p: [Dim, Dim]): string => (p[0] === p[1] ? dimText(p[0]) : `[${dimText(p[0])}, ${dimText(p[1])}]`);

// --- config -------------------------------------------------------------------------------------------------

export type Config = Record<string, ArgInfo>;

export function configOf(site: CallSite): Config | null {
  const a = site.args[0];
  if (!a || a.kind === 'undefined') return {};
  return a.kind === 'object' && a.props ? a.props : null;
}

/** The layer's input shape: from the model's inference, else its own inputShape/batchInputShape/inputDim. */
export function inputShape(site: CallSite, cfg: Config): Shape | null {
  const inferred = site.inputShapes?.[0];
  if (inferred) return inferred;
  const s = cfg.inputShape ?? cfg.batchInputShape;
  if (s?.kind === 'array' && s.elements) {
    const dims = s.elements.map(dimOf);
    return cfg.inputShape ? dims : dims.slice(1);
  }
  if (cfg.inputDim) return [dimOf(cfg.inputDim)];
  return null;
}

export function fieldName(cfg: Config, base: string): string {
  const n = cfg.name;
  if (n && isStr(n)) {
    const id = n.value.replace(/[^A-Za-z0-9_$]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : '')).replace(/^[0-9]/, '_$&');
    if (id) return id.charAt(0).toLowerCase() + id.slice(1);
  }
  return base;
}

/** Notes for config keys whose non-default values are not carried over. */
export function configNotes(cfg: Config, defaults: Record<string, string> = {}): NoteId[] {
  const notes: NoteId[] = [];
  for (const [k, v] of Object.entries(cfg)) {
    if (/Initializer$/.test(k) && !(isStr(v) && v.value === defaults[k])) notes.push('init-config');
    if (/Regularizer$|Constraint$/.test(k)) notes.push('init-config');
  }
  return [...new Set(notes)];
}

export function unsupported(cfg: Config, keys: string[]): string | null {
  for (const k of keys) if (cfg[k] !== undefined) return k;
  if (cfg.trainable && !(isBool(cfg.trainable) && cfg.trainable.value)) return 'trainable';
  if (cfg.weights) return 'weights';
  if (cfg.dtype && !(isStr(cfg.dtype) && cfg.dtype.value === 'float32')) return 'dtype';
  return null;
}

export const layer = (plan: LayerPlan, notes: NoteId[] = []): Emit => ({ kind: 'layer', plan, notes });
export const needShape = (what: string) => todo('shape-unknown', `${what}: the input size is unknown`);

// --- initialisation ------------------------------------------------------------------------------------------

/** tfjs's default kernel initialiser glorotNormal (σ = √(2/(fanIn+fanOut)), truncated at 2σ) and zero biases. */
export const glorotNormal = (cls: string): InitSpec => ({
  cls,
  body: [
    'const { fanIn, fanOut } = nn.init.calculateFanInAndFanOut(m.weight);',
    'const std = Math.sqrt(2 / (fanIn + fanOut));',
    'nn.init.truncNormal_(m.weight, 0, std, -2 * std, 2 * std);',
    'if (m.bias) nn.init.zeros_(m.bias);',
  ],
});

// --- activations ---------------------------------------------------------------------------------------------

export function activationSteps(a: ArgInfo | undefined): LayerStep[] | Emit {
  if (!a || a.kind === 'undefined' || a.kind === 'null') return [];
  // A name known only at run time (a builder's parameter): compat.layers.Activation picks the function there.
  if (!isStr(a)) return [{ kind: 'op', code: `new compat.layers.Activation(${a.text}, $dim).forward($x)`, module: `new compat.layers.Activation(${a.text}, $dim)` }];
  const spec = ACTIVATIONS[a.value];
  if (spec === undefined) return todo('no-equivalent', `activation '${a.value}' is not mapped`);
  if (spec === null) return [];
  return [{ kind: 'op', code: spec.fn, module: spec.module }];
}

export const isEmit = (x: unknown): x is Emit => !Array.isArray(x);

// --- layers --------------------------------------------------------------------------------------------------

export const denseLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', 'a dense config that is not an object literal');
  const bad = unsupported(cfg, ['activityRegularizer']);
  if (bad) return todo('no-equivalent', `dense option '${bad}'`);
  const shape = inputShape(site, cfg);
  const inF = shape ? shape[shape.length - 1] : null;
  const units = dimOf(cfg.units);
  if (units === null) return todo('no-equivalent', 'dense without units');
  const act = activationSteps(cfg.activation);
  if (isEmit(act)) return act;
  const bias = cfg.useBias ? (isBool(cfg.useBias) && cfg.useBias.value ? '' : `bias: ${cfg.useBias.text}`) : '';
  const notes = configNotes(cfg, { kernelInitializer: 'glorotNormal', biasInitializer: 'zeros' });
  if (inF === null || inF === undefined) {
    // The input size is only known at run time: as tfjs builds the layer on its first call, so does
    // nn.LazyLinear (TensorFlow's initialisation runs then, through nn.whenMaterialized). Dense acts on the last
    // dim whatever the rank, in tfjs's layout, so an unknown rank is fine here.
    const lazy: LayerStep = { kind: 'module', name: fieldName(cfg, 'dense'), code: `new nn.LazyLinear(${dimText(units)}${bias ? `, { ${bias} }` : ''})`, init: glorotNormal('nn.Linear') };
    return layer({ steps: [lazy, ...act], outputShape: shape ? [...shape.slice(0, -1), units] : null, requires: 'tf', produces: 'tf' }, [...notes, 'lazy-module']);
  }
  const linear: LayerStep = { kind: 'module', name: fieldName(cfg, 'dense'), code: `new nn.Linear(${dimText(inF)}, ${dimText(units)}${bias ? `, { ${bias} }` : ''})`, init: glorotNormal('nn.Linear') };
  const rank = shape!.length;
  return layer({
    steps: [linear, ...act], outputShape: [...shape!.slice(0, -1), units],
    requires: rank > 1 ? 'tf' : 'any', produces: rank > 1 ? 'tf' : 'any',
  }, notes);
};

function convLayer(site: CallSite, dims: 1 | 2): Emit {
  const cfg = configOf(site);
  const what = `conv${dims}d`;
  if (!cfg) return todo('no-equivalent', `a ${what} config that is not an object literal`);
  const bad = unsupported(cfg, ['activityRegularizer']);
  if (bad) return todo('no-equivalent', `${what} option '${bad}'`);
  if (cfg.dataFormat && !(isStr(cfg.dataFormat) && cfg.dataFormat.value === 'channelsLast')) return todo('no-equivalent', `${what} with dataFormat other than channelsLast`);
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== dims + 1) return needShape(what);
  // Channels known only at run time: a lazy module takes them from the first input (tfjs builds the layer then).
  const inC = shape[dims];
  const filters = dimOf(cfg.filters);
  if (filters === null) return todo('no-equivalent', `${what} without filters`);
  const kernel = dims === 2 ? pairOf(cfg.kernelSize, [1, 1]) : pairOf(cfg.kernelSize, [1, 1]);
  const stride = pairOf(cfg.strides, [1, 1]);
  const dil = pairOf(cfg.dilationRate, [1, 1]);
  if (!cfg.kernelSize || !kernel || !stride || !dil) return todo('no-equivalent', `${what} kernelSize/strides/dilationRate that are not literals`);
  const pad = cfg.padding ? (isStr(cfg.padding) ? cfg.padding.value : null) : 'valid';
  if (pad !== 'valid' && pad !== 'same') return todo('no-equivalent', `${what} padding ${cfg.padding?.text ?? ''} (causal padding: pad on the left with F.pad)`);
  const act = activationSteps(cfg.activation);
  if (isEmit(act)) return act;
  const opts: string[] = [];
  const k1 = dims === 1 ? dimText(kernel[0]) : pairText(kernel);
  if (!(stride[0] === 1 && stride[1] === 1)) opts.push(`stride: ${dims === 1 ? dimText(stride[0]) : pairText(stride)}`);
  if (pad === 'same') opts.push("padding: 'same'");
  if (!(dil[0] === 1 && dil[1] === 1)) opts.push(`dilation: ${dims === 1 ? dimText(dil[0]) : pairText(dil)}`);
  if (cfg.useBias && !(isBool(cfg.useBias) && cfg.useBias.value)) opts.push(`bias: ${cfg.useBias.text}`);
  const cls = dims === 2 ? 'nn.Conv2d' : 'nn.Conv1d';
  const rest = `${dimText(filters)}, ${k1}${opts.length ? `, { ${opts.join(', ')} }` : ''}`;
  const step: LayerStep = {
    kind: 'module', name: fieldName(cfg, 'conv'), code: inC === null ? `new ${cls.replace('nn.', 'nn.Lazy')}(${rest})` : `new ${cls}(${dimText(inC)}, ${rest})`,
    init: glorotNormal(cls),
  };
  const out: Shape = [];
  for (let i = 0; i < dims; i++) out.push(windowOut(shape[i], kernel[i], stride[i], dil[i], pad));
  out.push(filters);
  const notes = configNotes(cfg, { kernelInitializer: 'glorotNormal', biasInitializer: 'zeros' });
  if (pad === 'same' && !(stride[0] === 1 && stride[1] === 1)) notes.push('same-padding-asymmetric');
  if (inC === null) notes.push('lazy-module');
  return layer({ steps: [step, ...act], outputShape: out, requires: 'cf', produces: 'cf' }, notes);
}

export const conv2dLayer: Transformer = (site) => convLayer(site, 2);
export const conv1dLayer: Transformer = (site) => convLayer(site, 1);

/** tfjs-layers' deconvLength: the output size of a transposed convolution along one axis. */
function deconvOut(n: Dim | null, k: Dim, s: Dim, padding: 'same' | 'valid'): Dim | null {
  if (n === null) return null;
  if (typeof n === 'number' && typeof k === 'number' && typeof s === 'number') return padding === 'same' ? n * s : n * s + Math.max(k - s, 0);
  if (padding === 'same') return s === 1 ? n : `${dimText(n)} * ${dimText(s)}`;
  return `${dimText(n)} * ${dimText(s)} + Math.max(${dimText(k)} - ${dimText(s)}, 0)`;
}

/**
 * tf.layers.conv2dTranspose → nn.ConvTranspose2d (NCHW, weight [in, out, kh, kw]; tfjs's kernel is [kh, kw, out,
 * in]). tfjs's output size per axis is n·s ('same') or n·s + max(k − s, 0) ('valid'), the transpose of a conv2d
 * whose 'same' padding k − s puts the odd row at the bottom/right. PyTorch's padding p (cropped from both sides)
 * plus outputPadding op (added at the bottom) says that exactly when k − s ≤ 0 (p 0, op s − k) or is even
 * (p (k − s)/2); where it is odd, compat.layers.ConvTranspose2dSame pads ⌊(k − s)/2⌋ and crops the extra row.
 * tfjs ignores dilationRate on this layer (it is not passed to the op): a non-1 value is a TODO, not kept.
 */
export const conv2dTransposeLayer: Transformer = (site) => {
  const cfg = configOf(site);
  const what = 'conv2dTranspose';
  if (!cfg) return todo('no-equivalent', `a ${what} config that is not an object literal`);
  const bad = unsupported(cfg, ['activityRegularizer']);
  if (bad) return todo('no-equivalent', `${what} option '${bad}'`);
  if (cfg.dataFormat && !(isStr(cfg.dataFormat) && cfg.dataFormat.value === 'channelsLast')) return todo('no-equivalent', `${what} with dataFormat other than channelsLast`);
  const dil = pairOf(cfg.dilationRate, [1, 1]);
  if (!dil || dil[0] !== 1 || dil[1] !== 1) return todo('no-equivalent', `${what} dilationRate ${cfg.dilationRate?.text ?? ''}: tfjs ignores it on this layer (the op gets no dilation); remove it, or write the dilated transposed convolution by hand`);
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== 3) return needShape(what);
  const inC = shape[2];
  const filters = dimOf(cfg.filters);
  if (filters === null) return todo('no-equivalent', `${what} without filters`);
  const kernel = pairOf(cfg.kernelSize, [1, 1]);
  const stride = pairOf(cfg.strides, [1, 1]);
  if (!cfg.kernelSize || !kernel || !stride) return todo('no-equivalent', `${what} kernelSize/strides that are not literals`);
  const pad = cfg.padding ? (isStr(cfg.padding) ? cfg.padding.value : null) : 'valid';
  if (pad !== 'valid' && pad !== 'same') return todo('no-equivalent', `${what} padding ${cfg.padding?.text ?? ''}: tfjs accepts 'same' and 'valid'`);
  if (![...kernel, ...stride].every((d) => typeof d === 'number')) return todo('no-equivalent', `${what} kernelSize/strides that are not number literals (the padding depends on their values)`);
  const k = kernel as [number, number];
  const s = stride as [number, number];
  const act = activationSteps(cfg.activation);
  if (isEmit(act)) return act;
  const over = [k[0] - s[0], k[1] - s[1]];
  const exactModule = pad === 'valid' || over.every((t) => t <= 0 || t % 2 === 0);
  const opts: string[] = [];
  if (!(s[0] === 1 && s[1] === 1)) opts.push(`stride: ${pairText(s)}`);
  if (exactModule) {
    const padding: [number, number] = pad === 'same' ? [Math.max(over[0] / 2, 0), Math.max(over[1] / 2, 0)] : [0, 0];
    const outputPadding: [number, number] = [Math.max(-over[0], 0), Math.max(-over[1], 0)];
    if (padding[0] || padding[1]) opts.push(`padding: ${pairText(padding)}`);
    if (outputPadding[0] || outputPadding[1]) opts.push(`outputPadding: ${pairText(outputPadding)}`);
  }
  if (cfg.useBias && !(isBool(cfg.useBias) && cfg.useBias.value)) opts.push(`bias: ${cfg.useBias.text}`);
  // Input channels known only at run time: the lazy form (nn.LazyConvTranspose2d, or the cropping compat module's
  // for an odd 'same' overhang), sized by its first call.
  const cls = exactModule ? 'nn.ConvTranspose2d' : 'compat.layers.ConvTranspose2dSame';
  const lazyCls = exactModule ? 'nn.LazyConvTranspose2d' : 'compat.layers.LazyConvTranspose2dSame';
  const rest = `${dimText(filters)}, ${pairText(k)}${opts.length ? `, { ${opts.join(', ')} }` : ''}`;
  const step: LayerStep = {
    kind: 'module', name: fieldName(cfg, 'convTranspose'), code: inC === null ? `new ${lazyCls}(${rest})` : `new ${cls}(${dimText(inC)}, ${rest})`,
    // The kernel's fans are the same in both layouts (fanIn = out·kh·kw, fanOut = in·kh·kw), so glorot's σ is too.
    init: glorotNormal('nn.ConvTranspose2d'),
  };
  const out: Shape = [deconvOut(shape[0], k[0], s[0], pad), deconvOut(shape[1], k[1], s[1], pad), filters];
  const notes: NoteId[] = configNotes(cfg, { kernelInitializer: 'glorotNormal', biasInitializer: 'zeros' });
  if (!exactModule) notes.push('conv-transpose-same-odd');
  if (inC === null) notes.push('lazy-module');
  return layer({ steps: [step, ...act], outputShape: out, requires: 'cf', produces: 'cf' }, notes);
};

function poolLayer(site: CallSite, dims: 1 | 2, avg: boolean): Emit {
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', 'a pooling config that is not an object literal');
  if (cfg.dataFormat && !(isStr(cfg.dataFormat) && cfg.dataFormat.value === 'channelsLast')) return todo('no-equivalent', 'pooling with dataFormat other than channelsLast');
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== dims + 1) return needShape('pooling');
  const size = pairOf(cfg.poolSize ?? cfg.kernelSize, dims === 2 ? [2, 2] : [2, 2]);
  if (!size) return todo('no-equivalent', 'a poolSize that is not a literal');
  const stride = cfg.strides ? pairOf(cfg.strides, size) : size;
  if (!stride) return todo('no-equivalent', 'pooling strides that are not literals');
  const pad = cfg.padding ? (isStr(cfg.padding) ? cfg.padding.value : null) : 'valid';
  if (pad !== 'valid' && pad !== 'same') return todo('no-equivalent', 'pooling padding that is not a literal');
  const opts: string[] = [];
  const sameStride = stride[0] === size[0] && stride[1] === size[1];
  if (!sameStride) opts.push(`stride: ${dims === 1 ? dimText(stride[0]) : pairText(stride)}`);
  if (pad === 'same') {
    const symmetric = [0, 1].slice(0, dims).every((i) => stride[i] === 1 && typeof size[i] === 'number' && (size[i] as number) % 2 === 1);
    if (!symmetric) return todo('no-equivalent', "pooling with padding 'same' and stride > 1 (or an even window) pads asymmetrically; pad with F.pad in a forward");
    opts.push(`padding: ${dims === 1 ? ((size[0] as number) - 1) / 2 : pairText([((size[0] as number) - 1) / 2, ((size[1] as number) - 1) / 2])}`);
    if (avg) opts.push('countIncludePad: false');
  }
  const cls = `nn.${avg ? 'Avg' : 'Max'}Pool${dims}d`;
  const out: Shape = [];
  for (let i = 0; i < dims; i++) out.push(windowOut(shape[i], size[i], stride[i], 1, pad));
  out.push(shape[dims]);
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'pool'), code: `new ${cls}(${dims === 1 ? dimText(size[0]) : pairText(size)}${opts.length ? `, { ${opts.join(', ')} }` : ''})` }],
    outputShape: out, requires: 'cf', produces: 'cf',
  });
}

export const pool2dLayer: Transformer = (site, row) => poolLayer(site, 2, /avg|average/i.test(row.tf));
export const pool1dLayer: Transformer = (site, row) => poolLayer(site, 1, /avg|average/i.test(row.tf));

export const globalPoolLayer: Transformer = (site, row) => {
  const cfg = configOf(site) ?? {};
  const dims = row.tf.endsWith('2d') ? 2 : 1;
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== dims + 1) return needShape('global pooling');
  const avg = /Average/.test(row.tf);
  const axes = dims === 2 ? '[2, 3]' : '2';
  const steps: LayerStep[] = avg
    ? [{ kind: 'module', name: fieldName(cfg, 'pool'), code: `new nn.AdaptiveAvgPool${dims}d(1)` }, { kind: 'module', name: 'flatten', code: 'new nn.Flatten()' }]
    : [{ kind: 'op', code: `$x.amax(${axes})` }];
  return layer({ steps, outputShape: [shape[dims]], requires: 'cf', produces: 'any' });
};

export const flattenLayer: Transformer = (site) => {
  const cfg = configOf(site) ?? {};
  const shape = inputShape(site, cfg);
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'flatten'), code: 'new nn.Flatten()' }],
    outputShape: shape ? [prod(shape)] : null, requires: 'any', produces: 'any',
  });
};

export const reshapeLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg?.targetShape || cfg.targetShape.kind !== 'array') return todo('no-equivalent', 'reshape without a literal targetShape');
  const target = cfg.targetShape.elements!.map(dimOf);
  const shape = inputShape(site, cfg);
  const steps: LayerStep[] = shape && shape.length === 1
    ? [{ kind: 'module', name: fieldName(cfg, 'unflatten'), code: `new nn.Unflatten(1, ${cfg.targetShape.text})` }]
    : [{ kind: 'op', code: `$x.reshape(-1, ...${cfg.targetShape.text})` }];
  return layer({ steps, outputShape: target, requires: 'tf', produces: 'tf' });
};

export const dropoutLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg?.rate) return todo('no-equivalent', 'dropout without a rate');
  if (cfg.noiseShape) return todo('no-equivalent', 'dropout with noiseShape');
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'dropout'), code: `new nn.Dropout(${cfg.rate.text})` }],
    outputShape: inputShape(site, cfg), requires: 'any', produces: 'same',
  }, ['random-stream']);
};

export const batchNormLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', 'a batchNormalization config that is not an object literal');
  if (cfg.axis && !(isNum(cfg.axis) && cfg.axis.value === -1)) return todo('no-equivalent', 'batchNormalization over an axis other than the last (channels)');
  if ((cfg.center && !(isBool(cfg.center) && cfg.center.value)) || (cfg.scale && !(isBool(cfg.scale) && cfg.scale.value))) {
    return todo('no-equivalent', 'batchNormalization with center/scale false (affine: false sets both)');
  }
  const shape = inputShape(site, cfg);
  if (!shape || shape[shape.length - 1] === null) return needShape('batchNormalization');
  const c = shape[shape.length - 1]!;
  const momentum = cfg.momentum ? (isNum(cfg.momentum) ? String(Number((1 - cfg.momentum.value).toPrecision(12))) : `1 - ${cfg.momentum.text}`) : '0.01';
  const eps = cfg.epsilon ? cfg.epsilon.text : '1e-3';
  const cls = shape.length === 3 ? 'nn.BatchNorm2d' : 'nn.BatchNorm1d';
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'batchNorm'), code: `new ${cls}(${dimText(c)}, { eps: ${eps}, momentum: ${momentum}, unbiasedRunningVar: false })` }],
    outputShape: shape, requires: shape.length > 1 ? 'cf' : 'any', produces: 'same',
  }, configNotes(cfg, { betaInitializer: 'zeros', gammaInitializer: 'ones', movingMeanInitializer: 'zeros', movingVarianceInitializer: 'ones' }));
};

export const layerNormLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', 'a layerNormalization config that is not an object literal');
  if (cfg.axis && !(isNum(cfg.axis) && cfg.axis.value === -1)) return todo('no-equivalent', 'layerNormalization over axes other than the last');
  const shape = inputShape(site, cfg);
  if (!shape || shape[shape.length - 1] === null) return needShape('layerNormalization');
  const eps = cfg.epsilon ? cfg.epsilon.text : '1e-3';
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'layerNorm'), code: `new nn.LayerNorm(${dimText(shape[shape.length - 1]!)}, { eps: ${eps} })` }],
    outputShape: shape, requires: shape.length > 1 ? 'tf' : 'any', produces: 'same',
  });
};

/**
 * `tf.layers.inputLayer({ inputShape })` (or batchInputShape) in a sequential model: no module; it gives the next
 * layer its input shape, as tfjs's InputLayer does.
 */
export const inputLayerLayer: Transformer = (site) => {
  const cfg = configOf(site) ?? {};
  const bad = unsupported(cfg, ['sparse', 'ragged']);
  if (bad) return todo('no-equivalent', `inputLayer option '${bad}'`);
  const shape = inputShape(site, cfg);
  if (!shape) return needShape('inputLayer (give it inputShape or batchInputShape)');
  return layer({ steps: [], outputShape: shape, requires: 'any', produces: 'same' });
};

export const activationLayer: Transformer = (site, row) => {
  const cfg = configOf(site) ?? {};
  const shape = inputShape(site, cfg);
  let steps: LayerStep[] | Emit;
  switch (row.tf) {
    case 'tf.layers.activation': steps = activationSteps(cfg.activation); break;
    case 'tf.layers.reLU':
      if (cfg.maxValue) return todo('no-equivalent', 'reLU with maxValue: use torch.clamp(x, 0, maxValue)');
      steps = activationSteps({ text: "'relu'", kind: 'string', value: 'relu', simple: true });
      break;
    case 'tf.layers.leakyReLU': {
      const alpha = cfg.alpha ? cfg.alpha.text : '0.3';
      steps = [{ kind: 'op', code: `F.leakyRelu($x, ${alpha})`, module: `new nn.LeakyReLU(${alpha})` }];
      break;
    }
    case 'tf.layers.elu': {
      const alpha = cfg.alpha ? cfg.alpha.text : '1';
      steps = [{ kind: 'op', code: `F.elu($x, ${alpha})`, module: `new nn.ELU(${alpha})` }];
      break;
    }
    case 'tf.layers.softmax':
      if (cfg.axis && !(isNum(cfg.axis) && cfg.axis.value === -1)) return todo('no-equivalent', 'softmax over an axis other than the last');
      steps = activationSteps({ text: "'softmax'", kind: 'string', value: 'softmax', simple: true });
      break;
    default: return todo('unmapped', row.tf);
  }
  if (isEmit(steps)) return steps;
  return layer({ steps, outputShape: shape, requires: 'any', produces: 'same' });
};

export const embeddingLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg?.inputDim || !cfg.outputDim) return todo('no-equivalent', 'embedding needs inputDim and outputDim');
  if (cfg.maskZero && !(isBool(cfg.maskZero) && !cfg.maskZero.value)) return todo('no-equivalent', 'embedding maskZero');
  const shape = inputShape(site, cfg) ?? (cfg.inputLength ? [dimOf(cfg.inputLength)] : null);
  return layer({
    steps: [{
      kind: 'module', name: fieldName(cfg, 'embedding'), code: `new nn.Embedding(${cfg.inputDim.text}, ${cfg.outputDim.text})`,
      init: { cls: 'nn.Embedding', body: ['nn.init.uniform_(m.weight, -0.05, 0.05);'] }, call: '$m.forward($x.int())',
    }],
    outputShape: shape ? [...shape, dimOf(cfg.outputDim)] : null, requires: 'any', produces: 'tf',
  }, configNotes(cfg, { embeddingsInitializer: 'randomUniform' }));
};

export const rnnLayer: Transformer = (site, row) => {
  const cfg = configOf(site);
  if (!cfg?.units) return todo('no-equivalent', 'an RNN layer needs units');
  const gated = row.tf !== 'tf.layers.simpleRNN';
  const bad = unsupported(cfg, ['returnState', 'goBackwards', 'stateful', 'unroll', 'dropout', 'recurrentDropout', 'activation', ...(gated ? [] : ['recurrentActivation'])]);
  if (bad) return todo('no-equivalent', `${row.tf} option '${bad}'`);
  // tfjs's gates default to hardSigmoid; the runtime's to sigmoid: the gate function is passed explicitly.
  const gate = !cfg.recurrentActivation ? 'hardSigmoid' : isStr(cfg.recurrentActivation) ? cfg.recurrentActivation.value : null;
  if (gated && gate !== 'hardSigmoid' && gate !== 'sigmoid') return todo('no-equivalent', `${row.tf} recurrentActivation ${cfg.recurrentActivation?.text ?? ''} (the runtime's gates are sigmoid or hardSigmoid)`);
  const gateOpt = gated && gate === 'hardSigmoid' ? ", gateActivation: 'hardSigmoid'" : '';
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== 2 || shape[1] === null) return needShape(row.tf);
  const cls = { 'tf.layers.simpleRNN': 'nn.RNN', 'tf.layers.lstm': 'nn.LSTM', 'tf.layers.gru': 'nn.GRU' }[row.tf]!;
  const seq = cfg.returnSequences && isBool(cfg.returnSequences) ? cfg.returnSequences.value : cfg.returnSequences ? null : false;
  if (seq === null) return todo('no-equivalent', 'returnSequences that is not a literal');
  const units = dimOf(cfg.units)!;
  return layer({
    steps: [{
      // tfjs's GRU applies the reset gate before the recurrent matmul (the only form it has); PyTorch's after.
      kind: 'module', name: fieldName(cfg, cls.slice(3).toLowerCase()), code: `new ${cls}(${dimText(shape[1]!)}, ${dimText(units)}, { batchFirst: true${gateOpt}${cls === 'nn.GRU' ? ', resetAfter: false' : ''} })`,
      // tfjs has one bias per gate: bias_hh is held at zero (frozen), so bias_ih is tfjs's bias and trains as it does.
      init: { cls, body: ["for (const [name, p] of m.namedParameters()) if (name.startsWith('bias_hh')) nn.init.zeros_(p.requiresGrad_(false));"] },
      call: seq ? '$m.forward($x)[0]' : '$m.forward($x)[0].select(1, -1)',
    }],
    outputShape: seq ? [shape[0], units] : [units], requires: 'tf', produces: 'tf',
  }, configNotes(cfg));
};

export const mergeLayer: Transformer = (site, row) => {
  const cfg = configOf(site) ?? {};
  const shapes = site.inputShapes ?? [];
  const first = shapes[0] ?? null;
  const kind = row.tf.slice('tf.layers.'.length);
  if (kind === 'concatenate') {
    const axis = cfg.axis ? (isNum(cfg.axis) ? cfg.axis.value : null) : -1;
    if (axis === null) return todo('no-equivalent', 'concatenate axis that is not a literal');
    let out: Shape | null = null;
    if (first && shapes.every((s) => s && s.length === first.length)) {
      const ax = axis < 0 ? first.length + axis : axis - 1;
      out = first.map((d, i) => (i === ax ? sumDims(shapes.map((s) => s![i])) : d));
    }
    return layer({ steps: [{ kind: 'op', code: `torch.cat($xs, ${axis})` }], outputShape: out, requires: 'tf', produces: 'tf' });
  }
  const code: Record<string, string> = {
    add: 'torch.stack($xs).sum(0)', multiply: '$xs.reduce((a, b) => a.mul(b))', average: 'torch.stack($xs).mean(0)',
    maximum: '$xs.reduce((a, b) => torch.maximum(a, b))', minimum: '$xs.reduce((a, b) => torch.minimum(a, b))',
  };
  if (!code[kind]) return todo('unmapped', row.tf);
  return layer({ steps: [{ kind: 'op', code: code[kind] }], outputShape: first, requires: 'any', produces: 'same' });
};

/** `tf.layers.dot`: tfjs's batchDot through compat.layers.dot (axes count the batch axis; rank 2 or 3). */
export const dotLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', 'tf.layers.dot with a config that is not an object literal');
  const axes = cfg.axes;
  const axesText = axes && isNum(axes) ? String(axes.value) : axes?.kind === 'array' && axes.elements?.length === 2 && axes.elements.every(isNum) ? `[${axes.elements.map((e) => (e as { value: number }).value).join(', ')}]` : null;
  if (!axesText) return todo('no-equivalent', 'tf.layers.dot axes that are not a number or a pair of number literals');
  const norm = cfg.normalize;
  if (norm && !isBool(norm)) return todo('no-equivalent', 'tf.layers.dot normalize that is not a boolean literal');
  const bad = unsupported(cfg, []);
  if (bad && bad !== 'name') return todo('no-equivalent', `tf.layers.dot option ${bad}`);
  const normalize = norm && isBool(norm) && norm.value ? ', true' : '';
  return layer({ steps: [{ kind: 'op', code: `compat.layers.dot($xs, ${axesText}${normalize})` }], outputShape: null, requires: 'tf', produces: 'tf' });
};

function sumDims(ds: (Dim | null)[]): Dim | null {
  if (ds.some((d) => d === null)) return null;
  if (ds.every((d) => typeof d === 'number')) return (ds as number[]).reduce((a, b) => a + b, 0);
  return (ds as Dim[]).map(dimText).join(' + ');
}

export const permuteLayer: Transformer = (site) => {
  const cfg = configOf(site);
  const dims = cfg?.dims?.kind === 'array' ? cfg.dims.elements!.map((e) => (isNum(e) ? e.value : null)) : null;
  if (!dims || dims.some((d) => d === null)) return todo('no-equivalent', 'permute without literal dims');
  const shape = inputShape(site, cfg!);
  return layer({
    steps: [{ kind: 'op', code: `$x.permute(0, ${dims.join(', ')})` }],
    outputShape: shape ? dims.map((d) => shape[(d as number) - 1] ?? null) : null, requires: 'tf', produces: 'tf',
  });
};

export const repeatVectorLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg?.n) return todo('no-equivalent', 'repeatVector without n');
  const shape = inputShape(site, cfg);
  return layer({
    steps: [{ kind: 'op', code: `$x.unsqueeze(1).expand(-1, ${cfg.n.text}, -1)` }],
    outputShape: shape ? [dimOf(cfg.n), ...shape] : null, requires: 'any', produces: 'tf',
  });
};

export type { LayoutNeed };

/**
 * tf.layers.timeDistributed({ layer }): planned by the model rules, which see the wrapped layer's own call (its
 * config is a layer, not a value this transformer can read). Reached here, it is outside a model the rules rebuild.
 */
export const timeDistributedLayer: Transformer = () => todo('no-equivalent', 'timeDistributed outside a tf.sequential model: apply the wrapped module to x.flatten(0, 1) and unflatten the result');

/** tf.layers.bidirectional({ layer }): planned by the model rules from the wrapped RNN's call, as timeDistributed is. */
export const bidirectionalLayer: Transformer = () => todo('no-equivalent', "bidirectional outside a model the rules rebuild: build the RNN module with bidirectional: true and pass its output through compat.layers.bidirectionalMerge(output, mergeMode, returnSequences)");
