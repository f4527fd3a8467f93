/**
 * The few modules a loaded tfjs model needs that nn has no class for: a layout permute, TensorFlow's 'same'
 * pooling (asymmetric padding), hard sigmoid, a Reshape in tfjs's (channels-last) layout, zero padding, global max
 * pooling, and the cast of an Embedding's ids.
 */
import type { Tensor } from '../../tensor.js';
import { Module } from '../../nn/module.js';
import { ones } from '../../ops/creation.js';
import { pad } from '../../nn/functional/conv.js';
import { avgPool2d, maxPool2d } from '../../nn/functional/pooling.js';

/** `x.permute(dims)`: moves activations between tfjs's NHWC and the runtime's NCHW. */
export class Permute extends Module {
  constructor(readonly dims: number[]) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return input.permute(this.dims);
  }

  override extraRepr(): string {
    return `dims=(${this.dims.join(', ')})`;
  }
}

/** TensorFlow's 'same' padding of one spatial dim: total = max((⌈n/s⌉ − 1)·s + k − n, 0), the odd pixel after. */
function samePadding(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * 2-D max or average pooling over NCHW with tfjs's padding. 'same' pads asymmetrically (which nn.MaxPool2d's
 * symmetric padding cannot express); max pads with −∞, and average divides by the count of real pixels in each
 * window, as TensorFlow does.
 */
export class TfPool2d extends Module {
  constructor(readonly kind: 'max' | 'avg', readonly poolSize: [number, number], readonly strides: [number, number], readonly padding: 'same' | 'valid') {
    super();
  }

  override forward(input: Tensor): Tensor {
    const opts = { stride: this.strides };
    if (this.padding === 'valid') {
      return this.kind === 'max' ? maxPool2d(input, this.poolSize, opts) : avgPool2d(input, this.poolSize, opts);
    }
    const [h, w] = input.shape.slice(-2);
    const [top, bottom] = samePadding(h, this.poolSize[0], this.strides[0]);
    const [left, right] = samePadding(w, this.poolSize[1], this.strides[1]);
    const amounts = [left, right, top, bottom];
    if (this.kind === 'max') return maxPool2d(pad(input, amounts, { value: -Infinity }), this.poolSize, opts);
    // Sum over the window / number of real pixels in it: the zero padding adds nothing to either.
    const sums = avgPool2d(pad(input, amounts), this.poolSize, opts);
    const counts = avgPool2d(pad(ones([1, 1, h, w]), amounts), this.poolSize, opts);
    return sums.div(counts);
  }

  override extraRepr(): string {
    return `${this.kind}, pool_size=(${this.poolSize.join(', ')}), strides=(${this.strides.join(', ')}), padding=${this.padding}`;
  }
}

/** tfjs's hard sigmoid: clamp(0.2·x + 0.5, 0, 1) (PyTorch's Hardsigmoid uses x/6 + 1/2, a different function). */
export class HardSigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return input.mul(0.2).add(0.5).clamp(0, 1);
  }
}

/** Reshape of everything but the batch dim to `targetShape` (tfjs's Reshape; -1 allowed once). */
export class Reshape extends Module {
  constructor(readonly targetShape: number[]) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return input.reshape([input.shape[0], ...this.targetShape]);
  }

  override extraRepr(): string {
    return `target_shape=(${this.targetShape.join(', ')})`;
  }
}

/** Zero padding of an NCHW map, in F.pad's order [left, right, top, bottom]. */
export class ZeroPad2d extends Module {
  constructor(readonly amounts: [number, number, number, number]) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return pad(input, this.amounts);
  }

  override extraRepr(): string {
    return `(${this.amounts.join(', ')})`;
  }
}

/** GlobalMaxPooling2D: the max over H and W of an NCHW map, [N, C, H, W] → [N, C]. */
export class GlobalMaxPool2d extends Module {
  override forward(input: Tensor): Tensor {
    return input.amax([2, 3]);
  }
}

/** GlobalAveragePooling1D / GlobalMaxPooling1D: mean or max over the steps of [N, steps, channels] (tfjs's layout). */
export class GlobalPool1d extends Module {
  constructor(readonly kind: 'avg' | 'max') {
    super();
  }

  override forward(input: Tensor): Tensor {
    return this.kind === 'avg' ? input.mean(1) : input.amax(1);
  }

  override extraRepr(): string {
    return `kind=${this.kind}`;
  }
}

/**
 * tfjs's Embedding takes ids of any numeric dtype (predict is usually given float32 ids) and casts them; the runtime's
 * embedding takes int32 indices. Truncates toward zero, as tfjs's cast does.
 */
export class ToIndices extends Module {
  override forward(input: Tensor): Tensor {
    return input.dtype === 'int32' ? input : input.to('int32');
  }
}
