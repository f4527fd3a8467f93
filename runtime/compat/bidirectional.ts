/**
 * `tf.layers.bidirectional({ layer: rnn, mergeMode })` on the runtime: the migration builds the RNN module with
 * `bidirectional: true` (PyTorch's form: one module, output [N, T, 2H] = [forward, reverse] per step, the reverse
 * direction's output at step t being its state after reading x[T-1] … x[t]) and passes its output through
 * `bidirectionalMerge`, which gives tfjs's Bidirectional output:
 *   - returnSequences true: per step, the two directions merged (tfjs reverses its backward layer's sequence so
 *     step t holds that same state);
 *   - returnSequences false: the forward direction's last step with the reverse direction's step 0 (its state after
 *     the whole sequence, the backward layer's last output in tfjs) — not the module's last step, whose reverse half
 *     has seen one element.
 * Merge modes as tfjs's: 'concat' (forward then backward), 'sum', 'mul', 'ave'. tfjs's mergeMode null (two outputs)
 * has no single-tensor form: the migration refuses it.
 */
import type { Tensor } from '../tensor.js';
import * as torch from '../torch.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
const MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

export function bidirectionalMerge(output: Tensor, mergeMode: MergeMode, returnSequences: boolean): Tensor {
  if (!MODES.includes(mergeMode)) throw new RangeError(`compat.layers.bidirectionalMerge: mergeMode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mergeMode)}`);
  if (output.ndim !== 3 || output.shape[2] % 2 !== 0) {
    throw new RangeError(`compat.layers.bidirectionalMerge: expected a bidirectional RNN's batch-first output [N, T, 2·units], got [${output.shape.join(', ')}]`);
  }
  const h = output.shape[2] / 2;
  if (returnSequences && mergeMode === 'concat') return output;
  const fwd = returnSequences ? output.narrow(2, 0, h) : output.select(1, output.shape[1] - 1).narrow(1, 0, h);
  const bwd = returnSequences ? output.narrow(2, h, h) : output.select(1, 0).narrow(1, h, h);
  switch (mergeMode) {
    case 'concat':
      return torch.cat([fwd, bwd], -1);
    case 'sum':
      return fwd.add(bwd);
    case 'mul':
      return fwd.mul(bwd);
    case 'ave':
      return fwd.add(bwd).mul(0.5);
  }
}
