/** Shapes, strides and broadcasting (NumPy/PyTorch rules). */

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: Shape): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    // NOTE: a dimension of size 1 can have any stride without changing the memory order.
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Broadcast two shapes; throws an error naming the op and both shapes when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast', names: [string, string] = ['input', 'other']): number[] {
  if (shapesEqual(a, b)) return a.slice();
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: ${names[0]} ${fmtShape(a)} and ${names[1]} ${fmtShape(b)} cannot be broadcast together ` +
          `(dimension ${i} of the broadcast shape: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if it had the (broadcast) shape `target`. */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + off] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Wraps a possibly negative dim into [0, ndim); `op` and `arg` name the caller in the error. */
export function normDim(dim: number, ndim: number, op: string, arg = 'dim'): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(`${op}: ${arg}=${dim} is out of range for a tensor with ${ndim} dimension(s) (expected ${-n}..${n - 1})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Resolves one -1 entry of a requested shape against a total element count. */
export function inferShape(shape: Shape, total: number, op: string): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: invalid dimension ${d} in shape ${fmtShape(shape)}`);
    } else known *= d;
  }
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || total % known !== 0) {
      throw new RangeError(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${total}`);
    }
    out[infer] = total / known;
  } else if (known !== total) {
    throw new RangeError(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${total}`);
  }
  return out;
}

/** Accepts both `f(2, 3)` and `f([2, 3])`, as PyTorch does. */
export function shapeArgs(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as number[]).slice();
  return args as number[];
}
