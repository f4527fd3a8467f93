/**
 * `compat`: small helpers with TensorFlow.js's exact semantics, for what migrated code needs and the PyTorch-style
 * API does not say (tfjs's `tf.util`, `tf.nextFrame`). The mapping table emits calls to them where an idiomatic
 * rewrite would change behaviour; each is documented with what it keeps.
 */
export * as util from './util.js';
export { nextFrame } from './browser.js';
export * as browser from './browser.js';
export * as image from './image.js';
export { conv2dTranspose } from './conv.js';
export { slice } from './slice.js';
export { pad } from './pad.js';
export * as layers from './layers.js';
export * as keras from './keras.js';
export * as py from './python.js';
export * as initializers from './initializers.js';
export * as serialization from './serialization.js';
