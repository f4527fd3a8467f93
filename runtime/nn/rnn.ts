/**
 * Recurrent layers: RNN, LSTM, GRU (multi-layer, optionally bidirectional) and the single-step cells
 * RNNCell, LSTMCell, GRUCell, with PyTorch's parameter names, gate order, formulas and initialisation.
 *
 * Parameters per layer k and direction (suffix '' or '_reverse'): weight_ih_l{k} [G·H, in_k],
 * weight_hh_l{k} [G·H, H], bias_ih_l{k} [G·H], bias_hh_l{k} [G·H], with G = 1 (RNN), 4 (LSTM: i, f, g, o) or
 * 3 (GRU: r, z, n), in_0 = inputSize and in_k = D·H after the first layer (D = 2 when bidirectional). All are
 * drawn from U(−1/√H, 1/√H). (tfjs's LSTM keeps one [in, 4H] kernel in i, f, c, o order, glorot/orthogonal init.)
 */
import type { Tensor } from '../tensor.js';
import { fmtShape, shapesEqual } from '../shape.js';
import { checkTensor, requireFloat } from '../ops/util.js';
import { empty, zeros } from '../ops/creation.js';
import { activeTracer, traceOp } from '../ops/trace.js';
import { cat, stack } from '../ops/join.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import * as init from './init.js';
import { linear } from './functional/conv.js';
import { dropout as dropoutFn } from './functional/dropout.js';
import type { FactoryOptions } from './linear.js';
import { pyBool, pyFloat } from './repr.js';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/**
 * One time step given the input projection gi = W_ih x + b_ih and the hidden projection gh = W_hh h + b_hh:
 *   RNN:  h' = tanh(gi + gh) (or relu)
 *   LSTM: i, f, g, o = σ, σ, tanh, σ of (gi + gh) chunks;  c' = f·c + i·g;  h' = o·tanh(c')
 *   GRU:  r = σ(gi_r + gh_r);  z = σ(gi_z + gh_z);  n = tanh(gi_n + r·gh_n);  h' = (1 − z)·n + z·h
 */
/** A gate's squashing function: σ, or tfjs's hard sigmoid clip(0.2·x + 0.5, 0, 1) (its recurrentActivation default). */
export type GateActivation = 'sigmoid' | 'hardSigmoid';

const gateFn = (kind: GateActivation) => (kind === 'sigmoid' ? (t: Tensor) => t.sigmoid() : (t: Tensor) => t.mul(0.2).add(0.5).clamp(0, 1));

function cellStep(mode: Mode, gi: Tensor, gh: Tensor, h: Tensor, c: Tensor | null, sigma: (t: Tensor) => Tensor = (t) => t.sigmoid()): [Tensor, Tensor | null] {
  switch (mode) {
    case 'RNN_TANH':
      return [gi.add(gh).tanh(), null];
    case 'RNN_RELU':
      return [gi.add(gh).relu(), null];
    case 'LSTM': {
      const [i, f, g, o] = gi.add(gh).chunk(4, -1);
      const c2 = sigma(f).mul(c!).add(sigma(i).mul(g.tanh()));
      return [sigma(o).mul(c2.tanh()), c2];
    }
    case 'GRU': {
      const [ir, iz, inn] = gi.chunk(3, -1);
      const [hr, hz, hn] = gh.chunk(3, -1);
      const r = sigma(ir.add(hr));
      const z = sigma(iz.add(hz));
      const n = inn.add(r.mul(hn)).tanh();
      // (1 − z)·n + z·h, written as n + z·(h − n).
      return [n.add(z.mul(h.sub(n))), null];
    }
  }
}

/**
 * The zero initial state: zeros of `shape`, whose dim `outDim` is x's dim `inDim` (the batch). Reported to an
 * export trace as a fill shaped by x, so an exported graph sizes it from the input's batch, not the sample's.
 */
function zeroState(shape: number[], x: Tensor, outDim: number, inDim: number): Tensor {
  const z = zeros(shape, { dtype: x.dtype, device: x.storage.device });
  if (activeTracer !== null) traceOp(z, 'Fill', [x], { shape, value: 0, fromInput: [[outDim, inDim]] });
  return z;
}

export interface RNNOptions extends FactoryOptions {
  /** Stacked layers. Default 1. */
  numLayers?: number;
  /** Use bias_ih and bias_hh. Default true. */
  bias?: boolean;
  /** Input and output are [N, T, *] instead of [T, N, *]. Default false. (tfjs's RNN layers are batch-first.) */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. Default 0. */
  dropout?: number;
  /** Also run a reverse-time direction; outputs are concatenated [forward, reverse]. Default false. */
  bidirectional?: boolean;
  /**
   * LSTM/GRU gate function (σ in the formulas below). Default 'sigmoid' (PyTorch); 'hardSigmoid' is
   * clip(0.2·x + 0.5, 0, 1), tfjs's recurrentActivation default, which the migration passes.
   */
  gateActivation?: GateActivation;
}

