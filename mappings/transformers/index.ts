/**
 * The named transformer registry: the few irregular rewrites a template cannot express, each with the one
 * signature `(site: CallSite, row: Mapping) => Emit`. Rows name them in `transform`.
 */
import type { Transformer } from '../schema.js';
import { tensorFromValues, variable } from './values.js';
import { multinomial, randomValues } from './random.js';
import { matMul, split, slice, pad, reverse, norm, conv2d, conv1d, pool2d, selfFirstList } from './ops.js';
import { gradFunction } from './gradients.js';
import { optimizer } from './optimizers.js';
import {
  denseLayer, conv2dLayer, conv1dLayer, conv2dTransposeLayer, pool2dLayer, pool1dLayer, globalPoolLayer, flattenLayer, reshapeLayer, dropoutLayer,
  batchNormLayer, layerNormLayer, activationLayer, embeddingLayer, rnnLayer, mergeLayer, dotLayer, permuteLayer, repeatVectorLayer,
  timeDistributedLayer, bidirectionalLayer, inputLayerLayer,
} from './layers.js';
import { upSampling2dLayer, zeroPadding2dLayer, cropping2DLayer, resizingLayer } from './layers_spatial.js';
import { depthwiseConv2dLayer, separableConv2dLayer } from './layers_depthwise.js';
import { preluLayer, thresholdedReluLayer, rescalingLayer, gaussianNoiseLayer, spatialDropout1dLayer } from './layers_activation.js';

export const TRANSFORMERS: Readonly<Record<string, Transformer>> = {
  tensorFromValues, variable, randomValues, multinomial,
  matMul, split, slice, pad, reverse, norm, conv2d, conv1d, pool2d, selfFirstList,
  gradFunction, optimizer,
  denseLayer, conv2dLayer, conv1dLayer, conv2dTransposeLayer, pool2dLayer, pool1dLayer, globalPoolLayer, flattenLayer, reshapeLayer, dropoutLayer,
  batchNormLayer, layerNormLayer, activationLayer, embeddingLayer, rnnLayer, mergeLayer, dotLayer, permuteLayer, repeatVectorLayer,
  timeDistributedLayer, bidirectionalLayer, inputLayerLayer,
  upSampling2dLayer, zeroPadding2dLayer, cropping2DLayer, resizingLayer, depthwiseConv2dLayer, separableConv2dLayer,
  preluLayer, thresholdedReluLayer, rescalingLayer, gaussianNoiseLayer, spatialDropout1dLayer,
};

/** Layer transformers answer with a LayerPlan (used by the model rules). */
export const LAYER_TRANSFORMERS: ReadonlySet<string> = new Set([
  'denseLayer', 'conv2dLayer', 'conv1dLayer', 'conv2dTransposeLayer', 'pool2dLayer', 'pool1dLayer', 'globalPoolLayer', 'flattenLayer', 'reshapeLayer',
  'dropoutLayer', 'batchNormLayer', 'layerNormLayer', 'activationLayer', 'embeddingLayer', 'rnnLayer', 'mergeLayer',
  'permuteLayer', 'repeatVectorLayer', 'dotLayer', 'timeDistributedLayer', 'bidirectionalLayer', 'inputLayerLayer',
  'upSampling2dLayer', 'zeroPadding2dLayer', 'cropping2DLayer', 'resizingLayer', 'depthwiseConv2dLayer', 'separableConv2dLayer',
  'preluLayer', 'thresholdedReluLayer', 'rescalingLayer', 'gaussianNoiseLayer', 'spatialDropout1dLayer',
]);
