/**
 * The `--trace ops` section (difftest/program/op_trace_report.ts) as lines of text, shared by the terminal and
 * Markdown reports: what was paired, how sure the pairing is, and the first diverging op with both sides' kernels,
 * shapes, errors and program lines.
 */
import type { OpTraceReport, TracedOpRef } from '../program/types.js';

const op = (o: TracedOpRef) => `${o.kind} [${o.shape.join(', ')}]${o.module ? ` in ${o.module}.forward` : ''}${o.at ? ` at ${o.at}` : ''}`;
const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

export function opTraceLines(t: OpTraceReport): string[] {
  const out = [`step ${t.step}: ${t.referenceOps} tfjs kernels, ${t.candidateOps} runtime ops; ${t.paired} paired, ${t.agreeing} agree${t.dropped ? `, ${t.dropped} same-kind pairs left unpaired (values differ, no dataflow backs them)` : ''}`];
  if (t.unsure) out.push(`unsure: ${t.unsure}`);
  const d = t.firstDivergence;
  if (!d) {
    out.push('no op diverges beyond tolerance');
    return out;
  }
  if (d.phase === 'backward') out.push(d.cause === 'no-gradient' ? 'the forward ops agree; the gradient does not flow where the original\'s does:' : 'the forward ops agree; in the backward pass (whose ops the two sides arrange differently, so the pairing is less sure):');
  out.push(`first diverging output: ${op(d.candidate)}  ↔  tfjs ${op(d.reference)}`);
  out.push(`  max abs err ${fmt(d.maxAbsError)}, max rel err ${fmt(d.maxRelError)}, relative L2 ${fmt(d.relativeL2)}`);
  const cause = {
    op: 'its inputs agree: the op itself computes differently',
    gap: 'ops only one side has come before it (below)',
    input: 'it reads tensors no traced op made (data, constants) that differ (below), e.g. data drawn at random (tfjs\'s and the runtime\'s generators differ)',
    'no-gradient': 'the values agree, but the original differentiates this output with respect to trained variables (below) that the migrated program\'s does not reach: its gradient stops there (a detach(), a value computed without grad, or a variable it does not have)',
  }[d.cause];
  out.push(`  cause: ${cause}`);
  if (d.candidateGap.length) out.push(`  migrated program, unpaired before it: ${d.candidateGap.slice(-6).map(op).join('; ')}`);
  if (d.referenceGap.length) out.push(`  ${d.cause === 'no-gradient' ? 'original, trained variables its gradient reaches and the migrated program\'s does not' : 'original, unpaired before it'}: ${d.referenceGap.slice(-6).map(op).join('; ')}`);
  out.push(`likely cause: ${op(d.likely)}`);
  if (d.message) out.push(...d.message.split('\n').slice(0, 4).map((l) => `  ${l}`));
  return out;
}
