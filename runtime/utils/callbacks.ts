/**
 * Training callbacks for `utils.fit` / `utils.fitDataset`, with TensorFlow.js's semantics: hooks called in
 * tfjs's order and awaited, a list of callback objects (tfjs's `callbacks: [...]`), `setModel` before training,
 * and `model.stopTraining = true` (what tfjs's callbacks set) ending the training after the current batch.
 * `earlyStopping` is tfjs's `tf.callbacks.earlyStopping`, line for line (tfjs-layers/src/callbacks.ts).
 */
import type { Trainable } from './fit.js';
import { stop } from './fit_steps.js';

/** Epoch or batch logs: `loss`, metrics and (epoch end, with validation) `val_` keys. */
export type Logs = Record<string, number>;

/**
 * tfjs's callback hooks, called in this order: onTrainBegin, then per epoch onEpochBegin, per batch
 * onBatchBegin/onBatchEnd, onEpochEnd; onTrainEnd. A hook that returns a Promise is awaited.
 * `onYield` is accepted for tfjs compatibility and never called (fit does not yield on a timer).
 * `setModel(model)` is called once before training (tfjs's Callback.setModel), so a callback can set
 * `model.stopTraining = true`.
 */
export interface FitCallbacks {
  // Hooks without logs are called without them (as the migrated loop does); `logs?` keeps tfjs's signatures.
  onTrainBegin?: (logs?: Logs) => unknown;
  onTrainEnd?: (logs?: Logs) => unknown;
  onEpochBegin?: (epoch: number, logs?: Logs) => unknown;
  /** `logs`: `{ loss, <metric>..., val_loss?, val_<metric>?... }`, means over the epoch. */
  onEpochEnd?: (epoch: number, logs: Logs) => unknown;
  onBatchBegin?: (batch: number, logs?: Logs) => unknown;
  /** `logs`: `{ batch, size, loss, <metric>... }` of this batch. */
  onBatchEnd?: (batch: number, logs: Logs) => unknown;
  onYield?: (epoch: number, batch: number, logs: Logs) => unknown;
  setModel?: (model: Trainable) => unknown;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield', 'setModel'] as const;
type Hook = Exclude<(typeof HOOKS)[number], 'setModel' | 'onYield'>;

/** A model that a callback may stop: tfjs's `model.stopTraining`. */
type Stoppable = Trainable & { stopTraining?: boolean };

/** The callbacks of one fit: one object or a list of them, validated once, each hook awaited in list order. */
export class CallbackList {
  private readonly list: FitCallbacks[];

  constructor(op: string, callbacks: FitCallbacks | readonly FitCallbacks[] | undefined) {
    const list = callbacks === undefined ? [] : Array.isArray(callbacks) ? [...callbacks] : [callbacks as FitCallbacks];
    list.forEach((cb, i) => {
      const where = Array.isArray(callbacks) ? `callbacks[${i}]` : 'callbacks';
      if (cb === null || typeof cb !== 'object') throw new TypeError(`${op}: ${where} must be an object of hooks ({ onEpochEnd, ... }), got ${cb === null ? 'null' : typeof cb}`);
      // Own and prototype hooks both count (a class instance such as EarlyStopping keeps its hooks on the prototype).
      for (const k of Object.keys(cb)) {
        if (!(HOOKS as readonly string[]).includes(k) && typeof (cb as Record<string, unknown>)[k] === 'function') {
          throw new TypeError(`${op}: unknown callback '${k}' in ${where} (known: ${HOOKS.join(', ')})`);
        }
      }
      for (const k of HOOKS) {
        const v = (cb as Record<string, unknown>)[k];
        if (v !== undefined && typeof v !== 'function') throw new TypeError(`${op}: ${where}.${k} must be a function, got ${typeof v}`);
      }
    });
    this.list = list;
  }

