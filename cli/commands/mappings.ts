/** `torchbridge mappings`: the TensorFlow.js → runtime mapping table — coverage figures, MAPPINGS.md, op-level verification. */
import type { ArgumentsCamelCase, Argv } from 'yargs';

export const command = 'mappings';
export const describe = 'Show mapping coverage against every @tensorflow/tfjs export, write MAPPINGS.md, or verify every row against tfjs';
export const builder = (y: Argv) =>
  y
    .option('coverage', { type: 'boolean', default: false, describe: 'list every tfjs export with its status, then the totals' })
    .option('all', { type: 'boolean', default: false, describe: 'with --coverage: also list internal exports (kernel names, namespaces)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the coverage (or, with --verify, the verification) as JSON' })
    .option('write-docs', { type: 'string', describe: 'write the generated mapping documentation to this file (MAPPINGS.md)' })
    .option('verify', {
      type: 'boolean', default: false,
      describe: 'run every row with sample inputs on tfjs and, through the emitted code, on the runtime; compare outputs and gradients (exit 1 on an unexpected failure)',
    })
    .option('only', { type: 'string', array: true, describe: 'with --verify: only these rows (tf.softmax Tensor.sum ...)' });

export async function handler(
  argv: ArgumentsCamelCase<{ coverage: boolean; all: boolean; json: boolean; writeDocs?: string; verify: boolean; only?: string[] }>,
): Promise<void> {
  if (argv.verify) {
    const { runVerify } = await import('../../difftest/op_level_report.js');
    process.exitCode = await runVerify({ json: argv.json, only: argv.only });
    return;
  }
  const { runMappings } = await import('../../mappings/report/print.js');
  process.exitCode = await runMappings({ coverage: argv.coverage, all: argv.all, json: argv.json, writeDocs: argv.writeDocs === '' ? 'MAPPINGS.md' : argv.writeDocs });
}
