/**
 * `torchbridge migrate` on TensorFlow 2 Python: a folder with .py files (and a file given alone) is migrated to
 * <name>.ts in --out-dir with the same report, TODO markers, exit codes and --dry-run; Python without TensorFlow
 * is copied as it is; a syntax error fails that file only; --in-place writes <name>.ts next to the .py.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Report } from '../../transpiler/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'cli', 'bin.mjs');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tb-migrate-py-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });

describe('torchbridge migrate on .py', () => {
  it('migrates a folder: <name>.ts per TF file, others copied, TODOs and failures reported, exit 1', () => {
    const src = join(tmp, 'proj');
    mkdirSync(join(src, 'pkg'), { recursive: true });
    writeFileSync(join(src, 'train.py'), readFileSync(join(ROOT, 'examples', 'tf2', 'subclassed_momentum.py')));
    writeFileSync(join(src, 'pkg', 'todo.py'), 'import tensorflow as tf\nx = tf.constant(1.0)\ny = tf.py_function(lambda a: a, [x], tf.float32)\n');
    writeFileSync(join(src, 'pkg', 'bad.py'), 'import tensorflow as tf\nx = (1,\n');
    writeFileSync(join(src, 'util.py'), 'def helper():\n    return 1\n');
    const r = cli('migrate', 'proj', '--out-dir', 'out', '--report', 'report.json');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('train.py: migrated');
    expect(r.stdout).toContain('pkg/todo.py: partial');
    expect(r.stdout).toMatch(/pkg\/bad\.py:\d+:\d+ ERROR syntax-error syntax error: unexpected end of file/);
    expect(existsSync(join(tmp, 'out', 'train.ts'))).toBe(true);
    expect(existsSync(join(tmp, 'out', 'train.py'))).toBe(false);
    expect(readFileSync(join(tmp, 'out', 'pkg', 'todo.ts'), 'utf8')).toContain('// torchbridge: TODO(no-equivalent) tf.py_function');
    // A file that failed, and Python without TensorFlow, keep their name and text.
    expect(readFileSync(join(tmp, 'out', 'pkg', 'bad.py'), 'utf8')).toBe('import tensorflow as tf\nx = (1,\n');
    expect(readFileSync(join(tmp, 'out', 'util.py'), 'utf8')).toBe('def helper():\n    return 1\n');
    const report = JSON.parse(readFileSync(join(tmp, 'report.json'), 'utf8')) as Report;
    expect(report.totals.byStatus).toMatchObject({ migrated: 1, partial: 1, failed: 1 });
    expect(report.uncovered).toEqual({ 'tf.py_function': 1 });
  }, 120_000);

  it('a single file: exit 0 when everything migrated; --dry-run prints the diff and writes nothing', () => {
    writeFileSync(join(tmp, 'step.py'), 'import tensorflow as tf\nx = tf.Variable(2.0)\nwith tf.GradientTape() as t:\n    y = x * x\nprint(float(t.gradient(y, x)))\n');
    const dry = cli('migrate', 'step.py', '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+const x = torch.tensor(2.0, { dtype: \'float32\' }).requiresGrad_();');
    expect(existsSync(join(tmp, 'step-migrated'))).toBe(false);
    const r = cli('migrate', 'step.py', '--out-dir', 'one');
    expect(r.status, r.stderr).toBe(0);
    const out = readFileSync(join(tmp, 'one', 'step.ts'), 'utf8');
    expect(out).toContain('console.log((torch.autograd.grad(y, [x])[0]!).item());');
  }, 120_000);

  it('--in-place writes <name>.ts beside the .py and leaves the Python as it was', () => {
    const dir = join(tmp, 'inplace');
    mkdirSync(dir);
    const text = 'import tensorflow as tf\nprint(float(tf.reduce_sum(tf.ones([3]))))\n';
    writeFileSync(join(dir, 'a.py'), text);
    const r = cli('migrate', 'inplace', '--in-place', '--force');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toBe(text);
    expect(readFileSync(join(dir, 'a.ts'), 'utf8')).toContain('console.log(torch.sum(torch.ones([3])).item());');
  }, 120_000);
});
