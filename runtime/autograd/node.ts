import type { Tensor } from '../tensor.js';

/** Gradient of the node's output → gradients of its inputs (null where an input needs none). */
export type BackwardFn = (grad: Tensor) => (Tensor | null | undefined)[];

/**
 * One recorded op on the tape. `inputs[i]` is the i-th differentiable input (null when it does not require
 * grad); `backward` is the op's gradient rule, written with differentiable tensor ops so that
 * `createGraph` gives higher-order gradients for free.
 */
export class GradNode {
  /** Versions of the saved tensors when they were saved; a mismatch at backward time means an in-place edit. */
  readonly savedVersions: number[];

  constructor(
    readonly name: string,
    public inputs: (Tensor | null)[],
    public backward: BackwardFn | null,
    public saved: Tensor[],
  ) {
    this.savedVersions = saved.map((t) => t.storage.version);
  }

  toString(): string {
    return `<${this.name}Backward>`;
  }
}
