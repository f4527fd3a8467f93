/**
 * tf.image and tf.browser: tfjs's sampling rules and pixel formats have no exact PyTorch counterpart
 * (`interpolate` samples at half-pixel centres; there is no DOM in Node), so the rows call the runtime's compat
 * helpers (runtime/compat/image.ts, browser.ts), which keep tfjs's semantics; images stay NHWC as in tfjs.
 */
import type { Mapping } from '../schema.js';

const resize = (name: string): Mapping => ({
  tf: `tf.image.${name}`, kind: 'function', status: 'exact', params: ['images', 'size', 'alignCorners?', 'halfPixelCenters?'], returns: 'Tensor',
  notes: ['image-resize-tfjs-sampling'], target: `compat.image.${name}($images:t, $size{{, $alignCorners}}{{, $halfPixelCenters}})`,
  examples: [{ tf: `tf.image.${name}(img, [224, 224])`, torch: `compat.image.${name}(img, [224, 224])` }],
});

const manual = (tf: string, params: string[], reason: string): Mapping => ({ tf, kind: 'function', status: 'manual', params, reason, notes: ['no-equivalent'] });

export const image: Mapping[] = [
  resize('resizeBilinear'),
  resize('resizeNearestNeighbor'),
  {
    tf: 'tf.image.flipLeftRight', kind: 'function', status: 'exact', params: ['image'], returns: 'Tensor', target: '$image:t.flip([2])',
    examples: [{ tf: 'tf.image.flipLeftRight(batch)', torch: 'batch.flip([2])' }],
  },
  manual('tf.image.cropAndResize', ['image', 'boxes', 'boxInd', 'cropSize', 'method?', 'extrapolationValue?'], 'crop each box with slicing and compat.image.resizeBilinear'),
  manual('tf.image.nonMaxSuppression', ['boxes', 'scores', 'maxOutputSize', 'iouThreshold?', 'scoreThreshold?'], 'non-max suppression is not in the runtime'),
  manual('tf.image.nonMaxSuppressionAsync', ['boxes', 'scores', 'maxOutputSize', 'iouThreshold?', 'scoreThreshold?'], 'non-max suppression is not in the runtime'),
  manual('tf.image.rotateWithOffset', ['image', 'radians', 'fillValue?', 'center?'], 'image rotation is not in the runtime'),
  manual('tf.image.transform', ['image', 'transforms', 'interpolation?', 'fillMode?', 'fillValue?', 'outputShape?'], 'projective image transforms are not in the runtime'),
  {
    tf: 'tf.browser.fromPixels', kind: 'function', status: 'semantic', params: ['pixels', 'numChannels?'], returns: 'Tensor', notes: ['from-pixels-node'],
    target: 'compat.browser.fromPixels($pixels{{, $numChannels}})',
    examples: [{ tf: 'tf.browser.fromPixels(imageData)', torch: 'compat.browser.fromPixels(imageData)' }],
  },
  {
    tf: 'tf.browser.fromPixelsAsync', kind: 'function', status: 'semantic', params: ['pixels', 'numChannels?'], returns: 'Promise<Tensor>', notes: ['from-pixels-node'],
    target: 'Promise.resolve(compat.browser.fromPixels($pixels{{, $numChannels}}))',
  },
  {
    tf: 'tf.browser.toPixels', kind: 'function', status: 'semantic', params: ['img', 'canvas?'], returns: 'other', notes: ['from-pixels-node'],
    target: 'compat.browser.toPixels($img:t{{, $canvas}})',
  },
];
