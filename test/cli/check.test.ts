/**
 * `torchbridge check` without the slow part: the config loader's errors, and the gates (migrate, TODO markers,
 * type-check) with the program-level diff replaced by a stand-in that returns a chosen report — so exit codes,
 * what-to-fix lines, per-entry isolation and the JUnit file are tested in seconds. The real diff runs in
 * test/difftest/planted_bugs.test.ts.
 */
import { describe, expect, test, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadCheckConfig, parseCheckConfig } from '../../difftest/check/config.js';
import { runCheck, entryReportPath } from '../../difftest/check/run.js';
import { findTodos } from '../../difftest/check/todos.js';
import { typeCheck } from '../../difftest/check/typecheck.js';
import type { DiffOptions, DiffReport } from '../../difftest/program/types.js';

const repo = resolve(import.meta.dirname, '../..');
let dir: string;

const MLP = `import * as tf from '@tensorflow/tfjs';
const xs = tf.ones([8, 4]);
const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2).toFloat();
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
await model.fit(xs, ys, { epochs: 1, batchSize: 4 });
`;
const UNIQUE = `import * as tf from '@tensorflow/tfjs';
const x = tf.tensor2d([[3, 1, 2], [9, 7, 8]]);
const { values } = tf.unique(x.flatten());
console.log(values.arraySync());
`;
// A committed migrated program with a type error (a Tensor where a number is declared).
const BAD_TYPES = `import { torch } from 'torchbridge';
const n: number = torch.zeros([2]);
console.log(n);
`;

/** The diff stand-in: passes, unless the original's path contains "diverges". */
function fakeDiff(calls: DiffOptions[]) {
  return async (o: DiffOptions): Promise<DiffReport> => {
    calls.push(o);
    const bad = o.original.includes('diverges');
    return {
      version: 1, original: o.original, migrated: o.migrated!, reference: { backend: o.reference ?? 'cpu', fallbacks: [], version: '4.22.0' },
      candidate: { device: 'cpu', version: '0.1.0' }, replay: o.replay ?? 'step', steps: o.steps ?? 3, epochs: 1,
      tolerances: { lossRtol: o.tolerances?.lossRtol ?? 1e-4, lossAtol: 0, metricPoints: o.tolerances?.metricPoints ?? 0.3 }, notes: [],
      stepRows: [0, 1, 2].map((step) => ({ step, epoch: 0, batch: step, lossReference: 1, lossCandidate: bad && step === 2 ? 1.5 : 1, absDiff: bad && step === 2 ? 0.5 : 0, relDiff: bad && step === 2 ? 0.5 : 0, pass: !(bad && step === 2) })),
      probes: [], layers: [{ layer: 'dense_Dense1', referenceType: 'Dense', candidateType: 'Linear', maxOutputError: bad ? 0.3 : 0, meanIntroductionRate: bad ? 1e5 : 0, maxIntroductionRate: bad ? 1e5 : 0, worstStep: 2, pass: !bad }],
      epochRows: [], final: [],
      firstDivergence: bad ? { step: 2, kind: 'output', layer: 'dense_Dense1', tensor: 'output', message: 'Tensor-likes are not close!' } : null,
      pass: !bad, failures: bad ? ['step 2: output of dense_Dense1 (Dense → Linear) diverges first'] : [],
      timings: { referenceSeconds: 1, candidateSeconds: 1 },
    };
  };
}

function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

