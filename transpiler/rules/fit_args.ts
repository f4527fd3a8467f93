/** `model.fit(x, y, options)`'s arguments, as far as the loop and the `utils.fit` helper both support them. */
import { ts } from 'ts-morph';
import type { ArgInfo } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';
import type { Use } from './training_compile.js';
import { LOOP_CALLBACKS } from '../../runtime/utils/fit_steps.js';

/** The fit options both the loop and utils.fit take (utils.fit also takes classWeight). */
const FIT_OPTIONS = ['batchSize', 'epochs', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose'];

export interface FitArgs {
  xN: ts.Expression;
  yN: ts.Expression;
  argsN?: ts.Expression;
  o: Record<string, ArgInfo>;
}

/**
 * Whether fit's callbacks are something only `utils.fit` takes: a list (`[tf.callbacks.earlyStopping()]`), a
 * callback instance, a variable, or an object literal with hooks the emitted loop does not call.
 */
export function callbacksNeedHelper(ctx: FileContext, u: Use): boolean {
  const argsN = u.call.arguments[2];
  const o = argsN ? ctx.argInfo(argsN) : undefined;
  const cb = o?.kind === 'object' ? o.props?.callbacks : undefined;
  return !!cb && (cb.kind !== 'object' || Object.keys(cb.props ?? {}).some((k) => !LOOP_CALLBACKS[k]));
}

/**
 * fit's x, y and options, as far as the loop (and the helper) support them; undefined after a TODO. `helper`:
 * the options go to utils.fit, which also takes callback lists and callback objects of any form.
 */
export function fitArgs(ctx: FileContext, u: Use, fail: (why: string) => void, helper = false): FitArgs | undefined {
  const [xN, yN, argsN] = u.call.arguments;
  if (!xN || !yN) return void fail('x and y are needed (a dataset is trained with model.fitDataset)');
  // Arrays: one tensor per model input and output (utils.fit: fit_outputs.ts; the loop: fit_steps.ts's `several`).
  const args = argsN ? ctx.argInfo(argsN) : undefined;
  if (argsN && args?.kind !== 'object') return void fail('the options are not an object literal');
  const o = args?.props ?? {};
  for (const k of Object.keys(o)) {
    if (![...FIT_OPTIONS, ...(helper ? ['classWeight'] : [])].includes(k)) return void fail(`option '${k}' has no loop equivalent here`);
  }
  if (o.shuffle && o.shuffle.kind === 'string') return void fail("shuffle 'batch' is not supported");
  if (helper) return { xN, yN, argsN, o };
  const cb = o.callbacks;
  if (cb && cb.kind !== 'object') return void fail('callbacks must be an object literal of functions (onEpochEnd, onBatchEnd, ...)');
  for (const k of Object.keys(cb?.props ?? {})) if (!LOOP_CALLBACKS[k]) return void fail(`callback '${k}' is not supported`);
  return { xN, yN, argsN, o };
}
