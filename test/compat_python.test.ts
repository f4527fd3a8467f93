/**
 * The compat helpers migrated TF2 Python calls: Python's format-spec and %-formatting (outputs as CPython
 * prints them), str(), range/zip/enumerate; Keras's streaming metrics (values worked out by hand) and
 * apply_gradients (same update as optimizer.step with the same gradients).
 */
import { describe, expect, it } from 'vitest';
import { compat, torch, optim } from 'torchbridge';

const { format, percent, str, range, zip, enumerate } = compat.py;

describe('compat.py', () => {
  it('format follows Python\'s format spec', () => {
    expect(format(3.14159, '.2f')).toBe('3.14');
    expect(format(42, '5d')).toBe('   42');
    expect(format(42, '<5d')).toBe('42   ');
    expect(format(42, '05d')).toBe('00042');
    expect(format(-3.5, '+.1f')).toBe('-3.5');
    expect(format(3.5, '+.1f')).toBe('+3.5');
    expect(format(0.256, '.1%')).toBe('25.6%');
    expect(format(1234567.891, ',.2f')).toBe('1,234,567.89');
    expect(format(12345.678, '.3e')).toBe('1.235e+04');
    expect(format(0.0001234, 'g')).toBe('0.0001234');
    expect(format(255, 'x')).toBe('ff');
    expect(format('ab', '^6')).toBe('  ab  ');
    expect(format(torch.tensor(0.5), '.3f')).toBe('0.500');
    expect(() => format(torch.tensor([1, 2]), '.2f')).toThrow(/needs a number, got a tensor of shape \[2\]/);
  });

  it('percent is printf-style formatting', () => {
    expect(percent('%d items, %.1f%%', [3, 12.345])).toBe('3 items, 12.3%');
    expect(percent('%5.2f|%-4d|%s|%r', [3.14159, 7, 'x', 'y'])).toBe(' 3.14|7   |x|\'y\'');
    expect(percent('acc %.2f', torch.tensor(0.915))).toBe('acc 0.92');
    expect(() => percent('%d %d', [1])).toThrow(/not enough arguments/);
    expect(() => percent('%d', [1, 2])).toThrow(/not all arguments converted/);
  });

  it('str, range, zip, enumerate', () => {
    expect(str(true)).toBe('True');
    expect(str(null)).toBe('None');
    expect(str([1, 'a'])).toBe("[1, 'a']");
    expect(range(3)).toEqual([0, 1, 2]);
    expect(range(5, 0, -2)).toEqual([5, 3, 1]);
    expect(() => range(0, 3, 0)).toThrow(/step must not be zero/);
    expect(zip([1, 2, 3], ['a', 'b'])).toEqual([[1, 'a'], [2, 'b']]);
    expect([...enumerate(['a', 'b'], 1)]).toEqual([[1, 'a'], [2, 'b']]);
  });
});

describe('compat.keras', () => {
  it('Mean and SparseCategoricalAccuracy accumulate over batches; reset starts again', () => {
    const mean = new compat.keras.Mean();
    mean.updateState(torch.tensor([1, 2], { dtype: 'float32' }));
    mean.updateState(6);
    expect(mean.result().item()).toBeCloseTo(3, 6);
    const acc = new compat.keras.SparseCategoricalAccuracy();
    acc.updateState(torch.tensor([0, 1], { dtype: 'int32' }), torch.tensor([[0.9, 0.1], [0.8, 0.2]]));
    acc.updateState(torch.tensor([1], { dtype: 'int32' }), torch.tensor([[0.3, 0.7]]));
    expect(acc.result().item()).toBeCloseTo(2 / 3, 6);
    acc.resetStates();
    expect(acc.result().item()).toBe(0);
    expect(() => acc.updateState(torch.tensor([0, 1], { dtype: 'int32' }), torch.tensor([[0.3, 0.7]]))).toThrow(/yTrue has 2 labels but yPred 1 predictions/);
  });

  it('applyGradients sets each gradient and steps, as Keras applies them', () => {
    const w = torch.tensor([1, 2], { dtype: 'float32' }).requiresGrad_();
    const b = torch.tensor([0.5], { dtype: 'float32' }).requiresGrad_();
    const opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
    compat.keras.applyGradients(opt, [[torch.tensor([1, 1], { dtype: 'float32' }), w], [null, b]]);
    expect(Array.from(w.dataSync())).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(Array.from(b.dataSync())).toEqual([0.5]);
    expect(() => compat.keras.applyGradients(opt, [[torch.tensor([1], { dtype: 'float32' }), w]])).toThrow(/gradient \[1\] does not match variable \[2\]/);
  });

  it('mnistLoadData gives Keras\'s shapes and 0..255 pixel values', () => {
    const [[x, y], [xt, yt]] = compat.keras.mnistLoadData({ limit: 10 });
    expect(x.shape).toEqual([10, 28, 28]);
    expect(y.shape).toEqual([10]);
    expect(y.dtype).toBe('int32');
    expect(xt.shape).toEqual([10, 28, 28]);
    expect(yt.shape).toEqual([10]);
    expect(x.max().item()).toBe(255);
    expect(Number.isInteger(x.sum().item())).toBe(true);
  });
});
