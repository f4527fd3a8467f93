/** `torchbridge mappings --verify`: the op-level differential test as a terminal table (or JSON), and its exit code. */
import type { RowResult, VerifyReport } from './op_level.js';

const fmtErr = (e: number | null): string => (e === null ? '—' : Number.isNaN(e) ? 'n/a' : e === 0 ? '0' : e.toExponential(2));

/** Why a row's gradients were not compared (its first sample's reason, shortened). */
function gradSkip(r: RowResult): string {
  if (r.gradientMaxError !== null) return '';
  const why = r.samples.find((s) => s.gradientSkipped)?.gradientSkipped;
  return why ? `gradient skipped: ${why.replace(/ \(.*$/, '')}` : '';
}

function verdictColumn(r: RowResult): string {
  if (r.verdict === 'expected-difference') return `expected difference (${r.noteIds.join(', ')})`;
  if (r.verdict === 'reference-bug') return 'tfjs gradient bug';
  return r.verdict === 'pass' ? 'pass' : r.verdict.toUpperCase();
}

/** One line per row (row, status, op class, forward max error, gradient max error, verdict), failures spelled out, totals. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  lines.push(`${'row'.padEnd(40)} ${'status'.padEnd(9)} ${'class'.padEnd(11)} ${'fwd max err'.padEnd(11)} ${'grad max err'.padEnd(12)} ${'verdict'.padEnd(9)} note`);
  for (const r of report.rows) {
    lines.push(
      `${r.row.padEnd(40)} ${r.status.padEnd(9)} ${r.opClass.padEnd(11)} ${fmtErr(r.forwardMaxError).padEnd(11)} ` +
        `${fmtErr(r.gradientMaxError).padEnd(12)} ${verdictColumn(r).padEnd(9)} ${gradSkip(r)}`.trimEnd(),
    );
  }
  const detailed = report.rows.filter((r) => r.verdict !== 'pass');
  for (const r of detailed) {
    lines.push('', `${r.row} (${r.verdict}):`);
    for (const s of r.samples) if (s.code) lines.push(`  #${s.index} emitted: ${s.code}`);
    for (const f of r.failures) lines.push(...f.split('\n').map((l) => `  ${l}`));
  }
  const t = report.totals;
  lines.push(
    '',
    `${t.rows} rows, ${t.samples} samples (${t.gradientsCompared} with gradients compared): ${t.pass} pass, ${t.fail} fail, ` +
      `${t.error} error, ${t['expected-difference']} expected difference, ${t['reference-bug']} tfjs gradient bug`,
  );
  if (report.unexpected.length) lines.push(`unexpected failures: ${report.unexpected.map((r) => r.row).join(', ')}`);
  return lines.join('\n');
}

/** Runs the verification; 0 when no exact/semantic row fails unexpectedly, else 1. */
export async function runVerify(opts: { json: boolean; only?: string[] }): Promise<number> {
  const { verifyTable } = await import('./op_level.js');
  const report = verifyTable({ only: opts.only });
  if (opts.json) {
    console.log(JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
  } else {
    console.log(formatVerifyReport(report));
  }
  return report.unexpected.length ? 1 : 0;
}
