/**
 * `runDiff(opts)`: the program-level differential test. Migrates the original when no migrated entry is given
 * (`--fit helper`, so the probes can hook `utils.fit`), runs the original on TensorFlow.js as the reference
 * (recording), then the migrated program on the runtime as the candidate (following the reference's weights and
 * batches, re-synchronised per `replay`), each in its own child process (child.ts), and compares the traces
 * (compare_traces.ts). Both run where the user's code runs: the reference on the tfjs the original's folder resolves
 * (hooks.mjs), the on-the-fly migration (kept in the work dir, nothing written into the user's tree) under the
 * original's paths (child.ts `servedAs`).
 *
 * The two run one after the other, not side by side: the candidate needs the reference's initial weights, batch
 * order and (under replay) per-step parameters before it starts, and on a small machine two trainings in parallel
 * would only slow each other down.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { ts } from 'ts-morph';
import { basename, extname, join, relative, resolve } from 'node:path';
import { killRunningChildren, runChild } from './child.js';
import type { ChildConfig } from './child_config.js';
import { buildReport } from './compare_traces.js';
import { localModules } from './local_modules.js';
import { addOpTrace } from './op_trace_report.js';
import { TraceReader } from './trace.js';
import type { CandidateMeta, ReferenceMeta } from './trace_meta.js';
import type { DiffOptions, DiffReport } from './types.js';
import { PACKAGE_ROOT, packageVersion } from '../../transpiler/package_root.js';

/** Bad input to the diff (missing file, unmigratable program): the CLI reports it as a usage error. */
export class DiffUsageError extends Error {}

