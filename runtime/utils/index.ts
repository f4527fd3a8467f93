export { progress, ProgressBar } from './progress.js';
export type { ProgressOptions } from './progress.js';
