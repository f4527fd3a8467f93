/**
 * tf.nextFrame: a promise that resolves after the current macrotask, so a long loop lets the event loop (a UI,
 * a progress bar, I/O) run. tfjs uses requestAnimationFrame in a browser and setImmediate in Node; so does this.
 */
export function nextFrame(): Promise<void> {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame;
  return new Promise<void>((resolve) => (raf ? raf(() => resolve()) : setImmediate(resolve)));
}
