/**
 * `torchbridge diff <original> [--migrated <entry>]`: run the TensorFlow.js program and its migration side by side
 * under probes and print where their numbers differ (difftest/program/run.ts; reports from difftest/report).
 * Exit codes: 0 the programs agree, 1 their numbers differ (the report says where), 2 a program that cannot run or
 * bad usage / input (a missing file, a program with nothing to probe, either program crashing or stopped by
 * --timeout: the message says which, with its exit code and the last lines of its own stderr).
 * Failures are printed as a message naming the program and what to do, not as a stack trace: the stack of an
 * unexpected error is printed only with TORCHBRIDGE_DEBUG=1.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';

interface Args {
  original: string;
  migrated?: string;
  steps?: number;
  epochs?: number;
  reference?: 'cpu' | 'wasm' | 'node' | 'node-gpu';
  device: 'cpu' | 'webgpu';
  replay: 'none' | 'step' | 'layer';
  recordEvery?: number;
  record: string[];
  seed: number;
  keepLayout: boolean;
  lossRtol: number;
  lossAtol: number;
  metricPoints: number;
  workDir?: string;
  progress?: boolean;
  json?: string;
  markdown?: string;
  html?: string;
  junit?: string;
  maxRows?: number;
  color?: boolean;
  timeout?: number;
  trace?: 'ops';
  traceStep: number;
}

export const command = 'diff <original>';
export const describe = 'Run the original TensorFlow.js program and the migrated one side by side and compare their numbers';

export const builder = (y: Argv): Argv<Args> =>
  y
    .positional('original', { type: 'string', demandOption: true, describe: 'the TensorFlow.js program (entry file), or a TensorFlow 2 Python .py file: its TensorFlow.js equivalent (migrate --emit-tfjs) is the reference' })
    .option('migrated', { type: 'string', describe: 'the migrated program (default: migrate the original on the fly with --fit helper)' })
    .option('steps', { type: 'number', describe: 'train at most this many steps (batches) in all' })
    .option('epochs', { type: 'number', describe: "epochs to train (overrides the program's own)" })
    .option('reference', { choices: ['cpu', 'wasm', 'node', 'node-gpu'] as const, describe: "TensorFlow.js backend of the original (node ones need tfjs-node installed; default: tfjs-node when the program imports it and it is installed, else wasm); untrainable kernels on wasm fall back to cpu, reported" })
    .option('device', { choices: ['cpu', 'webgpu'] as const, default: 'cpu' as const, describe: "the migrated program's device" })
    .option('replay', { choices: ['none', 'step', 'layer'] as const, default: 'step' as const, describe: "none: free run from the same weights and batches; step: reset the candidate's parameters to the reference's before each step; layer: also feed each layer the reference's input" })
    .option('record-every', { type: 'number', describe: 'record layer outputs and gradients every k steps (default 1 with --steps ≤ 200, else 10)' })
    .option('record', { type: 'string', array: true, default: ['outputs', 'gradients', 'parameters'], describe: 'what to record beyond losses: outputs, gradients, parameters' })
    .option('trace', { choices: ['ops'] as const, describe: "ops: record every op's output during one training step on both sides, pair them by kind and shape, and name the first op whose output diverges and its line in the migrated program (custom loops and model.fit)" })
    .option('trace-step', { type: 'number', default: 0, describe: 'the training step --trace records (from 0)' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the batch order and dropout masks' })
    .option('keep-layout', { type: 'boolean', default: false, describe: 'the migrated program keeps tfjs\'s NHWC layout between layers (it was, or is to be, migrated with --keep-layout)' })
    .option('loss-rtol', { type: 'number', default: 1e-4, describe: 'relative tolerance of each step\'s loss' })
    .option('loss-atol', { type: 'number', default: 0, describe: 'absolute tolerance of each step\'s loss' })
    .option('metric-points', { type: 'number', default: 0.3, describe: 'tolerance of final accuracies, in points' })
    .option('work-dir', { type: 'string', describe: 'keep the traces (and the on-the-fly migrated copy) here; by default they go to temporary folders removed after the run' })
    .option('progress', { type: 'boolean', describe: 'progress bars while training (default: when stderr is a terminal)' })
    .option('json', { type: 'string', describe: 'write the report as JSON here' })
    .option('markdown', { type: 'string', describe: 'write the report as Markdown here' })
    .option('html', { type: 'string', describe: 'write a self-contained HTML report with plots here' })
    .option('junit', { type: 'string', describe: 'write JUnit XML (for CI) here' })
    .option('max-rows', { type: 'number', describe: 'rows of the terminal table (elided in the middle)' })
    .option('color', { type: 'boolean', describe: 'colour the terminal table (default: when stdout is a terminal)' })
    .option('timeout', { type: 'number', describe: 'seconds both programs may run in all; the one still running then is stopped (exit 2, naming it)' }) as unknown as Argv<Args>;

export async function handler(argv: ArgumentsCamelCase<Args>): Promise<void> {
  const { runDiff, DiffUsageError } = await import('../../difftest/program/run.js');
  const { InstrumentError } = await import('../../difftest/program/instrument.js');
  const { ChildFailedError } = await import('../../difftest/program/child_error.js');
  const { formatTerminal, writeReports } = await import('../../difftest/report/index.js');
  const known = ['outputs', 'gradients', 'parameters'];
  const unknown = argv.record.filter((r) => !known.includes(r));
  if (unknown.length) {
    console.error(`torchbridge diff: --record takes ${known.join(', ')}; got ${unknown.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  if (!Number.isInteger(argv.traceStep) || argv.traceStep < 0) {
    console.error(`torchbridge diff: --trace-step takes a step number from 0; got ${argv.traceStep}`);
    process.exitCode = 2;
    return;
  }
  if (argv.timeout !== undefined && !(argv.timeout > 0)) {
    console.error(`torchbridge diff: --timeout takes a number of seconds above 0; got ${argv.timeout}`);
    process.exitCode = 2;
    return;
  }
  try {
    const report = await runDiff({
      timeoutSeconds: argv.timeout,
      original: argv.original, migrated: argv.migrated, steps: argv.steps, epochs: argv.epochs, reference: argv.reference, device: argv.device,
      replay: argv.replay, recordEvery: argv.recordEvery, seed: argv.seed, keepLayout: argv.keepLayout, workDir: argv.workDir, progress: argv.progress,
      record: { outputs: argv.record.includes('outputs'), gradients: argv.record.includes('gradients'), parameters: argv.record.includes('parameters') },
      tolerances: { lossRtol: argv.lossRtol, lossAtol: argv.lossAtol, metricPoints: argv.metricPoints },
      trace: argv.trace, traceStep: argv.traceStep,
    });
    console.log(formatTerminal(report, { color: argv.color ?? Boolean(process.stdout.isTTY), maxRows: argv.maxRows }));
    for (const p of writeReports(report, { json: argv.json, markdown: argv.markdown, html: argv.html, junit: argv.junit })) console.log(`wrote ${p}`);
    process.exitCode = report.pass ? 0 : 1;
  } catch (e) {
    if (e instanceof DiffUsageError || e instanceof InstrumentError) {
      console.error(`torchbridge diff: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof ChildFailedError) {
      console.error(`torchbridge diff: ${e.message}`);
      // A program that could not run to its end here, on either side (crashed, stopped by --timeout): 2, not a
      // numeric difference.
      process.exitCode = 2;
      return;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    console.error(`torchbridge diff: diffing ${argv.original} stopped with an error in torchbridge itself: ${err.message}\nRerun with TORCHBRIDGE_DEBUG=1 for its stack trace, and report it with the program if it persists.`);
    if (process.env.TORCHBRIDGE_DEBUG) console.error(err.stack);
    process.exitCode = 2;
  }
}
