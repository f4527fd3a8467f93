/**
 * `utils.getWeights(model)` / `utils.setWeights(model, weights)`: tfjs's `LayersModel.getWeights()` /
 * `setWeights()` on a runtime model — the same list, in the same order and in tfjs's layouts, so code that
 * snapshots, averages, copies or serialises weights through these calls keeps working unchanged after migration.
 *
 * tfjs's order (tfjs-layers' Container.weights): every layer's trainable weights in layer order, then every layer's
 * non-trainable weights (BatchNormalization's moving mean and variance) in layer order. Layouts, per module:
 *   Linear       kernel [in, out] (weightᵀ), bias [out]
 *   Conv1d       kernel [k, in, out] (weight [out, in, k] permuted), bias
 *   Conv2d       kernel HWIO [kh, kw, in, out] (weight OIHW permuted), bias
 *   BatchNorm    gamma, beta (trainable); moving_mean, moving_variance (non-trainable)
 *   LayerNorm    gamma, beta
 *   Embedding    embeddings [vocab, dim]
 * A Linear fed by an nn.Flatten of a channels-first conv stack (the migrated CNN: NCHW inside, tfjs flattens NHWC)
 * has its kernel rows reordered from (c, h, w) to tfjs's (h, w, c), so a tfjs model given these weights computes the
 * same function.
 *
 * Like tfjs's, the returned tensors are live: tfjs returns the layers' variables themselves, so a "snapshot" taken
 * with getWeights() follows later training (`getWeights().map((w) => w.clone())` is the real snapshot in both). Here
 * they are views of the parameters (a transpose or permute where the layout differs), with one exception: the Dense
 * kernel after a Flatten of conv features is reordered, so it is a copy taken at the call.
 *
 * The layer order must be unambiguous: the model is an nn.Sequential, or a module whose only parametric child is
 * one (the migrated `class Model { layers = new nn.Sequential(...) }`). For any other structure — and for modules
 * this table does not know (recurrent layers, grouped convs) — it is an error naming the
 * module, never a guess: use model.stateDict() / loadStateDict() there (PyTorch's names and layouts).
 */
import type { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { Conv1d, Conv2d } from '../nn/conv.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from '../nn/normalization.js';
import { Embedding } from '../nn/embedding.js';
import { Flatten } from '../nn/flatten.js';
import { isLazy } from '../nn/lazy.js';
import { noGrad } from '../autograd/grad_mode.js';
import { fmtShape } from '../shape.js';
import { tensor } from '../ops/creation.js';

/** One tfjs weight of a module: its tfjs name, whether tfjs trains it, how to read and write it in tfjs's layout. */
interface TfjsWeight {
  name: string;
  trainable: boolean;
  get(): Tensor;
  set(value: Tensor): void;
}

/** How the rows of a Dense kernel fed by a Flatten of NCHW features are reordered: C channels, S = H·W positions. */
interface FlattenOrder {
  channels: number;
}

/** tfjs's flat NHWC feature index s·C + c for each of the runtime's NCHW indices c·S + s, as a gather index. */
function nhwcRowsFromNchw(inFeatures: number, channels: number, module: string): number[] {
  if (inFeatures % channels !== 0) {
    throw new Error(`getWeights: ${module} takes ${inFeatures} features from a Flatten after a conv stack with ${channels} channels, which do not divide them; the Flatten's input is not the conv output`);
  }
  const positions = inFeatures / channels;
  // row r of the tfjs kernel (NHWC index r = s·C + c) is row c·S + s of the runtime's (NCHW) kernel.
  return Array.from({ length: inFeatures }, (_, r) => (r % channels) * positions + Math.floor(r / channels));
}

function assign(target: Tensor, value: Tensor, what: string): void {
  if (value.shape.join(',') !== target.shape.join(',')) {
    throw new RangeError(`setWeights: ${what} expects shape ${fmtShape(target.shape)} (after conversion from tfjs's layout), got ${fmtShape(value.shape)}`);
  }
  noGrad(() => target.copy_(value.to(target.dtype)));
}

function weightsOf(m: Module, label: string, flatten: FlattenOrder | null): TfjsWeight[] {
  if (isLazy(m)) throw new Error(`getWeights/setWeights: ${label} (${m.constructor.name}) has not been materialized yet; run the model forward once so its sizes are known`);
  const bias = (b: Tensor | null, name = 'bias'): TfjsWeight[] => (b ? [{ name, trainable: true, get: () => b.detach(), set: (v) => assign(b, v, `${label}.${name}`) }] : []);
  if (m instanceof Linear) {
    const w = m.weight;
    const rows = flatten ? nhwcRowsFromNchw(m.inFeatures, flatten.channels, label) : null;
    return [{
      name: 'kernel', trainable: true,
      get: () => noGrad(() => {
        const k = w.detach().t();
        return rows ? k.indexSelect(0, tensorOf(rows, w)) : k;
      }),
      set: (v) => {
        let k = v.to(w.dtype);
        if (rows) {
          if (k.ndim !== 2 || k.shape[0] !== rows.length) throw new RangeError(`setWeights: ${label}.kernel expects shape [${m.inFeatures}, ${m.outFeatures}] in tfjs's layout, got ${fmtShape(k.shape)}`);
          k = noGrad(() => k.indexSelect(0, tensorOf(inverse(rows), w)));
        }
        assign(w, k.t(), `${label}.kernel`);
      },
    }, ...bias(m.bias)];
  }
  if (m instanceof Conv2d || m instanceof Conv1d) {
    if (m.groups !== 1) throw new Error(`getWeights/setWeights: ${label} is a grouped convolution (groups ${m.groups}), which tfjs's Conv layers do not have; use stateDict()`);
    const w = m.weight;
    const [toTf, fromTf] = m instanceof Conv2d ? [[2, 3, 1, 0], [3, 2, 0, 1]] : [[2, 1, 0], [2, 1, 0]];
    return [{
      name: 'kernel', trainable: true,
      get: () => noGrad(() => w.detach().permute(...toTf)),
      set: (v) => {
        if (v.ndim !== toTf.length) throw new RangeError(`setWeights: ${label}.kernel expects a ${toTf.length}-D kernel in tfjs's layout, got ${fmtShape(v.shape)}`);
        assign(w, v.permute(...fromTf), `${label}.kernel`);
      },
    }, ...bias(m.bias)];
  }
  if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
    const stat = (name: string, key: 'running_mean' | 'running_var'): TfjsWeight[] => {
      const t = m[key];
      return t ? [{ name, trainable: false, get: () => t.detach(), set: (v) => assign(t, v, `${label}.${name}`) }] : [];
    };
    return [...bias(m.weight, 'gamma'), ...bias(m.bias, 'beta'), ...stat('moving_mean', 'running_mean'), ...stat('moving_variance', 'running_var')];
  }
  if (m instanceof LayerNorm) return [...bias(m.weight, 'gamma'), ...bias(m.bias, 'beta')];
  if (m instanceof Embedding) return bias(m.weight, 'embeddings');
  const own = [...m.namedParameters()].length;
  if (own > 0 && m.children().length === 0) {
    throw new Error(`getWeights/setWeights: ${label} (${m.constructor.name}) has no known tfjs weight layout (known: Linear, Conv1d, Conv2d, BatchNorm1d/2d, LayerNorm, Embedding); use model.stateDict() / loadStateDict() for it`);
  }
  return [];
}

