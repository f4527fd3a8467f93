/**
 * `compat.layers.Activation(name, dim)`: a tfjs activation given by NAME at run time (`dense({ activation: act })`,
 * a builder function's parameter), as a module. The names are tfjs's (`tf.layers.*({ activation })`); each computes
 * what the migration writes for that name when it is a literal (mappings/compile.ts ACTIVATIONS — the test
 * test/compat_activation.test.ts holds the two to each other, name by name, and to tfjs). `dim` is softmax's axis
 * (-1, or 1 on a channels-first tensor). An unknown name is an error naming it, as tfjs's getActivation is.
 */
import type { Tensor } from '../tensor.js';
import * as torch from '../torch.js';
import * as F from '../nn/functional/activation.js';
import { Module } from '../nn/module.js';

const ACTIVATIONS: Readonly<Record<string, (x: Tensor, dim: number) => Tensor>> = {
  linear: (x) => x,
  relu: (x) => torch.relu(x),
  relu6: (x) => F.relu6(x),
  sigmoid: (x) => torch.sigmoid(x),
  tanh: (x) => torch.tanh(x),
  softmax: (x, dim) => torch.softmax(x, dim),
  logSoftmax: (x, dim) => torch.logSoftmax(x, dim),
  elu: (x) => F.elu(x),
  selu: (x) => F.selu(x),
  softplus: (x) => F.softplus(x),
  softsign: (x) => F.softsign(x),
  swish: (x) => F.silu(x),
  mish: (x) => F.mish(x),
  gelu: (x) => F.gelu(x),
  // tfjs's hard sigmoid: clip(0.2·x + 0.5, 0, 1).
  hardSigmoid: (x) => torch.clamp(torch.add(torch.mul(x, 0.2), 0.5), 0, 1),
};

/** The activation names this knows (tfjs's). */
export const ACTIVATION_NAMES: readonly string[] = Object.keys(ACTIVATIONS);

export class Activation extends Module {
  readonly activation: string;
  private readonly fn: (x: Tensor, dim: number) => Tensor;

  /** `name` undefined or null is tfjs's default, linear. */
  constructor(name: string | null | undefined, readonly dim = -1) {
    super();
    this.activation = name ?? 'linear';
    const fn = ACTIVATIONS[this.activation];
    if (!fn) throw new RangeError(`compat.layers.Activation: unknown activation ${JSON.stringify(name)} (tfjs's names: ${ACTIVATION_NAMES.join(', ')})`);
    this.fn = fn;
  }

  override forward(x: Tensor): Tensor {
    return this.fn(x, this.dim);
  }

  override extraRepr(): string {
    return `'${this.activation}'`;
  }
}
