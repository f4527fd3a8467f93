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

/**
 * A program with several optimizers (a GAN's generator and discriminator, each with its own): each migrated
 * optimizer, in construction order, pairs with the first of the original's optimizers (ReferenceMeta.loop.optimizers,
 * in the order of their first step) not yet taken whose variables have its params' shapes, in order — by shape, so
 * the programs may build them in either order — and its params pair with those variables. With one optimizer on the
 * original's side, the params of all the migrated optimizers pair as pairVariables pairs them.
 */
export function pairOptimizers<T extends { shape: readonly number[] }>(ref: LoopVariable[], refOptimizers: readonly (readonly string[])[] | undefined, candOptimizers: T[][], created: T[]): Pairing<T> {
  if (!refOptimizers || refOptimizers.length <= 1) return pairVariables(ref, candOptimizers.flat(), created);
  const groups = refOptimizers.map((names) => names.map((n) => ref.findIndex((v) => v.name === n)));
  const groupShapes = (g: number[]) => g.map((i) => (i >= 0 ? fmt(ref[i].shape) : '?')).join(' ');
  const taken = new Set<number>();
  const pairs: PairedTensor<T>[] = [];
  const problems: string[] = [];
  candOptimizers.forEach((params, k) => {
    const g = groups.findIndex((idx, gi) => !taken.has(gi) && idx.length === params.length && idx.every((ri, i) => ri >= 0 && sameShape(ref[ri].shape, params[i].shape)));
    if (g < 0) {
      problems.push(`the migrated program's optimizer #${k} (params ${params.map((p) => fmt(p.shape)).join(' ') || 'none'}) matches none of the original's ${groups.length} optimizers (${groups.map((idx, gi) => `#${gi}: ${groupShapes(idx)}`).join('; ')}) by its parameters' shapes in order: check what each optimizer is given`);
      return;
    }
    taken.add(g);
    params.forEach((tensor, i) => pairs.push({ refIndex: groups[g][i], tensor, candidate: `optimizer #${k} params[${i}]`, inOptimizer: true }));
  });
  groups.forEach((idx, gi) => {
    if (!taken.has(gi)) problems.push(`the original's optimizer #${gi} (in the order of first steps; variables ${idx.map((i) => (i >= 0 ? `'${ref[i].label ?? ref[i].name}'` : '?')).join(', ')}) has no counterpart among the migrated program's ${candOptimizers.length} optimizer(s)`);
  });
  return { pairs, problems };
}
