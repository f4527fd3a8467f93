/**
 * Layers that resample, pad or crop the spatial dims of an NHWC image (upSampling2d, zeroPadding2d, cropping2D,
 * resizing):
 * each becomes a channels-first module or op (nn.Upsample, nn.ZeroPad2d, narrow) or, where only tfjs's own
 * sampling is exact (bilinear upsampling, resizing), the compat op on the NHWC tensor.
 */
import type { ArgInfo, Dim, Transformer } from '../schema.js';
import { isNum, isStr, todo } from './util.js';
import { configOf, dimText, fieldName, inputShape, layer, needShape, pairText, prod, unsupported, type Config } from './layers.js';

/** [a, b] of number literals from a number or a two-element literal; undefined when absent. */
function numberPair(a: ArgInfo | undefined): [number, number] | null | undefined {
  if (!a) return undefined;
  if (isNum(a)) return [a.value, a.value];
  if (a.kind === 'array' && a.elements?.length === 2 && a.elements.every(isNum)) return [a.elements[0].value, a.elements[1].value];
  return null;
}

/**
 * tfjs's padding/cropping forms as [[top, bottom], [left, right]]: n (every side), [h, w] (h top and bottom, w
 * left and right), or [[top, bottom], [left, right]]. Number literals only: the output shape depends on them.
 */
function sidesOf(a: ArgInfo | undefined): [[number, number], [number, number]] | null | undefined {
  if (!a) return undefined;
  if (isNum(a)) return [[a.value, a.value], [a.value, a.value]];
  if (a.kind !== 'array' || a.elements?.length !== 2) return null;
  const [h, w] = a.elements;
  if (isNum(h) && isNum(w)) return [[h.value, h.value], [w.value, w.value]];
  const hh = numberPair(h), ww = numberPair(w);
  return hh && ww && h.kind === 'array' && w.kind === 'array' ? [hh, ww] : null;
}

const nonNegative = (s: [[number, number], [number, number]]) => s.flat().every((v) => Number.isInteger(v) && v >= 0);

function channelsLast(cfg: Config, what: string) {
  if (cfg.dataFormat && !(isStr(cfg.dataFormat) && cfg.dataFormat.value === 'channelsLast')) return todo('no-equivalent', `${what} with dataFormat other than channelsLast`);
  const bad = unsupported(cfg, []);
  return bad ? todo('no-equivalent', `${what} option '${bad}'`) : null;
}

/**
 * tf.layers.upSampling2d({ size, interpolation }): tfjs resizes to [h·sh, w·sw] with resizeNearestNeighbor or
 * resizeBilinear (alignCorners false, no half-pixel centres). Nearest is index ⌊i / s⌋ per axis, PyTorch's
 * nearest upsampling: nn.Upsample on NCHW. Bilinear samples at i / s, not PyTorch's half-pixel centres, so it is
 * compat.image.resizeBilinear (tfjs's kernel) on the NHWC tensor.
 */
export const upSampling2dLayer: Transformer = (site) => {
  const what = 'upSampling2d';
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', `a ${what} config that is not an object literal`);
  const refused = channelsLast(cfg, what);
  if (refused) return refused;
  const size = numberPair(cfg.size) ?? (cfg.size ? null : [2, 2] as [number, number]);
  if (!size || !size.every((v) => Number.isInteger(v) && v > 0)) return todo('no-equivalent', `${what} size ${cfg.size?.text ?? ''}: give positive integer literals (the output shape depends on them)`);
  const interp = cfg.interpolation ? (isStr(cfg.interpolation) ? cfg.interpolation.value : null) : 'nearest';
  if (interp !== 'nearest' && interp !== 'bilinear') return todo('no-equivalent', `${what} interpolation ${cfg.interpolation?.text ?? ''}: tfjs accepts 'nearest' and 'bilinear'`);
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== 3) return needShape(what);
  const out = [prod([shape[0], size[0]]), prod([shape[1], size[1]]), shape[2]];
  if (interp === 'bilinear') {
    if (out[0] === null || out[1] === null) return needShape(`${what} (bilinear)`);
    return layer({
      steps: [{ kind: 'op', code: `compat.image.resizeBilinear($x, [${dimText(out[0] as Dim)}, ${dimText(out[1] as Dim)}])` }],
      outputShape: out, requires: 'tf', produces: 'tf',
    }, ['upsampling-bilinear']);
  }
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'upsample'), code: `new nn.Upsample({ scaleFactor: ${pairText(size)} })` }],
    outputShape: out, requires: 'cf', produces: 'cf',
  });
};

/**
 * tf.layers.zeroPadding2d({ padding }) (default 1): [[top, bottom], [left, right]] in tfjs; nn.ZeroPad2d takes
 * PyTorch's [left, right, top, bottom] (last dim first), on NCHW.
 */