  /** tfjs's `callbackList.setModel(model)` and `model.stopTraining_ = false` at the start of a fit. */
  begin(model: Trainable): void {
    (model as Stoppable).stopTraining = false;
    for (const cb of this.list) cb.setModel?.(model);
  }

  async call(hook: Hook, ...args: unknown[]): Promise<void> {
    for (const cb of this.list) {
      const fn = cb[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(cb, args);
    }
  }
}

/** Whether a callback asked to stop (`model.stopTraining = true`), read where tfjs reads it: after each batch and each epoch. */
export function stopRequested(model: Trainable): boolean {
  return stop.run(model);
}

export interface EarlyStoppingArgs {
  /** The log key to watch. Default 'val_loss'. */
  monitor?: string;
  /** The least change that counts as an improvement (its absolute value is used). Default 0. */
  minDelta?: number;
  /** Epochs without improvement after which training stops. Default 0. */
  patience?: number;
  /** 1: print "Epoch N: early stopping." at the end. Default 0. */
  verbose?: number;
  /** 'min', 'max', or 'auto' (default): 'max' when the monitor's name contains 'acc', else 'min'. */
  mode?: 'auto' | 'min' | 'max';
  /** The value to beat; without it the first epoch's value is the first best. */
  baseline?: number;
  /** Not supported, as in tfjs (which throws too). */
  restoreBestWeights?: boolean;
}

/**
 * tfjs's EarlyStopping: after each epoch, compares `logs[monitor]` with the best so far; after `patience`
 * epochs without an improvement of more than `minDelta`, sets `model.stopTraining = true`.
 */
export class EarlyStopping implements FitCallbacks {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  readonly mode: 'auto' | 'min' | 'max';
  readonly baseline?: number;
  /** Lower is better ('min', or 'auto' on a monitor without 'acc'). */
  private readonly lower: boolean;
  private model?: Trainable;
  private wait = 0;
  private stoppedEpoch = 0;
  private best = 0;

  constructor(args: EarlyStoppingArgs = {}) {
    if (args === null || typeof args !== 'object') throw new TypeError('earlyStopping: args must be an object ({ monitor, minDelta, patience, mode, baseline })');
    if (args.restoreBestWeights) throw new Error('earlyStopping: restoreBestWeights is not supported (tfjs does not implement it either)');
    this.monitor = args.monitor ?? 'val_loss';
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.baseline = args.baseline;
    let mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) {
      // tfjs warns and falls back to 'auto'.
      console.warn(`EarlyStopping mode '${mode}' is invalid. Falling back to mode 'auto'.`);
      mode = 'auto';
    }
    this.mode = mode;
    this.lower = mode === 'min' || (mode === 'auto' && !this.monitor.includes('acc'));
    // tfjs: minDelta = |minDelta|, negated when lower is better, and compared as `better(current - minDelta, best)`.
    const d = Math.abs(args.minDelta ?? 0);
    this.minDelta = this.lower ? -d : d;
  }

  setModel(model: Trainable): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.baseline ?? (this.lower ? Infinity : -Infinity);
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs?.[this.monitor];
    if (current == null) {
      console.warn(`Metric for EarlyStopping ${this.monitor} is not available. Available metrics are: ${Object.keys(logs ?? {}).join(',')}`);
      return;
    }
    const candidate = current - this.minDelta;
    if (this.lower ? candidate < this.best : candidate > this.best) {
      this.best = current;
      this.wait = 0;
    } else {
      this.wait++;
      if (this.wait >= this.patience) {
        this.stoppedEpoch = epoch;
        if (!this.model) throw new Error('earlyStopping: no model to stop (the callback was called outside utils.fit / utils.fitDataset)');
        (this.model as Stoppable).stopTraining = true;
      }
    }
  }

  onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose) console.log(`Epoch ${this.stoppedEpoch}: early stopping.`);
  }
}

/** `tf.callbacks.earlyStopping(args)`. */
export function earlyStopping(args?: EarlyStoppingArgs): EarlyStopping {
  return new EarlyStopping(args);
}
