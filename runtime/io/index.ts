/** `io`: saving and loading tensors. */
export { save, load, loadMetadata } from './save_load.js';
export type { SaveOptions } from './save_load.js';
export { readSafetensors, writeSafetensors, parseSafetensors, serializeSafetensors, SafetensorsError } from './safetensors.js';
