import type { Tensor } from '../tensor.js';

/** Gradient of the node's output → gradients of its inputs (null where an input needs none). */
export type BackwardFn = (grad: Tensor) => (Tensor | null | undefined)[];

/**
 * One recorded op on the tape. `inputs[i]` is the i-th differentiable input (null when it does not require
 * grad); `backward` is the op's gradient rule, written with differentiable tensor ops so that
 * `createGraph` gives higher-order gradients for free.
 *
 * The node owns what its rule reads: it holds every tensor in `held` (the op's inputs and saved tensors, but
 * not its own output), so `dispose()` or `tidy()` on one of them only drops the caller's reference and the
 * data is released when the node is freed (see runtime/MEMORY.md). A node is freed after backward ran it
 * (unless retainGraph), or when the last tensor whose `gradFn` it is was released.
 */
export class GradNode {
  /** Versions of the saved tensors when they were saved; a mismatch at backward time means an in-place edit. */
  readonly savedVersions: number[];
  /** Tensors whose `gradFn` is this node (an in-place op moves a node onto the tensor it edits). */
  owners = 1;
  private held: Tensor[];

  constructor(
    readonly name: string,
    public inputs: (Tensor | null)[],
    public backward: BackwardFn | null,
    public saved: Tensor[],
    held: Tensor[] = [],
  ) {
    this.savedVersions = saved.map((t) => t.storage.version);
    this.held = held;
    for (const t of held) t.holds++;
  }

  /** Drops the rule and lets go of the held tensors (idempotent); a later backward through it is an error. */
  free(): void {
    this.backward = null;
    this.saved = [];
    const held = this.held;
    if (!held.length) return;
    this.held = [];
    for (const t of held) t.unhold();
  }

  toString(): string {
    return `<${this.name}Backward>`;
  }
}