export async function runDiff(opts: DiffOptions): Promise<DiffReport> {
  const original = resolve(opts.original);
  if (!existsSync(original)) throw new DiffUsageError(`original program not found: ${opts.original}`);
  if (opts.migrated && !existsSync(resolve(opts.migrated))) throw new DiffUsageError(`migrated program not found: ${opts.migrated}`);
  // Op outputs are read as the ops run, synchronously: on the GPU a read is asynchronous.
  if (opts.trace === 'ops' && opts.device === 'webgpu') throw new DiffUsageError('--trace ops reads every op\'s output as it runs, which needs the migrated program on the CPU: run it with --device cpu');
  // What this run creates and, unless the caller named a work dir to keep, removes when it ends (pass or throw):
  // the temporary work dir (traces: ~160 KB a step under replay for the seed MLP; the on-the-fly migration). Only
  // that folder, which mkdtemp made for this run, is ever removed; nothing is written into the user's tree.
  const keep = opts.workDir !== undefined;
  const created: string[] = [];
  const removeCreated = () => {
    // Retries: a child that was just signalled may still be closing its files.
    for (const dir of created.splice(0).reverse()) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  // Interrupted (Ctrl-C, a CI timeout), Node exits without running `finally`: stop the children, remove the
  // folders, then let the signal do what it would have done.
  const onSignal = (signal: NodeJS.Signals) => {
    killRunningChildren(signal);
    try {
      removeCreated();
    } catch (e) {
      process.stderr.write(`torchbridge diff: interrupted; could not remove its temporary folders: ${(e as Error).message}\n`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.kill(process.pid, signal);
  };
  const workDir = resolve(opts.workDir ?? mkdtempSync(join(tmpdir(), 'torchbridge-diff-')));
  if (!keep) {
    created.push(workDir);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    mkdirSync(workDir, { recursive: true });
    let migrated: string;
    let servedAs: Record<string, string> | undefined;
    const notes: string[] = [];
    if (/\.py$/i.test(original)) {
      // TensorFlow 2 Python: TensorFlow for Python does not run here, so the reference is its TensorFlow.js
      // equivalent (migrate --emit-tfjs), diffed against the migrated TypeScript (or --migrated).
      const outDir = join(workDir, 'migrated');
      const py = await migratePython(original, outDir, opts.keepLayout ?? false);
      notes.push(`reference: ${relative(process.cwd(), py.tfjs) || py.tfjs}, the TensorFlow.js program torchbridge wrote for ${basename(original)} (migrate --emit-tfjs); TensorFlow for Python is not run`);
      // Statements left as TODOs are comments in the tfjs program: the reference runs without them (a difference
      // they make shows as a divergence; the note names them).
      if (py.todos.length) notes.push(`the TensorFlow.js reference skips ${py.todos.length} statement(s) left as TODOs: ${py.todos.join('; ')}`);
      migrated = opts.migrated ? resolve(opts.migrated) : py.entry;
      if (!opts.migrated) notes.push(`migrated on the fly (torchbridge migrate) into ${keep ? migrated : 'a temporary folder, removed after the run'}`);
      return await diffPrograms(opts, py.tfjs, migrated, workDir, notes);
    }
    if (opts.migrated) {
      migrated = resolve(opts.migrated);
    } else {
      const migration = await migrateOnTheFly(original, join(workDir, 'migrated'), opts.keepLayout ?? false);
      migrated = migration.entry;
      servedAs = migration.servedAs;
      notes.push(...migration.warnings);
      notes.push(keep ? `migrated on the fly (torchbridge migrate --fit helper) into ${migrated} (kept with the work dir)` : 'migrated on the fly (torchbridge migrate --fit helper) into a temporary folder, removed after the run (pass workDir / --work-dir to keep it and the traces)');
    }
    return await diffPrograms(opts, original, migrated, workDir, notes, servedAs);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removeCreated();
  }
}

async function diffPrograms(opts: DiffOptions, original: string, migrated: string, workDir: string, notes: string[], servedAs?: Record<string, string>): Promise<DiffReport> {
  const replay = opts.replay ?? 'step';
  const record = { outputs: opts.record?.outputs ?? true, gradients: opts.record?.gradients ?? true, parameters: opts.record?.parameters ?? true };
  const recordEvery = opts.recordEvery ?? (opts.steps !== undefined && opts.steps <= 200 ? 1 : 10);
  // No --reference: tfjs-node (-gpu) when the program imports it and its folder has it installed, as when the user
  // runs it; else wasm (and an absent tfjs-node's import is served by tfjs, noted below).
  const nodeBackend = opts.reference ? undefined : installedTfjsNode(localModules(original));
  if (nodeBackend) notes.push(`reference: the original imports ${nodeBackend.spec}, installed at ${nodeBackend.at}: it ran there (pass --reference wasm or cpu to run it on another backend)`);
  const base: Omit<ChildConfig, 'role' | 'traceDir'> = {
    backend: opts.reference ?? nodeBackend?.backend ?? 'wasm',
    device: opts.device ?? 'cpu',
    replay,
    steps: opts.steps,
    epochs: opts.epochs,
    record,
    recordEvery,
    seed: opts.seed ?? 0,
    candidateLayout: opts.keepLayout ? 'keep' : 'nchw',
    progress: opts.progress ?? Boolean(process.stderr.isTTY),
    ...(opts.trace === 'ops' ? { traceOps: { step: opts.traceStep ?? 0 } } : {}),
  };
  if (recordEvery > 1) notes.push(`layer outputs and gradients recorded every ${recordEvery} steps (--record-every); losses at every step`);
  if (replay !== 'none') notes.push("replay: the candidate's parameters are reset to the reference's before every step; Adam's moments are the candidate's own, re-derived from gradients at the reference's parameters (not copied)");

  const originalSource = readFileSync(original, 'utf8');
  const migratedSource = readFileSync(migrated, 'utf8');
  const refDir = join(workDir, 'reference');
  const candDir = join(workDir, 'candidate');
  // --timeout is one budget for both programs (they run one after the other): each child gets what is left of it.
  const deadline = opts.timeoutSeconds !== undefined ? performance.now() + opts.timeoutSeconds * 1000 : undefined;
  const left = () => (deadline === undefined ? undefined : Math.max(0, deadline - performance.now()));
  const refRun = await runChild({ entry: original, source: originalSource, workDir, timeoutMs: left(), config: { ...base, role: 'reference', traceDir: refDir } });
  const candRun = await runChild({ entry: migrated, source: migratedSource, workDir, timeoutMs: left(), servedAs, config: { ...base, role: 'candidate', traceDir: candDir, referenceTraceDir: refDir } });
  for (const spec of refRun.instrumented?.tfjsNodeImports ?? []) {
    let installed = false;
    for (const from of [original, import.meta.filename]) {
      try {
        createRequire(from).resolve(spec);
        installed = true;
      } catch {
        // Not from there.
      }
    }
    if (!installed) notes.push(`${spec} is not installed: the original's import of it was served by @tensorflow/tfjs`);
  }
  // The notes read every migrated module (the optimizer may be built in one the entry imports).
  const migratedModules = localModules(migrated).map((f) => readFileSync(f, 'utf8')).join('\n');
  notes.push(...semanticNotes(migratedModules, opts.keepLayout ?? false));

  const reference = new TraceReader<ReferenceMeta>(refDir);
  if (reference.meta.tfjsPath) notes.push(`reference: @tensorflow/tfjs ${reference.meta.version} from ${reference.meta.tfjsPath}`);
  const candidate = new TraceReader<CandidateMeta>(candDir);
  const timings: DiffReport['timings'] = {
    referenceSeconds: refRun.seconds,
    candidateSeconds: candRun.seconds,
    referencePeakRssMB: refRun.peakRssMB,
    candidatePeakRssMB: candRun.peakRssMB,
  };
  if (opts.measurePlain) {
    // The same programs, same hooks, same --epochs/--steps, no probes: the recording overhead's baseline.
    const plain = { ...base, plain: true, progress: false };
    const refPlain = await runChild({ entry: original, source: originalSource, workDir, config: { ...plain, role: 'reference', traceDir: join(workDir, 'reference-plain') } });
    const candPlain = await runChild({ entry: migrated, source: migratedSource, workDir, servedAs, config: { ...plain, role: 'candidate', traceDir: join(workDir, 'candidate-plain'), referenceTraceDir: refDir } });
    Object.assign(timings, { referencePlainSeconds: refPlain.seconds, candidatePlainSeconds: candPlain.seconds, referencePlainPeakRssMB: refPlain.peakRssMB, candidatePlainPeakRssMB: candPlain.peakRssMB });
  }
  if (!reference.meta.steps.length) throw new DiffUsageError(`${opts.original}: the original program finished without training a step under the probes (is model.fit, optimizer.minimize or optimizer.applyGradients reached?)`);
  if (!candidate.meta.steps.length) throw new DiffUsageError(`${migrated}: the migrated program finished without training a step under the probes (is utils.fit or optimizer.step() reached?)`);
  try {
    const report = buildReport({
      reference,
      candidate,
      original: opts.original,
      migrated,
      replay,
      tolerances: { lossRtol: opts.tolerances?.lossRtol ?? 1e-4, lossAtol: opts.tolerances?.lossAtol ?? 0, metricPoints: opts.tolerances?.metricPoints ?? 0.3 },
      requestedBackend: base.backend,
      device: base.device,
      candidateVersion: packageVersion(),
      candidatePath: PACKAGE_ROOT,
      notes,
      timings,
    });
    const untraceable = base.traceOps ? addOpTrace(report, reference, candidate, base.traceOps.step) : null;
    if (untraceable) throw new DiffUsageError(`${opts.original}: ${untraceable}`);
    return report;
  } finally {
    reference.close();
    candidate.close();
  }
}

/**
 * Migrates `original` and the local modules it imports (local_modules.ts: a program split across modules migrates
 * whole, keeping its folder layout) into `outDir`; returns the migrated entry, which migrated file stands for which original (the candidate runs each under
 * its original's URL: child.ts `servedAs`; a file whose name changed, a Python program's .ts, runs where it is) and
 * the migration's WARNING diagnostics (the semantic
 * differences the mapping table flags, e.g. tfjs Adagrad's epsilon inside the square root), which the report lists so
 * a difference the diff then finds can be read against them.
 */
async function migrateOnTheFly(original: string, outDir: string, keepLayout: boolean): Promise<{ entry: string; servedAs: Record<string, string>; warnings: string[] }> {
  const { migrateProject } = await import('../../transpiler/project/migrate_project.js');
  const modules = localModules(original);
  const result = await migrateProject({ paths: modules, outDir, inPlace: false, force: false, dryRun: false, keepLayout, fit: 'helper', typeChecker: true, maxSize: 5_000_000 });
  const out = result.outputs.find((o) => o.input === resolve(original))?.output;
  if (!out || !existsSync(out)) throw new DiffUsageError(`migrating ${original} produced no migrated file in ${outDir}; run \`torchbridge migrate ${modules.join(' ')} --fit helper\` to see why`);
  const warnings: string[] = [];
  for (const f of result.report.files) for (const d of f.diagnostics) {
    if (d.severity === 'warning') warnings.push(`migration warning ${d.code}: ${d.message}`);
  }
  const servedAs: Record<string, string> = {};
  for (const o of result.outputs) if (extname(o.output) === extname(o.input)) servedAs[resolve(o.output)] = resolve(o.input);
  return { entry: out, servedAs, warnings };
}

/**
 * The tfjs-node package the program imports (ESM import or require, in any of its local modules) when it resolves
 * from the importing file, and the reference backend it gives; undefined when none does.
 */
function installedTfjsNode(modules: string[]): { spec: string; at: string; backend: 'node' | 'node-gpu' } | undefined {
  for (const file of modules) {
    const specs = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
    for (const spec of specs.filter((x) => /^@tensorflow\/tfjs-node(-gpu)?$/.test(x))) {
      try {
        const at = createRequire(file).resolve(spec);
        return { spec, at, backend: spec.endsWith('-gpu') ? 'node-gpu' : 'node' };
      } catch {
        // Not installed beside this module.
      }
    }
  }
  return undefined;
}

/** A Python original: its tfjs equivalent and its TypeScript migration, written into `outDir`. */
async function migratePython(original: string, outDir: string, keepLayout: boolean): Promise<{ entry: string; tfjs: string; todos: string[] }> {
  const { migrateProject } = await import('../../transpiler/project/migrate_project.js');
  const result = await migrateProject({ paths: [original], outDir, inPlace: false, force: false, dryRun: false, keepLayout, fit: 'helper', typeChecker: true, maxSize: 5_000_000, emitTfjs: true });
  const entry = result.outputs.find((o) => o.input === original)?.output;
  const tfjs = result.tfjs.find((t) => t.input === original);
  if (!tfjs?.output || tfjs.status === 'failed') {
    const why = tfjs ? tfjs.diagnostics.join('; ') : 'it imports neither tensorflow nor keras';
    throw new DiffUsageError(`${original}: no TensorFlow.js equivalent to diff against (${why || tfjs?.status}); run \`torchbridge migrate ${original} --emit-tfjs\` to see why`);
  }
  if (!entry || !entry.endsWith('.ts') || !existsSync(entry)) throw new DiffUsageError(`migrating ${original} produced no migrated file in ${outDir}; run \`torchbridge migrate ${original}\` to see why`);
  return { entry, tfjs: tfjs.output, todos: tfjs.diagnostics };
}

/** Semantic differences the migration wrote out explicitly, read from the migrated source. */
function semanticNotes(migratedSource: string, keepLayout: boolean): string[] {
  const notes: string[] = [];
  if (/new optim\.Adam\w*\(.*eps:\s*1e-7/.test(migratedSource)) notes.push("Adam epsilon: tfjs's 1e-7 written explicitly (PyTorch's default is 1e-8)");
  if (/truncNormal_/.test(migratedSource)) notes.push("initialisers: tfjs's glorotNormal (truncated) kernels and zero biases written explicitly; the diff overwrites them with the reference's initial weights anyway");
  if (/\.permute\(0, 3, 1, 2\)/.test(migratedSource)) {
    notes.push(keepLayout
      ? 'layout: the migrated model keeps NHWC between layers (permutes around each convolution); kernels HWIO → OIHW when loading the reference weights'
      : 'layout: the migrated model is NCHW (one permute at its input); kernels HWIO → OIHW and the Dense after Flatten has its rows permuted when loading the reference weights');
  }
  return notes;
}
