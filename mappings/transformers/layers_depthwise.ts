/**
 * tf.layers.depthwiseConv2d and separableConv2d: a grouped nn.Conv2d (groups = input channels) on NCHW, the
 * separable one followed by a 1×1 nn.Conv2d. tfjs's depthwise kernel [kh, kw, in, depthMultiplier] is the grouped
 * weight [in·depthMultiplier, 1, kh, kw] (output channel c·depthMultiplier + m); 'same' padding is the runtime's
 * (TensorFlow's rule: the odd row/column at the bottom/right, for any stride).
 */
import type { CallSite, Emit, InitSpec, LayerStep, NoteId, Shape, Transformer } from '../schema.js';
import { isBool, isNum, isStr, todo } from './util.js';
import { activationSteps, configNotes, configOf, dimText, fieldName, glorotNormal, inputShape, isEmit, layer, needShape, pairOf, pairText, prod, unsupported, windowOut } from './layers.js';

/**
 * tfjs's glorotNormal for a depthwise kernel: its fans are those of [kh, kw, in, depthMultiplier] (in·kh·kw and
 * depthMultiplier·kh·kw), not the grouped weight's (kh·kw and in·depthMultiplier·kh·kw). Guarded by groups > 1:
 * a plain conv's init would otherwise take it (with one input channel the two fans agree, so the plain one is right).
 */
const depthwiseGlorotNormal: InitSpec = {
  cls: 'nn.Conv2d',
  where: 'm.groups > 1',
  body: [
    '// tfjs\'s fans of the depthwise kernel [kh, kw, in, depthMultiplier]: in·kh·kw and depthMultiplier·kh·kw',
    'const rf = m.weight.shape[2] * m.weight.shape[3];',
    'const std = Math.sqrt(2 / (m.groups * rf + (m.weight.shape[0] / m.groups) * rf));',
    'nn.init.truncNormal_(m.weight, 0, std, -2 * std, 2 * std);',
    'if (m.bias) nn.init.zeros_(m.bias);',
  ],
};

function depthwise(site: CallSite, separable: boolean): Emit {
  const what = separable ? 'separableConv2d' : 'depthwiseConv2d';
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', `a ${what} config that is not an object literal`);
  const bad = unsupported(cfg, ['activityRegularizer']);
  if (bad) return todo('no-equivalent', `${what} option '${bad}'`);
  if (cfg.dataFormat && !(isStr(cfg.dataFormat) && cfg.dataFormat.value === 'channelsLast')) return todo('no-equivalent', `${what} with dataFormat other than channelsLast`);
  const kernel = pairOf(cfg.kernelSize, [1, 1]);
  const stride = pairOf(cfg.strides, [1, 1]);
  const dil = pairOf(cfg.dilationRate, [1, 1]);
  if (!cfg.kernelSize || !kernel || !stride || !dil) return todo('no-equivalent', `${what} kernelSize/strides/dilationRate that are not literals`);
  // tfjs's DepthwiseConv2D passes no dilation to its op (a TODO in tfjs-layers): a non-1 value is ignored there.
  if (!separable && !(dil[0] === 1 && dil[1] === 1)) return todo('no-equivalent', `${what} dilationRate ${cfg.dilationRate!.text}: tfjs ignores it on this layer (the op gets no dilation); remove it`);
  const pad = cfg.padding ? (isStr(cfg.padding) ? cfg.padding.value : null) : 'valid';
  if (pad !== 'valid' && pad !== 'same') return todo('no-equivalent', `${what} padding ${cfg.padding?.text ?? ''}: tfjs accepts 'same' and 'valid'`);
  const dm = cfg.depthMultiplier ? (isNum(cfg.depthMultiplier) ? cfg.depthMultiplier.value : null) : 1;
  if (dm === null || !Number.isInteger(dm) || dm <= 0) return todo('no-equivalent', `${what} depthMultiplier ${cfg.depthMultiplier!.text}: give a positive integer literal`);
  const filters = separable ? (cfg.filters ? (isNum(cfg.filters) ? cfg.filters.value : cfg.filters.text) : null) : null;
  if (separable && filters === null) return todo('no-equivalent', `${what} without filters`);
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== 3) return needShape(what);
  const inC = shape[2];
  // groups = in channels, so they are needed at construction (there is no lazy grouped conv).
  if (inC === null) return needShape(`${what} (its input channels)`);
  const act = activationSteps(cfg.activation);
  if (isEmit(act)) return act;
  const mid = prod([inC, dm])!;
  const opts: string[] = [];
  if (!(stride[0] === 1 && stride[1] === 1)) opts.push(`stride: ${pairText(stride)}`);
  if (pad === 'same') opts.push("padding: 'same'");
  if (!(dil[0] === 1 && dil[1] === 1)) opts.push(`dilation: ${pairText(dil)}`);
  opts.push(`groups: ${dimText(inC)}`);
  const useBias = cfg.useBias && !(isBool(cfg.useBias) && cfg.useBias.value) ? cfg.useBias.text : null;
  if (separable) opts.push('bias: false');
  else if (useBias) opts.push(`bias: ${useBias}`);
  const steps: LayerStep[] = [{
    kind: 'module', name: fieldName(cfg, separable ? 'depthwise' : 'depthwiseConv'),
    code: `new nn.Conv2d(${dimText(inC)}, ${dimText(mid)}, ${pairText(kernel)}, { ${opts.join(', ')} })`,
    init: inC === 1 ? glorotNormal('nn.Conv2d') : depthwiseGlorotNormal,
  }];
  if (separable) {
    steps.push({
      kind: 'module', name: fieldName(cfg, 'pointwise'),
      code: `new nn.Conv2d(${dimText(mid)}, ${dimText(filters!)}, 1${useBias ? `, { bias: ${useBias} }` : ''})`,
      init: glorotNormal('nn.Conv2d'),
    });
  }
  const out: Shape = [windowOut(shape[0], kernel[0], stride[0], dil[0], pad), windowOut(shape[1], kernel[1], stride[1], dil[1], pad), separable ? filters : mid];
  const notes: NoteId[] = [
    ...configNotes(cfg, separable ? { depthwiseInitializer: 'glorotUniform', pointwiseInitializer: 'glorotUniform', biasInitializer: 'zeros' } : { depthwiseInitializer: 'glorotNormal', biasInitializer: 'zeros' }),
    separable ? 'separable-conv' : 'depthwise-kernel-layout',
  ];
  return layer({ steps: [...steps, ...act], outputShape: out, requires: 'cf', produces: 'cf' }, notes);
}

export const depthwiseConv2dLayer: Transformer = (site) => depthwise(site, false);
export const separableConv2dLayer: Transformer = (site) => depthwise(site, true);
