/** `torchbridge mappings`: the TensorFlow.js → runtime mapping table — coverage figures and MAPPINGS.md. */
import type { ArgumentsCamelCase, Argv } from 'yargs';

export const command = 'mappings';
export const describe = 'Show mapping coverage against every @tensorflow/tfjs export, or write MAPPINGS.md';
export const builder = (y: Argv) =>
  y
    .option('coverage', { type: 'boolean', default: false, describe: 'list every tfjs export with its status, then the totals' })
    .option('all', { type: 'boolean', default: false, describe: 'with --coverage: also list internal exports (kernel names, namespaces)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the coverage as JSON' })
    .option('write-docs', { type: 'string', describe: 'write the generated mapping documentation to this file (MAPPINGS.md)' });

export async function handler(argv: ArgumentsCamelCase<{ coverage: boolean; all: boolean; json: boolean; writeDocs?: string }>): Promise<void> {
  const { runMappings } = await import('../../mappings/report/print.js');
  process.exitCode = await runMappings({ coverage: argv.coverage, all: argv.all, json: argv.json, writeDocs: argv.writeDocs === '' ? 'MAPPINGS.md' : argv.writeDocs });
}
