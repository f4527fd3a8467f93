/**
 * Methods and properties of tfjs Tensors (and Variables). Most are the chainable form of a tf.* op — `x.add(y)`
 * is `tf.add(x, y)` — and are derived from that op's row (marked `chainable`) with the first parameter as the
 * receiver, so the two can never disagree. The rest are listed here.
 */
import type { Mapping, Sample, Template } from '../schema.js';
import { manual, S, samples } from './helpers.js';

/**
 * `torch.f($x, rest)tail` → `$self.f(rest)tail`: a chained tfjs call stays a chained call (the runtime's Tensor
 * has the method of every torch function used here; the table test checks it).
 */
function asMethod(template: string, first: string): string {
  const m = /^torch\.(\w+)\(/.exec(template);
  if (!m) return template;
  let depth = 0;
  let close = -1;
  for (let i = m[0].length - 1; i < template.length; i++) {
    if (template[i] === '(' || template[i] === '[' || template[i] === '{') depth++;
    else if (template[i] === ')' || template[i] === ']' || template[i] === '}') depth--;
    if (depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return template;
  const inner = template.slice(m[0].length, close);
  const lead = new RegExp(`^\\$${first}(?::[tlip])?\\s*(?:,\\s*|$|(?=\\{\\{))`).exec(inner);
  if (!lead) return template;
  let rest = inner.slice(lead[0].length);
  if (rest.startsWith('{{, ')) rest = `{{${rest.slice(4)}`;
  return `$self.${m[1]}(${rest})${template.slice(close + 1)}`;
}

/** `x.<name>(...)` from `tf.<name>(x, ...)`: the first parameter becomes `$self`. */
export function methodOf(fn: Mapping, name: string): Mapping {
  const [first, ...rest] = fn.params ?? [];
  const firstName = first?.replace(/[?!~].*$/, '').replace(/=.*$/, '');
  const re = new RegExp(`\\$${firstName}(?::[tlip])?(?![A-Za-z0-9_])`, 'g');
  const swapText = (t: string) => asMethod(t, firstName).replace(re, '$$self');
  const swap = (t: Template): Template => (typeof t === 'string' ? swapText(t) : { ...t, code: swapText(t.code) });
  const target = fn.target === undefined ? undefined : Array.isArray(fn.target) ? fn.target.map(swap) : swap(fn.target as Template);
  const renamed = (s: Sample): Sample => {
    const { [firstName]: self, ...others } = s;
    return { self, ...others };
  };
  return {
    ...fn, tf: `Tensor.${name}`, kind: 'method', chainable: undefined, params: rest, target,
    samples: fn.samples?.map(renamed), examples: undefined, receiverAs: fn.transform ? fn.tf : undefined,
  };
}

const method = (name: string, target: Mapping['target'], extra: Partial<Mapping> = {}): Mapping => ({
  tf: `Tensor.${name}`, kind: 'method', status: 'exact', params: [], returns: 'Tensor', target, ...extra,
});
const prop = (name: string, target: string, extra: Partial<Mapping> = {}): Mapping => ({
  tf: `Tensor.${name}`, kind: 'property', status: 'exact', target, ...extra,
});

/** Tensor methods that are not a tf.* op with the receiver first. */
export const tensorOnly: Mapping[] = [
  method('concat', 'torch.cat([$self, $x]{{, $axis}})', { params: ['x', 'axis?'], transform: 'selfFirstList', samples: samples({ self: S.m2x3, x: S.m2x3b }) }),
  method('stack', 'torch.stack([$self, $x]{{, $axis}})', { params: ['x', 'axis?'], transform: 'selfFirstList', samples: samples({ self: S.m2x3, x: S.m2x3b }) }),
  method('where', '$self.where($condition:t, $x:l)', { params: ['condition', 'x'] }),
  method('clone', '$self.clone()', { samples: samples({ self: S.m2x2 }) }),
  method('flatten', '$self.flatten()', { samples: samples({ self: S.m2x3 }) }),
  method('as1D', '$self.reshape(-1)', { samples: samples({ self: S.m2x3 }) }),
  method('as2D', '$self.reshape($rows, $columns)', { params: ['rows', 'columns'], samples: samples({ self: S.m2x3, rows: 3, columns: 2 }) }),
  method('as3D', '$self.reshape($rows, $columns, $depth)', { params: ['rows', 'columns', 'depth'] }),
  method('as4D', '$self.reshape($rows, $columns, $depth, $depth2)', { params: ['rows', 'columns', 'depth', 'depth2'] }),
  method('as5D', '$self.reshape($rows, $columns, $depth, $depth2, $depth3)', { params: ['rows', 'columns', 'depth', 'depth2', 'depth3'] }),
  method('asScalar', '$self.reshape([])'),
  method('asType', '$self.to($dtype)', { params: ['dtype'], notes: ['cast-dtype'] }),
  method('toFloat', '$self.float()', { notes: ['cast-dtype'] }),
  method('toInt', '$self.int()', { notes: ['cast-dtype'] }),
  method('toBool', '$self.bool()', { notes: ['cast-dtype'] }),
  method('reshapeAs', '$self.reshapeAs($x)', { params: ['x'] }),
  method('variable', '$self.detach().clone().requiresGrad_()', { params: ['trainable!', 'name~', 'dtype!'], returns: 'Variable', notes: ['variable-leaf'], reason: 'variable(trainable, ..., dtype): create the tensor with the dtype and requiresGrad as needed' }),
  method('dispose', '$self.dispose()', { returns: 'other', notes: ['tidy-same'] }),
  method('dataSync', '$self.dataSync()', { returns: 'other', notes: ['data-sync'] }),
  method('data', '$self.data()', { returns: 'other', notes: ['data-sync'] }),
  method('arraySync', '$self.toArray()', { returns: 'other', notes: ['array-sync'] }),
  method('array', [{ when: 'awaited', code: '$self.toArray()' }, 'Promise.resolve($self.toArray())'], { returns: 'other', notes: ['array-async'] }),
  method('print', 'console.log($self.toString())', { params: ['verbose~'], returns: 'other', notes: ['print-tostring'] }),
  method('toString', '$self.toString()', { params: ['verbose~'], returns: 'other', notes: ['print-tostring'] }),
  manual('Tensor.buffer', 'TensorBuffer has no runtime equivalent: read dataSync() and index it'),
  manual('Tensor.bufferSync', 'TensorBuffer has no runtime equivalent: read dataSync() and index it'),
  manual('Tensor.bytes', 'string tensors are not supported by the runtime'),
  manual('Tensor.dataToGPU', 'GPU buffers are managed by the runtime\'s webgpu backend'),
  manual('Tensor.throwIfDisposed', 'ops on a disposed runtime tensor throw by themselves'),
  manual('Tensor.fft', 'FFT is not in the runtime'),
  manual('Tensor.ifft', 'FFT is not in the runtime'),
  manual('Tensor.rfft', 'FFT is not in the runtime'),
  manual('Tensor.irfft', 'FFT is not in the runtime'),
  // tfjs's chained x.resizeBilinear(size, ...) is tf.image.resizeBilinear(x, size, ...): the same compat helper.
  ...(['resizeBilinear', 'resizeNearestNeighbor'] as const).map((name) => method(name, `compat.image.${name}($self, $size{{, $alignCorners}}{{, $halfPixelCenters}})`, {
    params: ['size', 'alignCorners?', 'halfPixelCenters?'], notes: ['image-resize-tfjs-sampling'],
  })),
  prop('rank', '$self.ndim', { notes: ['rank-ndim'], returns: 'number' }),
  prop('size', '$self.numel()', { notes: ['rank-ndim'], returns: 'number' }),
  prop('shape', '$self.shape', { returns: 'other' }),
  prop('dtype', '$self.dtype', { returns: 'other' }),
  prop('isDisposed', '$self.isDisposed', { returns: 'other' }),
];
