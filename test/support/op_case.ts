/**
 * The shape of one op case, shared by every suite that runs the table (forward per backend, gradcheck).
 * A case never mentions a backend: its inputs are specs, its `run` receives tensors already on the device
 * and the device-bound API, and its results are read back by the runner.
 */
import type * as tfNs from '@tensorflow/tfjs';
import type { Tensor } from '../../runtime/tensor.js';
import type { TensorSpec } from './specs.js';
import type { HostTensor } from './assert_close.js';
import type { Ref } from './reference.js';
import type { TorchApi } from './torch_api.js';

export type Tf = typeof tfNs;
export type TfTensor = tfNs.Tensor;

export interface Tolerance {
  rtol: number;
  atol: number;
  /** Why the default (dtype) tolerance is not enough. */
  why: string;
}

export interface OpCase {
  /** `op: what is special about this case`. */
  name: string;
  inputs: () => TensorSpec[];
  /** The op under test; returning several tensors compares each (split, max(dim) → [values, indices]). */
  run: (torch: TorchApi, ...xs: Tensor[]) => Tensor | Tensor[];
  /** The equivalent TensorFlow.js call (cpu backend); layouts converted here (NCHW → NHWC, OIHW → HWIO). */
  tfjs?: (tf: Tf, ...xs: TfTensor[]) => TfTensor | TfTensor[];
  /** float64 plain-JS reference, when tfjs has no equivalent or defines the op differently. */
  reference?: (...xs: HostTensor[]) => Ref | Ref[];
  /** A property check on the results instead of (or besides) a reference: random ops, statistics. */
  check?: (outs: HostTensor[], inputs: HostTensor[]) => void;
  /** Run torch.autograd.gradcheck on this case (floating inputs in float64, others held constant). */
  grad?: boolean;
  tol?: Tolerance;
  /**
   * A runtime bug this case exposes: the case runs as `test.fails` so the suite stays green while it is
   * broken and turns red once fixed (remove the marker then). Listed in the report to the lead.
   */
  knownBug?: string;
  /** As knownBug, for the gradcheck of this case only. */
  knownGradBug?: string;
}

export const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** A short label for a known bug in a test name: its first clause (the full text is in test/ops/known_bugs.ts). */
export function bugLabel(bug: string): string {
  const first = bug.split(/; |\. /)[0];
  return `known bug: ${first.length > 100 ? `${first.slice(0, 97)}...` : first}`;
}
