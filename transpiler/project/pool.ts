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
  if (jobs <= 1 || tasks.length <= 1) {
    if (opts.typeChecker !== false) primeTypeOracle(tasks);
    tasks.forEach((t, i) => {
      results[i] = transpileSource(t.path, t.text, opts);
      onDone(i, results[i]);
    });
    return results;
  }
  const init = {
    names: [...opts.api.names], members: [...opts.api.members], layout: opts.layout,
    reexports: [...(opts.reexports ?? new Map()).entries()], typeChecker: opts.typeChecker !== false, fit: opts.fit ?? 'loop',
  };
  let next = 0;
  // Files a worker handed back because they need the type checker, which only this thread loads.
  const handedBack: number[] = [];
  let running = Math.min(jobs - 1, tasks.length);
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const here = (i: number) => {
    results[i] = transpileSource(tasks[i].path, tasks[i].text, opts);
    onDone(i, results[i]);
  };
  // N jobs = this thread + N - 1 workers: this thread has the transpiler loaded already and works while the
  // workers start (loading the TypeScript compiler takes each of them a second or so). They are started before
  // this thread primes its type checker (another second or two), so the two overlap.
  const workers = Array.from({ length: running }, () =>
    new Worker(new URL('./worker_entry.mjs', import.meta.url), { workerData: init }));
  if (opts.typeChecker !== false) primeTypeOracle(tasks);
  const mine = (async () => {
    for (;;) {
      const i = handedBack.length ? handedBack.shift()! : next < tasks.length ? next++ : -1;
      if (i >= 0) {
        here(i);
        // Let worker messages in between files.
        await new Promise((r) => setImmediate(r));
      } else if (running > 0) {
        await new Promise<void>((r) => (wake = r));
      } else return;
    }
  })();
  await Promise.all([mine, ...workers.map((w) => new Promise<void>((resolveAll) => {
    let current = -1;
    const done = () => {
      running--;
      signal();
      resolveAll();
    };
    const feed = () => {
      if (next >= tasks.length) {
        void w.terminate();
        done();
        return;
      }
      current = next++;
      w.postMessage({ id: current, path: tasks[current].path, text: tasks[current].text });
    };
    w.on('message', (m: { id: number; result?: FileResult; needsTypes?: true }) => {
      if (m.needsTypes) {
        handedBack.push(m.id);
        signal();
      } else {
        results[m.id] = m.result!;
        onDone(m.id, m.result!);
      }
      feed();
    });
    w.on('error', (e) => {
      // The worker died (out of memory, or it could not start): its file is retried here, and this thread
      // takes over the rest of the work. transpileSource itself never throws.
      if (current >= 0 && !results[current] && !handedBack.includes(current)) {
        try {
          here(current);
        } catch {
          results[current] = failed(tasks[current].path, tasks[current].text, `the migration crashed: ${e.message}`);
          onDone(current, results[current]);
        }
      }
      done();
    });
    feed();
  }))]);
  return results;
}
