/** Fusion passes over a trace (rewrites trace.nodes in place). */
import type { Trace } from './trace.js';

export function fuse(_trace: Trace): void {
  // filled in below
}