/** GRU's options: RNN's, and where the reset gate applies. */
export interface GRUOptions extends RNNOptions {
  /**
   * true (PyTorch, default): n = tanh(W_in x + b_in + r·(W_hn h + b_hn)). false (tfjs's GRU, Keras's resetAfter
   * false, the only form tfjs implements): n = tanh(W_in x + b_in + W_hn (r·h) + b_hn), the reset gate applied to
   * h before the recurrent matmul. The migration passes false.
   */
  resetAfter?: boolean;
}

/**
 * One tfjs-style GRU step (reset before the matmul, GRUOptions.resetAfter false): the recurrent weights are split
 * into the r, z rows and the n rows, since n's projection needs r first.
 */
function gruResetBeforeStep(gi: Tensor, h: Tensor, rz: [Tensor, Tensor | null], n: [Tensor, Tensor | null], sigma: (t: Tensor) => Tensor): Tensor {
  const [ir, iz, inn] = gi.chunk(3, -1);
  const [hr, hz] = linear(h, rz[0], rz[1]).chunk(2, -1);
  const r = sigma(ir.add(hr));
  const z = sigma(iz.add(hz));
  const cand = inn.add(linear(r.mul(h), n[0], n[1])).tanh();
  // (1 − z)·n + z·h, written as n + z·(h − n).
  return cand.add(z.mul(h.sub(cand)));
}

