/**
 * Browser APIs with a Node meaning: tf.nextFrame and tf.browser.fromPixels (on ImageData-like pixels).
 */
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';

/**
 * tf.nextFrame: a promise that resolves after the current macrotask, so a long loop lets the event loop (a UI,
 * a progress bar, I/O) run. tfjs uses requestAnimationFrame in a browser and setImmediate in Node; so does this.
 */
export function nextFrame(): Promise<void> {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame;
  return new Promise<void>((resolve) => (raf ? raf(() => resolve()) : setImmediate(resolve)));
}

/** What `fromPixels` reads in Node: an ImageData-shaped object (canvas packages, decoded images, `{ data, width, height }`). */
export interface PixelData {
  data: Uint8ClampedArray | Uint8Array | ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * tf.browser.fromPixels on RGBA pixel data: an int32 `[height, width, numChannels]` tensor of the first
 * `numChannels` channels (1, 3 or 4), as tfjs makes it. DOM elements (video, canvas, img) do not exist in Node:
 * draw them into ImageData (e.g. with the `canvas` package's getImageData) and pass that.
 */
export function fromPixels(pixels: PixelData, numChannels = 3): Tensor {
  const op = 'compat.browser.fromPixels';
  if (pixels === null || typeof pixels !== 'object' || !('data' in pixels) || !Number.isInteger(pixels.width) || !Number.isInteger(pixels.height)) {
    throw new TypeError(`${op}: pixels must be ImageData-like ({ data, width, height }, RGBA bytes); a DOM video/canvas/img has no Node meaning — read its ImageData first`);
  }
  if (numChannels !== 1 && numChannels !== 3 && numChannels !== 4) throw new RangeError(`${op}: numChannels must be 1, 3 or 4, got ${numChannels}`);
  const { data, width, height } = pixels;
  if (data.length !== width * height * 4) throw new RangeError(`${op}: data holds ${data.length} values, but ${width}×${height} RGBA pixels need ${width * height * 4}`);
  const out = new Int32Array(width * height * numChannels);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < numChannels; c++) out[p * numChannels + c] = data[p * 4 + c];
  return tensor(out, { dtype: 'int32', shape: [height, width, numChannels] });
}

/**
 * tf.browser.toPixels without a canvas: the RGBA bytes of an `[h, w]` or `[h, w, 1|3|4]` image, as tfjs computes
 * them (float32 values in [0, 1] scaled by 255, int32 values in [0, 255]; one channel is grey, alpha 255 when
 * absent). A value out of range is an error naming it, as in tfjs. Draw the bytes into a canvas yourself.
 */
export async function toPixels(img: Tensor, canvas?: unknown): Promise<Uint8ClampedArray> {
  const op = 'compat.browser.toPixels';
  if (canvas !== undefined) throw new TypeError(`${op}: there is no canvas in Node; call it without one and draw the returned RGBA bytes yourself`);
  if (!(img instanceof Tensor)) throw new TypeError(`${op}: img must be a tensor`);
  if (img.ndim !== 2 && img.ndim !== 3) throw new RangeError(`${op}: img must be rank 2 or 3, got shape [${img.shape.join(', ')}]`);
  const [height, width] = img.shape;
  const depth = img.ndim === 2 ? 1 : img.shape[2];
  if (depth !== 1 && depth !== 3 && depth !== 4) throw new RangeError(`${op}: the depth (channels) must be 1, 3 or 4, got ${depth}`);
  if (img.dtype !== 'float32' && img.dtype !== 'int32') throw new TypeError(`${op}: img must be float32 or int32, got ${img.dtype}`);
  const values = img.flatten().toArray() as number[];
  const multiplier = img.dtype === 'float32' ? 255 : 1;
  const bytes = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < height * width; i++) {
    const rgba = [0, 0, 0, 255];
    for (let d = 0; d < depth; d++) {
      const value = values[i * depth + d];
      if (img.dtype === 'float32' ? value < 0 || value > 1 : value < 0 || value > 255) {
        throw new RangeError(`${op}: a ${img.dtype} tensor's values must be in [0, ${img.dtype === 'float32' ? 1 : 255}], got ${value}`);
      }
      if (depth === 1) rgba[0] = rgba[1] = rgba[2] = value * multiplier;
      else rgba[d] = value * multiplier;
    }
    bytes.set(rgba.map(Math.round), i * 4);
  }
  return bytes;
}
