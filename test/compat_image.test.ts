/**
 * compat.image and compat.browser against tfjs: resizing with every alignCorners/halfPixelCenters combination,
 * up and down, 3-D and 4-D, gradients through resizeBilinear vs tfjs's, and the pixel conversions.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compat, torch, Tensor } from '../runtime/index.js';

function randomImage(shape: number[], seed: number): number[] {
  let s = seed;
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2);
}

const flat = (t: Tensor) => t.flatten().toArray() as number[];
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

const SHAPES: [string, number[], [number, number]][] = [
  ['4-D upscale', [2, 5, 7, 3], [9, 11]],
  ['4-D downscale', [1, 8, 6, 2], [3, 4]],
  ['3-D, to one row', [4, 5, 1], [1, 3]],
  ['identity size', [1, 3, 3, 2], [3, 3]],
];
const FLAGS: [boolean, boolean][] = [[false, false], [true, false], [false, true]];

describe.each(['resizeBilinear', 'resizeNearestNeighbor'] as const)('compat.image.%s ≡ tf.image', (name) => {
  it.each(SHAPES.flatMap(([label, shape, size]) => FLAGS.map(([ac, hp]) => [`${label}, alignCorners ${ac}, halfPixelCenters ${hp}`, shape, size, ac, hp] as const)))('%s', (_, shape, size, ac, hp) => {
    const values = randomImage(shape, shape.length * 7 + size[0]);
    const input: tf.Tensor = tf.tensor(values, shape);
    const ref = tf.image[name](input as tf.Tensor4D, size, ac, hp);
    const ours = compat.image[name](torch.tensor(values, { dtype: 'float32', shape }), size, ac, hp);
    expect(ours.shape).toEqual(ref.shape);
    close(flat(ours), ref.dataSync());
  });

  it('refuses bad arguments with the op named', () => {
    const img = torch.zeros([2, 2, 1]);
    expect(() => compat.image[name](img, [2] as unknown as [number, number])).toThrow(new RegExp(`compat.image.${name}: size must be`));
    expect(() => compat.image[name](torch.zeros([2, 2]), [1, 1])).toThrow(/NHWC/);
    expect(() => compat.image[name](img, [1, 1], true, true)).toThrow(/cannot both be true/);
  });
});

describe('compat.image.resizeBilinear gradients', () => {
  const gradOf = (values: number[], shape: number[], w: number[], size: [number, number], ac: boolean, hp: boolean) => {
    const x = torch.tensor(values, { dtype: 'float32', shape, requiresGrad: true });
    compat.image.resizeBilinear(x, size, ac, hp).mul(torch.tensor(w, { dtype: 'float32', shape: [shape[0], ...size, shape[3]] })).sum().backward();
    return flat(x.grad!);
  };

  // tfjs 4.22's ResizeBilinearGrad swaps height and width for a non-square image (it throws "The gradient of input
  // 'images' has shape '1,5,4,2'"), so tfjs is the reference on square images and float64 finite differences on the rest.
  const square = [1, 4, 4, 2];
  const tfjsGrad = (values: number[], w: number[], ac: boolean, hp: boolean) =>
    tf.grad((x: tf.Tensor) => tf.image.resizeBilinear(x as tf.Tensor4D, [7, 3], ac, hp).mul(tf.tensor(w, [1, 7, 3, 2])).sum())(tf.tensor(values, square)).dataSync();

  it.each([[false, false], [true, false]])('≡ tfjs on a square image, alignCorners %s, halfPixelCenters %s', (ac, hp) => {
    const values = randomImage(square, 3);
    const w = randomImage([1, 7, 3, 2], 5);
    close(gradOf(values, square, w, [7, 3], ac, hp), tfjsGrad(values, w, ac, hp));
  });

  // tfjs's ResizeBilinearGrad kernel ignores halfPixelCenters: its gradient is the one of the resize without it.
  // Ours is the true derivative of the forward both compute (the finite-difference case below proves it), so
  // here the two differ on purpose — the mapping note says so.
  it('with halfPixelCenters, tfjs returns the gradient of the resize without it; ours is the true one', () => {
    const values = randomImage(square, 3);
    const w = randomImage([1, 7, 3, 2], 5);
    close(tfjsGrad(values, w, false, true), gradOf(values, square, w, [7, 3], false, false));
    const ours = gradOf(values, square, w, [7, 3], false, true);
    const theirs = tfjsGrad(values, w, false, true);
    expect(Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])))).toBeGreaterThan(0.1);
  });

  it.each(FLAGS)('≡ finite differences on a non-square image, alignCorners %s, halfPixelCenters %s', (ac, hp) => {
    const shape = [1, 4, 5, 1];
    const values = randomImage(shape, 9);
    const w = randomImage([1, 3, 7, 1], 11);
    const f = (v: number[]) => {
      const y = compat.image.resizeBilinear(torch.tensor(v, { dtype: 'float64', shape }), [3, 7], ac, hp);
      return (y.mul(torch.tensor(w, { dtype: 'float64', shape: [1, 3, 7, 1] })).sum().item() as number);
    };
    const fd = values.map((_, i) => {
      const hi = [...values], lo = [...values];
      hi[i] += 1e-6;
      lo[i] -= 1e-6;
      return (f(hi) - f(lo)) / 2e-6;
    });
    close(gradOf(values, shape, w, [3, 7], ac, hp), fd, 1e-4);
  });

  it('casts an int32 image to float32 as tfjs does', () => {
    const ints = [0, 10, 20, 30];
    const ref = tf.image.resizeBilinear(tf.tensor3d(ints, [2, 2, 1], 'int32'), [3, 3]);
    const ours = compat.image.resizeBilinear(torch.tensor(ints, { dtype: 'int32', shape: [2, 2, 1] }), [3, 3]);
    expect(ours.dtype).toBe('float32');
    close(flat(ours), ref.dataSync());
  });
});

describe('compat.browser pixels ≡ tf.browser', () => {
  const width = 3, height = 2;
  // tfjs in Node takes { data: Uint8Array, width, height } (it has no ImageData class); ours takes that and ImageData's Uint8ClampedArray.
  const data = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37) % 256);
  it.each([1, 3, 4])('fromPixels with %i channels', (c) => {
    const ref = tf.browser.fromPixels({ data, width, height }, c);
    const ours = compat.browser.fromPixels({ data, width, height }, c);
    expect(flat(compat.browser.fromPixels({ data: new Uint8ClampedArray(data), width, height }, c))).toEqual(flat(ours));
    expect(ours.shape).toEqual(ref.shape);
    expect(ours.dtype).toBe(ref.dtype);
    expect(flat(ours)).toEqual(Array.from(ref.dataSync()));
  });

  it.each([
    ['float32 RGB', [2, 3, 3], 'float32'],
    ['int32 grey', [2, 3, 1], 'int32'],
    ['float32 RGBA', [2, 3, 4], 'float32'],
  ] as const)('toPixels of %s', async (_, shape, dtype) => {
    const n = (shape as readonly number[]).reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => (dtype === 'float32' ? ((i * 7) % 11) / 10 : (i * 29) % 256));
    const ref = await tf.browser.toPixels(tf.tensor(values, [...shape], dtype) as tf.Tensor3D);
    const ours = await compat.browser.toPixels(torch.tensor(values, { dtype, shape: [...shape] }));
    expect(Array.from(ours)).toEqual(Array.from(ref));
  });

  it('says what to pass in Node', async () => {
    expect(() => compat.browser.fromPixels({} as never)).toThrow(/ImageData-like/);
    expect(() => compat.browser.fromPixels({ data: new Uint8Array(3), width: 1, height: 1 })).toThrow(/need 4/);
    await expect(compat.browser.toPixels(torch.tensor([[2]], { dtype: 'float32' }))).rejects.toThrow(/values must be in \[0, 1\]/);
    await expect(compat.browser.toPixels(torch.zeros([1, 1, 3]), {})).rejects.toThrow(/no canvas in Node/);
  });
});

describe('migration: tf.image.* and the chained x.resizeBilinear / x.resizeNearestNeighbor', () => {
  it('become compat.image calls with the flags given (alignCorners alone, or both)', async () => {
    const { transpileSource } = await import('../transpiler/index.js');
    const { loadRuntimeApi } = await import('../mappings/runtime_api.js');
    const src = [
      "import * as tf from '@tensorflow/tfjs';",
      'const img = tf.ones([1, 4, 4, 3]);',
      'const a = img.resizeBilinear([8, 8]);',
      'const b = img.resizeNearestNeighbor([2, 2], true);',
      'const c = tf.image.resizeBilinear(img, [3, 3], false, true);',
      '',
    ].join('\n');
    const r = transpileSource('/p/main.ts', src, { layout: 'nchw', api: await loadRuntimeApi() });
    expect(r.output).toContain('const a = compat.image.resizeBilinear(img, [8, 8]);');
    expect(r.output).toContain('const b = compat.image.resizeNearestNeighbor(img, [2, 2], true);');
    expect(r.output).toContain('const c = compat.image.resizeBilinear(img, [3, 3], false, true);');
    expect(r.output).not.toContain('TODO');
  });
});
