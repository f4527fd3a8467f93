/**
 * Learning-rate schedulers (torch.optim.lr_scheduler). A scheduler records each group's starting lr as
 * `initialLr`, and every `step()` (once per epoch, after `optimizer.step()`) writes the next lr into each
 * parameter group. Values follow PyTorch's recursive (chainable) forms, so lr changes made by hand or by
 * another scheduler between steps carry over as they do in PyTorch.
 *
 *   const scheduler = new optim.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 *   for (let epoch = 0; epoch < 100; epoch++) { train(); scheduler.step(); }
 */
import { Optimizer, type HyperParams } from './optimizer.js';

/** Any optimizer: schedulers only read and write `paramGroups[i].lr` / `initialLr`. */
export type SchedulableOptimizer = Optimizer<HyperParams, object>;

export interface LRSchedulerOptions {
  /** The index of the last epoch when resuming (the optimizer's groups must then carry `initialLr`); -1 starts fresh. */
  lastEpoch?: number;
}

/** State-dict keys that are not state: the optimizer (saved on its own) and the class's name. */
const NOT_STATE = new Set(['optimizer', 'name']);

export abstract class LRScheduler {
  readonly name: string;
  readonly optimizer: SchedulableOptimizer;
  /** Each group's `initialLr`: where the schedule starts. */
  baseLrs: number[];
  /** Epochs stepped so far, minus one (0 right after construction, which performs the first step). */
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  /** Subclasses set their fields, then call `this.initialStep()` at the end of their constructor. */
  protected constructor(name: string, optimizer: SchedulableOptimizer, lastEpoch = -1) {
    this.name = name;
    if (!(optimizer instanceof Optimizer)) {
      const given: unknown = optimizer;
      const what = given === null ? 'null' : typeof given === 'object' ? (given.constructor?.name ?? 'object') : typeof given;
      throw new TypeError(`${name}: ${what} is not an Optimizer; pass the optimizer whose lr to schedule`);
    }
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${name}: lastEpoch must be an integer >= -1, got ${lastEpoch}`);
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new Error(`${name}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer; resume from an optimizer state dict saved while a scheduler was attached, or use lastEpoch -1`);
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** The next lr of each group, from the current `lastEpoch` (already incremented) and the groups' current lr. */
  protected abstract computeLr(): number[];

  /** PyTorch's `_initial_step`: moves to epoch lastEpoch + 1 and sets the groups' lr. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and writes each group's new lr. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const values = this.computeLr();
    const groups = this.optimizer.paramGroups;
    // Like PyTorch's zip: groups added after the scheduler was built are left alone.
    const n = Math.min(values.length, groups.length);
    for (let i = 0; i < n; i++) groups[i].lr = values[i];
    this.lastLr = groups.slice(0, n).map((g) => g.lr);
  }

  /** The lr of each group as set by the last `step()`. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** Every field except the optimizer (and functions such as LambdaLR's lambdas), as PyTorch's `__dict__`. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (NOT_STATE.has(k) || !isStateValue(v)) continue;
      out[k] = Array.isArray(v) ? v.slice() : v;
    }
    return out;
  }

  loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object') throw new TypeError(`${this.name}.loadStateDict: expected an object as returned by stateDict()`);
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(sd)) {
      if (NOT_STATE.has(k) || !isStateValue(v)) continue;
      if (!(k in self)) throw new TypeError(`${this.name}.loadStateDict: unknown key '${k}'; was the state dict saved from another scheduler?`);
      self[k] = Array.isArray(v) ? v.slice() : v;
    }
  }
}

function isStateValue(v: unknown): boolean {
  return typeof v !== 'function' && !(Array.isArray(v) && v.some((x) => typeof x === 'function'));
}

function checkGamma(name: string, gamma: unknown): number {
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) throw new TypeError(`${name}: gamma must be a finite number, got ${String(gamma)}`);
  return gamma;
}

function requireOptions<T>(name: string, options: T | undefined, example: string): T {
  if (options === null || typeof options !== 'object') throw new TypeError(`${name}: expected an options object, e.g. ${example}`);
  return options;
}

export interface StepLROptions extends LRSchedulerOptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplicative factor of each decay (default 0.1). */
  gamma?: number;
}

/** Multiplies the lr by `gamma` every `stepSize` epochs: lr = initialLr · gamma^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    const { stepSize, gamma = 0.1, lastEpoch = -1 } = requireOptions('StepLR', options, '{ stepSize: 30, gamma: 0.1 }');
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${String(stepSize)}`);
    super('StepLR', optimizer, lastEpoch);
    this.stepSize = stepSize;
    this.gamma = checkGamma('StepLR', gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
}

export interface MultiStepLROptions extends LRSchedulerOptions {
  /** Epochs at which to decay (a milestone listed twice decays twice). */
  milestones: number[];
  gamma?: number;
}

/** Multiplies the lr by `gamma` at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    const { milestones, gamma = 0.1, lastEpoch = -1 } = requireOptions('MultiStepLR', options, '{ milestones: [30, 80], gamma: 0.1 }');
    if (!Array.isArray(milestones) || milestones.some((m) => !Number.isInteger(m))) {
      throw new TypeError(`MultiStepLR: milestones must be an array of integer epochs, got ${String(milestones)}`);
    }
    super('MultiStepLR', optimizer, lastEpoch);
    this.milestones = milestones.slice().sort((a, b) => a - b);
    this.gamma = checkGamma('MultiStepLR', gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    let hits = 0;
    for (const m of this.milestones) if (m === this.lastEpoch) hits++;
    if (hits === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** hits);
  }
}

export interface ExponentialLROptions extends LRSchedulerOptions {
  gamma: number;
}

/** Multiplies the lr by `gamma` every epoch: lr = initialLr · gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    const { gamma, lastEpoch = -1 } = requireOptions('ExponentialLR', options, '{ gamma: 0.95 }');
    checkGamma('ExponentialLR', gamma);
    super('ExponentialLR', optimizer, lastEpoch);
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
}

export interface CosineAnnealingLROptions extends LRSchedulerOptions {
  /** Epochs of half a cosine period (from initialLr down to etaMin). */
  tMax: number;
  /** Minimum lr (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing (SGDR without restarts): for t ≤ tMax, lr = etaMin + (initialLr − etaMin)·(1 + cos(π·t/tMax))/2;
 * past tMax the lr rises again along the cosine (period 2·tMax), as in PyTorch.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    const { tMax, etaMin = 0, lastEpoch = -1 } = requireOptions('CosineAnnealingLR', options, '{ tMax: 100 }');
    if (typeof tMax !== 'number' || !(tMax > 0) || !Number.isFinite(tMax)) throw new RangeError(`CosineAnnealingLR: tMax must be a positive number of epochs, got ${String(tMax)}`);
    if (typeof etaMin !== 'number' || !Number.isFinite(etaMin)) throw new TypeError(`CosineAnnealingLR: etaMin must be a finite number, got ${String(etaMin)}`);
    super('CosineAnnealingLR', optimizer, lastEpoch);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { tMax: T, etaMin, lastEpoch: t, baseLrs } = this;
    if (t === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) {
      // Resuming at epoch t: the closed form.
      return baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    }
    if (pyMod(t - 1 - T, 2 * T) === 0) {
      // NOTE: the recursive ratio below divides by 1 + cos(π) = 0 here; step up from the minimum instead.
      return baseLrs.map((base, i) => groups[i].lr + ((base - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }
}

/** Python's %, whose result has the sign of the divisor. */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions extends LRSchedulerOptions {
  /** lr = initialLr · lrLambda(epoch); one function for all groups or one per group. */
  lrLambda: LrLambda | LrLambda[];
}

/**
 * lr = initialLr · lrLambda(epoch).
 *
 *   new optim.LambdaLR(optimizer, (epoch) => 0.95 ** epoch)
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: LrLambda | LrLambda[] | LambdaLROptions) {
    const opts: LambdaLROptions = typeof options === 'function' || Array.isArray(options) ? { lrLambda: options } : requireOptions('LambdaLR', options, '{ lrLambda: (epoch) => 0.95 ** epoch }');
    super('LambdaLR', optimizer, opts.lastEpoch ?? -1);
    const n = this.optimizer.paramGroups.length;
    const lambdas = Array.isArray(opts.lrLambda) ? opts.lrLambda.slice() : Array<LrLambda>(n).fill(opts.lrLambda);
    if (lambdas.length !== n) throw new RangeError(`LambdaLR: Expected ${n} lr_lambdas, but got ${lambdas.length}`);
    if (lambdas.some((f) => typeof f !== 'function')) throw new TypeError('LambdaLR: lrLambda must be a function of the epoch (or an array of them, one per parameter group)');
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
}
