/**
 * The gradient comparison of one sample: both sides differentiate L = Σ_outputs sum(output · W) with respect to
 * every float tensor input (tfjs with `tf.grads`, the runtime with `torch.autograd.grad`), W fixed pseudo-random
 * weights in [-1, 1]; failures that plain tolerance cannot settle go to the float64 tie-breaker, and failed
 * gradients to the finite-difference arbiter.
 */
import * as tf from '@tensorflow/tfjs';
import { finiteDifferenceArbiter } from './finite_difference.js';
import { float64Run } from './float64.js';
import type { SampleResult } from './op_level.js';
import { flattenOutputs, isRt, runRuntime, type OutputPair, type PreparedSample, type RtTensor } from './sample.js';
import { accumulates, type OpClass } from './tolerance.js';
import { checkPair } from './value_check.js';

/** Deterministic weights in [-1, 1] (mulberry32), so both sides and every rerun see the same loss. */
function weights(n: number, seed: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.round((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2e6 - 1e6) / 1e6;
  });
}

/** One sample as verifySample has run it forward: the tfjs leaves, the paired outputs, the op class and K. */
export interface GradientInput {
  prep: PreparedSample;
  tfLeaves: tf.Tensor[];
  pairs: OutputPair[];
  floatLeafIdx: number[];
  opClass: OpClass;
  k: number;
}

/**
 * Sets `result.gradient` (or `result.gradientSkipped`, with the reason), rechecking `result.forward` in float64
 * too when the tie-breaker runs; `setStage` names what is running, for the error message when something throws.
 */
export function compareGradients(result: SampleResult, input: GradientInput, setStage: (stage: string) => void): void {
  const { prep, tfLeaves, pairs, floatLeafIdx, opClass, k } = input;
  const floatOut = pairs.filter((p) => p.reference instanceof tf.Tensor && p.reference.dtype === 'float32');
  if (!floatLeafIdx.length) result.gradientSkipped = 'no float tensor inputs';
  else if (!floatOut.length) result.gradientSkipped = 'output is not float (int32/bool or not a tensor)';
  const w = floatOut.map((p, i) => weights((p.reference as tf.Tensor).size, 0x5eed + 7919 * i));
  const lossTf = (...xs: tf.Tensor[]) => {
    const leaves = tfLeaves.slice();
    floatLeafIdx.forEach((li, j) => { leaves[li] = xs[j]; });
    const byPath = new Map(flattenOutputs(prep.callTf(leaves)).map((p) => [p.path, p.value as tf.Tensor]));
    return floatOut
      .map((p, i) => { const o = byPath.get(p.path) as tf.Tensor; return tf.sum(tf.mul(o, tf.tensor(w[i], o.shape))); })
      .reduce((a, b) => tf.add(a, b)) as tf.Scalar;
  };
  let refGrads: tf.Tensor[] = [];
  if (!result.gradientSkipped) {
    setStage('tfjs gradient');
    try {
      refGrads = tf.grads(lossTf)(floatLeafIdx.map((i) => tfLeaves[i]));
    } catch (e) {
      result.gradientSkipped = `tfjs computes no gradient here (${(e as Error).message.split('\n')[0]})`;
    }
  }
  if (!result.gradientSkipped) {
    setStage('runtime gradient');
    const spec = { floatOutputs: floatOut.map((p) => p.path), w };
    const { grads } = runRuntime(prep, result.code, 'float32', spec);
    result.gradient = refGrads.map((g, j) => checkPair({ path: `grad ${prep.names[floatLeafIdx[j]]}`, reference: g, candidate: grads?.[j] }, opClass, k));
    // The float64 tie-breaker, only where it can decide: an accumulating op that failed plain tolerance.
    if (accumulates(opClass) && [...result.forward, ...result.gradient].some((c) => !c.pass && c.comparison?.rule === 'tolerance')) {
      const f64 = float64Run(prep, result.code, spec);
      if (f64) {
        result.forward = pairs.map((p, i) => (result.forward[i].comparison?.rule === 'tolerance' ? checkPair(p, opClass, k, f64.forward.get(p.path)) : result.forward[i]));
        result.gradient = result.gradient.map((c, j) => (c.comparison?.rule === 'tolerance'
          ? checkPair({ path: c.what, reference: refGrads[j], candidate: grads?.[j] }, opClass, k, f64.grads[j]) : c));
      }
    }
    result.gradient.forEach((c, j) => {
      if (c.pass || !isRt(grads?.[j])) return;
      const arbiter = finiteDifferenceArbiter(lossTf, floatLeafIdx.map((i) => tfLeaves[i]), j, refGrads[j], grads[j] as RtTensor);
      if (arbiter) { c.referenceSuspect = true; c.message = `${c.message}\n${arbiter}`; }
    });
  }
}
