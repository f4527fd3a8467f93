/**
 * `torchbridge migrate` end to end on temporary folders: output folder (inputs untouched, other files copied,
 * package.json rewritten), --dry-run diffs, reports, --in-place on a clean/dirty git tree, worker threads,
 * exit codes, and bad input (syntax errors, binary and non-UTF-8 files, unreadable paths, huge files) reported
 * per file while the run goes on.
 */
import type { Report } from '../../transpiler/report.js';
import { describe, expect, it, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, existsSync, rmSync, chmodSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runMigrate, defaultOutDir, UsageError, type MigrateOptions } from '../../cli/migrate/run.js';
import { unifiedDiff } from '../../transpiler/project/unified_diff.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'cli', 'bin.mjs');
const TF = "import * as tf from '@tensorflow/tfjs';\n";
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tb-migrate-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function project(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(tmp, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** Every file under a folder with its bytes (to prove inputs are never modified). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

const opts = (o: Partial<MigrateOptions>): MigrateOptions => ({
  paths: [], inPlace: false, force: false, dryRun: false, keepLayout: false, typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true, jobs: 1, ...o,
});

describe('migrate to an output folder', () => {
  it('writes migrated files, copies the rest, rewrites package.json and never touches the input', async () => {
    const dir = project('basic', {
      'src/a.ts': `${TF}export const x = tf.ones([2]).mul(2);\n`,
      'src/util.ts': 'export const n = 1;\n',
      'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
      'package.json': '{\n  "name": "p",\n  "dependencies": {\n    "@tensorflow/tfjs": "^4.22.0",\n    "@tensorflow/tfjs-node": "^4.22.0"\n  }\n}\n',
    });
    const before = snapshot(dir);
    const code = await runMigrate(opts({ paths: [dir], report: join(tmp, 'basic-report.json') }));
    expect(code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    const out = `${dir}-migrated`;
    expect(defaultOutDir(dir)).toBe(out);
    expect(readFileSync(join(out, 'src/a.ts'), 'utf8')).toContain('torch.ones([2]).mul(2)');
    expect(readFileSync(join(out, 'src/util.ts'), 'utf8')).toBe('export const n = 1;\n');
    expect(readFileSync(join(out, 'assets/logo.png'))).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies).toEqual({ torchbridge: '^0.1.0' });
    const report = JSON.parse(readFileSync(join(tmp, 'basic-report.json'), 'utf8'));
    expect(report.totals.sites).toEqual({ found: 2, rewritten: 2, todo: 0 });
    expect(report.files.find((f: { file: string }) => f.file === 'src/a.ts').status).toBe('migrated');
  });

  it('exits 1 with a TODO left, and writes a Markdown report', async () => {
    const dir = project('todo', { 'a.ts': `${TF}const s = tf.signal.hannWindow(8);\n` });
    const md = join(tmp, 'todo.md');
    expect(await runMigrate(opts({ paths: [dir], outDir: join(tmp, 'todo-out'), report: md }))).toBe(1);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('| `tf.signal.hannWindow` | 1 |');
    expect(readFileSync(join(tmp, 'todo-out', 'a.ts'), 'utf8')).toContain('// torchbridge: TODO(unmapped)');
  });

  it('keeps @tensorflow dependencies while TODO sites still import tfjs', async () => {
    const dir = project('keep', { 'a.ts': `${TF}const s = tf.signal.hannWindow(8);\n`, 'package.json': '{"dependencies":{"@tensorflow/tfjs":"^4"}}' });
    await runMigrate(opts({ paths: [dir], outDir: join(tmp, 'keep-out') }));
    expect(JSON.parse(readFileSync(join(tmp, 'keep-out', 'package.json'), 'utf8')).dependencies).toEqual({ '@tensorflow/tfjs': '^4', torchbridge: '^0.1.0' });
  });
});

describe('--dry-run', () => {
  it('prints a unified diff and writes nothing', async () => {
    const dir = project('dry', { 'a.ts': `${TF}const x = tf.zeros([1]);\n` });
    const before = snapshot(tmp);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await runMigrate(opts({ paths: [dir], dryRun: true }));
    const printed = write.mock.calls.map((c) => String(c[0])).join('');
    write.mockRestore();
    expect(code).toBe(0);
    expect(printed).toContain('--- a/a.ts\n+++ b/a.ts\n');
    expect(printed).toContain('-const x = tf.zeros([1]);\n');
    expect(printed).toContain('+const x = torch.zeros([1]);\n');
    expect(snapshot(tmp)).toEqual(before);
    expect(existsSync(`${dir}-migrated`)).toBe(false);
  });

  it('diffs with context and several hunks', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const b = a.replace('line 2', 'LINE 2').replace('line 17', 'LINE 17');
    const d = unifiedDiff(a, b, 'f.ts');
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain('@@ -1,6 +1,6 @@\n line 0\n line 1\n-line 2\n+LINE 2\n line 3');
    expect(unifiedDiff(a, a, 'f.ts')).toBe('');
  });
});

describe('--in-place', () => {
  const git = (dir: string, ...args: string[]) => spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });

  it('refuses on a dirty tree (usage error) and rewrites a clean one', async () => {
    const dir = project('inplace', { 'a.ts': `${TF}const x = tf.zeros([1]);\n` });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    writeFileSync(join(dir, 'b.ts'), 'export {};\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await expect(runMigrate(opts({ paths: [dir], inPlace: true }))).rejects.toThrow(UsageError);
      expect(readFileSync(join(dir, 'a.ts'), 'utf8')).toContain('tf.zeros');
      git(dir, 'add', '.');
      git(dir, 'commit', '-qm', 'b');
      expect(await runMigrate(opts({ paths: [dir], inPlace: true }))).toBe(0);
      expect(readFileSync(join(dir, 'a.ts'), 'utf8')).toContain('torch.zeros([1])');
    } finally {
      process.chdir(cwd);
    }
  });

  it('--force runs outside a git repository', async () => {
    const dir = project('forced', { 'a.ts': `${TF}const x = tf.ones([1]);\n` });
    await expect(runMigrate(opts({ paths: [dir], inPlace: true }))).rejects.toThrow(/not in a git repository|uncommitted/);
    expect(await runMigrate(opts({ paths: [dir], inPlace: true, force: true }))).toBe(0);
    expect(readFileSync(join(dir, 'a.ts'), 'utf8')).toContain('torch.ones([1])');
  });
});

