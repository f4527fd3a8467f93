/**
 * `torchbridge --help` start-up (issue 11 target: under 300 ms): the built command (dist/cli/bin.js, what an install
 * runs) against bare `node -e 0`, the source entry under tsx (cli/bin.mjs, what `npm run demo` runs) and npm's own
 * start (`npx --version`, which `npx torchbridge` adds on top). The runs alternate, so every row sees the same
 * machine load. Needs a build: `npm run build` first. A benchmark, not a test.
 *
 *   npx tsx bench/cli-help.ts [--runs 20]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 20;
if (!existsSync(join(ROOT, 'dist/cli/bin.js'))) {
  console.error('bench/cli-help: dist/cli/bin.js is missing; run `npm run build` first');
  process.exit(2);
}

const rows: { name: string; cmd: string; args: string[]; ms: number[] }[] = [
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'], ms: [] },
  { name: 'node dist/cli/bin.js --help (installed)', cmd: process.execPath, args: [join(ROOT, 'dist/cli/bin.js'), '--help'], ms: [] },
  { name: 'node cli/bin.mjs --help (source, tsx)', cmd: process.execPath, args: [join(ROOT, 'cli/bin.mjs'), '--help'], ms: [] },
  { name: 'npx --version (npm start-up)', cmd: 'npx', args: ['--version'], ms: [] },
];

for (let r = 0; r < runs; r++) {
  for (const row of rows) {
    const t = performance.now();
    const p = spawnSync(row.cmd, row.args, { cwd: ROOT, encoding: 'utf8' });
    row.ms.push(performance.now() - t);
    if (p.status !== 0) throw new Error(`${row.name} exited ${p.status}: ${p.stderr}`);
  }
}

const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))];
console.log(`${runs} runs each, alternating; ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}, node ${process.version}`);
console.log('| command | median | p10 | p90 |\n|---|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.name} | ${q(row.ms, 0.5).toFixed(0)} ms | ${q(row.ms, 0.1).toFixed(0)} ms | ${q(row.ms, 0.9).toFixed(0)} ms |`);
