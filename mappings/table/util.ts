/**
 * tf.util.* and tf.nextFrame: plain-JavaScript helpers, mapped onto the runtime's `compat` namespace, which keeps
 * tfjs's semantics exactly (runtime/compat/): e.g. shuffle draws from Math.random as tfjs's does.
 */
import type { Mapping } from '../schema.js';

const util = (name: string, params: string[], target?: string): Mapping => ({
  tf: `tf.util.${name}`, kind: 'function', status: 'exact', params, returns: 'other', notes: ['compat-helper'],
  target: target ?? `compat.util.${name}(${params.map((p) => `$${p.replace(/[?~!].*$/, '')}`).join(', ')})`,
});

export const utilRows: Mapping[] = [
  util('shuffle', ['array']),
  util('shuffleCombo', ['array', 'array2']),
  util('createShuffledIndices', ['n']),
  util('sizeFromShape', ['shape']),
  util('arraysEqual', ['n1', 'n2']),
  util('assert', ['expr', 'msg']),
  { ...util('assertShapesMatch', ['shapeA', 'shapeB', 'errorMessagePrefix?']), target: 'compat.util.assertShapesMatch($shapeA, $shapeB{{, $errorMessagePrefix}})' },
  util('flatten', ['arr']),
  { ...util('now', []), target: 'performance.now()', notes: [] },
  util('clamp', ['min', 'x', 'max']),
  util('sum', ['arr']),
  util('randUniform', ['a', 'b']),
  util('distSquared', ['a', 'b']),
  { ...util('encodeString', ['s', 'encoding?']), target: 'compat.util.encodeString($s{{, $encoding}})' },
  { ...util('decodeString', ['bytes', 'encoding?']), target: 'compat.util.decodeString($bytes{{, $encoding}})' },
  {
    tf: 'tf.nextFrame', kind: 'function', status: 'exact', params: [], returns: 'other', notes: ['compat-helper'], target: 'compat.nextFrame()',
    examples: [{ tf: 'tf.nextFrame()', torch: 'compat.nextFrame()' }],
  },
];
