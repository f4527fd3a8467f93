/**
 * Elementwise layers: with a parameter or an affine map — prelu (nn.PReLU where tfjs's alpha shape is one PyTorch
 * can hold), thresholdedReLU (nn.Threshold(theta, 0)), rescaling (x·scale + offset) — and the training-only
 * regularisers gaussianNoise, gaussianDropout and spatialDropout1d.
 */
import type { Transformer } from '../schema.js';
import { isNum, todo } from './util.js';
import { configNotes, configOf, dimText, fieldName, inputShape, layer, needShape, unsupported } from './layers.js';

/**
 * tf.layers.prelu({ sharedAxes }): tfjs's alpha has the input's shape without the batch axis, 1 along each shared
 * axis (counted with the batch as 0), zeros at first. nn.PReLU holds one alpha for every element or one per
 * channel on dim 1; so the migration takes the forms where the two agree — every axis shared (one alpha), a
 * rank-1 input, or every axis but the last (the channels) shared — and refuses the others (per-position alphas).
 */
export const preluLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', 'a prelu config that is not an object literal');
  const bad = unsupported(cfg, []);
  if (bad) return todo('no-equivalent', `prelu option '${bad}'`);
  const shape = inputShape(site, cfg);
  if (!shape) return needShape('prelu');
  const r = shape.length;
  const sa = cfg.sharedAxes;
  const shared = !sa ? [] : isNum(sa) ? [sa.value] : sa.kind === 'array' && sa.elements?.every(isNum) ? sa.elements.map((e) => (e as { value: number }).value) : null;
  if (shared === null || shared.some((a) => !Number.isInteger(a) || a < 1 || a > r)) return todo('no-equivalent', `prelu sharedAxes ${sa?.text ?? ''}: give axes 1..${r} as number literals`);
  const sharedSet = new Set(shared);
  const notes = configNotes(cfg, { alphaInitializer: 'zeros' });
  const module = (n: string) => ({ kind: 'module' as const, name: fieldName(cfg, 'prelu'), code: `new nn.PReLU(${n}, { init: 0 })` });
  if (sharedSet.size === r) return layer({ steps: [module('1')], outputShape: shape, requires: 'any', produces: 'same' }, [...notes, 'prelu-alpha']);
  const channels = shape[r - 1];
  const allButLast = [...Array(r - 1).keys()].every((i) => sharedSet.has(i + 1)) && !sharedSet.has(r);
  if (!allButLast) {
    return todo('no-equivalent', `prelu with an alpha per position (alpha shape [${shape.map((d, i) => (sharedSet.has(i + 1) ? 1 : d ?? '?')).join(', ')}]): nn.PReLU holds one alpha per channel; share every axis but the channels (sharedAxes [${[...Array(r - 1).keys()].map((i) => i + 1).join(', ')}]) or write x > 0 ? x : alpha·x with an nn.Parameter of that shape`);
  }
  if (channels === null) return needShape('prelu (its channels)');
  return layer({ steps: [module(dimText(channels))], outputShape: shape, requires: r === 1 ? 'any' : 'cf', produces: r === 1 ? 'same' : 'cf' }, [...notes, 'prelu-alpha']);
};

/** tf.layers.thresholdedReLU({ theta }) (default 1): x where x > theta, else 0 — nn.Threshold(theta, 0). */
export const thresholdedReluLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', 'a thresholdedReLU config that is not an object literal');
  const bad = unsupported(cfg, []);
  if (bad) return todo('no-equivalent', `thresholdedReLU option '${bad}'`);
  const theta = cfg.theta ? cfg.theta.text : '1';
  return layer({
    steps: [{ kind: 'op', code: `F.threshold($x, ${theta}, 0)`, module: `new nn.Threshold(${theta}, 0)` }],
    outputShape: inputShape(site, cfg), requires: 'any', produces: 'same',
  });
};

/** tf.layers.rescaling({ scale, offset }): tfjs casts to float32 and computes x·scale + offset. */
export const rescalingLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg?.scale) return todo('no-equivalent', 'rescaling without a scale');
  const bad = unsupported(cfg, []);
  if (bad) return todo('no-equivalent', `rescaling option '${bad}'`);
  const offset = cfg.offset && !(isNum(cfg.offset) && cfg.offset.value === 0) ? `.add(${cfg.offset.text})` : '';
  return layer({
    steps: [{ kind: 'op', code: `$x.float().mul(${cfg.scale.text})${offset}` }],
    outputShape: inputShape(site, cfg), requires: 'any', produces: 'same',
  });
};

/**
 * tf.layers.gaussianNoise({ stddev }) / gaussianDropout({ rate }): noise in training mode only (tfjs's
 * inTrainPhase), the identity otherwise — compat.layers.GaussianNoise / GaussianDropout, whose noise is drawn
 * from the runtime's generator (same distribution, other values).
 */
export const gaussianNoiseLayer: Transformer = (site, row) => {
  const dropout = row.tf.endsWith('gaussianDropout');
  const what = dropout ? 'gaussianDropout' : 'gaussianNoise';
  const key = dropout ? 'rate' : 'stddev';
  const cfg = configOf(site);
  const arg = cfg?.[key];
  if (!cfg || !arg) return todo('no-equivalent', `${what} without ${key}`);
  const bad = unsupported(cfg, []);
  if (bad) return todo('no-equivalent', `${what} option '${bad}'`);
  // tfjs's gaussianDropout is the identity for rate ≥ 1; the module refuses it rather than copy that.
  if (dropout && isNum(arg) && !(arg.value >= 0 && arg.value < 1)) return todo('no-equivalent', `${what} rate ${arg.text}: give a rate in [0, 1) (tfjs makes the layer the identity outside (0, 1))`);
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, dropout ? 'gaussianDropout' : 'gaussianNoise'), code: `new compat.layers.${dropout ? 'GaussianDropout' : 'GaussianNoise'}(${arg.text})` }],
    outputShape: inputShape(site, cfg), requires: 'any', produces: 'same',
  }, ['random-stream', 'gaussian-noise']);
};

/**
 * tf.layers.spatialDropout1d({ rate }) on [N, T, C]: tfjs's dropout with noise shape [N, 1, C] (whole channels
 * across time) — nn.Dropout1d on the channels-first [N, C, T].
 */
export const spatialDropout1dLayer: Transformer = (site) => {
  const cfg = configOf(site);
  if (!cfg?.rate) return todo('no-equivalent', 'spatialDropout1d without a rate');
  const bad = unsupported(cfg, []);
  if (bad) return todo('no-equivalent', `spatialDropout1d option '${bad}'`);
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== 2) return needShape('spatialDropout1d (its input is [steps, channels])');
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'dropout'), code: `new nn.Dropout1d(${cfg.rate.text})` }],
    outputShape: shape, requires: 'cf', produces: 'cf',
  }, ['random-stream']);
};