describe('bad input is reported per file; the run goes on', () => {
  it('syntax errors, binary, non-UTF-8, huge and unreadable files, missing paths', async () => {
    const dir = project('bad', {
      'good.ts': `${TF}const x = tf.zeros([1]);\n`,
      'broken.ts': `${TF}const x = tf.zeros([1];\n`,
      'binary.js': Buffer.from([0x63, 0x6f, 0, 0, 0xff, 0x00]),
      'latin1.ts': Buffer.from(`${TF}// caf\xe9\n`, 'latin1'),
      'huge.ts': `${TF}${'// padding\n'.repeat(2000)}`,
      'locked.ts': `${TF}const y = tf.ones([1]);\n`,
    });
    const locked = join(dir, 'locked.ts');
    chmodSync(locked, 0o000);
    const canRead = (() => { try { readFileSync(locked); return true; } catch { return false; } })();
    const before = snapshot(dir);
    const reportPath = join(tmp, 'bad.json');
    const code = await runMigrate(opts({ paths: [dir, join(tmp, 'no-such-folder')], outDir: join(tmp, 'bad-out'), report: reportPath, maxSize: 10_000 }));
    chmodSync(locked, 0o644);
    expect(code).toBe(1);
    expect(snapshot(dir)).toEqual(before);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(report.version).toBe(2);
    const by = (f: string) => report.files.find((x) => x.file.endsWith(f))!;
    expect(by('good.ts').status).toBe('migrated');
    expect(by('broken.ts')).toMatchObject({ status: 'failed' });
    // Diagnostics are objects: file, line, column, severity, code, (tfjs,) message.
    expect(by('broken.ts').diagnostics[0]).toMatchObject({ file: by('broken.ts').file, line: 2, severity: 'error', code: 'syntax-error' });
    expect(by('broken.ts').diagnostics[0].column).toBeGreaterThan(0);
    expect(by('binary.js').diagnostics[0]).toMatchObject({ severity: 'error', code: 'binary' });
    expect(by('latin1.ts').diagnostics[0]).toMatchObject({ severity: 'error', code: 'not-utf8' });
    expect(by('huge.ts').diagnostics[0]).toMatchObject({ severity: 'error', code: 'too-large' });
    if (!canRead) expect(by('locked.ts').diagnostics[0]).toMatchObject({ severity: 'error', code: 'unreadable' });
    expect(by('no-such-folder').diagnostics[0].message).toContain('does not exist');
    // Files that could not be migrated are still copied unchanged to the output folder.
    expect(readFileSync(join(tmp, 'bad-out', 'broken.ts'), 'utf8')).toBe(`${TF}const x = tf.zeros([1];\n`);
    expect(readFileSync(join(tmp, 'bad-out', 'good.ts'), 'utf8')).toContain('torch.zeros([1])');
  });
});

describe('the command line', () => {
  it('exits 2 on usage errors, and migrates with worker threads (--jobs 2)', () => {
    const usage = spawnSync(process.execPath, [BIN, 'migrate', '--in-place', '--dry-run', 'x'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('exclude each other');
    const files: Record<string, string> = {};
    for (let i = 0; i < 10; i++) files[`m${i}.ts`] = `${TF}export const v${i} = tf.scalar(${i}).add(tf.ones([2]));\n`;
    const dir = project('workers', files);
    const r = spawnSync(process.execPath, [BIN, 'migrate', dir, '--jobs', '2', '--quiet'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    for (let i = 0; i < 10; i++) expect(readFileSync(join(`${dir}-migrated`, `m${i}.ts`), 'utf8')).toContain(`torch.tensor(${i}, { dtype: 'float32' }).add(torch.ones([2]))`);
    expect(statSync(dir).isDirectory()).toBe(true);
  }, 120_000);
});
