/**
 * `F`: torch.nn.functional in TypeScript idiom (camelCase, options objects for keyword arguments). Modules in
 * nn/ hold state and call these; the math lives here and in runtime/ops.
 *
 *   import { F } from 'torchbridge';
 *   const loss = F.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 */
import '../torch.js';

export * from './functional/activation.js';
export * from './functional/conv.js';
export * from './functional/pooling.js';
export * from './functional/dropout.js';
export * from './functional/sampling.js';
export * from './functional/normalization.js';
export * from './functional/sparse.js';
export * from './functional/loss.js';
export type { Reduction } from './functional/util.js';
