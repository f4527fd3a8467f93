/**
 * The diff report as JUnit XML for CI: one <testsuite> per report, one <testcase> per check — the per-step loss
 * series, each final metric, each layer, the first divergence and the overall verdict. A failing check carries the
 * assert_close-style message, so the CI page shows the same text as the terminal.
 */
import type { DiffReport } from '../program/types.js';
import { fmtError, fmtMetric, fmtMetricDiff, fmtSeconds, layerTypes, scalarMessage, verdict } from './summary.js';

/**
 * Text safe inside XML attributes and elements: the five predefined entities escaped, ANSI escapes dropped and
 * characters XML 1.0 forbids (other control characters, lone surrogates) replaced, so any message stays well-formed.
 */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export interface TestCase { name: string; failure?: { message: string; detail: string; type?: string } }

/** The checks one report makes, in the order a reader wants them. */
export function junitCases(report: DiffReport): TestCase[] {
  const cases: TestCase[] = [];
  const tol = report.tolerances;

  const failed = report.stepRows.filter((r) => !r.pass);
  cases.push({
    name: `loss per step (${report.stepRows.length} steps, rtol ${tol.lossRtol})`,
    failure: failed.length
      ? { message: `${failed.length} of ${report.stepRows.length} steps beyond tolerance, first at step ${failed[0].step}`, detail: scalarMessage(failed[0], tol) }
      : report.stepRows.length ? undefined : { message: 'no steps were recorded', detail: 'the diff recorded no training step: nothing was compared' },
  });

  for (const f of report.final) {
    const text = `${f.name}: tfjs ${fmtMetric(f.name, f.reference)} vs torchbridge ${fmtMetric(f.name, f.candidate)}, difference ${fmtMetricDiff(f.name, f.diff)} (up to ${tol.metricPoints} allowed)`;
    cases.push({ name: `final ${f.name}`, failure: f.pass ? undefined : { message: text, detail: text } });
  }

  for (const l of report.layers) {
    let failure: TestCase['failure'];
    if (!l.pass) {
      // The layer's first failing probe says how it failed; the summary says how much error it introduces.
      const probe = report.probes.find((p) => p.layer === l.layer && !p.pass);
      const summary = `layer ${l.layer} (${layerTypes(l)}): max output error ${fmtError(l.maxOutputError)}, mean error introduction rate ${fmtError(l.meanIntroductionRate)}, max ${fmtError(l.maxIntroductionRate)} at step ${l.worstStep}`;
      failure = { message: summary, detail: probe ? `${summary}\n\nstep ${probe.step}, ${probe.kind} ${probe.tensor}:\n${probe.message ?? ''}` : summary };
    }
    cases.push({ name: `layer ${l.layer} (${layerTypes(l)})`, failure });
  }

  const d = report.firstDivergence;
  cases.push({
    name: 'first divergence',
    failure: d ? { message: `step ${d.step}: ${d.kind} of ${d.layer || 'the program'}${d.tensor ? ` (${d.tensor})` : ''}`, detail: d.message } : undefined,
  });

  const v = verdict(report);
  cases.push({ name: 'verdict', failure: v.pass ? undefined : { message: v.headline, detail: v.fixes.join('\n') } });
  return cases;
}

/** One <testsuite>: what `junitDocument` lays out (check adds its own gates to a report's cases). */
export interface JunitSuite {
  name: string;
  classname: string;
  cases: TestCase[];
  properties: [string, string][];
  systemOut: string;
  seconds: number;
}

/** The suite of one diff report. */
export function reportSuite(report: DiffReport): JunitSuite {
  return {
    name: `torchbridge diff ${report.original} ↔ ${report.migrated}`,
    classname: `torchbridge.diff.${report.migrated}`,
    cases: junitCases(report),
    properties: [
      ['reference', `tfjs ${report.reference.version} on ${report.reference.backend}`],
      ['candidate', `torchbridge ${report.candidate.version} on ${report.candidate.device}`],
      ['replay', report.replay], ['steps', String(report.steps)], ['epochs', String(report.epochs)],
      ...report.reference.fallbacks.map((f): [string, string] => ['fallback', f]),
    ],
    systemOut: [
      ...report.notes.map((n) => `note: ${n}`),
      `time under probes: tfjs ${fmtSeconds(report.timings.referenceSeconds)}, torchbridge ${fmtSeconds(report.timings.candidateSeconds)}`,
    ].join('\n'),
    seconds: report.timings.referenceSeconds + report.timings.candidateSeconds,
  };
}

function suiteXml(s: JunitSuite): string {
  const failures = s.cases.filter((c) => c.failure).length;
  const lines = [`  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${failures}" errors="0" skipped="0" time="${s.seconds.toFixed(3)}">`];
  if (s.properties.length) {
    lines.push('    <properties>');
    for (const [k, val] of s.properties) lines.push(`      <property name="${xmlEscape(k)}" value="${xmlEscape(val)}"/>`);
    lines.push('    </properties>');
  }
  for (const c of s.cases) {
    const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(s.classname)}"`;
    if (!c.failure) lines.push(`${open}/>`);
    else {
      lines.push(`${open}>`);
      lines.push(`      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type ?? 'DiffMismatch')}">${xmlEscape(c.failure.detail)}</failure>`);
      lines.push('    </testcase>');
    }
  }
  if (s.systemOut) lines.push(`    <system-out>${xmlEscape(s.systemOut)}</system-out>`);
  lines.push('  </testsuite>');
  return lines.join('\n');
}

/** A JUnit document of the given suites. */
export function junitDocument(suites: JunitSuite[]): string {
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((t) => t.failure).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="torchbridge" tests="${tests}" failures="${failures}" errors="0">\n${suites.map(suiteXml).join('\n')}\n</testsuites>\n`;
}

/** One document for one or more reports. */
export function formatJunit(reports: DiffReport | DiffReport[]): string {
  return junitDocument((Array.isArray(reports) ? reports : [reports]).map(reportSuite));
}
