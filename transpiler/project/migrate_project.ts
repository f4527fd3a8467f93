/**
 * Whole-project migration: collect the inputs, migrate every source file (in worker threads), then write the
 * results to the output folder (copying everything else), or over the inputs (inPlace, on a clean git tree), or
 * build a unified diff (dryRun); write the report file if asked. Prints nothing: the CLI (cli/migrate/run.ts) and
 * the differential tester read the structured result.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { cpus } from 'node:os';
import { loadRuntimeApi } from '../../mappings/runtime_api.js';
import { buildReport, reportMarkdown } from '../report.js';
import type { FileResult, ReexportInfo, TranspileOptions } from '../types.js';
import { collectInputs, migratedPath, readSource, tfjsPath } from './files.js';
import { transpilePythonToTfjs } from '../python/index.js';
import { gitTreeState } from './git_tree.js';
import { defaultOutDir } from './out_dir.js';
import { rewritePackageJson } from './packages.js';
import { runTasks, type Task } from './pool.js';
import { moduleKeyOf, reexportsOf } from './reexports.js';
import type { PackageRewrite, ProjectOptions, ProjectOutput, ProjectResult, TfjsOutput } from './types.js';
import { unifiedDiff } from './unified_diff.js';
import { UsageError } from './usage_error.js';

/** A file that never reached the transpiler (unreadable, binary, too large): failed, with one diagnostic saying why. */
function unreadable(path: string, id: string, message: string): FileResult {
  return { file: path, status: 'failed', changed: false, sites: [], uncovered: [], layoutFacts: [], keepsTfImport: false, lines: 0, diagnostics: [{ file: path, line: 1, col: 1, severity: 'error', id, message }] };
}

