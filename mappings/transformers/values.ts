/** Transformers for creating tensors and variables. */
import type { NoteId, Transformer } from '../schema.js';
import { bindArgs, ensureTensor } from '../template.js';
import { code, INT_ARRAYS, isBool, isNum, isStr, leaves, todo } from './util.js';

const RUNTIME_DTYPES = ['float32', 'int32', 'bool'];

/**
 * tf.tensor/tensorNd/scalar(values, shape?, dtype?): tfjs infers float32 from JS numbers (integers too), int32 from
 * integer typed arrays and bool from booleans; the runtime infers int32 from integers, so float32 is made explicit.
 */
export const tensorFromValues: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const values = b.get('values');
  if (!values) return todo('no-equivalent', 'tf.tensor without values');
  const shape = b.get('shape');
  const dtype = b.get('dtype');
  const notes: NoteId[] = [];
  let dtypeText: string | null = null;
  if (dtype) {
    if (isStr(dtype) && !RUNTIME_DTYPES.includes(dtype.value)) return todo('no-equivalent', `dtype '${dtype.value}' is not supported by the runtime`);
    dtypeText = dtype.text;
  } else if (values.kind === 'number' || values.kind === 'array' || values.kind === 'boolean') {
    const ls = leaves(values);
    if (!ls.every(isBool)) {
      dtypeText = "'float32'";
      if (ls.some((l) => isNum(l) && Number.isInteger(l.value))) notes.push('tensor-int-float32');
    }
  } else if (values.typeText && INT_ARRAYS.test(values.typeText)) {
    dtypeText = "'int32'";
  } else if (values.typeText && /\bboolean\b/.test(values.typeText) && !/number/.test(values.typeText)) {
    dtypeText = null;
  } else {
    dtypeText = "'float32'";
    if (!values.typeText || !/\bnumber\b|Float(32|64)Array/.test(values.typeText)) notes.push('tensor-dtype-from-data');
  }
  let out = `torch.tensor(${values.text}${dtypeText ? `, { dtype: ${dtypeText} }` : ''})`;
  if (shape) {
    out += `.reshape(${shape.text})`;
    notes.push('tensor-shape-reshape');
  }
  return code(out, notes);
};

/**
 * tf.variable(initialValue, trainable = true, name, dtype): a leaf with requiresGrad. A freshly created value is
 * used directly; anything else is copied first (tfjs variables own their data).
 */
export const variable: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const init = b.get('initialValue');
  if (!init) return todo('no-equivalent', 'tf.variable without an initial value');
  const trainable = b.get('trainable');
  const dtype = b.get('dtype');
  const fresh = init.kind === 'expression' && /^torch\.(?!keep\b|tidy\b)[\w.]+\(/.test(init.text);
  let out = fresh ? init.text : init.kind === 'number' || init.kind === 'array' ? ensureTensor(init) : `${init.simple ? init.text : `(${init.text})`}.detach().clone()`;
  if (dtype) out += `.to(${dtype.text})`;
  if (!trainable || (isBool(trainable) && trainable.value)) out += '.requiresGrad_()';
  else if (!isBool(trainable)) out += `.requiresGrad_(${trainable.text})`;
  return code(out);
};
