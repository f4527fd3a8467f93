/**
 * A hand-built nn.Sequential as a tfjs Sequential model: its Keras JSON topology and its weights in tfjs's layout.
 *
 *   Linear                  → Dense (kernel = weightᵀ, [in, out]); an activation right after it is fused into it
 *   ReLU, Sigmoid, Tanh,    → the Dense's activation, or an Activation layer where no Linear precedes
 *   Softmax (last dim)
 *   Dropout                 → Dropout (the same rate; both are the identity at inference)
 *   Flatten (first only)    → Flatten; needs the input shape, which a Flatten does not know
 *
 * Anything else has no tfjs layer here: the error names the child and its class and lists what is supported.
 */
import type { Tensor } from '../../tensor.js';
import type { Module } from '../../nn/module.js';
import { Sequential } from '../../nn/containers.js';
import { Linear } from '../../nn/linear.js';
import { Flatten } from '../../nn/flatten.js';
import { Dropout } from '../../nn/dropout.js';
import { ReLU, Sigmoid, Softmax, Tanh } from '../../nn/activation.js';

export interface SavedWeight {
  name: string;
  shape: number[];
  /** The module's current tensor in tfjs's layout (or values to write as they are). */
  read: () => Tensor | Float32Array;
}

export interface DescribedModel {
  topology: Record<string, unknown>;
  weights: SavedWeight[];
}

const SUPPORTED = 'nn.Linear, nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Softmax (over the last dim), nn.Dropout and nn.Flatten as the first module';

/** The tfjs activation name of `m`, or null when `m` is not an activation the saver knows. */
function activationName(m: Module, where: string): string | null {
  if (m.constructor === ReLU) return 'relu';
  if (m.constructor === Sigmoid) return 'sigmoid';
  if (m.constructor === Tanh) return 'tanh';
  if (m.constructor === Softmax) {
    const dim = (m as Softmax).dim;
    // Dense outputs are [N, units]: dim 1, -1 and the implicit dim (1 for 2-d) are all the last axis.
    if (dim != null && dim !== -1 && dim !== 1) {
      throw new Error(`saveLayersModel: ${where} is a Softmax over dim ${dim}; tfjs's softmax activation normalises the last axis, so only dim -1 can be saved`);
    }
    return 'softmax';
  }
  return null;
}

function unsupported(m: Module, where: string): Error {
  return new Error(`saveLayersModel: ${where} is a ${m.constructor.name}, which saveLayersModel cannot describe as a tfjs layer; a hand-built nn.Sequential may hold ${SUPPORTED} (or save a module that io.loadLayersModel loaded)`);
}

/** `inputShape`: the input's shape without the batch dim; needed when the model starts with a Flatten. */
export function describeSequential(model: Module, inputShape?: number[]): DescribedModel {
  if (!(model instanceof Sequential)) {
    throw new Error(`saveLayersModel: the module is a ${model.constructor.name}; only an nn.Sequential (of ${SUPPORTED}) or a module from io.loadLayersModel can be saved`);
  }
  const children = model.namedChildren();
  if (children.length === 0) throw new Error('saveLayersModel: the nn.Sequential is empty; there is no model to save');
  const layers: Record<string, unknown>[] = [];
  const weights: SavedWeight[] = [];
  let batchInputShape: (number | null)[] | undefined = inputShape ? [null, ...inputShape] : undefined;
  const firstConfig = () => {
    const shape = batchInputShape;
    batchInputShape = undefined;
    return shape ? { batch_input_shape: shape } : {};
  };
  for (let i = 0; i < children.length; i++) {
    const [childName, m] = children[i];
    const where = `child '${childName}'`;
    const name = (kind: string) => `${kind}_${childName.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (m instanceof Flatten) {
      if (i !== 0 || m.startDim !== 1 || m.endDim !== -1) {
        throw new Error(`saveLayersModel: ${where} is a Flatten(${m.startDim}, ${m.endDim})${i === 0 ? '' : ' after the first module'}; only a Flatten() of all but the batch dim, as the first module, can be saved`);
      }
      if (!inputShape) throw new Error(`saveLayersModel: the nn.Sequential starts with a Flatten, so the input shape is unknown; pass { inputShape: [...] } (without the batch dim), e.g. [28, 28, 1]`);
      layers.push({ class_name: 'Flatten', config: { name: name('flatten'), trainable: true, dtype: 'float32', ...firstConfig() } });
      continue;
    }
    if (m instanceof Linear) {
      const next = children[i + 1];
      const fused = next ? activationName(next[1], `child '${next[0]}'`) : null;
      if (fused) i++;
      const layerName = name('dense');
      const useBias = m.bias != null;
      if (batchInputShape === undefined && layers.length === 0) batchInputShape = [null, m.inFeatures];
      layers.push({
        class_name: 'Dense',
        config: {
          units: m.outFeatures,
          activation: fused ?? 'linear',
          use_bias: useBias,
          kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
          bias_initializer: { class_name: 'Zeros', config: {} },
          kernel_regularizer: null,
          bias_regularizer: null,
          activity_regularizer: null,
          kernel_constraint: null,
          bias_constraint: null,
          name: layerName,
          trainable: true,
          dtype: 'float32',
          ...firstConfig(),
        },
      });
      // Dense computes x·kernel with kernel [in, out]; Linear keeps weight [out, in].
      weights.push({ name: `${layerName}/kernel`, shape: [m.inFeatures, m.outFeatures], read: () => m.weight.t() });
      if (useBias) weights.push({ name: `${layerName}/bias`, shape: [m.outFeatures], read: () => m.bias! });
      continue;
    }
    const act = activationName(m, where);
    if (!act && m.constructor !== Dropout) throw unsupported(m, where);
    if (layers.length === 0 && !inputShape) {
      throw new Error(`saveLayersModel: the nn.Sequential starts with ${where} (${m.constructor.name}), so the input shape is unknown; pass { inputShape: [...] } (without the batch dim)`);
    }
    layers.push(act
      ? { class_name: 'Activation', config: { activation: act, name: name('activation'), trainable: true, dtype: 'float32', ...firstConfig() } }
      : { class_name: 'Dropout', config: { rate: (m as Dropout).p, noise_shape: null, seed: null, name: name('dropout'), trainable: true, dtype: 'float32', ...firstConfig() } });
  }
  return {
    topology: { class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weights,
  };
}
