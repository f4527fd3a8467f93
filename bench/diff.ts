/**
 * The program-level differential tester's acceptance figures (issue 4), through `runDiff` as `torchbridge diff`
 * runs it: per-step loss agreement under replay, final metrics of a free run, and the recording overhead (each
 * program also run plainly, same hooks and epochs, no probes). Prints one Markdown block for BENCHMARKS.md.
 *
 *   npx tsx bench/diff.ts [--only mlp-step,mlp-free,cnn-step,cnn-free,fit-step,fit-free] [--cnn-epochs 1]
 *                         [--reference wasm] [--reps 1] [--no-plain] [--json out.json]
 *
 * Scenarios: `mlp-*` the seed MNIST MLP (examples/tfjs/mnist-mlp.ts, real MNIST): `-step` the whole first epoch
 * (938 steps) under --replay step, `-free` its 3 epochs under --replay none. `cnn-*` fixtures/cnn-fit (synthetic
 * data, 32 images, batch 16: 2 steps an epoch; its reference falls back from wasm to tfjs cpu, which cannot train
 * convolutions fast, so its epochs are bounded by --cnn-epochs). `fit-*` fixtures/mnist-mlp-fit (tf.sequential +
 * fit with a validation split, synthetic data, its own 2 epochs of 3 steps).
 *
 * --reps N runs each scenario N times (each a whole diff plus the plain runs): the agreement figures are the
 * first run's, the overheads the median over the runs of each probed ÷ plain ratio, with their range, because on a
 * shared machine one run's wall times move by ±25%.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDiff } from '../difftest/program/run.js';
import type { DiffOptions, DiffReport } from '../difftest/program/types.js';

const { values: a } = parseArgs({
  options: {
    only: { type: 'string', default: '' },
    'cnn-epochs': { type: 'string', default: '1' },
    reference: { type: 'string', default: 'wasm' },
    'no-plain': { type: 'boolean', default: false },
    reps: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});

interface Scenario {
  id: string;
  title: string;
  opts: Omit<DiffOptions, 'workDir' | 'progress' | 'measurePlain'>;
}

const reference = a.reference as DiffOptions['reference'];
const cnnEpochs = Number(a['cnn-epochs']);
const SCENARIOS: Scenario[] = [
  { id: 'mlp-step', title: 'seed MLP, replay step, first epoch', opts: { original: 'examples/tfjs/mnist-mlp.ts', replay: 'step', epochs: 1, reference } },
  { id: 'mlp-free', title: 'seed MLP, free run, 3 epochs', opts: { original: 'examples/tfjs/mnist-mlp.ts', replay: 'none', reference } },
  { id: 'cnn-step', title: `CNN fixture, replay step, ${cnnEpochs} epoch(s)`, opts: { original: 'fixtures/cnn-fit/input.ts', replay: 'step', epochs: cnnEpochs, reference } },
  { id: 'cnn-free', title: `CNN fixture, free run, ${cnnEpochs} epoch(s)`, opts: { original: 'fixtures/cnn-fit/input.ts', replay: 'none', epochs: cnnEpochs, reference } },
  { id: 'fit-step', title: 'tf.sequential + fit fixture, replay step', opts: { original: 'fixtures/mnist-mlp-fit/input.ts', replay: 'step', reference } },
  { id: 'fit-free', title: 'tf.sequential + fit fixture, free run', opts: { original: 'fixtures/mnist-mlp-fit/input.ts', replay: 'none', reference } },
];

const only = new Set(a.only!.split(',').filter(Boolean));
for (const id of only) if (!SCENARIOS.some((s) => s.id === id)) throw new Error(`--only: unknown scenario '${id}'; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
const chosen = SCENARIOS.filter((s) => !only.size || only.has(s.id));

interface Row {
  id: string;
  title: string;
  /** The first run's report; `timings` of every run. */
  report: DiffReport;
  timings: DiffReport['timings'][];
  wallSeconds: number;
  traceMB: number;
}

