/** `io`: saving and loading tensors, and loading and saving TensorFlow.js LayersModels as modules. */
export { save, load, loadMetadata } from './save_load.js';
export type { SaveOptions } from './save_load.js';
export { readSafetensors, writeSafetensors, parseSafetensors, serializeSafetensors, SafetensorsError } from './safetensors.js';
export { loadLayersModel } from './load_layers_model.js';
export { getLayer, modelUpTo } from './layers_model_cut.js';
export { saveLayersModel } from './save_layers_model.js';
export type { SaveLayersModelOptions } from './save_layers_model.js';
