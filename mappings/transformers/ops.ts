/** Transformers for ops whose arguments need more than a template: flags, layouts, literal conversions. */
import type { ArgInfo, NoteId, Transformer } from '../schema.js';
import { bindArgs, ensureTensor, render } from '../template.js';
import { code, isBool, isNum, isStr, numbers, recv, todo } from './util.js';

const tensorRecv = (a: ArgInfo): string => {
  const t = ensureTensor(a);
  return t === a.text ? recv(a) : t;
};

/** tf.matMul(a, b, transposeA, transposeB): transposes become `.mT`. */
export const matMul: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const [a, c] = [b.get('a'), b.get('b')];
  if (!a || !c) return todo('no-equivalent', 'matMul needs two operands');
  // A flag known only at run time picks the operand there (one branch runs, so the operand is evaluated once).
  const side = (x: ArgInfo, flag: ArgInfo | undefined): string => {
    if (!flag || (isBool(flag) && !flag.value)) return ensureTensor(x);
    if (isBool(flag)) return `${tensorRecv(x)}.mT`;
    return `(${flag.text} ? ${tensorRecv(x)}.mT : ${ensureTensor(x)})`;
  };
  return code(`torch.matmul(${side(a, b.get('transposeA'))}, ${side(c, b.get('transposeB'))})`);
};

/** tf.split(x, n | sizes, axis): a count is torch.chunk, sizes are torch.split. */
export const split: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const n = b.get('numOrSizeSplits');
  const x = b.get('x');
  if (!n || !x) return todo('no-equivalent', 'split needs a tensor and a count or sizes');
  const axis = b.get('axis');
  const tail = axis ? `, ${axis.text}` : '';
  const isCount = n.kind === 'number' || (n.typeText !== undefined && /^number$/.test(n.typeText));
  const isSizes = n.kind === 'array' || (n.typeText !== undefined && /\[\]$|^Array</.test(n.typeText));
  if (isCount) return code(`torch.chunk(${ensureTensor(x)}, ${n.text}${tail})`);
  if (isSizes) return code(`torch.split(${ensureTensor(x)}, ${n.text}${tail})`);
  return todo('split-unknown', 'tf.split: is the second argument a count (torch.chunk) or sizes (torch.split)?');
};

/** tf.slice(x, begin, size): one narrow (or open-ended slice) per dimension that is cut. */
export const slice: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const x = b.get('x');
  const begin = b.get('begin');
  const size = b.get('size');
  if (!x || !begin) return todo('slice-dynamic', 'tf.slice without begin');
  // What narrow cannot say statically — a begin or size list held in a variable, a size that might be -1 at run time
  // ("to the end") — goes to compat.slice, tfjs's own rules applied when the values are known.
  const atRunTime = () => code(`compat.slice(${x.text}, ${begin.text}${size ? `, ${size.text}` : ''})`, ['slice-runtime']);
  const beginEls: ArgInfo[] | null = begin.kind === 'number' || begin.kind === 'identifier' && begin.typeText === 'number' ? [begin] : begin.kind === 'array' ? begin.elements ?? null : null;
  if (!beginEls) return atRunTime();
  let sizeEls: (ArgInfo | null)[];
  if (!size) sizeEls = beginEls.map(() => null);
  else if (size.kind === 'number') sizeEls = [size];
  else if (size.kind === 'array' && size.elements) sizeEls = size.elements;
  else return atRunTime();
  const known = (s: ArgInfo) => isNum(s) || (s.kind === 'identifier' && typeof s.value === 'number');
  if (sizeEls.some((s) => s !== null && !known(s))) return atRunTime();
  let out = tensorRecv(x);
  let cuts = 0;
  beginEls.forEach((bg, dim) => {
    const sz = sizeEls[dim] ?? null;
    const open = sz === null || sz.value === -1;
    if (open && isNum(bg) && bg.value === 0) return;
    out += open ? `.slice(${dim}, ${bg.text})` : `.narrow(${dim}, ${bg.text}, ${sz.text})`;
    cuts++;
  });
  return code(cuts ? out : `${out}.clone()`);
};

