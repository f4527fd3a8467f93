/** `torchbridge migrate <paths..>`: rewrite TensorFlow.js (and TensorFlow 2 Python) code onto the runtime (see cli/migrate/run.ts). */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { MigrateOptions } from '../migrate/run.js';

export const command = 'migrate <paths..>';
export const describe = 'Migrate TensorFlow.js files, folders or tsconfig projects (and TensorFlow 2 Python .py files, written as <name>.ts) to the runtime';

/** The parsed options are exactly runMigrate's (fit always has its default here). */
type Args = MigrateOptions & { fit: 'loop' | 'helper' };

export const builder = (y: Argv): Argv<Args> =>
  y
    .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'files, folders or tsconfig.json projects' })
    .option('out-dir', { type: 'string', describe: 'where migrated files go (default: <first input>-migrated); other files are copied; the inputs are never touched' })
    .option('in-place', { type: 'boolean', default: false, describe: 'rewrite the inputs themselves (refused on a dirty git tree)' })
    .option('force', { type: 'boolean', default: false, describe: 'with --in-place: run even if the git tree is dirty or absent' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'write nothing; print a unified diff' })
    .option('report', { type: 'string', describe: 'also write the report to this file (.json or .md)' })
    .option('jobs', { type: 'number', describe: 'worker threads (default: up to 4)' })
    .option('keep-layout', { type: 'boolean', default: false, describe: 'keep tfjs\'s NHWC layout between layers (permutes around each convolution) instead of NCHW with one permute at the model input' })
    .option('fit', { choices: ['loop', 'helper'] as const, default: 'loop' as const, describe: 'how model.fit/evaluate/predict are migrated: loop = an explicit PyTorch-style training loop inline; helper = calls to the runtime\'s utils.fit/evaluate/predict (the same loop, as one function)' })
    .option('emit-tfjs', { type: 'boolean', default: false, describe: 'for TensorFlow 2 Python inputs: also write the equivalent TensorFlow.js program <name>.tfjs.mjs beside <name>.ts, the reference `torchbridge diff <name>.tfjs.mjs --migrated <name>.ts` compares with' })
    .option('type-checker', { type: 'boolean', default: true, describe: 'use the TypeScript checker (with tfjs\'s types) where data flow cannot tell a value\'s type' })
    .option('max-size', { type: 'number', default: 5_000_000, describe: 'skip source files larger than this many bytes (reported)' })
    .option('verbose', { type: 'boolean', default: false, describe: 'list info notes and unchanged files too' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<Args>;

export async function handler(argv: ArgumentsCamelCase<Args>): Promise<void> {
  const { runMigrate, UsageError } = await import('../migrate/run.js');
  try {
    process.exitCode = await runMigrate({
      paths: argv.paths, outDir: argv.outDir, inPlace: argv.inPlace, force: argv.force, dryRun: argv.dryRun, report: argv.report,
      jobs: argv.jobs, keepLayout: argv.keepLayout, fit: argv.fit, emitTfjs: argv.emitTfjs, typeChecker: argv.typeChecker, maxSize: argv.maxSize, verbose: argv.verbose, quiet: argv.quiet,
    });
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`torchbridge migrate: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
