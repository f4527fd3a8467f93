/**
 * nn.Upsample (F.interpolate nearest), nn.ZeroPad2d, nn.PReLU (F.prelu) and nn.Threshold (F.threshold): values
 * against hand-written float64 loops, gradients by float64 gradcheck, and the errors that name op and argument.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../runtime/torch.js';
import * as nn from '../runtime/nn/index.js';
import * as F from '../runtime/nn/functional.js';

const { gradcheck } = torch.autograd;
const f64 = (shape: number[], seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Array.from({ length: n }, (_, i) => Math.sin(seed + i * 1.37) * 2), { shape, dtype: 'float64' });
};

describe('nn.Upsample / F.interpolate (nearest)', () => {
  it('repeats every pixel scale times along each spatial dim ([N, C, H, W]), as PyTorch', () => {
    const x = f64([2, 3, 2, 3], 1);
    const y = new nn.Upsample({ scaleFactor: [2, 3] }).forward(x);
    expect(y.shape).toEqual([2, 3, 4, 9]);
    const xv = x.toArray() as number[][][][], yv = y.toArray() as number[][][][];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) for (let j = 0; j < 9; j++) {
      expect(yv[n][c][i][j]).toBe(xv[n][c][Math.floor(i / 2)][Math.floor(j / 3)]);
    }
  });

  it('takes a size instead (index ⌊i · in / out⌋) and 3-D input', () => {
    const x = f64([1, 1, 5], 2);
    const y = F.interpolate(x, { size: 3 });
    const xv = (x.toArray() as number[][][])[0][0];
    expect((y.toArray() as number[][][])[0][0]).toEqual([0, 1, 2].map((i) => xv[Math.floor((i * 5) / 3)]));
  });

  it('passes gradcheck in float64 (each input pixel gets the sum of its copies)', () => {
    expect(gradcheck((t) => F.interpolate(t, { scaleFactor: [2, 2] }), [f64([1, 2, 2, 3], 3)])).toBeLessThan(1e-6);
  });

  it('names the op and the argument on bad input', () => {
    expect(() => new nn.Upsample({})).toThrow(/Upsample: give exactly one of size and scaleFactor/);
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' as 'nearest' })).toThrow(/Upsample: mode 'bilinear' is not supported.*compat.image.resizeBilinear/);
    expect(() => F.interpolate(f64([2, 3], 0), { scaleFactor: 2 })).toThrow(/interpolate: expected a 3-D \[N, C, L\] or 4-D \[N, C, H, W\] input, got \[2, 3\]/);
    expect(() => F.interpolate(f64([1, 1, 2, 2], 0), { scaleFactor: [2, 2, 2] })).toThrow(/interpolate: scaleFactor must be a positive number or 2 of them/);
  });
});

describe('nn.ZeroPad2d', () => {
  it('pads [left, right, top, bottom] with zeros (PyTorch order), and one number on every side', () => {
    const x = f64([1, 1, 2, 2], 4);
    const y = new nn.ZeroPad2d([1, 2, 0, 3]).forward(x);
    expect(y.shape).toEqual([1, 1, 5, 5]);
    const xv = (x.toArray() as number[][][][])[0][0], yv = (y.toArray() as number[][][][])[0][0];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(yv[i][j]).toBe(i < 2 && j >= 1 && j < 3 ? xv[i][j - 1] : 0);
    expect(new nn.ZeroPad2d(1).forward(x).shape).toEqual([1, 1, 4, 4]);
    expect(new nn.ZeroPad2d(1).padding).toEqual([1, 1, 1, 1]);
  });

  it('passes gradcheck in float64', () => {
    expect(gradcheck((t) => new nn.ZeroPad2d([2, 0, 1, 1]).forward(t), [f64([2, 1, 2, 3], 5)])).toBeLessThan(1e-6);
  });

  it('names the op and the argument on bad padding', () => {
    expect(() => new nn.ZeroPad2d([1, 2] as unknown as [number, number, number, number])).toThrow(/ZeroPad2d: padding must be an integer or \[left, right, top, bottom\]/);
  });
});

describe('nn.PReLU / F.prelu', () => {
  it('is x for x > 0 and a·x otherwise, one a per channel on dim 1', () => {
    const x = f64([2, 3, 2, 2], 6);
    const m = new nn.PReLU(3, { dtype: 'float64' });
    torch.noGrad(() => m.weight.copy_(torch.tensor([0.1, -0.5, 2], { dtype: 'float64' })));
    const xv = x.toArray() as number[][][][], yv = m.forward(x).toArray() as number[][][][];
    const a = [0.1, -0.5, 2];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      const v = xv[n][c][i][j];
      expect(yv[n][c][i][j]).toBeCloseTo(v > 0 ? v : a[c] * v, 12);
    }
    expect(Array.from(new nn.PReLU().weight.dataSync())).toEqual([0.25]);
    expect(Array.from(new nn.PReLU(2, { init: 0 }).weight.dataSync())).toEqual([0, 0]);
  });

  it('passes gradcheck in float64 (input and weight)', () => {
    expect(gradcheck((t, w) => F.prelu(t, w), [f64([2, 3, 4], 7), torch.tensor([0.3, -0.2, 0.7], { dtype: 'float64' })])).toBeLessThan(1e-6);
    expect(gradcheck((t, w) => F.prelu(t, w), [f64([3, 5], 8), torch.tensor([0.4], { dtype: 'float64' })])).toBeLessThan(1e-6);
  });

  it('names the op and the argument when the channels do not match', () => {
    expect(() => new nn.PReLU(4).forward(torch.zeros([2, 3]))).toThrow(/prelu: weight \[4\] needs the input's dim 1 to be 4 \(channels first\), got input \[2, 3\]/);
    expect(() => new nn.PReLU(0)).toThrow(/PReLU: numParameters must be a positive integer, got 0/);
  });
});

describe('nn.Threshold / F.threshold', () => {
  it('keeps x above the threshold and writes value elsewhere; the gradient is 1 above, 0 below', () => {
    const x = torch.tensor([-1, 0.5, 1, 1.5, 3], { dtype: 'float32' }).requiresGrad_();
    const y = new nn.Threshold(1, 0).forward(x);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 1.5, 3]);
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(F.threshold(torch.tensor([0, 2], { dtype: 'float32' }), 1, -7).dataSync())).toEqual([-7, 2]);
    expect(() => F.threshold(torch.tensor([1, 2], { dtype: 'int32' }), 1, 0)).toThrow(/threshold/);
  });
});