/** The base of RNN, LSTM and GRU (PyTorch's nn.RNNBase): the stack, its parameters and the time loop. */
export abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly gateActivation: GateActivation;
  /** GRU only (GRUOptions): false applies the reset gate before the recurrent matmul, as tfjs does. */
  readonly resetAfter: boolean;
  protected readonly mode: Mode;
  /** Parameter names per (layer, direction): [w_ih, w_hh, b_ih?, b_hh?]. */
  private readonly flatNames: string[][] = [];

  constructor(mode: Mode, inputSize: number, hiddenSize: number, opts: GRUOptions) {
    super();
    const op = mode.startsWith('RNN') ? 'RNN' : mode;
    if (!Number.isInteger(inputSize) || inputSize <= 0) throw new RangeError(`${op}: inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new RangeError(`${op}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    const numLayers = opts.numLayers ?? 1;
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new RangeError(`${op}: numLayers must be a positive integer, got ${numLayers}`);
    const dropout = opts.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) throw new RangeError(`${op}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${dropout}`);
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = opts.bidirectional ?? false;
    const ga = opts.gateActivation ?? 'sigmoid';
    if (ga !== 'sigmoid' && ga !== 'hardSigmoid') throw new RangeError(`${op}: unknown gateActivation '${ga as string}'; select from 'sigmoid' or 'hardSigmoid'`);
    this.gateActivation = ga;
    if (opts.resetAfter !== undefined && mode !== 'GRU') throw new TypeError(`${op}: resetAfter is a GRU option`);
    if (opts.resetAfter !== undefined && typeof opts.resetAfter !== 'boolean') throw new TypeError(`${op}: resetAfter must be a boolean, got ${String(opts.resetAfter)}`);
    this.resetAfter = opts.resetAfter ?? true;
    const gate = GATES[mode] * hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const f = { dtype: opts.dtype, device: opts.device };
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < D; dir++) {
        const inSize = layer === 0 ? inputSize : hiddenSize * D;
        const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const shapes: [string, number[]][] = [[`weight_ih${sfx}`, [gate, inSize]], [`weight_hh${sfx}`, [gate, hiddenSize]]];
        if (this.bias) shapes.push([`bias_ih${sfx}`, [gate]], [`bias_hh${sfx}`, [gate]]);
        for (const [name, shape] of shapes) this.registerParameter(name, Parameter(empty(shape, f)));
        this.flatNames.push(shapes.map(([n]) => n));
      }
    }
    this.resetParameters();
  }

  /** Every parameter from U(−1/√hiddenSize, 1/√hiddenSize), in registration order. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  /** [[weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0], ...] per layer and direction (PyTorch's all_weights). */
  get allWeights(): Tensor[][] {
    return this.flatNames.map((names) => names.map((n) => this.getParameter(n)));
  }

  /**
   * Runs the stack. input [T, N, in] (or [N, T, in] batch-first, or unbatched [T, in]); h0 (and c0 for LSTM)
   * [numLayers·D, N, H] (unbatched: [numLayers·D, H]); zeros when omitted.
   */
  protected run(input: Tensor, h0In: Tensor | null | undefined, c0In: Tensor | null | undefined): [Tensor, Tensor, Tensor | null] {
    const op = this.constructor.name;
    checkTensor(input, op, 'input');
    requireFloat(input, op);
    if (input.ndim !== 2 && input.ndim !== 3) throw new RangeError(`${op}: expected input to be 2-D (unbatched [T, ${this.inputSize}]) or 3-D, got ${input.ndim}-D input ${fmtShape(input.shape)}`);
    const unbatched = input.ndim === 2;
    const x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    if (x.shape[2] !== this.inputSize) throw new RangeError(`${op}: input.size(-1) must be equal to inputSize. Expected ${this.inputSize}, got ${x.shape[2]} (input ${fmtShape(input.shape)})`);
    if (x.shape[0] === 0) throw new RangeError(`${op}: expected a non-empty sequence, got input ${fmtShape(input.shape)}`);
    const D = this.bidirectional ? 2 : 1;
    const N = x.shape[1];
    const hShape = [this.numLayers * D, N, this.hiddenSize];
    const state = (t: Tensor | null | undefined, what: string): Tensor => {
      if (!t) return zeroState(hShape, x, 1, 1);
      checkTensor(t, op, what);
      const s = unbatched ? t.unsqueeze(1) : t;
      if (!shapesEqual(s.shape, hShape)) {
        throw new RangeError(`${op}: expected ${what} of size ${fmtShape(unbatched ? [hShape[0], hShape[2]] : hShape)}, got ${fmtShape(t.shape)}`);
      }
      return s;
    };
    const h0 = state(h0In, 'hidden state h0');
    const c0 = this.mode === 'LSTM' ? state(c0In, 'cell state c0') : null;
    const weights = this.allWeights;
    let layerInput = x;
    const hN: Tensor[] = [], cN: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < D; dir++) {
        const k = layer * D + dir;
        const [wih, whh, bih, bhh] = weights[k];
        const [out, h, c] = this.direction(layerInput, wih, whh, bih ?? null, bhh ?? null, h0.select(0, k), c0 ? c0.select(0, k) : null, dir === 1);
        outs.push(out);
        hN.push(h);
        if (c) cN.push(c);
      }
      layerInput = D === 2 ? cat(outs, 2) : outs[0];
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) layerInput = dropoutFn(layerInput, { p: this.dropout, training: true });
    }
    let output = layerInput;
    let h = stack(hN, 0);
    let c = cN.length ? stack(cN, 0) : null;
    if (unbatched) {
      output = output.squeeze(1);
      h = h.squeeze(1);
      c = c ? c.squeeze(1) : null;
    } else if (this.batchFirst) output = output.transpose(0, 1);
    return [output, h, c];
  }

  /** One direction of one layer over the whole sequence: [T, N, in] → [T, N, H], final h (and c). */
  private direction(x: Tensor, wih: Tensor, whh: Tensor, bih: Tensor | null, bhh: Tensor | null, h0: Tensor, c0: Tensor | null, reverse: boolean): [Tensor, Tensor, Tensor | null] {
    const T = x.shape[0];
    // The input projection for all time steps in one matmul; only the recurrent part is sequential.
    const gi = linear(x, wih, bih);
    const sigma = gateFn(this.gateActivation);
    let h = h0, c = c0;
    const outs: Tensor[] = new Array(T);
    const H = this.hiddenSize;
    const resetBefore = this.mode === 'GRU' && !this.resetAfter;
    const rz: [Tensor, Tensor | null] = resetBefore ? [whh.narrow(0, 0, 2 * H), bhh?.narrow(0, 0, 2 * H) ?? null] : [whh, bhh];
    const n: [Tensor, Tensor | null] = resetBefore ? [whh.narrow(0, 2 * H, H), bhh?.narrow(0, 2 * H, H) ?? null] : [whh, bhh];
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      if (resetBefore) h = gruResetBeforeStep(gi.select(0, t), h, rz, n, sigma);
      else [h, c] = cellStep(this.mode, gi.select(0, t), linear(h, whh, bhh), h, c, sigma);
      outs[t] = h;
    }
    return [stack(outs, 0), h, c];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    if (!this.resetAfter) s += ', reset_after=False';
    return s;
  }
}

