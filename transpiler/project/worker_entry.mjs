// The worker thread's entry. From the build (dist/) the worker is plain JavaScript; from source, worker threads do
// not inherit the main thread's loader hooks, so tsx is registered here before the TypeScript worker is loaded.
import { existsSync } from 'node:fs';

const source = new URL('./worker.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('./worker.js');
}
