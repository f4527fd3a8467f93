/** Keras merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate) as modules of several inputs. */
import type { Tensor } from '../../tensor.js';
import { Module } from '../../nn/module.js';
import { cat } from '../../ops/join.js';

export type MergeKind = 'Add' | 'Subtract' | 'Multiply' | 'Average' | 'Maximum' | 'Minimum' | 'Concatenate';

export const MERGE_KINDS: readonly MergeKind[] = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate'];

/** The element-wise or concatenating combination of its inputs, in tfjs's layout (Concatenate's axis is tfjs's). */
export class Merge extends Module {
  constructor(readonly kind: MergeKind, readonly axis = -1) {
    super();
  }

  override forward(...inputs: Tensor[]): Tensor {
    if (inputs.length < 2 && this.kind !== 'Concatenate') throw new RangeError(`${this.kind}: needs at least two inputs, got ${inputs.length}`);
    const [first, ...rest] = inputs;
    switch (this.kind) {
      case 'Add': return rest.reduce((a, b) => a.add(b), first);
      case 'Subtract': return first.sub(rest[0]);
      case 'Multiply': return rest.reduce((a, b) => a.mul(b), first);
      case 'Average': return rest.reduce((a, b) => a.add(b), first).div(inputs.length);
      case 'Maximum': return rest.reduce((a, b) => a.maximum(b), first);
      case 'Minimum': return rest.reduce((a, b) => a.minimum(b), first);
      case 'Concatenate': return cat(inputs, this.axis);
    }
  }

  override extraRepr(): string {
    return this.kind === 'Concatenate' ? `Concatenate, axis=${this.axis}` : this.kind;
  }
}
