/** `nn.Conv1d`, `nn.Conv2d` and `nn.ConvTranspose2d`. */
import type { Tensor } from '../tensor.js';
import { empty } from '../ops/creation.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import * as init from './init.js';
import { conv1d, conv2d, convTranspose2d, pad, type PadMode } from './functional/conv.js';
import type { FactoryOptions } from './linear.js';
import { pyTuple } from './repr.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvOptions<T> extends FactoryOptions {
  /** Default 1. */
  stride?: T;
  /** Default 0: a size (both sides), or 'valid' (none) or 'same' (output size = ceil(input/stride)). */
  padding?: T | 'same' | 'valid';
  /** Default 1. */
  dilation?: T;
  /** Split input and output channels into this many independent groups. Default 1. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** How the padding is filled. Default 'zeros'. */
  paddingMode?: PaddingMode;
}

const tuple = (v: number | readonly number[], n: number, op: string, arg: string): number[] => {
  const t = typeof v === 'number' ? Array(n).fill(v) : [...v];
  if (t.length !== n || t.some((x) => !Number.isInteger(x) || x < 0)) throw new RangeError(`${op}: ${arg} must be a non-negative integer or ${n} of them, got ${JSON.stringify(v)}`);
  return t;
};

/** Both channel counts split into `groups` independent groups. */
function checkGroups(op: string, inChannels: number, outChannels: number, groups: number): number {
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  if (inChannels % groups !== 0) throw new RangeError(`${op}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
  if (outChannels % groups !== 0) throw new RangeError(`${op}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
  return groups;
}

/** PyTorch's conv init: kaiming_uniform(a=√5) on the weight, the bias from U(−1/√fanIn, 1/√fanIn), fanIn from the weight as stored. */
function resetConv(weight: Tensor, bias: Tensor | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

/** Shared by Conv1d and Conv2d: channel checks, parameters, init, padding modes and repr. */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(op: string, n: number, inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvOptions<number | readonly number[]>) {
    super();
    const groups = checkGroups(op, inChannels, outChannels, opts.groups ?? 1);
    const paddingMode = opts.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(paddingMode)) {
      throw new RangeError(`${op}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(kernelSize, n, op, 'kernelSize');
    this.stride = tuple(opts.stride ?? 1, n, op, 'stride');
    const p = opts.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : tuple(p, n, op, 'padding');
    if (typeof p === 'string' && p !== 'same' && p !== 'valid') throw new RangeError(`${op}: invalid padding string '${p}', should be one of 'valid', 'same'`);
    this.dilation = tuple(opts.dilation ?? 1, n, op, 'dilation');
    this.groups = groups;
    this.paddingMode = paddingMode;
    if (paddingMode !== 'zeros' && this.padding === 'same' && this.stride.some((s) => s !== 1)) {
      throw new RangeError(`${op}: padding='same' with paddingMode '${paddingMode}' needs stride 1`);
    }
    const f = { dtype: opts.dtype, device: opts.device };
    this.registerParameter('weight', Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize], f)));
    this.registerParameter('bias', opts.bias ?? true ? Parameter(empty([outChannels], f)) : null);
    this.resetParameters();
  }

  /** weight and bias from U(−1/√fanIn, 1/√fanIn), fanIn = inChannels/groups·∏kernelSize (PyTorch's rule). */
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }

  /**
   * For a non-zeros padding mode: pads explicitly (F.pad order, last dim first) and returns the input to
   * convolve without padding; for 'zeros', returns the input and the padding for the conv itself.
   */
  protected padded(input: Tensor): [Tensor, number[] | 'same' | 'valid'] {
    if (this.paddingMode === 'zeros' || this.padding === 'valid') return [input, this.padding];
    const n = this.kernelSize.length;
    const amounts: number[] = [];
    for (let i = n - 1; i >= 0; i--) {
      if (this.padding === 'same') {
        const total = this.dilation[i] * (this.kernelSize[i] - 1);
        amounts.push(Math.floor(total / 2), total - Math.floor(total / 2));
      } else amounts.push(this.padding[i], this.padding[i]);
    }
    const mode: PadMode = this.paddingMode === 'reflect' ? 'reflect' : this.paddingMode === 'replicate' ? 'replicate' : 'circular';
    return [pad(input, amounts, { mode }), 'valid'];
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/**
 * 1-D convolution over [N, C_in, L] (or [C_in, L]):
 *
 *   out[n, o] = bias[o] + Σ_{c} weight[o, c] ⋆ input[n, c]
 *
 * @param inChannels, outChannels, kernelSize
 * @param opts stride (1), padding (0 | 'same' | 'valid'), dilation (1), groups (1), bias (true), paddingMode ('zeros')
 *
 * Shapes: weight [outChannels, inChannels/groups, k]; output [N, outChannels, L_out],
 * L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1.
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number], opts: ConvOptions<number | readonly [number]> = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, opts);
  }

  override forward(input: Tensor): Tensor {
    const [x, padding] = this.padded(input);
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride[0],
      padding: typeof padding === 'string' ? padding : padding[0],
      dilation: this.dilation[0],
      groups: this.groups,
    });
  }
}

/**
 * 2-D convolution over [N, C_in, H, W] (or [C_in, H, W]), NCHW as PyTorch (tfjs is NHWC):
 *
 *   out[n, o] = bias[o] + Σ_{c} weight[o, c] ⋆ input[n, c]
 *
 * Weight and bias are initialised from U(−1/√fanIn, 1/√fanIn), fanIn = inChannels/groups·kh·kw.
 *
 * @param inChannels, outChannels, kernelSize (int or [kh, kw])
 * @param opts stride (1), padding (0 | [ph, pw] | 'same' | 'valid'), dilation (1), groups (1), bias (true),
 *   paddingMode ('zeros' | 'reflect' | 'replicate' | 'circular')
 *
 * Shapes: weight [outChannels, inChannels/groups, kh, kw]; output [N, outChannels, H_out, W_out],
 * H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1.
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], opts: ConvOptions<number | readonly [number, number]> = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, opts);
  }

  override forward(input: Tensor): Tensor {
    const [x, padding] = this.padded(input);
    return conv2d(x, this.weight, this.bias, {
      stride: [this.stride[0], this.stride[1]],
      padding: typeof padding === 'string' ? padding : [padding[0], padding[1]],
      dilation: [this.dilation[0], this.dilation[1]],
      groups: this.groups,
    });
  }
}

export interface ConvTranspose2dOptions extends FactoryOptions {
  /** Default 1. */
  stride?: number | readonly [number, number];
  /** Default 0: dilation·(k − 1) − padding zeros around the input, i.e. padding cropped from each side of the output. */
  padding?: number | readonly [number, number];
  /** Default 0, below the stride: extra rows/columns at the bottom/right of the output. */
  outputPadding?: number | readonly [number, number];
  /** Default 1. */
  dilation?: number | readonly [number, number];
  /** Default 1. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
}

/**
 * Transposed 2-D convolution over [N, C_in, H, W] (or [C_in, H, W]), as PyTorch's nn.ConvTranspose2d.
 *
 * Shapes: weight [inChannels, outChannels/groups, kh, kw]; output [N, outChannels, H', W'],
 * H' = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1. Initialised as PyTorch does: U(−1/√fanIn,
 * 1/√fanIn) with fanIn computed from the weight as stored (outChannels/groups·kh·kw).
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly outputPadding: number[];
  readonly dilation: number[];
  readonly groups: number;
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], opts: ConvTranspose2dOptions = {}) {
    super();
    const op = 'ConvTranspose2d';
    const groups = checkGroups(op, inChannels, outChannels, opts.groups ?? 1);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(kernelSize, 2, op, 'kernelSize');
    this.stride = tuple(opts.stride ?? 1, 2, op, 'stride');
    this.padding = tuple(opts.padding ?? 0, 2, op, 'padding');
    this.outputPadding = tuple(opts.outputPadding ?? 0, 2, op, 'outputPadding');
    this.dilation = tuple(opts.dilation ?? 1, 2, op, 'dilation');
    if (this.outputPadding.some((p, i) => p >= this.stride[i])) throw new RangeError(`${op}: outputPadding ${pyTuple(this.outputPadding)} must be smaller than stride ${pyTuple(this.stride)}`);
    this.groups = groups;
    const f = { dtype: opts.dtype, device: opts.device };
    this.registerParameter('weight', Parameter(empty([inChannels, outChannels / groups, ...this.kernelSize], f)));
    this.registerParameter('bias', opts.bias ?? true ? Parameter(empty([outChannels], f)) : null);
    this.resetParameters();
  }

  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }

  override forward(input: Tensor): Tensor {
    const pair = (v: number[]): [number, number] => [v[0], v[1]];
    return convTranspose2d(input, this.weight, this.bias, {
      stride: pair(this.stride), padding: pair(this.padding), outputPadding: pair(this.outputPadding), dilation: pair(this.dilation), groups: this.groups,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}
