/** `torchbridge info`: what this installation has — versions, backends, the GEMM kernel, the MNIST files. */
import type { ArgumentsCamelCase, Argv } from 'yargs';

export const command = 'info';
export const describe = 'Show versions, available backends and bundled data';
export const builder = (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON' });

export async function handler(argv: ArgumentsCamelCase<{ json: boolean }>): Promise<void> {
  const { runInfo } = await import('../info.js');
  const info = await runInfo();
  if (argv.json) console.log(JSON.stringify(info, null, 2));
  else for (const [k, v] of Object.entries(info)) console.log(`${k.padEnd(14)} ${v}`);
}
