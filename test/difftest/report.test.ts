/**
 * The diff reports (terminal, Markdown, JUnit, HTML, JSON) on hand-built DiffReports: one that passes, one that
 * diverges at a known step and layer, one with NaN losses and reference fallbacks. Assertions read the real content:
 * table rows and verdicts, the elision keeping the divergence, JUnit parsed into a tree, the inlined chart.js.
 */
import { describe, expect, test, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { DiffReport, StepRow } from '../../difftest/program/types.js';
import { formatHtml, formatJson, formatJunit, formatMarkdown, formatTerminal, writeReports, ReportPathError } from '../../difftest/report/index.js';
import { selectRows } from '../../difftest/report/summary.js';

function rows(n: number, loss: (i: number) => [number, number], rtol = 1e-4): StepRow[] {
  return Array.from({ length: n }, (_, i) => {
    const [r, c] = loss(i);
    const absDiff = Math.abs(c - r);
    const relDiff = absDiff === 0 ? 0 : absDiff / Math.abs(r);
    return { step: i, epoch: Math.floor(i / 10), batch: i % 10, lossReference: r, lossCandidate: c, absDiff, relDiff, pass: (Number.isNaN(r) && Number.isNaN(c)) || absDiff <= rtol * Math.abs(r) };
  });
}

function base(over: Partial<DiffReport>): DiffReport {
  return {
    version: 1, original: 'src/train.ts', migrated: 'migrated/train.ts',
    reference: { backend: 'wasm', fallbacks: [], version: '4.22.0' },
    candidate: { device: 'cpu', version: '0.1.0' }, replay: 'step', steps: 30, epochs: 3,
    tolerances: { lossRtol: 1e-4, lossAtol: 0, metricPoints: 0.3 },
    notes: ['adam-epsilon: tf.train.adam uses epsilon 1e-7, torch 1e-8; the migration passes eps: 1e-7'],
    stepRows: [], probes: [], layers: [], epochRows: [], final: [], firstDivergence: null, pass: true, failures: [],
    timings: { referenceSeconds: 12.5, candidateSeconds: 2.25 },
    ...over,
  };
}

const layer = (name: string, ref: string, cand: string, err: number, r: number, pass = true, worstStep = 0) =>
  ({ layer: name, referenceType: ref, candidateType: cand, maxOutputError: err, meanIntroductionRate: r, maxIntroductionRate: r * 2, worstStep, pass });

const passing = base({
  stepRows: rows(30, (i) => [2.3 - i * 0.01, 2.3 - i * 0.01 + 1e-7]),
  layers: [layer('dense_Dense1', 'Dense', 'Linear', 2e-7, 0.1), layer('dense_Dense2', 'Dense', 'Linear', 3e-7, 0.3)],
  epochRows: [0, 1, 2].map((e) => ({ epoch: e, reference: { loss: 1 - e * 0.1, acc: 0.8 + e * 0.05 }, candidate: { loss: 1 - e * 0.1, acc: 0.8 + e * 0.05 } })),
  final: [{ name: 'test accuracy', reference: 91.23, candidate: 91.19, diff: -0.04, pass: true }],
});

// Diverges at step 57 of 200 in dense_Dense2's output: a missing bias, say.
const DIV_STEP = 57;
const failingMessage = 'Tensor-likes are not close!\n\nMismatched elements: 640 / 640 (100.0%)\nGreatest absolute difference: 0.5 at index (3, 7) (up to 1e-05 allowed)';
const failing = base({
  steps: 200, replay: 'layer',
  stepRows: rows(200, (i) => [2.3 - i * 0.001, i < DIV_STEP ? 2.3 - i * 0.001 : 2.3 - i * 0.001 + 0.05]),
  layers: [layer('dense_Dense1', 'Dense', 'Linear', 1e-7, 0.05), layer('dense_Dense2', 'Dense', 'Linear', 0.42, 3.1e5, false, DIV_STEP)],
  probes: [
    { step: DIV_STEP, kind: 'output', layer: 'dense_Dense1', candidateName: 'fc1', tensor: 'output', shape: [64, 50], metrics: null, pass: true, message: null },
    { step: DIV_STEP, kind: 'output', layer: 'dense_Dense2', candidateName: 'fc2', tensor: 'output', shape: [64, 10], metrics: null, pass: false, message: failingMessage },
  ],
  final: [{ name: 'test accuracy', reference: 91.2, candidate: 85.0, diff: -6.2, pass: false }],
  firstDivergence: { step: DIV_STEP, kind: 'output', layer: 'dense_Dense2', tensor: 'output', message: failingMessage },
  pass: false,
  failures: ['step 57: output of dense_Dense2 (Dense → Linear) diverges: check its bias'],
});

// NaN losses on the candidate from step 4, fallbacks on the reference; file names with markup characters.
const nanReport = base({
  original: 'src/<evil> & "quoted".ts', migrated: "out/it's <b>.ts",
  reference: { backend: 'wasm', fallbacks: ['Conv2DBackpropFilter: not on wasm, ran on cpu', 'Cumsum: not on wasm, ran on cpu'], version: '4.22.0' },
  stepRows: rows(8, (i) => [1.5, i < 4 ? 1.5 : NaN]),
  firstDivergence: { step: 4, kind: 'loss', layer: '', tensor: 'loss', message: 'Scalars are not close!\n\nExpected 1.5 but got nan.\x1b[31m <tag> & \x01' },
  pass: false,
});

describe('formatTerminal', () => {
  test('a passing report: header, every row ok, epoch and final metrics, layers, PASS verdict, no color', () => {
    const text = formatTerminal(passing);
    expect(text).toContain('torchbridge diff: src/train.ts ↔ migrated/train.ts');
    expect(text).toMatch(/reference\s+tfjs 4\.22\.0 on wasm/);
    expect(text).toMatch(/candidate\s+torchbridge 0\.1\.0 on cpu/);
    expect(text).toMatch(/replay\s+step/);
    expect(text).toMatch(/steps\s+30 \(3 epochs\)/);
    // 30 rows > 20: elided, but the first and last rows stay.
    const tableRows = text.split('\n').filter((l) => /^\s*\d+\s+[\d.]+\s+[\d.]+\s/.test(l));
    expect(tableRows.length).toBeLessThanOrEqual(20);
    expect(tableRows[0]).toMatch(/^\s*0\s+2\.3\s+2\.3\s+1\.00e-7\s+4\.35e-8\s+ok$/);
    expect(tableRows.at(-1)).toMatch(/^\s*29\s/);
    expect(text).toMatch(/… \d+ steps …/);
    expect(text).toMatch(/test accuracy\s+91\.23%\s+91\.19%\s+-0\.04 points\s+ok/);
    expect(text).toMatch(/^\s*2\s+acc\s+90\.00%\s+90\.00%\s+0\.00 points$/m);
    expect(text).toMatch(/^\s*1\s+loss\s+0\.9\s+0\.9\s+0$/m);
    expect(text).toMatch(/dense_Dense2\s+Dense → Linear/);
    expect(text.indexOf('dense_Dense2')).toBeLessThan(text.indexOf('dense_Dense1  ')); // worst (higher R) first
    expect(text).toContain('adam-epsilon');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^PASS: the migrated program matches TensorFlow\.js \(30 steps/);
    expect(text).not.toContain('\x1b[');
  });

  test('a failing report: the elision keeps the divergence row, the verdict says what to fix', () => {
    const text = formatTerminal(failing, { maxRows: 12 });
    const lines = text.split('\n');
    const divRow = lines.find((l) => l.includes('← first divergence'));
    expect(divRow).toMatch(/^\s*57\s+2\.243\s+2\.293\s+5\.00e-2\s+2\.23e-2\s+FAIL ← first divergence/);
    // The neighbours of the divergence and the last row survive; row 100 does not.
    expect(lines.some((l) => /^\s*56\s/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*199\s/.test(l))).toBe(true);
    const shown = lines.filter((l) => /^\s*\d+\s+[\d.]+\s+[\d.]+\s+\S+\s+\S+\s+(ok|FAIL)/.test(l));
    expect(shown.length).toBeLessThanOrEqual(12);
    expect(text).toMatch(/143 steps, 143 beyond tolerance|200 steps, 143 beyond tolerance/);
    expect(text).toMatch(/dense_Dense2\s+Dense → Linear\s+4\.20e-1\s+3\.10e\+5\s+6\.20e\+5\s+57\s+FAIL/);
    expect(text).toContain('First divergence\nstep 57, output of dense_Dense2 (output)\n  Tensor-likes are not close!');
    expect(text).toMatch(/test accuracy\s+91\.20%\s+85\.00%\s+-6\.20 points\s+FAIL/);
    expect(text).toContain('FAIL: the migrated program differs from TensorFlow.js — first divergence at step 57 in dense_Dense2 (output)');
    expect(text).toContain('What to fix:\n  ✗ step 57: output of dense_Dense2 (Dense → Linear) diverges: check its bias');
  });

  test('color only when asked', () => {
    expect(formatTerminal(failing, { color: true })).toContain('\x1b[31m');
    expect(formatTerminal(failing, { color: true }).replace(/\x1b\[\d+m/g, '')).toBe(formatTerminal(failing));
  });

  test('NaN losses and fallbacks: NaN rows fail, fallbacks listed, a verdict derived when the runner gave no failures', () => {
    const text = formatTerminal(nanReport);
    expect(text).toContain('tfjs 4.22.0 on wasm (2 fallbacks)');
    expect(text).toContain('fallback Conv2DBackpropFilter: not on wasm, ran on cpu');
    expect(text).toMatch(/^\s*4\s+1\.5\s+NaN\s+NaN\s+NaN\s+FAIL ← first divergence$/m);
    expect(text).toMatch(/^\s*3\s+1\.5\s+1\.5\s+0\s+0\s+ok$/m);
    expect(text).toContain('the migrated loss is NaN from step 4 (4 steps)');
  });

  test('selectRows keeps the divergence and the last rows under any budget', () => {
    for (const budget of [3, 5, 8, 40]) {
      const picked = selectRows(failing, budget).flatMap((r) => ('row' in r ? [r.row.step] : []));
      expect(picked).toContain(DIV_STEP);
      expect(picked).toContain(199);
      expect(picked).toEqual([...picked].sort((a, b) => a - b));
    }
  });
});

describe('formatMarkdown', () => {
  test('tables for steps, metrics and layers; the divergence message fenced; cells escaped', () => {
    const md = formatMarkdown(failing, { maxRows: 10 });
    expect(md).toContain('| step | loss tfjs | loss torchbridge | \\|Δ\\| | rel | verdict |');
    expect(md).toContain('|---:|---:|---:|---:|---:|---|');
    expect(md).toMatch(/^\| 57 \| 2\.243 \| 2\.293 \| 5\.00e-2 \| 2\.23e-2 \| \*\*FAIL\*\* ← first divergence \|$/m);
    expect(md).toMatch(/^\| … \| \d+ steps elided \|/m);
    expect(md).toContain('| test accuracy | 91.20% | 85.00% | -6.20 points | **FAIL** |');
    expect(md).toContain('| dense_Dense2 | Dense → Linear | 4.20e-1 |');
    expect(md).toContain('```text\nTensor-likes are not close!');
    expect(md).toContain('**❌ FAIL:');
    // Without maxRows every row is there.
    expect(formatMarkdown(failing).split('\n').filter((l) => /^\| \d+ \|/.test(l)).length).toBe(200);
    const nan = formatMarkdown(nanReport);
    expect(nan).toContain('- Cumsum: not on wasm, ran on cpu');
    expect(formatMarkdown(base({ failures: ['a | b'] , pass: false }))).toContain('- a \\| b');
  });
});

/** A minimal XML parser (elements, attributes, text, entities): throws on anything not well-formed. */
interface XmlNode { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string }
function parseXml(xml: string): XmlNode {
  let i = 0;
  const entity = (s: string) => s.replace(/&(#x[0-9a-f]+|#\d+|\w+);|&/gi, (m, e?: string) => {
    if (!e) throw new Error(`bare & at ${i}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    if (!(e in named)) throw new Error(`unknown entity ${m}`);
    return named[e];
  });
  const skipWs = () => { while (/\s/.test(xml[i] ?? '')) i++; };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  const element = (): XmlNode => {
    skipWs();
    if (xml[i] !== '<') throw new Error(`expected < at ${i}`);
    i++;
    const name = /^[A-Za-z_][\w.-]*/.exec(xml.slice(i))?.[0];
    if (!name) throw new Error(`bad element name at ${i}`);
    i += name.length;
    const node: XmlNode = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      skipWs();
      if (xml.startsWith('/>', i)) { i += 2; return node; }
      if (xml[i] === '>') { i++; break; }
      const m = /^([A-Za-z_][\w.-]*)="([^"<]*)"/.exec(xml.slice(i));
      if (!m) throw new Error(`bad attribute at ${i}: ${xml.slice(i, i + 30)}`);
      if (m[1] in node.attrs) throw new Error(`duplicate attribute ${m[1]}`);
      node.attrs[m[1]] = entity(m[2]);
      i += m[0].length;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) throw new Error(`unclosed <${name}>`);
      node.text += entity(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith(`</${name}>`, i)) { i += name.length + 3; return node; }
      if (xml.startsWith('</', i)) throw new Error(`mismatched close tag at ${i}`);
      node.children.push(element());
    }
  };
  const root = element();
  skipWs();
  if (i !== xml.length) throw new Error(`content after the root element at ${i}`);
  return root;
}

describe('formatJunit', () => {
  test('a suite per report, a case per check, failures with the assert_close message', () => {
    const doc = parseXml(formatJunit([passing, failing, nanReport]));
    expect(doc.name).toBe('testsuites');
    expect(doc.children.map((s) => s.name)).toEqual(['testsuite', 'testsuite', 'testsuite']);
    const [ok, bad, nan] = doc.children;
    const cases = (s: XmlNode) => s.children.filter((c) => c.name === 'testcase');
    const failed = (s: XmlNode) => cases(s).filter((c) => c.children.some((f) => f.name === 'failure'));
    // loss series + 1 final + 2 layers + first divergence + verdict
    expect(cases(ok).length).toBe(6);
    expect(ok.attrs.tests).toBe('6');
    expect(failed(ok)).toEqual([]);
    expect(ok.attrs.failures).toBe('0');
    expect(cases(bad).map((c) => c.attrs.name)).toEqual([
      'loss per step (200 steps, rtol 0.0001)', 'final test accuracy', 'layer dense_Dense1 (Dense → Linear)', 'layer dense_Dense2 (Dense → Linear)', 'first divergence', 'verdict',
    ]);
    expect(failed(bad).map((c) => c.attrs.name)).toEqual(['loss per step (200 steps, rtol 0.0001)', 'final test accuracy', 'layer dense_Dense2 (Dense → Linear)', 'first divergence', 'verdict']);
    expect(bad.attrs.failures).toBe('5');
    const lossFailure = failed(bad)[0].children[0];
    expect(lossFailure.attrs.message).toBe('143 of 200 steps beyond tolerance, first at step 57');
    expect(lossFailure.text).toMatch(/^Scalars are not close!\n\nExpected 2\.243 but got 2\.29\d+\.\nAbsolute difference: 0\.04\d+ \(up to 0\.0 allowed\)/);
    expect(lossFailure.text).toContain('(up to 0.0001 allowed)');
    const layerFailure = failed(bad)[2].children[0];
    expect(layerFailure.text).toContain(failingMessage);
    expect(doc.attrs.tests).toBe(String(6 + 6 + 3));
    // Markup in file names and messages is escaped and comes back intact; control characters are dropped.
    expect(nan.attrs.name).toBe('torchbridge diff src/<evil> & "quoted".ts ↔ out/it\'s <b>.ts');
    const div = cases(nan).find((c) => c.attrs.name === 'first divergence')!.children[0];
    expect(div.text).toContain('Expected 1.5 but got nan. <tag> & \ufffd');
    expect(div.text).not.toContain('\x1b');
    expect(nan.children.find((c) => c.name === 'properties')!.children.filter((p) => p.attrs.name === 'fallback').map((p) => p.attrs.value))
      .toEqual(['Conv2DBackpropFilter: not on wasm, ran on cpu', 'Cumsum: not on wasm, ran on cpu']);
  });
});

describe('formatHtml', () => {
  const chartFile = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
  test('self-contained: chart.js inlined, the data series embedded, nothing loaded from the network', () => {
    const html = formatHtml(failing);
    expect(html).toContain(readFileSync(chartFile, 'utf8').slice(200, 2000));
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|<script[^>]*\bsrc=/i);
    const data = JSON.parse(/<script type="application\/json" id="diff-data">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(data.steps).toHaveLength(200);
    expect(data.lossReference[DIV_STEP]).toBeCloseTo(2.3 - DIV_STEP * 0.001, 12);
    expect(data.lossCandidate[DIV_STEP]).toBeCloseTo(2.3 - DIV_STEP * 0.001 + 0.05, 12);
    expect(data.absDiff[0]).toBeNull(); // |Δ| = 0 has no place on a log axis
    expect(data.absDiff[DIV_STEP]).toBeCloseTo(0.05, 10);
    expect(data.layers.names).toEqual(['dense_Dense1', 'dense_Dense2']);
    expect(data.layers.maxOutputError).toEqual([1e-7, 0.42]);
    for (const id of ['chart-loss', 'chart-diff', 'chart-layers']) expect(html).toContain(`<canvas id="${id}">`);
    expect(html).not.toContain('chart-epochs"'); // no epoch rows in this report
    expect(html).toContain('<tr class="div" title="first divergence">');
    expect(html).toContain('FAIL: the migrated program differs from TensorFlow.js');
    expect(html).toMatch(/<td>test accuracy<\/td><td class="n">91\.20%<\/td><td class="n">85\.00%<\/td>/);
  });

  test('accuracy per epoch when the report has it', () => {
    const html = formatHtml(passing);
    expect(html).toContain('<canvas id="chart-epochs">');
    const data = JSON.parse(/id="diff-data">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(data.epochs.series).toEqual([{ key: 'acc', reference: [0.8, 0.8500000000000001, 0.9], candidate: [0.8, 0.8500000000000001, 0.9] }]);
  });

  test('the page script draws the four charts from the embedded data (run against a stand-in Chart)', () => {
    const html = formatHtml(passing);
    const json = /id="diff-data">([\s\S]*?)<\/script>/.exec(html)![1];
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(2);
    const made: { canvas: string; config: { type: string; data: { datasets: { label: string; data: unknown[] }[] }; options: { scales: Record<string, { type?: string }> } } }[] = [];
    class Chart { static defaults: Record<string, unknown> = {}; constructor(canvas: string, config: (typeof made)[number]['config']) { made.push({ canvas, config }); } }
    const document = { getElementById: (id: string) => (id === 'diff-data' ? { textContent: json } : id) };
    new Function('Chart', 'document', scripts[1])(Chart, document);
    expect(made.map((m) => m.canvas)).toEqual(['chart-loss', 'chart-diff', 'chart-layers', 'chart-epochs']);
    expect(made[0].config.data.datasets.map((d) => d.label)).toEqual(['loss tfjs', 'loss torchbridge']);
    expect(made[0].config.data.datasets[1].data).toHaveLength(30);
    expect(made[1].config.options.scales.y.type).toBe('logarithmic');
    expect(made[2].config.data.datasets[0].data).toEqual([2e-7, 3e-7]);
    expect(made[3].config.data.datasets.map((d) => d.label)).toEqual(['acc tfjs', 'acc torchbridge']);
  });

  test('text from file names and messages is escaped; NaN becomes a gap', () => {
    const html = formatHtml(nanReport);
    expect(html).not.toContain('<evil>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('src/&lt;evil&gt; &amp; &quot;quoted&quot;.ts');
    expect(html).toContain('&lt;tag&gt; &amp;');
    const data = JSON.parse(/id="diff-data">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(data.lossCandidate).toEqual([1.5, 1.5, 1.5, 1.5, null, null, null, null]);
  });
});

describe('writeReports', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tb-report-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the asked-for files, creating folders, and returns their paths', () => {
    const out = { json: join(dir, 'a/b/diff.json'), markdown: join(dir, 'diff.md'), html: join(dir, 'h/diff.html'), junit: join(dir, 'junit.xml') };
    const paths = writeReports(failing, out);
    expect(paths).toEqual([out.json, out.markdown, out.html, out.junit]);
    const back = JSON.parse(readFileSync(out.json, 'utf8')) as DiffReport;
    expect(back.firstDivergence).toEqual(failing.firstDivergence);
    expect(back.stepRows).toHaveLength(200);
    expect(readFileSync(out.markdown, 'utf8')).toBe(formatMarkdown(failing));
    expect(parseXml(readFileSync(out.junit, 'utf8')).name).toBe('testsuites');
    expect(writeReports(failing, { json: out.json })).toEqual([out.json]);
    expect(formatJson(nanReport)).toContain('"lossCandidate": null');
  });

  test('refuses to write onto the program\'s own sources, before writing anything', () => {
    const src = join(dir, 'proj/src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'train.ts'), 'original program');
    const report = { ...failing, original: join(src, 'train.ts'), migrated: join(dir, 'proj/migrated') };
    mkdirSync(report.migrated, { recursive: true });
    writeFileSync(join(report.migrated, 'train.ts'), 'migrated program');
    const html = join(dir, 'proj/ok.html');
    expect(() => writeReports(report, { html, json: join(src, 'train.ts') })).toThrow(ReportPathError);
    expect(() => writeReports(report, { html, json: join(src, 'train.ts') })).toThrow(/refusing to write the json report to .*train\.ts: it is the original program/);
    expect(() => writeReports(report, { markdown: join(report.migrated, 'train.ts') })).toThrow(/source file of the migrated program/);
    expect(() => writeReports(report, { markdown: join(dir, 'same'), html: join(dir, 'same') })).toThrow(/both name/);
    expect(readFileSync(join(src, 'train.ts'), 'utf8')).toBe('original program');
    expect(readFileSync(join(report.migrated, 'train.ts'), 'utf8')).toBe('migrated program');
    expect(existsSync(html)).toBe(false);
    // A new report file inside the migrated folder is fine.
    expect(writeReports(report, { html: join(report.migrated, 'diff.html') })).toHaveLength(1);
  });
});
