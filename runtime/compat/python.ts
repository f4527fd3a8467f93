/**
 * Python built-ins that migrated TF2 scripts use and JavaScript spells differently: `range`, `enumerate`, `zip`
 * over any iterable (arrays, DataLoaders), `str.format` specs for f-strings (`{x:.4f}`) and %-formatting
 * (`"%.2f%%" % acc`). Tensors are read as numbers where Python would (a 1-element tensor formats as its value).
 */
import { Tensor } from '../tensor.js';

/** `range(stop)`, `range(start, stop[, step])` as an array (Python's ranges in scripts are small; loops use for). */
export function range(a: number, b?: number, step = 1): number[] {
  const [start, stop] = b === undefined ? [0, a] : [a, b];
  if (step === 0) throw new RangeError('range: step must not be zero');
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/** `enumerate(iterable, start=0)`. */
export function* enumerate<T>(items: Iterable<T>, start = 0): Generator<[number, T]> {
  let i = start;
  for (const x of items) yield [i++, x];
}

/** `zip(a, b, ...)`: stops at the shortest. */
export function zip<T extends unknown[]>(...iterables: { [K in keyof T]: Iterable<T[K]> }): [...T][] {
  const its = iterables.map((x) => x[Symbol.iterator]());
  const out: [...T][] = [];
  for (;;) {
    const step = its.map((it) => it.next());
    if (step.some((s) => s.done)) return out;
    out.push(step.map((s) => s.value) as [...T]);
  }
}

/**
 * A tensor of another library read synchronously (a TensorFlow.js tensor: `dataSync`, `shape`, `size`), so the
 * tfjs program `torchbridge migrate --emit-tfjs` writes formats its values with these same helpers.
 */
export interface ForeignTensor {
  shape: number[];
  size: number;
  dataSync(): ArrayLike<number>;
}

export function isForeignTensor(v: unknown): v is ForeignTensor {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && typeof (v as ForeignTensor).dataSync === 'function' && Array.isArray((v as ForeignTensor).shape);
}

/** A value as Python prints it in a number format: tensors with one element are read. */
function numberOf(v: unknown, spec: string): number {
  if (v instanceof Tensor || isForeignTensor(v)) {
    const size = v instanceof Tensor ? v.numel() : v.size;
    if (size !== 1) throw new TypeError(`format: spec '${spec}' needs a number, got a tensor of shape [${v.shape.join(', ')}]`);
    return v instanceof Tensor ? v.item() : Number(v.dataSync()[0]);
  }
  if (typeof v === 'number' || typeof v === 'boolean') return Number(v);
  throw new TypeError(`format: spec '${spec}' needs a number, got ${typeof v}`);
}

/** Python's `str(x)` for the values scripts print: floats keep a '.0', booleans are True/False, None. */
export function str(v: unknown): string {
  if (v instanceof Tensor) return v.numel() === 1 ? str(v.item()) : v.toString();
  if (isForeignTensor(v)) return v.size === 1 ? str(Number(v.dataSync()[0])) : String(v);
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 1e16 ? String(v) : String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  return String(v);
}

function repr(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : str(v);
}

const SPEC = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

/** `format(value, spec)`: Python's format-spec mini-language for numbers and strings (f-string `{v:spec}`). */
export function format(value: unknown, spec = ''): string {
  const m = SPEC.exec(spec);
  if (!m) throw new Error(`format: '${spec}' is not a format spec this helper understands`);
  const [, fillCh, align, sign, , zero, widthText, group, precText, type] = m;
  const prec = precText === undefined ? undefined : Number(precText);
  let body: string;
  if (type === 's' || (type === undefined && typeof value === 'string')) body = prec === undefined ? str(value) : str(value).slice(0, prec);
  else if (type === undefined && prec === undefined) body = str(value);
  else {
    const n = numberOf(value, spec);
    const abs = Math.abs(n);
    switch (type) {
      case 'd': case 'n': body = Math.trunc(abs).toString(); break;
      case 'e': case 'E': body = abs.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'); if (type === 'E') body = body.toUpperCase(); break;
      case '%': body = `${(abs * 100).toFixed(prec ?? 6)}%`; break;
      case 'g': case 'G': case undefined: {
        const p = prec === undefined ? (type === undefined ? 12 : 6) : Math.max(prec, 1);
        const exp = abs === 0 ? 0 : Math.floor(Math.log10(abs));
        body = exp < -4 || exp >= p ? abs.toExponential(p - 1).replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2') : String(Number(abs.toPrecision(p)));
        break;
      }
      case 'x': body = Math.trunc(abs).toString(16); break;
      case 'X': body = Math.trunc(abs).toString(16).toUpperCase(); break;
      case 'o': body = Math.trunc(abs).toString(8); break;
      case 'b': body = Math.trunc(abs).toString(2); break;
      default: body = abs.toFixed(prec ?? 6);
    }
    if (group) {
      const [int, frac] = body.split('.');
      body = int.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (frac !== undefined ? `.${frac}` : '');
    }
    const negative = n < 0 || Object.is(n, -0);
    const signText = negative ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    const width = widthText ? Number(widthText) : 0;
    if (zero && !align && body.length + signText.length < width) body = '0'.repeat(width - body.length - signText.length) + body;
    body = signText + body;
  }
  const width = widthText ? Number(widthText) : 0;
  if (body.length >= width) return body;
  const fill = fillCh ?? ' ';
  const pad = width - body.length;
  const how = align ?? (typeof value === 'string' ? '<' : '>');
  if (how === '<') return body + fill.repeat(pad);
  if (how === '^') return fill.repeat(Math.floor(pad / 2)) + body + fill.repeat(Math.ceil(pad / 2));
  return fill.repeat(pad) + body;
}

/** `fmt % args`: printf-style formatting (%s %r %d %i %f %e %g %x %%, with flags, width and precision). */
export function percent(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  const out = fmt.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifeEgGxXor%])/g, (_m, flags: string, width?: string, prec?: string, conv?: string) => {
    if (conv === '%') return '%';
    if (i >= list.length) throw new TypeError(`'%' formatting: not enough arguments for the format string '${fmt}'`);
    const v = list[i++];
    const align = flags.includes('-') ? '<' : '';
    const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    const zero = flags.includes('0') && !align ? '0' : '';
    if (conv === 's' || conv === 'r') return format(conv === 'r' ? repr(v) : str(v), `${align}${width ?? ''}`);
    const type = conv === 'i' ? 'd' : conv!;
    return format(v, `${align}${sign}${zero}${width ?? ''}${prec !== undefined ? `.${prec}` : ''}${type}`);
  });
  if (i < list.length) throw new TypeError(`'%' formatting: not all arguments converted during string formatting of '${fmt}'`);
  return out;
}
