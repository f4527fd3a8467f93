/**
 * topk and multinomial: composites on the Reduce (argmax/argmin), Gather, Scatter and Random primitives, so they run
 * on every backend without a sort kernel.
 *
 * topk is k rounds of "take the first extremum left, then mask it out": ties go to the lower index (PyTorch's CPU
 * order and tfjs's documented order), and the values are a Gather of x, so the gradient flows to the chosen entries
 * only. O(k·n) work along the dim: right for the k of top-k accuracy, beam search and sampling, not a full sort.
 *
 * multinomial is the Gumbel-max trick: argmax(log p + G) with G = -log(-log U) draws index i with probability
 * p_i / Σp; with replacement each sample has its own noise row, without replacement the top-k of one noisy row is
 * an exact draw without replacement (Gumbel-top-k). The draws follow the runtime's seeded generator, not
 * PyTorch's or tfjs's streams.
 */
import { Tensor } from '../tensor.js';
import { fmtShape, normDim } from '../shape.js';
import type { Generator } from '../random.js';
import { where } from './elementwise.js';
import { gather, scatter } from './indexing.js';
import { argmax, argmin } from './reduce.js';
import { cat } from './join.js';
import { full, rand } from './creation.js';
import { checkTensor } from './util.js';
import { noGrad } from '../autograd/grad_mode.js';

export interface TopKResult {
  values: Tensor;
  indices: Tensor;
}

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

/**
 * The k largest (`largest`, default) or smallest entries of x along `dim` (default the last), in order (largest
 * first, or smallest first), with their int32 indices. NaN counts as larger than every number, as in PyTorch
 * (between NaN and +Infinity, the lower index first).
 * `sorted: false` is accepted and still gives the sorted order (PyTorch leaves the order unspecified then).
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): TopKResult {
  checkTensor(x, 'topk');
  void sorted;
  const d = normDim(dim, Math.max(x.ndim, 1), 'topk');
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`topk: k must be an integer in [0, ${n}] (the size of dim ${dim} of shape ${fmtShape(x.shape)}), got ${k}`);
  }
  const src = x.ndim === 0 ? x.reshape([1]) : x;
  const indices = noGrad(() => selectIndices(src, k, d, largest));
  const values = gather(src, d, indices);
  return x.ndim === 0 ? { values: values.reshape([]), indices: indices.reshape([]) } : { values, indices };
}

/** The indices topk returns: k rounds of arg-extremum over a key with the chosen entries masked out. */
function selectIndices(x: Tensor, k: number, d: number, largest: boolean): Tensor {
  const shape = x.shape.slice();
  shape[d] = k;
  if (k === 0) return full(shape, 0, { dtype: 'int32', device: x.storage.device });
  const float = x.dtype === 'float32' || x.dtype === 'float64';
  let key = x.dtype === 'bool' ? x.to('int32') : x;
  // NaN is the largest value (PyTorch): taken first for largest, last for smallest. As +Infinity it ties with a
  // real +Infinity, and the lower index of the two comes first.
  if (float) key = where(key.isnan(), Infinity, key);
  // The masked-out value is the worst possible one. A row whose best remaining key equals it (all that is left is
  // -Infinity, or INT32_MIN) would pick the first masked entry again, so such a round takes the first entry not yet
  // taken instead: the lower index among the equal values that remain.
  const worst = float ? (largest ? -Infinity : Infinity) : (largest ? INT32_MIN : INT32_MAX);
  const pick = largest ? argmax : argmin;
  let free = full(x.shape, 1, { dtype: 'int32', device: x.storage.device });
  const rounds: Tensor[] = [];
  for (let r = 0; r < k; r++) {
    const best = pick(key, d, true);
    const firstFree = argmax(free, d, true);
    const exhausted = gather(key, d, best).eq(worst);
    const idx = where(exhausted, firstFree, best);
    rounds.push(idx);
    if (r + 1 < k) {
      key = scatter(key, d, idx, worst);
      free = scatter(free, d, idx, 0);
    }
  }
  return rounds.length === 1 ? rounds[0] : cat(rounds, d);
}

export interface MultinomialOptions {
  replacement?: boolean;
  generator?: Generator;
}

/**
 * `numSamples` category indices (int32) drawn from each row of `input` — non-negative weights, 1-D or 2-D, that
 * need not sum to 1 (PyTorch's torch.multinomial). Without replacement (the default, as in PyTorch) a row must have
 * at least `numSamples` non-zero weights. On the CPU an invalid row (negative, NaN or infinite weights, a zero sum,
 * too few non-zero weights) is an error; on a GPU checking would need a read back, so such a row samples -1, an
 * index every gather and indexing op refuses, rather than a category.
 */
export function multinomial(input: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  checkTensor(input, 'multinomial');
  if (input.ndim !== 1 && input.ndim !== 2) throw new RangeError(`multinomial: input must be 1-D or 2-D weights, got shape ${fmtShape(input.shape)}`);
  if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new TypeError(`multinomial: input must be floating point weights, got ${input.dtype}`);
  const replacement = opts.replacement ?? false;
  const n = input.shape[input.ndim - 1];
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  if (!replacement && numSamples > n) {
    throw new RangeError(`multinomial: cannot draw ${numSamples} samples without replacement from ${n} categories (pass { replacement: true })`);
  }
  return noGrad(() => {
    const p = input.ndim === 1 ? input.reshape([1, n]) : input;
    const rows = p.shape[0];
    const nonzero = p.gt(0).sum(-1);
    const invalid = p.lt(0).logicalOr(p.isfinite().logicalNot()).any(-1)
      .logicalOr(replacement ? nonzero.eq(0) : nonzero.lt(numSamples));
    if (p.storage.device === 'cpu' && invalid.any().item()) {
      const row = invalid.to('int32').argmax().item();
      throw new RangeError(`multinomial: row ${row} of input is not a distribution to draw ${numSamples} sample(s) from ${replacement ? 'with' : 'without'} replacement (weights must be finite and >= 0, with ${replacement ? 'a positive sum' : `at least ${numSamples} non-zero`})`);
    }
    const logp = p.log();
    // Gumbel noise from U in (0, 1]: 1 - rand is never 0, so -log(-log U) is finite except at U = 1 (+Infinity,
    // probability ~2^-24 per draw, and then that category simply wins the draw).
    const gumbel = (shape: number[]) => rand(shape, { dtype: p.dtype, device: p.storage.device, generator: opts.generator }).neg().add(1).log().neg().log().neg();
    let out: Tensor;
    if (replacement) {
      out = argmax(logp.unsqueeze(1).add(gumbel([rows, numSamples, n])), -1);
    } else {
      out = selectIndices(logp.add(gumbel([rows, n])), numSamples, 1, true);
    }
    out = where(invalid.unsqueeze(1), -1, out);
    return input.ndim === 1 ? out.reshape([numSamples]) : out;
  });
}
