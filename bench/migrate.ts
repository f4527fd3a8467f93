/**
 * Transpiler throughput: the fixtures replicated into a ~10,000-line TensorFlow.js corpus in a temporary
 * folder, migrated as `torchbridge migrate --jobs 2` and `--jobs 1`, each run in a fresh process (as the CLI runs:
 * cold, the TypeScript checker's warm-up paid by every thread), the two alternated for --rounds rounds; the median
 * of each is printed with its peak RSS (worker threads included). One process running both would hand the second
 * configuration a warm main thread — seconds of type-checker warm-up — and favour whichever runs last.
 *
 * With --built the runs use the package build (dist/, made by `npm run build`): what `npx torchbridge migrate`
 * runs in a user's project, compiled JavaScript in the main thread and the workers, where the source runs pay
 * tsx's on-the-fly TypeScript transform in every thread.
 *
 *   npx tsx bench/migrate.ts [--lines 10000] [--jobs 2] [--rounds 3] [--built]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const targetLines = arg('lines', 10_000);
const jobs = arg('jobs', 2);
const rounds = arg('rounds', 3);
const childAt = process.argv.indexOf('--child');
const built = process.argv.includes('--built');

if (childAt >= 0) {
  // One configuration in this fresh process: `--child <corpus> <label> <jobs> <lines>`.
  const [corpusDir, label, j, n, built] = process.argv.slice(childAt + 1);
  const { runMigrate } = (await import(built === 'built' ? '../dist/cli/migrate/run.js' : '../cli/migrate/run.js')) as typeof import('../cli/migrate/run.js');
  const out = join(corpusDir, `out-${label}-${process.pid}`);
  const t0 = performance.now();
  const code = await runMigrate({ paths: [join(corpusDir, 'src')], outDir: out, inPlace: false, force: false, dryRun: false, keepLayout: false, typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true, jobs: Number(j) });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  console.log(JSON.stringify({ label, seconds, linesPerSecond: Number(n) / seconds, exitCode: code, rssMB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const root = join(import.meta.dirname, '..', 'fixtures');
const sources = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) =>
  readdirSync(join(root, d.name)).filter((f) => /^input\.(ts|js|cjs)$/.test(f)).map((f) => ({ name: d.name, file: f, text: readFileSync(join(root, d.name, f), 'utf8') })));

const corpus = mkdtempSync(join(tmpdir(), 'tb-bench-'));
let lines = 0;
let files = 0;
for (let copy = 0; lines < targetLines; copy++) {
  for (const s of sources) {
    const dir = join(corpus, 'src', `copy${copy}`, s.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, s.file), s.text);
    lines += s.text.split('\n').length;
    files++;
    if (lines >= targetLines) break;
  }
}

const run = (label: string, j: number) => {
  const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', corpus, label, String(j), String(lines), built ? 'built' : 'source'], { encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`bench/migrate.ts: the ${label} run failed (exit ${r.status})\n${r.stderr}`);
  return JSON.parse(last) as { label: string; seconds: number; linesPerSecond: number; exitCode: number; rssMB: number };
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

console.log(`corpus: ${files} files, ${lines} lines (the ${sources.length} fixtures replicated) in ${corpus}`);
if (built && !existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'migrate', 'run.js'))) throw new Error('bench/migrate.ts --built: no dist/ build; run `npm run build` first');
console.log(`running: ${built ? 'the package build (dist/)' : 'the TypeScript sources through tsx'}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${rounds} rounds, each run in a fresh process, alternated`);
const configs: [string, number][] = [[`jobs${jobs}`, jobs], ['jobs1', 1]];
const runs = new Map<string, ReturnType<typeof run>[]>(configs.map(([label]) => [label, []]));
for (let i = 0; i < rounds; i++) {
  for (const [label, j] of i % 2 === 0 ? configs : [...configs].reverse()) runs.get(label)!.push(run(label, j));
}
for (const [label, rs] of runs) {
  const s = median(rs.map((r) => r.seconds));
  console.log(`${label.padEnd(8)} ${s.toFixed(2)} s  ${Math.round(lines / s)} lines/s  (runs ${rs.map((r) => r.seconds.toFixed(2)).join(', ')} s; peak RSS ${Math.round(Math.max(...rs.map((r) => r.rssMB)))} MB; exit ${rs[0].exitCode}: the corpus has TODO fixtures)`);
}
rmSync(corpus, { recursive: true, force: true });