const reps = Number(a.reps);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: a positive integer, got ${a.reps}`);

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

const rows: Row[] = [];
for (const s of chosen) {
  let row: Row | null = null;
  for (let rep = 0; rep < reps; rep++) {
    // A work dir of our own, so the traces' size on disk can be measured; removed right after, with the migrated
    // copy runDiff keeps next to a named work dir (only that mkdtemp folder, under node_modules/.cache).
    const workDir = mkdtempSync(join(tmpdir(), `tb-bench-diff-${s.id}-`));
    process.stderr.write(`${s.id}: ${s.title}${reps > 1 ? ` (run ${rep + 1} of ${reps})` : ''} ...\n`);
    const start = performance.now();
    try {
      const report = await runDiff({ ...s.opts, workDir, progress: false, measurePlain: !a['no-plain'] });
      const wallSeconds = (performance.now() - start) / 1000;
      const traceMB = (folderBytes(join(workDir, 'reference')) + folderBytes(join(workDir, 'candidate'))) / 1e6;
      if (row) row.timings.push(report.timings);
      else row = { id: s.id, title: s.title, report, timings: [report.timings], wallSeconds, traceMB };
      process.stderr.write(`${s.id}: ${report.pass ? 'pass' : 'FAIL'} in ${wallSeconds.toFixed(1)} s\n`);
      if (/[\\/]node_modules[\\/]\.cache[\\/]torchbridge-diff[\\/]migrated-[^\\/]+$/.test(dirname(report.migrated))) rmSync(dirname(report.migrated), { recursive: true, force: true });
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  rows.push(row!);
}

const fmt = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));
const maxRel = (r: DiffReport) => r.stepRows.reduce((m, s) => Math.max(m, s.relDiff), 0);

/** Test accuracy when the program evaluates one, else the last epoch's training (or validation) accuracy. */
function accuracies(r: DiffReport): { name: string; reference: number; candidate: number; diff: number } | null {
  const f = r.final.find((x) => /acc/i.test(x.name));
  if (f) return { name: f.name.replace(' (points)', ''), reference: f.reference, candidate: f.candidate, diff: f.diff };
  const last = r.epochRows[r.epochRows.length - 1];
  if (!last) return null;
  const key = Object.keys(last.reference).find((k) => k === 'val_acc') ?? Object.keys(last.reference).find((k) => /acc/.test(k));
  if (!key) return null;
  const ref = last.reference[key] * 100;
  const cand = (last.candidate[key] ?? NaN) * 100;
  return { name: `epoch ${last.epoch + 1} ${key} (no evaluate)`, reference: ref, candidate: cand, diff: Math.abs(cand - ref) };
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor((xs.length - 1) / 2)];
/** Median overhead (probed ÷ plain − 1) over the runs, with the range when there are several. */
function overhead(ts: DiffReport['timings'][], pick: (t: DiffReport['timings']) => [number, number | undefined]): string {
  const ratios = ts.map(pick).filter((p): p is [number, number] => p[1] !== undefined && p[1] > 0).map(([probed, plain]) => probed / plain - 1);
  if (!ratios.length) return '—';
  const pc = (x: number) => `${(x * 100).toFixed(0)}%`;
  return ratios.length > 1 ? `${pc(median(ratios))} (${pc(Math.min(...ratios))} … ${pc(Math.max(...ratios))})` : pc(ratios[0]);
}
const command = `npx tsx bench/diff.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
let tfjsVersion = '?';
try {
  tfjsVersion = (JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("@tensorflow/tfjs/package.json"))'], { encoding: 'utf8' })) as { version: string }).version;
} catch {
  // The version line is informative only.
}

const out: string[] = [];
out.push('```', command, '```', '');
out.push(`Machine: ${cpus().length}-core ${cpus()[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, @tensorflow/tfjs ${tfjsVersion}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; 1-minute load average at the end ${loadavg()[0].toFixed(1)}.`, '');
out.push('| scenario | reference backend | steps | max per-step loss rel diff | steps beyond 1e-4 | verdict | accuracy tfjs / torchbridge (Δ points) |');
out.push('|---|---|---:|---:|---:|---|---|');
for (const r of rows) {
  const rep = r.report;
  const acc = accuracies(rep);
  const failed = rep.stepRows.filter((s) => !s.pass).length;
  const backend = `${rep.reference.backend}${rep.reference.fallbacks.length ? ' (wasm cannot train its convolutions: fell back)' : ''}`;
  out.push(`| ${r.id}: ${r.title} | ${backend} | ${rep.steps} | ${sci(maxRel(rep))} | ${failed} | ${rep.pass ? 'pass' : 'FAIL'} | ${acc ? `${acc.name}: ${fmt(acc.reference)} / ${fmt(acc.candidate)} (${fmt(acc.diff)})` : '—'} |`);
}
out.push('');
out.push(`Wall time of each side under the probes vs the same program run plainly (same hooks, backend, epochs and steps, no probes)${reps > 1 ? `: medians of ${reps} runs, overheads as median (min … max) of the runs' ratios` : ''}; peak RSS and traces written, first run:`, '');
out.push('| scenario | tfjs probed / plain s | overhead | torchbridge probed / plain s | overhead | both sides | peak RSS tfjs / torchbridge MB (plain) | traces MB |');
out.push('|---|---:|---:|---:|---:|---:|---|---:|');
for (const r of rows) {
  const t = r.report.timings;
  const med = (f: (x: DiffReport['timings']) => number | undefined) => {
    const xs = r.timings.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  out.push(`| ${r.id} | ${fmt(med((x) => x.referenceSeconds), 1)} / ${fmt(med((x) => x.referencePlainSeconds), 1)} | ${overhead(r.timings, (x) => [x.referenceSeconds, x.referencePlainSeconds])} | ${fmt(med((x) => x.candidateSeconds), 1)} / ${fmt(med((x) => x.candidatePlainSeconds), 1)} | ${overhead(r.timings, (x) => [x.candidateSeconds, x.candidatePlainSeconds])} | ${overhead(r.timings, (x) => [x.referenceSeconds + x.candidateSeconds, x.referencePlainSeconds !== undefined && x.candidatePlainSeconds !== undefined ? x.referencePlainSeconds + x.candidatePlainSeconds : undefined])} | ${fmt(t.referencePeakRssMB, 0)} / ${fmt(t.candidatePeakRssMB, 0)} (${fmt(t.referencePlainPeakRssMB, 0)} / ${fmt(t.candidatePlainPeakRssMB, 0)}) | ${fmt(r.traceMB, 0)} |`);
}
for (const r of rows) {
  const notes = r.report.failures.length ? r.report.failures : [];
  if (notes.length) out.push('', `${r.id} failures:`, ...notes.map((n) => `- ${n}`));
}
console.log(out.join('\n'));
if (a.json) {
  // The reports without their per-step rows and probes (the figures above are derived from them).
  writeFileSync(a.json, JSON.stringify(rows.map((r) => ({ id: r.id, title: r.title, wallSeconds: r.wallSeconds, traceMB: r.traceMB, maxRelDiff: maxRel(r.report), runs: r.timings, ...r.report, stepRows: undefined, probes: undefined })), null, 1));
  process.stderr.write(`wrote ${a.json}\n`);
}