beforeAll(() => {
  // Inside the checkout, so the programs resolve @tensorflow/tfjs as a project that installed it would.
  mkdirSync(join(repo, '.test-out'), { recursive: true });
  dir = mkdtempSync(join(repo, '.test-out', 'check-'));
  write('ok/train.ts', MLP);
  write('diverges/train.ts', MLP);
  write('unique/main.ts', UNIQUE);
  write('committed/train.ts', MLP);
  write('committed-migrated/train.ts', BAD_TYPES);
  write('broken/train.ts', "import * as tf from '@tensorflow/tfjs';\nconst x = tf.ones([2]\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check config', () => {
  test('every problem named with the file, the key and what is expected', () => {
    const file = join(dir, 'bad.json');
    const e = (() => {
      try {
        parseCheckConfig({ entries: [{ original: 'nope.ts', steps: 0, replay: 'fast', tolerance: 1 }, 'x'], tolerances: { lossRtol: -1 }, allowedTodos: 'tf.unique', reports: { pdf: 'a.pdf' } }, file);
      } catch (err) {
        return err as Error;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(ConfigError);
    const lines = e.message.split('\n');
    expect(lines[0]).toMatch(/bad\.json: invalid check config:$/);
    expect(lines.slice(1).map((l) => l.trim())).toEqual(expect.arrayContaining([
      '$.tolerances.lossRtol: expected a non-negative number, got number -1',
      '$.entries[0].tolerance: unknown key (known: name, original, migrated, steps, epochs, replay, reference, device, seed, keepLayout, tolerances)',
      expect.stringMatching(/^\$\.entries\[0\]\.original: nope\.ts does not exist/),
      '$.entries[0].steps: expected a positive integer, got number 0',
      '$.entries[0].replay: expected one of "none", "step", "layer", got string "fast"',
      '$.entries[1]: expected an object, got string "x"',
      '$.allowedTodos: expected an array of TODO ids or TensorFlow names (e.g. ["tf.unique", "no-equivalent"]), got string "tf.unique"',
      '$.reports.pdf: unknown key (known: json, markdown, html, junit)',
    ]));
  });

  test('paths relative to the config file; tolerances merged; names derived and unique', () => {
    const file = write('cfg/torchbridge.check.json', JSON.stringify({
      entries: [{ original: '../ok/train.ts', steps: 5, tolerances: { lossRtol: 1e-3 } }, { original: '../diverges/train.ts', name: 'div' }],
      tolerances: { lossRtol: 1e-4, metricPoints: 0.5 }, reports: { html: 'out/diff.html' },
    }));
    const c = loadCheckConfig(file);
    expect(c.entries.map((e) => [e.name, e.original, e.steps])).toEqual([['train', join(dir, 'ok/train.ts'), 5], ['div', join(dir, 'diverges/train.ts'), undefined]]);
    expect(c.entries[0].tolerances).toEqual({ lossRtol: 1e-3, metricPoints: 0.5 });
    expect(c.entries[1].tolerances).toEqual({ lossRtol: 1e-4, metricPoints: 0.5 });
    expect(c.reports.html).toBe(join(dir, 'cfg/out/diff.html'));
    expect(c.workDir).toBe(join(dir, 'cfg/.torchbridge/check'));
    expect(() => parseCheckConfig({ entries: [{ original: join(dir, 'ok/train.ts') }, { original: join(dir, 'diverges/train.ts') }] }, file))
      .toThrow(/\$\.entries\[1\]\.name: "train" is also entry 0's name/);
    expect(() => loadCheckConfig(join(dir, 'missing.json'))).toThrow(/missing\.json: no such file/);
    writeFileSync(join(dir, 'broken.json'), '{ "entries": [');
    expect(() => loadCheckConfig(join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
    expect(entryReportPath('/r/diff.html', 'train', true)).toBe('/r/diff.train.html');
    expect(entryReportPath('/r/diff.html', 'train', false)).toBe('/r/diff.html');
  });

  test('the type-check covers the files the entry imports from its folder, not the runtime nor unimported files', () => {
    const a = write('types/a.ts', "import { torch } from 'torchbridge';\nimport { scale } from './lib/b.js';\nconsole.log(scale(torch.ones([2])));\n");
    write('types/lib/b.ts', "import { torch } from 'torchbridge';\nexport const scale = (t: torch.Tensor): number => t.mul(2);\n");
    write('types/c.ts', 'const unused: number = "not imported, not checked";\n');
    writeFileSync(join(dir, 'types/package.json'), '{ "type": "module" }\n');
    expect(typeCheck([a]).map((p) => `${p.file.slice(dir.length + 1)}:${p.line} ${p.message}`)).toEqual([
      "types/lib/b.ts:2 Type 'Tensor' is not assignable to type 'number'.",
    ]);
  }, 60_000);

  test('a JavaScript program is checked as // @ts-check would: its runtime calls typed, its own untyped code let be', () => {
    const esm = write('js/esm/train.js', [
      "import { torch } from 'torchbridge';",
      'const h = { history: {} };',
      "(h.history['loss'] ??= []).push(1);",
      'const f = (a, b) => a + b;',
      'console.log(h.history.loss, f(1, 2), torch.ones([2]).sum().item(), torch.onez([2]));',
      '',
    ].join('\n'));
    const cjs = write('js/cjs/train.cjs', "const { torch } = require('torchbridge');\nconsole.log(torch.ones([2]).mean().item(), torch.ones([2]).frobnicate());\n");
    writeFileSync(join(dir, 'js/esm/package.json'), '{ "type": "module" }\n');
    const rel = (f: string) => typeCheck([f]).map((p) => `${p.file.slice(dir.length + 1)}:${p.line} ${p.message}`);
    expect(rel(esm)).toEqual([expect.stringMatching(/^js\/esm\/train\.js:5 Property 'onez' does not exist/)]);
    expect(rel(cjs)).toEqual([expect.stringMatching(/^js\/cjs\/train\.cjs:2 Property 'frobnicate' does not exist on type 'Tensor'/)]);
  }, 60_000);

  test('TODO markers are read with their id and TensorFlow name', () => {
    expect(findTodos('f.ts', 'a\n  // torchbridge: TODO(no-equivalent) tf.unique: torch.unique is not in the runtime yet\nb')).toEqual([
      { file: 'f.ts', line: 2, id: 'no-equivalent', name: 'tf.unique', reason: 'tf.unique: torch.unique is not in the runtime yet' },
    ]);
  });
});

describe('runCheck gates (diff stood in)', () => {
  test('each entry checked on its own; exit 1 naming the entry, the check and what to fix; JUnit for all', async () => {
    const file = write('all.json', JSON.stringify({
      entries: [
        { original: 'ok/train.ts', steps: 3, reference: 'cpu', replay: 'step' },
        { original: 'diverges/train.ts', name: 'diverges' },
        { original: 'unique/main.ts', name: 'unique' },
        { original: 'committed/train.ts', migrated: 'committed-migrated/train.ts', name: 'committed' },
        { original: 'broken/train.ts', name: 'broken' },
      ],
      tolerances: { lossRtol: 1e-3 },
      reports: { junit: 'reports/junit.xml', html: 'reports/diff.html', json: 'reports/diff.json' },
    }));
    const calls: DiffOptions[] = [];
    const lines: string[] = [];
    const result = await runCheck(loadCheckConfig(file), { runDiff: fakeDiff(calls), log: (s) => lines.push(s), progress: false });
    expect(result.code).toBe(1);
    const byName = Object.fromEntries(result.entries.map((r) => [r.entry.name, r]));
    expect(byName.train.pass).toBe(true);
    expect(byName.train.passed).toEqual(['migrate', 'todos', 'types', 'diff']);
    // The migrated copy lives in the work folder and uses the fit helper the probes hook.
    expect(byName.train.migrated).toBe(join(dir, '.torchbridge/check/train/migrated/train.ts'));
    expect(readFileSync(byName.train.migrated!, 'utf8')).toContain('await utils.fit(model, xs, ys');
    expect(calls[0]).toMatchObject({ original: join(dir, 'ok/train.ts'), migrated: byName.train.migrated, steps: 3, reference: 'cpu', replay: 'step', tolerances: { lossRtol: 1e-3 } });

    expect(byName.diverges.problems.map((p) => p.check)).toEqual(['diff']);
    expect(byName.diverges.problems[0].fixes).toEqual(['step 2: output of dense_Dense1 (Dense → Linear) diverges first']);

    expect(byName.unique.problems.map((p) => p.check)).toEqual(['todos']);
    expect(byName.unique.problems[0].fixes[0]).toMatch(/main\.ts:\d+ TODO\(no-equivalent\) tf\.unique: .* add "tf\.unique" to allowedTodos in .*all\.json/);
    expect(byName.unique.passed).toEqual(['migrate', 'types', 'diff']);

    expect(byName.committed.migrated).toBe(join(dir, 'committed-migrated/train.ts'));
    expect(byName.committed.problems.map((p) => p.check)).toEqual(['types']);
    expect(byName.committed.problems[0].fixes[0]).toMatch(/committed-migrated\/train\.ts:2:7 Type 'Tensor' is not assignable to type 'number'/);

    // A file that cannot be migrated stops its own entry only.
    expect(byName.broken.problems.map((p) => p.check)).toEqual(['migrate']);
    expect(byName.broken.problems[0].message).toMatch(/broken\/train\.ts could not be migrated: .*syntax error/);
    expect(byName.broken.migrated).toBeNull();
    expect(calls.map((c) => c.original)).not.toContain(join(dir, 'broken/train.ts'));

    const text = lines.join('\n');
    expect(text).toMatch(/^✓ train: migrated, 0 TODO marker\(s\), types ok, diff PASS \(3 steps\)$/m);
    expect(text).toMatch(/^✗ diverges: .*\n {4}diff: the migrated program differs from TensorFlow\.js — first divergence at step 2 in dense_Dense1/m);
    // The diff's fixes appear once, at the end of its report.
    expect(text.split("step 2: output of dense_Dense1 (Dense → Linear) diverges first").length - 1).toBe(1);
    expect(text).toContain('    todos: 1 TODO marker(s) not in allowedTodos');
    expect(text).toContain('check: 4 of 5 entries failed (diverges, unique, committed, broken)');

    // Per-entry reports get the entry's name; one JUnit file holds every entry with its gates.
    expect(existsSync(join(dir, 'reports/diff.train.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'reports/diff.diverges.json'), 'utf8')).firstDivergence.layer).toBe('dense_Dense1');
    const junit = readFileSync(join(dir, 'reports/junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).toHaveLength(5);
    expect(junit).toMatch(/<testcase name="diff" classname="torchbridge.check.broken">\s*<failure message="not run: an earlier check failed"/);
    expect(junit).toMatch(/<testsuite name="torchbridge check unique"[^>]*failures="1"/); // the TODO markers
    expect(junit).toContain('<failure message="1 type error(s) in the migrated program" type="Check.types">');
    expect(junit).toMatch(/<testcase name="TODO markers" classname="torchbridge.check.train"\/>/);
  }, 120_000);

  test('a report aimed at a program\'s source is refused before anything runs', async () => {
    const file = write('clash.json', JSON.stringify({ entries: [{ original: 'ok/train.ts' }], reports: { markdown: 'ok/train.ts' } }));
    const calls: DiffOptions[] = [];
    await expect(runCheck(loadCheckConfig(file), { runDiff: fakeDiff(calls), log: null, progress: false }))
      .rejects.toThrow(/clash\.json: \$\.reports\.markdown: refusing to write the markdown report to .*ok\/train\.ts: it is the original program/);
    expect(calls).toEqual([]);
    expect(readFileSync(join(dir, 'ok/train.ts'), 'utf8')).toBe(MLP);
  });

  test('allowedTodos lets a marker through by its TensorFlow name; exit 0 when everything holds', async () => {
    const file = write('allowed.json', JSON.stringify({ entries: [{ original: 'unique/main.ts' }], allowedTodos: ['tf.unique'], workDir: 'work' }));
    const result = await runCheck(loadCheckConfig(file), { runDiff: fakeDiff([]), log: null, progress: false });
    expect(result.entries[0].todos!.all.map((t) => t.name)).toEqual(['tf.unique']);
    expect(result.entries[0].problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'work/main/migrated/main.ts'))).toBe(true);
  }, 120_000);
});

describe('torchbridge check (CLI)', () => {
  test('a missing or invalid config is a usage error (exit 2) that names the file', () => {
    const missing = spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'check', '--config', join(dir, 'nope.json')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/torchbridge check: .*nope\.json: no such file/);
    const bad = write('cli-bad.json', JSON.stringify({ entries: [] }));
    const r = spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'check', '-c', bad], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('$.entries: expected a non-empty array of entries');
    const help = execFileSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'check', '--help'], { encoding: 'utf8' });
    expect(help).toContain('--config');
  });
});
