/** `torchbridge check`: the CI gate — migrate, TODO markers, type-check and diff every entry of a config file (see difftest/check/run.ts). */
import type { ArgumentsCamelCase, Argv } from 'yargs';

export const command = 'check';
export const describe = 'CI gate: migrate each configured entry, fail on unallowed TODO markers and type errors, diff it against TensorFlow.js (exit 1 with what to fix)';

interface Args {
  config: string;
  only?: string[];
  color?: boolean;
  progress?: boolean;
  quiet: boolean;
  jobs: number;
  shard?: string;
}

export const builder = (y: Argv): Argv<Args> =>
  y
    .option('config', { alias: 'c', type: 'string', default: 'torchbridge.check.json', describe: 'the check config (JSON: entries, tolerances, allowedTodos, reports)' })
    .option('only', { type: 'string', array: true, describe: 'check only these entries (by name)' })
    .option('color', { type: 'boolean', describe: 'ANSI colors in the summary (default: when stdout is a terminal)' })
    .option('progress', { type: 'boolean', describe: 'progress lines and training bars on stderr (default: when stderr is a terminal)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but the final line' })
    .option('jobs', { type: 'number', default: 1, describe: 'entries diffed at once (each diff runs two programs one after the other)' })
    .option('shard', { type: 'string', describe: "run the i-th of n deterministic parts of the entries (i/n, e.g. 2/4): entry k (config order) goes to shard ((k-1) mod n)+1, one CI runner per shard" })
    .example('$0 check', 'read torchbridge.check.json and check every entry')
    .example('$0 check -c ci/check.json --only train', 'one entry of another config')
    .example('$0 check --shard 2/4', 'the second of four CI runners: every fourth entry from the second') as unknown as Argv<Args>;

export async function handler(argv: ArgumentsCamelCase<Args>): Promise<void> {
  const { loadCheckConfig, ConfigError } = await import('../../difftest/check/config.js');
  const { runCheck } = await import('../../difftest/check/run.js');
  const { parseShard } = await import('../../difftest/check/shard.js');
  let last = '';
  try {
    const config = loadCheckConfig(argv.config);
    const names = config.entries.map((e) => e.name);
    const unknown = (argv.only ?? []).filter((n) => !names.includes(n));
    if (unknown.length) throw new ConfigError(`--only ${unknown.join(' ')}: no such entr${unknown.length > 1 ? 'ies' : 'y'} in ${argv.config} (entries: ${names.join(', ')})`);
    const shard = argv.shard !== undefined ? parseShard(argv.shard) : undefined;
    const result = await runCheck(config, {
      only: argv.only, shard, jobs: argv.jobs, color: argv.color ?? Boolean(process.stdout.isTTY), progress: argv.progress,
      log: argv.quiet ? (s) => { if (s.startsWith('check:')) last = s; } : undefined,
    });
    if (argv.quiet && last) console.log(last);
    process.exitCode = result.code;
  } catch (e) {
    // A bad config, an unknown --only name, or a report path aimed at a program's source (found by runCheck before
    // anything runs): usage errors.
    if (e instanceof ConfigError) {
      console.error(`torchbridge check: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
