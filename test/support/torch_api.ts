/**
 * The API object op cases are written against: the public `torch` namespace, plus the functional ops that
 * will live in `nn.functional` (pooling, one-hot, linear, activations) — imported from runtime/ops until F
 * exists — plus the device type the case runs on, for creation ops.
 */
import * as torch from '../../runtime/torch.js';
import { maxPool2d, avgPool2d, maxPool1d, avgPool1d, adaptiveAvgPool2d } from '../../runtime/ops/pool.js';
import { oneHot } from '../../runtime/ops/indexing.js';
import { linear } from '../../runtime/ops/matmul.js';
import { leakyRelu, elu, selu, gelu, softplus, silu, relu6, hardtanh, logSigmoid } from '../../runtime/ops/activation.js';
import type { DeviceType } from '../../runtime/device.js';

export const functional = {
  maxPool2d, avgPool2d, maxPool1d, avgPool1d, adaptiveAvgPool2d, oneHot, linear,
  leakyRelu, elu, selu, gelu, softplus, silu, relu6, hardtanh, logSigmoid,
};

export type TorchApi = typeof torch & { F: typeof functional; deviceType: DeviceType };

/** The API for one backend: creation ops in cases pass `{ device: t.deviceType }`. */
export function apiFor(deviceType: DeviceType): TorchApi {
  return Object.freeze({ ...torch, F: functional, deviceType });
}
