/**
 * tfjs's random creation ops (randomNormal, randomStandardNormal, randomUniform, randomUniformInt,
 * truncatedNormal) with their exact semantics beyond the distribution:
 * - `seed`: tfjs seeds that one call (the same seed gives the same values on every run); the runtime's answer is
 *   a Generator seeded with it, passed to that call. The numbers differ from tfjs's (another generator), the
 *   determinism does not.
 * - `dtype: 'int32'` (read from tfjs-core 4.22 and checked by running it): randomUniform and randomUniformInt draw
 *   floats in [minval, maxval) and store them in an Int32Array, which truncates toward zero — for a range below 0
 *   that is not torch.randint's floor, so the migrated code casts the same way (`.to('int32')` truncates too);
 *   with integer literal bounds from 0 up, truncation is randint, and the code says randint.
 *   randomNormal and truncatedNormal round with Math.round (rand_util's `convertValue`): `.add(0.5).floor()`.
 */
import type { ArgInfo, NoteId, Transformer } from '../schema.js';
import { bindArgs, ensureTensor } from '../template.js';
import { code, isBool, isNum, isStr, todo } from './util.js';

type Kind = 'normal' | 'uniform' | 'truncated';
const KINDS: Record<string, Kind> = {
  'tf.randomNormal': 'normal', 'tf.randomStandardNormal': 'normal', 'tf.randomUniform': 'uniform', 'tf.randomUniformInt': 'uniform',
  'tf.truncatedNormal': 'truncated',
};

/** An argument that is absent or the literal `value` (so the code can leave it out). */
const isDefault = (a: ArgInfo | undefined, value: number) => !a || (isNum(a) && a.value === value);

export const randomValues: Transformer = (site, row) => {
  const kind = KINDS[row.tf];
  if (!kind) return todo('unmapped', `${row.tf}: not a random creation op (transformer randomValues)`);
  const b = bindArgs(row, site);
  const shape = b.get('shape');
  if (!shape) return todo('no-equivalent', `${row.tf} without a shape`);
  const dtypeArg = b.get('dtype');
  let int = row.tf === 'tf.randomUniformInt';
  if (dtypeArg) {
    if (!isStr(dtypeArg)) {
      return todo('no-equivalent', `${row.tf}: the dtype (${dtypeArg.text}) is known only at run time, and tfjs rounds the values for 'int32'; write the dtype as a literal`);
    }
    if (dtypeArg.value === 'int32') int = true;
    else if (dtypeArg.value !== 'float32') return todo('no-equivalent', `${row.tf}: dtype '${dtypeArg.value}' is not supported (tfjs refuses it too)`);
  }
  const seed = b.get('seed');
  const generator = seed ? `new torch.Generator(${seed.text})` : null;
  const notes: NoteId[] = [];
  if (generator) notes.push('random-seed-generator');

  let out: string;
  if (kind === 'normal') {
    const mean = b.get('mean');
    const std = b.get('stdDev');
    out = `torch.randn(${shape.text}${generator ? `, { generator: ${generator} }` : ''})`;
    if (!isDefault(std, 1)) out += `.mul(${std!.text})`;
    if (!isDefault(mean, 0)) out += `.add(${mean!.text})`;
  } else if (kind === 'uniform') {
    const [loArg, hiArg] = [b.get('minval'), b.get('maxval')];
    const lo = loArg?.text ?? '0';
    const hi = hiArg?.text ?? '1';
    // Truncating [lo, hi) with integer lo ≥ 0 and hi is uniform over lo..hi-1: randint, said idiomatically.
    const intRange = (a: ArgInfo | undefined, dflt: number) => (a ? (isNum(a) && Number.isInteger(a.value) ? a.value : null) : dflt);
    const [l, h] = [intRange(loArg, 0), intRange(hiArg, 1)];
    if (int && l !== null && h !== null && l >= 0 && h > l) {
      return code(`torch.randint(${l}, ${h}, ${shape.text}${generator ? `, { generator: ${generator} }` : ''})`, [...notes, 'random-int-dtype']);
    }
    const args = generator ? `${lo}, ${hi}, ${generator}` : loArg || hiArg ? `${lo}, ${hi}` : '';
    out = `torch.empty(${shape.text}).uniform_(${args})`;
  } else {
    out = truncated(shape.text, b.get('mean'), b.get('stdDev'), generator);
  }
  if (int) {
    out += kind === 'uniform' ? `.to('int32')` : `.add(0.5).floor().to('int32')`;
    notes.push('random-int-dtype');
  }
  return code(out, notes);
};

/** tf.truncatedNormal: nn.init.truncNormal_ with bounds mean ± 2·std (computed when the arguments are literals). */
function truncated(shape: string, mean: ArgInfo | undefined, std: ArgInfo | undefined, generator: string | null): string {
  const opts = generator ? `, { generator: ${generator} }` : '';
  const m = mean ? (isNum(mean) ? mean.value : null) : 0;
  const s = std ? (isNum(std) ? std.value : null) : 1;
  if (m !== null && s !== null) {
    const r = (v: number) => Number(v.toPrecision(12));
    return `nn.init.truncNormal_(torch.empty(${shape}), ${m}, ${s}, ${r(m - 2 * s)}, ${r(m + 2 * s)}${opts})`;
  }
  const mt = mean ? `(${mean.text})` : '0';
  const st = std ? `(${std.text})` : '1';
  return `nn.init.truncNormal_(torch.empty(${shape}), ${mt}, ${st}, ${mt} - 2 * ${st}, ${mt} + 2 * ${st}${opts})`;
}

/**
 * tf.multinomial(logits, numSamples, seed?, normalized = false): tfjs samples with replacement from softmax(logits)
 * (or from the probabilities themselves when normalized is true); torch.multinomial takes weights and defaults to no
 * replacement, so the call always says `replacement: true`. A normalized flag known only at run time picks either
 * at run time.
 */
export const multinomial: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const logits = b.get('logits');
  const n = b.get('numSamples');
  if (!logits || !n) return todo('no-equivalent', `${row.tf} needs logits and numSamples`);
  const x = ensureTensor(logits);
  const normalized = b.get('normalized');
  const probs = !normalized || (isBool(normalized) && !normalized.value) ? `torch.softmax(${x}, -1)`
    : isBool(normalized) ? x
    : `((${normalized.text}) ? ${x} : torch.softmax(${x}, -1))`;
  const seed = b.get('seed');
  // tfjs's seed argument may be passed as undefined to reach `normalized`: only a real value seeds a generator.
  const seeded = seed && seed.text !== 'undefined' && seed.text !== 'null';
  const notes: NoteId[] = seeded ? ['random-seed-generator'] : [];
  return code(`torch.multinomial(${probs}, ${n.text}, { replacement: true${seeded ? `, generator: new torch.Generator(${seed.text})` : ''} })`, notes);
};