/**
 * Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or relu).
 *
 * @param opts nonlinearity ('tanh' | 'relu', default 'tanh'), numLayers (1), bias (true), batchFirst (false),
 *   dropout (0), bidirectional (false)
 *
 * forward(input, h0?) → [output, hN]: input [T, N, inputSize] (batch-first [N, T, inputSize], unbatched
 * [T, inputSize]); output [T, N, D·hiddenSize]; h0/hN [numLayers·D, N, hiddenSize].
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNN: unknown nonlinearity '${nl as string}'; select from 'tanh' or 'relu'`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [out, h] = this.run(input, hx, null);
    return [out, h];
  }
}

/**
 * Long short-term memory, gates in PyTorch's order i, f, g, o:
 *
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f·c + i·g                           h' = o·tanh(c')
 *
 * forward(input, [h0, c0]?) → [output, [hN, cN]] with the shapes of RNN (cN like hN).
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (hx && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTM: hx must be a pair [h0, c0]');
    const [out, h, c] = this.run(input, hx?.[0], hx?.[1]);
    return [out, [h, c!]];
  }
}

/**
 * Gated recurrent unit, gates r, z, n (PyTorch's formula: the reset gate multiplies W_hn h + b_hn):
 *
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r·(W_hn h + b_hn))    h' = (1 − z)·n + z·h
 *
 * With `resetAfter: false` (tfjs's GRU, the form the migration writes): n = tanh(W_in x + b_in + W_hn (r·h) + b_hn).
 * forward(input, h0?) → [output, hN] with the shapes of RNN.
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: GRUOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [out, h] = this.run(input, hx, null);
    return [out, h];
  }
}

/** Shared by the cells: weight_ih [G·H, in], weight_hh [G·H, H], bias_ih, bias_hh, U(−1/√H, 1/√H). */
abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  protected readonly mode: Mode;
  declare weight_ih: Tensor;
  declare weight_hh: Tensor;
  declare bias_ih: Tensor | null;
  declare bias_hh: Tensor | null;

  constructor(mode: Mode, inputSize: number, hiddenSize: number, opts: { bias?: boolean } & FactoryOptions) {
    super();
    const op = `${mode.startsWith('RNN') ? 'RNN' : mode}Cell`;
    if (!Number.isInteger(inputSize) || inputSize <= 0) throw new RangeError(`${op}: inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new RangeError(`${op}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const gate = GATES[mode] * hiddenSize;
    const f = { dtype: opts.dtype, device: opts.device };
    this.registerParameter('weight_ih', Parameter(empty([gate, inputSize], f)));
    this.registerParameter('weight_hh', Parameter(empty([gate, hiddenSize], f)));
    const bias = opts.bias ?? true;
    this.registerParameter('bias_ih', bias ? Parameter(empty([gate], f)) : null);
    this.registerParameter('bias_hh', bias ? Parameter(empty([gate], f)) : null);
    this.resetParameters();
  }

  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  /** input [N, in] or [in]; h, c [N, H] or [H] (zeros when omitted). */
  protected step(input: Tensor, h0: Tensor | null | undefined, c0: Tensor | null | undefined): [Tensor, Tensor | null] {
    const op = this.constructor.name;
    checkTensor(input, op, 'input');
    requireFloat(input, op);
    if ((input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${op}: expected input [N, ${this.inputSize}] or [${this.inputSize}], got ${fmtShape(input.shape)}`);
    }
    const unbatched = input.ndim === 1;
    const x = unbatched ? input.unsqueeze(0) : input;
    const hShape = [x.shape[0], this.hiddenSize];
    const state = (t: Tensor | null | undefined, what: string): Tensor => {
      if (!t) return zeroState(hShape, x, 0, 0);
      const s = unbatched ? t.unsqueeze(0) : t;
      if (!shapesEqual(s.shape, hShape)) throw new RangeError(`${op}: expected ${what} of size ${fmtShape(unbatched ? [this.hiddenSize] : hShape)}, got ${fmtShape(t.shape)}`);
      return s;
    };
    const h = state(h0, 'hidden state');
    const c = this.mode === 'LSTM' ? state(c0, 'cell state') : null;
    let [h1, c1] = cellStep(this.mode, linear(x, this.weight_ih, this.bias_ih), linear(h, this.weight_hh, this.bias_hh), h, c);
    if (unbatched) {
      h1 = h1.squeeze(0);
      c1 = c1 ? c1.squeeze(0) : null;
    }
    return [h1, c1];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias_ih) s += ', bias=False';
    if (this.mode === 'RNN_RELU') s += ', nonlinearity=relu';
    return s;
  }
}

/** One Elman RNN step: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). forward(input, h?) → h'. */
export class RNNCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } & FactoryOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNNCell: unknown nonlinearity '${nl as string}'; select from 'tanh' or 'relu'`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.step(input, hx, null)[0];
  }
}

/** One LSTM step (see LSTM for the gates). forward(input, [h, c]?) → [h', c']. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [h, c] = this.step(input, hx?.[0], hx?.[1]);
    return [h, c!];
  }
}

/** One GRU step (see GRU for the gates). forward(input, h?) → h'. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.step(input, hx, null)[0];
  }
}
