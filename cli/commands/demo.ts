/**
 * `torchbridge demo`: the README's main job. Migrates the bundled TensorFlow.js MNIST program
 * (examples/tfjs/mnist-mlp.ts) into `.demo/`, trains the original on TensorFlow.js and the migrated program on the
 * runtime side by side for a short run (the full 3 epochs with `--full`), prints the side-by-side table and writes
 * the HTML report. Exit code: 0 the two agree, 1 they differ, 2 usage error.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';

export const command = 'demo';
export const describe = 'Migrate the bundled TensorFlow.js MNIST program, train both side by side, print the table and write .demo/diff.html';

/** A short run: enough steps to see the loss fall on both sides, seconds rather than minutes on two cores. */
export const DEMO_STEPS = 300;
export const DEMO_PROGRAM = 'examples/tfjs/mnist-mlp.ts';

interface Args {
  full?: boolean;
  steps?: number;
  outDir: string;
  reference: 'cpu' | 'wasm' | 'node' | 'node-gpu';
  color?: boolean;
  progress?: boolean;
}

export const builder = (y: Argv): Argv<Args> =>
  y
    .option('full', { type: 'boolean', describe: 'train the program\'s full 3 epochs (2,814 steps) instead of a short run' })
    .option('steps', { type: 'number', describe: `steps of the short run (default ${DEMO_STEPS})` })
    .option('out-dir', { type: 'string', default: '.demo', describe: 'where the migrated program and the reports go' })
    .option('reference', { choices: ['cpu', 'wasm', 'node', 'node-gpu'] as const, default: 'wasm' as const, describe: 'TensorFlow.js backend of the original' })
    .option('color', { type: 'boolean', describe: 'ANSI colors (default: when stdout is a terminal)' })
    .option('progress', { type: 'boolean', describe: 'progress bars on stderr (default: when stderr is a terminal)' })
    .conflicts('full', 'steps') as unknown as Argv<Args>;

export async function handler(argv: ArgumentsCamelCase<Args>): Promise<void> {
  if (argv.steps !== undefined && !(Number.isInteger(argv.steps) && argv.steps > 0)) {
    console.error(`torchbridge demo: --steps must be a positive integer, got ${argv.steps}`);
    process.exitCode = 2;
    return;
  }
  const { join, relative, resolve } = await import('node:path');
  const { PACKAGE_ROOT } = await import('../../transpiler/package_root.js');
  const { runMigrate } = await import('../migrate/run.js');
  const { runDiff } = await import('../../difftest/program/run.js');
  const { formatTerminal, writeReports } = await import('../../difftest/report/index.js');

  const original = join(PACKAGE_ROOT, DEMO_PROGRAM);
  const outDir = resolve(argv.outDir);
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const progress = argv.progress ?? Boolean(process.stderr.isTTY);

  // 1. Migrate (with the fit helper: the diff's probes follow training through utils.fit).
  console.log(`torchbridge migrate ${rel(original)} --out-dir ${rel(outDir)} --fit helper`);
  const migrateCode = await runMigrate({
    paths: [original], outDir, inPlace: false, force: false, dryRun: false, report: join(outDir, 'report.md'), keepLayout: false,
    fit: 'helper', typeChecker: true, maxSize: 5_000_000, verbose: false, quiet: true, jobs: 1,
  });
  const migrated = join(outDir, 'mnist-mlp.ts');
  console.log(`  → ${rel(migrated)} (migration report: ${rel(join(outDir, 'report.md'))})${migrateCode ? ' — with TODO markers or failures, see the report' : ''}`);

  // 2. Train both side by side under the probes.
  const steps = argv.full ? undefined : argv.steps ?? DEMO_STEPS;
  console.log(`\ntraining both on MNIST (${steps === undefined ? 'the full 3 epochs' : `${steps} steps of batch 64`}): TensorFlow.js on ${argv.reference}, torchbridge on cpu…`);
  // No work dir: the traces (hundreds of MB for a full run) go to a temporary folder that runDiff removes.
  const report = await runDiff({ original, migrated, steps, reference: argv.reference, replay: 'step', progress });

  // 3. The table, and the page with the plots.
  console.log('');
  process.stdout.write(formatTerminal(report, { color: argv.color ?? Boolean(process.stdout.isTTY) }));
  const html = join(outDir, 'diff.html'), json = join(outDir, 'diff.json');
  writeReports(report, { html, json });
  console.log(`\nHTML report with plots: ${rel(html)} (open it in a browser; it loads nothing from the network)\nJSON: ${rel(json)}`);
  process.exitCode = report.pass ? 0 : 1;
}
