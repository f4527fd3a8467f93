/**
 * torchbridge's runtime: an eager, PyTorch-style tensor library.
 *
 *   import { torch, nn, optim, F, data, io } from 'torchbridge';
 */
export * as torch from './torch.js';
export { Tensor } from './tensor.js';
