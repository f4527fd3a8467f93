/** Keras class name → layer converter (the contract is in converter.ts, the converters in layers_*.ts). */
import type { LayerConverter } from './converter.js';
import { activation, batchNormalization, dense, eluLayer, embedding, flatten, inferenceIdentity, layerNormalization, leakyReluLayer, reluLayer, reshape, softmaxLayer } from './layers_core.js';
import { conv2d, conv2dTranspose, depthwiseConv2d, globalAveragePooling2d, globalMaxPooling2d, globalPooling1d, pooling, zeroPadding2d } from './layers_spatial.js';

export type { Layout } from './converter.js';

/** BatchNormalization needs NCHW only on 4-d inputs; the builder asks this before converting. */
export function requiredLayout(converter: LayerConverter, className: string, rank: number | null): 'tf' | 'cf' | 'any' {
  if (className === 'BatchNormalization') return rank === 4 ? 'cf' : 'any';
  return converter.requires;
}

/** Keras class name → converter. InputLayer is handled by the model builder (it has no module). */
export const LAYER_CONVERTERS: Record<string, LayerConverter> = {
  Dense: dense,
  Conv2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  DepthwiseConv2D: depthwiseConv2d,
  ZeroPadding2D: zeroPadding2d,
  MaxPooling2D: pooling('max'),
  AveragePooling2D: pooling('avg'),
  GlobalAveragePooling2D: globalAveragePooling2d,
  GlobalMaxPooling2D: globalMaxPooling2d,
  GlobalAveragePooling1D: globalPooling1d('avg'),
  GlobalMaxPooling1D: globalPooling1d('max'),
  Flatten: flatten,
  Reshape: reshape,
  Dropout: inferenceIdentity,
  SpatialDropout1D: inferenceIdentity,
  SpatialDropout2D: inferenceIdentity,
  GaussianNoise: inferenceIdentity,
  GaussianDropout: inferenceIdentity,
  AlphaDropout: inferenceIdentity,
  Activation: activation,
  ReLU: reluLayer,
  LeakyReLU: leakyReluLayer,
  ELU: eluLayer,
  Softmax: softmaxLayer,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  Embedding: embedding,
};
