/**
 * Migration coverage on the corpus of TensorFlow.js programs under fixtures/ (each `input.*` file, and each
 * `src/` folder of a multi-module program, migrated as one project): the share of tf.* sites rewritten and of
 * files with tf.* sites that come out without a TODO — issue 13's measures (targets ≥ 90% and ≥ 60%). Prints a
 * table per program and the totals; writes nothing (dry run). A benchmark, not a test.
 *
 *   npx tsx bench/corpus.ts [--json out.json]
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateProject } from '../transpiler/project/migrate_project.js';

const root = join(import.meta.dirname, '..', 'fixtures');
const programs: { name: string; path: string }[] = [];
/** A program is a folder with an input.* file or a src/ folder; other folders (fixtures/corpus) hold programs. */
const collect = (base: string, prefix: string): void => {
  for (const d of readdirSync(base).sort()) {
    const dir = join(base, d);
    if (!statSync(dir).isDirectory()) continue;
    const input = readdirSync(dir).find((f) => /^input\.(ts|tsx|js|mjs|cjs)$/.test(f));
    if (input) programs.push({ name: `${prefix}${d}`, path: join(dir, input) });
    else if (existsSync(join(dir, 'src'))) programs.push({ name: `${prefix}${d} (project)`, path: join(dir, 'src') });
    else collect(dir, `${prefix}${d}/`);
  }
};
collect(root, '');

const rows: { name: string; files: number; tfFiles: number; clean: number; found: number; rewritten: number; todo: number }[] = [];
const t0 = performance.now();
for (const p of programs) {
  const r = await migrateProject({
    paths: [p.path], inPlace: false, force: false, dryRun: true, keepLayout: false, typeChecker: true,
    maxSize: 5_000_000, jobs: 1,
  });
  const withTf = r.report.files.filter((f) => f.sites.found > 0);
  rows.push({
    name: p.name, files: r.report.files.length, tfFiles: withTf.length, clean: withTf.filter((f) => f.sites.todo === 0 && f.status !== 'failed').length,
    ...r.report.totals.sites,
  });
}
const seconds = (performance.now() - t0) / 1000;
const sum = (k: 'files' | 'tfFiles' | 'clean' | 'found' | 'rewritten' | 'todo') => rows.reduce((s, r) => s + r[k], 0);
const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '—');
console.log('| program | files | tf.* sites | rewritten | TODO | clean files |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.files} | ${r.found} | ${r.rewritten} | ${r.todo} | ${r.clean}/${r.tfFiles} |`);
const totals = { programs: rows.length, files: sum('files'), tfFiles: sum('tfFiles'), clean: sum('clean'), found: sum('found'), rewritten: sum('rewritten'), todo: sum('todo') };
console.log(`\n${totals.programs} programs, ${totals.files} files: ${totals.rewritten}/${totals.found} sites rewritten (${pct(totals.rewritten, totals.found)}%), ` +
  `${totals.clean}/${totals.tfFiles} files with tf.* sites clean (${pct(totals.clean, totals.tfFiles)}%), ` +
  `${rows.filter((r) => r.todo === 0).length}/${rows.length} programs without a TODO; ${seconds.toFixed(1)} s`);
const j = process.argv.indexOf('--json');
if (j >= 0) writeFileSync(process.argv[j + 1], JSON.stringify({ rows, totals }, null, 2));
