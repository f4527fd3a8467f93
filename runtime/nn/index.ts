/**
 * `nn`: PyTorch's torch.nn in TypeScript idiom. Modules hold state and call the functional code in
 * `nn.functional` (also exported as `F`); `nn.init` initializes parameters; `nn.utils` clips gradients.
 *
 *   import { nn, F } from 'torchbridge';
 */
import '../torch.js';

export { Module } from './module.js';
export type { ForwardHook, ForwardPreHook, LoadStateDictResult, RemovableHandle, StateDictOptions } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export type { ParameterConstructor } from './parameter.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export { Identity, Linear } from './linear.js';
export type { FactoryOptions, LinearOptions } from './linear.js';
export { Flatten, Unflatten } from './flatten.js';
export { Conv1d, Conv2d, ConvTranspose2d } from './conv.js';
export type { ConvOptions, PaddingMode } from './conv.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d } from './pooling.js';
export type { MaxPoolOptions, AvgPoolOptions } from './pooling.js';
export { Dropout, Dropout1d, Dropout2d } from './dropout.js';
export { Upsample } from './upsampling.js';
export type { UpsampleOptions } from './upsampling.js';
export { ZeroPad2d } from './padding.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm } from './normalization.js';
export type { BatchNormOptions, LayerNormOptions } from './normalization.js';
export { LazyLinear, LazyConv1d, LazyConv2d, LazyConvTranspose2d, LazyBatchNorm1d, LazyBatchNorm2d, whenMaterialized, isLazy } from './lazy.js';
export { isUninitialized } from './uninitialized.js';
export { Embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { RNNBase, RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } from './rnn.js';
export type { GRUOptions, RNNOptions } from './rnn.js';
export {
  ReLU, ReLU6, LeakyReLU, ELU, SELU, GELU, Sigmoid, Tanh, SiLU, Mish, Softplus, Hardtanh, LogSigmoid, Softsign,
  Softmax, LogSoftmax, Softmin, Threshold, PReLU,
} from './activation.js';
export {
  MSELoss, L1Loss, HuberLoss, SmoothL1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
} from './loss.js';
export * as init from './init.js';
export * as utils from './utils.js';
export * as functional from './functional.js';
export { SymbolicTensor, GraphModule, Lambda, input, apply, dim } from './graph.js';
export type { InputOptions } from './graph.js';
