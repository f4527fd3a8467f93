/**
 * torchbridge's runtime: an eager, PyTorch-style tensor library.
 *
 *   import { torch, nn, optim, F, data, io } from 'torchbridge';
 *
 * `compat` holds helpers with TensorFlow.js's exact semantics that migrated code calls (tf.util, tf.nextFrame).
 */
export * as torch from './torch.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as utils from './utils/index.js';
export * as compat from './compat/index.js';
export { Tensor } from './tensor.js';
export * as webgpu from './webgpu.js';
export * as onnx from './onnx/index.js';
