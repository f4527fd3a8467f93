/**
 * Runs the transpiler over many files: in worker threads (--jobs N > 1; each loads the transpiler once) or in
 * this thread. A crash of one file's migration is that file's failure; the others go on.
 */
import { Worker } from 'node:worker_threads';
import { transpileSource } from '../index.js';
import { primeTypeOracle } from '../oracle.js';
import type { FileResult, TranspileOptions } from '../types.js';

export interface Task {
  path: string;
  text: string;
}

function failed(path: string, text: string, message: string): FileResult {
  return {
    file: path, status: 'failed', output: text, changed: false, sites: [], uncovered: [], layoutFacts: [], keepsTfImport: false, lines: text.split('\n').length,
    diagnostics: [{ file: path, line: 1, col: 1, severity: 'error', id: 'internal-error', message }],
  };
}

export async function runTasks(tasks: Task[], opts: TranspileOptions, jobs: number, onDone: (i: number, r: FileResult) => void): Promise<FileResult[]> {
  const results: FileResult[] = new Array(tasks.length);
  if (opts.typeChecker !== false) primeTypeOracle(tasks);
  if (jobs <= 1 || tasks.length <= 1) {
    tasks.forEach((t, i) => {
      results[i] = transpileSource(t.path, t.text, opts);
      onDone(i, results[i]);
    });
    return results;
  }
  const init = {
    names: [...opts.api.names], members: [...opts.api.members], layout: opts.layout,
    reexports: [...(opts.reexports ?? new Map()).entries()], typeChecker: opts.typeChecker !== false, fit: opts.fit ?? 'loop',
    // Every file, not only the worker's share: which files a worker gets is decided as it goes.
    prime: opts.typeChecker !== false ? tasks.map((t) => ({ path: t.path, text: t.text })) : [],
  };
  let next = 0;
  // N jobs = this thread + N - 1 workers: this thread has the transpiler loaded already and works while the
  // workers start (loading the TypeScript compiler takes each of them a second or so).
  const workers = Array.from({ length: Math.min(jobs - 1, tasks.length) }, () =>
    new Worker(new URL('./worker_entry.mjs', import.meta.url), { workerData: init }));
  const here = (async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = transpileSource(tasks[i].path, tasks[i].text, opts);
      onDone(i, results[i]);
      // Let worker messages in between files.
      await new Promise((r) => setImmediate(r));
    }
  })();
  await Promise.all([here, ...workers.map((w) => new Promise<void>((resolveAll) => {
    let current = -1;
    const feed = () => {
      if (next >= tasks.length) {
        void w.terminate();
        resolveAll();
        return;
      }
      current = next++;
      w.postMessage({ id: current, path: tasks[current].path, text: tasks[current].text });
    };
    w.on('message', (m: { id: number; result: FileResult }) => {
      results[m.id] = m.result;
      onDone(m.id, m.result);
      feed();
    });
    w.on('error', (e) => {
      // The worker died (out of memory, or it could not start): its file is retried here, and this thread
      // takes over the rest of the work. transpileSource itself never throws.
      if (current >= 0 && !results[current]) {
        try {
          results[current] = transpileSource(tasks[current].path, tasks[current].text, opts);
        } catch {
          results[current] = failed(tasks[current].path, tasks[current].text, `the migration crashed: ${e.message}`);
        }
        onDone(current, results[current]);
      }
      while (next < tasks.length) {
        const i = next++;
        results[i] = transpileSource(tasks[i].path, tasks[i].text, opts);
        onDone(i, results[i]);
      }
      resolveAll();
    });
    feed();
  }))]);
  return results;
}