/** Migrates the inputs as `torchbridge migrate` does; throws UsageError for a request that cannot run. */
export async function migrateProject(o: ProjectOptions): Promise<ProjectResult> {
  if (!o.paths.length) throw new UsageError('name at least one file, folder or tsconfig.json to migrate');
  if (o.inPlace && o.outDir) throw new UsageError('--in-place and --out-dir exclude each other');
  if (o.inPlace && o.dryRun) throw new UsageError('--in-place and --dry-run exclude each other (--dry-run writes nothing)');
  const outDir = o.inPlace || o.dryRun ? undefined : resolve(o.outDir ?? defaultOutDir(o.paths[0]));
  const inputs = collectInputs(o.paths, outDir ? [outDir] : []);
  // `<name>.tfjs.mjs` beside an input `<name>.py` is that file's tfjs equivalent (--emit-tfjs wrote it): the
  // reference a diff runs, not a program to move onto the runtime. Copied as it is, or written afresh with emitTfjs.
  const tfjsOfPython = new Set(inputs.files.filter((f) => extname(f.path).toLowerCase() === '.py').map((f) => tfjsPath(f.path)));
  for (const f of inputs.files) if (tfjsOfPython.has(f.path)) f.source = false;
  if (outDir && o.paths.some((p) => resolve(p) === outDir)) throw new UsageError(`--out-dir ${outDir} is one of the inputs; choose another folder`);
  if (o.inPlace && !o.force) {
    const first = resolve(o.paths[0]);
    const state = gitTreeState(o.paths.map((p) => resolve(p)), existsSync(first) && statSync(first).isDirectory() ? first : dirname(first));
    if (!state.clean) throw new UsageError(`--in-place refuses to run: ${state.why}. Commit or stash first, or pass --force.`);
  }
  const api = await loadRuntimeApi();

  // Read every source file (bad ones become failures) and find local re-exports of tfjs.
  const tasks: Task[] = [];
  const early: { file: string; result: FileResult }[] = [];
  const reexports = new Map<string, ReexportInfo>();
  for (const f of inputs.files) {
    if (!f.source) continue;
    const r = readSource(f.path, o.maxSize);
    if (!r.ok) {
      early.push({ file: f.rel, result: unreadable(f.path, r.id, r.message) });
      continue;
    }
    const info = reexportsOf(f.path, r.text);
    if (info) reexports.set(moduleKeyOf(f.path), info);
    tasks.push({ path: f.path, text: r.text });
  }
  for (const p of inputs.problems) early.push({ file: relative(process.cwd(), p.path) || p.path, result: unreadable(p.path, 'unreadable', p.message) });
  const opts: TranspileOptions = { layout: o.keepLayout ? 'keep' : 'nchw', api, reexports, typeChecker: o.typeChecker, fit: o.fit ?? 'loop' };
  const jobs = Math.max(1, o.jobs ?? Math.min(4, cpus().length));
  let done = 0;
  const results = await runTasks(tasks, opts, tasks.length >= 8 ? jobs : 1, (i) => o.onFileDone?.(++done, tasks.length, relative(inputs.root, tasks[i].path)));

  const byPath = new Map(results.map((r, i) => [tasks[i].path, r]));
  const keepTf = results.some((r) => r.keepsTfImport);
  const outputs: ProjectOutput[] = [];
  const packages: PackageRewrite[] = [];
  let written = 0;
  let copied = 0;
  const diffs: string[] = [];
  const tfjs: TfjsOutput[] = [];
  for (const f of inputs.files) {
    if (o.emitTfjs && tfjsOfPython.has(f.path)) continue;
    const r = byPath.get(f.path);
    // --emit-tfjs: the Python file's TensorFlow.js equivalent, written where its .ts goes (same rules).
    if (o.emitTfjs && r && extname(f.path).toLowerCase() === '.py') {
      const t = transpilePythonToTfjs(f.path, readFileSync(f.path, 'utf8'), opts);
      if (t.status !== 'unchanged') {
        const dest = t.output === null || o.dryRun ? null : o.inPlace ? tfjsPath(f.path) : join(outDir!, tfjsPath(f.rel));
        if (dest) {
          mkdirSync(dirname(dest), { recursive: true });
          writeFileSync(dest, t.output!);
          written++;
        }
        if (o.dryRun && t.output !== null) diffs.push(unifiedDiff('', t.output, tfjsPath(f.rel)));
        tfjs.push({ input: f.path, output: dest, status: t.status, diagnostics: t.diagnostics.map((d) => `${relative(process.cwd(), d.file) || d.file}:${d.line}:${d.col} ${d.id} ${d.message}`) });
      }
    }
    const isPkg = basename(f.path) === 'package.json';
    let newText: string | undefined;
    if (r) newText = r.output;
    else if (isPkg) {
      const original = readFileSync(f.path, 'utf8');
      const pk = rewritePackageJson(original, keepTf);
      if (pk && pk.text !== original) {
        newText = pk.text;
        packages.push({ file: f.rel, removed: pk.removed, keptTf: keepTf });
      }
    }
    if (o.dryRun) {
      if (newText !== undefined) {
        const before = readFileSync(f.path, 'utf8');
        const d = unifiedDiff(before, newText, f.rel);
        if (d) diffs.push(d);
      }
      continue;
    }
    // A migrated Python file is written as <name>.ts (the .py is left as it is).
    const converted = !!r && r.changed && r.status !== 'failed' && r.status !== 'unchanged';
    if (o.inPlace) {
      if (newText !== undefined && (!r || r.changed || isPkg)) {
        const dest = migratedPath(f.path, converted);
        writeFileSync(dest, newText);
        outputs.push({ input: f.path, output: dest, copied: false });
        written++;
      }
      continue;
    }
    const dest = join(outDir!, migratedPath(f.rel, converted));
    mkdirSync(dirname(dest), { recursive: true });
    if (newText !== undefined) {
      writeFileSync(dest, newText);
      written++;
    } else {
      copyFileSync(f.path, dest);
      copied++;
    }
    outputs.push({ input: f.path, output: dest, copied: newText === undefined });
  }
  const all = [...early, ...results.map((r, i) => ({ file: relative(inputs.root, tasks[i].path), result: r }))];
  const report = buildReport(all, { layout: opts.layout, outDir: outDir ? relative(process.cwd(), outDir) || '.' : null, inPlace: o.inPlace, dryRun: o.dryRun, jobs });
  let reportPath: string | null = null;
  if (o.report) {
    reportPath = resolve(o.report);
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, reportPath.endsWith('.md') ? reportMarkdown(report) : `${JSON.stringify(report, null, 2)}\n`);
  }
  const t = report.totals;
  const code = t.byStatus.failed + t.sites.todo + tfjs.filter((x) => x.status !== 'migrated').length ? 1 : 0;
  return { code, report, root: inputs.root, outDir: outDir ?? null, outputs, written, copied, diff: diffs.join(''), packages, reportPath, tfjs };
}
