// The repository's diff on a program in a user's project that has its own tfjs copy (installed offline from the npm
// cache) and no wasm backend: the reference must hook the project's tfjs, not the repository's (before, the probes'
// second copy never recognised the program's model: "the reference recorded no training steps").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';
import { offlineDepsLock } from '../support/offline_project.js';

const REPO_LOCK = resolve('package-lock.json');
const TFJS = (JSON.parse(readFileSync(REPO_LOCK, 'utf8')) as { packages: Record<string, { version: string }> }).packages['node_modules/@tensorflow/tfjs'].version;
const project = mkdtempSync(join(tmpdir(), 'tb-user-project-'));
let unavailable: string | null = 'not set up';
afterAll(() => rmSync(project, { recursive: true, force: true }));

beforeAll(() => {
  const deps = { '@tensorflow/tfjs': TFJS };
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module', dependencies: deps }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(offlineDepsLock(REPO_LOCK, 'user-project', deps)));
  const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  const r = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: project, env, encoding: 'utf8' });
  if (r.status === 0) unavailable = null;
  else if (/ENOTCACHED|only-if-cached/.test(r.stderr)) unavailable = 'the npm cache lacks a tfjs tarball; nothing is downloaded here';
  else throw new Error(`npm ci --offline failed in ${project}\n${r.stderr}`);
  writeFileSync(join(project, 'train.js'), `import * as tf from '@tensorflow/tfjs';

const xs = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5], [0.2, 0.8], [0.9, 0.1], [0.3, 0.3]]);
const ys = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 1, 1, 0], 'int32'), 2).toFloat();
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [2], units: 8, activation: 'relu' }));
model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
await model.fit(xs, ys, { epochs: 3, batchSize: 4, shuffle: false });
`);
}, 120_000);

describe("a user's project with its own tfjs copy", () => {
  test('the reference runs on the project\'s tfjs (wasm from torchbridge\'s copy, said so); PASS; nothing written there', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const r = await runDiff({ original: join(project, 'train.js'), progress: false });
    expect(r.pass).toBe(true);
    expect(r.steps).toBe(6);
    expect(r.reference.path).toBe(realpathSync(join(project, 'node_modules/@tensorflow/tfjs')));
    expect(r.reference.backend).toBe('wasm');
    expect(r.notes.join('\n')).toMatch(/no @tensorflow\/tfjs-backend-wasm beside the program's tfjs; torchbridge's \(\S+\) ran it/);
    // The on-the-fly migration lived in the temporary work dir: no node_modules/.cache in the project.
    expect(spawnSync('find', [project, '-path', '*/.cache*'], { encoding: 'utf8' }).stdout).toBe('');
  });
});
