/**
 * Which candidate tensor stands for which reference variable in a custom loop. The reference's side is the list of
 * variables its optimizer updated, in the order tfjs created them; the candidate's is its optimizer's params in
 * order. They pair by position when the counts and shapes agree. When they do not, the tensors the candidate
 * program created with `requiresGrad_()` (its `tf.variable`s, in creation order) are tried: if those pair, a
 * reference variable whose counterpart the optimizer was not given is named as such — the migrated loop that
 * never trains one of its parameters. Otherwise whatever pairs by position and shape is kept and the rest is
 * reported; nothing here throws, since a mismatch is a finding of the diff.
 */
import type { LoopVariable } from './trace_meta.js';

export interface PairedTensor<T> {
  refIndex: number;
  tensor: T;
  candidate: string;
  inOptimizer: boolean;
}

export interface Pairing<T> {
  pairs: PairedTensor<T>[];
  /** One sentence per problem: counts or shapes that do not pair, variables the candidate never updates. */
  problems: string[];
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** How a report names a reference variable: the program's name when known, its index, tfjs's name and shape. */
export function variableLabel(v: LoopVariable, index: number): string {
  return `${v.label ? `'${v.label}' (#${index}, tfjs variable '${v.name}'` : `#${index} (tfjs variable '${v.name}'`}, shape ${fmt(v.shape)})`;
}

export function pairVariables<T extends { shape: readonly number[] }>(ref: LoopVariable[], params: T[], created: T[]): Pairing<T> {
  const allPair = (list: T[]) => list.length === ref.length && list.every((t, i) => sameShape(t.shape, ref[i].shape));
  if (allPair(params)) return { pairs: params.map((tensor, i) => ({ refIndex: i, tensor, candidate: `params[${i}]`, inOptimizer: true })), problems: [] };

  const inOptimizer = new Set(params);
  if (params.every((p) => created.includes(p)) && allPair(created)) {
    const pairs = created.map((tensor, i) => ({ refIndex: i, tensor, candidate: `leaf #${i}`, inOptimizer: inOptimizer.has(tensor) }));
    const problems = pairs
      .filter((p) => !p.inOptimizer)
      .map((p) => `variable ${variableLabel(ref[p.refIndex], p.refIndex)} is updated by the original's optimizer, but its counterpart in the migrated program (the tensor it created #${p.refIndex} with requiresGrad_) is not in the migrated optimizer's params, so it never trains: add it to the optimizer's parameter list`);
    return { pairs, problems };
  }

  const pairs: PairedTensor<T>[] = [];
  const problems: string[] = [];
  if (params.length !== ref.length) {
    problems.push(`the original's optimizer updates ${ref.length} variable(s) ${ref.map((v) => fmt(v.shape)).join(' ')}, the migrated optimizer has ${params.length} param(s) ${params.map((p) => fmt(p.shape)).join(' ')}: they pair by position where the shapes agree; check the migrated optimizer's parameter list`);
  }
  for (let i = 0; i < Math.min(params.length, ref.length); i++) {
    if (sameShape(params[i].shape, ref[i].shape)) pairs.push({ refIndex: i, tensor: params[i], candidate: `params[${i}]`, inOptimizer: true });
    else problems.push(`variable ${variableLabel(ref[i], i)} pairs with the migrated optimizer's params[${i}], of shape ${fmt(params[i].shape)}: the shapes differ`);
  }
  for (let i = params.length; i < ref.length; i++) problems.push(`variable ${variableLabel(ref[i], i)} has no counterpart among the migrated optimizer's params`);
  return { pairs, problems };
}
