/** `compat.serialization`: tfjs's `tf.serialization.registerClass` for migrated custom layers (see layer.ts). */
export { registerClass } from './layer.js';
