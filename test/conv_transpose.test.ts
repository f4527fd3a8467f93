/**
 * compat.conv2dTranspose against tf.conv2dTranspose: values and both gradients on the paddings TensorFlow computes
 * from outputShape (the odd 'same' row included), batched and 3-D, and the errors naming the argument; torch's
 * convTranspose2d as conv2d's adjoint; nn.ConvTranspose2d (PyTorch's layout, init and output size). The op itself
 * is in the op table (test/ops/cases/conv.ts: tfjs, a float64 definition, gradchecks, on cpu and webgpu).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compat, torch, nn, F, Tensor } from '../runtime/index.js';

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

type Pad = 'same' | 'valid' | number;
const CASES: [string, number[], number[], number[], number | [number, number], Pad][] = [
  ['k 3, stride 2, same, odd output', [2, 4, 4, 3], [3, 3, 5, 3], [2, 7, 7, 5], 2, 'same'],
  ['k 3, stride 2, same, even output (TF pads the bottom)', [1, 4, 3, 2], [3, 3, 3, 2], [1, 8, 6, 3], 2, 'same'],
  ['k 4, stride 2, valid', [1, 3, 3, 2], [4, 4, 2, 2], [1, 8, 8, 2], 2, 'valid'],
  ['k [2, 3], strides 2, pad 1', [1, 4, 3, 2], [2, 3, 2, 2], [1, 6, 5, 2], 2, 1],
  ['3-D input', [5, 5, 2], [3, 3, 1, 2], [5, 5, 1], 1, 'same'],
];

describe('compat.conv2dTranspose ≡ tf.conv2dTranspose', () => {
  it.each(CASES)('%s: output and the gradients of x and filter', (_, xs, fs, out, strides, pad) => {
    const xv = values(size(xs), 3), fv = values(size(fs), 11), gv = values(size(out), 5);
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, out as [number, number, number, number], strides, pad);
    const ref = f(tf.tensor(xv, xs), tf.tensor(fv, fs));
    const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w))([tf.tensor(xv, xs), tf.tensor(fv, fs)], tf.tensor(gv, out));
    const x = torch.tensor(xv, { dtype: 'float32', shape: xs }).requiresGrad_();
    const w = torch.tensor(fv, { dtype: 'float32', shape: fs }).requiresGrad_();
    const ours = compat.conv2dTranspose(x, w, out, strides, pad);
    expect(ours.shape).toEqual(ref.shape);
    close((ours.flatten().toArray() as number[]), ref.dataSync());
    ours.mul(torch.tensor(gv, { dtype: 'float32', shape: out })).sum().backward();
    close(((x.grad as Tensor).flatten().toArray() as number[]), gx.dataSync());
    close(((w.grad as Tensor).flatten().toArray() as number[]), gw.dataSync());
  });

  it('refuses what tfjs refuses, naming the argument', () => {
    const x = torch.zeros([1, 4, 4, 3]);
    const w = torch.zeros([3, 3, 5, 3]);
    expect(() => compat.conv2dTranspose(x, torch.zeros([3, 3, 5, 2]), [1, 8, 8, 5], 2, 'same')).toThrow(/compat.conv2dTranspose: x has 3 channels .* expects 2/);
    expect(() => compat.conv2dTranspose(x, w, [1, 8, 8, 4], 2, 'same')).toThrow(/outputShape's depth 4 is not the filter's outDepth 5/);
    expect(() => compat.conv2dTranspose(x, w, [1, 10, 10, 5], 2, 'same')).toThrow(/gives \[5, 5\], not x's \[4, 4\]/);
    expect(() => compat.conv2dTranspose(torch.zeros([4, 3]), w, [8, 8, 5], 2, 'same')).toThrow(/NHWC/);
  });
});

describe('torch.convTranspose2d', () => {
  it('is the input gradient of conv2d (the definition it transposes)', () => {
    // <conv2d(u, W), v> = <u, convTranspose2d(v, W)> for every u, v: the adjoint identity.
    const u = torch.tensor(values(2 * 3 * 7 * 7, 1), { dtype: 'float32', shape: [2, 3, 7, 7] });
    const v = torch.tensor(values(2 * 4 * 4 * 4, 2), { dtype: 'float32', shape: [2, 4, 4, 4] });
    const W = torch.tensor(values(4 * 3 * 3 * 3, 9), { dtype: 'float32', shape: [4, 3, 3, 3] });
    const lhs = torch.conv2d(u, W, null, { stride: 2, padding: 1 }).mul(v).sum().item();
    const rhs = u.mul(torch.convTranspose2d(v, W, null, { stride: 2, padding: 1 })).sum().item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
  });

  it('refuses an outputPadding not below the stride, and channels that do not match', () => {
    const w = torch.zeros([3, 2, 3, 3]);
    expect(() => torch.convTranspose2d(torch.zeros([1, 3, 4, 4]), w, null, { stride: 2, outputPadding: 2 })).toThrow(/convTranspose2d: outputPadding \[2, 2\] must be non-negative and smaller than stride/);
    expect(() => torch.convTranspose2d(torch.zeros([1, 4, 4, 3]), w)).toThrow(/convTranspose2d: input \[1, 4, 4, 3\] has 4 channels but weight .* expects 3; is the input NHWC/);
  });
});

describe('nn.ConvTranspose2d', () => {
  it("has PyTorch's weight layout, init bound and output size, and runs F.convTranspose2d", () => {
    torch.manualSeed(0);
    const m = new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
    expect(m.weight.shape).toEqual([4, 3, 3, 3]);
    expect(m.bias!.shape).toEqual([6]);
    // fanIn from the weight as stored: outChannels/groups·kh·kw = 27; kaiming_uniform(a=√5) and the bias: 1/√27.
    const bound = 1 / Math.sqrt(27);
    for (const p of [m.weight, m.bias!]) expect(Math.max(...(p.flatten().toArray() as number[]).map(Math.abs))).toBeLessThanOrEqual(bound + 1e-7);
    const x = torch.randn([2, 4, 5, 5]);
    const y = m.forward(x);
    expect(y.shape).toEqual([2, 6, 10, 10]);
    const want = F.convTranspose2d(x, m.weight, m.bias, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
    expect(y.sub(want).abs().max().item()).toBe(0);
    expect(m.toString()).toContain('ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2)');
    expect(() => new nn.ConvTranspose2d(4, 6, 3, { stride: 2, outputPadding: 2 })).toThrow(/ConvTranspose2d: outputPadding \(2, 2\) must be smaller than stride \(2, 2\)/);
    expect(() => new nn.ConvTranspose2d(4, 5, 3, { groups: 2 })).toThrow(/outChannels \(5\) must be divisible by groups \(2\)/);
  });
});
