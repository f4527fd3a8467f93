/**
 * The call signature: which cached trace a call can use. Tensor arguments (found in arrays and plain objects,
 * in order) count by device, dtype, shape, strides, offset and requiresGrad — their values are the step's data;
 * numbers, strings and booleans count by value (they are baked into the trace as constants); other objects
 * (modules, optimizers, functions) by identity.
 */
import { Tensor } from '../tensor.js';

const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

/** The flattened tensor inputs and the signature key of `args`. */
export function signatureOf(args: unknown[]): { inputs: Tensor[]; key: string } {
  const inputs: Tensor[] = [];
  const parts: string[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (x instanceof Tensor) {
      inputs.push(x);
      parts.push(`T${x.storage.device}:${x.dtype}:${x.shape.join('x')}:${x.strides.join(',')}:${x.offset}:${x.requiresGrad ? 1 : 0}`);
    } else if (Array.isArray(x) && depth < 8) {
      parts.push(`[${x.length}`);
      for (const v of x) walk(v, depth + 1);
      parts.push(']');
    } else if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype && depth < 8) {
      parts.push('{');
      for (const [k, v] of Object.entries(x)) { parts.push(JSON.stringify(k)); walk(v, depth + 1); }
      parts.push('}');
    } else if (x !== null && (typeof x === 'object' || typeof x === 'function')) {
      parts.push(`#${idOf(x)}`);
    } else {
      parts.push(`${typeof x}:${String(x)}`);
    }
  };
  for (const a of args) walk(a, 0);
  return { inputs, key: parts.join('|') };
}

/** The signature's tensor part in words, for fallback messages. */
export function describeInputs(inputs: Tensor[]): string {
  return inputs.map((t, i) => `input ${i} [${t.shape.join(', ')}] ${t.dtype} on ${t.storage.device}`).join(', ') || 'no tensor inputs';
}
