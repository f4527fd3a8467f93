/**
 * Error messages as a table (typescript-eslint's `invalid` cases): each bad call, the error class, and the
 * fragments its message must contain — the op, the argument, the shapes, and what to do instead.
 */
import { bugLabel } from '../support/op_case.js';
import { describe, expect, test } from 'vitest';
import * as torch from '../../runtime/torch.js';
import { functional as F } from '../support/torch_api.js';

interface ErrorCase {
  name: string;
  call: () => unknown;
  type: ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor;
  /** Fragments the message must contain, in any order. */
  says: string[];
  knownBug?: string;
}

const showBugs = !!process.env.TORCHBRIDGE_SHOW_KNOWN_BUGS;
const z = (...shape: number[]) => torch.zeros(shape);
const disposed = () => { const t = torch.ones(2); t.dispose(); return t; };

const ERRORS: ErrorCase[] = [
  { name: 'matmul: inner dims differ (MNIST layer with the wrong weight)', call: () => torch.matmul(z(64, 784), z(50, 10)), type: RangeError, says: ['matmul', 'input [64, 784]', 'other [50, 10]', 'cannot be multiplied'] },
  { name: 'matmul: batch dims do not broadcast', call: () => torch.matmul(z(2, 3, 4), z(3, 4, 5)), type: RangeError, says: ['matmul', 'batch', '[2]', '[3]'] },
  { name: 'matmul: 0-d operand', call: () => torch.matmul(torch.tensor(1.5), z(2)), type: RangeError, says: ['matmul', 'at least 1 dimension', 'input []'] },
  { name: 'bmm: batch sizes differ', call: () => torch.bmm(z(2, 3, 4), z(3, 4, 5)), type: RangeError, says: ['bmm', 'input [2, 3, 4]', 'mat2 [3, 4, 5]'] },
  { name: 'add: shapes do not broadcast', call: () => torch.add(z(3, 4), z(5)), type: RangeError, says: ['add', 'input [3, 4]', 'other [5]', 'broadcast'] },
  { name: 'where: condition and input do not broadcast', call: () => torch.where(torch.tensor([true, false]), z(3), z(3)), type: RangeError, says: ['where', 'condition [2]', 'input [3]'] },
  { name: 'add_: an in-place op cannot broadcast self', call: () => z(3).add_(z(2, 3)), type: RangeError, says: ['add_', '[2, 3]', '[3]', 'in-place'] },
  { name: 'reshape: size does not match', call: () => z(3, 4).reshape(5, 2), type: RangeError, says: ['reshape', '[5, 2]', 'size 12'] },
  { name: 'reshape: two -1 dims', call: () => z(3, 4).reshape(-1, -1), type: RangeError, says: ['reshape', 'only one dimension can be -1'] },
  { name: 'view: incompatible strides points to reshape', call: () => z(3, 4).T.view(12), type: Error, says: ['view', '[12]', '[4, 3]', 'strides', '.reshape('] },
  { name: 'expand: non-singleton dim', call: () => z(3, 2).expand(3, 4), type: RangeError, says: ['expand', 'size 4', 'size 2', '[3, 2]'] },
  { name: 'permute: not a permutation', call: () => z(2, 3).permute(0, 0), type: RangeError, says: ['permute', '[0, 0]', '[2, 3]'] },
  { name: 'narrow: past the end', call: () => z(3, 2).narrow(0, 2, 2), type: RangeError, says: ['narrow', 'start (2)', 'length (2)', 'size (3)'] },
  { name: 'select: index out of range', call: () => z(3, 2).select(1, 2), type: RangeError, says: ['select', 'index 2', 'dim 1', 'size 2'] },
  { name: 'sum: dim out of range', call: () => z(2, 3).sum(2), type: RangeError, says: ['sum', 'dim=2', '2 dimension(s)', '-2..1'] },
  { name: 'sum: repeated dim', call: () => z(2, 3).sum([1, 1]), type: RangeError, says: ['sum', 'multiple times'] },
  { name: 'topk: k larger than the dim', call: () => z(2, 3).topk(4), type: RangeError, says: ['topk', 'k must be an integer in [0, 3]', 'shape [2, 3]', 'got 4'] },
  { name: 'multinomial: a row of zeros', call: () => torch.multinomial(torch.tensor([[0.5, 0.5], [0, 0]]), 1), type: RangeError, says: ['multinomial', 'row 1', 'not a distribution', 'without replacement'] },
  { name: 'multinomial: a negative weight', call: () => torch.multinomial(torch.tensor([0.5, -0.1, 1]), 2, { replacement: true }), type: RangeError, says: ['multinomial', 'row 0', '>= 0'] },
  { name: 'multinomial: more samples than categories without replacement', call: () => torch.multinomial(torch.tensor([1, 1], { dtype: 'float32' }), 3), type: RangeError, says: ['multinomial', 'cannot draw 3 samples', '2 categories', 'replacement: true'] },
  { name: 'multinomial: too few non-zero weights without replacement', call: () => torch.multinomial(torch.tensor([1, 0, 0], { dtype: 'float32' }), 2), type: RangeError, says: ['multinomial', 'row 0', 'at least 2 non-zero'] },
  { name: 'cat: sizes differ off the cat dim', call: () => torch.cat([z(2, 3), z(2, 4)]), type: RangeError, says: ['cat', 'tensors[0] is [2, 3]', 'tensors[1] is [2, 4]'] },
  { name: 'stack: unequal shapes', call: () => torch.stack([z(2, 3), z(3, 2)]), type: RangeError, says: ['stack', '[2, 3]', '[3, 2]', 'entry 1'] },
  { name: 'split: sections do not sum to the size', call: () => z(5).split([2, 2]), type: RangeError, says: ['split', '[2, 2]', 'sum to 4', 'size 5'] },
  { name: 'gather: index out of range', call: () => torch.gather(z(3, 4), 1, torch.tensor([[5]])), type: RangeError, says: ['gather', 'index 5', 'out of bounds', 'dim 1', 'size 4'] },
  { name: 'gather: float index', call: () => torch.gather(z(3, 4), 1, torch.tensor([[0.5]])), type: TypeError, says: ['gather', 'index', 'int32', 'float32', '.int()'] },
  { name: 'gather: index rank differs', call: () => torch.gather(z(3, 4), 1, torch.tensor([1])), type: RangeError, says: ['gather', 'index [1]', 'input [3, 4]'] },
  { name: 'scatter: index out of range', call: () => torch.scatter(z(3, 4), 1, torch.tensor([[4]]), 1), type: RangeError, says: ['scatter', 'index 4', 'dim 1', 'size 4'] },
  { name: 'indexSelect: index out of range names indexSelect', call: () => torch.indexSelect(z(3, 4), 0, torch.tensor([3])), type: RangeError, says: ['indexSelect', 'index 3', 'size 3'] },
  { name: 'maskedFill: non-bool mask', call: () => z(3).maskedFill(torch.tensor([1, 0, 1]), 0), type: TypeError, says: ['maskedFill', 'mask', 'bool', 'int32'] },
  { name: 'add: a JS array instead of a tensor suggests torch.tensor', call: () => torch.add([1, 2] as never, z(2)), type: TypeError, says: ['add', "'input'", 'array', 'torch.tensor('] },
  { name: 'add: a JS array as other', call: () => z(2).add([1, 2] as never), type: TypeError, says: ['add', "'other'", 'torch.tensor('] },
  { name: 'matmul: a JS array', call: () => torch.matmul([1, 2] as never, z(2)), type: TypeError, says: ['matmul', "'input'", 'torch.tensor('] },
  { name: 'sum: null', call: () => torch.sum(null as never), type: TypeError, says: ['sum', "'input'", 'null'] },
  { name: 'dataSync after dispose', call: () => disposed().dataSync(), type: Error, says: ['dataSync', 'disposed', 'shape [2]', 'keep()'] },
  { name: 'item after dispose', call: () => { const t = torch.ones(1); t.dispose(); return t.item(); }, type: Error, says: ['item', 'disposed', 'shape [1]'] },
  { name: 'an op on a disposed tensor', call: () => disposed().add(1), type: Error, says: ['add', 'disposed', 'shape [2]'] },
  { name: 'using a tensor that tidy disposed', call: () => { let leaked = z(1); torch.tidy(() => { leaked = torch.ones(2); }); return leaked.exp(); }, type: Error, says: ['exp', 'disposed', 'tidy()', 'keep()'] },
  { name: 'item: more than one element', call: () => z(2, 3).item(), type: RangeError, says: ['item', '6 elements', '[2, 3]'] },
  { name: 'size: dim out of range', call: () => z(2).size(3), type: RangeError, says: ['size', 'dim=3', '[2]'] },
  { name: 'mean: integer input', call: () => torch.mean(torch.tensor([1, 2])), type: TypeError, says: ['mean', 'int32', 'float()'] },
  { name: 'softmax: integer input', call: () => torch.softmax(torch.tensor([1, 2]), 0), type: TypeError, says: ['softmax', 'int32', '.float()'] },
  { name: 'conv2d: NHWC input is recognised', call: () => torch.conv2d(z(1, 28, 28, 3), z(8, 3, 3, 3)), type: RangeError, says: ['conv2d', 'input [1, 28, 28, 3]', 'weight [8, 3, 3, 3]', 'NHWC', 'NCHW'] },
  { name: 'conv2d: bias size', call: () => torch.conv2d(z(1, 3, 5, 5), z(8, 3, 3, 3), z(4)), type: RangeError, says: ['conv2d', 'bias', '[8]', '[4]'] },
  { name: 'conv2d: groups must divide channels', call: () => torch.conv2d(z(1, 3, 5, 5), z(8, 1, 3, 3), null, { groups: 2 }), type: RangeError, says: ['conv2d', 'groups=2', 'in_channels (3)', 'out_channels (8)'] },
  { name: 'maxPool2d: padding over half the kernel', call: () => F.maxPool2d(z(1, 1, 4, 4), 2, { padding: 2 }), type: RangeError, says: ['maxPool2d', 'padding [2, 2]', 'kernel size [2, 2]'] },
  { name: 'maxPool2d: input smaller than the kernel', call: () => F.maxPool2d(z(1, 1, 2, 2), 3), type: RangeError, says: ['maxPool2d', 'input [1, 1, 2, 2]', 'kernel [3, 3]', 'empty'] },
  { name: 'backward: non-scalar output without a gradient', call: () => torch.zeros(2, { requiresGrad: true }).mul(2).backward(), type: Error, says: ['backward', 'scalar outputs', 'shape [2]'] },
  { name: 'backward: output that does not require grad', call: () => z(2).sum().backward(), type: Error, says: ['backward', 'does not require grad', 'noGrad()'] },
  { name: 'requiresGrad on an int tensor', call: () => torch.tensor([1, 2], { requiresGrad: true }), type: TypeError, says: ['tensor', 'floating-point', 'int32'] },
  { name: "to('webgpu') without the backend", call: () => z(2).to('webgpu'), type: Error, says: ["'webgpu'", 'not available', 'webgpu'] },
  { name: 'to: unknown dtype', call: () => z(2).to('float16' as never), type: TypeError, says: ['to', "'float16'", 'float32', 'cpu'] },
  { name: 'device: unknown device', call: () => torch.device('cuda'), type: TypeError, says: ['device', "'cuda'", 'cpu, webgpu'] },
  { name: 'tensor: ragged nested array', call: () => torch.tensor([[1, 2], [3]]), type: RangeError, says: ['tensor', 'ragged', '[1]'] },
  { name: 'zeros: negative size', call: () => torch.zeros(-1, 2), type: RangeError, says: ['zeros', '[-1, 2]'] },
  { name: 'arange: zero step', call: () => torch.arange(0, 5, 0), type: RangeError, says: ['arange', 'step'] },
  { name: 'randint: empty range', call: () => torch.randint(5, 5, [3]), type: RangeError, says: ['randint', 'high (5)', 'low (5)'] },
  { name: 'clamp: no bounds', call: () => z(3).clamp(), type: TypeError, says: ['clamp', "'min'", "'max'"] },
];

