/**
 * Transpiler throughput: the fixtures replicated into a ~10,000-line TensorFlow.js corpus in a temporary
 * folder, migrated with `torchbridge migrate --jobs 2` (in this process, so peak memory covers the worker
 * threads too). Prints lines/s and peak RSS; a benchmark, not a test.
 *
 *   npx tsx bench/migrate.ts [--lines 10000] [--jobs 2]
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { runMigrate } from '../cli/migrate/run.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const targetLines = arg('lines', 10_000);
const jobs = arg('jobs', 2);

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

const run = async (label: string, j: number, typeChecker = true) => {
  const out = join(corpus, `out-${label}`);
  const t0 = performance.now();
  const code = await runMigrate({ paths: [join(corpus, 'src')], outDir: out, inPlace: false, force: false, dryRun: false, keepLayout: false, typeChecker, maxSize: 5_000_000, verbose: false, quiet: true, jobs: j });
  const s = (performance.now() - t0) / 1000;
  return { label, seconds: s, linesPerSecond: lines / s, exitCode: code };
};

console.log(`corpus: ${files} files, ${lines} lines (the ${sources.length} fixtures replicated) in ${corpus}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
const results = [await run(`jobs${jobs}`, jobs), await run('jobs1', 1)];
for (const r of results) console.log(`${r.label.padEnd(8)} ${r.seconds.toFixed(2)} s  ${Math.round(r.linesPerSecond)} lines/s  (exit ${r.exitCode}: the corpus has TODO fixtures)`);
console.log(`peak memory (RSS, all threads): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
rmSync(corpus, { recursive: true, force: true });
