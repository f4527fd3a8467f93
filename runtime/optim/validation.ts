/**
 * Hyper-parameter checks shared by the optimizers. Messages start with PyTorch's text (`Invalid learning rate:
 * -1`) after the optimizer's name, then say which option to change and what it accepts.
 */

/** Fails with `<optimizer>: <message>; <hint>`. */
function fail(optimizer: string, message: string, hint: string): never {
  throw new RangeError(`${optimizer}: ${message}; ${hint}`);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}

/**
 * `value >= 0` (NaN and non-numbers fail too). `label` is PyTorch's wording ('learning rate',
 * 'weight_decay value'); `option` is our option name.
 */
export function checkNonNegative(optimizer: string, option: string, label: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0)) fail(optimizer, `Invalid ${label}: ${show(value)}`, `expected ${option} >= 0`);
}

export function checkLr(optimizer: string, lr: unknown): void {
  checkNonNegative(optimizer, 'lr', 'learning rate', lr);
}

export function checkEps(optimizer: string, eps: unknown): void {
  checkNonNegative(optimizer, 'eps', 'epsilon value', eps);
}

export function checkWeightDecay(optimizer: string, weightDecay: unknown): void {
  checkNonNegative(optimizer, 'weightDecay', 'weight_decay value', weightDecay);
}

/** `lo <= value <= hi`, or `lo <= value < hi` when `openHigh`. */
export function checkInRange(optimizer: string, option: string, label: string, value: unknown, lo: number, hi: number, openHigh = false): void {
  const ok = typeof value === 'number' && value >= lo && (openHigh ? value < hi : value <= hi);
  if (!ok) fail(optimizer, `Invalid ${label}: ${show(value)}`, `expected ${lo} <= ${option} ${openHigh ? '<' : '<='} ${hi}`);
}

/** Adam-style `betas: [beta1, beta2]`, each in [0, 1). */
export function checkBetas(optimizer: string, betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new TypeError(`${optimizer}: betas must be a pair [beta1, beta2], got ${show(betas)}`);
  }
  for (let i = 0; i < 2; i++) checkInRange(optimizer, `betas[${i}]`, `beta parameter at index ${i}`, betas[i], 0, 1, true);
}

export function checkBoolean(optimizer: string, option: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new TypeError(`${optimizer}: ${option} must be true or false, got ${show(value)}`);
}

/** Rejects option names the optimizer does not have (a snake_case name gets its camelCase spelling suggested). */
export function checkOptionNames(optimizer: string, where: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    const hint = camel !== key && known.includes(camel) ? `did you mean '${camel}'?` : `expected one of ${known.join(', ')}`;
    throw new TypeError(`${optimizer}: unknown option '${key}' in ${where}; ${hint}`);
  }
}