export const zeroPadding2dLayer: Transformer = (site) => {
  const what = 'zeroPadding2d';
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', `a ${what} config that is not an object literal`);
  const refused = channelsLast(cfg, what);
  if (refused) return refused;
  const sides = sidesOf(cfg.padding) ?? (cfg.padding ? null : [[1, 1], [1, 1]] as [[number, number], [number, number]]);
  if (!sides || !nonNegative(sides)) return todo('no-equivalent', `${what} padding ${cfg.padding?.text ?? ''}: give non-negative integer literals, n, [h, w] or [[top, bottom], [left, right]]`);
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== 3) return needShape(what);
  const [[t, b], [l, r]] = sides;
  const arg = [l, r, t, b].every((v) => v === t) ? String(t) : `[${l}, ${r}, ${t}, ${b}]`;
  const grow = (d: Dim | null, n: number): Dim | null => (d === null ? null : typeof d === 'number' ? d + n : n === 0 ? d : `${dimText(d)} + ${n}`);
  return layer({
    steps: [{ kind: 'module', name: fieldName(cfg, 'pad'), code: `new nn.ZeroPad2d(${arg})` }],
    outputShape: [grow(shape[0], t + b), grow(shape[1], l + r), shape[2]], requires: 'cf', produces: 'cf',
  }, ['zero-padding-order']);
};

/**
 * tf.layers.cropping2D({ cropping }): removes [[top, bottom], [left, right]] rows and columns; on NCHW that is
 * narrow(2, top, h − top − bottom).narrow(3, left, w − left − right), sized from the known input shape; where h
 * and w are known only at run time, F.pad(x, [−left, −right, −top, −bottom]) (negative padding crops).
 */
export const cropping2DLayer: Transformer = (site) => {
  const what = 'cropping2D';
  const cfg = configOf(site);
  if (!cfg) return todo('no-equivalent', `a ${what} config that is not an object literal`);
  const refused = channelsLast(cfg, what);
  if (refused) return refused;
  const sides = sidesOf(cfg.cropping);
  if (!sides || !nonNegative(sides)) return todo('no-equivalent', `${what} cropping ${cfg.cropping?.text ?? '(missing)'}: give non-negative integer literals, n, [h, w] or [[top, bottom], [left, right]]`);
  const shape = inputShape(site, cfg);
  if (!shape || shape.length !== 3) return needShape(what);
  const [h, w] = shape;
  const [[t, b], [l, r]] = sides;
  if (typeof h !== 'number' || typeof w !== 'number') {
    // Sizes known only at run time (a graph sized by nn.dim): F.pad with negative amounts crops without them.
    const shrink = (d: typeof h, n: number) => (d === null ? null : typeof d === 'number' ? d - n : n === 0 ? d : `${dimText(d)} - ${n}`);
    return layer({
      steps: [{ kind: 'op', code: `F.pad($x, [${-l}, ${-r}, ${-t}, ${-b}])` }],
      outputShape: [shrink(h, t + b), shrink(w, l + r), shape[2]], requires: 'cf', produces: 'cf',
    });
  }
  const oh = h - t - b, ow = w - l - r;
  if (oh <= 0 || ow <= 0) return todo('no-equivalent', `${what} cropping ${cfg.cropping!.text} leaves nothing of a ${h}×${w} input`);
  const parts: string[] = [];
  if (t || b) parts.push(`.narrow(2, ${t}, ${oh})`);
  if (l || r) parts.push(`.narrow(3, ${l}, ${ow})`);
  return layer({
    steps: parts.length ? [{ kind: 'op', code: `$x${parts.join('')}` }] : [],
    outputShape: [oh, ow, shape[2]], requires: 'cf', produces: 'cf',
  });
};

/**
 * tf.layers.resizing({ height, width, interpolation, cropToAspectRatio }): tfjs resizes with
 * resizeBilinear / resizeNearestNeighbor(x, [height, width], alignCorners = !cropToAspectRatio) — corners aligned
 * by default, and cropToAspectRatio crops nothing, it only turns alignCorners off. compat.image's ops are tfjs's
 * sampling, on the NHWC tensor.
 */
export const resizingLayer: Transformer = (site) => {
  const what = 'resizing';
  const cfg = configOf(site);
  if (!cfg?.height || !cfg.width) return todo('no-equivalent', `${what} needs height and width`);
  const bad = unsupported(cfg, []);
  if (bad) return todo('no-equivalent', `${what} option '${bad}'`);
  const interp = cfg.interpolation ? (isStr(cfg.interpolation) ? cfg.interpolation.value : null) : 'bilinear';
  if (interp !== 'nearest' && interp !== 'bilinear') return todo('no-equivalent', `${what} interpolation ${cfg.interpolation?.text ?? ''}: tfjs implements 'bilinear' and 'nearest'`);
  const crop = cfg.cropToAspectRatio;
  const align = !crop ? 'true' : crop.kind === 'boolean' ? String(!(crop as { value: boolean }).value) : `!(${crop.text})`;
  const shape = inputShape(site, cfg);
  const h = isNum(cfg.height) ? cfg.height.value : cfg.height.text;
  const w = isNum(cfg.width) ? cfg.width.value : cfg.width.text;
  const op = interp === 'bilinear' ? 'resizeBilinear' : 'resizeNearestNeighbor';
  return layer({
    steps: [{ kind: 'op', code: `compat.image.${op}($x, [${dimText(h)}, ${dimText(w)}], ${align})` }],
    outputShape: [h, w, shape?.[2] ?? null], requires: 'tf', produces: 'tf',
  }, ['resizing-align-corners']);
};
