/**
 * The diff's weight layouts for the layers paired in issue 13 (difftest/program/layout.ts): a DepthwiseConv2D
 * kernel [kh, kw, in, dm] becomes the grouped nn.Conv2d weight [in·dm, 1, kh, kw] (row c·dm + m), a PReLU alpha
 * [.., C] the nn.PReLU weight [C]; other PReLU/DepthwiseConv2D weights (bias) stay as they are.
 */
import { describe, expect, it } from 'vitest';
import { weightLayoutOf, weightToCandidate } from '../../difftest/program/layout.js';

describe('weight layouts: DepthwiseConv2D, PReLU', () => {
  it('depthwise_kernel [kh, kw, in, dm] → [in·dm, 1, kh, kw], element [c·dm + m, 0, i, j] = kernel[i, j, c, m]', () => {
    const [kh, kw, cin, dm] = [2, 3, 4, 2];
    const data = Float32Array.from({ length: kh * kw * cin * dm }, (_, i) => i);
    const layout = weightLayoutOf('DepthwiseConv2D', 'depthwise_kernel');
    expect(layout).toEqual({ kind: 'depthwise-kernel' });
    const out = weightToCandidate(data, [kh, kw, cin, dm], layout);
    expect(out.shape).toEqual([cin * dm, 1, kh, kw]);
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < cin; c++) for (let m = 0; m < dm; m++) {
      expect(out.data[((c * dm + m) * kh + i) * kw + j]).toBe(data[((i * kw + j) * cin + c) * dm + m]);
    }
    expect(weightLayoutOf('DepthwiseConv2D', 'bias')).toEqual({ kind: 'same' });
  });

  it('PReLU alpha [1, 1, C] → [C], values in order', () => {
    const layout = weightLayoutOf('PReLU', 'alpha');
    const out = weightToCandidate(Float32Array.from([0.1, 0.2, 0.3]), [1, 1, 3], layout);
    expect(out.shape).toEqual([3]);
    expect(Array.from(out.data)).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.3])));
  });
});
