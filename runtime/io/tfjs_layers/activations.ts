/** tfjs activation names (a layer's `activation` config) → runtime modules. */
import type { Module } from '../../nn/module.js';
import { ELU, Mish, ReLU, ReLU6, SELU, Sigmoid, SiLU, Softmax, Softplus, Softsign, Tanh } from '../../nn/activation.js';
import { HardSigmoid } from './modules.js';

/** Each factory gets the channel dim in the layout the activation runs in (softmax normalises over it). */
const ACTIVATIONS: Record<string, (channelDim: number) => Module> = {
  relu: () => new ReLU(),
  relu6: () => new ReLU6(),
  sigmoid: () => new Sigmoid(),
  hard_sigmoid: () => new HardSigmoid(),
  tanh: () => new Tanh(),
  softmax: (dim) => new Softmax(dim),
  elu: () => new ELU(1),
  selu: () => new SELU(),
  softplus: () => new Softplus(),
  softsign: () => new Softsign(),
  swish: () => new SiLU(),
  mish: () => new Mish(),
};

/** The module for `name`, or null for 'linear' (and no activation). `where` names the layer for the error. */
export function activationModule(name: unknown, channelDim: number, where: () => string): Module | null {
  if (name == null || name === 'linear') return null;
  const make = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (!make) {
    throw new Error(`loadLayersModel: ${where()} has activation ${JSON.stringify(name)}, which the loader does not know; supported: linear, ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  return make(channelDim);
}