/** tf.pad(x, [[before, after], ...], value): F.pad wants last-dimension-first pairs, flattened. */
export const pad: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const x = b.get('x');
  const paddings = b.get('paddings');
  if (!x || !paddings) return todo('pad-dynamic', 'tf.pad needs paddings');
  const pairs = paddings.kind === 'array' ? paddings.elements : null;
  if (!pairs || !pairs.every((p) => p.kind === 'array' && p.elements?.length === 2)) {
    // pad1d takes one [before, after] pair.
    if (paddings.kind === 'array' && paddings.elements?.length === 2 && paddings.elements.every((e) => e.kind !== 'array')) {
      const [l, r] = paddings.elements;
      return code(`F.pad(${ensureTensor(x)}, [${l.text}, ${r.text}]${valueOpt(b.get('constantValue'))})`);
    }
    // Paddings known only at run time: tfjs's pairs converted there.
    // (tf.pad1d's paddings are one flat [before, after] pair.)
    const list = row.tf === 'tf.pad1d' ? `[${paddings.text}]` : paddings.text;
    return code(`compat.pad(${ensureTensor(x)}, ${list}${b.get('constantValue') ? `, ${b.get('constantValue')!.text}` : ''})`, ['pad-runtime']);
  }
  const flat = [...pairs].reverse().flatMap((p) => p.elements!.map((e) => e.text));
  return code(`F.pad(${ensureTensor(x)}, [${flat.join(', ')}]${valueOpt(b.get('constantValue'))})`);
};
const valueOpt = (v: ArgInfo | undefined) => (v ? `, { value: ${v.text} }` : '');

/** tf.reverse(x, axis?): flip needs a list of dims. */
export const reverse: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const x = b.get('x');
  if (!x) return todo('no-equivalent', 'reverse needs a tensor');
  const axis = b.get('axis');
  const r = tensorRecv(x);
  if (!axis) {
    if (x.kind !== 'identifier') return todo('no-equivalent', 'tf.reverse of all axes: bind the tensor to a const, then flip([...Array(x.ndim).keys()])');
    return code(`${r}.flip([...Array(${x.text}.ndim).keys()])`);
  }
  if (axis.kind === 'number' || axis.typeText === 'number') return code(`${r}.flip([${axis.text}])`);
  if (axis.kind === 'array' || (axis.typeText && /\[\]$/.test(axis.typeText))) return code(`${r}.flip(${axis.text})`);
  return code(`${r}.flip([${axis.text}].flat())`);
};

/** tf.norm(x, ord, axis, keepDims): 'euclidean' is p = 2. */
export const norm: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const x = b.get('x');
  if (!x) return todo('no-equivalent', 'norm needs a tensor');
  const ord = b.get('ord');
  let p = '2';
  if (ord) {
    if (isStr(ord)) {
      if (ord.value === 'euclidean') p = '2';
      else if (ord.value === 'fro') p = "'fro'";
      else return todo('norm-ord', `norm ord '${ord.value}'`);
    } else if (isNum(ord) || ord.text === 'Infinity' || ord.text === '-Infinity') p = ord.text;
    else return todo('norm-ord', 'norm ord that is not a literal');
  }
  const axis = b.get('axis');
  const keep = b.get('keepDims');
  return code(`torch.norm(${ensureTensor(x)}, ${p}${axis || keep ? `, ${axis ? axis.text : 'null'}` : ''}${keep ? `, ${keep.text}` : ''})`);
};

function convCommon(site: Parameters<Transformer>[0], row: Parameters<Transformer>[1], dims: 1 | 2): ReturnType<Transformer> {
  const b = bindArgs(row, site);
  const x = b.get('x');
  const filter = b.get('filter');
  if (!x || !filter) return todo('no-equivalent', 'conv needs input and filter');
  const fmt = b.get('dataFormat');
  const channelsFirst = fmt && isStr(fmt) && (fmt.value === 'NCHW' || fmt.value === 'NCW');
  if (fmt && !isStr(fmt)) return todo('no-equivalent', 'conv dataFormat that is not a literal');
  const stride = b.get(dims === 2 ? 'strides' : 'stride');
  const padArg = b.get('pad');
  const dil = b.get(dims === 2 ? 'dilations' : 'dilation');
  const notes: NoteId[] = [];
  let padding: string;
  if (!padArg) padding = "'valid'";
  else if (isStr(padArg) && (padArg.value === 'same' || padArg.value === 'valid')) padding = padArg.text;
  else if (isNum(padArg)) padding = padArg.text;
  else return todo('no-equivalent', 'explicit per-side conv padding: pass padding [top, bottom, left, right] in NCHW terms');
  const strideNums = stride ? (isNum(stride) ? [stride.value] : numbers(stride)) : [1];
  if (isStr(padArg) && padArg.value === 'same' && (!strideNums || strideNums.some((s) => s > 1))) notes.push('same-padding-asymmetric');
  const opts = [`stride: ${stride ? stride.text : '1'}`, `padding: ${padding}`];
  if (dil) opts.push(`dilation: ${dil.text}`);
  const [inPerm, wPerm, outPerm] = dims === 2 ? ['0, 3, 1, 2', '3, 2, 0, 1', '0, 2, 3, 1'] : ['0, 2, 1', '2, 1, 0', '0, 2, 1'];
  const xIn = channelsFirst ? ensureTensor(x) : `${tensorRecv(x)}.permute(${inPerm})`;
  const body = `torch.conv${dims}d(${xIn}, ${tensorRecv(filter)}.permute(${wPerm}), null, { ${opts.join(', ')} })`;
  return code(channelsFirst ? body : `${body}.permute(${outPerm})`, notes);
}

