/**
 * The README's main job end to end: `torchbridge migrate` the bundled TensorFlow.js MNIST program, then train
 * the migrated program on the runtime with real MNIST (3 epochs) and check it learns what tfjs learns (~91%).
 */
import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');

describe('npm run demo', () => {
  test('migrates examples/tfjs/mnist-mlp.ts without TODOs and the result trains to ~91% on MNIST', () => {
    // Inside the checkout (in an ignored folder), so the migrated file's `import ... from 'torchbridge'`
    // resolves to this package, as it would in a project that installed it.
    mkdirSync(join(repo, '.test-out'), { recursive: true });
    const out = mkdtempSync(join(repo, '.test-out', 'demo-'));
    execFileSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'migrate', join(repo, 'examples/tfjs/mnist-mlp.ts'), '--out-dir', join(out, 'src'), '--report', join(out, 'report.json')], { encoding: 'utf8' });
    const code = readFileSync(join(out, 'src/mnist-mlp.ts'), 'utf8');
    expect(code).not.toMatch(/@tensorflow|tf\.|TODO/);
    expect(code).toContain("new optim.Adam(model.parameters(), { lr: 1e-4, eps: 1e-7 })");
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(JSON.stringify(report)).toMatch(/categorical-crossentropy-clip/);
    const run = execFileSync(process.execPath, ['--import', 'tsx', join(out, 'src/mnist-mlp.ts')], { encoding: 'utf8', cwd: repo });
    const acc = Number(/test accuracy ([\d.]+)%/.exec(run)?.[1]);
    expect(acc).toBeGreaterThan(89);
    expect(acc).toBeLessThan(94);
    rmSync(out, { recursive: true, force: true });
  });
});
