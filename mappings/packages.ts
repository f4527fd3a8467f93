/**
 * Where TensorFlow.js comes from: the packages whose exports form the `tf` namespace, the ones imported only
 * for their side effects (backends), and tfjs's sub-namespaces. Data the transpiler reads like the table.
 */

/** Packages whose exports are the `tf` namespace. */
export const TF_PACKAGE = /^@tensorflow\/tfjs(?:-core|-layers|-node|-node-gpu)?$/;

/** Packages imported for a side effect (registering a backend); their imports are removed. */
export const TF_SIDE_EFFECT_PACKAGE = /^@tensorflow\/tfjs-(?:backend-[\w-]+|node|node-gpu)$/;

/** Any TensorFlow.js package (package.json dependencies the migration drops). */
export const TF_ANY_PACKAGE = /^@tensorflow\/tfjs(?:-[\w-]+)?$/;

/** tfjs sub-namespaces (objects under `tf` whose members are APIs). */
export const TF_NAMESPACES: ReadonlySet<string> = new Set([
  'tf', 'tf.layers', 'tf.train', 'tf.losses', 'tf.metrics', 'tf.initializers', 'tf.regularizers', 'tf.constraints', 'tf.callbacks',
  'tf.models', 'tf.io', 'tf.data', 'tf.util', 'tf.image', 'tf.browser', 'tf.linalg', 'tf.signal', 'tf.spectral', 'tf.math', 'tf.sparse',
  'tf.string', 'tf.fused', 'tf.serialization', 'tf.backend_util',
]);