/** An int32 index on the weight's device. */
function tensorOf(values: number[], like: Tensor): Tensor {
  return tensor(values, { dtype: 'int32', device: like.storage.device });
}

function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}

/** The layers of `model` in tfjs's order, as (label, module) pairs, or an error saying why the order is unknown. */
function layersOf(model: Module, op: string): [string, Module][] {
  if (!(model instanceof Module)) throw new TypeError(`${op}: expected an nn.Module, got ${model === null ? 'null' : typeof model}`);
  let seq: Sequential | null = model instanceof Sequential ? model : null;
  let prefix = '';
  if (!seq) {
    const parametric = model.namedChildren().filter(([, c]) => [...c.parameters()].length > 0);
    const ownParams = [...model.namedParameters()].length - parametric.reduce((n, [, c]) => n + [...c.namedParameters()].length, 0);
    if (parametric.length === 1 && parametric[0][1] instanceof Sequential && ownParams === 0) {
      seq = parametric[0][1] as Sequential;
      prefix = `${parametric[0][0]}.`;
    } else {
      throw new Error(`${op}: the layer order of ${model.constructor.name} is not known (it is not an nn.Sequential, nor a module holding one nn.Sequential with all the parameters), so its weights cannot be listed in tfjs's order without guessing; use model.stateDict() / loadStateDict() (PyTorch's names and layouts)`);
    }
  }
  return seq.namedChildren().map(([n, m]) => [`${prefix}${n}`, m] as [string, Module]);
}

/** Every weight of the model in tfjs's order, with its (label, tfjs name) for messages. */
function tfjsWeights(model: Module, op: string): (TfjsWeight & { label: string })[] {
  const trainable: (TfjsWeight & { label: string })[] = [];
  const fixed: (TfjsWeight & { label: string })[] = [];
  let channels: number | null = null; // channels of the last channels-first layer, while the features are NCHW
  let flatten: FlattenOrder | null = null;
  for (const [label, m] of layersOf(model, op)) {
    const ws = weightsOf(m, label, flatten);
    for (const w of ws) (w.trainable ? trainable : fixed).push({ ...w, label });
    if (m instanceof Conv2d || m instanceof Conv1d) channels = m.outChannels;
    else if (m instanceof Flatten) {
      flatten = channels !== null ? { channels } : null;
      channels = null;
    } else if (m instanceof Linear) {
      flatten = null;
      channels = null;
    }
  }
  return [...trainable, ...fixed];
}

/** tfjs's `model.getWeights(trainableOnly = false)`: the weights in tfjs's order and layouts (live views, as tfjs's are). */
export function getWeights(model: Module, trainableOnly = false): Tensor[] {
  return tfjsWeights(model, 'getWeights').filter((w) => !trainableOnly || w.trainable).map((w) => w.get());
}

/** tfjs's `model.setWeights(weights)`: the same list, in tfjs's order and layouts, copied into the model's tensors. */
export function setWeights(model: Module, weights: readonly Tensor[]): void {
  const ws = tfjsWeights(model, 'setWeights');
  if (!Array.isArray(weights) || weights.length !== ws.length) {
    throw new RangeError(`setWeights: the model has ${ws.length} weights (${ws.map((w) => `${w.label}.${w.name}`).join(', ')}), got a list of ${Array.isArray(weights) ? weights.length : typeof weights}`);
  }
  ws.forEach((w, i) => w.set(weights[i]));
}
