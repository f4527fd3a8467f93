/**
 * TF Serving's REST predict formats (https://www.tensorflow.org/tfx/serving/api_rest#predict_api):
 *
 *   row       {"instances": [row, ...]}          → {"predictions": [row, ...]}
 *             one row per example; a multi-input model's rows are objects {input: value}; a multi-output
 *             model's prediction rows are objects {output: value}
 *   columnar  {"inputs": tensor | {input: tensor}} → {"outputs": tensor | {output: tensor}}
 *
 * Bad requests become a RequestError (HTTP 400) naming the input and what was expected.
 */
import { torch } from '../../runtime/index.js';
import type { Signature, TensorSpec } from './signature.js';

export class RequestError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

export interface ParsedRequest {
  format: 'row' | 'columnar';
  feeds: Record<string, torch.Tensor>;
}

export function parsePredict(body: unknown, sig: Signature): ParsedRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RequestError('the request body must be a JSON object with "instances" (row format) or "inputs" (columnar format)');
  }
  const b = body as Record<string, unknown>;
  if ('instances' in b && 'inputs' in b) throw new RequestError('the request has both "instances" and "inputs"; send one of them');
  if (b.signature_name !== undefined && b.signature_name !== 'serving_default') {
    throw new RequestError(`unknown signature_name '${String(b.signature_name)}'; this model has 'serving_default' only`);
  }
  if ('instances' in b) return { format: 'row', feeds: rowFeeds(b.instances, sig) };
  if ('inputs' in b) return { format: 'columnar', feeds: columnarFeeds(b.inputs, sig) };
  throw new RequestError('the request body must have "instances" (row format) or "inputs" (columnar format)');
}

function rowFeeds(instances: unknown, sig: Signature): Record<string, torch.Tensor> {
  if (!Array.isArray(instances) || instances.length === 0) throw new RequestError('"instances" must be a non-empty list, one entry per example');
  const single = sig.inputs.length === 1;
  const columns: Record<string, unknown[]> = Object.fromEntries(sig.inputs.map((s) => [s.name, []]));
  instances.forEach((row, i) => {
    if (single && !isNamedRow(row, sig)) { columns[sig.inputs[0].name].push(row); return; }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new RequestError(`instances[${i}] must be an object with the inputs ${sig.inputs.map((s) => `"${s.name}"`).join(', ')}`);
    }
    for (const s of sig.inputs) {
      if (!(s.name in row)) throw new RequestError(`instances[${i}] lacks the input "${s.name}"`);
      columns[s.name].push((row as Record<string, unknown>)[s.name]);
    }
    for (const k of Object.keys(row)) if (!(k in columns)) throw new RequestError(`instances[${i}] has "${k}", which is not an input of the model (inputs: ${sig.inputs.map((s) => s.name).join(', ')})`);
  });
  return Object.fromEntries(sig.inputs.map((s) => [s.name, toTensor(columns[s.name], s, `"instances" (input "${s.name}")`)]));
}

/** A single-input model may still get rows as {name: value}. */
function isNamedRow(row: unknown, sig: Signature): boolean {
  return row !== null && typeof row === 'object' && !Array.isArray(row) && Object.keys(row).length === 1 && sig.inputs[0].name in row;
}

function columnarFeeds(inputs: unknown, sig: Signature): Record<string, torch.Tensor> {
  if (sig.inputs.length === 1 && (Array.isArray(inputs) || typeof inputs === 'number' || typeof inputs === 'boolean')) {
    return { [sig.inputs[0].name]: toTensor(inputs, sig.inputs[0], '"inputs"') };
  }
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new RequestError(`"inputs" must be a tensor (nested list) or an object with the inputs ${sig.inputs.map((s) => `"${s.name}"`).join(', ')}`);
  }
  const obj = inputs as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!sig.inputs.some((s) => s.name === k)) throw new RequestError(`"inputs" has "${k}", which is not an input of the model (inputs: ${sig.inputs.map((s) => s.name).join(', ')})`);
  return Object.fromEntries(sig.inputs.map((s) => {
    if (!(s.name in obj)) throw new RequestError(`"inputs" lacks the input "${s.name}"`);
    return [s.name, toTensor(obj[s.name], s, `"inputs.${s.name}"`)];
  }));
}

/** A rectangular nested list of numbers (or booleans) → a tensor of the spec's dtype and (open) dims. */
function toTensor(value: unknown, spec: TensorSpec, what: string): torch.Tensor {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    if (v.length === 0) throw new RequestError(`${what}: empty lists are not allowed (shape so far [${shape.join(', ')}, 0])`);
    shape.push(v.length);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const out = spec.dtype === 'float64' ? new Float64Array(n) : spec.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  let at = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new RequestError(`${what}: ${path} is a list, but its siblings make it a scalar (the value is not rectangular, shape [${shape.join(', ')}])`);
      out[at++] = scalar(v, spec, `${what}${path}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new RequestError(`${what}: ${path || 'the value'} should be a list of ${shape[depth]} (the value is not rectangular, shape [${shape.join(', ')}])`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  const ok = shape.length === spec.dims.length && spec.dims.every((d, i) => d === -1 || d === shape[i]);
  if (!ok) {
    throw new RequestError(`${what} has shape [${shape.join(', ')}], but the model takes [${spec.dims.map((d) => (d === -1 ? 'N' : d)).join(', ')}] (N: any size)`);
  }
  const dtype = spec.dtype === 'float64' ? 'float64' : spec.dtype;
  return torch.tensor(out, { dtype, shape });
}

function scalar(v: unknown, spec: TensorSpec, where: string): number {
  if (spec.dtype === 'bool') {
    if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw new RequestError(`${where} must be a boolean, got ${JSON.stringify(v)}`);
    return v ? 1 : 0;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RequestError(`${where} must be a finite number, got ${JSON.stringify(v)}`);
  if (spec.dtype === 'int32' && (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)) throw new RequestError(`${where} must be an int32, got ${v}`);
  return v;
}

/** The response body for outputs in signature order. */
export function formatPredict(format: 'row' | 'columnar', outputs: torch.Tensor[], sig: Signature): Record<string, unknown> {
  const values = outputs.map((t) => t.toArray());
  if (format === 'columnar') {
    return { outputs: sig.outputs.length === 1 ? values[0] : Object.fromEntries(sig.outputs.map((s, i) => [s.name, values[i]])) };
  }
  if (sig.outputs.length === 1) return { predictions: values[0] };
  const rows = (values[0] as unknown[]).length;
  for (let i = 0; i < values.length; i++) {
    if (!Array.isArray(values[i]) || (values[i] as unknown[]).length !== rows) {
      throw new RequestError(`the model's outputs do not share a batch dim (output "${sig.outputs[i].name}" has shape [${outputs[i].shape.join(', ')}]); use the columnar format ("inputs")`);
    }
  }
  return { predictions: Array.from({ length: rows }, (_, r) => Object.fromEntries(sig.outputs.map((s, i) => [s.name, (values[i] as unknown[])[r]]))) };
}