/** tf.conv2d (NHWC input, HWIO filter) → torch.conv2d on NCHW/OIHW with permutes around it. */
export const conv2d: Transformer = (site, row) => convCommon(site, row, 2);
/** tf.conv1d (NWC input, WIO filter) → torch.conv1d on NCW/OIW. */
export const conv1d: Transformer = (site, row) => convCommon(site, row, 1);

/** tf.maxPool/avgPool (NHWC): F.maxPool2d/avgPool2d on NCHW; 'same' padding only where it is symmetric. */
export const pool2d: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const x = b.get('x');
  const k = b.get('filterSize');
  if (!x || !k) return todo('no-equivalent', 'pooling needs input and filter size');
  const stride = b.get('strides');
  const padArg = b.get('pad');
  const avg = row.tf.toLowerCase().includes('avg');
  const ks = isNum(k) ? [k.value, k.value] : numbers(k);
  const ss = stride ? (isNum(stride) ? [stride.value, stride.value] : numbers(stride)) : ks;
  const opts = [`stride: ${stride ? stride.text : k.text}`];
  if (padArg && isStr(padArg) && padArg.value === 'same') {
    if (!ks || !ss || ss.some((s) => s !== 1) || ks.some((v) => v % 2 === 0)) {
      return todo('no-equivalent', "pooling with padding 'same' and stride > 1 (or an even window) pads asymmetrically depending on the input size; pad with F.pad first");
    }
    opts.push(`padding: ${ks[0] === ks[1] ? (ks[0] - 1) / 2 : `[${(ks[0] - 1) / 2}, ${(ks[1] - 1) / 2}]`}`);
    if (avg) opts.push('countIncludePad: false');
  } else if (padArg && isNum(padArg) && padArg.value !== 0) {
    opts.push(`padding: ${padArg.text}`);
    if (avg) opts.push('countIncludePad: false');
  } else if (padArg && !(isStr(padArg) && padArg.value === 'valid') && !isNum(padArg)) {
    return todo('no-equivalent', 'pooling padding that is not a literal');
  }
  return code(`F.${avg ? 'avgPool2d' : 'maxPool2d'}(${tensorRecv(x)}.permute(0, 3, 1, 2), ${k.text}, { ${opts.join(', ')} }).permute(0, 2, 3, 1)`);
};

/** Tensor.concat/stack(x, axis): tfjs puts the receiver first; x is a tensor or a list of tensors. */
export const selfFirstList: Transformer = (site, row) => {
  const b = bindArgs(row, site);
  const self = b.get('self');
  const x = b.get('x');
  if (!self || !x) return todo('no-equivalent', 'concat/stack need tensors');
  let list: string;
  if (x.kind === 'array' && x.elements) list = `[${[self.text, ...x.elements.map((e) => e.text)].join(', ')}]`;
  else if (x.valueKind === 'Tensor' || x.valueKind === 'Variable') list = `[${self.text}, ${x.text}]`;
  else list = `[${self.text}].concat(${x.text})`;
  const r = render({ params: ['list', 'axis?'], target: `${row.tf === 'Tensor.concat' ? 'torch.cat' : 'torch.stack'}($list{{, $axis}})` },
    { args: [{ text: list, kind: 'expression', simple: false }, ...(b.get('axis') ? [b.get('axis')!] : [])], awaited: site.awaited });
  return r.ok ? code(r.code) : todo('no-equivalent', 'concat/stack');
};