describe('error messages name the op, the argument and the shapes', () => {
  for (const e of ERRORS) {
    const run = () => {
      let err: unknown = null;
      try { e.call(); } catch (x) { err = x; }
      expect(err, 'expected an error').toBeInstanceOf(e.type);
      const msg = (err as Error).message;
      for (const s of e.says) expect(msg).toContain(s);
    };
    if (e.knownBug && !showBugs) test.fails(`${e.name} [${bugLabel(e.knownBug)}]`, run);
    else test(e.name, run);
  }
});

describe('in-place and autograd misuse', () => {
  test('in-place on a leaf that requires grad', () => {
    expect(() => torch.ones(2, { requiresGrad: true }).mul_(2)).toThrow(/mul_: a leaf tensor that requires grad \(shape \[2\]\).*torch\.noGrad/);
  });

  test('modified by an in-place operation names the node and versions', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = x.mul(2);
    const z2 = y.exp();
    y.mul_(2);
    expect(() => z2.sum().backward()).toThrow(/modified by an in-place operation.*shape \[2\].*ExpBackward.*version 1; expected version 0/);
  });

  test('autograd.grad on a tensor that does not require grad names the input', () => {
    expect(() => torch.autograd.grad(torch.ones(1, { requiresGrad: true }).sum(), torch.ones(3))).toThrow(/inputs\[0\] \(shape \[3\]\) does not require grad/);
  });
});
