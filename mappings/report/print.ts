/** `torchbridge mappings`: coverage against tfjs's exports, and MAPPINGS.md. */
import { writeFileSync } from 'node:fs';
import { loadRuntimeApi } from '../runtime_api.js';
import { coverage, type CoverageEntry } from './coverage.js';
import { renderDocs } from './docs.js';

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

export async function runMappings(opts: { coverage: boolean; json: boolean; writeDocs?: string; all: boolean }): Promise<number> {
  const api = await loadRuntimeApi();
  if (opts.writeDocs) {
    writeFileSync(opts.writeDocs, renderDocs(api));
    console.log(`wrote ${opts.writeDocs}`);
    if (!opts.coverage) return 0;
  }
  const cov = await coverage(api);
  if (opts.json) {
    console.log(JSON.stringify(cov, null, 2));
    return 0;
  }
  const bySection = new Map<string, CoverageEntry[]>();
  for (const e of cov.entries) bySection.set(e.section, [...(bySection.get(e.section) ?? []), e]);
  if (opts.coverage) {
    for (const [section, es] of bySection) {
      console.log(`\n${section}`);
      for (const e of es) {
        if (e.status === 'internal' && !opts.all) continue;
        console.log(`  ${e.key.padEnd(44)} ${e.status}${e.why ? ` (${e.why})` : ''}`);
      }
    }
    console.log('');
  }
  console.log('section            public  exact  semantic  pattern  manual  unmapped  (internal)');
  for (const [section, es] of bySection) {
    const n = (s: string) => es.filter((e) => e.status === s).length;
    const pub = es.length - n('internal');
    console.log(`${section.padEnd(18)} ${String(pub).padStart(6)} ${String(n('exact')).padStart(6)} ${String(n('semantic')).padStart(9)} ${String(n('pattern')).padStart(8)} ${String(n('manual')).padStart(7)} ${String(n('unmapped')).padStart(9)}  (${n('internal')})`);
  }
  const o = cov.overall;
  console.log(`\noverall: ${o.mapped}/${o.total} public tfjs exports mapped (${pct(o.mapped, o.total)}; exact or semantic ${o.exactOrSemantic}, ${pct(o.exactOrSemantic, o.total)})`);
  const r = cov.ordinary;
  console.log(`ordinary training programs: ${r.exactOrSemantic}/${r.total} ops, Tensor methods, layers, optimizers and losses exact or semantic (${pct(r.exactOrSemantic, r.total)}; target 90%)`);
  if (r.missing.length) console.log(`  not yet: ${r.missing.join(', ')}`);
  if (!opts.coverage) console.log('(every export with its status: --coverage; internal ones too: --coverage --all)');
  return 0;
}
