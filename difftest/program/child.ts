/**
 * Runs one side of a diff in a child process: `node --import tsx --import register.mjs <entry>`, with the
 * instrumented source served for the entry and the local modules it imports (hooks.mjs) and the child's config in
 * its environment. The child's
 * stdout/stderr are kept (the program's own prints; the last lines go into errors), and optionally passed through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHILD_CONFIG_ENV, type ChildConfig } from './child_config.js';
import { ChildFailedError } from './child_error.js';
import { instrumentModules, type InstrumentedModules } from './instrument.js';
import { localModules } from './local_modules.js';
import { CODE_EXT, PACKAGE_ROOT, codePath } from '../../transpiler/package_root.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface ChildRun {
  seconds: number;
  stdout: string;
  stderr: string;
  instrumented: InstrumentedModules | null;
  /** Peak resident set size of the child process (MB); undefined if it could not be read. */
  peakRssMB?: number;
}

export interface ChildSpec {
  entry: string;
  /** The program's source (already read; instrumented here, plain runs too: see hooks below). Its local imports are
   * read and instrumented here too (local_modules.ts). */
  source: string;
  config: ChildConfig;
  /** Where the instrumented copies are written (each is served under its module's URL, never next to it). */
  workDir: string;
  /** Echo the child's stdout/stderr as it runs. */
  echo?: boolean;
  /** Stop the child (SIGKILL) after this long: the error then says it timed out (ChildFailedError.timedOut). */
  timeoutMs?: number;
  /**
   * Migrated file → the original it was migrated from: the migrated module is served under the original's URL, so
   * it runs where the user's program runs (`import.meta.url`, files read beside it, packages its folder resolves),
   * though its text lives in the work dir. Files without an entry run where they are.
   */
  servedAs?: Record<string, string>;
}

/** The children running now, so an interrupted diff can stop them before removing their folders. */
const running = new Set<ChildProcess>();

/** Sends `signal` to every child a diff is running (a parent killed by a signal would leave them orphaned). */
export function killRunningChildren(signal: NodeJS.Signals): void {
  for (const child of running) child.kill(signal);
}

/**
 * Where a failed child got to, from the trace index its exit handler wrote: ` in training step k (after k completed
 * steps)`, so a failure that only comes at some step (a tensor disposed while a later step needs it) is placed.
 */
function stepsReached(traceDir: string): string {
  try {
    const index = JSON.parse(readFileSync(join(traceDir, 'index.json'), 'utf8')) as { meta?: { steps?: unknown[] } };
    const n = index.meta?.steps?.length;
    if (typeof n !== 'number') return '';
    return n === 0 ? ' before completing a training step' : ` in training step ${n} (after ${n} completed step${n === 1 ? '' : 's'})`;
  } catch {
    return '';
  }
}

export async function runChild(spec: ChildSpec): Promise<ChildRun> {
  const { entry } = spec;
  const probe = `${spec.config.role === 'reference' ? 'probe_tfjs' : 'probe_runtime'}${CODE_EXT}`;
  const files = [{ fileName: entry, text: spec.source }, ...localModules(entry).slice(1).map((f) => ({ fileName: f, text: readFileSync(f, 'utf8') }))];
  const instrumented = instrumentModules(files, spec.config.role, pathToFileURL(join(HERE, probe)).href);
  const config: ChildConfig = { ...spec.config, customLoop: instrumented.customLoop };
  mkdirSync(spec.workDir, { recursive: true });
  // A plain run (overhead baseline) is instrumented too: its fit/evaluate go to the probes' plain path, which
  // applies the same backend, --epochs and --steps and then calls the framework's own fit unprobed.
  // Node loads modules by their real paths (symlinks resolved: a symlinked node_modules, a linked checkout), so
  // those are the URLs the load hook must recognise.
  const modules: Record<string, { instrumentedFile: string; format: 'module' | 'commonjs'; sourceFile?: string }> = {};
  const servedAs = (file: string) => spec.servedAs?.[resolve(file)] ?? resolve(file);
  instrumented.modules.forEach((m, i) => {
    const instrumentedFile = join(spec.workDir, `${config.role}${config.plain ? '-plain' : ''}${i ? `-${i}` : ''}.instrumented.ts`);
    writeFileSync(instrumentedFile, m.text);
    const url = pathToFileURL(realpathSync(servedAs(m.fileName))).href;
    modules[url] = { instrumentedFile, format: m.format, ...(servedAs(m.fileName) !== resolve(m.fileName) ? { sourceFile: resolve(m.fileName) } : {}) };
  });
  const runAs = servedAs(entry);
  const migratedFrom = runAs !== resolve(entry) ? runAs : undefined;
  const hooks = {
    modules,
    role: config.role,
    anchorUrl: pathToFileURL(join(PACKAGE_ROOT, 'package.json')).href,
    runtimeUrl: pathToFileURL(codePath('runtime/index')).href,
    entryUrl: pathToFileURL(realpathSync(runAs)).href,
  };
  const rssFile = join(spec.workDir, `${config.role}${config.plain ? '-plain' : ''}.rss`);
  const env = { ...process.env, [CHILD_CONFIG_ENV]: JSON.stringify(config), TORCHBRIDGE_DIFF_HOOKS: JSON.stringify(hooks), TORCHBRIDGE_DIFF_RSS_FILE: rssFile };
  const args = ['--import', 'tsx', '--import', pathToFileURL(join(HERE, 'register.mjs')).href, runAs];
  const start = performance.now();
  let timedOut = false;
  rmSync(join(config.traceDir, 'index.json'), { force: true });
  const { code, signal, stdout, stderr } = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((res, rej) => {
    // tsx is resolved from torchbridge's package (cwd: the repository, or node_modules/torchbridge), so the program's
    // folder needs no node_modules of its own; tsx runs the programs' own TypeScript (torchbridge's is built or
    // run by tsx already).
    const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (spec.echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
      if (spec.echo || config.progress) process.stderr.write(d);
    });
    // SIGTERM first: the probes then exit through their exit handler, which writes the trace index (so the message
    // can say which step the program was in); SIGKILL after a grace period for a program stuck in synchronous code.
    let kill: NodeJS.Timeout | null = null;
    const timer = spec.timeoutMs !== undefined ? setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    }, Math.max(0, spec.timeoutMs)) : null;
    child.on('error', rej);
    child.on('close', (c, s) => {
      running.delete(child);
      if (timer) clearTimeout(timer);
      if (kill) clearTimeout(kill);
      res({ code: c, signal: s, stdout: out, stderr: err });
    });
  });
  const seconds = (performance.now() - start) / 1000;
  if (timedOut) {
    const s = (spec.timeoutMs! / 1000).toFixed(spec.timeoutMs! % 1000 ? 1 : 0);
    throw new ChildFailedError(config.role, entry, `did not finish within the diff's --timeout (${s} s left for it) and was stopped${stepsReached(config.traceDir)}`, stderr, true, migratedFrom);
  }
  if (code !== 0) throw new ChildFailedError(config.role, entry, `${signal ? `was killed (${signal})` : `exited with code ${code}`}${stepsReached(config.traceDir)}`, stderr, false, migratedFrom);
  let peakRssMB: number | undefined;
  try {
    peakRssMB = Number(readFileSync(rssFile, 'utf8'));
  } catch {
    peakRssMB = undefined;
  }
  return { seconds, stdout, stderr, instrumented, peakRssMB };
}
